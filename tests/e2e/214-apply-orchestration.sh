# 214-apply-orchestration: an orchestration's training and deployment on a
# replica wait for the deployment of the project it routes to there;
# --format json prints one JSON event per line, ending with a summary.
. ./e2e/lib.sh
. ./e2e/apply_lib.sh
apply_setup
emu_seed_project east Router "$FIXTURES/projects/orchestration-router.json"
emu_ctl DELETE /requests > /dev/null
sed -i '/^settings:/i\
  Router:\
    kind: orchestration\
    source: east\
    replicas: [west]\
    routes: [TravelAgent]\
    model: { label: o1 }\
    deployments: { production: o1 }' "$CFG"

run standby apply -f "$CFG" --auto-approve --format json
expect_exit 0
jq -c . "$T/stdout" > /dev/null || fail "stdout is not JSON lines"
[ "$(jq -s 'map(select(.event == "start")) | length' "$T/stdout")" = 18 ] || fail "want 18 start events"
jq -s -e 'last | .event == "summary" and .succeeded == 18 and .failed == 0' "$T/stdout" > /dev/null ||
    fail "last line is not a summary of 18 successes"
jq -s -e 'map(select(.event == "end")) | all(.outcome == "succeeded")' "$T/stdout" > /dev/null ||
    fail "an action did not succeed"
# Ordering: line numbers of the events
pos() { jq -s --arg e "$1" --arg a "$2" 'to_entries | map(select(.value.event == $e and .value.action == $a)) | .[0].key' "$T/stdout"; }
dep_end=$(pos end deploy:TravelAgent@west/production)
tr_start=$(pos start train:Router@west/o1)
dp_start=$(pos start deploy:Router@west/production)
imp_end=$(pos end import:Router@west)
[ "$tr_start" -gt "$dep_end" ] || fail "Router trained ($tr_start) before TravelAgent was deployed ($dep_end)"
[ "$dp_start" -gt "$dep_end" ] || fail "Router deployed before TravelAgent"
[ "$tr_start" -gt "$imp_end" ] || fail "Router trained before its import ended"
# the text form of an event names the action; json has them all
jq -s -e 'map(select(.event == "end" and .kind == "export")) | length == 3 and all(.detail | test("^snapshot [0-9a-f]{12}"))' "$T/stdout" > /dev/null ||
    fail "export events lack their snapshot"
expect_empty_plan
