# 070-state-list-empty: with no state file, or a new empty one, "state list"
# shows nothing and succeeds; it never creates the file
. ./e2e/lib.sh

cd "$T"
run standby state list
expect_exit 0
[ ! -s "$T/stdout" ] || fail "stdout not empty"
expect_stderr_contains "no state file '.standby/state.db' yet"
[ ! -e "$T/.standby" ] || fail "state list created the state directory"

: > "$T/empty.script"
run statefill "$T/new/state.db" "$T/empty.script"
expect_exit 0
run standby --state "$T/new/state.db" state list
expect_exit 0
[ ! -s "$T/stdout" ] || fail "stdout not empty for a new state file"
[ ! -s "$T/stderr" ] || fail "stderr not empty for a new state file"

run standby state frob
expect_exit 1
expect_stderr_contains "'frob' is not a 'state' subcommand"
run standby state show
expect_exit 1
expect_stderr_contains 'usage: standby state'
