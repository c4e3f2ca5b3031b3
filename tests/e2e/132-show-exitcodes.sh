# 132-show-exitcodes: 0 = nothing to do, 1 = error, 2 = changes (only with
# --detailed-exitcode).
. ./e2e/lib.sh

PLANS=$FIXTURES/plans

run standby show --detailed-exitcode "$PLANS/valid-travel.json"
expect_exit 2
expect_stdout_contains 'Plan: 2 to create'

run standby show "$PLANS/valid-travel.json"
expect_exit 0

run standby show --detailed-exitcode "$PLANS/valid-empty.json"
expect_exit 0
expect_stdout_contains 'No changes. Live state matches standby.yaml.'

run standby show --detailed-exitcode --format markdown "$PLANS/valid-travel.json"
expect_exit 2
run standby show --detailed-exitcode --format json "$PLANS/valid-empty.json"
expect_exit 0

run standby show --detailed-exitcode "$PLANS/invalid-missing-hash.json"
expect_exit 1
expect_stderr_contains 'config.hash: missing'
[ ! -s "$T/stdout" ] || fail "an invalid plan printed something"
exit 0
