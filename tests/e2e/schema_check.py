"""Checks schema/standby.schema.json with a real JSON Schema 2020-12
validator: every example must pass; every invalid fixture must be rejected,
except those listed in tests/fixtures/invalid/SCHEMA-ACCEPTS, which must be
accepted (so that the list stays true).  Run with Debian's /usr/bin/python3
(python3-jsonschema, python3-yaml)."""
import glob
import json
import os
import sys

import jsonschema
import yaml

top = sys.argv[1]
schema = json.load(open(os.path.join(top, "schema/standby.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)


def without_descriptions(node, where):
    """Every property the schema declares has a description."""
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub:
                yield where + "." + name
        for k, sub in node.items():
            # Conditions restate fields described elsewhere.
            if k not in ("allOf", "oneOf", "if", "then", "else", "not"):
                yield from without_descriptions(sub, where + "/" + k)
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from without_descriptions(sub, "%s[%d]" % (where, i))


failed = 0
missing = list(without_descriptions(schema, "#"))
if missing:
    print("not ok - fields without a description: %s" % missing)
    failed += 1
else:
    print("ok - every field has a description")

for f in sorted(glob.glob(os.path.join(top, "examples/*.yaml"))):
    errs = list(v.iter_errors(yaml.safe_load(open(f, encoding="utf-8"))))
    if errs:
        print("not ok - %s: %s" % (f, errs[0].message))
        failed += 1
    else:
        print("ok - %s is valid" % os.path.basename(f))

accepts = set()
for line in open(os.path.join(top, "tests/fixtures/invalid/SCHEMA-ACCEPTS")):
    if line.strip() and not line.startswith("#"):
        accepts.add(line.split()[0])

for f in sorted(glob.glob(os.path.join(top, "tests/fixtures/invalid/*.yaml"))):
    name = os.path.basename(f)[:-5]
    try:
        with open(f, encoding="utf-8") as fp:
            doc = yaml.safe_load(fp)
        ok = v.is_valid(doc)
        why = "schema"
    except (yaml.YAMLError, UnicodeDecodeError, TypeError) as e:
        ok, why = False, "loader: " + type(e).__name__
    if name in accepts:
        if ok:
            print("ok - %s: beyond a schema, and accepted" % name)
        else:
            print("not ok - %s is listed in SCHEMA-ACCEPTS but rejected" % name)
            failed += 1
    elif ok:
        print("not ok - %s: the schema accepts it" % name)
        failed += 1
    else:
        print("ok - %s rejected (%s)" % (name, why))
sys.exit(1 if failed else 0)
