/*
 * planfile_test.c - loading, strict checking and canonical writing of a
 * saved plan.  Each invalid case starts from a valid fixture and breaks
 * one thing, so the message must name that thing's JSON path.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "planfile.h"
#include "t.h"

#define FIX "tests/fixtures/plans/"

static struct err e;

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)n + 1)) != NULL) {
		*len = fread(s, 1, (size_t)n, fp);
		s[*len] = '\0';
	}
	fclose(fp);
	return s;
}

/* A valid fixture, loaded (and so checked). */
static cJSON *
fixture(const char *name)
{
	char path[256];
	cJSON *p = NULL;

	snprintf(path, sizeof(path), FIX "%s", name);
	err_clear(&e);
	if (planfile_load(&p, path, &e) != 0)
		fprintf(stderr, "# %s\n", e.msg);
	return p;
}

static cJSON *
action(cJSON *plan, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(plan, "actions"), i);
}

/* Runs planfile_check on plan, frees it, and returns the message ("" when
 * it passed). */
static const char *
check_msg(cJSON *plan)
{
	err_clear(&e);
	if (planfile_check(plan, &e) == 0)
		e.msg[0] = '\0';
	cJSON_Delete(plan);
	return e.msg;
}

static void
set_str(cJSON *obj, const char *key, const char *val)
{
	cJSON_ReplaceItemInObjectCaseSensitive(
	    obj, key, cJSON_CreateString(val));
}

static void
test_valid_fixtures_load(void)
{
	static const char *const names[] = { "valid-travel.json",
		"valid-all.json", "valid-empty.json", "valid-nasty.json" };
	size_t i;
	cJSON *p;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = fixture(names[i]);
		T_OK(p != NULL);
		cJSON_Delete(p);
	}
}

static void
test_write_reproduces_canonical_fixtures_byte_for_byte(void)
{
	static const char *const names[] = { "valid-travel.json",
		"valid-all.json", "valid-empty.json", "valid-nasty.json" };
	struct buf out = { 0 };
	char path[256], *want;
	size_t i, len;
	cJSON *p;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), FIX "%s", names[i]);
		want = slurp(path, &len);
		T_OK(want != NULL);
		p = fixture(names[i]);
		buf_reset(&out);
		T_EQ_INT(planfile_write(p, &out, &e), 0);
		cJSON_Delete(p);
		T_EQ_STR(buf_str(&out), want);
		free(want);
	}
	buf_release(&out);
}

static void
test_write_puts_keys_in_contract_order(void)
{
	struct buf a = { 0 }, b = { 0 };
	cJSON *p = fixture("valid-travel.json"), *q, *item, *act;

	T_OK(p != NULL);
	T_EQ_INT(planfile_write(p, &a, &e), 0);
	/* Move keys to the end of their objects: the output must not
	 * change. */
	item = cJSON_DetachItemFromObjectCaseSensitive(p, "format_version");
	cJSON_AddItemToObject(p, "format_version", item);
	act = action(p, 1);
	item = cJSON_DetachItemFromObjectCaseSensitive(act, "id");
	cJSON_AddItemToObject(act, "id", item);
	q = cJSON_GetObjectItem(act, "target");
	item = cJSON_DetachItemFromObjectCaseSensitive(q, "type");
	cJSON_AddItemToObject(q, "type", item);
	T_EQ_INT(planfile_write(p, &b, &e), 0);
	cJSON_Delete(p);
	T_EQ_STR(buf_str(&b), buf_str(&a));
	T_OK(strncmp(buf_str(&a), "{\n  \"format_version\": 1,\n",
	         strlen("{\n  \"format_version\": 1,\n")) == 0);
	T_OK(a.data[a.len - 1] == '\n' && a.data[a.len - 2] == '}');
	buf_release(&a);
	buf_release(&b);
}

/* Snapshot keys that need escaping or are too long for the one-append
 * path, and targets without their optional keys, are written as before:
 * the output parses back to the same plan and has the escapes. */
