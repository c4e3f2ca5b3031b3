# 301-oai-capacity-change: only sku.capacity changed in standby.yaml: the
# plan shows an update of the capacity, and apply sends a PATCH of the
# sku (not a PUT of the whole deployment) to each account; then nothing
# is left to do.
. ./e2e/lib.sh
. ./e2e/oai_lib.sh
. ./e2e/oai_apply_lib.sh
oai_setup
write_cfg() {
	oai_apply_config <<YAML
openai:
  chat:
    model: { name: gpt-4o, version: "2024-08-06" }
    sku: { name: GlobalStandard, capacity: $1 }
    accounts: [east, west]
YAML
}
write_cfg 10
run standby apply -f "$CFG" --auto-approve
expect_exit 0
write_cfg 40
run standby plan -f "$CFG"
expect_exit 0
expect_stdout_contains 'openai_update chat (east'
expect_stdout_contains 'capacity_changed'
emu_ctl DELETE /requests > /dev/null
run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains 'openai_update:chat@east: done'
expect_stdout_contains 'openai_update:chat@west: done'
for a in east west; do
	w=$(oai_writes $a)
	[ "$w" = "PATCH $(emu_account_id $a)/deployments/chat" ] || fail "writes on $a: $w"
	oai_deployment $a chat | jq -e '.sku.capacity == 40 and .properties.model.version == "2024-08-06"' > /dev/null ||
	    fail "deployment on $a: $(cat "$T/emu.body")"
done
oai_expect_empty_plan
