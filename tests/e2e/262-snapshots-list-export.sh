# 262-snapshots-list-export: standby snapshots lists backups (text, json,
# per project), exports one by a unique id prefix as an import-ready
# document that the emulator's :import accepts, and bad ids get clear
# errors; no key ever shows.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
drift_setup --resource language:south@southcentralus
emu_seed_project east Concierge "$FIXTURES/projects/text-single.json"
cat >> "$CFG" <<'EOC'
EOC
sed -i 's/^projects:$/projects:\n  Concierge:\n    kind: text-classification\n    source: east\n    replicas: [west]\n    storage_container: docs/' "$CFG"

sb snapshots -f "$CFG"
expect_exit 0
expect_stdout_contains 'No snapshots.'
sb backup -f "$CFG"
expect_exit 0
expect_stdout_contains 'Backup complete: 2 succeeded'

sb snapshots -f "$CFG"
expect_exit 0
expect_stdout_contains 'PROJECT'
expect_stdout_contains 'TravelAgent'
expect_stdout_contains 'Concierge'
sb snapshots -f "$CFG" --format json Concierge
expect_exit 0
[ "$(jq '.snapshots | length' "$T/stdout")" = 1 ] || fail "per-project list"
jq -e '.snapshots[0].kind == "text-classification"' "$T/stdout" > /dev/null ||
    fail "kind: $(cat "$T/stdout")"
tid=$(jq -r '.snapshots[0].hash' "$T/stdout")
sb snapshots -f "$CFG" --format json
hash=$(jq -r '.snapshots[] | select(.project == "TravelAgent") | .hash' "$T/stdout")
/usr/bin/python3 - "$TOP/schema/snapshots.schema.json" "$T/stdout" <<'PY' ||
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(s)
jsonschema.Draft202012Validator(s).validate(json.load(open(sys.argv[2])))
PY
    fail "the list does not match schema/snapshots.schema.json: $(cat "$T/stdout")"
expect_no_keys
echo "ok 1 - snapshots are listed as text and json, all or per project"

sb snapshots export "$(echo "$hash" | cut -c1-6)" -f "$CFG" -o "$T/ta.json"
expect_exit 0
expect_stderr_contains "wrote snapshot $(echo "$hash" | cut -c1-12) of TravelAgent"
[ "$(sha256sum < "$T/ta.json" | cut -d' ' -f1)" = "$hash" ] ||
    fail "the exported file is not the snapshot's bytes"
jq -e '.projectFileVersion and .stringIndexType and .metadata.projectName == "TravelAgent"
    and .assets.projectKind == "Conversation"' "$T/ta.json" > /dev/null ||
    fail "not an exported project: $(head -c 300 "$T/ta.json")"
sb snapshots export "$tid" -f "$CFG"
expect_exit 0
jq -e '.metadata.projectKind == "CustomSingleLabelClassification"' "$T/stdout" > /dev/null ||
    fail "export to stdout"
# The emulator imports it as is, under a new resource.
emu_seed_project south TravelAgent "$T/ta.json"
emu_call south GET "$(emu_endpoint south)/language/authoring/analyze-conversations/projects/TravelAgent?api-version=2023-04-01" > /dev/null
[ "$(cat "$T/emu.status")" = 200 ] || fail "the imported project is not there"
echo "ok 2 - an export is the snapshot's bytes and the :import API accepts it"

sb snapshots export zzzz -f "$CFG"
expect_exit 1
expect_stderr_contains "'zzzz' is not a snapshot id (4 to 64 hex digits)"
sb snapshots export 0123456789 -f "$CFG"
expect_exit 1
expect_stderr_contains "no snapshot '0123456789'"
sb snapshots export -f "$CFG"
expect_exit 1
expect_stderr_contains 'usage'
sb restore TravelAgent --to east --snapshot abc -f "$CFG" --auto-approve
expect_exit 1
expect_stderr_contains "--snapshot: 'abc' is not a snapshot id"
sb restore TravelAgent --to east --snapshot "$tid" -f "$CFG" --auto-approve
expect_exit 1
expect_stderr_contains "is of project 'Concierge', not 'TravelAgent'"
sb restore TravelAgent --to nowhere -f "$CFG" --auto-approve
expect_exit 1
expect_stderr_contains "--to: no resource 'nowhere'"
sb restore Nope --to east -f "$CFG" --auto-approve
expect_exit 1
expect_stderr_contains "no project 'Nope'"
expect_no_keys
echo "ok 3 - bad ids, projects and resources get clear errors"
