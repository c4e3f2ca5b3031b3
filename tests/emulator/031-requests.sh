# 031-requests: bad requests get the service's errors and never hurt the
# emulator: missing api-version, bad JSON, bad names and kinds, huge bodies;
# paging with top/skip/maxpagesize/nextLink; the 500-project limit.
. ./e2e/lib.sh
emu_start --resource language:east@eastus --rate-limits off --retry-after 0 --job-time all=0
E=$(emu_endpoint east)
K="Ocp-Apim-Subscription-Key: $(emu_key east)"
API=$E/language/authoring/analyze-conversations/projects
V=api-version=2023-04-01
req() { emu_curl -o "$T/body" -w '%{http_code}' -H "$K" "$@"; }
want() { # want STATUS CODE CURL-ARGS...
	s=$1 c=$2
	shift 2
	got=$(req "$@")
	[ "$got" = "$s" ] || fail "$*: HTTP $got, want $s: $(cat "$T/body")"
	[ -z "$c" ] || jq -e --arg c "$c" '.error.code == $c and (.error.message | length > 0)' "$T/body" > /dev/null ||
	    fail "$*: body $(cat "$T/body"), want code $c"
}

want 400 InvalidRequest "$API"
want 400 InvalidRequest "$API?api-version=2099-01-01"
want 400 InvalidRequest "$E/language/authoring/analyze-text/projects?api-version=2025-11-01"
want 404 ProjectNotFound "$API/nothere?$V"
want 404 NotFound "$E/language/elsewhere?$V"
st=$(emu_curl -o "$T/body" -w '%{http_code}' -H "Ocp-Apim-Subscription-Key: wrong" "$API?$V")
[ "$st" = 401 ] && jq -e '.error.code == "Unauthorized"' "$T/body" > /dev/null || fail "wrong key: $st"
st=$(emu_curl -o "$T/body" -w '%{http_code}' "$API?$V")
[ "$st" = 401 ] && jq -e '.error.code' "$T/body" > /dev/null || fail "no key: $st"
want 400 InvalidRequestBodyFormat -X POST -H 'Content-Type: application/json' -d '{"projectFileVersion":' "$API/p/:import?$V"
want 400 InvalidRequestBodyFormat -X POST -H 'Content-Type: application/json' -d '[1,2]' "$API/p/:import?$V"
want 400 InvalidRequest -X POST -H 'Content-Type: application/json' "$API/p/:import?$V"
want 400 InvalidArgument -X POST -H 'Content-Type: application/json' --data-binary "@$FIXTURES/projects/clu-travel.json" "$API/bad%20name/:import?$V"
want 400 InvalidArgument -X POST -H 'Content-Type: application/json' --data-binary "@$FIXTURES/projects/text-ner.json" "$API/p/:import?$V"
jq '.assets.utterances[0].intent = "Nope"' "$FIXTURES/projects/clu-travel.json" > "$T/bad.json"
want 400 InvalidArgument -X POST -H 'Content-Type: application/json' --data-binary "@$T/bad.json" "$API/p/:import?$V"
grep -q 'utterances\[0\].intent' "$T/body" || fail "error does not name the JSON path: $(cat "$T/body")"
jq '.assets.utterances[0].entities[0].length = 99' "$FIXTURES/projects/clu-travel.json" > "$T/bad.json"
want 400 InvalidArgument -X POST -H 'Content-Type: application/json' --data-binary "@$T/bad.json" "$API/p/:import?$V"
jq '.metadata.projectKind = "conversation" | .assets.projectKind = "CONVERSATION"' "$FIXTURES/projects/clu-travel.json" > "$T/lower.json"
want 202 "" -X POST -H 'Content-Type: application/json' --data-binary "@$T/lower.json" "$API/Lower/:import?$V"
want 200 "" "$API/Lower?$V"
jq -e '.projectKind == "Conversation"' "$T/body" > /dev/null || fail "kind not canonical: $(cat "$T/body")"
want 400 InvalidArgument -X POST "$API/Lower/:export?$V"
want 400 InvalidArgument -X POST -H 'Content-Type: application/json' -d '{"modelLabel":"has space","trainingMode":"standard"}' "$API/Lower/:train?$V"
want 400 InvalidArgument -X POST -H 'Content-Type: application/json' -d '{"modelLabel":"m","trainingMode":"turbo"}' "$API/Lower/:train?$V"
want 400 InvalidArgument -X POST -H 'Content-Type: application/json' -d '{"modelLabel":"m","trainingMode":"standard","trainingConfigVersion":"1999-01-01"}' "$API/Lower/:train?$V"
want 400 InvalidArgument "$API/global/training-config-versions?$V"
want 200 "" "$API/global/training-config-versions?$V&projectKind=Conversation"
jq -e '.value | map(.trainingConfigVersion) | index("2022-09-01") != null' "$T/body" > /dev/null || fail "config versions: $(cat "$T/body")"
echo "ok 1 - error statuses and bodies"

