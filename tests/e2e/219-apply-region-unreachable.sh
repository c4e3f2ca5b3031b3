# 219-apply-region-unreachable: a region's endpoint stops answering in the
# middle of an apply (connection refused, after the refresh read it): its
# chains fail once the client's bounded retries are spent, the other
# region finishes, exit 1; when it is back, the next apply does the rest.
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_setup
emu_ctl POST /job-time '{"export":"2s"}' > /dev/null
"$BUILD/standby" apply -f "$CFG" --auto-approve > "$T/first.out" 2>&1 &
first=$!
PIDS="$PIDS $first"
i=0
until apply_changes east | grep -q ':export$'; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the apply did not start exporting"
	sleep 0.1
done
emu_ctl POST /resources/north/down > /dev/null
wait $first
rc=$?
[ $rc = 1 ] || { cat "$T/first.out"; fail "exit $rc, want 1"; }
grep -q 'import:TravelAgent@north: failed:' "$T/first.out" || fail "no failure for north: $(cat "$T/first.out")"
grep -q 'deploy:TravelAgent@west/production: done' "$T/first.out" || fail "west did not finish: $(cat "$T/first.out")"
grep -q 'Apply failed: 8 succeeded, 2 failed, 4 skipped' "$T/first.out" || fail "summary: $(tail -3 "$T/first.out")"
emu_ctl POST /resources/north/up > /dev/null
run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains 'Apply complete: 6 succeeded, 0 failed'
expect_no_duplicate_jobs
expect_empty_plan
