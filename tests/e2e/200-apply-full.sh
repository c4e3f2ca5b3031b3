# 200-apply-full: two projects, two replicas each: export once per
# project, import, train and deploy everywhere; then nothing is left to do
# and a second apply sends no request that changes anything.
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_setup

run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains 'Apply complete: 14 succeeded, 0 failed, 0 skipped'
expect_stdout_contains 'export:TravelAgent@east: done'
expect_stdout_contains '[14/14]'
expect_stdout_contains 'train:TravelAgent@west/v1: 100%'

# One export per project, however many replicas.
n=$(apply_changes east | grep -c ':export$')
[ "$n" = 2 ] || fail "$n exports, want 2"
for r in west north; do
	for p in TravelAgent Concierge; do
		f=analyze-conversations
		emu_call $r GET "$(emu_endpoint $r)/language/authoring/$f/projects/$p/deployments/production?api-version=2023-04-01" > "$T/dep.json"
		[ "$(cat "$T/emu.status")" = 200 ] || fail "$p not deployed on $r"
	done
done
# Replication records name the snapshot, the source and its time.
run standby state list -f "$CFG"
expect_exit 0
expect_no_duplicate_jobs
expect_empty_plan
