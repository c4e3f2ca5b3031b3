# 206-crash-after-job: killed when a job ended, before its outcome was journaled; the next apply polls it, sees it done and finishes its side effects
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_crash_test after-job
