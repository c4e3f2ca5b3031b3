# 207-crash-after-job-import: killed when an import ended, before the replication record; the next apply records it without importing again
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_crash_test after-job:import
