# 092-lang-tls: over HTTPS the emulator's CA must be given; with it the
# client works, without it TLS verification refuses the connection.
. ./e2e/lib.sh
emu_start --tls --resource language:east@eastus --key east=k-092-secret \
    --rate-limits off --job-time all=50ms
E=$(emu_endpoint east)
CA=$(emu_cacert)
case $E in https://*) ;; *) fail "endpoint is not https: $E" ;; esac
export K=k-092-secret
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"

run langc --endpoint "$E" --key-env K --cacert "$CA" \
    get-project conversations TravelAgent
expect_exit 0
expect_stdout_contains '"name":"TravelAgent"'

run langc --endpoint "$E" --key-env K --cacert "$CA" --poll-ms 20 \
    train conversations TravelAgent v1
expect_exit 0
expect_stdout_contains '"status":"succeeded"'

run langc --endpoint "$E" --key-env K get-project conversations TravelAgent
expect_exit 1
expect_stderr_contains 'certificate'
expect_stderr_lacks k-092-secret
expect_stdout_lacks k-092-secret
