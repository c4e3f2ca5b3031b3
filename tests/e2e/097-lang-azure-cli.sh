# 097-lang-azure-cli: a token from "az account get-access-token" (a fake az
# first on PATH that asks the emulator's token endpoint) authenticates.
. ./e2e/lib.sh
emu_start --resource language:east@eastus --key east=k-097 \
    --client app-097=sec-097 --rate-limits off
E=$(emu_endpoint east)
TOKEN_URL=$(jq -r .token_endpoint "$T/endpoints.json")
mkdir "$T/bin"
cat > "$T/bin/az" <<EOS
#!/bin/sh
echo "\$*" > "$T/az-args"
tok=\$(curl -sS --max-time 10 -d grant_type=client_credentials \
    -d client_id=app-097 -d client_secret=sec-097 \
    --data-urlencode scope=https://cognitiveservices.azure.com/.default \
    "$TOKEN_URL" | jq -r .access_token)
printf '{"accessToken":"%s","expiresOn":"2099-01-01 00:00:00.000000","tokenType":"Bearer"}\n' "\$tok"
EOS
chmod +x "$T/bin/az"
PATH="$T/bin:$PATH" run langc --endpoint "$E" --entra azure-cli \
    list-projects conversations
expect_exit 0
expect_stdout_contains '"count":0'
grep -q 'account get-access-token --output json --resource https://cognitiveservices.azure.com' \
    "$T/az-args" || fail "az called with $(cat "$T/az-args")"
expect_stderr_lacks 'emu.'

printf '#!/bin/sh\necho "ERROR: Please run az login to setup account." >&2\nexit 1\n' \
    > "$T/bin/az"
PATH="$T/bin:$PATH" run langc --endpoint "$E" --entra azure-cli \
    list-projects conversations
expect_exit 1
expect_stderr_contains 'az exited with 1: ERROR: Please run az login'
