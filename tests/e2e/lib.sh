# lib.sh - helpers for end-to-end tests, sourced by tests/*/NNN-name.sh.
# Tests run from tests/ with BUILD (absolute) set by tests/run.sh; each gets
# its own temporary directory $T, removed on exit, and every process it
# started is stopped.
#
#	. ./e2e/lib.sh
#	run standby validate -f "$T/standby.yaml"
#	expect_exit 0
#	expect_stdout_contains 'valid'

set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
FIXTURES=$TOP/tests/fixtures
T=$(mktemp -d "${TMPDIR:-/tmp}/standby-test.XXXXXX")
PIDS=""
RC=0
export NO_COLOR=1

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	[ -n "${KEEP_T:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 129' HUP INT TERM

# fail MESSAGE: ends the test, showing the last command's output.
fail() {
	echo "FAIL: $*" >&2
	if [ -f "$T/stdout" ]; then
		echo "--- stdout:" >&2
		head -c 4000 "$T/stdout" >&2
		echo "--- stderr:" >&2
		head -c 4000 "$T/stderr" >&2
	fi
	exit 1
}

# run PROGRAM ARGS...: runs build/PROGRAM (standby, standby-emulator, or a
# test tool), stdout to $T/stdout, stderr to $T/stderr, status to $RC.
run() {
	prog=$1
	shift
	case $prog in
	standby | standby-emulator) bin=$BUILD/$prog ;;
	*) bin=$BUILD/tests/tools/$prog ;;
	esac
	set +e
	${STANDBY_VALGRIND:-} "$bin" "$@" > "$T/stdout" 2> "$T/stderr" < /dev/null
	RC=$?
	set -e 2>/dev/null; set +e
}

expect_exit() {
	[ "$RC" = "$1" ] || fail "exit status $RC, want $1"
}

expect_stdout_contains() {
	grep -qF -- "$1" "$T/stdout" || fail "stdout lacks '$1'"
}

expect_stdout_lacks() {
	! grep -qF -- "$1" "$T/stdout" || fail "stdout has '$1'"
}

expect_stderr_contains() {
	grep -qF -- "$1" "$T/stderr" || fail "stderr lacks '$1'"
}

expect_stderr_lacks() {
	! grep -qF -- "$1" "$T/stderr" || fail "stderr has '$1'"
}

# expect_file_lacks FILE STRING: a secret must not be in FILE.
expect_file_lacks() {
	! grep -qaF -- "$2" "$1" || fail "$1 contains '$2'"
}

# bg COMMAND...: starts a process that cleanup() stops.
bg() {
	"$@" &
	PIDS="$PIDS $!"
}

# --- the emulator ---------------------------------------------------------
# emu_start [ARGS...]: starts standby-emulator with --endpoints-file
# $T/endpoints.json plus ARGS (e.g. --resource language:east@eastus), waits
# (bounded) for the file, and sets EMU_PID and EMU_CONTROL.
emu_start() {
	rm -f "$T/endpoints.json"
	bg ${STANDBY_VALGRIND:-} "$BUILD/standby-emulator" \
	    --endpoints-file "$T/endpoints.json" "$@"
	EMU_PID=$!
	i=0
	while [ ! -s "$T/endpoints.json" ]; do
		kill -0 "$EMU_PID" 2>/dev/null || fail "standby-emulator exited"
		i=$((i + 1))
		[ $i -lt 600 ] || fail "standby-emulator did not start in 30 s"
		sleep 0.05
	done
	EMU_CONTROL=$(jq -r .control "$T/endpoints.json")
}

# emu_endpoint NAME, emu_key NAME: a resource's base URL and key.
emu_endpoint() {
	jq -er --arg n "$1" '.resources[$n].endpoint' "$T/endpoints.json"
}

emu_key() {
	jq -er --arg n "$1" '.resources[$n].key' "$T/endpoints.json"
}

# emu_cacert: the CA file to trust (empty without --tls).
emu_cacert() {
	jq -r '.cacert // empty' "$T/endpoints.json"
}

# emu_curl ARGS...: curl that trusts the emulator's CA and never hangs.
emu_curl() {
	ca=$(emu_cacert)
	if [ -n "$ca" ]; then
		curl -sS --max-time 30 --cacert "$ca" "$@"
	else
		curl -sS --max-time 30 "$@"
	fi
}

