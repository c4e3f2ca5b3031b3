/* backup_test.c - backup and restore plans from a hand-made cache view,
 * and the import-ready check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "backup.h"
#include "config.h"
#include "planfile.h"
#include "t.h"

static char tmpdir[] = "/tmp/backup_test.XXXXXX";
static char cfgname[256];

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"

static const char Y[] = "version: 1\n"
                        "resources:\n"
                        "  east: { type: language, region: eastus, endpoint: "
                        "https://east.example.com, auth: { key_env: K1 } }\n"
                        "  west: { type: language, region: westus2, endpoint: "
                        "https://west.example.com, auth: { key_env: K2 } }\n"
                        "projects:\n"
                        "  TravelAgent:\n"
                        "    kind: conversation\n"
                        "    source: east\n"
                        "    replicas: [west]\n"
                        "    deployments: { production: v7, staging: v8 }\n"
                        "  Concierge:\n"
                        "    kind: conversation\n"
                        "    source: east\n"
                        "    replicas: [west]\n"
                        "  FromGit:\n"
                        "    kind: conversation\n"
                        "    assets: git.json\n"
                        "    replicas: [west]\n"
                        "    model: { label: v1 }\n";

static struct config *
load(void)
{
	struct config *cfg = NULL;
	struct diag_list diags = { 0 };
	struct err err = { 0 };

	size_t i;

	if (config_load_buffer(&cfg, cfgname, Y, strlen(Y), &diags, &err) != 0)
		for (i = 0; i < diags.n; i++)
			fprintf(stderr, "# config: %s\n", diags.v[i].message);
	diag_list_release(&diags);
	return cfg;
}

static struct state_object
obj(enum state_kind k, const char *res, const char *name, const char *mod,
    const char *model_id, const char *when)
{
	struct state_object o;

	memset(&o, 0, sizeof(o));
	o.kind = k;
	o.resource = (char *)res;
	o.project = (char *)"TravelAgent";
	o.name = (char *)name;
	o.last_modified = (char *)mod;
	o.model_id = (char *)model_id;
	if (k == STATE_MODEL)
		o.last_trained = (char *)when;
	else
		o.last_deployed = (char *)when;
	return o;
}

static const cJSON *
action(const cJSON *plan, const char *id)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		if (strcmp(planfile_str(a, "id"), id) == 0)
			return a;
	}
	return NULL;
}

static int
nactions(const cJSON *plan)
{
	return cJSON_GetArraySize(planfile_actions(plan));
}

static const char *
dep0(const cJSON *a)
{
	const cJSON *d = cJSON_GetArrayItem(planfile_get(a, "depends_on"), 0);

	return cJSON_IsString(d) ? d->valuestring : "";
}

static void
test_backup_exports_every_source_project(void)
{
	struct config *cfg = load();
	struct state_object objs[2];
	struct plan_view v = { 0 };
	struct backup_opts o = { 0 };
	struct err err = { 0 };
	const cJSON *a, *w;
	cJSON *plan = NULL;

	T_OK(cfg != NULL);
	objs[0] = obj(STATE_PROJECT, "east", "TravelAgent",
	    "2026-11-20T08:00:00Z", NULL, NULL);
	objs[1] = objs[0];
	objs[1].project = objs[1].name = (char *)"Concierge";
	v.objects = objs;
	v.nobjects = 2;
	o.now = 1700000000;
	T_OK(backup_plan(&plan, cfg, &v, &o, &err) == 0);
	/* FromGit has no source: git is its backup. */
	T_EQ_INT(nactions(plan), 2);
	T_OK((a = action(plan, "export:TravelAgent@east")) != NULL);
	T_EQ_STR(planfile_str(planfile_get(a, "reason"), "code"), "backup");
	T_EQ_STR(planfile_str(a, "change"), "read");
	T_EQ_STR(planfile_str(planfile_get(a, "after"), "lastModifiedDateTime"),
	    "2026-11-20T08:00:00Z");
	T_OK(action(plan, "export:Concierge@east") != NULL);
	cJSON_Delete(plan);

	/* A source project missing from the cache: a warning, no export. */
	v.nobjects = 1;
	T_OK(backup_plan(&plan, cfg, &v, &o, &err) == 0);
	T_EQ_INT(nactions(plan), 1);
	w = cJSON_GetArrayItem(planfile_get(plan, "warnings"), 0);
	T_OK(w != NULL);
	T_EQ_STR(planfile_str(w, "code"), "source_missing");
	T_CONTAINS(
	    planfile_str(w, "message"), "Concierge was not found on east");
	cJSON_Delete(plan);

	o.only = "TravelAgent";
	T_OK(backup_plan(&plan, cfg, &v, &o, &err) == 0);
	T_EQ_INT(nactions(plan), 1);
	cJSON_Delete(plan);
	o.only = "FromGit";
	T_EQ_INT(backup_plan(&plan, cfg, &v, &o, &err), -1);
	T_EQ_INT(err.code, ERR_SPEC);
	T_CONTAINS(err.msg, "git.json in git is its backup");
	T_OK(plan == NULL);
	o.only = "Nope";
	T_EQ_INT(backup_plan(&plan, cfg, &v, &o, &err), -1);
	T_CONTAINS(err.msg, "--only: no project 'Nope'");
	config_free(cfg);
}

