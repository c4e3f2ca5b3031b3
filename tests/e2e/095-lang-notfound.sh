# 095-lang-notfound: a missing project is a clear not-found (exit 3 from
# langc = ERR_NOTFOUND), with the service's code; a bad key is a 401.
. ./e2e/lib.sh
emu_start --resource language:east@eastus --key east=k-095-good
E=$(emu_endpoint east)
export K=k-095-good BAD=k-095-wrong
run langc --endpoint "$E" --key-env K get-project conversations Nope
expect_exit 3
expect_stderr_contains '404 Not Found: ProjectNotFound'
expect_stderr_contains '/projects/Nope'
run langc --endpoint "$E" --key-env K get-project text Nope
expect_exit 3
run langc --endpoint "$E" --key-env BAD get-project conversations Nope
expect_exit 1
expect_stderr_contains '401 Unauthorized'
expect_stderr_lacks k-095-wrong
expect_stdout_lacks k-095-wrong
run langc --endpoint "$E" --key-env UNSET_095 get-project conversations X
expect_exit 1
expect_stderr_contains 'environment variable UNSET_095 is not set'
