#!/bin/sh
# baseline.sh - the manual procedure, as the fail-over guides write it
# (seeds: "Back up and recover your ... models"), with curl and jq: for
# each project, one replica after another, export from the primary, poll,
# GET the result, import into the secondary, poll, train, poll, deploy,
# poll.  Then it checks the final state: every replica's deployment
# serves the model label asked for.  This is what standby is measured
# against, so it is honest work: nothing is skipped, nothing is shared
# between replicas (the guide exports once per secondary).
#
# Polls honour Retry-After and otherwise wait 2 s, doubling up to 30 s:
# the same interval as standby's default.  A 429 waits its Retry-After.
#
# Usage: baseline.sh LIST
# LIST has one line per replica to make, in order:
#   PROJECT SRC_ENDPOINT SRC_KEY_ENV DST_ENDPOINT DST_KEY_ENV LABEL DEPLOYMENT
# where *_KEY_ENV name environment variables holding the keys (keys never
# go on a command line: curl reads the header from a 0600 file).
# Conversation (CLU) projects; API version 2023-04-01.
# Prints one line per replica and "baseline: N replicas OK"; exits 1 on
# the first failure.
set -u
API=${API_VERSION:-2023-04-01}
W=$(mktemp -d "${TMPDIR:-/tmp}/baseline.XXXXXX")
trap 'rm -rf "$W"' EXIT
trap 'exit 129' HUP INT TERM
umask 077

die() {
	echo "baseline: $*" >&2
	exit 1
}

# keyfile NAME VAR: the auth header for the key in $VAR, as a file.
keyfile() {
	eval "v=\${$2:-}"
	[ -n "$v" ] || die "$2 is not set"
	printf 'Ocp-Apim-Subscription-Key: %s\n' "$v" > "$W/$1.h"
}

# call KEYNAME METHOD URL [BODYFILE]: one request; waits out 429s
# (Retry-After, bounded).  Body in $W/body; STATUS, RA (Retry-After) and
# LOC (operation-location) set.  One curl, no other process.
call() {
	tries=0
	while :; do
		if [ $# -ge 4 ]; then
			curl -sS --max-time 120 -X "$2" -H "@$W/$1.h" \
			    -H 'Content-Type: application/json' \
			    --data-binary "@$4" -o "$W/body" \
			    -w "$WOUT" "$3" > "$W/st" || die "$2 $3: curl failed"
		else
			curl -sS --max-time 120 -X "$2" -H "@$W/$1.h" \
			    -o "$W/body" -w "$WOUT" "$3" > "$W/st" ||
			    die "$2 $3: curl failed"
		fi
		{
			read -r STATUS
			read -r RA
			read -r LOC
		} < "$W/st"
		[ "$STATUS" = 429 ] || return 0
		tries=$((tries + 1))
		[ $tries -le 20 ] || die "$2 $3: still 429 after 20 tries"
		sleep "${RA:-1}"
	done
}
WOUT='%{http_code}\n%header{retry-after}\n%header{operation-location}\n'

# start KEYNAME METHOD URL BODYFILE: a job; sets JOB to its
# operation-location.
start() {
	call "$@"
	[ "$STATUS" = 202 ] || die "$2 $3: HTTP $STATUS $(head -c 300 "$W/body")"
	JOB=$LOC
	[ -n "$JOB" ] || die "$2 $3: no operation-location"
}

# wait_job KEYNAME URL: polls until the job ends; fails unless succeeded.
# Leaves the job's resultUrl (exports) in RESULT.
wait_job() {
	next=2
	while :; do
		call "$1" GET "$2"
		[ "$STATUS" = 200 ] || die "GET $2: HTTP $STATUS"
		{
			read -r st
			read -r RESULT
		} <<-EOF
		$(jq -r '.status, (.resultUrl // "")' "$W/body")
		EOF
		case $st in
		succeeded) return 0 ;;
		failed | cancelled | partiallyCompleted)
			die "job $2 ended $st: $(jq -c .errors "$W/body")" ;;
		esac
		if [ -n "$RA" ]; then
			[ "$RA" = 0 ] || sleep "$RA"
		else
			sleep "$next"
			next=$((next * 2 > 30 ? 30 : next * 2))
		fi
	done
}

[ $# = 1 ] && [ -r "$1" ] || die "usage: baseline.sh LIST"
n=0
while read -r proj src skey dst dkey label dep; do
	[ -n "$proj" ] || continue
	keyfile src "$skey"
	keyfile dst "$dkey"
	p=$src/language/authoring/analyze-conversations/projects/$proj
	q=$dst/language/authoring/analyze-conversations/projects/$proj
	echo '{"assetsToExport":["*"]}' > "$W/export.json"

	# Export the primary's assets, poll, GET the result.
	start src POST "$p/:export?api-version=$API&stringIndexType=Utf16CodeUnit" "$W/export.json"
	wait_job src "$JOB"
	call src GET "$RESULT"
	[ "$STATUS" = 200 ] || die "GET $RESULT: HTTP $STATUS"
	mv "$W/body" "$W/project.json"

	# Import into the secondary, poll.
	start dst POST "$q/:import?api-version=$API" "$W/project.json"
	wait_job dst "$JOB"

	# Train with the same label, poll.
	printf '{"modelLabel":"%s","trainingMode":"standard","trainingConfigVersion":"latest"}\n' \
	    "$label" > "$W/train.json"
	start dst POST "$q/:train?api-version=$API" "$W/train.json"
	wait_job dst "$JOB"

	# Deploy under the same name, poll.
	printf '{"trainedModelLabel":"%s"}\n' "$label" > "$W/deploy.json"
	start dst PUT "$q/deployments/$dep?api-version=$API" "$W/deploy.json"
	wait_job dst "$JOB"

	# Check: the deployment serves the label.
	call dst GET "$q/deployments/$dep?api-version=$API"
	[ "$STATUS" = 200 ] || die "$proj on $dst: deployment $dep: HTTP $STATUS"
	got=$(jq -r '.modelId // ""' "$W/body")
	case $got in
	"$label"-*) ;;
	*) die "$proj on $dst: deployment $dep serves '$got', want $label" ;;
	esac
	n=$((n + 1))
	echo "$proj -> $dst: deployed $label as $dep"
done < "$1"
echo "baseline: $n replicas OK"