static void
test_write_escapes_odd_keys_and_skips_absent_ones(void)
{
	struct buf a = { 0 };
	char longkey[200];
	cJSON *p = fixture("valid-travel.json"), *q = NULL, *act, *snap, *t;

	T_OK(p != NULL);
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	act = action(p, 1);
	snap = cJSON_CreateObject();
	cJSON_AddStringToObject(snap, "quo\"te", "v\"1");
	cJSON_AddStringToObject(snap, "back\\slash", "\x01");
	cJSON_AddStringToObject(snap, "tab\there", "\xc3\xbc");
	cJSON_AddNumberToObject(snap, longkey, -42);
	cJSON_ReplaceItemInObjectCaseSensitive(act, "before", snap);
	t = cJSON_GetObjectItem(act, "target");
	cJSON_DeleteItemFromObjectCaseSensitive(t, "project_kind");
	cJSON_DeleteItemFromObjectCaseSensitive(t, "type");
	cJSON_AddStringToObject(t, "type", "language");
	T_EQ_INT(planfile_write(p, &a, &e), 0);
	T_CONTAINS(buf_str(&a), "      \"quo\\\"te\": \"v\\\"1\",\n");
	T_CONTAINS(buf_str(&a), "\"back\\\\slash\": \"\\u0001\"");
	T_CONTAINS(buf_str(&a), "\"tab\\there\": \"\xc3\xbc\"");
	T_CONTAINS(buf_str(&a), "kkkk\": -42\n");
	T_OK(planfile_parse(&q, a.data, a.len, "<out>", &e) == 0);
	T_OK(q != NULL && cJSON_Compare(p, q, 1));
	cJSON_Delete(p);
	cJSON_Delete(q);
	buf_release(&a);
}

static void
test_write_refuses_an_invalid_plan(void)
{
	struct buf out = { 0 };
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(p, "summary");
	T_EQ_INT(planfile_write(p, &out, &e), -1);
	cJSON_Delete(p);
	T_CONTAINS(e.msg, "summary: missing");
	T_EQ_INT(out.len, 0);
}

static void
test_newer_format_version_is_refused_with_upgrade_hint(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	/* A newer format may have any shape: only the version is looked at. */
	cJSON_ReplaceItemInObjectCaseSensitive(
	    p, "format_version", cJSON_CreateNumber(2));
	cJSON_DeleteItemFromObjectCaseSensitive(p, "actions");
	T_EQ_STR(check_msg(p),
	    "format_version 2 is newer than this standby reads (1); upgrade "
	    "standby to use this plan");
}

static void
test_bad_format_versions_are_refused(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	cJSON_ReplaceItemInObjectCaseSensitive(
	    p, "format_version", cJSON_CreateNumber(0));
	T_CONTAINS(check_msg(p), "format_version 0 is not supported");
	p = fixture("valid-travel.json");
	cJSON_ReplaceItemInObjectCaseSensitive(
	    p, "format_version", cJSON_CreateString("1"));
	T_EQ_STR(
	    check_msg(p), "format_version: expected an integer, got a string");
	p = fixture("valid-travel.json");
	cJSON_DeleteItemFromObjectCaseSensitive(p, "format_version");
	T_EQ_STR(check_msg(p), "format_version: missing");
	T_EQ_STR(check_msg(cJSON_CreateArray()),
	    "expected a JSON object at the top level, got an array");
}

static void
test_missing_field_is_named_by_path(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(
	    cJSON_GetObjectItem(p, "config"), "hash");
	T_EQ_STR(check_msg(p), "config.hash: missing");
	p = fixture("valid-travel.json");
	cJSON_DeleteItemFromObjectCaseSensitive(action(p, 2), "reason");
	T_EQ_STR(check_msg(p), "actions[2].reason: missing");
	p = fixture("valid-travel.json");
	cJSON_DeleteItemFromObjectCaseSensitive(
	    cJSON_GetObjectItem(action(p, 3), "target"), "region");
	T_EQ_STR(check_msg(p), "actions[3].target.region: missing");
}

static void
test_wrong_types_are_named_by_path(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	set_str(cJSON_GetObjectItem(p, "state"), "revision", "42");
	T_EQ_STR(
	    check_msg(p), "state.revision: expected an integer, got a string");
	p = fixture("valid-travel.json");
	cJSON_ReplaceItemInObjectCaseSensitive(
	    action(p, 0), "destructive", cJSON_CreateString("yes"));
	T_EQ_STR(check_msg(p),
	    "actions[0].destructive: expected a boolean, got a string");
	p = fixture("valid-travel.json");
	cJSON_ReplaceItemInObjectCaseSensitive(
	    action(p, 1), "depends_on", cJSON_CreateString("x"));
	T_EQ_STR(check_msg(p),
	    "actions[1].depends_on: expected an array, got a string");
	p = fixture("valid-travel.json");
	cJSON_AddItemToArray(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(p, "options"), "targets"),
	    cJSON_CreateNumber(3));
	T_EQ_STR(check_msg(p),
	    "options.targets[0]: expected a string, got a number");
	p = fixture("valid-travel.json");
	set_str(action(p, 1), "group", "");
	T_EQ_STR(check_msg(p), "actions[1].group: must not be empty");
}

