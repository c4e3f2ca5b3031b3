# 011-validate-fixtures: each invalid fixture fails with the diagnostic its
# first line expects ("# expect: L:C: severity: path: message"), in text
# and in JSON; warning fixtures pass with their warning.
. ./e2e/lib.sh

n=0
for f in fixtures/invalid/*.yaml fixtures/warning/*.yaml; do
	exp=$(head -n 1 "$f" | sed -n 's/^# expect: //p')
	[ -n "$exp" ] || fail "$f has no '# expect:' line"
	run standby validate "$f"
	case $f in
	*/invalid/*) expect_exit 1 ;;
	*) expect_exit 0 ;;
	esac
	expect_stderr_contains "$f:$exp"
	# The same diagnostic in JSON, with the fields split out.
	line=${exp%%:*}
	rest=${exp#*:}
	col=${rest%%:*}
	run standby validate --format json "$f"
	jq -e --argjson l "$line" --argjson c "$col" --arg f "$f" \
	    '[.diagnostics[] | select(.line == $l and .column == $c and
	      .file == $f and (.severity == "error" or .severity == "warning")
	      and (.message | length) > 0)] | length >= 1' \
	    "$T/stdout" > /dev/null || fail "$f: no JSON diagnostic at $line:$col"
	n=$((n + 1))
done
[ "$n" -ge 30 ] || fail "only $n fixtures"
echo "ok $n fixtures"
