# 160-plan-assets: a project whose source is a file in git is re-imported
# when the file's SHA-256 differs from the snapshot the replica was built
# from (assets_changed), with no export.
. ./e2e/lib.sh
. ./e2e/plan_fixture.sh

cp "$FIXTURES/assets/conversation.json" "$T/travel.json"
cat > "$T/standby.yaml" <<EOC
version: 1
resources:
  lang-west: { type: language, region: westus2, endpoint: https://west.invalid, auth: { key_env: K2 } }
projects:
  TravelAgent:
    kind: conversation
    assets: travel.json
    replicas: [lang-west]
    model: { label: v7 }
    deployments: { production: v7 }
EOC
HASH=$(sha256sum "$T/travel.json" | cut -d' ' -f1)
plan_state <<EOS
refresh lang-west
project TravelAgent projectKind=Conversation lastModifiedDateTime=$REP_MOD
model TravelAgent v7 modelId=$RID expiration=2027-06-01
deployment TravelAgent production modelId=$RID expiration=2027-12-01
commit
replication lang-west TravelAgent - $HASH - $REP_MOD
trained lang-west TravelAgent v7 $HASH
EOS
run standby plan -f "$T/standby.yaml" --refresh=false --detailed-exitcode
expect_exit 0
expect_stdout_contains 'No changes.'

sed 's/book a flight/book a train/' "$FIXTURES/assets/conversation.json" > "$T/travel.json"
NEW=$(sha256sum "$T/travel.json" | cut -d' ' -f1)
run standby plan -f "$T/standby.yaml" --refresh=false --detailed-exitcode -o "$T/p.json"
expect_exit 2
expect_stdout_contains '[assets_changed]'
expect_stdout_contains "$NEW"
expect_stdout_lacks 'export'
plan_schema "$T/p.json"
