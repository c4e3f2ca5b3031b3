# 071-state-refuses-bad-files: a corrupt, foreign or newer state file is
# refused with a clear message, exit 1, and left byte for byte as it was
. ./e2e/lib.sh

mkdir -p "$T/.standby"
db=$T/.standby/state.db
cd "$T"

printf 'not a database at all\n' > "$db"
cp "$db" "$T/before"
run standby state list
expect_exit 1
expect_stderr_contains "state file '.standby/state.db' is corrupt"
cmp -s "$db" "$T/before" || fail "the corrupt file was changed"
[ ! -e "$db-wal" ] || fail "a WAL file was created beside a corrupt file"

rm -f "$db"
sqlite3 "$db" 'PRAGMA application_id = 42; CREATE TABLE t (x);'
cp "$db" "$T/before"
run standby state list
expect_exit 1
expect_stderr_contains "is not a standby state file"
cmp -s "$db" "$T/before" || fail "the foreign file was changed"

rm -f "$db"
: > "$T/empty.script"
run statefill "$db" "$T/empty.script"
expect_exit 0
sqlite3 "$db" 'PRAGMA user_version = 99; PRAGMA wal_checkpoint(TRUNCATE);' > /dev/null
rm -f "$db-wal" "$db-shm"
cp "$db" "$T/before"
run standby state show lang-east/P
expect_exit 1
expect_stderr_contains "was written by a newer standby (schema 99, this binary knows"
cmp -s "$db" "$T/before" || fail "the newer file was changed"
