# 206-crash-after-job: killed when a job ended, before its outcome was journaled; the next apply polls it, sees it done and finishes its side effects
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
# The first job to end is an export; the other export may not have had its
# 202 journaled yet on a loaded machine, and is then exported again (a
# read), so up to three exports are fine.
apply_crash_test after-job 3
