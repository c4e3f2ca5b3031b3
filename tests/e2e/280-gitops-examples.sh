# 280-gitops-examples: the CI examples (examples/ci/) parse, have the
# triggers and jobs their header promises, and their shell steps, run as
# written, plan (one pull-request comment, updated, paged past others),
# apply and check drift against the emulator.
. ./e2e/lib.sh
GH=$TOP/examples/ci/github-actions.yml
AZ=$TOP/examples/ci/azure-pipelines.yml

# --- structure ------------------------------------------------------------
python3 - "$GH" "$AZ" <<'PY' || fail "the CI examples lack what they promise"
import sys, yaml
gh = yaml.safe_load(open(sys.argv[1]))
az = yaml.safe_load(open(sys.argv[2]))
on = gh[True] if True in gh else gh["on"]  # YAML 1.1 reads "on" as true
assert "pull_request" in on and on["push"]["branches"] == ["main"], on
assert on["schedule"][0]["cron"], on
jobs = gh["jobs"]
assert "pull_request" in jobs["plan"]["if"]
assert jobs["plan"]["permissions"]["pull-requests"] == "write"
assert "push" in jobs["apply"]["if"] and jobs["apply"]["concurrency"]
assert "schedule" in jobs["drift"]["if"]
uses = lambda j: [s.get("uses", "").split("@")[0] for s in jobs[j]["steps"]]
for j in ("apply", "drift"):
    assert "actions/cache/save" in uses(j) and "actions/upload-artifact" in uses(j), j
assert "actions/cache/restore" in uses("plan")
assert az["pr"]["branches"]["include"] == ["main"]
assert az["trigger"]["branches"]["include"] == ["main"]
assert az["schedules"][0]["cron"]
ajobs = {j["job"]: j for j in az["jobs"]}
assert "PullRequest" in ajobs["plan"]["condition"]
assert "IndividualCI" in ajobs["apply"]["condition"]
assert "Schedule" in ajobs["drift"]["condition"]
assert any(s.get("artifact") == "standby-drift" for s in ajobs["drift"]["steps"])
assert any(s.get("task") == "Cache@2" for s in ajobs["apply"]["steps"])
PY
echo "ok 1 - both examples parse and hold plan on PRs, apply on main, daily drift"

# --- the emulator, and a repository as the examples expect ----------------
SECRET=ci-client-secret
emu_start --resource language:lang-east@eastus \
    --resource language:lang-west@westus2 \
    --client 00000000-0000-0000-0000-000000000002=$SECRET \
    --rate-limits off --job-time all=200ms --retry-after 0
# The source as people run it: Concierge (replicated into lang-east too)
# routes to TravelAgent's production deployment there.
emu_seed_project lang-east TravelAgent "$TOP/examples/projects/TravelAgent.json"
emu_train lang-east TravelAgent v7
emu_deploy lang-east TravelAgent production v7
REPO=$T/repo
mkdir -p "$REPO"
cp -R "$TOP/examples/projects" "$REPO/"
sed -e "s#https://contoso-lang-east\.cognitiveservices\.azure\.com#$(emu_endpoint lang-east)#" \
    -e "s#https://contoso-lang-west\.cognitiveservices\.azure\.com#$(emu_endpoint lang-west)#" \
    -e 's#post_per_minute: 10#post_per_minute: 600#' \
    "$TOP/examples/clu-failover.yaml" > "$REPO/standby.yaml"
mkdir -p "$T/bin"
ln -s "$BUILD/standby" "$T/bin/standby"

