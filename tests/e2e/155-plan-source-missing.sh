# 155-plan-source-missing: a source project that is not in the cache is an
# error naming the project, the resource and when it was read.
. ./e2e/lib.sh
. ./e2e/plan_fixture.sh

plan_config
plan_state <<EOS
refresh lang-east
commit
refresh lang-west
commit
EOS
run standby plan -f "$T/standby.yaml" --refresh=false -o "$T/plan.json"
expect_exit 1
expect_stderr_contains "standby: source project 'TravelAgent' not found on lang-east (refreshed "
[ ! -e "$T/plan.json" ] || fail "a plan was saved"
