# 290-oai-refresh: refresh reads two Azure OpenAI accounts over ARM with
# Entra client credentials: every deployment (across nextLink pages) and
# the region's models and usages land in the state file, token and
# secret stay out of output and state; a second refresh reports what
# changed; an account that cannot be read keeps its rows, marked stale.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/oai_lib.sh
emu_start --resource openai:east@eastus --resource openai:west@westus2 \
    --retry-after 0 --job-time deployment=0 --rate-limits off
oai_put east chat gpt-4o 2024-08-06 GlobalStandard 100
oai_put east mini gpt-4o-mini 2024-07-18 Standard 5
oai_put west chat gpt-4o 2024-08-06 GlobalStandard 100
emu_ctl PUT /arm '{"page_size":1}' > /dev/null
oai_config "$T/standby.yaml" east west <<'YAML'
  timeouts: { connect: 2s, request: 5s }
YAML

sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'east: 2 deployments'
expect_stdout_contains 'west: 1 deployment'
expect_stdout_contains '+ openai-deployment east/deployments/chat'
expect_stdout_contains '+ openai-deployment east/deployments/mini'
expect_stdout_contains '+ openai-deployment west/deployments/chat'
DB=$T/.standby/state.db
sqlite3 "$DB" "SELECT resource || '/' || name FROM openai_deployments ORDER BY 1" > "$T/deps" ||
    fail "no openai_deployments table"
[ "$(tr '\n' ' ' < "$T/deps")" = "east/chat east/mini west/chat " ] || fail "deployments: $(cat "$T/deps")"
sqlite3 "$DB" "SELECT json FROM openai_deployments WHERE resource = 'east' AND name = 'mini'" |
    jq -e '.sku.capacity == 5 and .properties.model.version == "2024-07-18" and .properties.raiPolicyName == "Microsoft.DefaultV2"' > /dev/null ||
    fail "json of east/mini: $(sqlite3 "$DB" "SELECT json FROM openai_deployments")"
# the catalogue: the region's models and usages, no jobs (nothing fine-tuned)
sqlite3 "$DB" "SELECT region, usages FROM openai_catalogs WHERE resource = 'west'" > "$T/cat"
grep -q '^westus2|' "$T/cat" || fail "west catalogue: $(head -c 300 "$T/cat")"
sqlite3 "$DB" "SELECT usages FROM openai_catalogs WHERE resource = 'east'" |
    jq -e '.[] | select(.name.value == "OpenAI.GlobalStandard.gpt-4o") | .currentValue == 100' > /dev/null ||
    fail "east usages"
sqlite3 "$DB" "SELECT models FROM openai_catalogs WHERE resource = 'east'" |
    jq -e '[.[] | select(.model.name == "gpt-4o")] | length > 0' > /dev/null || fail "east models"
[ "$(sqlite3 "$DB" "SELECT finetunes IS NULL FROM openai_catalogs WHERE resource = 'east'")" = 1 ] ||
    fail "jobs read with nothing fine-tuned"
# bearer tokens only, from the client credentials; nothing secret kept
emu_requests arm > "$T/log.json"
jq -e '[.[] | select(.headers["user-agent"] // "" | startswith("standby/"))] | length >= 6 and
    all(.headers.authorization == "Bearer ***")' "$T/log.json" > /dev/null ||
    fail "standby's ARM requests: $(head -c 1500 "$T/log.json")"
for f in "$T/stdout" "$T/stderr" "$DB"; do
	expect_file_lacks "$f" emulator-secret
	expect_file_lacks "$f" "$(cat "$T/arm.token")"
done
echo "ok 1 - deployments of two accounts, models and usages stored"

# a change on one account shows up; a read with no change bumps nothing
oai_delete east mini
printf '{"sku":{"capacity":120}}' > "$T/patch.json"
emu_arm_call PATCH "$(emu_account_id west)/deployments/chat?$OAI_V" "$T/patch.json" > /dev/null
sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains '- openai-deployment east/deployments/mini'
expect_stdout_contains '~ openai-deployment west/deployments/chat (json)'
sb refresh -f "$T/standby.yaml"
expect_exit 0
expect_stdout_contains 'No changes since the last refresh.'
echo "ok 2 - changes between refreshes"

# --only reads one account
sb refresh -f "$T/standby.yaml" --only west
expect_exit 0
expect_stdout_contains 'west: 1 deployment'
expect_stdout_lacks 'east:'

# an account that cannot be read keeps its rows, marked stale; the other
# is refreshed
emu_ctl POST /faults '{"resource":"arm","method":"GET","path":"/accounts/east/deployments","action":"status","status":500,"count":100}' > /dev/null
oai_put west other gpt-4o-mini 2024-07-18 Standard 1
sb refresh -f "$T/standby.yaml"
expect_exit 1
expect_stdout_contains 'east: could not be read'
expect_stdout_contains 'cached state kept from the last good read (20'
expect_stdout_contains '+ openai-deployment west/deployments/other'
[ "$(sqlite3 "$DB" "SELECT count(*) FROM openai_deployments WHERE resource = 'east'")" = 1 ] ||
    fail "east's rows were not kept"
[ "$(sqlite3 "$DB" "SELECT stale_since IS NOT NULL FROM resources WHERE name = 'east'")" = 1 ] ||
    fail "east not marked stale"
echo "ok 3 - an unreadable account is reported and its cache kept"
