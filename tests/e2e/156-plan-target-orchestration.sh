# 156-plan-target-orchestration: an orchestration is planned after the
# project it routes to, its train waits for that project's deploy, and
# --target picks a project with what it routes to (not the reverse).
. ./e2e/lib.sh
. ./e2e/plan_fixture.sh

plan_config "  Concierge:
    kind: orchestration
    source: lang-east
    replicas: [lang-west]
    routes: [TravelAgent]
    model: { label: o3 }
    deployments: { production: o3 }"
plan_source
plan_state <<EOS
refresh lang-east
project TravelAgent projectKind=Conversation lastModifiedDateTime=$SRC_MOD
project Concierge projectKind=Orchestration lastModifiedDateTime=$SRC_MOD
commit
refresh lang-west
commit
EOS

run standby plan -f "$T/standby.yaml" --refresh=false --format json
expect_exit 0
ids=$(grep '"id":' "$T/stdout" | sed 's/.*"id": "\([^"]*\)".*/\1/' | tr '\n' ' ')
want="import:TravelAgent@lang-west train:TravelAgent@lang-west/v7 deploy:TravelAgent@lang-west/production export:Concierge@lang-east import:Concierge@lang-west train:Concierge@lang-west/o3 deploy:Concierge@lang-west/production "
[ "$ids" = "$want" ] || fail "order: $ids"
tr -d ' \n' < "$T/stdout" | grep -q '"id":"train:Concierge@lang-west/o3","kind":"train","change":"create","group":"Concierge","target":{[^}]*},"depends_on":\["import:Concierge@lang-west","deploy:TravelAgent@lang-west/production"\]' ||
    fail "train:Concierge does not wait for deploy:TravelAgent"

run standby plan -f "$T/standby.yaml" --refresh=false --target Concierge
expect_exit 0
expect_stdout_contains 'import TravelAgent'
expect_stdout_contains 'import Concierge'

run standby plan -f "$T/standby.yaml" --refresh=false --target TravelAgent -o "$T/p.json"
expect_exit 0
expect_stdout_contains 'import TravelAgent'
expect_stdout_lacks 'Concierge'
grep -q '"TravelAgent"' "$T/p.json" || fail "targets not recorded"
plan_schema "$T/p.json"
