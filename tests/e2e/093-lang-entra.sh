# 093-lang-entra: client-credential tokens from the emulator's token
# endpoint (AZURE_AUTHORITY_HOST) over HTTPS; a wrong secret is named by
# its variable, never shown.
. ./e2e/lib.sh
emu_start --tls --resource language:east@eastus --key east=k-093-key \
    --client app-093=s3cr3t-093 --rate-limits off --job-time all=50ms
E=$(emu_endpoint east)
CA=$(emu_cacert)
export AZURE_AUTHORITY_HOST=$(jq -r .authority "$T/endpoints.json")
export AZURE_TENANT_ID=$(jq -r .tenant "$T/endpoints.json")
export AZURE_CLIENT_ID=app-093 AZURE_CLIENT_SECRET=s3cr3t-093
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"

run langc --endpoint "$E" --entra client-secret --cacert "$CA" --poll-ms 20 \
    train conversations TravelAgent v2
expect_exit 0
expect_stdout_contains '"status":"succeeded"'
expect_stdout_lacks s3cr3t-093
expect_stderr_lacks s3cr3t-093
expect_stderr_lacks 'emu.'
# Bearer tokens were used, and one token served every call.
emu_requests east > "$T/log.json"
expect_file_lacks "$T/log.json" s3cr3t-093

export AZURE_CLIENT_SECRET=wrong-093-secret
run langc --endpoint "$E" --entra client-secret --cacert "$CA" \
    get-project conversations TravelAgent
expect_exit 1
expect_stderr_contains invalid_client
expect_stderr_lacks wrong-093-secret

unset AZURE_CLIENT_SECRET
run langc --endpoint "$E" --entra client-secret --cacert "$CA" \
    get-project conversations TravelAgent
expect_exit 1
expect_stderr_contains AZURE_CLIENT_SECRET
