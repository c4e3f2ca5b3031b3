# 162-plan-adopt-edit-expire: against the emulator, with refresh.  A
# replica set up by hand through the real API (the fail-over guide's
# steps) is adopted: nothing to do.  Editing the source brings back the
# whole chain; a deployment about to expire is redeployed; a deployment no
# longer desired is deleted only with --prune, and never on a protected
# project.
. ./e2e/lib.sh
. ./e2e/config.sh
emu_start --resource language:east@eastus --resource language:west@westus2 \
    --rate-limits off --job-time all=30ms --retry-after 0
for r in east west; do
	emu_seed_project $r TravelAgent "$FIXTURES/projects/clu-travel.json"
	emu_train $r TravelAgent v1
	emu_deploy $r TravelAgent production v1
done
emu_config "$T/standby.yaml" east west <<EOC
projects:
  TravelAgent:
    kind: conversation
    source: east
    replicas: [west]
    model: { label: v1 }
    deployments: { production: v1 }
EOC
ids() { jq -r '[.actions[] | "\(.id) \(.reason.code)"] | join(", ")' "$T/plan.json"; }

sb plan -f "$T/standby.yaml" --detailed-exitcode -o "$T/plan.json"
expect_exit 0
expect_stdout_contains 'No changes'
echo "ok 1 - a replica built by hand is adopted"

# The source is edited (re-imported on east): the chain comes back.
sleep 1
emu_seed_project east TravelAgent "$FIXTURES/projects/clu-travel.json"
sb plan -f "$T/standby.yaml" --detailed-exitcode -o "$T/plan.json"
expect_exit 2
[ "$(ids)" = "export:TravelAgent@east source_changed, import:TravelAgent@west source_changed, train:TravelAgent@west/v1 model_stale, deploy:TravelAgent@west/production dependency" ] ||
    fail "after a source edit: $(ids)"
echo "ok 2 - source edited: export, import, train, deploy"

# Back in sync by hand, then the replica's deployment nears its expiry.
emu_seed_project west TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_train west TravelAgent v1
emu_deploy west TravelAgent production v1
soon=$(date -u -d '+10 days' +%F)
emu_ctl PUT /resources/west/projects/TravelAgent/deployments/production/expiration \
    "{\"date\":\"$soon\"}" > /dev/null
sb plan -f "$T/standby.yaml" --detailed-exitcode -o "$T/plan.json"
expect_exit 2
[ "$(ids)" = "train:TravelAgent@west/v1 deployment_expiring, deploy:TravelAgent@west/production deployment_expiring" ] ||
    fail "expiring: $(ids)"
expect_stdout_contains "$soon"
sb plan -f "$T/standby.yaml" --detailed-exitcode --expiry-window 5d
expect_exit 0
echo "ok 3 - an expiring deployment is retrained and redeployed"

# A deployment no longer desired: kept without --prune, deleted with it,
# kept (with a warning) when the project is protected.
emu_deploy west TravelAgent staging v1
emu_ctl PUT /resources/west/projects/TravelAgent/deployments/production/expiration \
    '{"date":"2030-01-01"}' > /dev/null
sb plan -f "$T/standby.yaml" --detailed-exitcode
expect_exit 0
sb plan -f "$T/standby.yaml" --detailed-exitcode --prune -o "$T/plan.json"
expect_exit 2
[ "$(ids)" = "delete_deployment:TravelAgent@west/staging not_desired" ] ||
    fail "prune: $(ids)"
expect_stdout_contains '- delete_deployment'
sed -i 's/    deployments: { production: v1 }/&\n    protect: true/' "$T/standby.yaml"
sb plan -f "$T/standby.yaml" --detailed-exitcode --prune -o "$T/plan.json"
expect_exit 0
jq -e '.warnings[] | select(.code == "protected_kept")' "$T/plan.json" > /dev/null ||
    fail "no protected_kept warning"
echo "ok 4 - prune and protect"
