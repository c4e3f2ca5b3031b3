# 209-crash-polling-train: killed while polling a training; the next apply polls it to the end
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_crash_test polling:train
