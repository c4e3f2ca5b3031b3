# 063-openai-flags: --subscription and --resource-group shape the account
# ids ARM serves; other subscriptions and groups are 404; "arm" is not an
# account name; a Language-only emulator has no ARM listener.
. ./e2e/lib.sh
run standby-emulator --resource openai:arm@eastus
expect_exit 1
expect_stderr_contains "the name 'arm' is the ARM listener's"
run standby-emulator --resource openai:a@eastus --subscription 'bad/sub'
expect_exit 1
expect_stderr_contains "--subscription 'bad/sub'"

emu_start --resource language:lang@eastus
jq -e 'has("arm") | not' "$T/endpoints.json" > /dev/null || fail "ARM listener without openai accounts"
emu_stop

emu_start --resource openai:a@eastus --subscription 11111111-2222-3333-4444-555555555555 \
    --resource-group my-rg --rate-limits off
ID=$(emu_account_id a)
[ "$ID" = /subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/my-rg/providers/Microsoft.CognitiveServices/accounts/a ] ||
    fail "id $ID"
jq -e '.subscription == "11111111-2222-3333-4444-555555555555" and .resource_group == "my-rg"' "$T/endpoints.json" > /dev/null ||
    fail "endpoints file: $(cat "$T/endpoints.json")"
V=api-version=2024-10-01
emu_arm_call GET "$ID?$V" | jq -e --arg id "$ID" '.id == $id' > /dev/null || fail "GET $ID: $(cat "$T/emu.body")"
# ARM compares path segments case-insensitively
emu_arm_call GET "$(echo "$ID" | sed 's/resourceGroups/resourcegroups/; s/my-rg/MY-RG/')?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 200 ] || fail "case-insensitive path: $(cat "$T/emu.status")"
emu_arm_call GET "$(echo "$ID" | sed 's/11111111-/99999999-/')?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 404 ] && jq -e '.error.code == "SubscriptionNotFound"' "$T/emu.body" > /dev/null ||
    fail "other subscription: $(cat "$T/emu.status") $(cat "$T/emu.body")"
emu_arm_call GET "$(echo "$ID" | sed 's/my-rg/other/')?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 404 ] && jq -e '.error.code == "ResourceGroupNotFound"' "$T/emu.body" > /dev/null ||
    fail "other group: $(cat "$T/emu.status")"
emu_ctl GET /arm | jq -e '.page_size == 20' > /dev/null || fail "GET /arm"
echo "ok 1 - subscription and resource group flags"
emu_stop
