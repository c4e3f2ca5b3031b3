# plan_fixture.sh - a configuration and a state cache for the plan tests
# (150-179), sourced after lib.sh.  TravelAgent is authored on lang-east
# and replicated to lang-west; the endpoints are never contacted, since
# every test plans with --refresh=false.
#
#	plan_config [EXTRA]    writes $T/standby.yaml; EXTRA lines are
#	                       appended (under TravelAgent, or new projects)
#	plan_state < SCRIPT    fills $T/.standby/state.db with statefill
#	plan_source            the source on lang-east and a snapshot ($HASH)
#	plan_replica [EXTRA]   the replica on lang-west as standby built it;
#	                       EXTRA statefill lines go into its refresh
#	plan_in_sync           both
#	plan_schema FILE       FILE follows schema/plan.schema.json
export SOURCE_DATE_EPOCH=1795428000 # 2026-11-23T10:00:00Z
SRC_MOD=2026-11-01T09:00:00Z
REP_MOD=2026-11-01T09:05:00Z
MID=v7-20261101T090000-00000000000000000000000000000001
RID=v7-20261101T100000-00000000000000000000000000000002

plan_config() {
	cat > "$T/standby.yaml" <<EOC
version: 1
resources:
  lang-east: { type: language, region: eastus, endpoint: https://east.invalid, auth: { key_env: K1 } }
  lang-west: { type: language, region: westus2, endpoint: https://west.invalid, auth: { key_env: K2 } }
projects:
  TravelAgent:
    kind: conversation
    source: lang-east
    replicas: [lang-west]
    model: { label: v7 }
    deployments: { production: v7 }
EOC
	[ -z "${1:-}" ] || printf '%s\n' "$1" >> "$T/standby.yaml"
}

# plan_state: statefill with the script on stdin.
plan_state() {
	cat > "$T/fill" || fail "cannot write the statefill script"
	run statefill "$T/.standby/state.db" "$T/fill"
	[ "$RC" = 0 ] || fail "statefill failed"
}

plan_source() {
	printf '{"projectFileVersion":"2023-04-01","stringIndexType":"Utf16CodeUnit"}' \
	    > "$T/export.json"
	plan_state <<EOS
refresh lang-east
project TravelAgent projectKind=Conversation lastModifiedDateTime=$SRC_MOD
model TravelAgent v7 modelId=$MID expiration=2027-06-01
deployment TravelAgent production modelId=$MID expiration=2027-12-01
commit
snapshot TravelAgent lang-east $T/export.json $SRC_MOD
EOS
	HASH=$(tail -n 1 "$T/stdout")
}

plan_replica() {
	{
		echo "refresh lang-west"
		echo "project TravelAgent projectKind=Conversation lastModifiedDateTime=$REP_MOD"
		echo "model TravelAgent v7 modelId=$RID expiration=2027-06-01"
		echo "deployment TravelAgent production modelId=$RID expiration=${DEP_EXP:-2027-12-01}"
		[ -z "${1:-}" ] || printf '%s\n' "$1"
		echo "commit"
		echo "replication lang-west TravelAgent lang-east $HASH $SRC_MOD $REP_MOD"
		echo "trained lang-west TravelAgent v7 $HASH"
	} | plan_state
}

plan_in_sync() {
	plan_source
	plan_replica
}

plan_schema() {
	/usr/bin/python3 - "$TOP/schema/plan.schema.json" "$1" <<'EOP' ||
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
EOP
	    fail "$1 does not follow schema/plan.schema.json"
}
