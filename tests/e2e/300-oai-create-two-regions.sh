# 300-oai-create-two-regions: a deployment declared on two accounts is
# created in both regions, with exactly the fields standby.yaml sets; the
# journal records the operation; afterwards plan is empty and a second
# apply changes nothing.
. ./e2e/lib.sh
. ./e2e/oai_lib.sh
. ./e2e/oai_apply_lib.sh
oai_setup
oai_apply_config <<YAML
openai:
  chat:
    model: { name: gpt-4o, version: "2024-08-06" }
    sku: { name: GlobalStandard, capacity: 20 }
    version_upgrade: NoAutoUpgrade
    accounts: [east, west]
YAML
run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains 'openai_create:chat@east: done'
expect_stdout_contains 'openai_create:chat@west: done'
expect_stdout_contains 'Apply complete: 2 succeeded, 0 failed'
for a in east west; do
	oai_deployment $a chat | jq -e '.properties.provisioningState == "Succeeded" and
	    .sku.name == "GlobalStandard" and .sku.capacity == 20 and
	    .properties.model.name == "gpt-4o" and .properties.model.version == "2024-08-06" and
	    .properties.versionUpgradeOption == "NoAutoUpgrade"' > /dev/null ||
	    fail "deployment on $a: $(cat "$T/emu.body")"
	[ "$(oai_writes $a | grep -c 'PUT .*/deployments/chat$')" = 1 ] ||
	    fail "PUTs on $a: $(oai_writes $a)"
done
# the journal has the operation (Azure-AsyncOperation) and the outcome
sqlite3 "$T/.standby/state.db" "SELECT action, status, job_url FROM actions" > "$T/journal"
grep -q '^openai_create:chat@west|succeeded|async PUT http.*/deployments/chat?api-version=.* http.*operationStatuses' "$T/journal" ||
    fail "journal: $(cat "$T/journal")"
oai_expect_empty_plan
