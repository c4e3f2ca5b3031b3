# 072-state-list-show: "state list" and "state show" print what the state
# file holds, found beside the config given with -f
. ./e2e/lib.sh

mkdir -p "$T/ops"
printf '{"projectFileVersion":"2023-04-01"}' > "$T/export.json"
cat > "$T/script" <<EOS
refresh lang-east
project TravelAgent projectKind=Conversation language=en-us lastModifiedDateTime=2024-01-01T00:00:00Z
model TravelAgent v7 modelId=v7-1 lastTrainedDateTime=2024-01-02T00:00:00Z
deployment TravelAgent production modelId=v7-1
commit
refresh lang-west
project TravelAgent projectKind=Conversation lastModifiedDateTime=2024-01-03T00:00:00Z
commit
stale lang-west connection refused
snapshot TravelAgent lang-east $T/export.json
EOS
run statefill "$T/ops/.standby/state.db" "$T/script"
expect_exit 0
hash=$(tail -n 1 "$T/stdout")
cat >> "$T/script2" <<EOS
replication lang-west TravelAgent lang-east $hash
EOS
run statefill "$T/ops/.standby/state.db" "$T/script2"
expect_exit 0

run standby state list -f "$T/ops/standby.yaml"
expect_exit 0
expect_stdout_contains 'project            lang-east/TravelAgent  modified 2024-01-01T00:00:00Z'
expect_stdout_contains 'model              lang-east/TravelAgent/models/v7'
expect_stdout_contains 'deployment         lang-east/TravelAgent/deployments/production  -> v7-1'
expect_stdout_contains 'STALE since'
expect_stdout_contains 'connection refused'
expect_stdout_contains "replica            lang-west/TravelAgent  from lang-east  snapshot $(echo "$hash" | cut -c1-12)"
expect_stdout_contains "snapshot           $(echo "$hash" | cut -c1-12)  TravelAgent  from lang-east  35 bytes"

run standby --state "$T/ops/.standby/state.db" state show lang-west/TravelAgent
expect_exit 0
expect_stdout_contains 'lastModifiedDateTime         2024-01-03T00:00:00Z'
expect_stdout_contains "snapshot                     $hash"
expect_stdout_contains 'replicated from              lang-east'

run standby state show -f "$T/ops/standby.yaml" lang-east/TravelAgent/models/v7
expect_exit 0
expect_stdout_contains 'modelId                      v7-1'
expect_stdout_contains 'lastTrainedDateTime          2024-01-02T00:00:00Z'

run standby state show -f "$T/ops/standby.yaml" "$(echo "$hash" | cut -c1-8)"
expect_exit 0
expect_stdout_contains "snapshot                     $hash"
expect_stdout_contains 'size                         35'

run standby state show -f "$T/ops/standby.yaml" lang-west
expect_exit 0
expect_stdout_contains 'stale because                connection refused'

run standby state show -f "$T/ops/standby.yaml" lang-east/Nope
expect_exit 1
expect_stderr_contains "no project 'lang-east/Nope' in the state file"

run standby state show -f "$T/ops/standby.yaml" a/b/c/d/e
expect_exit 1
expect_stderr_contains "'a/b/c/d/e' is not an object address"
