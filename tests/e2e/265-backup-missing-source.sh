# 265-backup-missing-source: a source project that no longer exists is
# reported (exit 1) while the other projects are still backed up, and a
# source resource that is down fails its exports without losing the
# snapshots already stored.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
drift_setup
emu_seed_project east Concierge "$FIXTURES/projects/clu-travel.json"
sed -i 's/^projects:$/projects:\n  Concierge:\n    kind: conversation\n    source: east\n    replicas: [west]/' "$CFG"
sb backup -f "$CFG"
expect_exit 0
expect_stdout_contains 'Backup complete: 2 succeeded'

pu="$(emu_endpoint east)/language/authoring/analyze-conversations/projects/Concierge"
emu_call east DELETE "$pu?api-version=2023-04-01" > /dev/null
emu_wait_job east "$(emu_oploc)" > /dev/null
sb backup -f "$CFG" --keep 1
expect_exit 1
expect_stderr_contains "warning: Concierge was not found on east at the last refresh: nothing to back up (restore it with 'standby restore')"
expect_stdout_contains 'export:TravelAgent@east: done'
expect_stdout_lacks 'export:Concierge'
sb snapshots -f "$CFG" Concierge --format json
[ "$(jq '.snapshots | length' "$T/stdout")" = 1 ] || fail "Concierge's snapshot was lost"
echo "ok 1 - a missing source project is reported, the others are backed up"

emu_ctl POST /faults '{"action":"status","status":403,"method":"POST","resource":"east","path":":export$"}' > /dev/null
sb backup -f "$CFG" --only TravelAgent
expect_exit 1
expect_stdout_contains 'export:TravelAgent@east: failed'
expect_stdout_contains 'Backup failed: 0 succeeded, 1 failed'
sb snapshots -f "$CFG" --format json
[ "$(jq '.snapshots | length' "$T/stdout")" = 2 ] || fail "snapshots changed"
[ -f "$T/.standby/state.db" ] || fail "no state file at $T/.standby/state.db"
expect_no_keys "$T/.standby/state.db"
echo "ok 2 - a failing source fails its export and keeps what was stored"
