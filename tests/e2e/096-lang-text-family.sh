# 096-lang-text-family: custom text classification goes through the
# analyze-text API (no trainingMode in the train body) end to end.
. ./e2e/lib.sh
C=$(jq -r .metadata.storageInputContainerName \
    "$FIXTURES/projects/text-single.json")
emu_start --resource language:east@eastus --key east=k-096 \
    --container "east=$C" --rate-limits off --job-time all=50ms
E=$(emu_endpoint east)
export K=k-096
P=$(jq -r .metadata.projectName "$FIXTURES/projects/text-single.json")
run langc --endpoint "$E" --key-env K --poll-ms 20 \
    import text "$P" "$FIXTURES/projects/text-single.json"
expect_exit 0
run langc --endpoint "$E" --key-env K --poll-ms 20 train text "$P" m1
expect_exit 0
expect_stdout_contains '"modelLabel":"m1"'
run langc --endpoint "$E" --key-env K --poll-ms 20 deploy text "$P" prod m1
expect_exit 0
run langc --endpoint "$E" --key-env K get-project text "$P"
expect_exit 0
expect_stdout_contains '"kind":"CustomSingleLabelClassification"'
expect_stdout_contains "\"storageInputContainerName\":\"$C\""
run langc --endpoint "$E" --key-env K training-config-versions text
expect_exit 0
jq -e '.[0].trainingConfigVersion' "$T/stdout" > /dev/null ||
    fail "no training config versions"
emu_requests east > "$T/log.json"
jq -e '[.[] | select(.method == "POST" and (.path | test("/analyze-text/")))]
    | length == 2' "$T/log.json" > /dev/null || fail "text calls not on analyze-text"
