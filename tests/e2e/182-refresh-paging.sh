# 182-refresh-paging: a resource with more projects than one page holds
# (the emulator's page is 50) is read whole by following nextLink, and the
# projects of the first page are read while the second page comes.
. ./e2e/lib.sh
. ./e2e/config.sh
emu_start --resource language:east@eastus --rate-limits off \
    --job-time all=10ms
for i in $(seq 1 53); do
	jq --arg n "P$i" '.metadata.projectName = $n' \
	    "$FIXTURES/projects/clu-travel.json" > "$T/p.json"
	emu_seed_project east "P$i" "$T/p.json"
done
# The default 100 GETs a minute would hold the last reads back a minute.
echo 'settings: { rate_limits: { get_per_minute: 10000 } }' > "$T/settings"
emu_config "$T/standby.yaml" east < "$T/settings"
sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'east: 53 projects'
n=$(emu_requests east | jq '[.[] | select(.method == "GET" and
    (.path | endswith("/analyze-conversations/projects")))] | length')
[ "$n" = 2 ] || fail "want 2 pages of conversation projects, got $n"
n=$(emu_requests east | jq '[.[] | select(.method == "GET" and
    (.path | test("/projects/P[0-9]+/(models|deployments)$")))] | length')
[ "$n" = 106 ] || fail "want the models and deployments of 53 projects, got $n"

# Pipelined: with the second page slow, the first page's projects are
# read before it arrives.
emu_ctl DELETE /requests > /dev/null
emu_ctl POST /faults '{"action":"delay","ms":800,"method":"GET","path":"/analyze-conversations/projects$","nth":2}' > /dev/null
sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'east: 53 projects'
emu_requests east | jq -r '.[] | select(.method == "GET") | .path' > "$T/order"
page2=$(grep -n '/analyze-conversations/projects$' "$T/order" | sed -n 2p | cut -d: -f1)
reads=$(head -n "$page2" "$T/order" | grep -c '/projects/P[0-9]*/\(models\|deployments\)$')
[ "$reads" = 100 ] || fail "want page 1's 100 reads before page 2 ended, got $reads: $(cat "$T/order")"
