# 295-oai-drift: standby drift covers Azure OpenAI deployments per
# account: in sync is exit 0; a deployment missing in a region and a
# capacity changed by hand are findings (exit 2) with what is desired
# and live; the JSON matches schema/drift.schema.json; a region short of
# quota still reports the missing deployment; an unreadable account is
# unreachable; bad input is exit 1.  Read-only: no write reaches ARM.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/oai_lib.sh
emu_start --resource openai:east@eastus --resource openai:west@westus2 \
    --retry-after 0 --job-time deployment=0 --rate-limits off
oai_two_entries > "$T/entries"
oai_config "$T/standby.yaml" east west < "$T/entries"
oai_put east gpt-4o gpt-4o 2024-08-06 GlobalStandard 100
oai_put west gpt-4o gpt-4o 2024-08-06 GlobalStandard 100
oai_put east chat-mini gpt-4o-mini 2024-07-18 Standard 5
oai_put west chat-mini gpt-4o-mini 2024-07-18 Standard 5

sb drift -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'gpt-4o  west (westus2, deployment)'
sb drift -f "$T/standby.yaml" --format json --refresh=false
expect_exit 0
cp "$T/stdout" "$T/drift.json"
oai_schema_check "$T/drift.json" "$TOP/schema/drift.schema.json"
jq -e '.status == "in_sync" and .summary.units == 4 and .summary.in_sync == 4 and
    ([.units[] | "\(.key):\(.project)@\(.resource):\(.kind):\(.role)"] ==
     ["gpt-4o:gpt-4o@east:openai:deployment", "gpt-4o:gpt-4o@west:openai:deployment",
      "mini:chat-mini@east:openai:deployment", "mini:chat-mini@west:openai:deployment"])' "$T/drift.json" > /dev/null ||
    fail "in sync: $(jq -c '.units' "$T/drift.json")"
echo "ok 1 - in sync: exit 0, a row per deployment and account"

# a deployment lost in one region, a capacity lowered by hand in the other
oai_delete west chat-mini
printf '{"sku":{"capacity":40}}' > "$T/patch.json"
emu_arm_call PATCH "$(emu_account_id east)/deployments/gpt-4o?$OAI_V" "$T/patch.json" > /dev/null
emu_requests arm | jq 'length' > "$T/nreq"
sb drift -f "$T/standby.yaml" --format json
expect_exit 2
cp "$T/stdout" "$T/drift.json"
oai_schema_check "$T/drift.json" "$TOP/schema/drift.schema.json"
jq -e '.units[] | select(.project == "chat-mini" and .resource == "west") |
    .status == "drift" and .findings[0].code == "deployment_missing" and
    .findings[0].object == "west/deployments/chat-mini" and
    .findings[0].desired.capacity == 5 and .findings[0].plan_action == "openai_create:chat-mini@west"' "$T/drift.json" > /dev/null ||
    fail "missing: $(jq -c '.units' "$T/drift.json")"
jq -e '.units[] | select(.project == "gpt-4o" and .resource == "east") |
    .findings[0].code == "capacity_changed" and .findings[0].live.capacity == 40 and
    .findings[0].desired.capacity == 100' "$T/drift.json" > /dev/null ||
    fail "capacity: $(jq -c '.units' "$T/drift.json")"
jq -e '.summary.drift == 2 and .summary.in_sync == 2 and .summary.by_code.deployment_missing == 1 and
    .summary.by_code.capacity_changed == 1' "$T/drift.json" > /dev/null || fail "summary: $(jq -c .summary "$T/drift.json")"
emu_requests arm | jq -e --argjson n "$(cat "$T/nreq")" '.[$n:] | all(.method == "GET")' > /dev/null ||
    fail "drift sent a write"
sb drift -f "$T/standby.yaml" --refresh=false
expect_exit 2
expect_stdout_contains 'deployment chat-mini is missing on west (westus2)'
expect_stdout_contains 'capacity 40 -> 100'
sb drift -f "$T/standby.yaml" --refresh=false --format markdown
expect_exit 2
expect_stdout_contains 'deployment_missing'
echo "ok 2 - missing deployment and capacity difference: exit 2 with desired and live"

# no quota left for the missing one: still reported, not a failure
emu_ctl PUT /regions/westus2/quota '{"usage":"OpenAI.Standard.gpt-4o-mini","limit":1}' > /dev/null
sb drift -f "$T/standby.yaml" --format json
expect_exit 2
jq -e '.summary.by_code.deployment_missing == 1' "$T/stdout" > /dev/null || fail "quota hid the finding"
echo "ok 3 - a quota shortfall does not hide a missing deployment"

# an account that cannot be read
emu_ctl POST /faults '{"resource":"arm","method":"GET","path":"/accounts/west/","action":"status","status":500,"count":100}' > /dev/null
sb drift -f "$T/standby.yaml" --format json
expect_exit 2
jq -e '[.units[] | select(.resource == "west") | .status] == ["unreachable", "unreachable"] and
    (.resources[] | select(.name == "west") | .reachable == false and .type == "openai")' "$T/stdout" > /dev/null ||
    fail "unreachable: $(jq -c '.units' "$T/stdout")"
echo "ok 4 - an unreadable account is unreachable"

sb drift -f "$T/nope.yaml"
expect_exit 1
echo "ok 5 - bad input is exit 1"
