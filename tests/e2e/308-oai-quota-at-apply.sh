# 308-oai-quota-at-apply: the region's quota shrinks between plan and
# apply; the deployment there fails with InsufficientQuota named in plain
# words with the action, what depends on it is skipped, and the other
# region's chain still succeeds (exit 1).
. ./e2e/lib.sh
. ./e2e/oai_lib.sh
. ./e2e/oai_apply_lib.sh
oai_setup
oai_apply_config <<YAML
openai:
  chat:
    model: { name: gpt-4o, version: "2024-08-06" }
    sku: { name: GlobalStandard, capacity: 50 }
    accounts: [east, west]
YAML
run standby plan -f "$CFG" -o "$T/plan.json"
expect_exit 0
# someone else takes westus2's quota after the plan was made
emu_ctl PUT /regions/westus2/quota '{"usage":"OpenAI.GlobalStandard.gpt-4o","limit":20}' > /dev/null
run standby apply "$T/plan.json"
expect_exit 1
expect_stdout_contains 'openai_create:chat@east: done'
expect_stdout_contains 'openai_create:chat@west: failed: '
expect_stdout_contains 'insufficient quota'
expect_stdout_contains 'InsufficientQuota'
expect_stdout_contains 'Apply failed: 1 succeeded, 1 failed'
oai_deployment east chat | jq -e '.properties.provisioningState == "Succeeded"' > /dev/null ||
    fail "east: $(cat "$T/emu.body")"
oai_deployment west chat > /dev/null
[ "$(cat "$T/emu.status")" = 404 ] || fail "west has the deployment: $(cat "$T/emu.body")"
sqlite3 "$T/.standby/state.db" "SELECT status, error FROM actions WHERE action = 'openai_create:chat@west'" > "$T/journal"
grep -q '^failed|.*InsufficientQuota' "$T/journal" || fail "journal: $(cat "$T/journal")"