static struct snapshot_meta
snap(const char *hash)
{
	struct snapshot_meta m;

	memset(&m, 0, sizeof(m));
	snprintf(m.hash, sizeof(m.hash), "%s", hash);
	m.project = (char *)"TravelAgent";
	m.kind = (char *)"conversation";
	m.source_resource = (char *)"east";
	m.source_modified = (char *)"2026-11-20T08:00:00Z";
	return m;
}

static void
test_restore_into_empty_resource_runs_the_whole_chain(void)
{
	struct config *cfg = load();
	struct snapshot_meta m = snap(H1);
	struct restore_opts o = { 0 };
	struct plan_view v = { 0 };
	struct err err = { 0 };
	const cJSON *a;
	cJSON *plan = NULL;

	T_OK(cfg != NULL);
	o.project = "TravelAgent";
	o.resource = "east";
	o.snapshot = &m;
	o.now = 1700000000;
	T_OK(restore_plan(&plan, cfg, &v, &o, &err) == 0);
	/* import, train v7 and v8, deploy production and staging */
	T_EQ_INT(nactions(plan), 5);
	T_OK((a = action(plan, "import:TravelAgent@east")) != NULL);
	T_EQ_STR(planfile_str(a, "change"), "create");
	T_EQ_STR(planfile_str(planfile_get(a, "reason"), "code"), "restore");
	T_EQ_STR(planfile_str(planfile_get(a, "after"), "snapshot"), H1);
	T_EQ_STR(planfile_str(planfile_get(a, "target"), "source"), "east");
	T_CONTAINS(planfile_str(planfile_get(a, "reason"), "message"),
	    "from snapshot 111111111111");
	T_OK((a = action(plan, "train:TravelAgent@east/v8")) != NULL);
	T_EQ_STR(dep0(a), "import:TravelAgent@east");
	T_OK((a = action(plan, "deploy:TravelAgent@east/staging")) != NULL);
	T_EQ_STR(dep0(a), "train:TravelAgent@east/v8");
	T_EQ_STR(planfile_str(planfile_get(a, "target"), "model"), "v8");
	T_EQ_STR(
	    planfile_str(planfile_get(a, "target"), "deployment"), "staging");
	cJSON_Delete(plan);
	config_free(cfg);
}

