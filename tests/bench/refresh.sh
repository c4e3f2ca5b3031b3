# refresh.sh - scenario (d): "standby refresh" of N projects (default
# 1,000) spread over 3 resources, rate limits off, every request delayed
# by LATENCY_MS.  The floor is requests x round trip / connections: the
# HTTP client keeps at most CONNS_PER_HOST connections per host
# (bench/lib.sh writes it into the configuration; 32 by default), so 3
# times that many requests can be in flight over 3 resources.  Reported:
# the share of that connection-bound rate reached.
# Run from tests/: sh bench/refresh.sh [N]
. ./e2e/lib.sh
. ./bench/lib.sh
N=${1:-1000}
bench_emu --rate-limits off a@eastus b@westus2 c@westus3
emu_ctl POST /job-time '{"all":"0"}' > /dev/null
bench_config "$T/standby.yaml" 4 a@eastus b@westus2 c@westus3
set -- a b c
i=0
: > "$T/pa"
: > "$T/pb"
: > "$T/pc"
for p in $(seq -f 'P%04g' 1 "$N"); do
	case $((i % 3)) in
	0) s=a r=b ;;
	1) s=b r=c ;;
	*) s=c r=a ;;
	esac
	echo "$p" >> "$T/p$s"
	echo "  $p: { kind: conversation, source: $s, replicas: [$r], model: { label: v1 }, deployments: { production: v1 } }" >> "$T/standby.yaml"
	i=$((i + 1))
done
for s in a b c; do
	# shellcheck disable=SC2046
	bench_seed_many "$s" "$FIXTURES/projects/clu-travel.json" $(cat "$T/p$s")
done
bench_latency "$LATENCY_MS"
RTT=$(bench_rtt a)
emu_ctl DELETE /requests > /dev/null
bench_run refresh "$BUILD/standby" refresh -f "$T/standby.yaml"
REQ=$(bench_requests)
n=$(echo "$REQ" | jq .total)
grep -q "a: $(wc -l < "$T/pa") projects" "$T/refresh.out" ||
    fail "refresh did not see every project: $(head -5 "$T/refresh.out")"
FLOOR=$(echo "$n $RTT" | awk -v c=$((3 * CONNS_PER_HOST)) '{ printf "%.3f", $1 * $2 / c }')
bench_result "refresh-$N" "{
	\"scenario\": \"d\", \"name\": \"refresh $N projects on 3 resources\",
	\"projects\": $N, \"latency_ms\": $LATENCY_MS, \"rtt_s\": $RTT,
	\"connections\": $((3 * CONNS_PER_HOST)),
	\"wall_s\": $WALL, \"peak_rss_kb\": $RSS_KB, \"requests\": $REQ,
	\"floor_s\": $FLOOR,
	\"share_of_connection_bound\": $(echo "$FLOOR $WALL" | awk '{ printf "%.3f", $1 / $2 }')
}"
echo "refresh $N projects: $WALL s for $n requests; floor $FLOOR s"
