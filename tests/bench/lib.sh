# lib.sh - what the benchmark scenarios share: the time scale, the
# emulator started with per-request latency and scaled job times and rate
# limits, a standby.yaml writer, timing and peak RSS, and the JSON each
# scenario leaves in $BENCH_OUT/NAME.json for run.sh to gather.
#
# Sourced from tests/ after ./e2e/lib.sh (emu_start, emu_ctl, ...).
#
# The scale.  Real jobs take minutes and the real limits are 10 POST and
# 100 GET a minute per resource; a benchmark must finish in minutes.  So
# time runs SCALE (default 100) times faster: every job duration is
# divided by SCALE and every rate limit multiplied by it, for the emulator
# and for standby's own pacing alike, so the ratio of job time to request
# budget stays the real one.  The real durations assumed (the reference
# gives one training of 186 s; the rest are typical observations):
#   export 10 s, import 30 s, train 180 s, deploy 60 s.
# Job polls: the emulator says Retry-After in whole seconds; 0 makes both
# standby and the baseline poll again at once (each paced by its GET
# budget), the closest the emulator comes to the scaled interval.

SCALE=${SCALE:-100}
LATENCY_MS=${LATENCY_MS:-30}
REAL_EXPORT_MS=10000
REAL_IMPORT_MS=30000
REAL_TRAIN_MS=180000
REAL_DEPLOY_MS=60000
EXPORT_MS=$((REAL_EXPORT_MS / SCALE))
IMPORT_MS=$((REAL_IMPORT_MS / SCALE))
TRAIN_MS=$((REAL_TRAIN_MS / SCALE))
DEPLOY_MS=$((REAL_DEPLOY_MS / SCALE))
POST_PER_MIN=$((10 * SCALE))
GET_PER_MIN=$((100 * SCALE))
RETRY_AFTER=${RETRY_AFTER:-0}
# standby's connections per host (settings.connections_per_host), written
# into every bench configuration so that the floors below use the same.
CONNS_PER_HOST=${CONNS_PER_HOST:-32}
BENCH_OUT=${BENCH_OUT:-$TOP/build/bench}
mkdir -p "$BENCH_OUT"

# now: seconds since the epoch with nanoseconds.
now() {
	date +%s.%N
}

# elapsed T0 T1: T1 - T0 in seconds, 3 decimals.
elapsed() {
	echo "$1 $2" | awk '{ printf "%.3f", $2 - $1 }'
}

# bench_emu [--rate-limits off] RESOURCE...: starts the emulator with one
# language resource per NAME@REGION, the scaled job times, rate limits and
# Retry-After, and a request log large enough to count everything.
bench_emu() {
	limits=on
	if [ "$1" = --rate-limits ]; then
		limits=$2
		shift 2
	fi
	a=""
	for r in "$@"; do
		a="$a --resource language:$r"
	done
	# shellcheck disable=SC2086
	emu_start $a --rate-limits "$limits" \
	    --rate-limit-post "$POST_PER_MIN" --rate-limit-get "$GET_PER_MIN" \
	    --retry-after "$RETRY_AFTER" --log-size 1000000 \
	    --job-time "export=${EXPORT_MS}ms" --job-time "import=${IMPORT_MS}ms" \
	    --job-time "train=${TRAIN_MS}ms" --job-time "deploy=${DEPLOY_MS}ms"
}

# bench_latency MS: every request to every resource waits MS first.
bench_latency() {
	emu_ctl DELETE /faults > /dev/null
	[ "$1" -gt 0 ] || return 0
	emu_ctl POST /faults "{\"action\":\"delay\",\"ms\":$1}" > /dev/null
}

# bench_rtt RESOURCE: the median time of 15 GETs to RESOURCE over one
# kept-alive connection, in seconds (curl's own time_total: the latency
# rule plus serving, not curl's start-up nor a TCP handshake), as standby
# sends most of its requests on connections it keeps open.
bench_rtt() {
	u="$(emu_endpoint "$1")/language/authoring/analyze-conversations/projects?api-version=2023-04-01&top=1"
	printf 'Ocp-Apim-Subscription-Key: %s\n' "$(emu_key "$1")" > "$T/rtt.h"
	: > "$T/rtt.cfg"
	i=0
	while [ $i -lt 16 ]; do
		printf 'url = "%s"\noutput = "/dev/null"\n' "$u" >> "$T/rtt.cfg"
		i=$((i + 1))
	done
	# The first transfer opens the connection: left out.
	curl -sS -H "@$T/rtt.h" -w '%{time_total}\n' -K "$T/rtt.cfg" |
	    sed 1d | sort -n | sed -n 8p
}

