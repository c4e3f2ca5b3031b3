# 241-drift-replica-model-deployment: each finding about a replica, made
# by hand through the real API, with exit 2: replica changed by hand,
# deployment missing, deployment serving another model, model missing,
# and deployments/models expiring within --expiry-window (with dates).
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
drift_setup
drift_apply
W="$(emu_endpoint west)/language/authoring/analyze-conversations/projects/TravelAgent"

# Replica changed by hand: re-imported on west behind standby's back.
sleep 1
emu_seed_project west TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_ctl DELETE /requests > /dev/null
drift_json
expect_exit 2
expect_only_reads
[ "$(finding west)" = replica_modified ] || fail "west: $(finding west)"
[ "$(finding north)" = "" ] || fail "north: $(finding north)"
echo "ok 1 - replica changed by hand"
drift_apply

# Deployment missing on north.
emu_call north DELETE "$(emu_endpoint north)/language/authoring/analyze-conversations/projects/TravelAgent/deployments/production?api-version=2023-04-01" > /dev/null
emu_wait_job north "$(emu_oploc)" > /dev/null
# west's production serves another model.
emu_train west TravelAgent v2
emu_deploy west TravelAgent production v2
drift_json
expect_exit 2
[ "$(finding north)" = deployment_missing ] || fail "north: $(finding north)"
[ "$(finding west)" = deployment_mismatch ] || fail "west: $(finding west)"
jq -e '.units[] | select(.resource == "west") | .findings[0].object ==
    "west/TravelAgent/deployments/production"' "$T/drift.json" > /dev/null ||
    fail "object of the mismatch"
echo "ok 2 - deployment missing, deployment serving another model"
drift_apply

# Model missing: the configuration now wants v3.
sed -i 's/label: v1/label: v3/; s/production: v1/production: v3/' "$CFG"
drift_json
expect_exit 2
[ "$(finding west)" = "model_missing" ] || fail "west: $(finding west)"
sed -i 's/label: v3/label: v1/; s/production: v3/production: v1/' "$CFG"
echo "ok 3 - model missing"

# Expiring: north's deployment in 10 days, west's model in 20 days, the
# source's deployment in 40 days (outside the default 30-day window).
d10=$(date -u -d '+10 days' +%F) d20=$(date -u -d '+20 days' +%F)
d40=$(date -u -d '+40 days' +%F)
emu_ctl PUT /resources/north/projects/TravelAgent/deployments/production/expiration "{\"date\":\"$d10\"}" > /dev/null
emu_ctl PUT /resources/west/projects/TravelAgent/models/v1/expiration "{\"date\":\"$d20\"}" > /dev/null
emu_ctl PUT /resources/east/projects/TravelAgent/deployments/production/expiration "{\"date\":\"$d40\"}" > /dev/null
drift_json
expect_exit 2
[ "$(finding north)" = expiring ] || fail "north: $(finding north)"
[ "$(finding west)" = expiring ] || fail "west: $(finding west)"
[ "$(finding east)" = "" ] || fail "east: $(finding east)"
jq -e --arg d "$d10" '.units[] | select(.resource == "north") | .findings[0] |
    .expires == $d and (.days_left == 9 or .days_left == 10) and
    .object == "north/TravelAgent/deployments/production"' "$T/drift.json" > /dev/null ||
    fail "north's expiry: $(jq -c '.units[2]' "$T/drift.json")"
jq -e --arg d "$d20" '.units[] | select(.resource == "west") | .findings[0] |
    .expires == $d and .object == "west/TravelAgent/models/v1"' "$T/drift.json" > /dev/null ||
    fail "west's expiry"
check_schema drift "$T/drift.json"
drift_json --expiry-window 45d
[ "$(finding east)" = expiring ] || fail "east with 45d: $(finding east)"
drift_json --expiry-window 5d
expect_exit 0
[ "$(jq -r .status "$T/drift.json")" = in_sync ] || fail "5d window"
sb drift -f "$CFG"
expect_exit 2
expect_stdout_contains "Deployment production of TravelAgent on north expires on $d10"
echo "ok 4 - expiring within the window, with dates"
