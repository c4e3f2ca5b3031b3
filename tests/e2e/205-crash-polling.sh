# 205-crash-polling: killed while polling the first job; the next apply polls the journaled job URL rather than starting it again
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_crash_test polling
