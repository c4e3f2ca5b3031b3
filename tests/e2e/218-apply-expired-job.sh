# 218-apply-expired-job: killed while polling imports; by the next apply
# the journaled job URLs answer 404 (expired): the imports are checked
# against the live projects, found done, recorded, and not sent again.
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_setup
export STANDBY_CRASH_AT=polling:import
run standby apply -f "$CFG" --auto-approve
unset STANDBY_CRASH_AT
expect_exit 137
emu_ctl POST /faults '{"method":"GET","path":"/import/jobs/","action":"status","status":404,"body":"{\"error\":{\"code\":\"NotFound\",\"message\":\"job not found\"}}"}' > /dev/null
run standby apply -f "$CFG" --auto-approve --recheck-wait 5s
expect_exit 0
expect_stdout_contains 'confirmed by live state'
imports=$(apply_changes | grep -c ':import$')
[ "$imports" = 4 ] || fail "$imports imports, want 4 (no re-import)"
expect_no_duplicate_jobs
expect_empty_plan
