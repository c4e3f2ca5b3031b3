# cold.sh - scenarios (a) and (b): cold replication of P projects from one
# source into R regions, by standby and by the manual procedure
# (baseline.sh), side by side against the same emulator, with the lower
# bound; then (b) a second standby apply once converged.
#
# Run from tests/: sh bench/cold.sh [P [R]] (default 20 x 2).
# Writes $BENCH_OUT/cold-PxR.json and reapply-PxR.json.  BASELINE=0 skips
# the baseline; PARALLELISM sets standby's (default P x (R+1), at most 1000).
. ./e2e/lib.sh
. ./bench/lib.sh
P=${1:-20}
R=${2:-2}
PAR=${PARALLELISM:-$((P * (R + 1) > 1000 ? 1000 : P * (R + 1)))}
res="src@eastus"
reps=""
i=1
while [ $i -le "$R" ]; do
	res="$res r$i@westus$i"
	reps="$reps${reps:+, }r$i"
	i=$((i + 1))
done
projects=$(seq -f 'P%04g' 1 "$P")

# shellcheck disable=SC2086
bench_emu $res

# seed: the source projects, quickly (no latency, jobs instant).
seed() {
	emu_ctl POST /job-time '{"all":"0"}' > /dev/null
	bench_latency 0
	# shellcheck disable=SC2086
	bench_seed_many src "$FIXTURES/projects/clu-travel.json" $projects
	emu_ctl POST /job-time "{\"export\":\"${EXPORT_MS}ms\",\"import\":\"${IMPORT_MS}ms\",\"train\":\"${TRAIN_MS}ms\",\"deploy\":\"${DEPLOY_MS}ms\"}" > /dev/null
	bench_latency "$LATENCY_MS"
	emu_ctl DELETE /requests > /dev/null
}

