# 131-show-formats: `standby show` renders a saved plan as text, markdown
# and json; reads stdin for "-"; refuses unknown formats and bad usage.
. ./e2e/lib.sh

PLAN=$FIXTURES/plans/valid-all.json

run standby show "$PLAN"
expect_exit 0
expect_stdout_contains 'Plan for standby.yaml (config sha256 9f86d081884c, state revision 42)'
expect_stdout_contains 'Destructive actions (these run first and lose data):'
expect_stdout_contains '  - delete_project OldBot (lang-west, westus2)'
expect_stdout_contains '  + import Booking (lang-west, westus2, from lang-east)'
expect_stdout_contains '  ~ deploy Faq/prod (lang-west, westus2, from lang-east)'
expect_stdout_contains '  ± import Faq (lang-west, westus2, from lang-east)'
expect_stdout_contains ' <= export Booking (lang-east, eastus)'
expect_stdout_contains '      # Deployment prod of Faq on lang-west serves model v4, not v5 [deployment_model_mismatch]'
expect_stdout_contains '      modelLabel: "v4" -> "v5"'
[ "$(tail -n 1 "$T/stdout")" = 'Plan: 10 to create, 8 to update, 4 to replace, 4 to delete (3 exports).' ] ||
	fail "last line: $(tail -n 1 "$T/stdout")"
cp "$T/stdout" "$T/text1"

run standby show --format text "$PLAN"
cmp -s "$T/stdout" "$T/text1" || fail "--format text differs from the default"

run standby show --format markdown "$PLAN"
expect_exit 0
expect_stdout_contains '### standby plan: 10 to create, 8 to update, 4 to replace, 4 to delete (3 exports)'
expect_stdout_contains '> [!CAUTION]'
expect_stdout_contains '| Project | Resources | Actions |'
expect_stdout_contains '<details><summary><b>Booking</b>: 3 to create, 1 export</summary>'
expect_stdout_contains '```diff'
[ "$(grep -c '^<details>' "$T/stdout")" = 14 ] || fail "want 14 details blocks"
cp "$T/stdout" "$T/md1"
run standby show --format markdown "$PLAN"
cmp -s "$T/stdout" "$T/md1" || fail "markdown is not reproducible"

run standby show --format json "$PLAN"
expect_exit 0
cmp -s "$T/stdout" "$PLAN" || fail "json is not the canonical bytes"

# A plan piped in; the same rendering.
set +e
"$BUILD/standby" show --format json - < "$PLAN" > "$T/stdin.json" 2> "$T/stderr"
RC=$?
expect_exit 0
cmp -s "$T/stdin.json" "$PLAN" || fail "stdin plan rendered differently"
printf '{"format_version": 1' | "$BUILD/standby" show - > /dev/null 2> "$T/stderr"
RC=$?
expect_exit 1
expect_stderr_contains 'standby: <stdin>:1:'

run standby show --format yaml "$PLAN"
expect_exit 1
expect_stderr_contains "unknown format 'yaml' (want text, markdown or json)"

run standby show
expect_exit 1
expect_stderr_contains 'usage: standby show'

run standby show "$T/nope.json"
expect_exit 1
expect_stderr_contains "cannot open plan: $T/nope.json: No such file or directory"

run standby help show
expect_exit 0
expect_stdout_contains '--detailed-exitcode'
exit 0
