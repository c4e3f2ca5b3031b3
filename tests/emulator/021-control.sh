# 021-control: reset, request log (secrets masked), resource down and up on
# the same port, job timing (time and manual), clock and expiry dates.
. ./e2e/lib.sh
emu_start --resource language:east@eastus --rate-limits off --retry-after 0 --job-time all=0
E=$(emu_endpoint east)
K="Ocp-Apim-Subscription-Key: $(emu_key east)"
API=$E/language/authoring/analyze-conversations/projects
V=api-version=2023-04-01

emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_requests east > "$T/log.json"
jq -e 'map(select(.method == "POST" and .path == "/language/authoring/analyze-conversations/projects/TravelAgent/:import"))
    | length == 1 and .[0].status == 202 and .[0].query["api-version"] == "2023-04-01"
    and .[0].headers["ocp-apim-subscription-key"] == "***" and (.[0].time | test("Z$"))' "$T/log.json" > /dev/null ||
    fail "request log: $(cat "$T/log.json")"
expect_file_lacks "$T/log.json" "$(emu_key east)"
echo "ok 1 - request log, key masked"

# down: connection refused; up: same port, state kept
emu_ctl POST /resources/east/down > /dev/null
emu_curl -o /dev/null -H "$K" "$API?$V" 2> /dev/null
rc=$?
[ $rc = 7 ] || fail "down: curl exit $rc, want 7 (refused)"
emu_ctl POST /resources/east/up > /dev/null
[ "$(emu_endpoint east)" = "$E" ] || fail "endpoint changed"
emu_call east GET "$API/TravelAgent?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 200 ] || fail "up: HTTP $(cat "$T/emu.status")"
echo "ok 2 - resource down and up"

# manual job timing: one step per 2 polls
emu_ctl POST /job-time '{"export":"manual:2"}' | jq -e '.export == "manual:2"' > /dev/null || fail "job-time reply"
emu_call east POST "$API/TravelAgent/:export?$V&stringIndexType=Utf16CodeUnit" > /dev/null
job=$(emu_oploc)
seq=""
for i in 1 2 3 4 5; do
	emu_call east GET "$job" > /dev/null
	seq="$seq $(jq -r .status "$T/emu.body")"
done
[ "$seq" = " notStarted notStarted running running succeeded" ] || fail "manual steps:$seq"
echo "ok 3 - manual job timing"

# time-based timing: a 2 s import is running at first, then succeeds
emu_ctl POST /job-time '{"import":"2s"}' > /dev/null
emu_call east GET "$API/TravelAgent?$V" | jq -r .lastModifiedDateTime > "$T/m1"
emu_call east POST "$API/TravelAgent/:import?$V" "$FIXTURES/projects/clu-travel.json" > /dev/null
job=$(emu_oploc)
sleep 0.1
emu_call east GET "$job" > /dev/null
[ "$(jq -r .status "$T/emu.body")" = running ] || fail "2 s import at 100 ms: $(cat "$T/emu.body")"
grep -qi '^retry-after:' "$T/emu.h" || fail "no Retry-After on a running job"
emu_wait_job east "$job" > /dev/null
grep -qi '^retry-after:' "$T/emu.h" && fail "Retry-After on a finished job"
emu_call east GET "$API/TravelAgent?$V" | jq -r .lastModifiedDateTime > "$T/m2"
! cmp -s "$T/m1" "$T/m2" || fail "import did not change lastModifiedDateTime"
echo "ok 4 - timed jobs, Retry-After, lastModifiedDateTime on import"

# PATCH changes lastModifiedDateTime too (merge-patch)
printf '{"description":"changed","settings":null}' > "$T/patch.json"
emu_call east PATCH "$API/TravelAgent?$V" "$T/patch.json" > "$T/p.json"
[ "$(cat "$T/emu.status")" = 200 ] || fail "PATCH: HTTP $(cat "$T/emu.status") $(cat "$T/p.json")"
jq -e '.description == "changed" and (has("settings") | not) and .language == "en-us"' "$T/p.json" > /dev/null || fail "merge-patch: $(cat "$T/p.json")"
[ "$(jq -r .lastModifiedDateTime "$T/p.json")" != "$(cat "$T/m2")" ] || fail "PATCH kept lastModifiedDateTime"
emu_curl -o /dev/null -w '%{http_code}' -X PATCH -H "$K" -H 'Content-Type: application/json' -d '{}' "$API/TravelAgent?$V" > "$T/st"
[ "$(cat "$T/st")" = 415 ] || fail "PATCH with application/json: $(cat "$T/st")"
echo "ok 5 - PATCH"

# clock and expiry dates
emu_ctl POST /job-time '{"all":"0"}' > /dev/null
emu_train east TravelAgent v1
emu_deploy east TravelAgent production v1
emu_ctl PUT /resources/east/projects/TravelAgent/deployments/production/expiration '{"date":"2020-01-31"}' > /dev/null
emu_call east GET "$API/TravelAgent/deployments/production?$V" | jq -e '.deploymentExpirationDate == "2020-01-31"' > /dev/null ||
    fail "expiration not set"
emu_ctl PUT /resources/east/projects/TravelAgent/models/v1/expiration '{"date":"2020-01-01"}' > /dev/null
emu_call east GET "$API/TravelAgent/models/v1?$V" | jq -e '.modelExpirationDate == "2020-01-01"' > /dev/null || fail "model expiration"
y1=$(emu_ctl GET /clock | jq -r '.now[0:4]')
emu_ctl POST /clock '{"advance_days":366}' | jq -e '.offset_seconds == 31622400' > /dev/null || fail "clock"
y2=$(emu_ctl GET /clock | jq -r '.now[0:4]')
[ $((y2 - y1)) = 1 ] || fail "clock did not move a year: $y1 -> $y2"
printf '{"modelLabel":"v2","trainingMode":"standard"}' > "$T/t.json"
emu_call east POST "$API/TravelAgent/:train?$V" "$T/t.json" > /dev/null
emu_wait_job east "$(emu_oploc)" | jq -e ".createdDateTime[0:4] == \"$y2\"" > /dev/null || fail "jobs do not use the moved clock"
echo "ok 6 - clock and expiry dates"

# reset: empty again
emu_ctl POST /faults '{"action":"status","status":500}' > /dev/null
emu_ctl POST /reset > /dev/null
emu_call east GET "$API?$V" | jq -e '.value == []' > /dev/null || fail "reset left projects"
emu_ctl GET /faults | jq -e '. == []' > /dev/null || fail "reset left faults"
emu_ctl GET /clock | jq -e '.offset_seconds == 0' > /dev/null || fail "reset left the clock"
echo "ok 7 - reset"

# the request log is a bounded ring
emu_stop
emu_start --resource language:east@eastus --rate-limits off --log-size 5
for i in 1 2 3 4 5 6 7 8; do
	emu_curl -o /dev/null -H "$K" "$(emu_endpoint east)/language/authoring/analyze-text/projects?$V&n=$i"
done
emu_requests east > "$T/log.json"
jq -e 'length == 5 and .[0].query.n == "4" and .[4].query.n == "8"' "$T/log.json" > /dev/null ||
    fail "log ring: $(cat "$T/log.json")"
echo "ok 8 - request log bounded"
emu_stop
