# 060-openai-deployments: the ARM listener for openai accounts: bearer
# auth (management audience only), deployments created in two accounts
# through their async operations with server defaults filled in, PATCH and
# DELETE with Location polling, one write per account (409
# RequestConflict), quota shared by the accounts of a region
# (InsufficientQuota), model availability and quota set by the control
# API, asynchronous failure, paging, faults and the request log.
. ./e2e/lib.sh
emu_start --resource openai:east@eastus --resource openai:east2@eastus \
    --resource openai:west@westus2 --retry-after 0 --job-time deployment=manual:1
V=api-version=2026-03-01
EAST=$(emu_account_id east)
WEST=$(emu_account_id west)
[ "$EAST" = /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-emulator/providers/Microsoft.CognitiveServices/accounts/east ] ||
    fail "account id $EAST"

# --- auth and api-version
st=$(emu_curl -o "$T/b" -w '%{http_code}' "$(emu_arm)$EAST?$V")
[ "$st" = 401 ] && jq -e '.error.code == "AuthenticationFailed"' "$T/b" > /dev/null || fail "no token: $st $(cat "$T/b")"
CS=$(emu_token https://cognitiveservices.azure.com/.default)
st=$(emu_curl -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer $CS" "$(emu_arm)$EAST?$V")
[ "$st" = 401 ] && jq -e '.error.code == "InvalidAuthenticationTokenAudience"' "$T/b" > /dev/null || fail "wrong audience: $st"
st=$(emu_curl -o "$T/b" -w '%{http_code}' -H "api-key: $(emu_key east)" "$(emu_arm)$EAST?$V")
[ "$st" = 401 ] || fail "api-key accepted by ARM: $st"
emu_arm_call GET "$EAST" > /dev/null
[ "$(cat "$T/emu.status")" = 400 ] && jq -e '.error.code == "MissingApiVersionParameter"' "$T/emu.body" > /dev/null ||
    fail "no api-version: $(cat "$T/emu.status")"
emu_arm_call GET "$EAST?api-version=2020-01-01" > /dev/null
[ "$(cat "$T/emu.status")" = 400 ] || fail "old api-version accepted"
emu_arm_call GET "$EAST?$V" > "$T/acct.json"
[ "$(cat "$T/emu.status")" = 200 ] || fail "GET account: $(cat "$T/emu.status")"
jq -e --arg e "$(emu_endpoint east)/" '.kind == "OpenAI" and .location == "eastus" and .properties.endpoint == $e' "$T/acct.json" > /dev/null ||
    fail "account: $(cat "$T/acct.json")"
emu_arm_call GET "${EAST%east}nope?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 404 ] || fail "unknown account: $(cat "$T/emu.status")"
echo "ok 1 - ARM takes management tokens only, needs api-version, serves the account"

# --- create in two accounts: 201, Azure-AsyncOperation, defaults
printf '{"sku":{"name":"GlobalStandard","capacity":100},"properties":{"model":{"format":"OpenAI","name":"gpt-4o"}}}' > "$T/put.json"
emu_arm_call PUT "$EAST/deployments/chat?$V" "$T/put.json" > "$T/d.json"
[ "$(cat "$T/emu.status")" = 201 ] || fail "PUT: $(cat "$T/emu.status") $(cat "$T/d.json")"
OP=$(emu_header Azure-AsyncOperation)
case $OP in "$(emu_arm)"/subscriptions/*/operationStatuses/*"$V") ;; *) fail "Azure-AsyncOperation '$OP'" ;; esac
[ "$(emu_header Retry-After)" = 0 ] || fail "no Retry-After"
jq -e '.properties.provisioningState == "Accepted" and .properties.raiPolicyName == "Microsoft.DefaultV2"
    and .properties.versionUpgradeOption == "OnceNewDefaultVersionAvailable"
    and .properties.model.version == "2024-08-06" and .sku.capacity == 100' "$T/d.json" > /dev/null ||
    fail "201 body: $(cat "$T/d.json")"
# one write at a time per account; another account is independent
emu_arm_call PUT "$EAST/deployments/chat2?$V" "$T/put.json" > /dev/null
[ "$(cat "$T/emu.status")" = 409 ] || fail "parallel PUT: $(cat "$T/emu.status")"
jq -e --arg id "$EAST" '.error.code == "RequestConflict" and .error.message ==
    "Another operation is being performed on the parent resource '"'"'\($id)'"'"'. Please try again later."' "$T/emu.body" > /dev/null ||
    fail "409 body: $(cat "$T/emu.body")"
emu_arm_call DELETE "$EAST/deployments/chat?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 409 ] || fail "DELETE during create: $(cat "$T/emu.status")"
emu_arm_call PUT "$WEST/deployments/chat?$V" "$T/put.json" > /dev/null
[ "$(cat "$T/emu.status")" = 201 ] || fail "PUT on west: $(cat "$T/emu.status")"
OPW=$(emu_header Azure-AsyncOperation)
echo "ok 2 - create answers 201 with Azure-AsyncOperation, defaults; one write per account"

# manual:1: Accepted, Creating, then Succeeded, one step per poll
seq=""
for i in 1 2 3; do
	emu_arm_call GET "$OP" > /dev/null
	s=$(jq -r .status "$T/emu.body")
	p=$(emu_arm_call GET "$EAST/deployments/chat?$V" | jq -r .properties.provisioningState)
	seq="$seq $s/$p"
done
[ "$seq" = " InProgress/Accepted InProgress/Creating Succeeded/Succeeded" ] || fail "states:$seq"
[ "$(emu_arm_wait "$OPW")" = Succeeded ] || fail "west create"
emu_arm_call GET "$EAST/deployments/chat?$V" | jq -e '.properties.model.name == "gpt-4o" and (.id | endswith("/accounts/east/deployments/chat"))' > /dev/null ||
    fail "GET: $(cat "$T/emu.body")"
# the same PUT again changes nothing: 200, no operation
emu_arm_call PUT "$EAST/deployments/chat?$V" "$T/put.json" > /dev/null
[ "$(cat "$T/emu.status")" = 200 ] && [ -z "$(emu_header Azure-AsyncOperation)" ] ||
    fail "idempotent PUT: $(cat "$T/emu.status")"
echo "ok 3 - provisioningState Accepted -> Creating -> Succeeded; unchanged PUT is 200"

# --- PATCH capacity: 202 with Location and Azure-AsyncOperation
printf '{"sku":{"capacity":120}}' > "$T/patch.json"
emu_arm_call PATCH "$EAST/deployments/chat?$V" "$T/patch.json" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "PATCH: $(cat "$T/emu.status") $(cat "$T/emu.body")"
LOC=$(emu_header Location)
[ -n "$LOC" ] && [ -n "$(emu_header Azure-AsyncOperation)" ] || fail "PATCH 202 headers: $(cat "$T/emu.h")"
emu_arm_call GET "$LOC" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "Location poll in progress: $(cat "$T/emu.status")"
emu_arm_call GET "$LOC" > /dev/null
emu_arm_call GET "$LOC" > "$T/p.json"
[ "$(cat "$T/emu.status")" = 200 ] && jq -e '.sku.capacity == 120 and .sku.name == "GlobalStandard" and .properties.provisioningState == "Succeeded"' "$T/p.json" > /dev/null ||
    fail "Location result: $(cat "$T/emu.status") $(cat "$T/p.json")"
echo "ok 4 - PATCH capacity through a Location operation"

# --- quota is per region, summed over its accounts
emu_ctl PUT /regions/eastus/quota '{"usage":"OpenAI.GlobalStandard.gpt-4o","limit":150}' > /dev/null
emu_arm_call GET "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.CognitiveServices/locations/eastus/usages?$V" > "$T/u.json"
jq -e '.value[] | select(.name.value == "OpenAI.GlobalStandard.gpt-4o") | .currentValue == 120 and .limit == 150' "$T/u.json" > /dev/null ||
    fail "usages: $(cat "$T/u.json")"
emu_arm_call GET "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.CognitiveServices/locations/eastus/usages?$V&\$filter=name.value%20eq%20'OpenAI.GlobalStandard.gpt-4o'" |
    jq -e '.value | length == 1' > /dev/null || fail "\$filter: $(cat "$T/emu.body")"
emu_arm_call PUT "$(emu_account_id east2)/deployments/chat?$V" "$T/put.json" > /dev/null
[ "$(cat "$T/emu.status")" = 400 ] || fail "over quota: $(cat "$T/emu.status")"
jq -e '.error.code == "InsufficientQuota" and (.error.message | startswith("This operation require 100 new capacity in quota Tokens Per Minute (thousands) - gpt-4o - GlobalStandard, which is bigger than the current available capacity 30. The current quota usage is 120 and the quota limit is 150"))' "$T/emu.body" > /dev/null ||
    fail "InsufficientQuota: $(cat "$T/emu.body")"
printf '{"sku":{"name":"GlobalStandard","capacity":30},"properties":{"model":{"format":"OpenAI","name":"gpt-4o"}}}' > "$T/put30.json"
emu_arm_call PUT "$(emu_account_id east2)/deployments/chat?$V" "$T/put30.json" > /dev/null
[ "$(cat "$T/emu.status")" = 201 ] || fail "exactly the free quota: $(cat "$T/emu.status") $(cat "$T/emu.body")"
# westus2 has its own quota
emu_arm_call GET "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.CognitiveServices/locations/westus2/usages?$V" |
    jq -e '.value[] | select(.name.value == "OpenAI.GlobalStandard.gpt-4o") | .currentValue == 100 and .limit == 450' > /dev/null ||
    fail "westus2 usages: $(cat "$T/emu.body")"
echo "ok 5 - quota summed over a region's accounts; InsufficientQuota"

# --- model availability per region
M="/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.CognitiveServices/locations/westus2/models?$V"
emu_arm_call GET "$M" | jq -e '[.value[].model | select(.name == "gpt-4o" and .version == "2024-11-20")] | length == 1' > /dev/null ||
    fail "models: $(cat "$T/emu.body")"
emu_ctl PUT /regions/westus2/models '{"model":"gpt-4o","version":"2024-11-20","sku":"GlobalStandard","available":false}' > /dev/null
emu_arm_call GET "$M" | jq -e '.value[].model | select(.name == "gpt-4o" and .version == "2024-11-20") | [.skus[].name] | index("GlobalStandard") == null and index("Standard") != null' > /dev/null ||
    fail "SKU not removed: $(cat "$T/emu.body")"
printf '{"sku":{"name":"GlobalStandard","capacity":10},"properties":{"model":{"format":"OpenAI","name":"gpt-4o","version":"2024-11-20"}}}' > "$T/put1120.json"
emu_arm_call PUT "$WEST/deployments/new?$V" "$T/put1120.json" > /dev/null
[ "$(cat "$T/emu.status")" = 400 ] && jq -e '.error.code == "InvalidResourceProperties"' "$T/emu.body" > /dev/null ||
    fail "removed SKU: $(cat "$T/emu.status") $(cat "$T/emu.body")"
emu_ctl PUT /regions/westus2/models '{"model":"gpt-4o","version":"2024-11-20","available":false}' > /dev/null
emu_arm_call GET "$M" | jq -e '[.value[].model | select(.name == "gpt-4o" and .version == "2024-11-20")] | length == 0' > /dev/null ||
    fail "version not removed"
emu_arm_call PUT "$WEST/deployments/new?$V" "$T/put1120.json" > /dev/null
[ "$(cat "$T/emu.status")" = 400 ] && jq -e '.error.code == "DeploymentModelNotSupported"' "$T/emu.body" > /dev/null ||
    fail "removed model: $(cat "$T/emu.status") $(cat "$T/emu.body")"
printf '{"sku":{"name":"S0","capacity":1},"properties":{"model":{"format":"OpenAI","name":"gpt-4o"}}}' > "$T/s0.json"
emu_arm_call PUT "$WEST/deployments/new?$V" "$T/s0.json" > /dev/null
jq -e '.error.message == "The deployment sku name '"'"'S0'"'"' is invalid."' "$T/emu.body" > /dev/null || fail "S0: $(cat "$T/emu.body")"
emu_ctl PUT /regions/westus2/models '{"model":"gpt-4o","available":true}' > /dev/null
emu_arm_call GET "$M" | jq -e '[.value[].model | select(.name == "gpt-4o")] | length == 2' > /dev/null || fail "not restored"
echo "ok 6 - availability set by the control API decides models and PUTs"

# --- an operation that fails asynchronously
emu_ctl PUT /resources/west/fail-next '{"code":"InternalServerError","message":"capacity vanished"}' > /dev/null
printf '{"sku":{"name":"Standard","capacity":5},"properties":{"model":{"format":"OpenAI","name":"gpt-4o-mini"},"raiPolicyName":"Custom"}}' > "$T/mini.json"
emu_arm_call PUT "$WEST/deployments/mini?$V" "$T/mini.json" > /dev/null
[ "$(cat "$T/emu.status")" = 201 ] || fail "PUT mini: $(cat "$T/emu.status")"
[ "$(emu_arm_wait "$(emu_header Azure-AsyncOperation)")" = Failed ] || fail "not Failed"
jq -e '.error.code == "InternalServerError" and .error.message == "capacity vanished"' "$T/emu.body" > /dev/null || fail "op error: $(cat "$T/emu.body")"
emu_arm_call GET "$WEST/deployments/mini?$V" | jq -e '.properties.provisioningState == "Failed" and .properties.raiPolicyName == "Custom"' > /dev/null ||
    fail "Failed state: $(cat "$T/emu.body")"
echo "ok 7 - asynchronous failure: operation Failed, provisioningState Failed"

# --- list with nextLink paging
emu_ctl PUT /arm '{"page_size":1}' > /dev/null
emu_arm_call GET "$WEST/deployments?$V" > "$T/l1.json"
NEXT=$(jq -r .nextLink "$T/l1.json")
case $NEXT in "$(emu_arm)"*"$V"*) ;; *) fail "nextLink '$NEXT'" ;; esac
emu_arm_call GET "$NEXT" > "$T/l2.json"
jq -s -e '(.[0].value + .[1].value | map(.name) | sort) == ["chat","mini"] and (.[1] | has("nextLink") | not)' "$T/l1.json" "$T/l2.json" > /dev/null ||
    fail "paging: $(cat "$T/l1.json" "$T/l2.json")"
echo "ok 8 - deployments list pages with nextLink"

# --- DELETE: 202 + Location, then 404; again: 204
emu_arm_call DELETE "$WEST/deployments/chat?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] && [ -n "$(emu_header Location)" ] || fail "DELETE: $(cat "$T/emu.status")"
LOC=$(emu_header Location)
emu_arm_call GET "$WEST/deployments/chat?$V" | jq -e '.properties.provisioningState == "Deleting"' > /dev/null || fail "not Deleting"
for i in 1 2 3; do emu_arm_call GET "$LOC" > /dev/null; done
[ "$(cat "$T/emu.status")" = 204 ] || fail "delete result: $(cat "$T/emu.status")"
emu_arm_call GET "$WEST/deployments/chat?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 404 ] && jq -e '.error.code == "NotFound"' "$T/emu.body" > /dev/null || fail "deleted: $(cat "$T/emu.status")"
emu_arm_call DELETE "$WEST/deployments/chat?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 204 ] || fail "DELETE missing: $(cat "$T/emu.status")"
# with a job time of 0 writes end within the request
emu_ctl POST /job-time '{"deployment":"0"}' > /dev/null
printf '{"sku":{"capacity":2}}' > "$T/patch2.json"
emu_arm_call PATCH "$WEST/deployments/mini?$V" "$T/patch2.json" | jq -e '.sku.capacity == 2 and .properties.provisioningState == "Succeeded"' > /dev/null ||
    fail "sync PATCH: $(cat "$T/emu.status") $(cat "$T/emu.body")"
emu_arm_call DELETE "$WEST/deployments/mini?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 200 ] || fail "sync DELETE: $(cat "$T/emu.status")"
echo "ok 9 - DELETE 202/Location, 204 when missing, 200 when immediate"

# --- faults and the request log cover the ARM listener
emu_ctl POST /faults '{"resource":"arm","method":"GET","path":"/deployments$","action":"status","status":503,"count":1}' > /dev/null
emu_arm_call GET "$EAST/deployments?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 503 ] || fail "fault on arm: $(cat "$T/emu.status")"
emu_arm_call GET "$EAST/deployments?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 200 ] || fail "after the fault: $(cat "$T/emu.status")"
emu_requests arm > "$T/log.json"
jq -e 'map(select(.resource == "arm")) | length > 10 and all(.headers.authorization == null or .headers.authorization == "Bearer ***")' "$T/log.json" > /dev/null ||
    fail "arm log: $(head -c 1000 "$T/log.json")"
expect_file_lacks "$T/log.json" "$(cat "$T/arm.token")"
emu_ctl POST /reset > /dev/null
rm -f "$T/arm.token"
emu_arm_call GET "$EAST/deployments?$V" | jq -e '.value == []' > /dev/null || fail "reset kept deployments"
emu_ctl GET /regions/eastus/quota | jq -e '.value[] | select(.name.value == "OpenAI.GlobalStandard.gpt-4o") | .limit == 450' > /dev/null ||
    fail "reset kept quota"
echo "ok 10 - faults, request log (token masked) and reset on the ARM listener"
emu_stop
