# 211-apply-stale-plan: a saved plan is applied exactly, without a
# prompt, while it is current; it is refused, changing nothing, once the
# state or the configuration moved on.
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_setup

run standby plan -f "$CFG" -o "$T/plan.json"
# the source changes and a refresh records it: the plan is stale
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
run standby refresh -f "$CFG"
expect_exit 0
emu_ctl DELETE /requests > /dev/null
run standby apply "$T/plan.json"
expect_exit 1
expect_stderr_contains "plan.json is stale: the state changed since it was made (revision"
expect_stderr_contains "run 'standby plan -o $T/plan.json' again"
[ -z "$(apply_changes)" ] || fail "a stale plan changed something: $(apply_changes)"

# a changed configuration makes it stale too
run standby plan -f "$CFG" -o "$T/plan.json"
sed -i 's/label: v1 }/label: v2 }/; s/production: v1 }/production: v2 }/' "$CFG"
run standby apply "$T/plan.json"
expect_exit 1
expect_stderr_contains 'the configuration changed since it was made'
[ -z "$(apply_changes)" ] || fail "a stale plan changed something: $(apply_changes)"

# a current plan is applied as saved (no prompt even without a terminal)
run standby plan -f "$CFG" -o "$T/plan.json"
run standby apply -f "$CFG" "$T/plan.json"
expect_exit 0
expect_stdout_contains 'Apply complete: 14 succeeded'
expect_empty_plan
