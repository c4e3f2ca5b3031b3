#!/bin/sh
# run.sh - the benchmark suite: runs the scenarios (the quick set, or
# everything with FULL=1), gathers their results into
# $BUILD/bench/results.json and prints one table: scenario, standby,
# baseline, bound, ratios, target, met.  Every compared figure is measured
# side by side in the same run, against the same emulator, because the
# machines here are shared and absolute times are noisy.
#
# Usage (from the top of the tree): BUILD=$PWD/build sh tests/bench/run.sh
# "make bench" and "make bench FULL=1" do the same.
#   quick: (a)+(b) 20 x 2 with the baseline; (c) 5,000 replicas;
#          (d) 1,000 projects; (e) 50 MB
#   full:  the quick set, plus (a)+(b) 100 x 3 with the baseline
# A scenario that fails is reported in the table and makes the exit
# status 1; the others still run.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
BENCH_OUT=$BUILD/bench
export TOP BUILD BENCH_OUT
rm -rf "$BENCH_OUT"
mkdir -p "$BENCH_OUT"
cd "$TOP/tests" || exit 1
for tool in curl jq sqlite3 bc python3; do
	command -v $tool > /dev/null || {
		echo "bench: $tool is needed (make deps)" >&2
		exit 1
	}
done

failed=""
full=false
case ${FULL:-0} in
'' | 0) ;;
*) full=true ;;
esac
# scenario NAME SCRIPT ARGS...: runs one scenario, its log to NAME.log.
scenario() {
	name=$1
	shift
	echo "== $name: $*" >&2
	s0=$(date +%s)
	if sh "$@" > "$BENCH_OUT/$name.log" 2>&1; then
		tail -1 "$BENCH_OUT/$name.log" >&2
	else
		tail -15 "$BENCH_OUT/$name.log" >&2
		echo "bench: $name failed (log: $BENCH_OUT/$name.log)" >&2
		failed="$failed $name"
		jq -n --arg n "$name" '{scenario: "failed", name: $n}' \
		    > "$BENCH_OUT/zz-failed-$name.json"
	fi
	echo "   ($(($(date +%s) - s0)) s)" >&2
}

t0=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
scenario cold-20x2 bench/cold.sh 20 2
scenario plan-5000 bench/plan.sh 50 100
scenario refresh-1000 bench/refresh.sh 1000
scenario bigexport-50 bench/bigexport.sh 50
if [ $full = true ]; then
	scenario cold-100x3 bench/cold.sh 100 3
fi
t1=$(date +%s)

# The machine, for the README.
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
load=$(cut -d' ' -f1-3 /proc/loadavg)
jq -n --arg cpu "$cpu" --argjson ncpu "$(nproc)" --arg mem "$mem" \
    --arg kernel "$(uname -sr)" --arg load0 "$load0" --arg load "$load" \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg commit "$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    --argjson seconds $((t1 - t0)) --argjson full $full \
    '{machine: {cpu: $cpu, cpus: $ncpu, memory: $mem, kernel: $kernel,
      load_average_at_start: $load0, load_average_at_end: $load}, date: $date, commit: $commit,
      full: $full, suite_seconds: $seconds,
      results: ([inputs] | sort_by(.scenario, .projects // 0))}' \
    "$BENCH_OUT"/*.json > "$BENCH_OUT/results.json.tmp" &&
    mv "$BENCH_OUT/results.json.tmp" "$BENCH_OUT/results.json" || {
	echo "bench: could not gather the results" >&2
	exit 1
}

# The table: one row per scenario; ratios first, since they are what
# survives the noise of a shared machine.
jq -r '
def r(x): if x == null then "-" else (x * 100 | round / 100 | tostring) end;
def s(x): if x == null then "-" else (x * 1000 | round / 1000 | tostring) + " s" end;
def mb(kb): (kb / 1024 | round | tostring) + " MB";
def ok(c): if c then "met" else "MISSED" end;
"machine: \(.machine.cpu), \(.machine.cpus) CPUs, \(.machine.memory), \(.machine.kernel); load average \(.machine.load_average_at_start) at the start, \(.machine.load_average_at_end) at the end (shared with other builds)",
"run: \(.date), commit \(.commit), \(if .full then "full" else "quick" end) set in \(.suite_seconds) s",
"",
"| scenario | standby | baseline | bound | ratio(s) | target | met? |",
"|---|---|---|---|---|---|---|",
(.results[] |
 if .scenario == "a" then
  "| (a) cold replication \(.projects)x\(.replicas) | \(s(.standby.wall_s)) | \(if .baseline == null then "-" else s(.baseline.wall_s) end) | \(s(.bound.bound_s)) (chain \(s(.bound.chain_s)), pacing \(s(.bound.pacing_s))) | standby/bound \(r(.standby_over_bound)); baseline/standby \(r(.baseline_over_standby)) | <= 1.2; >= 10 | \(ok(.standby_over_bound <= 1.2)); \(if .baseline_over_standby == null then "-" else ok(.baseline_over_standby >= 10) end) |"
 elif .scenario == "b" then
  "| (b) re-apply converged \(.projects)x\(.replicas) | \(s(.wall_s)); \(.requests.mutating) mutating, \(.requests.get) GET | - | \(.live_objects) live objects | mutating \(.requests.mutating); GET/object \(r(.requests.get / .live_objects)); time/cold \(r(.wall_s / .cold_wall_s)) | 0; <= 1 | \(ok(.requests.mutating == 0 and .requests.get <= .live_objects)) |"
 elif .scenario == "c" then
  "| (c) plan from cache, \(.replicas) replicas (\(.actions) actions) | \(s(.wall_s)), \(mb(.peak_rss_kb)) peak RSS | - | \(s(.read_cache_s)) (sqlite3 reads the cache) | standby/bound \(r(.wall_s / .read_cache_s)); time/target \(r(.wall_s / 0.3)); RSS/target \(r(.peak_rss_kb / 102400)) | < 0.3 s; < 100 MB | \(ok(.wall_s < 0.3)); \(ok(.peak_rss_kb < 102400)) |"
 elif .scenario == "d" then
  "| (d) refresh \(.projects) projects, 3 resources, no rate limits | \(s(.wall_s)), \(.requests.total) requests | - | \(s(.floor_s)) (\(.requests.total) x \(.rtt_s * 1000 | round) ms / \(.connections) connections) | bound/standby \(r(.share_of_connection_bound)); curl with every URL known \(s(.curl_parallel_s)) | >= 0.8 | \(ok(.share_of_connection_bound >= 0.8)) |"
 elif .scenario == "e" then
  "| (e) \(.payload_bytes / 1048576 | round) MB export to 3 regions | \(mb(.peak_rss_kb)) peak RSS, \(s(.wall_s)) | - | \(mb(.limit_kb)) (2 x payload + 32 MB) | RSS/payload \(r(.peak_rss_kb * 1024 / .payload_bytes)) | <= 2 x payload + 32 MB | \(ok(.peak_rss_kb <= .limit_kb)) |"
 elif .scenario == "failed" then
  "| \(.name) | FAILED | - | - | - | - | see \(.name).log |"
 else empty end)
' "$BENCH_OUT/results.json" | tee "$BENCH_OUT/table.md"
echo
echo "results: $BENCH_OUT/results.json (table: $BENCH_OUT/table.md)"
if [ -n "$failed" ]; then
	echo "bench: failed:$failed" >&2
	exit 1
fi
