#!/bin/sh
# demo.sh - what "make demo" runs: start the local emulator over HTTPS,
# seed the source projects of examples/clu-failover.yaml and
# examples/text-classification.yaml through its real API (import, train,
# deploy, as a person would have done in the source region), then plan,
# apply and plan again with standby.  Nothing here talks to Azure.
#
# Usage: sh examples/demo.sh [--keep]
#   --keep leaves the emulator running afterwards, to explore.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
DEMO=$BUILD/demo
KEEP=${1:-}
SB="$BUILD/standby"
EMU_PID=""

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }
stop() { [ -z "$EMU_PID" ] || kill "$EMU_PID" 2>/dev/null || true; }

[ -x "$SB" ] && [ -x "$BUILD/standby-emulator" ] || die "run 'make' first"
rm -rf "$DEMO"
mkdir -p "$DEMO"
cp -R "$TOP/examples/projects" "$TOP/examples/data" "$DEMO/"

say "Starting standby-emulator (HTTPS, a CA of its own) with four Language resources"
# The Entra client below is the one examples/clu-failover.yaml names for
# lang-west; the emulator's token endpoint stands in for Entra ID.
"$BUILD/standby-emulator" --tls --endpoints-file "$DEMO/endpoints.json" \
    --resource language:lang-east@eastus \
    --resource language:lang-west@westus2 \
    --resource language:text-weu@westeurope \
    --resource language:text-neu@northeurope \
    --container text-weu=loan-documents --container text-neu=loan-documents \
    --client 00000000-0000-0000-0000-000000000002=demo-client-secret \
    --job-time all=300ms --retry-after 1 > "$DEMO/emulator.log" 2>&1 &
EMU_PID=$!
[ "$KEEP" = --keep ] || trap stop EXIT
trap 'stop; exit 130' INT TERM
i=0
while [ ! -s "$DEMO/endpoints.json" ]; do
	kill -0 "$EMU_PID" 2>/dev/null || die "the emulator exited: $(cat "$DEMO/emulator.log")"
	i=$((i + 1))
	[ $i -lt 300 ] || die "the emulator did not start"
	sleep 0.1
done
EP=$DEMO/endpoints.json
CA=$(jq -r .cacert "$EP")
endpoint() { jq -r --arg n "$1" '.resources[$n].endpoint' "$EP"; }
key() { jq -r --arg n "$1" '.resources[$n].key' "$EP"; }
jq -r '.resources | to_entries[] | "    \(.key)  \(.value.region)  \(.value.endpoint)"' "$EP"

# The credentials the example configurations name, pointed at the emulator.
export LANG_EAST_KEY="$(key lang-east)"
export STANDBY_CLIENT_SECRET=demo-client-secret
export AZURE_AUTHORITY_HOST="$(jq -r .authority "$EP")"
export TEXT_WEU_KEY="$(key text-weu)" TEXT_NEU_KEY="$(key text-neu)"

# call RESOURCE METHOD PATH [BODY-FILE]: an authoring call, body to stdout.
call() {
	u="$(endpoint "$1")/language/authoring/$3"
	case $u in *\?*) u="$u&api-version=2023-04-01" ;; *) u="$u?api-version=2023-04-01" ;; esac
	if [ $# -ge 4 ]; then
		curl -sS --fail-with-body --cacert "$CA" -X "$2" -D "$DEMO/h" \
		    -H "Ocp-Apim-Subscription-Key: $(key "$1")" \
		    -H 'Content-Type: application/json' --data-binary "@$4" "$u"
	else
		curl -sS --fail-with-body --cacert "$CA" -X "$2" -D "$DEMO/h" \
		    -H "Ocp-Apim-Subscription-Key: $(key "$1")" "$u"
	fi
}
# wait_job RESOURCE: polls the operation-location of the last call.
wait_job() {
	job=$(tr -d '\r' < "$DEMO/h" | awk 'tolower($1)=="operation-location:"{print $2}')
	[ -n "$job" ] || die "no operation-location"
	while :; do
		st=$(curl -sS --cacert "$CA" -H "Ocp-Apim-Subscription-Key: $(key "$1")" "$job" | jq -r .status)
		case $st in
		succeeded) return 0 ;;
		failed | cancelled | partiallyCompleted) die "job $job: $st" ;;
		esac
		sleep 0.2
	done
}
# seed RESOURCE FAMILY PROJECT LABEL DEPLOYMENT...: import, train, deploy.
seed() {
	r=$1 fam=$2 p=$3 label=$4
	shift 4
	echo "    $p on $r: import, train $label, deploy $*"
	call "$r" POST "$fam/projects/$p/:import" "$DEMO/projects/$p.json" > /dev/null
	wait_job "$r"
	mode=""
	[ "$fam" = analyze-conversations ] && mode='"trainingMode":"standard",'
	printf '{"modelLabel":"%s",%s"trainingConfigVersion":"latest"}' "$label" "$mode" > "$DEMO/train.json"
	call "$r" POST "$fam/projects/$p/:train" "$DEMO/train.json" > /dev/null
	wait_job "$r"
	for d in "$@"; do
		printf '{"trainedModelLabel":"%s"}' "$label" > "$DEMO/deploy.json"
		call "$r" PUT "$fam/projects/$p/deployments/$d" "$DEMO/deploy.json" > /dev/null
		wait_job "$r"
	done
}

say "Seeding the source projects in the primary regions (as they would be in Azure)"
seed lang-east analyze-conversations TravelAgent v7 production
seed text-weu analyze-text LoanTriage triage-2024 production staging
seed text-weu analyze-text LoanEntities ner-v2 production

