# 020-faults: every fault action of the control API, and how rules match
# (method, path regex, resource, count, nth, probability).
. ./e2e/lib.sh
emu_start --resource language:east@eastus --resource language:west@westus2 \
    --rate-limits off --retry-after 0
E=$(emu_endpoint east)
W=$(emu_endpoint west)
K="Ocp-Apim-Subscription-Key: $(emu_key east)"
LIST="$E/language/authoring/analyze-conversations/projects?api-version=2023-04-01"
code() { emu_curl -o "$T/body" -D "$T/hdr" -w '%{http_code}' -H "$K" "$@"; }

# status + headers + body, first match only (count 1), GET only
emu_ctl POST /faults '{"action":"status","status":503,"method":"GET","path":"/projects$","count":1,
    "headers":{"Retry-After":"7"},"body":{"error":{"code":"ServiceUnavailable","message":"try later"}}}' > "$T/rule.json"
[ "$(jq .id "$T/rule.json")" -ge 1 ] || fail "rule id: $(cat "$T/rule.json")"
[ "$(code -X POST "$E/language/authoring/analyze-conversations/projects/x/:export?api-version=2023-04-01&stringIndexType=Utf16CodeUnit")" = 404 ] ||
    fail "a GET rule hit a POST"
[ "$(code "$LIST")" = 503 ] || fail "status rule did not fire"
grep -qi '^retry-after: 7' "$T/hdr" || fail "rule header missing"
jq -e '.error.code == "ServiceUnavailable"' "$T/body" > /dev/null || fail "rule body: $(cat "$T/body")"
[ "$(code "$LIST")" = 200 ] || fail "count 1 fired twice"
emu_ctl GET /faults | jq -e '.[0].applied == 1 and .[0].seen == 2' > /dev/null || fail "fault counters"
emu_ctl DELETE /faults > /dev/null
echo "ok 1 - status, headers, body, count, method"

# nth: only the 2nd matching request; resource filter
emu_ctl POST /faults '{"action":"status","status":500,"nth":2,"resource":"east"}' > /dev/null
[ "$(code "$LIST")" = 200 ] || fail "nth 2 fired on 1st"
[ "$(code "$LIST")" = 500 ] || fail "nth 2 did not fire on 2nd"
[ "$(code "$LIST")" = 200 ] || fail "nth 2 fired on 3rd"
[ "$(emu_curl -o /dev/null -w '%{http_code}' -H "Ocp-Apim-Subscription-Key: $(emu_key west)" \
    "$W/language/authoring/analyze-conversations/projects?api-version=2023-04-01")" = 200 ] || fail "resource filter"
emu_ctl DELETE /faults > /dev/null
echo "ok 2 - nth and resource"

# probability 0.5 over 100 requests; removing one rule by id
id=$(emu_ctl POST /faults '{"action":"status","status":502,"probability":0.5}' | jq .id)
n=0
for i in $(seq 100); do [ "$(code "$LIST")" = 502 ] && n=$((n + 1)); done
[ $n -gt 15 ] && [ $n -lt 85 ] || fail "probability 0.5 fired $n times of 100"
emu_ctl DELETE "/faults/$id" > /dev/null
[ "$(code "$LIST")" = 200 ] || fail "deleted rule still fires"
echo "ok 3 - probability, delete by id"

# delay: the request is answered normally, later
emu_ctl POST /faults '{"action":"delay","ms":400,"count":1}' > /dev/null
t=$(emu_curl -o /dev/null -w '%{http_code} %{time_total}' -H "$K" "$LIST")
[ "${t%% *}" = 200 ] || fail "delay: $t"
awk -v t="${t#* }" 'BEGIN { exit !(t >= 0.4) }' || fail "delay too short: $t"
echo "ok 4 - delay"

