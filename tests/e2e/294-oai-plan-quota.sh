# 294-oai-plan-quota: pre-flight at plan time, from the refreshed usages:
# a region whose quota cannot hold a deployment fails the plan with an
# error naming region, model and numbers; --allow-partial makes it a
# warning, leaves only that deployment out and plans the other region;
# an increase needs quota only for the difference.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/oai_lib.sh
emu_start --resource openai:east@eastus --resource openai:west@westus2 \
    --retry-after 0 --job-time deployment=0 --rate-limits off
oai_two_entries > "$T/entries"
oai_config "$T/standby.yaml" east west < "$T/entries"
emu_ctl PUT /regions/eastus/quota '{"usage":"OpenAI.GlobalStandard.gpt-4o","limit":60}' > /dev/null

sb plan -f "$T/standby.yaml" -o "$T/plan.json"
expect_exit 1
expect_stderr_contains 'pre-flight'
expect_stderr_contains 'eastus'
expect_stderr_contains 'gpt-4o'
expect_stderr_contains '100'
expect_stderr_contains '60'
expect_stderr_contains '--allow-partial'
expect_stderr_lacks 'westus2'
[ ! -e "$T/plan.json" ] || fail "a plan was saved despite the shortfall"
echo "ok 1 - a quota shortfall is a plan error naming region, model and numbers"

sb plan -f "$T/standby.yaml" --allow-partial --refresh=false --detailed-exitcode
expect_exit 2
expect_stdout_contains '+ openai_create gpt-4o (west, westus2)'
expect_stdout_contains '+ openai_create chat-mini (east, eastus)'
expect_stdout_lacks 'openai_create gpt-4o (east, eastus)'
grep -q 'preflight_shortfall' "$T/stdout" "$T/stderr" || fail "no preflight_shortfall warning"
grep 'eastus' "$T/stdout" "$T/stderr" | grep -q '60' || fail "the warning lacks the numbers"
sb plan -f "$T/standby.yaml" --allow-partial --refresh=false --format json
expect_exit 0
jq -e '[.actions[].id] | index("openai_create:gpt-4o@east") == null and index("openai_create:gpt-4o@west") != null' "$T/stdout" > /dev/null ||
    fail "json actions: $(jq -c '[.actions[].id]' "$T/stdout")"
jq -e '[.warnings[] | select(.code == "preflight_shortfall")] | length == 1' "$T/stdout" > /dev/null ||
    fail "json warnings: $(jq -c '.warnings' "$T/stdout")"
echo "ok 2 - --allow-partial: a warning, the other region still planned"

# 50 in use of 60: growing 50 -> 100 needs 50 more, 10 are free
oai_put east gpt-4o gpt-4o 2024-08-06 GlobalStandard 50
sb plan -f "$T/standby.yaml"
expect_exit 1
expect_stderr_contains 'eastus'
emu_ctl PUT /regions/eastus/quota '{"usage":"OpenAI.GlobalStandard.gpt-4o","limit":100}' > /dev/null
sb plan -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains '~ openai_update gpt-4o (east, eastus)'
echo "ok 3 - an update needs quota for the increase only"
