# 090-lang-list-paging: a list longer than a page is read whole by
# following nextLink, and the key never reaches langc's output.
. ./e2e/lib.sh
emu_start --resource language:east@eastus --key east=k-090-secret-east \
    --rate-limits off --job-time all=50ms
E=$(emu_endpoint east)
export LANG_KEY=k-090-secret-east
for i in 1 2 3 4 5; do
	jq ".metadata.projectName = \"Proj$i\"" \
	    "$FIXTURES/projects/clu-travel.json" > "$T/p$i.json"
	run langc --endpoint "$E" --key-env LANG_KEY --poll-ms 20 \
	    import conversations "Proj$i" "$T/p$i.json"
	expect_exit 0
	expect_stdout_contains '"status":"succeeded"'
done

run langc --endpoint "$E" --key-env LANG_KEY --page-size 2 \
    list-projects conversations
expect_exit 0
[ "$(jq .count "$T/stdout")" = 5 ] || fail "want 5 projects"
[ "$(jq -r '[.projects[].name] | sort | join(",")' "$T/stdout")" = \
    "Proj1,Proj2,Proj3,Proj4,Proj5" ] || fail "wrong names"
expect_stdout_lacks k-090-secret-east
expect_stderr_lacks k-090-secret-east
# Three pages: the first call and two nextLinks.
n=$(emu_requests east | jq '[.[] | select(.method == "GET" and
    (.path | test("/analyze-conversations/projects$")))] | length')
[ "$n" = 3 ] || fail "want 3 list requests, got $n"

run langc --endpoint "$E" --key-env LANG_KEY list-projects text
expect_exit 0
[ "$(jq .count "$T/stdout")" = 0 ] || fail "text family should be empty"
