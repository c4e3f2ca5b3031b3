# 159-plan-expiry-window: a deployment expiring in 40 days is left alone by
# the default 30-day window and retrained and redeployed with a 60-day one.
. ./e2e/lib.sh
. ./e2e/plan_fixture.sh

plan_config
plan_source
DEP_EXP=2027-01-02 plan_replica
run standby plan -f "$T/standby.yaml" --refresh=false --detailed-exitcode
expect_exit 0
expect_stdout_contains 'No changes.'

run standby plan -f "$T/standby.yaml" --refresh=false --detailed-exitcode \
    --expiry-window 60d -o "$T/p.json"
expect_exit 2
expect_stdout_contains '[deployment_expiring]'
expect_stdout_contains 'expires on 2027-01-02, within the expiry window (60 days)'
grep -q '"expiry_window_days": 60' "$T/p.json" || fail "window not recorded"
plan_schema "$T/p.json"

# The window also comes from settings.expiry_window.
printf 'settings:\n  expiry_window: 45d\n' >> "$T/standby.yaml"
run standby plan -f "$T/standby.yaml" --refresh=false --detailed-exitcode
expect_exit 2
expect_stdout_contains 'within the expiry window (45 days)'
