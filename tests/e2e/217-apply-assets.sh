# 217-apply-assets: a project whose source is a file in git is imported
# from that file (stored as a snapshot with the file's hash) into every
# replica, trained and deployed; then nothing is left to do.
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_setup
cp "$FIXTURES/assets/conversation.json" "$T/faq.json"
sed -i '/^settings:/i\
  Faq:\
    kind: conversation\
    assets: faq.json\
    replicas: [west, north]\
    model: { label: f1 }\
    deployments: { production: f1 }' "$CFG"
run standby apply -f "$CFG" --auto-approve --target Faq
expect_exit 0
expect_stdout_contains 'Apply complete: 6 succeeded, 0 failed'
hash=$(sha256sum "$T/faq.json" | cut -c1-12)
expect_stdout_contains "import:Faq@west: done"
expect_stdout_contains "from snapshot $hash"
[ -z "$(apply_changes east)" ] || fail "an assets project touched the source region: $(apply_changes east)"
emu_call west GET "$(emu_endpoint west)/language/authoring/analyze-conversations/projects/Faq/deployments/production?api-version=2023-04-01" > /dev/null
[ "$(cat "$T/emu.status")" = 200 ] || fail "Faq not deployed on west"
run standby apply -f "$CFG" --auto-approve --target Faq
expect_exit 0
expect_stdout_contains 'No changes'
# the file changes: the replicas are imported again from the new snapshot
sed -i 's/book a flight to Oslo/book a flight to Bergen/' "$T/faq.json"
run standby apply -f "$CFG" --auto-approve --target Faq
expect_exit 0
expect_stdout_contains "from snapshot $(sha256sum "$T/faq.json" | cut -c1-12)"
