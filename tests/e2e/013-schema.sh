# 013-schema: schema/standby.schema.json (JSON Schema 2020-12) accepts the
# examples and rejects the invalid fixtures it can express, checked with a
# real validator; standby validate rejects every one of them as well.
. ./e2e/lib.sh

PY=/usr/bin/python3
$PY -c 'import jsonschema, yaml' 2>/dev/null ||
    fail "needs Debian's python3-jsonschema and python3-yaml (make deps)"
$PY e2e/schema_check.py "$TOP" || fail "schema check"
for f in fixtures/invalid/*.yaml; do
	run standby validate "$f"
	expect_exit 1
done
