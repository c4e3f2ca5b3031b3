# 180-refresh-three-resources: over HTTPS with keys, refresh reads
# conversation and text projects (with their models and deployments) on
# three resources into the state file, then reports only what changed.
. ./e2e/lib.sh
. ./e2e/config.sh
emu_start --tls --resource language:east@eastus \
    --resource language:west@westus2 --resource language:docs@eastus \
    --rate-limits off --job-time all=50ms
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_train east TravelAgent v1
emu_deploy east TravelAgent production v1
emu_seed_project west TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_seed_project docs Contracts "$FIXTURES/projects/text-single.json"
emu_seed_project docs Clauses "$FIXTURES/projects/text-ner.json"
emu_config "$T/standby.yaml" east west docs < /dev/null

sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'east: 1 project'
expect_stdout_contains 'west: 1 project'
expect_stdout_contains 'docs: 2 projects'
expect_stdout_contains '+ project east/TravelAgent'
expect_stdout_contains '+ model east/TravelAgent/v1'
expect_stdout_contains '+ deployment east/TravelAgent/production'
expect_stdout_contains '+ project docs/Contracts'
expect_stdout_contains '+ project docs/Clauses'
[ -f "$T/.standby/state.db" ] || fail "no state file beside the config"

sb state list -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'east/TravelAgent/deployments/production'
expect_stdout_contains 'docs/Clauses'

sb state show -f "$T/standby.yaml" docs/Contracts
expect_exit 0
expect_stdout_contains 'CustomSingleLabelClassification'

# Nothing changed: a second refresh says so.
sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'No changes since the last refresh.'

# A change by hand on west shows up as a modified project.
emu_seed_project west TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_train west TravelAgent v2
sb refresh -f "$T/standby.yaml" --only west
expect_exit 0
expect_stdout_lacks 'east:'
expect_stdout_contains '~ project west/TravelAgent (lastModifiedDateTime'
expect_stdout_contains '+ model west/TravelAgent/v2'

expect_no_keys "$T/.standby/state.db" "$T/.standby/state.db-wal"
