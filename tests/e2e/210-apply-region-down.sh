# 210-apply-region-down: every write to one region fails: its chains fail
# (the error names the service's code, message and the action), the
# others finish, apply exits 1; once the region is back, a later apply
# does only what is left.
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_setup
emu_ctl POST /faults '{"resource":"north","method":"POST","action":"status","status":503,"body":"{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"northeurope is having a bad day\"}}"}' > /dev/null

run standby apply -f "$CFG" --auto-approve
expect_exit 1
expect_stdout_contains 'import:TravelAgent@north: failed:'
expect_stdout_contains 'ServiceUnavailable'
expect_stdout_contains 'northeurope is having a bad day'
expect_stdout_contains 'train:TravelAgent@north/v1: skipped: dependency import:TravelAgent@north failed'
expect_stdout_contains 'deploy:Concierge@north/production: skipped: dependency train:Concierge@north/v1 was skipped'
expect_stdout_contains 'deploy:TravelAgent@west/production: done'
expect_stdout_contains 'Apply failed: 8 succeeded, 2 failed, 4 skipped'
n=$(apply_changes west | wc -l)
[ "$n" = 6 ] || fail "west got $n changing requests, want 6"

emu_ctl DELETE /faults > /dev/null
emu_ctl DELETE /requests > /dev/null
run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains 'Apply complete: 6 succeeded, 0 failed, 0 skipped'
[ -z "$(apply_changes west)" ] || fail "west was changed again: $(apply_changes west)"
# the snapshots were stored by the first apply: no export this time
[ -z "$(apply_changes east)" ] || fail "east was exported again: $(apply_changes east)"
[ "$(apply_changes north | wc -l)" = 6 ] || fail "north: $(apply_changes north)"
expect_empty_plan
