# 307-oai-crash-after-job: kill -9 after a deployment's operation ended
# but before the outcome was journalled (its operation URL was); the next
# apply polls that operation instead of sending the PUT again, and
# converges.
. ./e2e/lib.sh
. ./e2e/oai_lib.sh
. ./e2e/oai_apply_lib.sh
oai_setup
oai_apply_config <<YAML
openai:
  chat:
    model: { name: gpt-4o, version: "2024-08-06" }
    sku: { name: GlobalStandard, capacity: 10 }
    accounts: [east, west]
YAML
export STANDBY_CRASH_AT=after-job:openai_create
run standby apply -f "$CFG" --auto-approve --parallelism 1
unset STANDBY_CRASH_AT
expect_exit 137
sqlite3 "$T/.standby/state.db" "SELECT action, status, job_url FROM actions" > "$T/journal"
grep -q '|submitted|async PUT ' "$T/journal" || fail "journal after the kill: $(cat "$T/journal")"
run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains 'resuming openai_create:chat@'
for a in east west; do
	[ "$(oai_writes $a | grep -c 'PUT .*/deployments/chat$')" = 1 ] ||
	    fail "PUTs on $a: $(oai_writes $a)"
done
# the journalled operation was polled again by the resumed apply
op=$(sed -n 's/.*|submitted|async PUT [^ ]* //p' "$T/journal" | head -n 1)
emu_requests arm | jq -e --arg op "${op#http://*/}" '[.[] | select(.method == "GET" and (.path | ltrimstr("/") | startswith($op | split("?")[0])))] | length >= 2' > /dev/null ||
    fail "operation $op not polled on resume"
oai_expect_empty_plan
