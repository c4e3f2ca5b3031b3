# 305-oai-finetune: a fine-tuned model is trained in each account from the
# same files (uploaded to both, one job each), and deployed under the same
# name; nothing is redone while data and settings are unchanged; a change
# of the training data retrains in both regions and deploys the new model.
. ./e2e/lib.sh
. ./e2e/oai_lib.sh
. ./e2e/oai_apply_lib.sh
oai_setup
mkdir -p "$T/data"
cp "$FIXTURES/finetune/train.jsonl" "$FIXTURES/finetune/valid.jsonl" "$T/data/"
oai_apply_config <<YAML
openai:
  bot:
    fine_tune:
      base_model: gpt-4o-mini-2024-07-18
      training_file: data/train.jsonl
      validation_file: data/valid.jsonl
      hyperparameters: { n_epochs: 2 }
      seed: 7
      suffix: bot
    sku: { name: Standard, capacity: 5 }
    accounts: [east, west]
YAML
run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains 'finetune:bot@east: done'
expect_stdout_contains 'finetune:bot@west: done'
expect_stdout_contains 'Apply complete: 4 succeeded, 0 failed'
for a in east west; do
	w=$(oai_writes $a)
	[ "$(echo "$w" | grep -c 'POST /openai/files$')" = 2 ] || fail "uploads on $a: $w"
	[ "$(echo "$w" | grep -c 'POST /openai/fine_tuning/jobs$')" = 1 ] || fail "jobs on $a: $w"
	m=$(sqlite3 "$T/.standby/state.db" "SELECT fine_tuned_model FROM finetuned_models WHERE resource = '$a' AND entry = 'bot'")
	case $m in gpt-4o-mini-2024-07-18.ft-*bot*) ;; *) fail "recorded model on $a: '$m'" ;; esac
	oai_deployment $a bot | jq -e --arg m "$m" '.properties.model.name == $m and
	    .properties.provisioningState == "Succeeded"' > /dev/null ||
	    fail "deployment on $a: $(cat "$T/emu.body") (want $m)"
done
m1=$(sqlite3 "$T/.standby/state.db" "SELECT fine_tuned_model FROM finetuned_models WHERE resource = 'west'")
oai_expect_empty_plan

# the training data changes: both regions retrain and redeploy
echo '{"messages":[{"role":"user","content":"new"},{"role":"assistant","content":"data"}]}' >> "$T/data/train.jsonl"
run standby plan -f "$CFG"
expect_exit 0
expect_stdout_contains 'finetune_data_changed'
run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains 'finetune:bot@west: done'
m2=$(sqlite3 "$T/.standby/state.db" "SELECT fine_tuned_model FROM finetuned_models WHERE resource = 'west'")
[ "$m2" != "$m1" ] || fail "west was not retrained ($m1)"
oai_deployment west bot | jq -e --arg m "$m2" '.properties.model.name == $m' > /dev/null ||
    fail "west serves $(jq -r .properties.model.name "$T/emu.body"), not $m2"
[ "$(oai_writes west | grep -c 'POST /openai/fine_tuning/jobs$')" = 2 ] || fail "jobs on west: $(oai_writes west)"
oai_expect_empty_plan
