# 154-plan-stale-cache: a resource that refresh could not read is planned
# from its cached state, with a warning giving both times.
. ./e2e/lib.sh
. ./e2e/plan_fixture.sh

plan_config
plan_in_sync
plan_state <<EOS
stale lang-west connection refused
EOS
run standby plan -f "$T/standby.yaml" --refresh=false -o "$T/plan.json"
expect_exit 0
expect_stdout_contains 'lang-west could not be read at'
expect_stdout_contains '; its cached state is from'
expect_stdout_contains 'No changes.'
grep -q '"code": "resource_stale"' "$T/plan.json" || fail "no resource_stale"
plan_schema "$T/plan.json"
