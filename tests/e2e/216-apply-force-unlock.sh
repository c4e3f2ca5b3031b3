# 216-apply-force-unlock: a lock left by a process on another host cannot
# be judged dead: apply refuses naming holder and lock id; force-unlock
# with that id removes it (a wrong id removes nothing).
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_setup
run standby refresh -f "$CFG"
expect_exit 0
DB=$T/.standby/state.db
sqlite3 "$DB" "INSERT INTO lock (id, lock_id, pid, host, user, operation, since) VALUES (1, '0123456789abcdef0123456789abcdef', 4242, 'build-agent-7', 'ci', 'apply', 1700000000)" ||
    fail "cannot plant a lock"
run standby apply -f "$CFG" --auto-approve
expect_exit 1
expect_stderr_contains '4242'
expect_stderr_contains 'build-agent-7'
expect_stderr_contains '0123456789abcdef0123456789abcdef'
[ -z "$(apply_changes)" ] || fail "changed while locked: $(apply_changes)"
run standby force-unlock -f "$CFG" ffffffffffffffffffffffffffffffff
expect_exit 1
run standby force-unlock -f "$CFG" 0123456789abcdef0123456789abcdef
expect_exit 0
run standby apply -f "$CFG" --auto-approve
expect_exit 0
expect_stdout_contains 'Apply complete: 14 succeeded'
