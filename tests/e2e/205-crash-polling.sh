# 205-crash-polling: killed while polling the first job; the next apply polls the journaled job URL rather than starting it again
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
# Both exports start together: when the first one's poll kills the apply,
# the other's POST may have been sent with its 202 not yet journaled.  That
# export is a read and is done again, so up to three exports are fine.
apply_crash_test polling 3