# a body over 64 MiB is refused with 413, and the emulator carries on
head -c $((64 * 1024 * 1024 + 1)) /dev/zero > "$T/big"
want 413 "" -X POST -H 'Content-Type: application/json' --data-binary "@$T/big" "$API/p/:import?$V"
rm -f "$T/big"
want 200 "" "$API?$V"
echo "ok 2 - 413 for huge bodies"

# a slow upload occupies only its own connection
head -c 40000 /dev/zero > "$T/slow"
emu_curl --max-time 20 --limit-rate 10k -o /dev/null -X POST -H "$K" -H 'Content-Type: application/json' \
    --data-binary "@$T/slow" "$API/p/:import?$V" &
slow=$!
sleep 0.3
t=$(emu_curl -o /dev/null -w '%{http_code} %{time_total}' -H "$K" "$API?$V")
[ "${t%% *}" = 200 ] || fail "during a slow upload: $t"
awk -v t="${t#* }" 'BEGIN { exit !(t < 1) }' || fail "blocked by a slow upload: $t"
wait $slow
echo "ok 2b - slow requests do not block others"

# paging: 12 projects, pages of 5, nextLink absolute with api-version
: > "$T/curl.cfg"
for i in $(seq -w 1 12); do
	printf 'url = "%s/p%s?%s"\nrequest = "PATCH"\nheader = "%s"\nheader = "Content-Type: application/merge-patch+json"\ndata = "{\\"projectName\\":\\"p%s\\",\\"projectKind\\":\\"Conversation\\",\\"language\\":\\"en\\"}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' \
	    "$API" "$i" "$V" "$K" "$i" >> "$T/curl.cfg"
done
emu_curl -K "$T/curl.cfg" > "$T/codes"
[ "$(sort -u "$T/codes")" = 201 ] || fail "PATCH create: $(sort "$T/codes" | uniq -c)"
want 200 "" "$API?$V&maxpagesize=5"
jq -e '.value | length == 5' "$T/body" > /dev/null || fail "page 1"
next=$(jq -r .nextLink "$T/body")
case $next in "$API?$V&skip=5&maxpagesize=5") ;; *) fail "nextLink $next" ;; esac
names=$(jq -r '.value[].projectName' "$T/body")
while [ "$next" != null ]; do
	want 200 "" "$next"
	names="$names $(jq -r '.value[].projectName' "$T/body")"
	next=$(jq -r .nextLink "$T/body")
done
[ "$(echo $names | wc -w)" = 13 ] || fail "paged names: $names"
want 200 "" "$API?$V&top=3&skip=2"
jq -e '(.value | length) == 3 and .nextLink == null' "$T/body" > /dev/null || fail "top/skip: $(cat "$T/body")"
want 400 InvalidArgument "$API?$V&top=-1"
echo "ok 3 - paging"

# 500 projects per resource: 487 more, then the 501st is refused
: > "$T/curl.cfg"
for i in $(seq 13 499); do
	printf 'url = "%s/q%s?%s"\nrequest = "PATCH"\nheader = "%s"\nheader = "Content-Type: application/merge-patch+json"\ndata = "{\\"projectName\\":\\"q%s\\",\\"projectKind\\":\\"Conversation\\",\\"language\\":\\"en\\"}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' \
	    "$API" "$i" "$V" "$K" "$i" >> "$T/curl.cfg"
done
emu_curl -K "$T/curl.cfg" > "$T/codes"
[ "$(sort -u "$T/codes")" = 201 ] || fail "PATCH create: $(sort "$T/codes" | uniq -c)"
want 409 QuotaExceeded -X PATCH -H 'Content-Type: application/merge-patch+json' \
    -d '{"projectName":"last","projectKind":"Conversation","language":"en"}' "$API/last?$V"
want 200 "" -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"description":"x"}' "$API/p01?$V"
echo "ok 4 - 500 projects per resource"

# the default client of the token endpoint
st=$(emu_curl -o "$T/tok.json" -w '%{http_code}' "$(jq -r .token_endpoint "$T/endpoints.json")" \
    -d grant_type=client_credentials -d client_id=emulator-client -d client_secret=emulator-secret \
    --data-urlencode scope=https://cognitiveservices.azure.com/.default)
[ "$st" = 200 ] || fail "default client: $st"
st=$(emu_curl -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(jq -r .access_token "$T/tok.json")" "$API?$V")
[ "$st" = 200 ] || fail "default client's token: $st"
echo "ok 5 - default token client"

# SIGTERM stops it cleanly
kill -TERM "$EMU_PID"
wait "$EMU_PID"
rc=$?
[ $rc = 0 ] || fail "exit status $rc after SIGTERM"
echo "ok 6 - clean shutdown on SIGTERM"
