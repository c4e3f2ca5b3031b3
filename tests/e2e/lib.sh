# lib.sh - helpers for end-to-end tests, sourced by tests/*/NNN-name.sh.
# Tests run from tests/ with BUILD (absolute) set by tests/run.sh; each gets
# its own temporary directory $T, removed on exit, and every process it
# started is stopped.
#
#	. ./e2e/lib.sh
#	run standby validate -f "$T/standby.yaml"
#	expect_exit 0
#	expect_stdout_contains 'valid'

set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
FIXTURES=$TOP/tests/fixtures
T=$(mktemp -d "${TMPDIR:-/tmp}/standby-test.XXXXXX")
PIDS=""
RC=0
export NO_COLOR=1

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	[ -n "${KEEP_T:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 129' HUP INT TERM

# fail MESSAGE: ends the test, showing the last command's output.
fail() {
	echo "FAIL: $*" >&2
	if [ -f "$T/stdout" ]; then
		echo "--- stdout:" >&2
		head -c 4000 "$T/stdout" >&2
		echo "--- stderr:" >&2
		head -c 4000 "$T/stderr" >&2
	fi
	exit 1
}

# run PROGRAM ARGS...: runs build/PROGRAM (standby, standby-emulator, or a
# test tool), stdout to $T/stdout, stderr to $T/stderr, status to $RC.
run() {
	prog=$1
	shift
	case $prog in
	standby | standby-emulator) bin=$BUILD/$prog ;;
	*) bin=$BUILD/tests/tools/$prog ;;
	esac
	set +e
	${STANDBY_VALGRIND:-} "$bin" "$@" > "$T/stdout" 2> "$T/stderr" < /dev/null
	RC=$?
	set -e 2>/dev/null; set +e
}

expect_exit() {
	[ "$RC" = "$1" ] || fail "exit status $RC, want $1"
}

expect_stdout_contains() {
	grep -qF -- "$1" "$T/stdout" || fail "stdout lacks '$1'"
}

expect_stdout_lacks() {
	! grep -qF -- "$1" "$T/stdout" || fail "stdout has '$1'"
}

expect_stderr_contains() {
	grep -qF -- "$1" "$T/stderr" || fail "stderr lacks '$1'"
}

expect_stderr_lacks() {
	! grep -qF -- "$1" "$T/stderr" || fail "stderr has '$1'"
}

# expect_file_lacks FILE STRING: a secret must not be in FILE.
expect_file_lacks() {
	! grep -qaF -- "$2" "$1" || fail "$1 contains '$2'"
}

# bg COMMAND...: starts a process that cleanup() stops.
bg() {
	"$@" &
	PIDS="$PIDS $!"
}
