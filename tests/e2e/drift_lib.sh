# drift_lib.sh - shared set-up of the drift and status tests (240-279),
# sourced after lib.sh and config.sh: an emulator with east (source), west
# and north (replicas), TravelAgent seeded on east, and a standby.yaml
# replicating it; "standby apply" builds the replicas.

# drift_setup [EMULATOR ARGS...]
drift_setup() {
	emu_start --resource language:east@eastus \
	    --resource language:west@westus2 \
	    --resource language:north@northeurope --rate-limits off \
	    --job-time all=20ms --retry-after 0 "$@"
	emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
	emu_train east TravelAgent v1
	emu_deploy east TravelAgent production v1
	emu_config "$T/standby.yaml" east west north <<'EOC'
projects:
  TravelAgent:
    kind: conversation
    source: east
    replicas: [west, north]
    model: { label: v1 }
    deployments: { production: v1 }
settings:
  timeouts: { connect: 2s, request: 5s }
  rate_limits: { get_per_minute: 6000, post_per_minute: 600 }
EOC
	CFG=$T/standby.yaml
}

# drift_apply: brings the replicas in sync.
drift_apply() {
	sb apply -f "$CFG" --auto-approve
	expect_exit 0
}

# drift_json [ARGS...]: standby drift --format json into $T/drift.json
# (the exit status in $RC).
drift_json() {
	sb drift -f "$CFG" --format json "$@"
	cp "$T/stdout" "$T/drift.json"
}

# finding RESOURCE: the codes of the findings on TravelAgent@RESOURCE,
# comma-separated.
finding() {
	jq -r --arg r "$1" '[.units[] | select(.resource == $r) |
	    .findings[].code] | join(",")' "$T/drift.json"
}

# expect_only_reads [ALLOW]: since the log was cleared, every request sent
# to the resources was a GET (or matches the extended regex ALLOW, e.g.
# "POST .*/:export$").
expect_only_reads() {
	bad=$(emu_requests | jq -r '.[] | select(.method != "GET") |
	    "\(.method) \(.path)"' | grep -Ev "^(${1:-^$})" || true)
	[ -z "$bad" ] || fail "changing requests were sent: $bad"
	n=$(emu_requests | jq 'length')
	[ "$n" -gt 0 ] || fail "no request at all was logged"
}

# check_schema NAME FILE: FILE is valid against schema/NAME.schema.json
# (Debian's python3-jsonschema).
check_schema() {
	/usr/bin/python3 - "$TOP/schema/$1.schema.json" "$2" <<'PY' ||
import json, sys
import jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(s)
jsonschema.Draft202012Validator(s).validate(json.load(open(sys.argv[2])))
PY
	    fail "$2 does not match schema/$1.schema.json"
}
