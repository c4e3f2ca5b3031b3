# 158-plan-markdown: --format markdown gives the pull-request comment of
# the same plan.
. ./e2e/lib.sh
. ./e2e/plan_fixture.sh

plan_config
plan_source
plan_replica
plan_state <<EOS
refresh lang-west
project TravelAgent projectKind=Conversation lastModifiedDateTime=2026-11-15T00:00:00Z
model TravelAgent v7 modelId=$RID expiration=2027-06-01
deployment TravelAgent production modelId=$RID expiration=2027-12-01
commit
EOS
run standby plan -f "$T/standby.yaml" --refresh=false --format markdown \
    --detailed-exitcode
expect_exit 2
expect_stdout_contains '<details>'
expect_stdout_contains 'TravelAgent'
expect_stdout_contains 'replica_modified_out_of_band'
