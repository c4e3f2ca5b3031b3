# 181-refresh-entra-tls: over HTTPS with Entra ID client credentials from
# the emulator's token endpoint; the secret and the token stay out of the
# output, the state file and what the emulator logged.
. ./e2e/lib.sh
. ./e2e/config.sh
emu_start --tls --resource language:east@eastus \
    --client sp-181=s3cret-181-value --rate-limits off --job-time all=50ms
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
authority=$(jq -r .authority "$T/endpoints.json")
tenant=$(jq -r .tenant "$T/endpoints.json")
export SP_SECRET=s3cret-181-value
cat > "$T/standby.yaml" <<YAML
version: 1
resources:
  east:
    type: language
    region: eastus
    endpoint: $(emu_endpoint east)
    auth:
      entra: client-credentials
      tenant_id: $tenant
      client_id: sp-181
      client_secret_env: SP_SECRET
settings:
  authority_host: $authority
YAML

sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'east: 1 project'
emu_requests east |
    jq '[.[] | select(.headers["user-agent"] | startswith("standby/"))]' \
    > "$T/log.json"
jq -e 'length > 0' "$T/log.json" > /dev/null || fail "no request from standby"
jq -e '[.[] | select(.headers.authorization != null)] | length > 0' \
    "$T/log.json" > /dev/null || fail "no bearer token reached east"
jq -e '[.[] | select(.headers["ocp-apim-subscription-key"] != null)] | length == 0' \
    "$T/log.json" > /dev/null || fail "a key was sent instead of a token"
expect_no_keys "$T/.standby/state.db"
for f in "$T/stdout" "$T/stderr" "$T/.standby/state.db" "$T/log.json"; do
	expect_file_lacks "$f" s3cret-181-value
done

# A wrong secret fails that resource, naming the variable, not the value.
export SP_SECRET=wrong-181-value
sb refresh -f "$T/standby.yaml"
expect_exit 1
expect_stdout_contains 'east: could not be read'
expect_stdout_lacks 'wrong-181-value'
expect_stderr_lacks 'wrong-181-value'

# Without the variable, the error names it.
unset SP_SECRET
sb refresh -f "$T/standby.yaml"
expect_exit 1
grep -q 'SP_SECRET' "$T/stdout" "$T/stderr" || fail "the variable is not named"
