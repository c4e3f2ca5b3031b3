# 252-status-schema: standby status --format json matches
# schema/status.schema.json (checked with python3-jsonschema) when all is
# ready, when a replica is stale and one is not ready, and when a resource
# is down; and the schema rejects a document with an unknown verdict.
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
    fail "needs Debian's python3-jsonschema (make deps)"
drift_setup
drift_apply

sb status -f "$CFG" --format json
expect_exit 0
cp "$T/stdout" "$T/ready.json"
check_schema status "$T/ready.json"
echo "ok 1 - ready: valid"

sleep 1
emu_seed_project west TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_call north DELETE "$(emu_endpoint north)/language/authoring/analyze-conversations/projects/TravelAgent/deployments/production?api-version=2023-04-01" > /dev/null
emu_wait_job north "$(emu_oploc)" > /dev/null
sb status -f "$CFG" --format json --max-age 1h
expect_exit 2
cp "$T/stdout" "$T/mixed.json"
jq -e '[.rows[].verdict] == ["ready", "stale", "not_ready"]
    and .max_age_seconds == 3600' "$T/mixed.json" > /dev/null ||
    fail "verdicts: $(jq -c '[.rows[].verdict]' "$T/mixed.json")"
check_schema status "$T/mixed.json"
echo "ok 2 - stale and not ready: valid"

emu_ctl POST /resources/east/down > /dev/null
sb status -f "$CFG" --format json --max-age 0
expect_exit 2
cp "$T/stdout" "$T/down.json"
jq -e '.max_age_seconds == null and (.rows[0].findings[0].code == "unreachable")' \
    "$T/down.json" > /dev/null || fail "down: $(jq -c '.rows[0]' "$T/down.json")"
check_schema status "$T/down.json"
echo "ok 3 - resource down: valid"

jq '.rows[0].verdict = "maybe"' "$T/ready.json" > "$T/bad.json"
if /usr/bin/python3 - "$TOP/schema/status.schema.json" "$T/bad.json" <<'PY' 2>/dev/null
import json, sys
import jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(s).validate(json.load(open(sys.argv[2])))
PY
then
	fail "the schema accepts verdict 'maybe'"
fi
echo "ok 4 - the schema rejects an unknown verdict"
