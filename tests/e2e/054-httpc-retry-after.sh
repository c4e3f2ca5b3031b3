# 054-httpc-retry-after: a 503 with retry-after-ms is retried after the
# wait the service asked for, keeping the request; the log says so.
. ./e2e/lib.sh
. ./e2e/httpsrv.sh
httpsrv_start

run httpc -X POST -d '{"a":1}' "http://127.0.0.1:$PORT/flaky"
expect_exit 0
expect_stdout_contains 'status: 200'
expect_stdout_contains 'attempts: 2'
expect_stderr_contains 'status 503; retry 1/5 in 100 ms (as the service asked)'
[ "$(grep -c '^POST /flaky' "$T/requests.log")" = 2 ] ||
	fail "want 2 POSTs: $(cat "$T/requests.log")"
echo ok