# truncate: Content-Length promises more than arrives
emu_ctl POST /faults '{"action":"truncate","bytes":5,"count":1}' > /dev/null
emu_curl -o "$T/body" -H "$K" "$LIST" 2> /dev/null
rc=$?
[ $rc = 18 ] || fail "truncate: curl exit $rc, want 18"
[ "$(wc -c < "$T/body")" = 5 ] || fail "truncate: got $(wc -c < "$T/body") bytes"
echo "ok 5 - truncate"

# close without a response
emu_ctl POST /faults '{"action":"close","count":1}' > /dev/null
emu_curl -o /dev/null -H "$K" "$LIST" 2> /dev/null
rc=$?
[ $rc = 52 ] || fail "close: curl exit $rc, want 52 (empty reply)"
echo "ok 6 - close"

# hang: no answer until the client gives up; other requests still served
emu_ctl POST /faults '{"action":"hang","ms":3000,"count":1}' > /dev/null
curl -sS --max-time 0.5 -o /dev/null -H "$K" "$LIST" 2> /dev/null
rc=$?
[ $rc = 28 ] || fail "hang: curl exit $rc, want 28 (timeout)"
[ "$(code "$LIST")" = 200 ] || fail "a hanging request blocked the next one"
echo "ok 7 - hang"

# wrong content type
emu_ctl POST /faults '{"action":"wrong-content-type","count":1}' > /dev/null
[ "$(code "$LIST")" = 200 ] || fail "wrong-content-type status"
grep -qi '^content-type: text/html' "$T/hdr" || fail "content type not changed: $(cat "$T/hdr")"
echo "ok 8 - wrong content type"

# oversized body
emu_ctl POST /faults '{"action":"oversized","bytes":50000000,"count":1}' > /dev/null
emu_curl --max-filesize 1000000 -o /dev/null -H "$K" "$LIST" 2> /dev/null
rc=$?
[ $rc = 63 ] || fail "oversized: curl exit $rc, want 63"
echo "ok 9 - oversized"

# redirect to another listener: its log shows what arrived there, masked
wport=${W##*:}
emu_ctl POST /faults "{\"action\":\"redirect\",\"location\":\"http://localhost:$wport\",\"resource\":\"east\",\"count\":1}" > /dev/null
st=$(code "$LIST")
[ "$st" = 307 ] || fail "redirect: HTTP $st"
grep -qi "^location: http://localhost:$wport/language/authoring/analyze-conversations/projects?api-version=2023-04-01" "$T/hdr" ||
    fail "Location: $(grep -i location "$T/hdr")"
emu_ctl POST /faults "{\"action\":\"redirect\",\"location\":\"http://localhost:$wport\",\"resource\":\"east\",\"count\":1}" > /dev/null
emu_curl -L -o /dev/null -H "$K" -H 'Authorization: Bearer secret-token' -H 'X-Probe: yes' "$LIST"
emu_requests west > "$T/west.json"
jq -e '.[-1].path == "/language/authoring/analyze-conversations/projects" and .[-1].headers["x-probe"] == "yes"
    and .[-1].headers["host"] == "localhost:'"$wport"'" and .[-1].status == 401' "$T/west.json" > /dev/null ||
    fail "west log: $(cat "$T/west.json")"
expect_file_lacks "$T/west.json" "$(emu_key east)"
expect_file_lacks "$T/west.json" secret-token
echo "ok 10 - redirect; the other listener logs the headers that arrived"

# bad rules are refused with a reason
emu_curl -o "$T/body" -w '%{http_code}' -X POST -d '{"action":"status","status":503,"path":"("}' "$EMU_CONTROL/faults" > "$T/st"
[ "$(cat "$T/st")" = 400 ] && grep -q regex "$T/body" || fail "bad regex: $(cat "$T/body")"
emu_curl -o "$T/body" -w '%{http_code}' -X POST -d '{"action":"explode"}' "$EMU_CONTROL/faults" > "$T/st"
[ "$(cat "$T/st")" = 400 ] || fail "unknown action accepted"
echo "ok 11 - bad rules refused"
emu_stop