# The example configurations, with their endpoints pointed at the emulator
# and the managed identity of the text example replaced by keys (the
# emulator has no instance metadata service).
for ex in clu-failover text-classification; do
	subst=""
	for n in $(jq -r '.resources | keys[]' "$EP"); do
		subst="$subst -e s#https://contoso-$n\.cognitiveservices\.azure\.com#$(endpoint "$n")#"
	done
	# shellcheck disable=SC2086 # $subst is a list of sed arguments
	sed $subst "$TOP/examples/$ex.yaml" | awk '
	    /^  [a-z][a-z0-9-]*:$/ { res = substr($1, 1, length($1) - 1) }
	    /auth: \{ entra: managed-identity/ {
		k = toupper(res); gsub(/-/, "_", k)
		sub(/auth: \{ entra: managed-identity[^}]*\}/, "auth: { key_env: " k "_KEY }") }
	    { print }' > "$DEMO/$ex.yaml"
done

for ex in clu-failover text-classification; do
	cfg=$DEMO/$ex.yaml
	say "standby plan -f $ex.yaml"
	"$SB" --cacert "$CA" plan -f "$cfg"
	say "standby apply -f $ex.yaml --auto-approve"
	"$SB" --cacert "$CA" apply -f "$cfg" --auto-approve
	say "standby plan -f $ex.yaml (again: nothing should be left to do)"
	"$SB" --cacert "$CA" plan -f "$cfg" --detailed-exitcode ||
	    die "the second plan still has changes"
done

# examples/openai-bcdr.yaml: a second emulator holds its two Azure OpenAI
# accounts (ARM, and each account's fine-tuning data plane).  ARM answers
# with Retry-After: 1, as Azure does, so polls are paced like in Azure.
say "Starting a second standby-emulator with the Azure OpenAI accounts of openai-bcdr.yaml"
EP2=$DEMO/endpoints-openai.json
"$BUILD/standby-emulator" --tls --endpoints-file "$EP2" \
    --resource openai:contoso-aoai-east@eastus \
    --resource openai:contoso-aoai-west@westus3 \
    --client demo-aoai-client=demo-aoai-secret \
    --job-time all=300ms --retry-after 1 > "$DEMO/emulator-openai.log" 2>&1 &
EMU2_PID=$!
stop2() { kill "$EMU2_PID" 2>/dev/null || true; }
[ "$KEEP" = --keep ] || trap 'stop; stop2' EXIT
trap 'stop; stop2; exit 130' INT TERM
i=0
while [ ! -s "$EP2" ]; do
	kill -0 "$EMU2_PID" 2>/dev/null || die "the emulator exited: $(cat "$DEMO/emulator-openai.log")"
	i=$((i + 1))
	[ $i -lt 300 ] || die "the emulator did not start"
	sleep 0.1
done
CA2=$(jq -r .cacert "$EP2")
jq -r '.resources | to_entries[] | "    \(.key)  \(.value.region)  \(.value.id)"' "$EP2"
# The accounts' ids, data-plane endpoints, ARM and Entra ID pointed at the
# emulator; azure-cli (no az here) replaced by the emulator's client.
export AOAI_CLIENT_SECRET=demo-aoai-secret
# AZURE_AUTHORITY_HOST wins over settings.authority_host: this emulator's.
export AZURE_AUTHORITY_HOST="$(jq -r .authority "$EP2")"
subst=""
for n in $(jq -r '.resources | keys[]' "$EP2"); do
	id=$(jq -r --arg n "$n" '.resources[$n].id' "$EP2")
	ep=$(jq -r --arg n "$n" '.resources[$n].endpoint' "$EP2")
	subst="$subst -e s#/subscriptions/.*/accounts/$n\$#$id# -e s#https://$n\.openai\.azure\.com#$ep#"
done
tenant=$(jq -r .tenant "$EP2")
# shellcheck disable=SC2086 # $subst is a list of sed arguments
sed $subst -e "s#auth: { entra: azure-cli }#auth: { entra: client-credentials, tenant_id: $tenant, client_id: demo-aoai-client, client_secret_env: AOAI_CLIENT_SECRET }#" \
    "$TOP/examples/openai-bcdr.yaml" > "$DEMO/openai-bcdr.yaml"
cat >> "$DEMO/openai-bcdr.yaml" <<YAML
  arm_endpoint: $(jq -r .arm "$EP2")
  authority_host: $(jq -r .authority "$EP2")
  state: .standby/openai.db
  rate_limits: { get_per_minute: 600, post_per_minute: 60 }
YAML
cfg=$DEMO/openai-bcdr.yaml
say "standby plan -f openai-bcdr.yaml"
"$SB" --cacert "$CA2" plan -f "$cfg"
say "standby apply -f openai-bcdr.yaml --auto-approve"
STANDBY_OAI_POLL_MS=200 "$SB" --cacert "$CA2" apply -f "$cfg" --auto-approve
say "standby plan -f openai-bcdr.yaml (again: nothing should be left to do)"
"$SB" --cacert "$CA2" plan -f "$cfg" --detailed-exitcode ||
    die "the second plan still has changes"

say "Done. Where to look next:"
cat <<TXT
  the configurations      $DEMO/clu-failover.yaml, $DEMO/text-classification.yaml,
                          $DEMO/openai-bcdr.yaml
  the state file          $DEMO/.standby/state.db
                          (standby state list -f $DEMO/clu-failover.yaml)
  the emulator's log      curl --cacert $CA $(jq -r .control "$EP")/requests
  a pull-request comment  standby --cacert $CA plan -f $DEMO/clu-failover.yaml --format markdown
  more                    README.md ("Commands"), standby help
TXT
if [ "$KEEP" = --keep ]; then
	echo "  The emulators keep running (pids $EMU_PID, $EMU2_PID); the keys are in $EP."
	echo "  Stop them with: kill $EMU_PID $EMU2_PID"
fi
