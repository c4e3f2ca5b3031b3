# 001-cli: --version, --help, help CMD, unknown command and option
. ./e2e/lib.sh

run standby --version
expect_exit 0
expect_stdout_contains 'standby 0.'

run standby --help
expect_exit 0
expect_stdout_contains 'usage: standby'

run standby frobnicate
expect_exit 1
expect_stderr_contains "'frobnicate' is not a standby command"

run standby --bogus
expect_exit 1
expect_stderr_contains 'usage: standby'

run standby
expect_exit 1

# Every command listed by --help answers --help and -h with its usage and
# exit 0, also those whose first argument is a subcommand (state).
run standby --help
cmds=$(awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' "$T/stdout")
[ -n "$cmds" ] || fail "no commands listed"
for c in $cmds; do
	for h in --help -h; do
		run standby "$c" "$h"
		expect_exit 0
		expect_stdout_contains "usage: standby $c"
	done
done
echo "ok 1 - every command answers --help"