# check_replicas WHO: every replica has every project deployed as v1
# (one curl for all the GETs and one jq, so checking stays cheap).
check_replicas() {
	bench_latency 0
	rm -rf "$T/chk"
	mkdir "$T/chk"
	: > "$T/chk.cfg"
	sep=""
	i=1
	while [ $i -le "$R" ]; do
		ep=$(emu_endpoint "r$i")
		printf 'Ocp-Apim-Subscription-Key: %s\n' "$(emu_key "r$i")" > "$T/chk/r$i.h"
		for p in $projects; do
			printf '%surl = "%s"\nheader = "@%s"\noutput = "%s"\n' "$sep" \
			    "$ep/language/authoring/analyze-conversations/projects/$p/deployments/production?api-version=2023-04-01" \
			    "$T/chk/r$i.h" "$T/chk/$p@r$i.json" >> "$T/chk.cfg"
			sep="next
"
		done
		i=$((i + 1))
	done
	curl -sS --max-time 60 -K "$T/chk.cfg" || fail "$1: checking the replicas failed"
	jq -r '"\(input_filename) \(.modelId // "none")"' "$T"/chk/*.json \
	    > "$T/chk.out" || fail "$1: bad deployment JSON"
	n=$(grep -c ' v1-' "$T/chk.out")
	[ "$n" = $((P * R)) ] ||
	    fail "$1: $n of $((P * R)) replicas serve v1: $(grep -v ' v1-' "$T/chk.out" | head -3)"
	bench_latency "$LATENCY_MS"
}

# --- standby ----------------------------------------------------------------
seed
RTT=$(bench_rtt src)
# shellcheck disable=SC2086
bench_config "$T/standby.yaml" "$PAR" $res
for p in $projects; do
	echo "  $p: { kind: conversation, source: src, replicas: [$reps], model: { label: v1 }, deployments: { production: v1 } }"
done >> "$T/standby.yaml"
emu_ctl DELETE /requests > /dev/null
bench_run apply "$BUILD/standby" apply -f "$T/standby.yaml" --auto-approve
S_WALL=$WALL S_RSS=$RSS_KB
S_REQ=$(bench_requests)
check_replicas standby

# --- (b) apply again, converged ------------------------------------------
emu_ctl DELETE /requests > /dev/null
bench_run reapply "$BUILD/standby" apply -f "$T/standby.yaml" --auto-approve
RE_WALL=$WALL RE_RSS=$RSS_KB
RE_REQ=$(bench_requests)
# Live objects: the source projects, and on each replica a project, its
# model and its deployment.
LIVE=$((P + 3 * P * R))

# --- the baseline ----------------------------------------------------------
B_WALL=null
if [ "${BASELINE:-1}" != 0 ]; then
	emu_ctl POST /reset > /dev/null
	seed
	export KEY_src
	KEY_src=$(emu_key src)
	: > "$T/list"
	for p in $projects; do
		i=1
		while [ $i -le "$R" ]; do
			export "KEY_r$i=$(emu_key "r$i")"
			echo "$p $(emu_endpoint src) KEY_src $(emu_endpoint "r$i") KEY_r$i v1 production" >> "$T/list"
			i=$((i + 1))
		done
	done
	bench_run baseline sh "$TOP/tests/bench/baseline.sh" "$T/list"
	B_WALL=$WALL
	B_REQ=$(bench_requests)
	check_replicas baseline
fi

# --- the lower bound -----------------------------------------------------
# chain: one project's export, its result, import, train, deploy: the job
# times plus 9 round trips (4 submits, 4 polls that see the end, 1 GET of
# the result).  pacing: a resource that must take M requests of a kind
# limited to L per sliding minute cannot take the last before
# 60 * (ceil(M / L) - 1) s after the first; the source's last export still
# has its whole chain to run, a replica's last write at least the
# shortest job and a poll, after the first export ended.
BOUND=$(awk -v p="$P" -v e="$EXPORT_MS" -v i="$IMPORT_MS" -v t="$TRAIN_MS" \
    -v d="$DEPLOY_MS" -v rtt="$RTT" -v lp="$POST_PER_MIN" -v lg="$GET_PER_MIN" '
	function ceil(x) { return x == int(x) ? x : int(x) + 1 }
	function win(m, l) { return 60 * (ceil(m / l) - 1) }
	BEGIN {
		chain = (e + i + t + d) / 1000 + 9 * rtt
		minjob = i < t ? i : t; minjob = d < minjob ? d : minjob
		src = win(p, lp); g = win(2 * p, lg); src = g > src ? g : src
		src += chain
		rep = win(3 * p, lp); g = win(3 * p, lg); rep = g > rep ? g : rep
		rep += e / 1000 + 3 * rtt + minjob / 1000 + rtt
		pace = src > rep ? src : rep
		printf "{\"chain_s\":%.3f,\"pacing_s\":%.3f,\"bound_s\":%.3f}",
		    chain, pace, (chain > pace ? chain : pace)
	}')
B=$(echo "$BOUND" | jq .bound_s)

bench_result "cold-${P}x$R" "{
	\"scenario\": \"a\", \"name\": \"cold replication ${P}x$R\",
	\"projects\": $P, \"replicas\": $R, \"parallelism\": $PAR,
	\"scale\": $SCALE, \"latency_ms\": $LATENCY_MS, \"rtt_s\": $RTT,
	\"job_ms\": {\"export\": $EXPORT_MS, \"import\": $IMPORT_MS, \"train\": $TRAIN_MS, \"deploy\": $DEPLOY_MS},
	\"limits_per_min\": {\"post\": $POST_PER_MIN, \"get\": $GET_PER_MIN},
	\"bound\": $BOUND,
	\"standby\": {\"wall_s\": $S_WALL, \"peak_rss_kb\": $S_RSS, \"requests\": $S_REQ},
	\"baseline\": $(if [ "$B_WALL" = null ]; then echo null; else echo "{\"wall_s\": $B_WALL, \"requests\": $B_REQ}"; fi),
	\"standby_over_bound\": $(echo "$S_WALL $B" | awk '{ printf "%.3f", $1 / $2 }'),
	\"baseline_over_standby\": $(if [ "$B_WALL" = null ]; then echo null; else echo "$B_WALL $S_WALL" | awk '{ printf "%.2f", $1 / $2 }'; fi)
}"
bench_result "reapply-${P}x$R" "{
	\"scenario\": \"b\", \"name\": \"re-apply converged ${P}x$R\",
	\"projects\": $P, \"replicas\": $R, \"live_objects\": $LIVE, \"wall_s\": $RE_WALL, \"peak_rss_kb\": $RE_RSS,
	\"requests\": $RE_REQ,
	\"cold_wall_s\": $S_WALL
}"
echo "cold ${P}x$R: standby $S_WALL s, baseline $B_WALL s, bound $B s; re-apply $RE_WALL s $RE_REQ"
