# 183-refresh-retries: refresh survives what the network does to GETs: a
# 429 with Retry-After (and waits it), a burst of 5xx, a connection closed
# without a response, a truncated body.  Each fault fires, and the refresh
# still stores everything.
. ./e2e/lib.sh
. ./e2e/config.sh
emu_start --resource language:east@eastus --rate-limits off \
    --job-time all=20ms --retry-after 0
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_config "$T/standby.yaml" east < /dev/null
P='/analyze-conversations/projects$'

try() { # try NAME RULE: the rule fires once or more, refresh still works
	emu_ctl DELETE /faults > /dev/null
	emu_ctl DELETE /requests > /dev/null 2>&1 || true
	emu_ctl POST /faults "$2" > /dev/null
	sb -v refresh -f "$T/standby.yaml"
	expect_exit 0
	expect_stdout_contains 'east: 1 project'
	emu_ctl GET /faults | jq -e '.[0].applied >= 1' > /dev/null ||
	    fail "$1: the fault never fired"
	echo "ok - $1"
}

try "429 with Retry-After" '{"action":"status","status":429,"method":"GET","path":"'"$P"'","count":1,
    "headers":{"Retry-After":"1"},"body":{"error":{"code":"TooManyRequests","message":"slow down"}}}'
# The retry came no sooner than Retry-After said.
emu_requests east | jq -r '[.[] | select(.path | test("'"$P"'"))] | .[0:2] |
    map(.time | capture("T(?<h>..):(?<m>..):(?<s>[0-9.]+)") |
	(.h | tonumber) * 3600 + (.m | tonumber) * 60 + (.s | tonumber)) |
    @tsv' > "$T/times"
awk -F'\t' '{ if ($2 - $1 < 0.95) { print "retried after " $2 - $1 " s"; exit 1 } }' "$T/times" ||
    fail "Retry-After not honoured: $(cat "$T/times")"

try "5xx burst" '{"action":"status","status":503,"method":"GET","path":"'"$P"'","count":3,
    "body":{"error":{"code":"ServiceUnavailable","message":"busy"}}}'
try "closed without a response" '{"action":"close","method":"GET","path":"'"$P"'","count":1}'
try "truncated body" '{"action":"truncate","bytes":10,"method":"GET","path":"'"$P"'","count":1}'
