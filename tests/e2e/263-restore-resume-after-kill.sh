# 263-restore-resume-after-kill: a restore killed (SIGKILL from the crash
# hook) right after the import's 202, and another killed while polling a
# training, are finished by the next restore: the journaled job is
# picked up, never sent twice, and the remaining steps run.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
. ./e2e/apply_lib.sh
drift_setup
sb backup -f "$CFG"
expect_exit 0
pu="$(emu_endpoint east)/language/authoring/analyze-conversations/projects/TravelAgent"
emu_call east DELETE "$pu?api-version=2023-04-01" > /dev/null
emu_wait_job east "$(emu_oploc)" > /dev/null

emu_ctl DELETE /requests > /dev/null
STANDBY_CRASH_AT=after-accept:import sb restore TravelAgent --to east -f "$CFG" --auto-approve
expect_exit 137
[ "$(apply_changes east | grep -c ':import$')" = 1 ] || fail "no import was sent"
sb restore TravelAgent --to east -f "$CFG" --auto-approve --recheck-wait 5s
expect_exit 0
expect_stderr_contains 'took over the lock'
expect_stdout_contains 'resuming import:TravelAgent@east'
expect_stdout_contains 'Resumed from an interrupted run: 1 finished'
expect_stdout_contains 'deploy:TravelAgent@east/production: done'
expect_no_duplicate_jobs
[ "$(apply_changes east | grep -c ':import$')" = 1 ] || fail "the import was sent again"
echo "ok 1 - killed after the import's 202: resumed, not imported twice"

emu_call east DELETE "$pu?api-version=2023-04-01" > /dev/null
emu_wait_job east "$(emu_oploc)" > /dev/null
emu_ctl DELETE /requests > /dev/null
STANDBY_CRASH_AT=polling:train sb restore TravelAgent --to east -f "$CFG" --auto-approve
expect_exit 137
sb restore TravelAgent --to east -f "$CFG" --auto-approve --recheck-wait 5s
expect_exit 0
expect_stdout_contains 'resuming train:TravelAgent@east/v1'
expect_stdout_lacks 'starting train:'
expect_stdout_contains 'deploy:TravelAgent@east/production: done'
expect_no_duplicate_jobs
expect_no_keys
echo "ok 2 - killed while polling a training: the job is polled, not sent again"

sb backup -f "$CFG"
expect_exit 0
expect_stdout_contains 'already stored'
echo "ok 3 - the restored project exports to the same snapshot"
