# 264-restore-damaged-source: a source project damaged by hand is put
# back to a chosen earlier snapshot (--snapshot with a short id); without
# --auto-approve and no terminal the restore is refused and changes
# nothing; afterwards apply carries the restored content to the replicas.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
. ./e2e/apply_lib.sh
drift_setup
drift_apply
sb backup -f "$CFG"
expect_exit 0
sb snapshots -f "$CFG" --format json
good=$(jq -r '.snapshots[0].hash' "$T/stdout")

# Damage: utterances dropped by hand; a backup records the damage too.
jq '.assets.utterances = [] | .metadata.description = "damaged"' \
    "$FIXTURES/projects/clu-travel.json" > "$T/damaged.json"
emu_seed_project east TravelAgent "$T/damaged.json"
sb backup -f "$CFG"
expect_exit 0
sb snapshots -f "$CFG" TravelAgent --format json
[ "$(jq '.snapshots | length' "$T/stdout")" = 2 ] || fail "the damage was not backed up"
[ "$(jq -r '.snapshots[0].hash' "$T/stdout")" != "$good" ] || fail "order"

emu_ctl DELETE /requests > /dev/null
sb restore TravelAgent --to east -f "$CFG" --snapshot "$(echo "$good" | cut -c1-10)"
expect_exit 1
expect_stdout_contains '± import TravelAgent'
expect_stderr_contains 'restore needs a confirmation and stdin is not a terminal'
[ -z "$(apply_changes)" ] || fail "a refused restore changed: $(apply_changes)"
echo "ok 1 - without a confirmation the plan is shown and nothing changes"

sb restore TravelAgent --to east -f "$CFG" --snapshot "$(echo "$good" | cut -c1-10)" --auto-approve
expect_exit 0
expect_stdout_contains "Restoring TravelAgent on east from snapshot $(echo "$good" | cut -c1-12)"
expect_stdout_contains 'Restore complete: 3 succeeded'
sb backup -f "$CFG"
expect_exit 0
sb snapshots -f "$CFG" TravelAgent --format json
[ "$(jq -r '.snapshots[0].hash' "$T/stdout")" = "$good" ] ||
    fail "the restored source exports as $(jq -r '.snapshots[0].hash' "$T/stdout"), not $good"
echo "ok 2 - the damaged source is put back to the chosen snapshot"

drift_apply
expect_stdout_contains 'import:TravelAgent@west: done'
drift_json --deep
expect_exit 0
echo "ok 3 - apply then carries the restored content to the replicas"
