# 012-validate-cli: options, exit codes, missing files, sorted output, and
# secrets never echoed
. ./e2e/lib.sh

run standby validate --bogus
expect_exit 1
expect_stderr_contains 'usage: standby validate'

run standby validate --format yaml ../examples/clu-failover.yaml
expect_exit 1
expect_stderr_contains "unknown format 'yaml'"

run standby help validate
expect_exit 0
expect_stdout_contains '--format'

run standby validate -f "$T/nope.yaml"
expect_exit 1
expect_stderr_contains "cannot open '$T/nope.yaml'"

run standby validate --format json -f "$T/nope.yaml"
expect_exit 1
jq -e '.valid == false and .diagnostics[0].line == 0' "$T/stdout" > /dev/null ||
    fail "json for a missing file"

# One valid and one invalid file: exit 1, both reported.
run standby validate ../examples/clu-failover.yaml fixtures/invalid/unknown-key.yaml
expect_exit 1
expect_stdout_contains 'clu-failover.yaml: valid'
expect_stderr_contains 'unknown-key.yaml:7:5'

# Every problem in one run, sorted by line and column.
cat > "$T/many.yaml" <<'YAML'
version: 1
resources:
  a:
    type: langauge
    region: Bad Region
    endpoint: ftp://x
    auth: { key_env: A, entra: azure-cli }
  b: { type: openai, region: eastus, id: nope, auth: { entra: x } }
YAML
run standby validate "$T/many.yaml"
expect_exit 1
[ "$(wc -l < "$T/stderr")" -ge 6 ] || fail "not every problem reported"
cut -d: -f2,3 "$T/stderr" | sort -t: -k1,1n -k2,2n -c || fail "not sorted"
run standby validate --format json "$T/many.yaml"
jq -e '[.diagnostics[] | [.line, .column]] == ([.diagnostics[] | [.line, .column]] | sort)
    and (.diagnostics | all(has("file") and has("line") and has("column")
    and has("path") and has("severity") and has("message")))' \
    "$T/stdout" > /dev/null || fail "json diagnostics unsorted or incomplete"

# Secrets: refused, and the value never appears.
for f in fixtures/invalid/inline-secret-key.yaml \
    fixtures/invalid/inline-secret-password.yaml \
    fixtures/invalid/key-env-holds-key.yaml; do
	for fmt in text json; do
		run standby validate --format "$fmt" "$f"
		expect_exit 1
	done
done
run standby validate fixtures/invalid/inline-secret-key.yaml
expect_file_lacks "$T/stderr" 0123456789abcdef0123456789abcdef
run standby validate --format json fixtures/invalid/inline-secret-key.yaml
expect_file_lacks "$T/stdout" 0123456789abcdef0123456789abcdef
run standby validate fixtures/invalid/inline-secret-password.yaml
expect_file_lacks "$T/stderr" hunter2-SECRET
run standby validate fixtures/invalid/key-env-holds-key.yaml
expect_file_lacks "$T/stderr" SECRETKEY

# A file over the size limit is refused without being parsed.
{ echo 'version: 1'; echo 'resources: {}'; head -c 5000000 /dev/zero | tr '\0' '#'; echo; } > "$T/big.yaml"
run standby validate "$T/big.yaml"
expect_exit 1
expect_stderr_contains 'big.yaml:1:1: error: the file is larger than the limit'
