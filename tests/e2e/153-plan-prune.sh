# 153-plan-prune: live objects that standby.yaml does not list are deleted
# only with --prune, listed first, and never for a protect: true project.
. ./e2e/lib.sh
. ./e2e/plan_fixture.sh

plan_config
plan_source
plan_replica "deployment TravelAgent staging modelId=v6-20260101T000000-00000000000000000000000000000003
model TravelAgent v6 modelId=v6-20260101T000000-00000000000000000000000000000003"
# Something out of date too, so deletes have other actions to precede.
plan_state <<EOS
refresh lang-east
project TravelAgent projectKind=Conversation lastModifiedDateTime=2026-11-20T08:00:00Z
commit
EOS

run standby plan -f "$T/standby.yaml" --refresh=false -o "$T/keep.json"
expect_exit 0
expect_stdout_lacks 'delete_'
expect_stdout_lacks 'staging'

run standby plan -f "$T/standby.yaml" --refresh=false --prune -o "$T/prune.json"
expect_exit 0
expect_stdout_contains 'delete_deployment'
expect_stdout_contains '[not_desired]'
plan_schema "$T/prune.json"
first=$(grep -m 1 '"id":' "$T/prune.json")
case $first in
*'"delete_deployment:TravelAgent@lang-west/staging"'*) ;;
*) fail "the first action is not the delete: $first" ;;
esac
grep -q '"id": "delete_model:TravelAgent@lang-west/v6"' "$T/prune.json" ||
    fail "no delete_model"

plan_config "    protect: true"
run standby plan -f "$T/standby.yaml" --refresh=false --prune -o "$T/protect.json"
expect_exit 0
expect_stdout_lacks 'delete_'
expect_stdout_contains 'is protected (protect: true)'
grep -q '"code": "protected_kept"' "$T/protect.json" || fail "no protected_kept"
