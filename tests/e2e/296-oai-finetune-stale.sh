# 296-oai-finetune-stale: a fine-tuned deployment whose model standby
# recorded (as apply does, from the plan's hashes) is in sync; when the
# training file changes, drift reports finetune_stale (exit 2) and plan
# a retrain with reason finetune_data_changed; a recorded model that the
# account no longer lists (refreshed jobs) is finetune_missing.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/oai_lib.sh
emu_start --resource openai:east@eastus --retry-after 0 --job-time deployment=0 \
    --job-time file=0 --job-time finetune=0 --rate-limits off
E=$(emu_endpoint east)
K="api-key: $(emu_key east)"
FV=api-version=2024-10-21
: > "$T/support-train.jsonl"
for i in 0 1 2 3 4 5 6 7 8 9; do
	echo '{"messages":[{"role":"user","content":"hi '$i'"},{"role":"assistant","content":"hello"}]}' >> "$T/support-train.jsonl"
done
FILE=$(emu_curl -H "$K" -F purpose=fine-tune -F "file=@$T/support-train.jsonl" "$E/openai/files?$FV" | jq -er .id) ||
    fail "upload"
i=0
until [ "$(emu_curl -H "$K" "$E/openai/files/$FILE?$FV" | jq -r .status)" = processed ]; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "file not processed"; sleep 0.05
done
JOB=$(emu_curl -H "$K" -H 'Content-Type: application/json' \
    --data-binary '{"model":"gpt-4o-mini-2024-07-18","training_file":"'"$FILE"'"}' \
    "$E/openai/fine_tuning/jobs?$FV" | jq -er .id) || fail "job"
i=0
while :; do
	emu_curl -H "$K" "$E/openai/fine_tuning/jobs/$JOB?$FV" > "$T/job.json"
	[ "$(jq -r .status "$T/job.json")" = succeeded ] && break
	i=$((i + 1)); [ $i -lt 200 ] || fail "job: $(cat "$T/job.json")"; sleep 0.05
done
MODEL=$(jq -er .fine_tuned_model "$T/job.json")
printf '{"sku":{"name":"Standard","capacity":10},"properties":{"model":{"format":"OpenAI","name":"%s","version":"1"}}}' "$MODEL" > "$T/ft.put"
emu_arm_call PUT "$(emu_account_id east)/deployments/support-bot?$OAI_V" "$T/ft.put" > /dev/null
case $(cat "$T/emu.status") in 200 | 201) ;; *) fail "deploy $MODEL: $(cat "$T/emu.body")" ;; esac

oai_config "$T/standby.yaml" east <<'YAML'
openai:
  support-bot:
    fine_tune:
      base_model: gpt-4o-mini-2024-07-18
      training_file: support-train.jsonl
    sku: { name: Standard, capacity: 10 }
    accounts: [east]
YAML
# never trained by standby: a retrain
sb plan -f "$T/standby.yaml" --format json
expect_exit 0
cp "$T/stdout" "$T/plan.json"
jq -e '.actions[] | select(.id == "finetune:support-bot@east") | .reason.code == "finetune_missing"' "$T/plan.json" > /dev/null ||
    fail "plan: $(jq -c '[.actions[] | {id, reason}]' "$T/plan.json")"
# record the model as apply does, from the plan's hashes
DH=$(jq -r '.actions[] | select(.kind == "finetune") | .after.data_hash' "$T/plan.json")
SH=$(jq -r '.actions[] | select(.kind == "finetune") | .after.settings_hash' "$T/plan.json")
sqlite3 "$T/.standby/state.db" "INSERT INTO finetuned_models VALUES ('east', 'support-bot', '$DH', '$SH', '$MODEL', '$JOB', 0)" ||
    fail "insert"
sb drift -f "$T/standby.yaml"
expect_exit 0
sb plan -f "$T/standby.yaml" --detailed-exitcode
expect_exit 0
echo "ok 1 - a recorded fine-tuned model, deployed: in sync"

printf '{"messages":[{"role":"user","content":"bye"},{"role":"assistant","content":"goodbye"}]}\n' >> "$T/support-train.jsonl"
sb drift -f "$T/standby.yaml" --format json
expect_exit 2
cp "$T/stdout" "$T/drift.json"
oai_schema_check "$T/drift.json" "$TOP/schema/drift.schema.json"
jq -e '.units[0] | .kind == "openai-fine-tuned" and .findings[0].code == "finetune_stale" and
    .findings[0].plan_reason == "finetune_data_changed" and (.findings | length) == 1' "$T/drift.json" > /dev/null ||
    fail "stale: $(jq -c '.units' "$T/drift.json")"
sb plan -f "$T/standby.yaml" --refresh=false
expect_exit 0
expect_stdout_contains 'finetune support-bot'
expect_stdout_contains '[finetune_data_changed]'
echo "ok 2 - training data changed: finetune_stale, plan retrains"

# the account no longer lists the job that made the model
sqlite3 "$T/.standby/state.db" "UPDATE finetuned_models SET fine_tuned_model = 'gpt-4o-mini-2024-07-18.ft-gone'" || fail "update"
sb drift -f "$T/standby.yaml" --format json
expect_exit 2
jq -e '.units[0].findings[0].code == "finetune_missing"' "$T/stdout" > /dev/null ||
    fail "missing: $(jq -c '.units' "$T/stdout")"
echo "ok 3 - a recorded model the account lacks: finetune_missing"
