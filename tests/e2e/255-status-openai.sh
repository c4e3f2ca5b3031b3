# 255-status-openai: for each openai: deployment, status --format json
# lists its endpoints in failover order (the order of accounts:, primary
# first, not sorted), each with its live state from the cache (present,
# provisioning state, capacity, model version) and a verdict: a missing
# deployment is not ready, a smaller capacity is stale, a cache older than
# --max-age is stale.  The state is written through lib/state (statefill);
# --refresh=false and --state read it without touching any network.
. ./e2e/lib.sh
ACCT=/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts
cat > "$T/standby.yaml" <<EOC
version: 1
resources:
  aoai-east:
    type: openai
    region: eastus
    id: $ACCT/aoai-east
    endpoint: https://aoai-east.openai.example
    auth: { entra: azure-cli }
  aoai-west:
    type: openai
    region: westus3
    id: $ACCT/aoai-west
    auth: { entra: azure-cli }
  aoai-north:
    type: openai
    region: swedencentral
    id: $ACCT/aoai-north
    auth: { entra: azure-cli }
openai:
  gpt-4o:
    model: { name: gpt-4o, version: "2024-08-06" }
    sku: { name: GlobalStandard, capacity: 100 }
    accounts: [aoai-west, aoai-east, aoai-north]
  mini:
    name: gpt-4o-mini
    model: { name: gpt-4o-mini, version: "2024-07-18" }
    sku: { name: Standard, capacity: 20 }
    accounts: [aoai-east]
EOC
dep() { # NAME MODEL VERSION SKU CAPACITY STATE
	printf 'json={"name":"%s","sku":{"name":"%s","capacity":%s},"properties":{"model":{"format":"OpenAI","name":"%s","version":"%s"},"provisioningState":"%s"}}' \
	    "$1" "$4" "$5" "$2" "$3" "$6"
}
cat > "$T/fill" <<EOS
refresh aoai-west
openai gpt-4o $(dep gpt-4o gpt-4o 2024-08-06 GlobalStandard 100 Succeeded)
commit
refresh aoai-east
openai gpt-4o $(dep gpt-4o gpt-4o 2024-08-06 GlobalStandard 40 Succeeded)
openai gpt-4o-mini $(dep gpt-4o-mini gpt-4o-mini 2024-07-18 Standard 20 Succeeded)
commit
refresh aoai-north
commit
EOS
run statefill "$T/state.db" "$T/fill"
expect_exit 0

run standby status -f "$T/standby.yaml" --state "$T/state.db" --refresh=false --format json
expect_exit 2
cp "$T/stdout" "$T/s.json"
jq -e '[.openai[] | .key] == ["gpt-4o", "mini"]
    and [.openai[0].endpoints[] | .resource] == ["aoai-west", "aoai-east", "aoai-north"]
    and [.openai[0].endpoints[] | .role] == ["primary", "secondary", "secondary"]
    and [.openai[0].endpoints[] | .order] == [1, 2, 3]
    and [.openai[0].endpoints[] | .verdict] == ["ready", "stale", "not_ready"]
    and .openai[0].verdict == "not_ready" and .openai[1].verdict == "ready"
    and .summary == {"ready": 2, "stale": 1, "not_ready": 1}' "$T/s.json" > /dev/null ||
    fail "openai: $(jq -c .openai "$T/s.json")"
jq -e '.openai[0].endpoints[0] | .present and .provisioning_state == "Succeeded"
    and .sku == {"name": "GlobalStandard", "capacity": 100}
    and .model.version == "2024-08-06" and .region == "westus3"
    and .endpoint == null and .deployment == "gpt-4o" and .reachable' \
    "$T/s.json" > /dev/null || fail "primary: $(jq -c '.openai[0].endpoints[0]' "$T/s.json")"
jq -e '.openai[0].endpoints[1] | .endpoint == "https://aoai-east.openai.example"
    and .sku.capacity == 40 and .findings[0].code == "capacity_changed"
    and .findings[0].want == "100" and .findings[0].have == "40"' \
    "$T/s.json" > /dev/null || fail "secondary: $(jq -c '.openai[0].endpoints[1]' "$T/s.json")"
jq -e '.openai[0].endpoints[2] | (.present | not) and .model == null
    and .findings[0].code == "deployment_missing"' \
    "$T/s.json" > /dev/null || fail "third: $(jq -c '.openai[0].endpoints[2]' "$T/s.json")"
jq -e '.openai[1] | .name == "gpt-4o-mini" and (.endpoints | length) == 1
    and .endpoints[0].role == "primary"' "$T/s.json" > /dev/null ||
    fail "mini: $(jq -c '.openai[1]' "$T/s.json")"
/usr/bin/python3 - "$TOP/schema/status.schema.json" "$T/s.json" <<'PY' ||
import json, sys
import jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(s).validate(json.load(open(sys.argv[2])))
PY
    fail "the OpenAI status does not match schema/status.schema.json"
echo "ok 1 - endpoints in failover order with live state and verdicts; schema"

run standby status -f "$T/standby.yaml" --state "$T/state.db" --refresh=false
expect_exit 2
expect_stdout_contains 'Azure OpenAI deployments, endpoints in failover order (primary first):'
expect_stdout_contains 'gpt-4o: NOT READY'
expect_stdout_contains '    1. aoai-west (westus3, -): Succeeded, GlobalStandard 100, gpt-4o 2024-08-06  ready'
expect_stdout_contains '    2. aoai-east (eastus, https://aoai-east.openai.example): Succeeded, GlobalStandard 40, gpt-4o 2024-08-06  stale'
expect_stdout_contains '        ! capacity_changed: sku.capacity is 40, standby.yaml wants 100'
expect_stdout_contains '    3. aoai-north (swedencentral, -): absent  NOT READY'
run standby status -f "$T/standby.yaml" --state "$T/state.db" --refresh=false --format markdown
expect_exit 2
expect_stdout_contains '| gpt-4o | 1 | aoai-west | westus3 | - | Succeeded, GlobalStandard 100, gpt-4o 2024-08-06 | ✅ ready |'
expect_stdout_contains '| gpt-4o | 3 | aoai-north | swedencentral | - | absent | ⛔ not ready |'
echo "ok 2 - text and markdown list the endpoints in failover order"

# Two days later, with --max-age 1d, every endpoint is stale at best.
SOURCE_DATE_EPOCH=$(($(date +%s) + 2 * 86400)) run standby status \
    -f "$T/standby.yaml" --state "$T/state.db" --refresh=false --format json --max-age 1d
expect_exit 2
jq -e '[.openai[1].endpoints[0].findings[].code] == ["cache_old"]
    and .openai[1].verdict == "stale"' "$T/stdout" > /dev/null ||
    fail "max-age: $(jq -c '.openai[1]' "$T/stdout")"
echo "ok 3 - a cache older than --max-age makes an endpoint stale"
