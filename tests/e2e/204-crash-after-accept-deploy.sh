# 204-crash-after-accept-deploy: killed after a deployment's 202 before the journal write; the next apply sees the deployment and does not deploy again
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_crash_test after-accept:deploy
