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
