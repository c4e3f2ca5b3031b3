# 302-oai-version-change: the model version changed in standby.yaml: the
# plan shows version_changed, apply PUTs the deployment with the new
# version in both regions (the capacity kept), then nothing is left.
. ./e2e/lib.sh
. ./e2e/oai_lib.sh
. ./e2e/oai_apply_lib.sh
oai_setup
write_cfg() {
	oai_apply_config <<YAML
openai:
  chat:
    model: { name: gpt-4o, version: "$1" }
    sku: { name: GlobalStandard, capacity: 10 }
    accounts: [east, west]
YAML
}
write_cfg 2024-08-06
run standby apply -f "$CFG" --auto-approve
expect_exit 0
write_cfg 2024-11-20
run standby plan -f "$CFG"
expect_exit 0
expect_stdout_contains 'version_changed'
emu_ctl DELETE /requests > /dev/null
run standby apply -f "$CFG" --auto-approve
expect_exit 0
for a in east west; do
	w=$(oai_writes $a)
	[ "$w" = "PUT $(emu_account_id $a)/deployments/chat" ] || fail "writes on $a: $w"
	oai_deployment $a chat | jq -e '.properties.model.version == "2024-11-20" and .sku.capacity == 10' > /dev/null ||
	    fail "deployment on $a: $(cat "$T/emu.body")"
done
oai_expect_empty_plan
