# 157-plan-cli-errors: bad options and a missing state file are errors
# (exit 1) that say what is wrong, and nothing is saved.
. ./e2e/lib.sh
. ./e2e/plan_fixture.sh

plan_config
run standby plan -f "$T/standby.yaml" --refresh=false -o "$T/p.json"
expect_exit 1
expect_stderr_contains 'no state file'
expect_stderr_contains "run 'standby refresh' first"
[ ! -e "$T/p.json" ] || fail "a plan was saved"

plan_in_sync
run standby plan -f "$T/standby.yaml" --refresh=maybe
expect_exit 1
expect_stderr_contains "--refresh: expected true or false, got 'maybe'"

run standby plan -f "$T/standby.yaml" --refresh=false --expiry-window soon
expect_exit 1
expect_stderr_contains "--expiry-window: 'soon' is not a duration"

run standby plan -f "$T/standby.yaml" --refresh=false --target Nope
expect_exit 1
expect_stderr_contains "--target: no project 'Nope'"

run standby plan -f "$T/standby.yaml" --refresh=false --format yaml
expect_exit 1
expect_stderr_contains 'yaml'

run standby plan -f "$T/standby.yaml" --refresh=false extra
expect_exit 1
expect_stderr_contains 'usage: standby plan'

run standby help plan
expect_exit 0
expect_stdout_contains '--detailed-exitcode'
expect_stdout_contains '--expiry-window'
