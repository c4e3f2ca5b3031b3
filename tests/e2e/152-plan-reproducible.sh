# 152-plan-reproducible: the same config and state give byte-identical
# JSON; created_at comes from SOURCE_DATE_EPOCH; --format json prints what
# -o saves.
. ./e2e/lib.sh
. ./e2e/plan_fixture.sh

plan_config
plan_source
plan_replica
# The source changed since the replica was built: export and rebuild.
plan_state <<EOS
refresh lang-east
project TravelAgent projectKind=Conversation lastModifiedDateTime=2026-11-20T08:00:00Z
model TravelAgent v7 modelId=$MID expiration=2027-06-01
deployment TravelAgent production modelId=$MID expiration=2027-12-01
commit
EOS
run standby plan -f "$T/standby.yaml" --refresh=false -o "$T/a.json" --format json
expect_exit 0
cp "$T/stdout" "$T/stdout.json"
run standby plan -f "$T/standby.yaml" --refresh=false -o "$T/b.json"
expect_exit 0
cmp "$T/a.json" "$T/b.json" || fail "two plans of the same input differ"
cmp "$T/a.json" "$T/stdout.json" || fail "--format json differs from -o"
grep -q '"created_at": "2026-11-23T10:00:00Z"' "$T/a.json" ||
    fail "created_at is not SOURCE_DATE_EPOCH"
grep -q '"id": "export:TravelAgent@lang-east"' "$T/a.json" || fail "no export"
grep -q '"code": "source_changed"' "$T/a.json" || fail "no source_changed"
plan_schema "$T/a.json"

SOURCE_DATE_EPOCH=1795514400
run standby plan -f "$T/standby.yaml" --refresh=false -o "$T/c.json"
expect_exit 0
grep -q '"created_at": "2026-11-24T10:00:00Z"' "$T/c.json" ||
    fail "created_at does not follow SOURCE_DATE_EPOCH"

SOURCE_DATE_EPOCH=soon
run standby plan -f "$T/standby.yaml" --refresh=false
expect_exit 1
expect_stderr_contains "SOURCE_DATE_EPOCH: 'soon' is not a number of seconds"
