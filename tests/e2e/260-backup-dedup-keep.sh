# 260-backup-dedup-keep: standby backup exports every source project into
# a snapshot (POST :export and GETs only); a second backup of an unchanged
# source stores nothing new; an edit makes a new snapshot; --keep prunes
# the oldest but never one a replica was built from; keys never show.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
drift_setup
nsnap() {
	sb snapshots -f "$CFG" TravelAgent --format json
	expect_exit 0
	jq '.snapshots | length' "$T/stdout"
}

emu_ctl DELETE /requests > /dev/null
sb backup -f "$CFG"
expect_exit 0
expect_stdout_contains 'export:TravelAgent@east: done: snapshot '
expect_stdout_contains 'Backup complete: 1 succeeded'
expect_no_keys
expect_only_reads 'POST .*/TravelAgent/:export'
[ "$(nsnap)" = 1 ] || fail "$(nsnap) snapshots after one backup, want 1"
first=$(jq -r '.snapshots[0].hash' "$T/stdout")
jq -e '.snapshots[0] | .project == "TravelAgent" and .kind == "conversation"
    and .source_resource == "east" and (.source_modified | length > 0)
    and .size > 0 and .stored_size > 0 and .export_ms >= 0
    and (.taken_at | test("^20[0-9-]+T")) and (.id == .hash[0:12])' \
    "$T/stdout" > /dev/null || fail "metadata: $(cat "$T/stdout")"
echo "ok 1 - a backup stores one snapshot with its metadata"

sb backup -f "$CFG"
expect_exit 0
expect_stdout_contains 'already stored'
[ "$(nsnap)" = 1 ] || fail "an unchanged source made a second snapshot"
echo "ok 2 - a second backup of an unchanged source stores nothing new"

jq '.metadata.description = "Books flights, hotels and cars"' \
    "$FIXTURES/projects/clu-travel.json" > "$T/edited.json"
emu_seed_project east TravelAgent "$T/edited.json"
sb backup -f "$CFG" --only TravelAgent
expect_exit 0
[ "$(nsnap)" = 2 ] || fail "$(nsnap) snapshots after an edit, want 2"
second=$(jq -r '.snapshots[0].hash' "$T/stdout")
[ "$second" != "$first" ] || fail "the newest snapshot is not the edit"
echo "ok 3 - an edited source gets a new snapshot, listed first"

# Back to the first content: that snapshot is the newest again.
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
sb backup -f "$CFG"
expect_exit 0
[ "$(nsnap)" = 2 ] || fail "reverted content was stored twice"
[ "$(jq -r '.snapshots[0].hash' "$T/stdout")" = "$first" ] ||
    fail "after a revert the newest is not the first content"
echo "ok 4 - content that comes back is the newest again"

# --keep 1 prunes the edit (not the newest); with a replica built from
# the older one, that one is spared.
sb backup -f "$CFG" --keep 1
expect_exit 0
expect_stdout_contains "pruned snapshot $(echo "$second" | cut -c1-12) of TravelAgent"
[ "$(nsnap)" = 1 ] || fail "--keep 1 left $(nsnap)"
emu_seed_project east TravelAgent "$T/edited.json"
drift_apply
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
sb backup -f "$CFG" --keep 1
expect_exit 0
expect_stdout_lacks 'pruned'
[ "$(nsnap)" = 2 ] || fail "the snapshot the replicas were built from was pruned"
echo "ok 5 - --keep prunes the oldest, never one a replica was built from"

sb backup -f "$CFG" --keep 0
expect_exit 1
expect_stderr_contains "--keep: '0' is not a number"
sb backup -f "$CFG" --only Nope
expect_exit 1
expect_stderr_contains "--only: no project 'Nope'"
echo "ok 6 - bad options are named"
