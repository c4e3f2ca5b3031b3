# 010-validate-examples: every example validates, alone and together, in
# text and JSON
. ./e2e/lib.sh

run standby validate ../examples/clu-failover.yaml ../examples/text-classification.yaml ../examples/openai-bcdr.yaml
expect_exit 0
expect_stdout_contains 'clu-failover.yaml: valid'
expect_stdout_contains 'openai-bcdr.yaml: valid'

for f in ../examples/*.yaml; do
	run standby validate -f "$f"
	expect_exit 0
	run standby validate --format json -f "$f"
	expect_exit 0
	jq -e '.valid == true and .errors == 0 and (.files[0].hash | length) == 64' \
	    "$T/stdout" > /dev/null || fail "json for $f"
done

# Default file: ./standby.yaml in the current directory.
cp ../examples/openai-bcdr.yaml "$T/standby.yaml"
cp -r ../examples/data "$T/data"
(cd "$T" && "$BUILD/standby" validate > out 2>&1) || fail "default ./standby.yaml"
grep -q 'standby.yaml: valid' "$T/out" || fail "default file not named"

# Comments and layout do not change the hash; a value does.
run standby validate --format json "$T/standby.yaml"
h1=$(jq -r '.files[0].hash' "$T/stdout")
sed 's/#.*$//; s/^openai:/openai:   /' ../examples/openai-bcdr.yaml > "$T/standby.yaml"
run standby validate --format json "$T/standby.yaml"
h2=$(jq -r '.files[0].hash' "$T/stdout")
[ "$h1" = "$h2" ] || fail "hash changed with comments: $h1 $h2"
sed 's/capacity: 100/capacity: 101/' ../examples/openai-bcdr.yaml > "$T/standby.yaml"
run standby validate --format json "$T/standby.yaml"
h3=$(jq -r '.files[0].hash' "$T/stdout")
[ "$h1" != "$h3" ] || fail "hash did not change with capacity"
