# 250-status-ready-stale: after apply every row is ready (exit 0), while
# another process holds the apply lock, sending only GETs; after the
# source is edited in the emulator the replicas are stale (exit 2) with
# source_ahead as the reason, in text and json.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
drift_setup
drift_apply

# A lock held by a live process (this shell): status must not need it.
DB=$T/.standby/state.db
sqlite3 "$DB" "INSERT INTO lock VALUES (1, 'held-by-test', $$, 'h', 'u',
    'apply', strftime('%s', 'now'))" || fail "cannot plant the lock"
emu_ctl DELETE /requests > /dev/null
sb status -f "$CFG"
expect_exit 0
expect_only_reads
expect_stdout_contains ': 3 ready, 0 stale, 0 not ready.'
expect_stdout_contains '  TravelAgent         ready         ready         ready'
expect_stdout_contains 'TravelAgent on west (westus2, replica): ready'
expect_stdout_contains 'last replicated  20'
expect_stdout_contains 'from east, snapshot '
expect_stdout_contains 'deployments      production -> v1-'
[ "$(sqlite3 "$DB" 'SELECT lock_id FROM lock')" = held-by-test ] ||
    fail "status touched the lock"
echo "ok 1 - applied: all ready, exit 0, lock untouched, only GETs"

sb status -f "$CFG" --format json
expect_exit 0
cp "$T/stdout" "$T/ready.json"
jq -e '.verdict == "ready" and .summary == {"ready": 3, "stale": 0, "not_ready": 0}
    and .regions == ["eastus", "westus2", "northeurope"]
    and .matrix[0].regions.westus2 == "ready"' "$T/ready.json" > /dev/null ||
    fail "json: $(cat "$T/ready.json")"
snap=$(sqlite3 "$DB" "SELECT snapshot FROM replications WHERE replica_resource = 'west'")
jq -e --arg s "$snap" '.rows[] | select(.resource == "west") |
    .last_replicated.snapshot == $s and .last_replicated.from == "east"
    and .models[0].label == "v1" and .models[0].snapshot == $s
    and .deployments[0].name == "production"
    and (.data_age_seconds | type) == "number"' "$T/ready.json" > /dev/null ||
    fail "west row: $(jq -c '.rows[1]' "$T/ready.json") (snapshot $snap)"
echo "ok 2 - json: the snapshot replicated and trained from, deployments"

sleep 1
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
sb status -f "$CFG" --format json
expect_exit 2
cp "$T/stdout" "$T/stale.json"
jq -e '.verdict == "stale" and .summary == {"ready": 1, "stale": 2, "not_ready": 0}
    and ([.rows[] | select(.role == "replica") | .verdict] == ["stale", "stale"])
    and ([.rows[] | select(.role == "replica") | .findings[0].code] ==
        ["source_ahead", "source_ahead"])
    and .matrix[0].regions.eastus == "ready"
    and .matrix[0].regions.westus2 == "stale"' "$T/stale.json" > /dev/null ||
    fail "stale: $(cat "$T/stale.json")"
sb status -f "$CFG"
expect_exit 2
expect_stdout_contains ': 1 ready, 2 stale, 0 not ready.'
expect_stdout_contains 'TravelAgent on north (northeurope, replica): stale'
expect_stdout_contains '! source_ahead: TravelAgent on east was modified at'
expect_no_keys "$T/ready.json" "$T/stale.json"
echo "ok 3 - source edited: replicas stale with source_ahead, exit 2"
