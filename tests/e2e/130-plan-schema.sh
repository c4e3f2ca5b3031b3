# 130-plan-schema: schema/plan.schema.json is a valid 2020-12 schema, accepts
# every valid plan fixture and the JSON `standby show` writes, and rejects
# every invalid one; the inconsistent ones (graph and count checks a schema
# cannot express) pass the schema but `standby show` refuses them.
. ./e2e/lib.sh

PY=/usr/bin/python3
SCHEMA=$TOP/schema/plan.schema.json
PLANS=$FIXTURES/plans
$PY -c 'import jsonschema' 2>/dev/null || fail "$PY lacks jsonschema (make deps)"

# validate FILE...: prints "ok FILE" or "bad FILE: why" per file.
validate() {
	$PY - "$SCHEMA" "$@" <<'PYEOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    try:
        v.validate(json.load(open(path)))
        print("ok", path)
    except (ValueError, jsonschema.ValidationError) as e:
        print("bad", path + ":", str(e).splitlines()[0])
PYEOF
}

# Every field of the schema says what it is for.
$PY - "$SCHEMA" <<'PYEOF' > "$T/undescribed"
import json, sys
def walk(node, path):
    if isinstance(node, dict):
        if "properties" in node:
            for k, v in node["properties"].items():
                if "description" not in v:
                    print(path + "." + k)
        for k, v in node.items():
            # if/then restate fields described elsewhere.
            if k not in ("if", "then"):
                walk(v, path + "/" + k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk(v, path + "[%d]" % i)
walk(json.load(open(sys.argv[1])), "")
PYEOF
[ ! -s "$T/undescribed" ] || fail "fields without a description: $(cat "$T/undescribed")"

n=0
for f in "$PLANS"/valid*.json; do
	n=$((n + 1))
	validate "$f" > "$T/out" || fail "validator crashed on $f"
	grep -q '^ok ' "$T/out" || fail "schema rejects $(cat "$T/out")"
	# What show writes as json is valid too, and byte-identical.
	run standby show --format json "$f"
	expect_exit 0
	cmp -s "$T/stdout" "$f" || fail "show --format json changed $f"
	validate "$T/stdout" | grep -q '^ok ' || fail "show output invalid"
done
[ "$n" -ge 4 ] || fail "only $n valid fixtures"

n=0
for f in "$PLANS"/invalid-*.json; do
	n=$((n + 1))
	validate "$f" > "$T/out" || fail "validator crashed on $f"
	grep -q '^bad ' "$T/out" || fail "schema accepts invalid $f"
	run standby show "$f"
	expect_exit 1
	expect_stderr_contains "standby: $f"
done
[ "$n" -ge 8 ] || fail "only $n invalid fixtures"

for f in "$PLANS"/inconsistent-*.json; do
	validate "$f" | grep -q '^ok ' || fail "schema rejects $f (move it to invalid-)"
	run standby show "$f"
	expect_exit 1
	expect_stderr_contains "standby: $f: "
done
exit 0
