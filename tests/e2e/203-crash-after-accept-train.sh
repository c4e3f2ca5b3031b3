# 203-crash-after-accept-train: killed after a training's 202 before the journal write; the next apply sees the trained model and does not train again
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_crash_test after-accept:train
