# 208-crash-after-accept-export: killed after an export's 202: the job URLs of the exports then in flight are lost, so they are done again (reads: at most 2 more), and nothing else twice
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_crash_test after-accept:export 4
