# plan.sh - scenario (c): "standby plan --refresh=false" for 5,000
# replicas (50 projects x 100 resources; half in sync, half missing),
# from a state file filled by plan_bench.  Times the library steps
# (plan_bench) and the whole command (wall time and peak RSS, best of 3).
# Run from tests/: sh bench/plan.sh [NPROJECTS [NRESOURCES]]
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
actions=$(jq '.actions | length' "$T/plan.json")
bench_result "plan-$((NP * NR))" "{
	\"scenario\": \"c\", \"name\": \"plan from cache $((NP * NR)) replicas\",
	\"replicas\": $((NP * NR)), \"actions\": $actions,
	\"wall_s\": $best_wall, \"peak_rss_kb\": $best_rss,
	\"lib_ms\": {\"load\": $(ms 'load cache'), \"plan\": $(ms plan_build), \"write\": $(ms planfile_write), \"total\": $(ms total)}
}"
echo "plan from cache: $((NP * NR)) replicas, $actions actions: $best_wall s, peak RSS $best_rss KiB"
