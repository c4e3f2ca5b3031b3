# 161-plan-refresh-emulator: without --refresh=false, plan first reads
# every resource (here from the emulator) and plans from what it saw: the
# replica is missing, so export, import, train and deploy, in that order.
. ./e2e/lib.sh
. ./e2e/config.sh
emu_start --tls --resource language:east@eastus \
    --resource language:west@westus2 --rate-limits off --job-time all=50ms
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_train east TravelAgent v1
emu_deploy east TravelAgent production v1
emu_config "$T/standby.yaml" east west <<EOC
projects:
  TravelAgent:
    kind: conversation
    source: east
    replicas: [west]
    model: { label: v1 }
    deployments: { production: v1 }
EOC

sb plan -f "$T/standby.yaml" --detailed-exitcode -o "$T/plan.json"
expect_exit 2
expect_stderr_lacks 'not refreshed'
ids=$(grep '"id":' "$T/plan.json" | sed 's/.*"id": "\([^"]*\)".*/\1/' | tr '\n' ' ')
want="export:TravelAgent@east import:TravelAgent@west train:TravelAgent@west/v1 deploy:TravelAgent@west/production "
[ "$ids" = "$want" ] || fail "actions: $ids"
grep -q '"refreshed": true' "$T/plan.json" || fail "options.refreshed is not true"
grep -q '"refreshed_at": null' "$T/plan.json" && fail "state.refreshed_at is null"
/usr/bin/python3 -c '
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(
    json.load(open(sys.argv[2])))' "$TOP/schema/plan.schema.json" "$T/plan.json" ||
    fail "plan.json does not follow the schema"
expect_no_keys "$T/plan.json"
