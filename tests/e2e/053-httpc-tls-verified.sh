# 053-httpc-tls-verified: TLS is verified by default; --cacert trusts a
# private CA; --insecure skips verification on loopback, with a warning.
. ./e2e/lib.sh
. ./e2e/httpsrv.sh
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
	-addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
	-keyout "$T/key.pem" -out "$T/cert.pem" > /dev/null 2>&1 ||
	fail "openssl could not make a certificate"
httpsrv_start "$T/cert.pem" "$T/key.pem"

run httpc --retries 0 "https://127.0.0.1:$PORT/json"
expect_exit 1
expect_stderr_contains "SSL certificate problem"

run httpc --cacert "$T/cert.pem" "https://127.0.0.1:$PORT/json"
expect_exit 0
expect_stdout_contains 'status: 200'
expect_stderr_lacks 'warning'

run httpc --insecure "https://localhost:$PORT/json"
expect_exit 0
expect_stdout_contains 'status: 200'
expect_stderr_contains 'not verified'
echo ok