static void
test_restore_again_leaves_out_what_is_done(void)
{
	struct config *cfg = load();
	struct snapshot_meta m = snap(H1);
	struct restore_opts o = { 0 };
	struct plan_view v = { 0 };
	struct state_object objs[5];
	struct state_replication rec = { 0 };
	struct state_trained tr[2] = { { 0 } };
	struct err err = { 0 };
	const cJSON *a;
	cJSON *plan = NULL;

	T_OK(cfg != NULL);
	objs[0] = obj(STATE_PROJECT, "west", "TravelAgent",
	    "2026-11-21T08:00:00Z", NULL, NULL);
	objs[1] = obj(
	    STATE_MODEL, "west", "v7", NULL, "v7-1", "2026-11-21T09:00:00Z");
	objs[2] = obj(
	    STATE_MODEL, "west", "v8", NULL, "v8-1", "2026-11-21T09:00:00Z");
	objs[3] = obj(STATE_DEPLOYMENT, "west", "production", NULL, "v7-1",
	    "2026-11-21T10:00:00Z");
	/* staging was deployed before v8 was last trained */
	objs[4] = obj(STATE_DEPLOYMENT, "west", "staging", NULL, "v8-1",
	    "2026-11-21T08:30:00Z");
	rec.replica_resource = (char *)"west";
	rec.project = (char *)"TravelAgent";
	rec.snapshot = (char *)H1;
	rec.replica_modified = (char *)"2026-11-21T08:00:00Z";
	tr[0].replica_resource = tr[1].replica_resource = (char *)"west";
	tr[0].project = tr[1].project = (char *)"TravelAgent";
	tr[0].label = (char *)"v7";
	tr[1].label = (char *)"v8";
	tr[0].snapshot = (char *)H1;
	tr[1].snapshot = (char *)H2; /* trained from other content */
	v.objects = objs;
	v.nobjects = 5;
	v.replications = &rec;
	v.nreplications = 1;
	v.trained = tr;
	v.ntrained = 2;
	o.project = "TravelAgent";
	o.resource = "west";
	o.snapshot = &m;
	T_OK(restore_plan(&plan, cfg, &v, &o, &err) == 0);
	/* v7 and production are done; v8 is not, so staging follows it */
	T_EQ_INT(nactions(plan), 2);
	T_OK((a = action(plan, "train:TravelAgent@west/v8")) != NULL);
	T_EQ_STR(planfile_str(a, "change"), "update");
	T_EQ_INT(cJSON_GetArraySize(planfile_get(a, "depends_on")), 0);
	T_OK((a = action(plan, "deploy:TravelAgent@west/staging")) != NULL);
	T_EQ_STR(dep0(a), "train:TravelAgent@west/v8");
	T_EQ_STR(planfile_str(planfile_get(a, "before"), "modelLabel"), "v8");
	T_EQ_STR(planfile_str(planfile_get(a, "after"), "modelLabel"), "v8");
	cJSON_Delete(plan);

	/* With v8 trained from this snapshot too, staging (deployed before
	 * that training) is still redeployed; then nothing. */
	tr[1].snapshot = (char *)H1;
	T_OK(restore_plan(&plan, cfg, &v, &o, &err) == 0);
	T_EQ_INT(nactions(plan), 1);
	T_OK(action(plan, "deploy:TravelAgent@west/staging") != NULL);
	cJSON_Delete(plan);
	objs[4].last_deployed = (char *)"2026-11-21T09:30:00Z";
	T_OK(restore_plan(&plan, cfg, &v, &o, &err) == 0);
	T_EQ_INT(nactions(plan), 0);
	cJSON_Delete(plan);

	/* Changed by hand since the import: everything again. */
	objs[0].last_modified = (char *)"2026-11-22T08:00:00Z";
	T_OK(restore_plan(&plan, cfg, &v, &o, &err) == 0);
	T_EQ_INT(nactions(plan), 5);
	T_OK((a = action(plan, "import:TravelAgent@west")) != NULL);
	T_EQ_STR(planfile_str(a, "change"), "replace");
	T_EQ_STR(planfile_str(planfile_get(a, "before"), "snapshot"), H1);
	cJSON_Delete(plan);

	/* Another snapshot: imported again. */
	objs[0].last_modified = (char *)"2026-11-21T08:00:00Z";
	m = snap(H2);
	T_OK(restore_plan(&plan, cfg, &v, &o, &err) == 0);
	T_EQ_INT(nactions(plan), 5);
	cJSON_Delete(plan);
	config_free(cfg);
}

