# 150-plan-no-changes: a replica in sync with its source plans nothing:
# "No changes", exit 0 even with --detailed-exitcode, an empty action list
# in the JSON, and a note on stderr saying how old the cache is.
. ./e2e/lib.sh
. ./e2e/plan_fixture.sh

plan_config
plan_in_sync
run standby plan -f "$T/standby.yaml" --refresh=false --detailed-exitcode \
    -o "$T/plan.json"
expect_exit 0
expect_stdout_contains 'No changes.'
expect_stderr_contains 'not refreshed (--refresh=false); planning from the state cache as read at'
plan_schema "$T/plan.json"
grep -q '"actions": \[\]' "$T/plan.json" || fail "plan.json has actions"
grep -q '"refreshed": false' "$T/plan.json" || fail "options.refreshed is not false"
