# 243-drift-deep: --deep exports the sources (POST :export, nothing else
# that changes anything) and compares snapshot hashes instead of
# timestamps: a source re-imported with the same content is in sync by
# hash (though its timestamp moved), a real edit is source_ahead with the
# hashes, and a replica set up by hand (no record) is exported too and
# compared by content.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
drift_setup
drift_apply

emu_ctl DELETE /requests > /dev/null
drift_json --deep
expect_exit 0
expect_only_reads 'POST .*/TravelAgent/:export'
n=$(emu_requests | jq '[.[] | select(.method == "POST")] | length')
[ "$n" = 1 ] || fail "$n exports, want 1 (east only: the replicas have records)"
[ "$(emu_requests west | jq '[.[] | select(.method == "POST")] | length')" = 0 ] ||
    fail "a replica with a record was exported"
jq -e '.deep == true' "$T/drift.json" > /dev/null || fail "deep flag"
echo "ok 1 - in sync by hash; only GETs and one POST :export"

# Same content again: the timestamp moves, the content does not.
sleep 1
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
drift_json
expect_exit 2
[ "$(finding west)" = source_ahead ] || fail "by timestamps: $(finding west)"
drift_json --deep
expect_exit 0
[ "$(finding west)" = "" ] || fail "by hash: $(finding west)"
echo "ok 2 - a touched but unchanged source is in sync by hash"

# A real edit.
jq '.metadata.description = "Books flights, hotels and cars"' \
    "$FIXTURES/projects/clu-travel.json" > "$T/edited.json"
emu_seed_project east TravelAgent "$T/edited.json"
emu_ctl DELETE /requests > /dev/null
drift_json --deep
expect_exit 2
expect_only_reads 'POST .*/TravelAgent/:export'
[ "$(finding west)" = source_ahead ] || fail "west: $(finding west)"
jq -e '.units[] | select(.resource == "west") | .findings[0] |
    (.deep.source_hash | length == 64) and (.deep.replica_snapshot | length == 64)
    and .deep.source_hash != .deep.replica_snapshot and .exposure_seconds >= 0' \
    "$T/drift.json" > /dev/null || fail "deep hashes: $(jq -c '.units[1]' "$T/drift.json")"
check_schema drift "$T/drift.json"
sb drift -f "$CFG" --deep
expect_stdout_contains 'source_ahead: The export of TravelAgent on east ('
expect_stdout_contains 'Drift: 2 of 3 rows (2 source_ahead).'
echo "ok 3 - an edited source is source_ahead by hash"

# A replica set up by hand on a new resource: no record, so its export is
# compared by content (projectName equal by design).
emu_seed_project west Concierge "$T/edited.json"
emu_seed_project east Concierge "$T/edited.json"
emu_train west Concierge v1
emu_deploy west Concierge production v1
sed -i 's/^projects:$/projects:\n  Concierge:\n    kind: conversation\n    source: east\n    replicas: [west]\n    model: { label: v1 }\n    deployments: { production: v1 }/' "$CFG"
# By timestamps west is older than east: behind; by content it is not.
drift_json
[ "$(jq -r '[.units[] | select(.project == "Concierge" and .resource == "west") | .findings[].code] | join(",")' "$T/drift.json")" = source_ahead ] ||
    fail "adopted Concierge by timestamps: $(jq -c '.units[] | select(.project == "Concierge")' "$T/drift.json")"
emu_ctl DELETE /requests > /dev/null
drift_json --deep
[ "$(jq -r '[.units[] | select(.project == "Concierge" and .resource == "west") | .findings[].code] | join(",")' "$T/drift.json")" = "" ] ||
    fail "adopted Concierge: $(jq -c '.units[] | select(.project == "Concierge")' "$T/drift.json")"
[ "$(emu_requests west | jq '[.[] | select(.method == "POST")] | length')" = 1 ] ||
    fail "the replica without a record was not exported"
expect_only_reads 'POST .*/(TravelAgent|Concierge)/:export'
# Now west holds other content, newer than east's: by timestamps it
# would be adopted; by content it differs (and its model predates it).
emu_seed_project west Concierge "$FIXTURES/projects/clu-travel.json"
drift_json --deep
[ "$(jq -r '[.units[] | select(.project == "Concierge" and .resource == "west") | .findings[].code] | join(",")' "$T/drift.json")" = source_ahead,model_stale ] ||
    fail "adopted Concierge, content differs: $(jq -c '.units[] | select(.project == "Concierge")' "$T/drift.json")"
echo "ok 4 - a replica without a record is compared by content"
