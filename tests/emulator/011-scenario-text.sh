# 011-scenario-text: the custom text fail-over guide step by step with curl,
# for a single-label, a multi-label and an NER project; a text import into
# a resource that does not know the storage container fails.
. ./e2e/lib.sh
emu_start --resource language:primary@eastus \
    --resource language:secondary@westus2 --resource language:other@northeurope \
    --container secondary=movies --container secondary=loanagreements \
    --container other=elsewhere --rate-limits off --retry-after 0

P=$(emu_endpoint primary)
S=$(emu_endpoint secondary)
API=language/authoring/analyze-text/projects
V=api-version=2023-04-01
n=0
for pair in MovieGenre:text-single MovieTags:text-multi LoanAgreements:text-ner; do
	name=${pair%%:*} file=${pair#*:}
	emu_seed_project primary "$name" "$FIXTURES/projects/$file.json"
	emu_call primary POST "$P/$API/$name/:export?$V&stringIndexType=Utf16CodeUnit" > /dev/null
	[ "$(cat "$T/emu.status")" = 202 ] || fail "$name export: HTTP $(cat "$T/emu.status")"
	emu_wait_job primary "$(emu_oploc)" > "$T/job.json"
	emu_call primary GET "$(jq -r .resultUrl "$T/job.json")" > "$T/$name.json"
	jq -e --slurpfile src "$FIXTURES/projects/$file.json" \
	    '.assets == $src[0].assets and .metadata.storageInputContainerName == $src[0].metadata.storageInputContainerName' \
	    "$T/$name.json" > /dev/null || fail "$name: export differs from what was imported"
	emu_call secondary POST "$S/$API/$name/:import?$V" "$T/$name.json" > /dev/null
	[ "$(cat "$T/emu.status")" = 202 ] || fail "$name import: HTTP $(cat "$T/emu.status")"
	emu_wait_job secondary "$(emu_oploc)" > /dev/null
	printf '{"modelLabel":"m1","trainingConfigVersion":"latest","evaluationOptions":{"kind":"manual"}}' > "$T/train.json"
	emu_call secondary POST "$S/$API/$name/:train?$V" "$T/train.json" > /dev/null
	[ "$(cat "$T/emu.status")" = 202 ] || fail "$name train: HTTP $(cat "$T/emu.status") $(cat "$T/emu.body")"
	emu_wait_job secondary "$(emu_oploc)" > "$T/tj.json"
	jq -e '.result.modelLabel == "m1" and (.result | has("trainingMode") | not)' "$T/tj.json" > /dev/null ||
	    fail "$name train job: $(cat "$T/tj.json")"
	printf '{"trainedModelLabel":"m1"}' > "$T/deploy.json"
	emu_call secondary PUT "$S/$API/$name/deployments/prod?$V" "$T/deploy.json" > /dev/null
	emu_wait_job secondary "$(emu_oploc)" > /dev/null
	emu_call secondary GET "$S/$API/$name?$V" > "$T/p.json"
	jq -e --arg k "$(jq -r .metadata.projectKind "$FIXTURES/projects/$file.json")" \
	    '.projectKind == $k and .storageInputContainerName and .lastTrainedDateTime and .lastDeployedDateTime' \
	    "$T/p.json" > /dev/null || fail "$name details: $(cat "$T/p.json")"
	n=$((n + 1))
	echo "ok $n - $name replicated"
done

# text training needs trainingConfigVersion
printf '{"modelLabel":"m2"}' > "$T/bad.json"
emu_call secondary POST "$S/$API/MovieGenre/:train?$V" "$T/bad.json" > /dev/null
[ "$(cat "$T/emu.status")" = 400 ] || fail "train without trainingConfigVersion: HTTP $(cat "$T/emu.status")"

# 'other' knows only the container 'elsewhere': the import job fails
emu_call other POST "$(emu_endpoint other)/$API/MovieGenre/:import?$V" "$T/MovieGenre.json" > /dev/null
[ "$(cat "$T/emu.status")" = 202 ] || fail "import into other: HTTP $(cat "$T/emu.status")"
job=$(emu_oploc)
for i in $(seq 100); do
	emu_call other GET "$job" > "$T/j.json"
	[ "$(jq -r .status "$T/j.json")" = failed ] && break
	sleep 0.05
done
jq -e '.status == "failed" and (.errors[0].message | contains("movies"))' "$T/j.json" > /dev/null ||
    fail "import with an unknown container: $(cat "$T/j.json")"
emu_call other GET "$(emu_endpoint other)/$API/MovieGenre?$V" > /dev/null
[ "$(cat "$T/emu.status")" = 404 ] || fail "failed import created the project"
jq -e '.error.code == "ProjectNotFound"' "$T/emu.body" > /dev/null || fail "404 body: $(cat "$T/emu.body")"
# the control API sets the containers; then the import works
emu_ctl PUT /resources/other/containers '{"containers":["movies"]}' > /dev/null
emu_seed_project other MovieGenre "$T/MovieGenre.json"
echo "ok 4 - import needs the storage container on the target resource"

# reset restores the containers given on the command line
emu_ctl POST /reset > /dev/null
emu_call other POST "$(emu_endpoint other)/$API/MovieGenre/:import?$V" "$T/MovieGenre.json" > /dev/null
job=$(emu_oploc)
for i in $(seq 100); do
	emu_call other GET "$job" > "$T/j.json"
	[ "$(jq -r .status "$T/j.json")" = failed ] && break
	sleep 0.05
done
[ "$(jq -r .status "$T/j.json")" = failed ] || fail "reset kept the containers set by the control API"
echo "ok 5 - reset restores the containers"
emu_stop
