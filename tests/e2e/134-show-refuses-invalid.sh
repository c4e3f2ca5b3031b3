# 134-show-refuses-invalid: a broken or newer plan is refused with the file
# and the JSON path of what is wrong, and nothing is rendered.
. ./e2e/lib.sh

P=$FIXTURES/plans

# expect_refused FIXTURE MESSAGE
expect_refused() {
	run standby show "$P/$1"
	expect_exit 1
	expect_stderr_contains "standby: $P/$1: $2"
	[ ! -s "$T/stdout" ] || fail "$1: rendered despite the error"
}

expect_refused invalid-newer-version.json \
	'format_version 2 is newer than this standby reads (1); upgrade standby to use this plan'
expect_refused invalid-missing-hash.json 'config.hash: missing'
expect_refused invalid-unknown-kind.json "actions[1].kind: unknown kind 'frob'"
expect_refused invalid-unknown-key.json "actions[0]: unknown key 'extra'"
expect_refused invalid-delete-not-destructive.json 'actions[0].destructive: must be true for a delete'
expect_refused invalid-nested-before.json 'actions[2].before.nested: expected a string, integer, boolean or null, got an object'
expect_refused invalid-bad-timestamp.json 'created_at: expected an RFC 3339 date-time'
expect_refused invalid-unknown-reason.json "actions[3].reason.code: unknown reason 'whim'"
expect_refused invalid-wrong-type.json 'state.revision: expected an integer, got a string'
expect_refused invalid-float-revision.json 'state.revision: expected an integer, got a number'
expect_refused inconsistent-unknown-dependency.json "actions[3].depends_on[0]: unknown action 'import:Nope@lang-west'"
expect_refused inconsistent-cycle.json 'actions[2].depends_on[0]: dependency cycle: export:TravelAgent@lang-east -> deploy:TravelAgent@lang-west/production'
expect_refused inconsistent-summary.json "summary.create: is 5 but 2 actions have change 'create'"
expect_refused inconsistent-duplicate-id.json "actions[6].id: duplicate id 'openai_create:gpt-4o@aoai-west' (also actions[5])"
expect_refused inconsistent-id-kind.json "actions[3].id: 'train:TravelAgent@lang-west/v7' is not 'deploy:<name>@<resource>[/<sub>]'"
expect_refused inconsistent-destructive-order.json 'actions[1]: destructive action after actions[0], which is not; destructive actions come first'

run standby show "$P/invalid-not-json.json"
expect_exit 1
expect_stderr_contains "standby: $P/invalid-not-json.json:89:7: invalid JSON"

# Every format refuses, not only text.
for fmt in markdown json; do
	run standby show --format $fmt "$P/invalid-newer-version.json"
	expect_exit 1
	expect_stderr_contains 'is newer than this standby reads'
done
exit 0
