# apply_lib.sh - shared set-up of the apply tests (200-239), sourced after
# lib.sh: an emulator with three Language resources, two seeded projects on
# "east", and a standby.yaml replicating both into "west" and "north".

# apply_setup [EMULATOR ARGS...]
apply_setup() {
	emu_start --resource language:east@eastus \
	    --resource language:west@westus2 \
	    --resource language:north@northeurope --rate-limits off "$@"
	EAST_KEY=$(emu_key east) WEST_KEY=$(emu_key west)
	NORTH_KEY=$(emu_key north)
	export EAST_KEY WEST_KEY NORTH_KEY
	emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
	emu_seed_project east Concierge "$FIXTURES/projects/clu-travel.json"
	cat > "$T/standby.yaml" <<EOT
version: 1
resources:
  east: { type: language, region: eastus, endpoint: "$(emu_endpoint east)", auth: { key_env: EAST_KEY } }
  west: { type: language, region: westus2, endpoint: "$(emu_endpoint west)", auth: { key_env: WEST_KEY } }
  north: { type: language, region: northeurope, endpoint: "$(emu_endpoint north)", auth: { key_env: NORTH_KEY } }
projects:
  TravelAgent:
    kind: conversation
    source: east
    replicas: [west, north]
    model: { label: v1 }
    deployments: { production: v1 }
  Concierge:
    kind: conversation
    source: east
    replicas: [west, north]
    model: { label: v1 }
    deployments: { production: v1 }
settings:
  rate_limits: { get_per_minute: 6000, post_per_minute: 600 }
EOT
	CFG=$T/standby.yaml
	# the seeding is not the apply's doing
	emu_ctl DELETE /requests > /dev/null
}

# apply_changes [RESOURCE]: the requests that changed something (POST,
# PUT, PATCH, DELETE), one "METHOD PATH" per line, from the request log.
apply_changes() {
	emu_requests "$@" | jq -r '.[] | select(.method != "GET") |
	    "\(.resource) \(.method) \(.path)"'
}

# expect_no_duplicate_jobs: no object got the same job twice (same
# resource, method and path), the proof a resumed apply did not resubmit.
expect_no_duplicate_jobs() {
	dups=$(apply_changes | sort | uniq -d)
	[ -z "$dups" ] || fail "requests sent twice: $dups"
}

# expect_empty_plan: a further apply finds nothing to do and changes
# nothing.
expect_empty_plan() {
	before=$(apply_changes | wc -l)
	run standby apply -f "$CFG" --auto-approve
	expect_exit 0
	expect_stdout_contains 'No changes'
	after=$(apply_changes | wc -l)
	[ "$before" = "$after" ] || fail "an apply with nothing to do sent $((after - before)) changing requests"
}

# apply_crash_test POINT [EXPORTS]: kills an apply (SIGKILL from the crash
# hook) at POINT, then checks that the next apply resumes and converges:
# exit 0, no job sent twice, and nothing left to do.  An export whose
# job URL was never journaled is exported again (a read: safe); EXPORTS
# is how many export requests are then allowed (default 2, one each).
apply_crash_test() {
	apply_setup
	export STANDBY_CRASH_AT="$1"
	run standby apply -f "$CFG" --auto-approve
	unset STANDBY_CRASH_AT
	expect_exit 137
	run standby apply -f "$CFG" --auto-approve --recheck-wait 3s
	expect_exit 0
	expect_stderr_contains 'took over the lock'
	expect_stdout_contains 'resuming'
	expect_stdout_contains 'Resumed from an interrupted apply'
	n=$(apply_changes east | grep -c ':export$')
	[ "$n" -le "${2:-2}" ] || fail "$n exports, want at most ${2:-2}"
	dups=$(apply_changes | grep -v ':export$' | sort | uniq -d)
	[ -z "$dups" ] || fail "requests sent twice: $dups"
	expect_empty_plan
}