static void
test_floats_and_nested_snapshots_are_refused(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItem(p, "state"),
	    "revision", cJSON_CreateNumber(4.5));
	T_EQ_STR(
	    check_msg(p), "state.revision: expected an integer, got a number");
	p = fixture("valid-travel.json");
	cJSON_AddItemToObject(cJSON_GetObjectItem(action(p, 2), "before"),
	    "nested", cJSON_CreateObject());
	T_EQ_STR(check_msg(p),
	    "actions[2].before.nested: expected a string, integer, boolean "
	    "or null, got an object");
	p = fixture("valid-travel.json");
	cJSON_ReplaceItemInObjectCaseSensitive(
	    action(p, 2), "after", cJSON_CreateArray());
	T_EQ_STR(check_msg(p),
	    "actions[2].after: expected an object or null, got an array");
}

static void
test_unknown_and_duplicate_keys_are_refused(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	cJSON_AddNumberToObject(p, "extra", 1);
	T_EQ_STR(check_msg(p), "unknown key 'extra'");
	p = fixture("valid-travel.json");
	cJSON_AddStringToObject(
	    cJSON_GetObjectItem(action(p, 4), "target"), "projekt", "x");
	T_EQ_STR(check_msg(p), "actions[4].target: unknown key 'projekt'");
	p = fixture("valid-travel.json");
	cJSON_AddStringToObject(action(p, 1), "group", "again");
	T_EQ_STR(check_msg(p), "actions[1].group: duplicate key");
}

static void
test_enums_are_checked(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	set_str(action(p, 1), "kind", "frob");
	T_EQ_STR(check_msg(p), "actions[1].kind: unknown kind 'frob'");
	p = fixture("valid-travel.json");
	set_str(action(p, 1), "change", "destroy");
	T_CONTAINS(check_msg(p),
	    "actions[1].change: unknown change "
	    "'destroy'");
	p = fixture("valid-travel.json");
	set_str(cJSON_GetObjectItem(action(p, 1), "reason"), "code", "whim");
	T_EQ_STR(check_msg(p), "actions[1].reason.code: unknown reason 'whim'");
	p = fixture("valid-travel.json");
	set_str(cJSON_GetObjectItem(action(p, 1), "target"), "type", "s3");
	T_CONTAINS(check_msg(p), "actions[1].target.type: unknown type 's3'");
}

static void
test_id_must_match_kind_and_shape(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	set_str(action(p, 2), "kind", "train");
	T_CONTAINS(check_msg(p),
	    "actions[2].id: 'import:TravelAgent@lang-west' "
	    "is not 'train:<name>@<resource>[/<sub>]'");
	p = fixture("valid-travel.json");
	set_str(action(p, 5), "id", "openai_create:gpt-4o");
	T_CONTAINS(check_msg(p), "actions[5].id:");
	p = fixture("valid-travel.json");
	set_str(action(p, 5), "id", "openai_create:gpt-4o@aoai-west/");
	T_CONTAINS(check_msg(p), "actions[5].id:");
}

static void
test_duplicate_ids_are_refused(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	set_str(action(p, 3), "id", "train:TravelAgent@lang-west");
	set_str(action(p, 2), "kind", "train");
	set_str(action(p, 2), "id", "train:TravelAgent@lang-west");
	/* Now the import's id appears nowhere; repoint the train at it. */
	cJSON_ReplaceItemInObjectCaseSensitive(
	    action(p, 4), "depends_on", cJSON_CreateArray());
	cJSON_ReplaceItemInObjectCaseSensitive(
	    action(p, 3), "depends_on", cJSON_CreateArray());
	T_EQ_STR(check_msg(p),
	    "actions[3].id: duplicate id 'train:TravelAgent@lang-west' (also "
	    "actions[2])");
}

static void
test_unknown_dependency_is_named(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	cJSON_AddItemToArray(cJSON_GetObjectItem(action(p, 3), "depends_on"),
	    cJSON_CreateString("x"));
	T_EQ_STR(check_msg(p), "actions[3].depends_on[1]: unknown action 'x'");
	p = fixture("valid-travel.json");
	cJSON_AddItemToArray(cJSON_GetObjectItem(action(p, 3), "depends_on"),
	    cJSON_CreateString("import:TravelAgent@lang-west"));
	T_CONTAINS(check_msg(p),
	    "actions[3].depends_on[1]: "
	    "'import:TravelAgent@lang-west' is listed "
	    "twice");
}

