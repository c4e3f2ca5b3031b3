# 094-lang-failed-job: a job that fails surfaces the service's error code
# and message, and is not submitted again.
. ./e2e/lib.sh
emu_start --resource language:east@eastus --key east=k-094 \
    --rate-limits off --job-time all=50ms
E=$(emu_endpoint east)
export K=k-094
jq '.metadata.language = "english_please"' "$FIXTURES/projects/clu-travel.json" \
    > "$T/bad.json"
run langc --endpoint "$E" --key-env K --poll-ms 20 \
    import conversations TravelAgent "$T/bad.json"
expect_exit 1
expect_stdout_contains '"status":"failed"'
expect_stderr_contains 'failed: InvalidArgument: '
expect_stderr_contains 'english_please'
n=$(emu_requests east | jq '[.[] | select(.method == "POST")] | length')
[ "$n" = 1 ] || fail "the import was sent $n times"
