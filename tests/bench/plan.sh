# plan.sh - scenario (c): "standby plan --refresh=false" for 5,000
# replicas (50 projects x 100 resources; half in sync, half missing),
# from a state file filled by plan_bench.  Times the library steps
# (plan_bench) and the whole command (wall time and peak RSS, best of 3).
# Side by side, the floor: sqlite3 reading every cached row the plan is
# made from (best of 3), which any planner must at least do.
# Run from tests/: sh bench/plan.sh [NPROJECTS [NRESOURCES]]
# The state file is filled one durable transaction at a time, which on a
# shared disk takes longer than everything else here and is not what is
# measured: so it lives on tmpfs when there is one.  Planning reads it
# from the page cache either way.
if [ -z "${BENCH_TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	BENCH_TMPDIR=/dev/shm
fi
TMPDIR=${BENCH_TMPDIR:-${TMPDIR:-/tmp}}
export TMPDIR
. ./e2e/lib.sh
. ./bench/lib.sh
NP=${1:-50}
NR=${2:-100}
"$BUILD/tests/tools/plan_bench" "$NP" "$NR" "$T" > "$T/lib.out" 2>&1 ||
    fail "plan_bench: $(cat "$T/lib.out")"
cat "$T/lib.out"
ms() {
	awk -v k="$1" '$0 ~ "^  " k ":" { print $(NF - 1) }' "$T/lib.out"
}
best_wall=""
best_rss=""
for i in 1 2 3; do
	t0=$(now)
	"$BUILD/tests/tools/rss" "$T/rss" "$BUILD/standby" plan -f "$T/standby.yaml" \
	    --refresh=false --format json > "$T/plan.json" 2> "$T/plan.err"
	rc=$?
	t1=$(now)
	[ $rc = 0 ] || [ $rc = 2 ] || fail "standby plan exited $rc: $(head -5 "$T/plan.err")"
	w=$(elapsed "$t0" "$t1")
	r=$(cat "$T/rss")
	if [ -z "$best_wall" ] || [ "$(echo "$w < $best_wall" | bc)" = 1 ]; then
		best_wall=$w
	fi
	if [ -z "$best_rss" ] || [ "$r" -lt "$best_rss" ]; then
		best_rss=$r
	fi
done
# The floor: the sqlite3 shell reading the live cache, the replication
# records and trained models.
state=$(dirname "$T/standby.yaml")/state.db
[ -f "$state" ] || fail "no state file at $state"
best_read=""
for i in 1 2 3; do
	t0=$(now)
	sqlite3 -readonly "$state" 'SELECT * FROM resources; SELECT * FROM projects;
	    SELECT * FROM models; SELECT * FROM deployments;
	    SELECT * FROM replications; SELECT * FROM trained_models;' > /dev/null ||
	    fail "sqlite3 could not read $state"
	t1=$(now)
	w=$(elapsed "$t0" "$t1")
	if [ -z "$best_read" ] || [ "$(echo "$w < $best_read" | bc)" = 1 ]; then
		best_read=$w
	fi
done
actions=$(jq '.actions | length' "$T/plan.json")
bench_result "plan-$((NP * NR))" "{
	\"scenario\": \"c\", \"name\": \"plan from cache $((NP * NR)) replicas\",
	\"replicas\": $((NP * NR)), \"actions\": $actions,
	\"wall_s\": $best_wall, \"peak_rss_kb\": $best_rss,
	\"read_cache_s\": $best_read,
	\"lib_ms\": {\"load\": $(ms 'load cache'), \"plan\": $(ms plan_build), \"write\": $(ms planfile_write), \"total\": $(ms total)}
}"
echo "plan from cache: $((NP * NR)) replicas, $actions actions: $best_wall s, peak RSS $best_rss KiB; sqlite3 reads the cache in $best_read s"
