# 051-httpc-plain-http-loopback-only: plain http and --insecure are
# refused for any host but loopback, before a byte is sent; on loopback
# they work with a warning.
. ./e2e/lib.sh
. ./e2e/httpsrv.sh

run httpc http://contoso.cognitiveservices.azure.com/language/
expect_exit 1
expect_stderr_contains 'plain http is allowed only to a loopback host'

run httpc --insecure https://contoso.cognitiveservices.azure.com/language/
expect_exit 1
expect_stderr_contains '--insecure is allowed only for a loopback host'

httpsrv_start
run httpc "http://127.0.0.1:$PORT/json"
expect_exit 0
expect_stdout_contains 'status: 200'
expect_stderr_contains 'warning: plain http to 127.0.0.1'
echo ok
