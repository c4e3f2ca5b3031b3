# 303-oai-delete-prune: a deployment dropped from standby.yaml is deleted
# only with --prune (deletes first in the plan), through its async
# operation; a protected one is kept; without --prune nothing is deleted.
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
  old:
    model: { name: gpt-4o-mini, version: "2024-07-18" }
    sku: { name: GlobalStandard, capacity: 10 }
    accounts: [east, west]
YAML
run standby apply -f "$CFG" --auto-approve
expect_exit 0
# "old" is no longer wanted
oai_apply_config <<YAML
openai:
  chat:
    model: { name: gpt-4o, version: "2024-08-06" }
    sku: { name: GlobalStandard, capacity: 10 }
    accounts: [east, west]
YAML
emu_ctl DELETE /requests > /dev/null
run standby apply -f "$CFG" --auto-approve
expect_exit 0
[ -z "$(oai_writes)" ] || fail "deleted without --prune: $(oai_writes)"
run standby apply -f "$CFG" --auto-approve --prune
expect_exit 0
expect_stdout_contains 'openai_delete:old@east: done'
expect_stdout_contains 'openai_delete:old@west: done'
for a in east west; do
	[ "$(oai_writes $a)" = "DELETE $(emu_account_id $a)/deployments/old" ] || fail "writes on $a: $(oai_writes $a)"
	oai_deployment $a old > /dev/null
	[ "$(cat "$T/emu.status")" = 404 ] || fail "old still on $a"
	oai_deployment $a chat | jq -e '.properties.provisioningState == "Succeeded"' > /dev/null || fail "chat gone on $a"
done
run standby plan -f "$CFG" --prune --detailed-exitcode
expect_exit 0
