# 293-oai-plan-update-prune: a capacity changed by hand and a version
# that differs are planned as updates with reasons and before/after
# values; a deployment standby.yaml does not list is deleted only with
# --prune, listed first, in every format.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/oai_lib.sh
emu_start --resource openai:east@eastus --resource openai:west@westus2 \
    --retry-after 0 --job-time deployment=0 --rate-limits off
oai_two_entries > "$T/entries"
oai_config "$T/standby.yaml" east west < "$T/entries"
oai_put east gpt-4o gpt-4o 2024-08-06 GlobalStandard 80
oai_put west gpt-4o gpt-4o 2024-11-20 GlobalStandard 100
oai_put east chat-mini gpt-4o-mini 2024-07-18 Standard 5
oai_put west chat-mini gpt-4o-mini 2024-07-18 Standard 5
oai_put east legacy gpt-4o-mini 2024-07-18 Standard 1

sb plan -f "$T/standby.yaml" --detailed-exitcode
expect_exit 2
expect_stdout_contains '~ openai_update gpt-4o (east, eastus)'
expect_stdout_contains 'deployment gpt-4o on east differs from standby.yaml: capacity 80 -> 100 [capacity_changed]'
expect_stdout_contains '~ openai_update gpt-4o (west, westus2)'
expect_stdout_contains 'model_version 2024-11-20 -> 2024-08-06 [version_changed]'
expect_stdout_contains 'Plan: 0 to create, 2 to update, 0 to replace, 0 to delete.'
expect_stdout_lacks 'legacy'
expect_stdout_lacks 'chat-mini'

sb plan -f "$T/standby.yaml" --format json --refresh=false
expect_exit 0
cp "$T/stdout" "$T/plan.json"
oai_schema_check "$T/plan.json"
jq -e '.actions[] | select(.id == "openai_update:gpt-4o@east") |
    .change == "update" and .reason.code == "capacity_changed" and
    .before.capacity == 80 and .after.capacity == 100' "$T/plan.json" > /dev/null ||
    fail "capacity update: $(jq -c '.actions' "$T/plan.json")"
jq -e '.actions[] | select(.id == "openai_update:gpt-4o@west") |
    .reason.code == "version_changed" and .before.model_version == "2024-11-20" and
    .after.model_version == "2024-08-06"' "$T/plan.json" > /dev/null ||
    fail "version update: $(jq -c '.actions' "$T/plan.json")"
echo "ok 1 - capacity and version changes are updates with reasons"

sb plan -f "$T/standby.yaml" --prune --refresh=false
expect_exit 0
expect_stdout_contains '- openai_delete legacy (east, eastus)'
expect_stdout_contains 'deployment legacy on east is not in standby.yaml [not_desired]'
expect_stdout_contains 'Plan: 0 to create, 2 to update, 0 to replace, 1 to delete.'
# deletes come first
first=$(grep -n 'openai_' "$T/stdout" | head -1)
case $first in *openai_delete*) ;; *) fail "delete not first: $first" ;; esac
sb plan -f "$T/standby.yaml" --prune --refresh=false --format markdown
expect_exit 0
expect_stdout_contains '- openai_delete legacy (east, eastus)'
sb plan -f "$T/standby.yaml" --prune --refresh=false --format json
jq -e '.actions[0].id == "openai_delete:legacy@east" and .actions[0].change == "delete" and
    .actions[0].before.capacity == 1' "$T/stdout" > /dev/null ||
    fail "json delete: $(jq -c '.actions[0]' "$T/stdout")"
echo "ok 2 - --prune deletes what is not declared, first"