static void
test_restore_refuses_mismatches(void)
{
	struct config *cfg = load();
	struct snapshot_meta m = snap(H1);
	struct restore_opts o = { 0 };
	struct plan_view v = { 0 };
	struct err err = { 0 };
	const cJSON *w;
	cJSON *plan = NULL;

	T_OK(cfg != NULL);
	o.project = "TravelAgent";
	o.resource = "east";
	o.snapshot = &m;
	m.project = (char *)"Concierge";
	T_EQ_INT(restore_plan(&plan, cfg, &v, &o, &err), -1);
	T_EQ_INT(err.code, ERR_SPEC);
	T_CONTAINS(err.msg, "is of project 'Concierge', not 'TravelAgent'");
	m.project = (char *)"TravelAgent";
	m.kind = (char *)"text-ner";
	T_EQ_INT(restore_plan(&plan, cfg, &v, &o, &err), -1);
	T_CONTAINS(err.msg, "is a text-ner project");
	m.kind = (char *)"conversation";
	o.resource = "north";
	T_EQ_INT(restore_plan(&plan, cfg, &v, &o, &err), -1);
	T_CONTAINS(err.msg, "--to: no resource 'north'");
	o.resource = "east";
	o.project = "Nope";
	T_EQ_INT(restore_plan(&plan, cfg, &v, &o, &err), -1);
	T_CONTAINS(err.msg, "no project 'Nope'");
	T_OK(plan == NULL);

	/* No model in the config: only the import, and a warning. */
	o.project = "Concierge";
	m.project = (char *)"Concierge";
	T_OK(restore_plan(&plan, cfg, &v, &o, &err) == 0);
	T_EQ_INT(nactions(plan), 1);
	w = cJSON_GetArrayItem(planfile_get(plan, "warnings"), 0);
	T_OK(w != NULL);
	T_EQ_STR(planfile_str(w, "code"), "no_model");
	cJSON_Delete(plan);
	config_free(cfg);
}

static void
test_restore_of_an_orchestration_waits_for_its_routes(void)
{
	static const char router[] = "  Router:\n"
	                             "    kind: orchestration\n"
	                             "    source: east\n"
	                             "    replicas: [west]\n"
	                             "    routes: [TravelAgent]\n"
	                             "    model: { label: o1 }\n"
	                             "    deployments: { production: o1 }\n";
	char text[sizeof(Y) + sizeof(router)];
	struct config *cfg = NULL;
	struct diag_list diags = { 0 };
	struct snapshot_meta m = snap(H1);
	struct restore_opts o = { 0 };
	struct plan_view v = { 0 };
	struct state_object objs[3];
	struct err err = { 0 };
	cJSON *plan = NULL;

	snprintf(text, sizeof(text), "%s%s", Y, router);
	T_EQ_INT(
	    config_load_buffer(&cfg, cfgname, text, strlen(text), &diags, &err),
	    0);
	m.project = (char *)"Router";
	m.kind = (char *)"orchestration";
	o.project = "Router";
	o.resource = "east";
	o.snapshot = &m;
	o.now = 1700000000;
	T_EQ_INT(restore_plan(&plan, cfg, &v, &o, &err), -1);
	T_EQ_INT(err.code, ERR_SPEC);
	T_CONTAINS(err.msg,
	    "Router routes to TravelAgent, which is not on east: restore "
	    "TravelAgent there first ('standby restore TravelAgent --to "
	    "east')");
	objs[0] = obj(STATE_PROJECT, "east", "TravelAgent", NULL, NULL, NULL);
	objs[1] = obj(STATE_DEPLOYMENT, "east", "production", NULL, "v7", NULL);
	objs[2] = obj(STATE_DEPLOYMENT, "east", "staging", NULL, "v8", NULL);
	v.objects = objs;
	v.nobjects = 2;
	T_EQ_INT(restore_plan(&plan, cfg, &v, &o, &err), -1);
	T_CONTAINS(err.msg, "whose deployment staging is not on east");
	T_OK(plan == NULL);
	v.nobjects = 3;
	T_OK(restore_plan(&plan, cfg, &v, &o, &err) == 0);
	T_OK(action(plan, "import:Router@east") != NULL);
	T_OK(action(plan, "deploy:Router@east/production") != NULL);
	cJSON_Delete(plan);
	config_free(cfg);
	diag_list_release(&diags);
}

