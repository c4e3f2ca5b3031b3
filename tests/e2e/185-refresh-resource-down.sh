# 185-refresh-resource-down: a resource that refuses connections is
# reported with the time of the last good read; its cached rows are kept
# (never deleted), the others are refreshed; when it is back, it is fresh.
. ./e2e/lib.sh
. ./e2e/config.sh
emu_start --resource language:east@eastus --resource language:west@westus2 \
    --rate-limits off --job-time all=20ms
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_seed_project west TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_config "$T/standby.yaml" east west <<'YAML'
settings:
  timeouts: { connect: 2s, request: 5s }
YAML
sb refresh -f "$T/standby.yaml"
expect_exit 0

emu_ctl POST /resources/west/down > /dev/null
emu_seed_project east Second "$FIXTURES/projects/clu-travel.json"
sb refresh -f "$T/standby.yaml"
expect_exit 1
expect_stdout_contains 'west: could not be read'
expect_stdout_contains 'cached state kept from the last good read (20'
expect_stdout_contains 'east: 2 projects'
expect_stdout_contains '+ project east/Second'
expect_stdout_lacks '- project west/TravelAgent'
sb state list -f "$T/standby.yaml"
expect_stdout_contains 'west/TravelAgent'

emu_ctl POST /resources/west/up > /dev/null
sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'west: 1 project'
