# 251-status-not-ready: a replica deployment deleted in the emulator makes
# that row not ready with the reason deployment_missing (exit 2); a region
# that does not answer is not ready as unreachable; once both are fixed,
# everything is ready again (exit 0).
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
drift_setup
drift_apply

emu_call north DELETE "$(emu_endpoint north)/language/authoring/analyze-conversations/projects/TravelAgent/deployments/production?api-version=2023-04-01" > /dev/null
emu_wait_job north "$(emu_oploc)" > /dev/null
sb status -f "$CFG" --format json
expect_exit 2
cp "$T/stdout" "$T/s.json"
jq -e '.verdict == "not_ready" and .summary.not_ready == 1 and .summary.ready == 2
    and .matrix[0].regions.northeurope == "not_ready"
    and .matrix[0].regions.westus2 == "ready"
    and (.rows[] | select(.resource == "north") |
        .verdict == "not_ready" and .findings[0].code == "deployment_missing"
        and .deployments == [])' "$T/s.json" > /dev/null ||
    fail "north: $(cat "$T/s.json")"
sb status -f "$CFG"
expect_exit 2
expect_stdout_contains 'TravelAgent on north (northeurope, replica): NOT READY'
expect_stdout_contains '    deployments      none'
expect_stdout_contains '! deployment_missing: '
expect_stdout_contains 'TravelAgent         ready         ready         NOT READY'
echo "ok 1 - replica deployment deleted: not ready, deployment_missing, exit 2"

emu_ctl POST /resources/west/down > /dev/null
sb status -f "$CFG" --format json
expect_exit 2
expect_stderr_contains 'west could not be read'
jq -e '(.rows[] | select(.resource == "west") | .verdict == "not_ready"
        and .findings[0].code == "unreachable")
    and (.resources[] | select(.name == "west") | .reachable == false)' \
    "$T/stdout" > /dev/null || fail "west: $(cat "$T/stdout")"
emu_ctl POST /resources/west/up > /dev/null
echo "ok 2 - region down: not ready, unreachable"

drift_apply
sb status -f "$CFG"
expect_exit 0
expect_stdout_contains ': 3 ready, 0 stale, 0 not ready.'
echo "ok 3 - applied again: ready, exit 0"
