# 091-lang-chain: export from one resource, import into another, train and
# deploy there, all through lib/language; keys stay out of the output.
. ./e2e/lib.sh
emu_start --resource language:east@eastus --resource language:west@westus2 \
    --key east=k-091-east-secret --key west=k-091-west-secret \
    --rate-limits off --job-time all=100ms
E=$(emu_endpoint east)
W=$(emu_endpoint west)
export EK=k-091-east-secret WK=k-091-west-secret
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"

run langc --endpoint "$E" --key-env EK --poll-ms 20 \
    export conversations TravelAgent "$T/export.json"
expect_exit 0
expect_stdout_contains '"status":"succeeded"'
[ "$(jq -r .metadata.projectName "$T/export.json")" = TravelAgent ] ||
    fail "export result lacks the project"
[ "$(jq -r '.assets.intents | length' "$T/export.json")" = 3 ] ||
    fail "export result lacks the intents"

run langc --endpoint "$W" --key-env WK get-project conversations TravelAgent
expect_exit 3

run langc --endpoint "$W" --key-env WK --poll-ms 20 \
    import conversations TravelAgent "$T/export.json"
expect_exit 0
expect_stdout_contains '"status":"succeeded"'

run langc --endpoint "$W" --key-env WK --poll-ms 20 \
    train conversations TravelAgent v7
expect_exit 0
expect_stdout_contains '"modelLabel":"v7"'
expect_stdout_contains '"percentComplete":100'

run langc --endpoint "$W" --key-env WK --poll-ms 20 \
    deploy conversations TravelAgent production v7
expect_exit 0
expect_stdout_contains '"status":"succeeded"'

run langc --endpoint "$W" --key-env WK deployments conversations TravelAgent
expect_exit 0
[ "$(jq -r '.[0].name' "$T/stdout")" = production ] || fail "no deployment"
case $(jq -r '.[0].modelId' "$T/stdout") in v7-*) ;; *) fail "modelId" ;; esac

run langc --endpoint "$W" --key-env WK models conversations TravelAgent
expect_exit 0
[ "$(jq -r '.[0].label' "$T/stdout")" = v7 ] || fail "no model v7"

run langc --endpoint "$W" --key-env WK get-project conversations TravelAgent
expect_exit 0
expect_stdout_contains '"lastDeployedDateTime"'
expect_stdout_contains '"language":"en-us"'

for f in "$T/stdout" "$T/stderr" "$T/export.json"; do
	expect_file_lacks "$f" k-091-east-secret
	expect_file_lacks "$f" k-091-west-secret
done
# Each job was started exactly once on west.
n=$(emu_requests west | jq '[.[] | select(.method != "GET")] | length')
[ "$n" = 3 ] || fail "want 3 job starts on west, got $n"