static void
test_cycles_are_refused_with_the_loop(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	/* export -> deploy closes export <- import <- train <- deploy. */
	cJSON_AddItemToArray(cJSON_GetObjectItem(action(p, 1), "depends_on"),
	    cJSON_CreateString("deploy:TravelAgent@lang-west/production"));
	T_EQ_STR(check_msg(p),
	    "actions[2].depends_on[0]: dependency cycle: "
	    "export:TravelAgent@lang-east -> "
	    "deploy:TravelAgent@lang-west/production -> "
	    "train:TravelAgent@lang-west/v7 -> import:TravelAgent@lang-west "
	    "-> export:TravelAgent@lang-east");
	p = fixture("valid-travel.json");
	cJSON_AddItemToArray(cJSON_GetObjectItem(action(p, 5), "depends_on"),
	    cJSON_CreateString("openai_create:gpt-4o@aoai-west"));
	T_CONTAINS(check_msg(p),
	    "actions[5].depends_on[0]: dependency cycle: "
	    "openai_create:gpt-4o@aoai-west -> "
	    "openai_create:gpt-4o@aoai-west");
}

static void
test_summary_must_match_actions(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	cJSON_ReplaceItemInObjectCaseSensitive(
	    cJSON_GetObjectItem(p, "summary"), "create", cJSON_CreateNumber(3));
	T_EQ_STR(check_msg(p),
	    "summary.create: is 3 but 2 actions have change 'create'");
	p = fixture("valid-travel.json");
	cJSON_ReplaceItemInObjectCaseSensitive(
	    cJSON_GetObjectItem(p, "summary"), "total", cJSON_CreateNumber(7));
	T_EQ_STR(
	    check_msg(p), "summary.total: is 7 but the plan has 6 actions");
}

static void
test_destructive_rules(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	cJSON_ReplaceItemInObjectCaseSensitive(
	    action(p, 0), "destructive", cJSON_CreateFalse());
	T_EQ_STR(
	    check_msg(p), "actions[0].destructive: must be true for a delete");
	p = fixture("valid-travel.json");
	cJSON_ReplaceItemInObjectCaseSensitive(
	    action(p, 2), "destructive", cJSON_CreateTrue());
	T_EQ_STR(check_msg(p),
	    "actions[2]: destructive action after actions[1], which is not; "
	    "destructive actions come first");
}

static void
test_timestamps_and_hash_are_checked(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	set_str(p, "created_at", "yesterday");
	T_CONTAINS(check_msg(p), "created_at: expected an RFC 3339 date-time");
	p = fixture("valid-travel.json");
	set_str(cJSON_GetObjectItem(p, "state"), "refreshed_at",
	    "2026-11-23T10:00:00.123+01:00");
	T_EQ_STR(check_msg(p), "");
	p = fixture("valid-travel.json");
	set_str(cJSON_GetObjectItem(p, "state"), "refreshed_at",
	    "2026-11-23 10:00:00Z");
	T_CONTAINS(check_msg(p), "state.refreshed_at: expected an RFC 3339");
	p = fixture("valid-travel.json");
	set_str(cJSON_GetObjectItem(p, "config"), "hash", "ABC");
	T_CONTAINS(check_msg(p), "config.hash: expected 64 lower-case hex");
}

static void
test_hostile_strings_are_refused_or_quoted(void)
{
	cJSON *p = fixture("valid-travel.json");

	T_OK(p != NULL);
	set_str(action(p, 1), "group", "bad\xff");
	T_EQ_STR(check_msg(p), "actions[1].group: not valid UTF-8");
	p = fixture("valid-travel.json");
	set_str(action(p, 1), "kind", "\x1b[31mred");
	T_EQ_STR(check_msg(p), "actions[1].kind: unknown kind '?[31mred'");
}

static void
test_parse_reports_line_and_column(void)
{
	static const char bad[] = "{\n  \"format_version\": 1,\n  oops\n}";
	cJSON *p = (cJSON *)1;

	T_EQ_INT(planfile_parse(&p, bad, strlen(bad), "p.json", &e), -1);
	T_OK(p == NULL);
	/* cJSON stops just after the first byte it cannot take. */
	T_EQ_STR(e.msg, "p.json:3:4: invalid JSON");
	T_EQ_INT(planfile_parse(&p, "", 0, "p.json", &e), -1);
	T_EQ_STR(e.msg, "p.json: empty file");
	T_EQ_INT(planfile_parse(&p, "{} x", 4, "p.json", &e), -1);
	T_EQ_STR(e.msg, "p.json: unexpected text after the JSON value");
}

