# 182-refresh-paging: a resource with more projects than one page holds
# (the emulator's page is 50) is read whole by following nextLink.
. ./e2e/lib.sh
. ./e2e/config.sh
emu_start --resource language:east@eastus --rate-limits off \
    --job-time all=10ms
for i in $(seq 1 53); do
	jq --arg n "P$i" '.metadata.projectName = $n' \
	    "$FIXTURES/projects/clu-travel.json" > "$T/p.json"
	emu_seed_project east "P$i" "$T/p.json"
done
emu_config "$T/standby.yaml" east < /dev/null
sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'east: 53 projects'
n=$(emu_requests east | jq '[.[] | select(.method == "GET" and
    (.path | endswith("/analyze-conversations/projects")))] | length')
[ "$n" = 2 ] || fail "want 2 pages of conversation projects, got $n"
