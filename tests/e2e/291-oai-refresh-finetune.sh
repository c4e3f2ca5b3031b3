# 291-oai-refresh-finetune: an account that an openai: entry fine-tunes on
# also has its fine-tuning jobs read (data plane at the account's
# properties.endpoint, with a cognitiveservices token) and stored for
# plan; an account without one is not asked.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/oai_lib.sh
emu_start --resource openai:east@eastus --resource openai:west@westus2 \
    --retry-after 0 --job-time deployment=0 --job-time file=0 \
    --job-time finetune=0 --rate-limits off
E=$(emu_endpoint east)
K="api-key: $(emu_key east)"
FV=api-version=2024-10-21
printf '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}\n' > "$T/train.jsonl"
FILE=$(emu_curl -H "$K" -F purpose=fine-tune -F "file=@$T/train.jsonl" "$E/openai/files?$FV" | jq -er .id) ||
    fail "upload"
i=0
until [ "$(emu_curl -H "$K" "$E/openai/files/$FILE?$FV" | jq -r .status)" = processed ]; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "file not processed"; sleep 0.05
done
JOB=$(emu_curl -H "$K" -H 'Content-Type: application/json' \
    --data-binary '{"model":"gpt-4o-mini-2024-07-18","training_file":"'"$FILE"'"}' \
    "$E/openai/fine_tuning/jobs?$FV" | jq -er .id) || fail "job"

cp "$T/train.jsonl" "$T/support-train.jsonl"
oai_config "$T/standby.yaml" east west <<'YAML'
openai:
  support-bot:
    fine_tune:
      base_model: gpt-4o-mini-2024-07-18
      training_file: support-train.jsonl
    sku: { name: Standard, capacity: 10 }
    accounts: [east]
YAML
sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'east: 0 deployments'
DB=$T/.standby/state.db
sqlite3 "$DB" "SELECT finetunes FROM openai_catalogs WHERE resource = 'east'" > "$T/jobs.json"
jq -e --arg id "$JOB" 'map(.id) == [$id]' "$T/jobs.json" > /dev/null || fail "east jobs: $(cat "$T/jobs.json")"
[ "$(sqlite3 "$DB" "SELECT finetunes IS NULL FROM openai_catalogs WHERE resource = 'west'")" = 1 ] ||
    fail "west's jobs were read"
emu_requests east > "$T/log.json"
jq -e '[.[] | select(.path | contains("/openai/fine_tuning/jobs")) | select(.method == "GET")] | length == 1 and
    all(.headers.authorization == "Bearer ***")' "$T/log.json" > /dev/null ||
    fail "jobs list request: $(jq -c '[.[] | {method, path}]' "$T/log.json")"
emu_requests west | jq -e '[.[] | select(.path | contains("fine_tuning"))] | length == 0' > /dev/null ||
    fail "west data plane asked"
expect_file_lacks "$DB" emulator-secret
echo "ok 1 - fine-tuning jobs read where something is fine-tuned"
