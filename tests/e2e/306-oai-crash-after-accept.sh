# 306-oai-crash-after-accept: kill -9 right after Azure accepted a
# deployment PUT, before its operation was journalled; the next apply
# finds the deployment in live state and does not PUT it again, then
# converges (empty plan, no further writes).
. ./e2e/lib.sh
. ./e2e/oai_lib.sh
. ./e2e/oai_apply_lib.sh
oai_setup --job-time deployment=500ms
oai_apply_config <<YAML
openai:
  chat:
    model: { name: gpt-4o, version: "2024-08-06" }
    sku: { name: GlobalStandard, capacity: 10 }
    accounts: [east]
YAML
export STANDBY_CRASH_AT=after-accept:openai_create
run standby apply -f "$CFG" --auto-approve
unset STANDBY_CRASH_AT
expect_exit 137
sqlite3 "$T/.standby/state.db" "SELECT status FROM actions" > "$T/journal"
[ "$(cat "$T/journal")" = pending ] || fail "journal after the kill: $(cat "$T/journal")"
run standby apply -f "$CFG" --auto-approve --recheck-wait 10s
expect_exit 0
expect_stdout_contains 'resuming openai_create:chat@east'
expect_stdout_contains 'confirmed by live state'
[ "$(oai_writes east | grep -c 'PUT .*/deployments/chat$')" = 1 ] ||
    fail "PUTs: $(oai_writes east)"
oai_expect_empty_plan
