# 256-status-cli-errors: exit status 1 with a clear message for a bad
# --format, a bad --max-age, an unknown option, a missing configuration
# and, with --refresh=false, a missing state file (which is not created);
# "standby help" lists status and "status --help" documents the exit
# statuses.
. ./e2e/lib.sh
. ./e2e/config.sh
ACCT=/subscriptions/0/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts
cat > "$T/standby.yaml" <<EOC
version: 1
resources:
  aoai-east: { type: openai, region: eastus, id: $ACCT/aoai-east, auth: { entra: azure-cli } }
openai:
  chat:
    model: { name: gpt-4o, version: "2024-08-06" }
    sku: { name: GlobalStandard, capacity: 100 }
    accounts: [aoai-east]
EOC

run standby status -f "$T/standby.yaml" --format yaml
expect_exit 1
expect_stderr_contains "standby: unknown format 'yaml' (text, json, markdown or html)"
run standby status -f "$T/standby.yaml" --max-age soon
expect_exit 1
expect_stderr_contains "standby: --max-age: 'soon' is not a duration"
run standby status -f "$T/standby.yaml" --bogus
expect_exit 1
expect_stderr_contains 'usage: standby status'
run standby status -f "$T/standby.yaml" extra
expect_exit 1
expect_stderr_contains 'usage: standby status'
echo "ok 1 - bad options: exit 1, named"

run standby status -f "$T/missing.yaml"
expect_exit 1
expect_stderr_contains 'missing.yaml'
run standby status -f "$T/standby.yaml" --state "$T/none.db" --refresh=false
expect_exit 1
expect_stderr_contains 'none.db'
[ ! -e "$T/none.db" ] || fail "status created the state file"
echo "ok 2 - missing config or state: exit 1, nothing created"

run standby help
expect_exit 0
expect_stdout_contains 'status'
expect_stdout_contains 'show which regions are ready to take traffic'
run standby status --help
expect_exit 0
expect_stdout_contains 'Exit status: 0 all ready, 1 error, 2 something stale or not ready.'
expect_stdout_contains '--max-age DUR'
echo "ok 3 - help"