# emu_ctl METHOD PATH [JSON]: calls the control API (PATH after
# /_emulator, e.g. /reset) and prints the response body; fails on >= 400.
emu_ctl() {
	if [ $# -ge 3 ]; then
		emu_curl --fail-with-body -X "$1" -H 'Content-Type: application/json' \
		    --data-binary "$3" "$EMU_CONTROL$2"
	else
		emu_curl --fail-with-body -X "$1" "$EMU_CONTROL$2"
	fi
}

# emu_requests [RESOURCE]: the request log as a JSON array.
emu_requests() {
	if [ $# -ge 1 ]; then
		emu_ctl GET "/requests?resource=$1"
	else
		emu_ctl GET /requests
	fi
}

# emu_family KIND: the URL segment for a project kind.
emu_family() {
	case $1 in
	Conversation | Orchestration | conversation | orchestration)
		echo analyze-conversations ;;
	*) echo analyze-text ;;
	esac
}

# emu_call RESOURCE METHOD URL [BODY-FILE]: an authenticated call that
# waits out 429s (honouring Retry-After, bounded); the response headers go
# to $T/emu.h, the body to stdout, the status to $T/emu.status.
emu_call() {
	r=$1 m=$2 u=$3
	k=$(emu_key "$r")
	tries=0
	while :; do
		if [ $# -ge 4 ]; then
			ct=application/json
			[ "$m" = PATCH ] && ct=application/merge-patch+json
			emu_curl -X "$m" -D "$T/emu.h" -o "$T/emu.body" \
			    -w '%{http_code}' -H "Ocp-Apim-Subscription-Key: $k" \
			    -H "Content-Type: $ct" --data-binary "@$4" "$u" \
			    > "$T/emu.status" || fail "curl $m $u failed"
		else
			emu_curl -X "$m" -D "$T/emu.h" -o "$T/emu.body" \
			    -w '%{http_code}' -H "Ocp-Apim-Subscription-Key: $k" \
			    "$u" > "$T/emu.status" || fail "curl $m $u failed"
		fi
		[ "$(cat "$T/emu.status")" = 429 ] || break
		tries=$((tries + 1))
		[ $tries -lt 10 ] || fail "$m $u: still 429 after 10 tries"
		ra=$(tr -d '\r' < "$T/emu.h" | awk -F': ' 'tolower($1)=="retry-after"{print $2}')
		sleep "${ra:-1}"
	done
	cat "$T/emu.body"
}

# emu_wait_job RESOURCE URL: polls a job URL until it ends (bounded);
# fails unless it succeeded.  Prints the final job state.
emu_wait_job() {
	i=0
	while :; do
		emu_call "$1" GET "$2" > /dev/null
		st=$(jq -r .status "$T/emu.body")
		case $st in
		succeeded) cat "$T/emu.body"; return 0 ;;
		failed | cancelled | partiallyCompleted)
			fail "job $2 ended $st: $(cat "$T/emu.body")" ;;
		esac
		i=$((i + 1))
		[ $i -lt 600 ] || fail "job $2 still $st after 30 s"
		sleep 0.05
	done
}

# emu_oploc: the operation-location of the last emu_call.
emu_oploc() {
	tr -d '\r' < "$T/emu.h" | awk 'tolower($1)=="operation-location:"{print $2}'
}

# emu_seed_project RESOURCE PROJECT FILE.json: imports an exported-project
# document through the real API and waits for the import to succeed.
emu_seed_project() {
	kind=$(jq -r .metadata.projectKind "$3")
	u="$(emu_endpoint "$1")/language/authoring/$(emu_family "$kind")/projects/$2/:import?api-version=2023-04-01"
	emu_call "$1" POST "$u" "$3" > /dev/null
	[ "$(cat "$T/emu.status")" = 202 ] ||
	    fail "import of $2 into $1: HTTP $(cat "$T/emu.status") $(cat "$T/emu.body")"
	emu_wait_job "$1" "$(emu_oploc)" > /dev/null
}

# emu_project_family RESOURCE PROJECT: which API holds the project.
emu_project_family() {
	for f in analyze-conversations analyze-text; do
		emu_call "$1" GET "$(emu_endpoint "$1")/language/authoring/$f/projects/$2?api-version=2023-04-01" > /dev/null
		[ "$(cat "$T/emu.status")" = 200 ] && { echo $f; return 0; }
	done
	fail "no project $2 on $1"
}

