# 208-crash-after-accept-export: killed after an export's 202; its job URL is lost, so that export is done again (a read; both were in flight), and nothing else twice
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_crash_test after-accept:export 3
