# 030-limits: the service's limits: 429 pacing with Retry-After, one
# training job per project (409), 10 models and 10 deployments per project,
# deploying an unknown model, orchestration targets that must exist.
. ./e2e/lib.sh
emu_start --resource language:east@eastus --resource language:west@westus2 \
    --rate-limit-post 3 --rate-limit-get 5 --retry-after 0
E=$(emu_endpoint east)
K="Ocp-Apim-Subscription-Key: $(emu_key east)"
API=$E/language/authoring/analyze-conversations/projects
V=api-version=2023-04-01

# GET limit 5 per minute: the 6th is 429 with Retry-After
for i in 1 2 3 4 5; do
	st=$(emu_curl -o /dev/null -w '%{http_code}' -H "$K" "$API?$V")
	[ "$st" = 200 ] || fail "GET $i: $st"
done
st=$(emu_curl -o "$T/body" -D "$T/hdr" -w '%{http_code}' -H "$K" "$API?$V")
[ "$st" = 429 ] || fail "6th GET: $st"
ra=$(tr -d '\r' < "$T/hdr" | awk -F': ' 'tolower($1)=="retry-after"{print $2}')
[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 60 ] || fail "Retry-After '$ra'"
jq -e '.error.code == "TooManyRequests"' "$T/body" > /dev/null || fail "429 body: $(cat "$T/body")"
# POSTs have their own budget; another resource has its own
for i in 1 2 3; do
	st=$(emu_curl -o /dev/null -w '%{http_code}' -X POST -H "$K" "$API/nope/:export?$V&stringIndexType=Utf16CodeUnit")
	[ "$st" = 404 ] || fail "POST $i: $st"
done
st=$(emu_curl -o /dev/null -w '%{http_code}' -X POST -H "$K" "$API/nope/:export?$V&stringIndexType=Utf16CodeUnit")
[ "$st" = 429 ] || fail "4th POST: $st"
st=$(emu_curl -o /dev/null -w '%{http_code}' -H "Ocp-Apim-Subscription-Key: $(emu_key west)" \
    "$(emu_endpoint west)/language/authoring/analyze-text/projects?$V")
[ "$st" = 200 ] || fail "west was throttled by east's requests: $st"
echo "ok 1 - 429 with Retry-After per resource and method"

# the control API switches limits off
emu_ctl PUT /rate-limits '{"enabled":false}' > /dev/null
emu_ctl POST /job-time '{"all":"0","train":"manual:1"}' > /dev/null
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"

# one training job per project at a time
printf '{"modelLabel":"m0","trainingMode":"standard"}' > "$T/t.json"
emu_call east POST "$API/TravelAgent/:train?$V" "$T/t.json" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "train: $(cat "$T/emu.status")"
first=$(emu_oploc)
emu_call east POST "$API/TravelAgent/:train?$V" "$T/t.json" > /dev/null
[ "$(cat "$T/emu.status")" = 409 ] || fail "concurrent train: HTTP $(cat "$T/emu.status")"
jq -e '.error.code == "Conflict"' "$T/emu.body" > /dev/null || fail "409 body"
emu_wait_job east "$first" > /dev/null
emu_call east POST "$API/TravelAgent/:train?$V" "$T/t.json" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "train after the first ended: $(cat "$T/emu.status")"
emu_wait_job east "$(emu_oploc)" > /dev/null
echo "ok 2 - 409 on concurrent training"

# 10 trained models per project
emu_ctl POST /job-time '{"train":"0"}' > /dev/null
for i in 1 2 3 4 5 6 7 8 9; do emu_train east TravelAgent "m$i"; done
emu_call east GET "$API/TravelAgent/models?$V" | jq -e '.value | length == 10' > /dev/null || fail "10 models"
printf '{"modelLabel":"m10","trainingMode":"standard"}' > "$T/t.json"
emu_call east POST "$API/TravelAgent/:train?$V" "$T/t.json" > /dev/null
[ "$(cat "$T/emu.status")" = 409 ] || fail "11th model: HTTP $(cat "$T/emu.status")"
emu_train east TravelAgent m9 # retraining a label is fine
emu_call east DELETE "$API/TravelAgent/models/m9?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 204 ] || fail "delete model: $(cat "$T/emu.status")"
emu_train east TravelAgent m10
echo "ok 3 - 10 models per project"