TOKEN=ci-token-$$
bg python3 "$TOP/tests/tools/cisrv.py" "$T/ciport" "$T/ci.log" "$TOKEN"
i=0
while [ ! -s "$T/ciport" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "cisrv.py did not start"
	sleep 0.05
done
CI=http://127.0.0.1:$(cat "$T/ciport")
EAST_KEY=$(emu_key lang-east)
AUTHORITY=$(jq -r .authority "$T/endpoints.json")
# For the checks run outside CI below.
export LANG_EAST_KEY="$EAST_KEY" STANDBY_CLIENT_SECRET="$SECRET"
export AZURE_AUTHORITY_HOST="$AUTHORITY"

cat > "$T/gh.json" <<EOT
{
  "secrets.LANG_EAST_KEY": "$EAST_KEY",
  "secrets.STANDBY_CLIENT_SECRET": "$SECRET",
  "github.token": "$TOKEN",
  "github.run_id": "42",
  "github.event.pull_request.number": "7",
  "env": {
    "PATH": "$T/bin:$PATH",
    "GITHUB_API_URL": "$CI",
    "GITHUB_REPOSITORY": "contoso/language-config",
    "RUNNER_TEMP": "$T",
    "AZURE_AUTHORITY_HOST": "$AUTHORITY"
  }
}
EOT
cat > "$T/az.json" <<EOT
{
  "LANG_EAST_KEY": "$EAST_KEY",
  "STANDBY_CLIENT_SECRET": "$SECRET",
  "System.AccessToken": "$TOKEN",
  "env": {
    "PATH": "$T/bin:$PATH",
    "SYSTEM_COLLECTIONURI": "$CI/contoso/",
    "SYSTEM_TEAMPROJECT": "language",
    "BUILD_REPOSITORY_ID": "repo-1",
    "SYSTEM_PULLREQUEST_PULLREQUESTID": "9",
    "AGENT_TEMPDIRECTORY": "$T",
    "AZURE_AUTHORITY_HOST": "$AUTHORITY"
  }
}
EOT

# ci KIND JOB: runs a job's shell steps in $REPO; output in $T/stdout.
ci() {
	[ "$1" = github ] && wf=$GH ctx=$T/gh.json || wf=$AZ ctx=$T/az.json
	python3 "$TOP/tests/tools/ci_run.py" "$1" "$wf" "$2" "$ctx" "$REPO" \
	    > "$T/stdout" 2> "$T/stderr"
	RC=$?
	cat "$T/stdout" "$T/stderr" >> "$T/all-output"
	[ "$RC" != 100 ] || fail "ci_run.py: $(cat "$T/stderr")"
}
dump() { curl -fsS "$CI/_dump"; }
# marked: the comments of pull request N that carry the plan marker.
gh_marked() {
	dump | jq --arg n "$1" '[.github[$n][] | select(.body | startswith("<!-- standby plan -->"))]'
}

# --- GitHub Actions: a pull request -----------------------------------------
curl -fsS -X POST "$CI/_seed/github/7/130" > /dev/null
ci github plan
expect_exit 0
[ "$(gh_marked 7 | jq length)" = 1 ] || fail "want one plan comment: $(gh_marked 7)"
gh_marked 7 | jq -r '.[0].body' > "$T/comment.md"
grep -q 'TravelAgent' "$T/comment.md" || fail "comment lacks TravelAgent: $(cat "$T/comment.md")"
grep -q 'to create' "$T/comment.md" || fail "comment lacks the summary: $(cat "$T/comment.md")"
grep -q 'TravelAgent' "$REPO/summary.md" || fail "no step summary"
echo "ok 2 - github: the plan of a pull request is posted as a comment"

ci github plan
expect_exit 0
[ "$(gh_marked 7 | jq length)" = 1 ] || fail "a second plan comment: $(gh_marked 7)"
[ "$(dump | jq '.github["7"] | length')" = 131 ] || fail "comments lost or added"
grep -q '^PATCH /repos/contoso/language-config/issues/comments/' "$T/ci.log" ||
    fail "no PATCH of the comment: $(cat "$T/ci.log")"
echo "ok 3 - github: a later push updates that comment, found past 130 others"

# A broken configuration: the comment says why and the job fails.
cp "$REPO/standby.yaml" "$T/good.yaml"
printf 'projects:\n  Broken: { kind: nonsense }\n' >> "$REPO/standby.yaml"
ci github plan
expect_exit 1
gh_marked 7 | jq -r '.[0].body' > "$T/comment.md"
grep -q 'standby plan failed' "$T/comment.md" || fail "comment: $(cat "$T/comment.md")"
grep -q 'standby.yaml:[0-9]' "$T/comment.md" || fail "the error names no place: $(cat "$T/comment.md")"
cp "$T/good.yaml" "$REPO/standby.yaml"
echo "ok 4 - github: a plan error is posted and fails the job"

# --- GitHub Actions: merge, then the daily drift check ---------------------
ci github apply
expect_exit 0
grep -q '"event"' "$REPO/apply.jsonl" || fail "apply.jsonl: $(head -c 600 "$REPO/apply.jsonl")"
run standby plan -f "$REPO/standby.yaml" --detailed-exitcode
expect_exit 0
echo "ok 5 - github: apply on main converges (the plan is empty after)"

ci github drift
expect_exit 0
[ -s "$REPO/drift.md" ] && jq -e . "$REPO/drift.json" > /dev/null ||
    fail "no drift report"
echo "ok 6 - github: the daily drift check passes when in sync, with its report"

emu_call lang-west DELETE "$(emu_endpoint lang-west)/language/authoring/analyze-conversations/projects/TravelAgent/deployments/production?api-version=2023-04-01" > /dev/null
emu_wait_job lang-west "$(emu_oploc)" > /dev/null
ci github drift
expect_exit 2
grep -q 'production' "$REPO/drift.md" || fail "drift.md: $(cat "$REPO/drift.md")"
expect_stderr_contains 'drifted apart'
echo "ok 7 - github: drift fails the scheduled run and reports what"

# --- Azure Pipelines --------------------------------------------------------
ci azure plan
expect_exit 0
th() { dump | jq '.azure["9"] // []'; }
[ "$(th | jq length)" = 1 ] || fail "want one thread: $(th)"
th | jq -r '.[0].comments[0].content' | grep -q 'TravelAgent' ||
    fail "thread: $(th)"
ci azure plan
expect_exit 0
[ "$(th | jq length)" = 1 ] || fail "a second thread: $(th)"
grep -q '^PATCH /contoso/language/_apis/git/repositories/repo-1/pullRequests/9/threads/[0-9]*/comments/1$' "$T/ci.log" ||
    fail "no PATCH of the thread: $(cat "$T/ci.log")"
echo "ok 8 - azure: the plan is posted as one pull-request thread, then updated"

ci azure apply
expect_exit 0
run standby plan -f "$REPO/standby.yaml" --detailed-exitcode
expect_exit 0
ci azure drift
expect_exit 0
[ -s "$REPO/report/drift.md" ] || fail "no report"
echo "ok 9 - azure: apply on main restores the deployment; drift passes"

# --- no secret anywhere ----------------------------------------------------
for s in "$EAST_KEY" "$SECRET" "$TOKEN"; do
	! grep -qF -- "$s" "$T/all-output" "$REPO/plan.md" "$REPO/drift.md" \
	    "$REPO/apply.jsonl" || fail "a secret reached the output"
	! dump | grep -qF -- "$s" || fail "a secret reached a comment"
done
echo "ok 10 - no key, client secret or token in logs, reports or comments"
