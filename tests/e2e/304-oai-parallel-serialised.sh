# 304-oai-parallel-serialised: several deployments on one account with
# --parallelism 4: standby sends one write at a time to the account (the
# emulator answers 409 RequestConflict to a second), while the other
# account is written in parallel; a write held by someone else is waited
# for (409 retried), not reported as a failure.
. ./e2e/lib.sh
. ./e2e/oai_lib.sh
. ./e2e/oai_apply_lib.sh
oai_setup --job-time deployment=500ms
oai_apply_config <<YAML
openai:
  a1: { model: { name: gpt-4o, version: "2024-08-06" }, sku: { name: GlobalStandard, capacity: 5 }, accounts: [east, west] }
  a2: { model: { name: gpt-4o, version: "2024-08-06" }, sku: { name: GlobalStandard, capacity: 5 }, accounts: [east, west] }
  a3: { model: { name: gpt-4o, version: "2024-08-06" }, sku: { name: GlobalStandard, capacity: 5 }, accounts: [east, west] }
YAML
run standby plan -f "$CFG" -o "$T/plan.json"
expect_exit 0
# someone else's write (3 s long) holds east when the apply starts
emu_ctl POST /job-time '{"deployment":"3s"}' > /dev/null
printf '{"sku":{"name":"Standard","capacity":1},"properties":{"model":{"format":"OpenAI","name":"gpt-4o"}}}' > "$T/other.json"
emu_arm_call PUT "$(emu_account_id east)/deployments/other?api-version=2024-10-01" "$T/other.json" > /dev/null
[ "$(cat "$T/emu.status")" = 201 ] || fail "foreign PUT: $(cat "$T/emu.status")"
emu_ctl POST /job-time '{"deployment":"500ms"}' > /dev/null
run standby apply "$T/plan.json" --parallelism 4
expect_exit 0
expect_stdout_contains 'Apply complete: 6 succeeded, 0 failed'
emu_requests > "$T/log.json"
# only the first attempts on east met the foreign write: a 409, retried
jq -e '[.[] | select(.method == "PUT" and .status == 409)] | length >= 1' "$T/log.json" > /dev/null ||
    fail "no 409 met: the test did not test the retry"
# after that, none of standby's own writes collided with each other
jq -e '[.[] | select(.method == "PUT" and .status == 201 and (.path | contains("/deployments/a")))] | length == 6' "$T/log.json" > /dev/null ||
    fail "creates: $(jq -c '[.[] | select(.method == "PUT") | [.resource, .status, .path]]' "$T/log.json")"
# standby's own writes to east never overlapped: once its first write
# was accepted, east answered no 409 (the emulator refuses a write while
# another runs on the account)
jq -r '.[] | select(.method == "PUT" and (.path | contains("/accounts/east/deployments/a"))) | .status' "$T/log.json" |
    awk '$1 == 201 { ok = 1 } $1 == 409 && ok { bad = 1 } END { exit bad }' ||
    fail "standby's writes to east overlapped: $(jq -c '[.[] | select(.method == "PUT") | [.seq, .status, .path]]' "$T/log.json")"
# west was written while east was busy: its first create came before
# east's last
first_west=$(jq '[.[] | select(.method == "PUT" and .status == 201 and (.path | contains("/accounts/west/"))) | .seq] | min' "$T/log.json")
last_east=$(jq '[.[] | select(.method == "PUT" and .status == 201 and (.path | contains("/accounts/east/"))) | .seq] | max' "$T/log.json")
[ "$first_west" -lt "$last_east" ] || fail "west waited for east ($first_west, $last_east)"
for d in a1 a2 a3; do
	for a in east west; do
		oai_deployment $a $d | jq -e '.properties.provisioningState == "Succeeded"' > /dev/null ||
		    fail "$d on $a: $(cat "$T/emu.body")"
	done
done
