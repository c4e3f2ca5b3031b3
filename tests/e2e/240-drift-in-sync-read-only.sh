# 240-drift-in-sync-read-only: after apply, drift finds every row in sync
# (exit 0) and sends only GETs; the source is then edited: the replicas
# are reported behind, with how long (exit 2), in text, markdown, json
# and --output; still only GETs.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
drift_setup
drift_apply

emu_ctl DELETE /requests > /dev/null
sb drift -f "$CFG"
expect_exit 0
expect_stdout_contains 'No drift: 3 rows in sync.'
expect_stdout_contains 'ok    TravelAgent  west (westus2, replica)  in sync'
expect_only_reads
echo "ok 1 - in sync: exit 0, only GETs"

sleep 1
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_ctl DELETE /requests > /dev/null
drift_json
expect_exit 2
expect_only_reads
[ "$(finding west)" = source_ahead ] || fail "west: $(finding west)"
[ "$(finding north)" = source_ahead ] || fail "north: $(finding north)"
[ "$(finding east)" = "" ] || fail "east: $(finding east)"
jq -e '.status == "drift" and .summary.drift == 2 and .summary.in_sync == 1' \
    "$T/drift.json" > /dev/null || fail "summary: $(jq -c .summary "$T/drift.json")"
exp=$(jq '.units[] | select(.resource == "west") | .findings[0].exposure_seconds' "$T/drift.json")
[ "$exp" -ge 0 ] && [ "$exp" -lt 600 ] || fail "exposure_seconds $exp"
jq -e '.units[] | select(.resource == "west") | .findings[0] |
    .plan_reason == "source_changed" and .plan_action == "import:TravelAgent@west"
    and (.source_modified | test("^20")) and (.replica_built_from | test("^20"))' \
    "$T/drift.json" > /dev/null || fail "finding: $(cat "$T/drift.json")"
check_schema drift "$T/drift.json"
echo "ok 2 - source ahead: exit 2, exposure, schema"

sb drift -f "$CFG"
expect_exit 2
expect_stdout_contains 'DRIFT TravelAgent  west (westus2, replica)'
expect_stdout_contains 'source_ahead: TravelAgent on east was modified at'
expect_stdout_contains '(behind for '
expect_stdout_contains 'Drift: 2 of 3 rows (2 source_ahead).'
sb drift -f "$CFG" --format markdown -o "$T/drift.md"
expect_exit 2
[ "$(cat "$T/stdout")" = 'Drift: 2 of 3 rows (2 source_ahead).' ] ||
    fail "with -o, stdout is the summary only"
grep -qF '| TravelAgent | westus2 | west | replica | ⚠️ drift | source_ahead |' "$T/drift.md" ||
    fail "markdown table: $(cat "$T/drift.md")"
grep -qF '## standby drift: 2 of 3 rows drifted' "$T/drift.md" || fail "markdown title"
expect_no_keys "$T/drift.md" "$T/drift.json"
echo "ok 3 - text, markdown, --output"
