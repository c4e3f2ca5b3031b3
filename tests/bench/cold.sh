# cold.sh - benchmark a cold replication: N projects on one source, each
# replicated into R regions, from an empty state file, against the
# emulator (job times and Retry-After as given), and report wall time,
# peak RSS and requests.  Run from tests/: sh bench/cold.sh [N] [R]
# (default 20 projects x 3 replicas).  Not part of make check.
. ./e2e/lib.sh
N=${1:-20}
R=${2:-3}
args="--resource language:src@eastus"
i=1
while [ $i -le "$R" ]; do
	args="$args --resource language:r$i@westus$i"
	i=$((i + 1))
done
# shellcheck disable=SC2086
emu_start $args --rate-limits off --retry-after 1 --job-time all=200ms --log-size 1000000
{
	echo "version: 1"
	echo "resources:"
	echo "  src: { type: language, region: eastus, endpoint: \"$(emu_endpoint src)\", auth: { key_env: SRC_KEY } }"
	i=1
	while [ $i -le "$R" ]; do
		echo "  r$i: { type: language, region: westus$i, endpoint: \"$(emu_endpoint r$i)\", auth: { key_env: R${i}_KEY } }"
		export "R${i}_KEY=$(emu_key r$i)"
		i=$((i + 1))
	done
	echo "projects:"
	p=1
	while [ $p -le "$N" ]; do
		reps=$(seq -s, 1 "$R" | sed 's/\([0-9]*\)/r\1/g')
		echo "  P$p: { kind: conversation, source: src, replicas: [$reps], model: { label: v1 }, deployments: { production: v1 } }"
		p=$((p + 1))
	done
	echo "settings:"
	echo "  parallelism: 10"
	echo "  rate_limits: { get_per_minute: 100000, post_per_minute: 100000 }"
} > "$T/standby.yaml"
SRC_KEY=$(emu_key src)
export SRC_KEY
p=1
while [ $p -le "$N" ]; do
	emu_seed_project src "P$p" "$FIXTURES/projects/clu-travel.json"
	p=$((p + 1))
done
emu_ctl DELETE /requests > /dev/null
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$T/rss" "$BUILD/standby" apply -f "$T/standby.yaml" \
    --auto-approve --parallelism "${PARALLELISM:-10}" > "$T/out" 2>&1 || {
	tail -20 "$T/out"
	fail "apply failed"
}
end=$(date +%s.%N)
reqs=$(emu_requests | jq length)
echo "cold replication: $N projects x $R replicas ($((N * (1 + 3 * R))) actions):" \
    "$(echo "$end - $start" | bc) s, peak RSS $(cat "$T/rss") KiB, $reqs requests"
tail -1 "$T/out"
