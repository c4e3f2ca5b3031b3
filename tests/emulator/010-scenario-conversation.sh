# 010-scenario-conversation: the CLU fail-over guide step by step with curl:
# export from the primary, poll, get the result, import into the secondary,
# poll, train, poll, deploy, poll, get the project details.
. ./e2e/lib.sh
emu_start --resource language:primary@eastus \
    --resource language:secondary@westus2 --rate-limits off --retry-after 0

P=$(emu_endpoint primary)
S=$(emu_endpoint secondary)
API=language/authoring/analyze-conversations/projects
V=api-version=2023-04-01
emu_seed_project primary TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_train primary TravelAgent v1
emu_deploy primary TravelAgent production v1

# Export
emu_call primary POST "$P/$API/TravelAgent/:export?$V&stringIndexType=Utf16CodeUnit" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "export: HTTP $(cat "$T/emu.status")"
[ ! -s "$T/emu.body" ] || fail "a 202 has an empty body"
job=$(emu_oploc)
case $job in
"$P/$API/TravelAgent/export/jobs/"*"?$V") ;;
*) fail "operation-location '$job' is not an absolute export job URL" ;;
esac
# Retry-After while the job is not finished (default --retry-after is 0 here)
emu_call primary GET "$job" > /dev/null
if [ "$(jq -r .status "$T/emu.body")" != succeeded ]; then
	tr -d '\r' < "$T/emu.h" | grep -qi '^retry-after: 0' || fail "no Retry-After on a running job"
fi
emu_wait_job primary "$job" > "$T/export-job.json"
result=$(jq -r .resultUrl "$T/export-job.json")
case $result in
"$P/$API/TravelAgent/export/jobs/"*"/result?$V") ;;
*) fail "resultUrl '$result'" ;;
esac
jq -e '.jobId and .createdDateTime and .lastUpdatedDateTime and .expirationDateTime' "$T/export-job.json" > /dev/null || fail "job state lacks fields"
emu_call primary GET "$result" > "$T/exported.json"
[ "$(cat "$T/emu.status")" = 200 ] || fail "result: HTTP $(cat "$T/emu.status")"
jq -e '.projectFileVersion == "2023-04-01" and .stringIndexType == "Utf16CodeUnit"
    and .metadata.projectName == "TravelAgent" and .metadata.projectKind == "Conversation"
    and .assets.projectKind == "Conversation" and (.assets.utterances | length) == 4
    and .assets.entities[0].list.sublists[0].listKey == "Paris"' "$T/exported.json" > /dev/null ||
    fail "exported document: $(cat "$T/exported.json")"

# Import into the secondary
emu_call secondary POST "$S/$API/TravelAgent/:import?$V" "$T/exported.json" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "import: HTTP $(cat "$T/emu.status") $(cat "$T/emu.body")"
emu_wait_job secondary "$(emu_oploc)" > /dev/null
emu_call secondary GET "$S/$API/TravelAgent?$V" > "$T/p1.json"
jq -e '.projectKind == "Conversation" and .language == "en-us" and .settings.confidenceThreshold == 0.7
    and (has("lastTrainedDateTime") | not)' "$T/p1.json" > /dev/null || fail "imported project: $(cat "$T/p1.json")"

# Train; percentComplete advances and the job names the model
printf '{"modelLabel":"v1","trainingMode":"standard","trainingConfigVersion":"latest","evaluationOptions":{"kind":"percentage","trainingSplitPercentage":80,"testingSplitPercentage":20}}' > "$T/train.json"
emu_ctl POST /job-time '{"train":"manual:1"}' > /dev/null
emu_call secondary POST "$S/$API/TravelAgent/:train?$V" "$T/train.json" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "train: HTTP $(cat "$T/emu.status") $(cat "$T/emu.body")"
tj=$(emu_oploc)
case $tj in "$S/$API/TravelAgent/train/jobs/"*) ;; *) fail "train job URL $tj" ;; esac
last=-1
for i in 1 2 3 4; do
	emu_call secondary GET "$tj" > "$T/tj.json"
	st=$(jq -r .status "$T/tj.json")
	pc=$(jq -r .result.trainingStatus.percentComplete "$T/tj.json")
	[ "$pc" -ge "$last" ] || fail "percentComplete went back: $pc < $last"
	last=$pc
	[ "$st" = succeeded ] && break
done
[ "$st" = succeeded ] || fail "training not done after 4 manual polls: $(cat "$T/tj.json")"
jq -e '.result.modelLabel == "v1" and .result.trainingConfigVersion == "2022-09-01"
    and .result.trainingMode == "standard" and .result.trainingStatus.percentComplete == 100
    and .result.evaluationStatus.status == "succeeded"' "$T/tj.json" > /dev/null || fail "train job: $(cat "$T/tj.json")"
emu_call secondary GET "$S/$API/TravelAgent/models/v1?$V" > "$T/model.json"
jq -e '.label == "v1" and (.modelId | test("^v1-[0-9]{8}T[0-9]{6}-[0-9a-f]{32}$"))
    and (.modelExpirationDate | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")) and .modelTrainingConfigVersion == "2022-09-01"
    and .hasSnapshot == true' "$T/model.json" > /dev/null || fail "model: $(cat "$T/model.json")"
pm=$(emu_call primary GET "$P/$API/TravelAgent/models/v1?$V" | jq -r .modelId)
[ "$pm" != "$(jq -r .modelId "$T/model.json")" ] || fail "modelId is not fresh"

# Deploy
printf '{"trainedModelLabel":"v1"}' > "$T/deploy.json"
emu_call secondary PUT "$S/$API/TravelAgent/deployments/production?$V" "$T/deploy.json" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "deploy: HTTP $(cat "$T/emu.status")"
case $(emu_oploc) in "$S/$API/TravelAgent/deployments/production/jobs/"*) ;; *) fail "deploy job URL" ;; esac
emu_wait_job secondary "$(emu_oploc)" > /dev/null
emu_call secondary GET "$S/$API/TravelAgent/deployments/production?$V" > "$T/dep.json"
jq -e --slurpfile m "$T/model.json" '.deploymentName == "production" and .modelId == $m[0].modelId
    and .modelTrainingConfigVersion == "2022-09-01" and (.deploymentExpirationDate | test("^[0-9-]{10}$"))
    and .lastDeployedDateTime' "$T/dep.json" > /dev/null || fail "deployment: $(cat "$T/dep.json")"

# Project details: the timestamps moved as the reference says
emu_call secondary GET "$S/$API/TravelAgent?$V" > "$T/p2.json"
jq -e --slurpfile a "$T/p1.json" '.lastModifiedDateTime == $a[0].lastModifiedDateTime
    and .lastTrainedDateTime and .lastDeployedDateTime and .createdDateTime == $a[0].createdDateTime' \
    "$T/p2.json" > /dev/null || fail "project after train+deploy: $(cat "$T/p2.json")"
emu_call secondary GET "$S/$API?$V" > "$T/list.json"
jq -e '.value | length == 1' "$T/list.json" > /dev/null || fail "list: $(cat "$T/list.json")"
# Text projects are not in the conversations list and vice versa
emu_call secondary GET "$S/language/authoring/analyze-text/projects?$V" > "$T/tl.json"
jq -e '.value == [] and .nextLink == null' "$T/tl.json" > /dev/null || fail "text list: $(cat "$T/tl.json")"
echo "ok 1 - conversation project replicated by the guide's steps"
emu_stop
