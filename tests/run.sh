#!/bin/sh
# run.sh - runs every test: the unit-test binaries in $BUILD/tests/unit and
# the numbered scripts under tests/*/ (NNN-name.sh), several at a time.
# Each test's output goes to $BUILD/test-logs/; a failing test's log is
# shown at the end.  The last line is "N passed, N failed".
#
# Usage: sh tests/run.sh [BUILD] [PATTERN]
#   PATTERN (a shell glob on the test name) picks a subset.
#   TEST_JOBS (default 4) tests run at once; TEST_TIMEOUT (default 300 s)
#   ends one that hangs.  STANDBY_VALGRIND wraps every binary.
BUILD=${1:-build}
PATTERN=${2:-*}
TOP=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
LOGS=$BUILD/test-logs
JOBS=${TEST_JOBS:-4}
export TOP BUILD LOGS
export TEST_TIMEOUT=${TEST_TIMEOUT:-300}

rm -rf "$LOGS"
mkdir -p "$LOGS"
list=$LOGS/.list
: > "$list"
for t in "$BUILD"/tests/unit/*_test; do
	[ -x "$t" ] || continue
	n=unit/$(basename "$t")
	case $n in $PATTERN) echo "$n $t" >> "$list" ;; esac
done
for t in "$TOP"/tests/*/[0-9][0-9][0-9]-*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$(dirname "$t")")/$(basename "$t" .sh)
	case $n in $PATTERN) echo "$n $t" >> "$list" ;; esac
done

# xargs runs a fresh shell per test, so "one" is passed as a script.
cat "$list" | xargs -P "$JOBS" -L 1 sh -c '
	name=$0 path=$1
	log=$LOGS/$(echo "$name" | tr / _).log
	case $path in
	*.sh) (cd "$TOP/tests" && timeout -k 5 "$TEST_TIMEOUT" sh "$path") \
		> "$log" 2>&1 ;;
	*) (cd "$TOP" && timeout -k 5 "$TEST_TIMEOUT" $STANDBY_VALGRIND "$path") \
		> "$log" 2>&1 ;;
	esac
	rc=$?
	echo $rc > "$log.rc"
	if [ $rc = 0 ]; then echo "PASS $name"; else echo "FAIL $name (exit $rc)"; fi
'

passed=0 failed=0 bad=""
while read -r name path; do
	log=$LOGS/$(echo "$name" | tr / _).log
	rc=$(cat "$log.rc" 2>/dev/null || echo 1)
	ok=$(grep -c '^ok ' "$log")
	nok=$(grep -c '^not ok ' "$log")
	if [ "$ok" = 0 ] && [ "$nok" = 0 ]; then
		if [ "$rc" = 0 ]; then ok=1; else nok=1; fi
	elif [ "$rc" != 0 ] && [ "$nok" = 0 ]; then
		nok=1 # it died after its last "ok"
	fi
	passed=$((passed + ok))
	failed=$((failed + nok))
	[ "$nok" != 0 ] && bad="$bad $name"
done < "$list"

for name in $bad; do
	log=$LOGS/$(echo "$name" | tr / _).log
	echo
	echo "--- $name (last 40 lines of $log)"
	tail -n 40 "$log"
done
echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ -s "$list" ]
