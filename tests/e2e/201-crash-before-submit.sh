# 201-crash-before-submit: killed after the intent of the first action, before its request; the next apply abandons it (the request never left) and the plan does it
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_crash_test before-submit
