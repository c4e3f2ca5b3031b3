# refresh.sh - scenario (d): "standby refresh" of N projects (default
# 1,000) spread over 3 resources, rate limits off, every request delayed
# by LATENCY_MS.  The floor is requests x round trip / connections: the
# HTTP client keeps at most CONNS_PER_HOST connections per host
# (bench/lib.sh writes it into the configuration; 32 by default), so 3
# times that many requests can be in flight over 3 resources.  Reported:
# the share of that connection-bound rate reached, and beside it curl
# fetching the same requests with as many at once, every URL known in
# advance (what this machine and emulator allow without the listing).
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

# What this machine and emulator allow a client that knows every URL in
# advance: curl fetching the same requests, as many at once as standby
# may have connections.
emu_requests | jq -r '.[] | "\(.resource) \(.path)?\(.query |
    to_entries | map("\(.key)=\(.value)") | join("&"))"' > "$T/urls"
: > "$T/curl.cfg"
for r in a b c; do
	eval "ep_$r=\$(emu_endpoint $r) key_$r=\$(emu_key $r)"
done
while read -r r u; do
	eval "ep=\$ep_$r key=\$key_$r"
	printf 'next\nurl = "%s%s"\nheader = "Ocp-Apim-Subscription-Key: %s"\noutput = "/dev/null"\n' \
	    "$ep" "$u" "$key" >> "$T/curl.cfg"
done < "$T/urls"
t0=$(now)
curl -sS --fail -Z --parallel-max $((3 * CONNS_PER_HOST)) -K "$T/curl.cfg" \
    2> "$T/curl.err" || fail "curl could not fetch them: $(tail -3 "$T/curl.err")"
CURL_WALL=$(elapsed "$t0" "$(now)")
bench_result "refresh-$N" "{
	\"scenario\": \"d\", \"name\": \"refresh $N projects on 3 resources\",
	\"projects\": $N, \"latency_ms\": $LATENCY_MS, \"rtt_s\": $RTT,
	\"connections\": $((3 * CONNS_PER_HOST)),
	\"wall_s\": $WALL, \"peak_rss_kb\": $RSS_KB, \"requests\": $REQ,
	\"floor_s\": $FLOOR,
	\"curl_parallel_s\": $CURL_WALL,
	\"share_of_connection_bound\": $(echo "$FLOOR $WALL" | awk '{ printf "%.3f", $1 / $2 }')
}"
echo "refresh $N projects: $WALL s for $n requests; floor $FLOOR s; curl, all URLs known, $CURL_WALL s"
