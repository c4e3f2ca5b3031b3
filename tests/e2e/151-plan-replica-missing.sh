# 151-plan-replica-missing: with only the source cached, plan proposes
# import, train and deploy on the replica (the cached snapshot of the
# source is reused, so no export), exits 2 with --detailed-exitcode, and
# the saved plan follows the schema and renders the same through show.
. ./e2e/lib.sh
. ./e2e/plan_fixture.sh

plan_config
plan_source
plan_state <<EOS
refresh lang-west
commit
EOS
run standby plan -f "$T/standby.yaml" --refresh=false --detailed-exitcode \
    -o "$T/plan.json"
expect_exit 2
expect_stdout_contains '+ import TravelAgent (lang-west, westus2, from lang-east)'
expect_stdout_contains '[replica_missing]'
expect_stdout_contains '+ train TravelAgent/v7 (lang-west, westus2, from lang-east)'
expect_stdout_contains '[model_missing]'
expect_stdout_contains '+ deploy TravelAgent/production (lang-west, westus2, from lang-east)'
expect_stdout_contains '[deployment_missing]'
expect_stdout_contains "snapshot: \"$HASH\""
expect_stdout_lacks 'export'
cp "$T/stdout" "$T/plan.txt"
plan_schema "$T/plan.json"

run standby show "$T/plan.json"
expect_exit 0
cmp -s "$T/stdout" "$T/plan.txt" || fail "show renders the saved plan differently"

# Without --detailed-exitcode, changes are still a success.
run standby plan -f "$T/standby.yaml" --refresh=false
expect_exit 0