# bench_requests [RESOURCE]: counts of logged requests as JSON
# {"total":N,"get":N,"mutating":N}.
bench_requests() {
	emu_requests "$@" | jq -c '{total: length,
	    get: map(select(.method == "GET")) | length,
	    mutating: map(select(.method != "GET")) | length}'
}

# bench_config FILE PARALLELISM RESOURCE... : writes the resources part
# of a standby.yaml for the named emulator resources (keys from the
# environment) with the scaled pacing; the caller appends projects.
bench_config() {
	f=$1 par=$2
	shift 2
	{
		echo "version: 1"
		echo "settings:"
		echo "  parallelism: $par"
		echo "  connections_per_host: $CONNS_PER_HOST"
		echo "  rate_limits: { get_per_minute: $GET_PER_MIN, post_per_minute: $POST_PER_MIN }"
		echo "resources:"
		for r in "$@"; do
			n=${r%@*} reg=${r#*@}
			echo "  $n: { type: language, region: $reg, endpoint: \"$(emu_endpoint "$n")\", auth: { key_env: KEY_$n } }"
			export "KEY_$n=$(emu_key "$n")"
		done
		echo "projects:"
	} > "$f"
}

# bench_run NAME COMMAND...: runs COMMAND under the rss wrapper with
# output in $T/NAME.out; sets WALL (s) and RSS_KB; fails on non-zero.
bench_run() {
	name=$1
	shift
	t0=$(now)
	"$BUILD/tests/tools/rss" "$T/$name.rss" "$@" > "$T/$name.out" 2>&1 || {
		tail -30 "$T/$name.out" >&2
		fail "$name: $* failed"
	}
	t1=$(now)
	WALL=$(elapsed "$t0" "$t1")
	RSS_KB=$(cat "$T/$name.rss")
}

# bench_seed_many RESOURCE FILE PROJECT...: imports FILE as each PROJECT
# through the real API, many at once (one curl, parallel transfers), then
# waits until every project is listed.  Job times should be 0 and there
# should be no latency rule while seeding.
bench_seed_many() {
	r=$1 f=$2
	shift 2
	ep=$(emu_endpoint "$r")
	k=$(emu_key "$r")
	: > "$T/seed.cfg"
	sep=""
	for p in "$@"; do
		printf '%surl = "%s/language/authoring/analyze-conversations/projects/%s/:import?api-version=2023-04-01"\nrequest = "POST"\nheader = "Ocp-Apim-Subscription-Key: %s"\nheader = "Content-Type: application/json"\ndata-binary = "@%s"\noutput = "/dev/null"\nmax-time = 600\nwrite-out = "%%{http_code}\\n"\n' \
		    "$sep" "$ep" "$p" "$k" "$f" >> "$T/seed.cfg"
		sep="next
"
	done
	curl -sS --parallel --parallel-max 16 -K "$T/seed.cfg" > "$T/seed.codes" 2> "$T/seed.err" ||
	    fail "seeding $r failed: $(head -5 "$T/seed.err")"
	bad=$(grep -vc '^202$' "$T/seed.codes")
	[ "$bad" = 0 ] || fail "seeding $r: $bad imports not accepted: $(sort "$T/seed.codes" | uniq -c)"
	# Any request moves the jobs on; the Nth project listed means all are.
	i=0
	while :; do
		n=$(emu_curl -H "Ocp-Apim-Subscription-Key: $k" \
		    "$ep/language/authoring/analyze-conversations/projects?api-version=2023-04-01&skip=$(($# - 1))&top=1" |
		    jq '.value | length')
		[ "$n" -ge 1 ] && break
		i=$((i + 1))
		[ $i -lt 600 ] || fail "seeding $r: fewer than $# projects after 60 s"
		sleep 0.1
	done
}

# bench_result NAME JSON: the scenario's result, for run.sh.
bench_result() {
	[ -z "${BENCH_DEBUG:-}" ] || echo "$2" >&2
	echo "$2" | jq . > "$BENCH_OUT/$1.json" || fail "bad result JSON for $1"
}
