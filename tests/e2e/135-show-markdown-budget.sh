# 135-show-markdown-budget: markdown for 500 projects stays within its
# budget (default 60,000 characters, or --markdown-budget), cutting whole
# groups and saying how to see the rest.
. ./e2e/lib.sh

PY=/usr/bin/python3
$PY - "$T/plan.json" <<'PYEOF'
import json, sys
acts = []
for i in range(500):
    name = "Project%03d" % i
    def a(kind, change, res, sub, dep, before, after):
        return {"id": "%s:%s@%s%s" % (kind, name, res, "/" + sub if sub else ""),
                "kind": kind, "change": change, "group": name,
                "target": {"type": "language", "resource": res,
                           "region": "eastus" if res == "lang-east" else "westus2",
                           "project": name, "project_kind": "Conversation",
                           "deployment": sub if kind == "deploy" else None,
                           "model": "v1" if kind in ("train", "deploy") else None,
                           "source": None if res == "lang-east" else "lang-east"},
                "depends_on": [dep] if dep else [],
                "reason": {"code": "replica_missing", "message": "%s has no replica on lang-west" % name},
                "before": before, "after": after, "destructive": False}
    e = a("export", "read", "lang-east", None, None, None, {"lastModifiedDateTime": "2026-11-20T08:00:00Z"})
    m = a("import", "create", "lang-west", None, e["id"], None, {"snapshot": "from " + e["id"]})
    t = a("train", "create", "lang-west", "v1", m["id"], None, {"label": "v1"})
    d = a("deploy", "update", "lang-west", "production", t["id"], {"modelLabel": "v0"}, {"modelLabel": "v1"})
    acts += [e, m, t, d]
plan = {"format_version": 1, "standby_version": "0.1.0",
        "config": {"path": "standby.yaml", "hash": "a" * 64},
        "state": {"revision": 1, "refreshed_at": None},
        "created_at": "2026-11-23T10:05:00Z",
        "options": {"prune": False, "targets": [], "expiry_window_days": 30, "refreshed": True},
        "summary": {"create": 1000, "update": 500, "replace": 0, "delete": 0, "read": 500, "total": 2000},
        "warnings": [], "actions": acts}
open(sys.argv[1], "w").write(json.dumps(plan, indent=2) + "\n")
PYEOF
[ -s "$T/plan.json" ] || fail "could not generate the plan"

run standby show --format markdown "$T/plan.json"
expect_exit 0
size=$(wc -c < "$T/stdout")
[ "$size" -le 60000 ] || fail "markdown is $size bytes, over 60000"
[ "$size" -gt 50000 ] || fail "markdown is $size bytes: the budget is not used"
expect_stdout_contains '### standby plan: 1000 to create, 500 to update, 0 to replace, 0 to delete (500 exports)'
[ "$(grep -c '^| Project[0-9]' "$T/stdout")" = 500 ] || fail "the summary table lost rows"
shown=$(grep -c '^<details>' "$T/stdout")
[ "$(grep -c '^</details>' "$T/stdout")" = "$shown" ] || fail "a details block was cut"
more=$((500 - shown))
last=$(tail -n 1 "$T/stdout")
[ "$last" = "_... $more more groups ($((4 * more)) actions) not shown: run \`standby show $T/plan.json\` or see the plan artifact._" ] ||
	fail "last line: $last"

run standby show --format markdown --markdown-budget 8000 "$T/plan.json"
expect_exit 0
size=$(wc -c < "$T/stdout")
[ "$size" -le 8000 ] || fail "markdown is $size bytes, over 8000"
expect_stdout_contains 'more_ | | |'
expect_stdout_contains '_... 500 more groups (2000 actions) not shown'

run standby show --format markdown --markdown-budget 10 "$T/plan.json"
expect_exit 1
expect_stderr_contains 'markdown budget 10 is too small (at least 2000)'

run standby show --format markdown --markdown-budget lots "$T/plan.json"
expect_exit 1
expect_stderr_contains "--markdown-budget: 'lots' is not a number of characters"
exit 0
