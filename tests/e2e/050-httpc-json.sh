# 050-httpc-json: lib/http parses JSON only whole and only when labelled
# JSON; a body cut short of its Content-Length is an error.
. ./e2e/lib.sh
. ./e2e/httpsrv.sh
httpsrv_start

run httpc --json "http://127.0.0.1:$PORT/json"
expect_exit 0
expect_stdout_contains 'status: 200'
expect_stdout_contains 'content-type: application/json'
expect_stdout_contains 'json: ok'

run httpc --json "http://127.0.0.1:$PORT/html"
expect_exit 1
expect_stdout_contains "expected a JSON body, got content type 'text/html'"

run httpc --retries 0 "http://127.0.0.1:$PORT/trunc"
expect_exit 1
expect_stderr_contains 'response truncated: 11 of 100 bytes received'
echo ok
