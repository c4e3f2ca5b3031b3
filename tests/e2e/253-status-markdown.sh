# 253-status-markdown: --format markdown gives a title with the counts,
# the project x region matrix with verdict marks, and one section per row
# with its details and reasons; --output writes it to a file (stdout has
# the summary line only), with the same exit status; --refresh=false reads
# the cache only.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
drift_setup
drift_apply
emu_call north DELETE "$(emu_endpoint north)/language/authoring/analyze-conversations/projects/TravelAgent/deployments/production?api-version=2023-04-01" > /dev/null
emu_wait_job north "$(emu_oploc)" > /dev/null
# One clock for both renderings, so they can be compared.
SOURCE_DATE_EPOCH=$(date +%s)
export SOURCE_DATE_EPOCH

sb status -f "$CFG" --format markdown
expect_exit 2
expect_stdout_contains '## standby status: failover readiness'
expect_stdout_contains ': 2 ready, 0 stale, 1 not ready.'
expect_stdout_contains '| project | eastus | westus2 | northeurope |'
expect_stdout_contains '|---|---|---|---|'
expect_stdout_contains '| TravelAgent | ✅ ready | ✅ ready | ⛔ not ready |'
expect_stdout_contains '### TravelAgent on north (northeurope, replica): ⛔ not ready'
expect_stdout_contains '- **last replicated**: 20'
expect_stdout_contains '- **deployments live**: none'
expect_stdout_contains '- `deployment_missing`: Deployment production of TravelAgent does not exist on north'
cp "$T/stdout" "$T/direct.md"
echo "ok 1 - markdown: title, matrix, details, reasons"

# From the cache the first run refreshed: the same "last read" times.
sb status -f "$CFG" --format md --output "$T/status.md" --refresh=false
expect_exit 2
[ "$(cat "$T/stdout")" = 'Failover readiness: 2 ready, 0 stale, 1 not ready.' ] ||
    fail "with --output, stdout is the summary only"
cmp -s "$T/status.md" "$T/direct.md" || fail "--output differs from stdout"
expect_no_keys "$T/status.md"
echo "ok 2 - --output writes the same document"
