# bigexport.sh - scenario (e): one project whose export is SIZE_MB
# (default 50) megabytes, imported into the source through the real API,
# then replicated by "standby apply" into 3 regions.  Peak RSS of standby
# against the payload size (target: at most 2 x payload + 32 MB).
# Run from tests/: sh bench/bigexport.sh [SIZE_MB]
. ./e2e/lib.sh
. ./bench/lib.sh
MB=${1:-50}
bench_emu src@eastus r1@westus r2@westus2 r3@westus3
python3 "$TOP/tests/bench/bigproject.py" "$MB" "$T/big.json" || fail "bigproject.py failed"
emu_ctl POST /job-time '{"all":"0"}' > /dev/null
emu_seed_project src Big "$T/big.json"
emu_ctl POST /job-time "{\"export\":\"${EXPORT_MS}ms\",\"import\":\"${IMPORT_MS}ms\",\"train\":\"${TRAIN_MS}ms\",\"deploy\":\"${DEPLOY_MS}ms\"}" > /dev/null
bench_latency "$LATENCY_MS"
bench_config "$T/standby.yaml" 16 src@eastus r1@westus r2@westus2 r3@westus3
echo "  Big: { kind: conversation, source: src, replicas: [r1, r2, r3], model: { label: v1 }, deployments: { production: v1 } }" >> "$T/standby.yaml"
emu_ctl DELETE /requests > /dev/null
bench_run apply "$BUILD/standby" apply -f "$T/standby.yaml" --auto-approve
for r in r1 r2 r3; do
	emu_call "$r" GET "$(emu_endpoint "$r")/language/authoring/analyze-conversations/projects/Big/deployments/production?api-version=2023-04-01" > /dev/null
	[ "$(jq -r .modelId "$T/emu.body")" != null ] || fail "Big not deployed on $r"
done
BYTES=$(wc -c < "$T/big.json")
bench_result "bigexport-$MB" "{
	\"scenario\": \"e\", \"name\": \"${MB} MB export to 3 regions\",
	\"payload_bytes\": $BYTES, \"wall_s\": $WALL, \"peak_rss_kb\": $RSS_KB,
	\"limit_kb\": $((2 * BYTES / 1024 + 32768)),
	\"requests\": $(bench_requests)
}"
echo "big export: $BYTES bytes to 3 regions: $WALL s, peak RSS $RSS_KB KiB"
