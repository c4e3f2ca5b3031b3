# 213-apply-sigterm: SIGTERM during a training: nothing new starts, the
# lock is released, exit 143; the next apply picks the jobs up (polls,
# never resubmits) and finishes.
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_setup
emu_ctl POST /job-time '{"train":"3s"}' > /dev/null
"$BUILD/standby" apply -f "$CFG" --auto-approve --heartbeat 500ms > "$T/first.out" 2>&1 &
first=$!
PIDS="$PIDS $first"
i=0
until grep -q 'train:.*still running' "$T/first.out"; do
	i=$((i + 1))
	[ $i -lt 300 ] || { cat "$T/first.out"; fail "no heartbeat from the first apply"; }
	sleep 0.1
done
kill -TERM $first
wait $first
rc=$?
[ $rc = 143 ] || { cat "$T/first.out"; fail "exit $rc after SIGTERM, want 143"; }
grep -q 'Apply interrupted' "$T/first.out" || fail "no interrupted summary: $(cat "$T/first.out")"
grep -q 'starting deploy' "$T/first.out" && fail "a deploy started after SIGTERM"
run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stderr_lacks 'took over the lock'
expect_stdout_contains 'resuming train:'
expect_no_duplicate_jobs
expect_empty_plan
