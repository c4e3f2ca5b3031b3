# 261-restore-deleted-source: after the source project is deleted in the
# emulator, standby restore rebuilds it from the latest snapshot (import,
# train, deploy as configured), and a fresh export of it has the very
# hash of the snapshot; a second restore has nothing to do.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
. ./e2e/apply_lib.sh
drift_setup
sb backup -f "$CFG"
expect_exit 0
sb snapshots -f "$CFG" --format json
hash=$(jq -r '.snapshots[0].hash' "$T/stdout")

pu="$(emu_endpoint east)/language/authoring/analyze-conversations/projects/TravelAgent"
emu_call east DELETE "$pu?api-version=2023-04-01" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "delete: HTTP $(cat "$T/emu.status")"
emu_wait_job east "$(emu_oploc)" > /dev/null
emu_call east GET "$pu?api-version=2023-04-01" > /dev/null
[ "$(cat "$T/emu.status")" = 404 ] || fail "the project was not deleted"

emu_ctl DELETE /requests > /dev/null
sb restore TravelAgent --to east -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains "Restoring TravelAgent on east from snapshot $(echo "$hash" | cut -c1-12)"
expect_stdout_contains 'import:TravelAgent@east: done'
expect_stdout_contains 'train:TravelAgent@east/v1: done'
expect_stdout_contains 'deploy:TravelAgent@east/production: done'
expect_stdout_contains 'Restore complete: 3 succeeded'
expect_no_keys
[ -z "$(apply_changes west; apply_changes north)" ] || fail "the replicas were touched"
echo "ok 1 - the deleted source project is imported, trained and deployed"

emu_call east GET "$pu/deployments/production?api-version=2023-04-01" > /dev/null
[ "$(cat "$T/emu.status")" = 200 ] || fail "no deployment after restore"
[ "$(jq -r .modelId "$T/emu.body")" != null ] || fail "deployment has no model"

# A fresh export: the same bytes, so the same hash (stored once).
sb backup -f "$CFG"
expect_exit 0
expect_stdout_contains "snapshot $(echo "$hash" | cut -c1-12)"
expect_stdout_contains 'already stored'
sb snapshots export "$(echo "$hash" | cut -c1-8)" -f "$CFG" -o "$T/snap.json"
expect_exit 0
xu="$(emu_endpoint east)/language/authoring/analyze-conversations/projects/TravelAgent/:export?api-version=2023-04-01&stringIndexType=Utf16CodeUnit"
emu_call east POST "$xu" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "export: HTTP $(cat "$T/emu.status")"
res=$(emu_wait_job east "$(emu_oploc)" | jq -r .resultUrl)
emu_call east GET "$res" > "$T/fresh.json"
[ "$(sha256sum < "$T/fresh.json" | cut -d' ' -f1)" = "$hash" ] ||
    fail "the restored project exports differently: $(diff "$T/snap.json" "$T/fresh.json" | head -5)"
echo "ok 2 - a fresh export of the restored project has the snapshot's hash"

emu_ctl DELETE /requests > /dev/null
sb restore TravelAgent --to east -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains "Nothing to restore: TravelAgent on east holds snapshot"
[ -z "$(apply_changes)" ] || fail "a second restore changed: $(apply_changes)"
echo "ok 3 - a second restore of the same snapshot has nothing to do"

# Replicas: apply afterwards brings them in line with the restored source.
drift_apply
drift_json
expect_exit 0
echo "ok 4 - the replicas are in sync after the restore and an apply"
