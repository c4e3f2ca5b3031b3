# 202-crash-after-accept-import: killed after an import's 202, before its job URL was journaled; the next apply finds the import in live state and does not import again
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_crash_test after-accept:import
