# 292-oai-plan-create: with empty accounts, plan (refreshing first)
# proposes every deployment of an examples-like configuration in both
# regions, in text, markdown and json (schema-valid), exit 2 with
# --detailed-exitcode; with the deployments made, the plan is empty.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/oai_lib.sh
emu_start --resource openai:east@eastus --resource openai:west@westus2 \
    --retry-after 0 --job-time deployment=0 --rate-limits off
oai_two_entries | oai_config "$T/standby.yaml" east west

sb plan -f "$T/standby.yaml" --detailed-exitcode
expect_exit 2
for a in 'gpt-4o (east, eastus)' 'gpt-4o (west, westus2)' \
    'chat-mini (east, eastus)' 'chat-mini (west, westus2)'; do
	expect_stdout_contains "+ openai_create $a"
done
expect_stdout_contains '# deployment gpt-4o is missing on west (westus2) [deployment_missing]'
expect_stdout_contains 'Plan: 4 to create, 0 to update, 0 to replace, 0 to delete.'

sb plan -f "$T/standby.yaml" --format markdown --refresh=false
expect_exit 0
expect_stdout_contains '| openai:gpt-4o | east (eastus), west (westus2) | 2 to create |'
expect_stdout_contains '+ openai_create chat-mini (west, westus2)'

sb plan -f "$T/standby.yaml" --format json --refresh=false
expect_exit 0
cp "$T/stdout" "$T/plan.json"
oai_schema_check "$T/plan.json"
jq -e '[.actions[] | select(.kind == "openai_create") |
    "\(.target.deployment)@\(.target.resource):\(.target.region):\(.target.sku):\(.target.capacity)"] | sort ==
    ["chat-mini@east:eastus:Standard:5", "chat-mini@west:westus2:Standard:5",
     "gpt-4o@east:eastus:GlobalStandard:100", "gpt-4o@west:westus2:GlobalStandard:100"]' "$T/plan.json" > /dev/null ||
    fail "actions: $(jq -c '[.actions[] | .id]' "$T/plan.json")"
echo "ok 1 - create in two regions, in every format"

oai_put east gpt-4o gpt-4o 2024-08-06 GlobalStandard 100
oai_put west gpt-4o gpt-4o 2024-08-06 GlobalStandard 100
oai_put east chat-mini gpt-4o-mini 2024-07-18 Standard 5
oai_put west chat-mini gpt-4o-mini 2024-07-18 Standard 5
sb plan -f "$T/standby.yaml" --detailed-exitcode
expect_exit 0
expect_stdout_contains 'No changes.'
echo "ok 2 - deployments as declared (server defaults filled in) plan nothing"
