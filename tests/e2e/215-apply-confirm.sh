# 215-apply-confirm: with changes to make and no terminal, apply refuses
# (naming --auto-approve) rather than waiting for an answer, and changes
# nothing; with nothing to do it needs no confirmation.
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_setup
run standby apply -f "$CFG"
expect_exit 1
expect_stderr_contains '--auto-approve'
expect_stdout_contains 'Plan: 12 to create'
[ -z "$(apply_changes)" ] || fail "changed without confirmation: $(apply_changes)"
run standby apply -f "$CFG" --parallelism 0
expect_exit 1
expect_stderr_contains '--parallelism'
export STANDBY_CRASH_AT=sometime
run standby apply -f "$CFG" --auto-approve
unset STANDBY_CRASH_AT
expect_exit 1
expect_stderr_contains "STANDBY_CRASH_AT='sometime' is not a crash point"
run standby apply -f "$CFG" --auto-approve --parallelism 1
expect_exit 0
run standby apply -f "$CFG"
expect_exit 0
expect_stdout_contains 'No changes'
