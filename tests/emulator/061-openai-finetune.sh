# 061-openai-finetune: an openai account's data plane: auth (api-key or a
# cognitiveservices token), multipart file upload and processing, fine-tuning
# jobs through their states to a fine-tuned model id, asynchronous
# failures, and deploying that model over ARM on its own account only
# (or elsewhere through model.source).
. ./e2e/lib.sh
emu_start --resource openai:east@eastus --resource openai:west@westus2 \
    --retry-after 0 --job-time file=manual:1 --job-time finetune=manual:1 \
    --job-time deployment=0
E=$(emu_endpoint east)
K="api-key: $(emu_key east)"
V=api-version=2024-10-21

# --- auth
st=$(emu_curl -o "$T/b" -w '%{http_code}' "$E/openai/files?$V")
[ "$st" = 401 ] || fail "no key: $st"
st=$(emu_curl -o "$T/b" -w '%{http_code}' -H "api-key: $(emu_key west)" "$E/openai/files?$V")
[ "$st" = 401 ] || fail "west's key on east: $st"
st=$(emu_curl -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer $(emu_token https://cognitiveservices.azure.com/.default)" "$E/openai/files?$V")
[ "$st" = 200 ] || fail "cognitiveservices token: $st"
st=$(emu_curl -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer $(emu_token)" "$E/openai/files?$V")
[ "$st" = 401 ] || fail "management token on the data plane: $st"
st=$(emu_curl -o "$T/b" -w '%{http_code}' -H "$K" "$E/openai/files")
[ "$st" = 404 ] || fail "no api-version: $st"
echo "ok 1 - data plane auth: api-key or cognitiveservices token"

# --- upload: 201 pending, then processed after polls
i=0
: > "$T/train.jsonl"
while [ $i -lt 10 ]; do
	echo '{"messages":[{"role":"user","content":"hi '$i'"},{"role":"assistant","content":"hello"}]}' >> "$T/train.jsonl"
	i=$((i + 1))
done
upload() {
	emu_curl -D "$T/emu.h" -o "$T/emu.body" -w '%{http_code}' -H "$K" \
	    -F purpose=fine-tune -F "file=@$1" "$E/openai/files?$V" > "$T/emu.status"
	cat "$T/emu.body"
}
upload "$T/train.jsonl" > "$T/f.json"
[ "$(cat "$T/emu.status")" = 201 ] || fail "upload: $(cat "$T/emu.status") $(cat "$T/f.json")"
FILE=$(jq -r .id "$T/f.json")
jq -e --argjson n "$(wc -c < "$T/train.jsonl")" '.status == "pending" and .filename == "train.jsonl" and .bytes == $n and .purpose == "fine-tune" and .object == "file"' "$T/f.json" > /dev/null ||
    fail "file: $(cat "$T/f.json")"
[ "$(emu_header Location)" = "$E/openai/files/$FILE" ] || fail "Location $(emu_header Location)"
job() {
	emu_curl -D "$T/emu.h" -o "$T/emu.body" -w '%{http_code}' -H "$K" \
	    -H 'Content-Type: application/json' --data-binary "$1" "$E/openai/fine_tuning/jobs?$V" > "$T/emu.status"
	cat "$T/emu.body"
}
job '{"model":"gpt-4o-mini-2024-07-18","training_file":"'"$FILE"'"}' > /dev/null
[ "$(cat "$T/emu.status")" = 400 ] && jq -e '.error.code == "unexpectedEntityState"' "$T/emu.body" > /dev/null ||
    fail "job on a pending file: $(cat "$T/emu.status") $(cat "$T/emu.body")"
seq=""
for i in 1 2 3; do
	seq="$seq $(emu_curl -H "$K" "$E/openai/files/$FILE?$V" | jq -r .status)"
done
[ "$seq" = " pending running processed" ] || fail "file states:$seq"
emu_curl -H "$K" "$E/openai/files/$FILE/content?$V" > "$T/back.jsonl"
cmp -s "$T/back.jsonl" "$T/train.jsonl" || fail "content differs"
printf 'not json\n' > "$T/bad.jsonl"
BAD=$(upload "$T/bad.jsonl" | jq -r .id)
for i in 1 2 3; do emu_curl -H "$K" "$E/openai/files/$BAD?$V" > "$T/bad.json"; done
jq -e '.status == "error" and (.status_details | test("Line 1"))' "$T/bad.json" > /dev/null || fail "bad file: $(cat "$T/bad.json")"
echo "ok 2 - multipart upload, processing states, content; a bad JSONL ends in error"

# --- a job: pending, running, succeeded; the model id carries the suffix
job '{"model":"text-embedding-ada-002-2","training_file":"'"$FILE"'"}' > /dev/null
[ "$(cat "$T/emu.status")" = 400 ] || fail "embedding model fine-tuned: $(cat "$T/emu.status")"
job '{"model":"gpt-4o-mini-2024-07-18","training_file":"'"$FILE"'","suffix":"bad suffix!"}' > /dev/null
[ "$(cat "$T/emu.status")" = 400 ] || fail "bad suffix: $(cat "$T/emu.status")"
job '{"model":"gpt-4o-mini-2024-07-18","training_file":"'"$FILE"'","suffix":"travel","seed":42,"hyperparameters":{"n_epochs":2}}' > "$T/j.json"
[ "$(cat "$T/emu.status")" = 201 ] || fail "job: $(cat "$T/emu.status") $(cat "$T/j.json")"
JOB=$(jq -r .id "$T/j.json")
case $JOB in ftjob-????????????????????????????????) ;; *) fail "job id $JOB" ;; esac
[ "$(emu_header Location)" = "$E/openai/fine_tuning/jobs/$JOB" ] || fail "job Location"
jq -e '.status == "pending" and .seed == 42 and .hyperparameters.n_epochs == 2 and (has("fine_tuned_model") | not)' "$T/j.json" > /dev/null ||
    fail "job body: $(cat "$T/j.json")"
seq=""
for i in 1 2 3 4; do
	emu_curl -H "$K" "$E/openai/fine_tuning/jobs/$JOB?$V" > "$T/j.json"
	seq="$seq $(jq -r .status "$T/j.json")"
done
[ "$seq" = " pending running running succeeded" ] || fail "job states:$seq"
FT=$(jq -r .fine_tuned_model "$T/j.json")
echo "$FT" | grep -Eq '^gpt-4o-mini-2024-07-18\.ft-[0-9a-f]{32}-travel$' || fail "fine_tuned_model '$FT'"
RES=$(jq -r '.result_files[0]' "$T/j.json")
emu_curl -H "$K" "$E/openai/files/$RES?$V" | jq -e '.purpose == "fine-tune-results" and .status == "processed"' > /dev/null ||
    fail "result file"
emu_curl -H "$K" "$E/openai/fine_tuning/jobs/$JOB/events?$V" | jq -e '.data[0].message | test("succeeded")' > /dev/null || fail "events"
emu_curl -H "$K" "$E/openai/fine_tuning/jobs?$V" | jq -e --arg j "$JOB" '.object == "list" and .data[0].id == $j and .has_more == false' > /dev/null ||
    fail "job list"
emu_curl -H "$K" "$E/openai/v1/fine_tuning/jobs/$JOB" | jq -e '.status == "succeeded"' > /dev/null || fail "v1 GET"
emu_curl -H "$K" "$E/openai/models?$V" | jq -e --arg m "$FT" '[.data[].id] | index($m) != null' > /dev/null || fail "/openai/models lacks $FT"
echo "ok 3 - job pending -> running -> succeeded with model id, results, events, list"

# --- asynchronous job failure: too few examples
head -3 "$T/train.jsonl" > "$T/short.jsonl"
SHORT=$(upload "$T/short.jsonl" | jq -r .id)
for i in 1 2 3; do emu_curl -H "$K" "$E/openai/files/$SHORT?$V" > /dev/null; done
J2=$(job '{"model":"gpt-4o-mini-2024-07-18","training_file":"'"$SHORT"'"}' | jq -r .id)
for i in 1 2 3 4; do emu_curl -H "$K" "$E/openai/fine_tuning/jobs/$J2?$V" > "$T/j2.json"; done
jq -e '.status == "failed" and .error.code == "invalid_training_file" and (.error.message | test("at least 10"))' "$T/j2.json" > /dev/null ||
    fail "short job: $(cat "$T/j2.json")"
# v1 reports OpenAI's states; cancel ends a job
J3=$(emu_curl -H "$K" -H 'Content-Type: application/json' -d '{"model":"gpt-4o-mini-2024-07-18","training_file":"'"$FILE"'"}' "$E/openai/v1/fine_tuning/jobs" | jq -r .id)
emu_curl -H "$K" "$E/openai/v1/fine_tuning/jobs/$J3" | jq -e '.status == "validating_files"' > /dev/null || fail "v1 state: $(cat "$T/emu.body")"
emu_curl -X POST -H "$K" "$E/openai/fine_tuning/jobs/$J3/cancel?$V" | jq -e '.status == "cancelled"' > /dev/null || fail "cancel"
echo "ok 4 - a job with too few examples fails; v1 states; cancel"

# --- deploy the fine-tuned model: on its account only, or via model.source
V2=api-version=2026-03-01
emu_arm_call GET "$(emu_account_id east)/models?$V2" | jq -e --arg m "$FT" '.value[] | select(.name == $m) | .version == "1" and .baseModel.name == "gpt-4o-mini"' > /dev/null ||
    fail "account models lack $FT: $(cat "$T/emu.body")"
emu_arm_call GET "$(emu_account_id west)/models?$V2" | jq -e --arg m "$FT" '[.value[] | select(.name == $m)] | length == 0' > /dev/null ||
    fail "west lists east's model"
printf '{"sku":{"name":"standard","capacity":1},"properties":{"model":{"format":"OpenAI","name":"%s","version":"1"}}}' "$FT" > "$T/ft.json"
emu_arm_call PUT "$(emu_account_id west)/deployments/travel?$V2" "$T/ft.json" > /dev/null
[ "$(cat "$T/emu.status")" = 400 ] && jq -e '.error.code == "DeploymentModelNotSupported"' "$T/emu.body" > /dev/null ||
    fail "west deployed east's model: $(cat "$T/emu.status") $(cat "$T/emu.body")"
emu_arm_call PUT "$(emu_account_id east)/deployments/travel?$V2" "$T/ft.json" > /dev/null
[ "$(cat "$T/emu.status")" = 201 ] || fail "deploy $FT: $(cat "$T/emu.status") $(cat "$T/emu.body")"
emu_arm_call GET "$(emu_account_id east)/deployments/travel?$V2" | jq -e --arg m "$FT" '.properties.model.name == $m and .sku.name == "Standard" and .properties.provisioningState == "Succeeded"' > /dev/null ||
    fail "ft deployment: $(cat "$T/emu.body")"
emu_arm_call GET "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.CognitiveServices/locations/eastus/usages?$V2" |
    jq -e '.value[] | select(.name.value == "OpenAI.Standard.gpt-4o-mini-finetune") | .currentValue == 1' > /dev/null || fail "ft usage"
printf '{"sku":{"name":"Standard","capacity":1},"properties":{"model":{"format":"OpenAI","name":"%s","version":"1","source":"%s"}}}' "$FT" "$(emu_account_id east)" > "$T/src.json"
emu_arm_call PUT "$(emu_account_id west)/deployments/travel?$V2" "$T/src.json" > /dev/null
[ "$(cat "$T/emu.status")" = 201 ] || fail "cross-region deploy with source: $(cat "$T/emu.status") $(cat "$T/emu.body")"
echo "ok 5 - the fine-tuned model deploys on its account, elsewhere only with model.source"

emu_requests east > "$T/log.json"
jq -e 'map(select(.headers["api-key"] != null)) | length > 5 and all(.headers["api-key"] == "***")' "$T/log.json" > /dev/null || fail "api-key not masked"
expect_file_lacks "$T/log.json" "$(emu_key east)"
echo "ok 6 - the request log masks api-key"
emu_stop
