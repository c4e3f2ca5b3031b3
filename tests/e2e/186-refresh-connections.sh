# 186-refresh-connections: settings.connections_per_host caps the requests
# in flight to one endpoint.  With every request held 150 ms and one
# connection, no two answers come closer than that; with the default 32,
# the models and deployments of six projects are read side by side.
. ./e2e/lib.sh
. ./e2e/config.sh
emu_start --resource language:east@eastus --rate-limits off \
    --job-time all=10ms
for p in P1 P2 P3 P4 P5 P6; do
	emu_seed_project east "$p" "$FIXTURES/projects/clu-travel.json"
done
emu_ctl POST /faults '{"action":"delay","ms":150}' > /dev/null

# gaps: the smallest gap, in ms, between answers to east's requests.
gaps() {
	emu_requests east | jq -r '.[].time' | python3 -c '
import sys, datetime
t = sorted(datetime.datetime.strptime(l.strip()[:26], "%Y-%m-%dT%H:%M:%S.%f").timestamp()
           for l in sys.stdin if l.strip())
print(int(min(b - a for a, b in zip(t, t[1:])) * 1000) if len(t) > 1 else -1)'
}

echo 'settings: { connections_per_host: 1 }' > "$T/settings"
emu_config "$T/standby.yaml" east < "$T/settings"
emu_ctl DELETE /requests > /dev/null
sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'east: 6 projects'
g=$(gaps)
[ "$g" -ge 140 ] || fail "one connection, yet answers $g ms apart"
echo "ok 1 - one connection: one request at a time ($g ms apart at least)"

emu_config "$T/standby.yaml" east < /dev/null
emu_ctl DELETE /requests > /dev/null
sb refresh -f "$T/standby.yaml"
expect_exit 0
g=$(gaps)
[ "$g" -lt 100 ] || fail "the default, yet answers at least $g ms apart"
echo "ok 2 - the default: requests side by side"