static void
test_load_prefixes_the_file_name(void)
{
	char dir[] = "/tmp/planfile_test.XXXXXX", path[64];
	FILE *fp;
	cJSON *p = NULL;

	T_OK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/plan.json", dir);
	fp = fopen(path, "w");
	T_OK(fp != NULL);
	fputs("{\"format_version\": 1, \"standby_version\": 5}", fp);
	fclose(fp);
	T_EQ_INT(planfile_load(&p, path, &e), -1);
	T_OK(p == NULL);
	T_OK(strncmp(e.msg, path, strlen(path)) == 0);
	T_CONTAINS(e.msg, ": standby_version: expected a string, got a number");
	unlink(path);
	T_EQ_INT(planfile_load(&p, path, &e), -1);
	T_CONTAINS(e.msg, "cannot open plan: ");
	T_CONTAINS(e.msg, "No such file or directory");
	rmdir(dir);
}

static void
test_accessors(void)
{
	struct planfile_summary s;
	cJSON *p = fixture("valid-travel.json"), *empty;
	const cJSON *a;
	int n = 0;

	T_OK(p != NULL);
	planfile_summary(p, &s);
	T_EQ_INT(s.n[PLANFILE_CREATE], 2);
	T_EQ_INT(s.n[PLANFILE_UPDATE], 1);
	T_EQ_INT(s.n[PLANFILE_REPLACE], 1);
	T_EQ_INT(s.n[PLANFILE_DELETE], 1);
	T_EQ_INT(s.n[PLANFILE_READ], 1);
	T_EQ_INT(s.total, 6);
	T_EQ_INT(planfile_has_changes(p), 1);
	cJSON_ArrayForEach(a, planfile_actions(p))
	{
		if (n == 0) {
			T_EQ_INT(planfile_action_change(a), PLANFILE_DELETE);
			T_EQ_INT(planfile_action_destructive(a), 1);
		}
		if (n == 2) {
			T_EQ_INT(planfile_action_change(a), PLANFILE_REPLACE);
			T_EQ_STR(
			    planfile_str(planfile_get(a, "target"), "source"),
			    "lang-east");
			T_OK(planfile_str(planfile_get(a, "target"),
			         "deployment") == NULL);
		}
		n++;
	}
	T_EQ_INT(n, 6);
	T_EQ_STR(planfile_change_name(PLANFILE_READ), "read");
	T_OK(planfile_change_name(PLANFILE_NCHANGES) == NULL);
	cJSON_Delete(p);
	empty = fixture("valid-empty.json");
	T_OK(empty != NULL);
	T_EQ_INT(planfile_has_changes(empty), 0);
	cJSON_Delete(empty);
}

int
main(void)
{
	T_RUN(test_valid_fixtures_load);
	T_RUN(test_write_reproduces_canonical_fixtures_byte_for_byte);
	T_RUN(test_write_puts_keys_in_contract_order);
	T_RUN(test_write_escapes_odd_keys_and_skips_absent_ones);
	T_RUN(test_write_refuses_an_invalid_plan);
	T_RUN(test_newer_format_version_is_refused_with_upgrade_hint);
	T_RUN(test_bad_format_versions_are_refused);
	T_RUN(test_missing_field_is_named_by_path);
	T_RUN(test_wrong_types_are_named_by_path);
	T_RUN(test_floats_and_nested_snapshots_are_refused);
	T_RUN(test_unknown_and_duplicate_keys_are_refused);
	T_RUN(test_enums_are_checked);
	T_RUN(test_id_must_match_kind_and_shape);
	T_RUN(test_duplicate_ids_are_refused);
	T_RUN(test_unknown_dependency_is_named);
	T_RUN(test_cycles_are_refused_with_the_loop);
	T_RUN(test_summary_must_match_actions);
	T_RUN(test_destructive_rules);
	T_RUN(test_timestamps_and_hash_are_checked);
	T_RUN(test_hostile_strings_are_refused_or_quoted);
	T_RUN(test_parse_reports_line_and_column);
	T_RUN(test_load_prefixes_the_file_name);
	T_RUN(test_accessors);
	return t_done();
}