static void
test_import_doc_check_names_the_path(void)
{
	static const char good[] =
	    "{\"projectFileVersion\":\"2023-04-01\",\"stringIndexType\":"
	    "\"Utf16CodeUnit\",\"metadata\":{\"projectName\":\"P\","
	    "\"projectKind\":\"Conversation\"},\"assets\":{\"projectKind\":"
	    "\"conversation\"}}";
	static const char noname[] =
	    "{\"projectFileVersion\":\"2023-04-01\",\"stringIndexType\":"
	    "\"Utf16CodeUnit\",\"metadata\":{\"projectKind\":"
	    "\"Conversation\"}}";
	static const char kinds[] =
	    "{\"projectFileVersion\":\"2023-04-01\",\"stringIndexType\":"
	    "\"Utf16CodeUnit\",\"metadata\":{\"projectName\":\"P\","
	    "\"projectKind\":\"Conversation\"},\"assets\":{\"projectKind\":"
	    "\"Orchestration\"}}";
	static const char nover[] = "{\"stringIndexType\":\"x\"}";
	struct err err = { 0 };

	T_OK(backup_check_import_doc(good, strlen(good), &err) == 0);
	T_EQ_INT(backup_check_import_doc(noname, strlen(noname), &err), -1);
	T_EQ_STR(err.msg, "metadata.projectName: missing");
	T_EQ_INT(backup_check_import_doc(kinds, strlen(kinds), &err), -1);
	T_CONTAINS(err.msg, "assets.projectKind: 'Orchestration' differs");
	T_EQ_INT(backup_check_import_doc(nover, strlen(nover), &err), -1);
	T_EQ_STR(err.msg, "projectFileVersion: missing");
	T_EQ_INT(backup_check_import_doc("[1]", 3, &err), -1);
	T_EQ_STR(err.msg, "not a JSON object");
	T_EQ_INT(backup_check_import_doc("{", 1, &err), -1);
	T_EQ_STR(err.msg, "not JSON");
}

int
main(void)
{
	char path[300];
	FILE *fp;
	int rc;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(cfgname, sizeof(cfgname), "%s/standby.yaml", tmpdir);
	snprintf(path, sizeof(path), "%s/git.json", tmpdir);
	if ((fp = fopen(path, "w")) == NULL)
		return 1;
	fputs("{\"projectFileVersion\":\"2023-04-01\",\"stringIndexType\":"
	      "\"Utf16CodeUnit\",\"metadata\":{\"projectName\":\"FromGit\","
	      "\"projectKind\":\"Conversation\",\"language\":\"en-us\"}}",
	    fp);
	fclose(fp);
	T_RUN(test_backup_exports_every_source_project);
	T_RUN(test_restore_into_empty_resource_runs_the_whole_chain);
	T_RUN(test_restore_again_leaves_out_what_is_done);
	T_RUN(test_restore_refuses_mismatches);
	T_RUN(test_restore_of_an_orchestration_waits_for_its_routes);
	T_RUN(test_import_doc_check_names_the_path);
	rc = t_done();
	unlink(path);
	rmdir(tmpdir);
	return rc;
}
