# 040-tls-token: with --tls the listeners speak HTTPS with a certificate for
# 127.0.0.1 and localhost signed by a CA written to the endpoints file; the
# token endpoint issues bearer tokens (client credentials) that expire.
. ./e2e/lib.sh
emu_start --tls --resource language:east@eastus --client app-1=s3cret \
    --token-lifetime 60 --rate-limits off
E=$(emu_endpoint east)
case $E in https://127.0.0.1:*) ;; *) fail "endpoint $E is not https" ;; esac
CA=$(emu_cacert)
[ -s "$CA" ] || fail "no CA file '$CA'"
case $EMU_CONTROL in https://*) ;; *) fail "control is not https" ;; esac
API=language/authoring/analyze-conversations/projects?api-version=2023-04-01
K="Ocp-Apim-Subscription-Key: $(emu_key east)"

st=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' -H "$K" "$E/$API")
[ "$st" = 200 ] || fail "https with the CA: $st"
curl -sS -o /dev/null -H "$K" "$E/$API" 2> /dev/null
rc=$?
[ $rc = 60 ] || fail "without the CA curl exit $rc, want 60 (verification failed)"
st=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' -H "$K" "https://localhost:${E##*:}/$API")
[ "$st" = 200 ] || fail "https via localhost (SAN): $st"
openssl x509 -in "$CA" -noout -text | grep -q 'CA:TRUE' || fail "CA lacks CA:TRUE"
echo "ok 1 - HTTPS verified against the generated CA"

TOK=$(jq -r .token_endpoint "$T/endpoints.json")
case $TOK in https://127.0.0.1:*/*/oauth2/v2.0/token) ;; *) fail "token endpoint $TOK" ;; esac
SCOPE=https://cognitiveservices.azure.com/.default
token() {
	curl -sS --cacert "$CA" -o "$T/tok.json" -w '%{http_code}' "$TOK" "$@"
}
st=$(token --data-urlencode grant_type=client_credentials --data-urlencode client_id=app-1 \
    --data-urlencode client_secret=s3cret --data-urlencode "scope=$SCOPE")
[ "$st" = 200 ] || fail "token: $st $(cat "$T/tok.json")"
jq -e '.token_type == "Bearer" and .expires_in == 60 and (.access_token | length > 20)' "$T/tok.json" > /dev/null ||
    fail "token body: $(cat "$T/tok.json")"
AT=$(jq -r .access_token "$T/tok.json")
st=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AT" "$E/$API")
[ "$st" = 200 ] || fail "bearer token refused: $st"
st=$(curl -sS --cacert "$CA" -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer forged" "$E/$API")
[ "$st" = 401 ] && jq -e '.error.code == "Unauthorized"' "$T/body" > /dev/null || fail "forged token: $st"
echo "ok 2 - client credentials token accepted as Bearer"

st=$(token --data-urlencode grant_type=client_credentials --data-urlencode client_id=app-1 \
    --data-urlencode client_secret=wrong --data-urlencode "scope=$SCOPE")
[ "$st" = 401 ] && jq -e '.error == "invalid_client"' "$T/tok.json" > /dev/null || fail "bad secret: $st"
st=$(token --data-urlencode grant_type=client_credentials --data-urlencode client_id=emulator-client \
    --data-urlencode client_secret=emulator-secret --data-urlencode "scope=$SCOPE")
[ "$st" = 401 ] || fail "default client still valid when --client is given: $st"
st=$(token --data-urlencode grant_type=client_credentials --data-urlencode client_id=app-1 \
    --data-urlencode client_secret=s3cret --data-urlencode scope=https://graph.microsoft.com/.default)
[ "$st" = 400 ] && jq -e '.error == "invalid_scope"' "$T/tok.json" > /dev/null || fail "bad scope: $st"
# a management-scope token is for ARM, not for the Language data plane
st=$(token --data-urlencode grant_type=client_credentials --data-urlencode client_id=app-1 \
    --data-urlencode client_secret=s3cret --data-urlencode scope=https://management.azure.com/.default)
[ "$st" = 200 ] || fail "management scope: $st"
st=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(jq -r .access_token "$T/tok.json")" "$E/$API")
[ "$st" = 401 ] || fail "management token accepted by the Language API: $st"
st=$(token --data-urlencode grant_type=password --data-urlencode client_id=app-1 \
    --data-urlencode client_secret=s3cret --data-urlencode "scope=$SCOPE")
[ "$st" = 400 ] && jq -e '.error == "unsupported_grant_type"' "$T/tok.json" > /dev/null || fail "bad grant: $st"
echo "ok 3 - token endpoint errors"

# tokens expire: move the clock past expires_in
emu_ctl POST /clock '{"advance_seconds":61}' > /dev/null
st=$(curl -sS --cacert "$CA" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AT" "$E/$API")
[ "$st" = 401 ] || fail "expired token accepted: $st"
emu_requests _control > "$T/log.json"
expect_file_lacks "$T/log.json" s3cret
echo "ok 4 - tokens expire"
emu_stop
