# 212-apply-concurrent: one apply per state file: a second fails at once
# naming the holder, or waits with --lock-timeout and then finds nothing
# left to do.
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_setup
emu_ctl POST /job-time '{"train":"3s"}' > /dev/null
"$BUILD/standby" apply -f "$CFG" --auto-approve > "$T/first.out" 2>&1 &
first=$!
PIDS="$PIDS $first"
i=0
until apply_changes | grep -q ':train$'; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the first apply did not start training"
	sleep 0.1
done
run standby apply -f "$CFG" --auto-approve
expect_exit 1
expect_stderr_contains "pid $first"
expect_stderr_contains 'apply'
run standby force-unlock -f "$CFG" not-the-lock-id
expect_exit 1
run standby apply -f "$CFG" --auto-approve --lock-timeout 60s
expect_exit 0
expect_stdout_contains 'No changes'
wait $first
[ $? = 0 ] || { cat "$T/first.out"; fail "the first apply failed"; }
expect_no_duplicate_jobs
