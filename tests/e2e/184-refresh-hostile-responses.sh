# 184-refresh-hostile-responses: a hanging response is cut by the request
# timeout and retried; a wrong content type is an error, not JSON read by
# luck; a redirect to another host never carries the key there.  A failed
# read keeps the cached state.
. ./e2e/lib.sh
. ./e2e/config.sh
emu_start --resource language:east@eastus --resource language:west@westus2 \
    --rate-limits off --job-time all=20ms --retry-after 0
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_config "$T/standby.yaml" east west <<'YAML'
settings:
  timeouts: { connect: 2s, request: 2s }
YAML
P='/analyze-conversations/projects$'
sb refresh -f "$T/standby.yaml"
expect_exit 0

# hang: the 2 s timeout fires, the GET is retried and succeeds
emu_ctl POST /faults '{"action":"hang","ms":60000,"method":"GET","path":"'"$P"'","resource":"east","count":1}' > /dev/null
start=$(date +%s)
sb refresh -f "$T/standby.yaml"
took=$(($(date +%s) - start))
expect_exit 0
expect_stdout_contains 'east: 1 project'
[ $took -lt 20 ] || fail "the hang was not cut short (took $took s)"
emu_ctl GET /faults | jq -e '.[0].applied == 1' > /dev/null || fail "hang never fired"
emu_ctl DELETE /faults > /dev/null
echo "ok 1 - hanging response cut by the timeout"

# wrong content type: east fails, its cache is kept and marked stale
emu_ctl POST /faults '{"action":"wrong-content-type","method":"GET","path":"'"$P"'","resource":"east"}' > /dev/null
sb refresh -f "$T/standby.yaml"
expect_exit 1
expect_stdout_contains 'east: could not be read'
expect_stdout_contains 'content type'
expect_stdout_contains 'west: 0 projects'
sb state list -f "$T/standby.yaml"
expect_stdout_contains 'east/TravelAgent'
emu_ctl DELETE /faults > /dev/null
echo "ok 2 - wrong content type is an error; cache kept"

# redirect to another host: the key stays home
wport=$(emu_endpoint west)
wport=${wport##*:}
emu_ctl POST /faults '{"action":"redirect","location":"http://localhost:'"$wport"'","method":"GET","path":"'"$P"'","resource":"east"}' > /dev/null
sb refresh -f "$T/standby.yaml" --only east
expect_exit 1
emu_requests west | jq '[.[] | select(.headers.host == "localhost:'"$wport"'")]' > "$T/there.json"
jq -e 'length >= 1' "$T/there.json" > /dev/null || fail "the redirect was not followed"
jq -e 'all(.[]; .headers["ocp-apim-subscription-key"] == null and .headers.authorization == null)' \
    "$T/there.json" > /dev/null || fail "credentials crossed to another host: $(cat "$T/there.json")"
expect_file_lacks "$T/there.json" "$(emu_key east)"
expect_no_keys
echo "ok 3 - redirect to another host carries no key"
