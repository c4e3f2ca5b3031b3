# 073-state-file-modes: the state directory is created 0700 and the state
# file (and its WAL) 0600, whatever the umask
. ./e2e/lib.sh

printf 'refresh r\nproject P\ncommit\n' > "$T/script"
umask 000
run statefill "$T/a/b/.standby/state.db" "$T/script"
expect_exit 0
[ "$(stat -c %a "$T/a/b/.standby")" = 700 ] || fail "directory is $(stat -c %a "$T/a/b/.standby")"
[ "$(stat -c %a "$T/a/b/.standby/state.db")" = 600 ] || fail "file is $(stat -c %a "$T/a/b/.standby/state.db")"
umask 022
run standby --state "$T/a/b/.standby/state.db" state list
expect_exit 0
expect_stdout_contains 'r/P'
for f in "$T"/a/b/.standby/*; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f is $(stat -c %a "$f")"
done