# deploying an unknown label fails; 10 deployments per project
printf '{"trainedModelLabel":"ghost"}' > "$T/d.json"
emu_call east PUT "$API/TravelAgent/deployments/prod?$V" "$T/d.json" > /dev/null
[ "$(cat "$T/emu.status")" = 404 ] || fail "deploy unknown model: HTTP $(cat "$T/emu.status")"
for i in 0 1 2 3 4 5 6 7 8 9; do emu_deploy east TravelAgent "d$i" "m$((i % 3 + 1))"; done
printf '{"trainedModelLabel":"m1"}' > "$T/d.json"
emu_call east PUT "$API/TravelAgent/deployments/d10?$V" "$T/d.json" > /dev/null
[ "$(cat "$T/emu.status")" = 409 ] || fail "11th deployment: HTTP $(cat "$T/emu.status")"
# swap exchanges the models of two deployments
a=$(emu_call east GET "$API/TravelAgent/deployments/d0?$V" | jq -r .modelId)
b=$(emu_call east GET "$API/TravelAgent/deployments/d1?$V" | jq -r .modelId)
printf '{"firstDeploymentName":"d0","secondDeploymentName":"d1"}' > "$T/s.json"
emu_call east POST "$API/TravelAgent/deployments/:swap?$V" "$T/s.json" > /dev/null
case $(emu_oploc) in */TravelAgent/deployments/swap/jobs/*) ;; *) fail "swap job URL" ;; esac
emu_wait_job east "$(emu_oploc)" > /dev/null
[ "$(emu_call east GET "$API/TravelAgent/deployments/d0?$V" | jq -r .modelId)" = "$b" ] || fail "swap d0"
[ "$(emu_call east GET "$API/TravelAgent/deployments/d1?$V" | jq -r .modelId)" = "$a" ] || fail "swap d1"
# deleting a deployment is a job
emu_call east DELETE "$API/TravelAgent/deployments/d9?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "delete deployment: $(cat "$T/emu.status")"
emu_wait_job east "$(emu_oploc)" > /dev/null
emu_call east GET "$API/TravelAgent/deployments/d9?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 404 ] || fail "deleted deployment still there"
echo "ok 4 - deployments: unknown model, limit, swap, delete"

# orchestration: training fails while its target is missing on that resource
W=$(emu_endpoint west)
WAPI=$W/language/authoring/analyze-conversations/projects
emu_seed_project west Router "$FIXTURES/projects/orchestration-router.json"
printf '{"modelLabel":"r1","trainingMode":"standard"}' > "$T/t.json"
emu_call west POST "$WAPI/Router/:train?$V" "$T/t.json" > /dev/null
job=$(emu_oploc)
for i in 1 2 3 4 5; do emu_call west GET "$job" > /dev/null; done
jq -e '.status == "failed" and (.errors[0].message | contains("TravelAgent"))' "$T/emu.body" > /dev/null ||
    fail "orchestration train without target: $(cat "$T/emu.body")"
emu_seed_project west TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_train west TravelAgent v1
emu_call west POST "$WAPI/Router/:train?$V" "$T/t.json" > /dev/null
job=$(emu_oploc)
for i in 1 2 3 4 5; do emu_call west GET "$job" > /dev/null; done
jq -e '.status == "failed" and (.errors[0].message | contains("production"))' "$T/emu.body" > /dev/null ||
    fail "orchestration train without target deployment: $(cat "$T/emu.body")"
emu_deploy west TravelAgent production v1
emu_train west Router r1
emu_deploy west Router live r1
echo "ok 5 - orchestration needs its targets on the same resource"

# project deletion is a job on global/deletion-jobs
emu_call west DELETE "$WAPI/Router?$V" > /dev/null
case $(emu_oploc) in "$WAPI/global/deletion-jobs/"*) ;; *) fail "deletion job URL $(emu_oploc)" ;; esac
emu_wait_job west "$(emu_oploc)" > /dev/null
emu_call west GET "$WAPI/Router?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 404 ] || fail "deleted project still there"
echo "ok 6 - delete project"
emu_stop
