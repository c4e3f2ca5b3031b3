# 052-httpc-redirect-keeps-secrets-home: a secret header follows a
# redirect on the same origin but never one to another host, and never
# reaches the output or the log.
. ./e2e/lib.sh
. ./e2e/httpsrv.sh
httpsrv_start
KEY=sk-e2e-0123456789

run httpc -v --secret-header "X-Secret: $KEY" "http://127.0.0.1:$PORT/redirect-same"
expect_exit 0
expect_stdout_contains 'status: 200'
grep -q "^GET /echo host=127.0.0.1:$PORT secret=$KEY\$" "$T/requests.log" ||
	fail "same-origin redirect lost the secret: $(cat "$T/requests.log")"

: > "$T/requests.log"
run httpc -v --secret-header "X-Secret: $KEY" "http://127.0.0.1:$PORT/redirect-other"
expect_exit 0
expect_stdout_contains 'status: 200'
expect_stderr_contains 'credentials not sent'
grep -q "^GET /echo host=localhost:$PORT secret=-\$" "$T/requests.log" ||
	fail "secret crossed to another host: $(cat "$T/requests.log")"
expect_file_lacks "$T/stdout" "$KEY"
expect_file_lacks "$T/stderr" "$KEY"
echo ok
