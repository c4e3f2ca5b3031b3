# 309-oai-finetune-resume: kill -9 right after a fine-tuning job was
# created, before its id was journalled (only the uploaded files were);
# the next apply finds the job made from its training file and polls it:
# one job per account, never two, and the model is deployed.  A kill while
# the job runs (its id journalled) is resumed by polling the same job.
. ./e2e/lib.sh
. ./e2e/oai_lib.sh
. ./e2e/oai_apply_lib.sh
oai_setup --job-time finetune=1s
mkdir -p "$T/data"
cp "$FIXTURES/finetune/train.jsonl" "$T/data/"
oai_apply_config east <<YAML
openai:
  bot:
    fine_tune:
      base_model: gpt-4o-mini-2024-07-18
      training_file: data/train.jsonl
      suffix: bot
    sku: { name: Standard, capacity: 5 }
    accounts: [east]
YAML
export STANDBY_CRASH_AT=after-accept:finetune
run standby apply -f "$CFG" --auto-approve
unset STANDBY_CRASH_AT
expect_exit 137
sqlite3 "$T/.standby/state.db" "SELECT status, job_url FROM actions" > "$T/journal"
grep -q '^submitted|finetune train=file-[^ ]*$' "$T/journal" || fail "journal after the kill: $(cat "$T/journal")"
run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains 'resuming finetune:bot@east'
expect_stdout_contains 'openai_create:bot@east: done'
w=$(oai_writes east)
[ "$(echo "$w" | grep -c 'POST /openai/fine_tuning/jobs$')" = 1 ] || fail "jobs: $w"
[ "$(echo "$w" | grep -c 'POST /openai/files$')" = 1 ] || fail "uploads: $w"
m=$(sqlite3 "$T/.standby/state.db" "SELECT fine_tuned_model FROM finetuned_models")
oai_deployment east bot | jq -e --arg m "$m" '.properties.model.name == $m' > /dev/null ||
    fail "deployment: $(cat "$T/emu.body") (want $m)"

# retrain (new data), killed while the job runs: polled, not recreated
echo '{"messages":[{"role":"user","content":"more"},{"role":"assistant","content":"data"}]}' >> "$T/data/train.jsonl"
export STANDBY_CRASH_AT=polling:finetune
run standby apply -f "$CFG" --auto-approve
unset STANDBY_CRASH_AT
expect_exit 137
run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains 'resuming finetune:bot@east'
w=$(oai_writes east)
[ "$(echo "$w" | grep -c 'POST /openai/fine_tuning/jobs$')" = 2 ] || fail "jobs after the retrain: $w"
m2=$(sqlite3 "$T/.standby/state.db" "SELECT fine_tuned_model FROM finetuned_models")
[ "$m2" != "$m" ] || fail "not retrained"
oai_deployment east bot | jq -e --arg m "$m2" '.properties.model.name == $m' > /dev/null ||
    fail "deployment after the retrain: $(cat "$T/emu.body") (want $m2)"