# emu_train RESOURCE PROJECT LABEL: trains and waits for success.
emu_train() {
	f=$(emu_project_family "$1" "$2")
	if [ "$f" = analyze-conversations ]; then
		printf '{"modelLabel":"%s","trainingMode":"standard","trainingConfigVersion":"latest"}' "$3" > "$T/emu.req"
	else
		printf '{"modelLabel":"%s","trainingConfigVersion":"latest"}' "$3" > "$T/emu.req"
	fi
	emu_call "$1" POST "$(emu_endpoint "$1")/language/authoring/$f/projects/$2/:train?api-version=2023-04-01" "$T/emu.req" > /dev/null
	[ "$(cat "$T/emu.status")" = 202 ] ||
	    fail "train $2 on $1: HTTP $(cat "$T/emu.status") $(cat "$T/emu.body")"
	emu_wait_job "$1" "$(emu_oploc)" > /dev/null
}

# emu_deploy RESOURCE PROJECT DEPLOYMENT LABEL: deploys and waits.
emu_deploy() {
	f=$(emu_project_family "$1" "$2")
	printf '{"trainedModelLabel":"%s"}' "$4" > "$T/emu.req"
	emu_call "$1" PUT "$(emu_endpoint "$1")/language/authoring/$f/projects/$2/deployments/$3?api-version=2023-04-01" "$T/emu.req" > /dev/null
	[ "$(cat "$T/emu.status")" = 202 ] ||
	    fail "deploy $2/$3 on $1: HTTP $(cat "$T/emu.status") $(cat "$T/emu.body")"
	emu_wait_job "$1" "$(emu_oploc)" > /dev/null
}

# --- Azure OpenAI (ARM listener and account data planes) -----------------
# emu_token [SCOPE]: a bearer token from the emulator's token endpoint for
# the default client (scope default: https://management.azure.com/.default).
emu_token() {
	emu_curl --fail-with-body "$(jq -r .token_endpoint "$T/endpoints.json")" \
	    --data-urlencode grant_type=client_credentials \
	    --data-urlencode "client_id=${EMU_CLIENT_ID:-emulator-client}" \
	    --data-urlencode "client_secret=${EMU_CLIENT_SECRET:-emulator-secret}" \
	    --data-urlencode "scope=${1:-https://management.azure.com/.default}" |
	    jq -er .access_token
}

# emu_arm: the ARM listener's base URL (management.azure.com's stand-in).
emu_arm() {
	jq -er .arm "$T/endpoints.json"
}

# emu_account_id NAME: an openai account's ARM resource id.
emu_account_id() {
	jq -er --arg n "$1" '.resources[$n].id' "$T/endpoints.json"
}

# emu_arm_call METHOD PATH-OR-URL [BODY-FILE]: an ARM call with a cached
# management token; PATH is appended to emu_arm.  Headers to $T/emu.h,
# body to stdout (and $T/emu.body), status to $T/emu.status.
emu_arm_call() {
	[ -s "$T/arm.token" ] || emu_token > "$T/arm.token" || fail "no ARM token"
	case $2 in http*) u=$2 ;; *) u=$(emu_arm)$2 ;; esac
	if [ $# -ge 3 ]; then
		emu_curl -X "$1" -D "$T/emu.h" -o "$T/emu.body" -w '%{http_code}' \
		    -H "Authorization: Bearer $(cat "$T/arm.token")" \
		    -H 'Content-Type: application/json' --data-binary "@$3" "$u" \
		    > "$T/emu.status" || fail "curl $1 $u failed"
	else
		emu_curl -X "$1" -D "$T/emu.h" -o "$T/emu.body" -w '%{http_code}' \
		    -H "Authorization: Bearer $(cat "$T/arm.token")" "$u" \
		    > "$T/emu.status" || fail "curl $1 $u failed"
	fi
	cat "$T/emu.body"
}

# emu_header NAME: a response header of the last emu_*call.
emu_header() {
	tr -d '\r' < "$T/emu.h" | awk -v n="$1" 'BEGIN{n=tolower(n)":"} tolower($1)==n{print $2}'
}

# emu_arm_wait URL: polls an Azure-AsyncOperation URL until it ends
# (bounded) and prints the final status (Succeeded, Failed, Canceled).
emu_arm_wait() {
	i=0
	while :; do
		emu_arm_call GET "$1" > /dev/null
		st=$(jq -r .status "$T/emu.body")
		case $st in Succeeded | Failed | Canceled) echo "$st"; return 0 ;; esac
		i=$((i + 1))
		[ $i -lt 600 ] || fail "operation $1 still $st after 30 s"
		sleep 0.05
	done
}

# emu_stop: stops the emulator with SIGTERM and fails unless it exits 0
# (under ASan that includes "no leaks").
emu_stop() {
	kill -TERM "$EMU_PID"
	wait "$EMU_PID"
	rc=$?
	[ $rc = 0 ] || fail "standby-emulator exited $rc after SIGTERM"
}
