# 242-drift-unreachable-errors: a region that does not answer is reported
# unreachable (exit 2) with its last good read; a source project deleted
# by hand is source_missing (exit 2); bad input is an error (exit 1).
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
drift_setup
drift_apply

emu_ctl POST /resources/north/down > /dev/null
drift_json
expect_exit 2
expect_stderr_contains 'north could not be read'
[ "$(finding north)" = unreachable ] || fail "north: $(finding north)"
[ "$(finding west)" = "" ] || fail "west: $(finding west)"
jq -e '.units[] | select(.resource == "north") | .status == "unreachable" and
    (.findings[0].last_read | test("^20.*Z$"))' "$T/drift.json" > /dev/null ||
    fail "north row: $(jq -c '.units[2]' "$T/drift.json")"
jq -e '.resources[] | select(.name == "north") | .reachable == false and
    (.error | length > 0)' "$T/drift.json" > /dev/null || fail "resources[north]"
jq -e '.summary.unreachable == 1 and .summary.in_sync == 2' "$T/drift.json" > /dev/null ||
    fail "summary"
check_schema drift "$T/drift.json"
sb drift -f "$CFG"
expect_exit 2
expect_stdout_contains 'DOWN  TravelAgent  north (northeurope, replica)'
expect_stdout_contains 'unreachable: north could not be read at'
emu_ctl POST /resources/north/up > /dev/null
echo "ok 1 - unreachable region"

emu_call east DELETE "$(emu_endpoint east)/language/authoring/analyze-conversations/projects/TravelAgent?api-version=2023-04-01" > /dev/null
emu_wait_job east "$(emu_oploc)" > /dev/null
drift_json
expect_exit 2
[ "$(finding east)" = source_missing ] || fail "east: $(finding east)"
jq -e '.warnings[] | select(.code == "source_missing")' "$T/drift.json" > /dev/null ||
    fail "no source_missing warning"
echo "ok 2 - source project missing"

sb drift -f "$T/nope.yaml"
expect_exit 1
sb drift -f "$CFG" --format yaml
expect_exit 1
expect_stderr_contains "unknown format 'yaml'"
sb drift -f "$CFG" --expiry-window soon
expect_exit 1
expect_stderr_contains "--expiry-window: 'soon' is not a duration"
sb drift -f "$CFG" -o "$T/no/such/dir/report.txt"
expect_exit 1
expect_stderr_contains "cannot write '$T/no/such/dir/report.txt'"
echo "ok 3 - errors exit 1"
