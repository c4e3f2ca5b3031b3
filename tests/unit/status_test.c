/*
 * status_test.c - the verdict rules of lib/status against hand-made
 * caches: a replica in sync is ready; source ahead, a resource read too
 * long ago and a model expiring soon are stale; a missing deployment, an
 * unreachable resource and an expired model are not ready; the matrix
 * cell is the worst row; the Azure OpenAI endpoints come in the order of
 * accounts: with their live state; and every rendering escapes names.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "plan.h"
#include "planfile.h"
#include "state.h"
#include "status.h"
#include "t.h"

static char tmpdir[] = "/tmp/status_test.XXXXXX";

#define T_SRC "2026-11-20T08:00:00Z"
#define T_REP "2026-11-20T09:00:00Z"
#define T_NOW "2026-11-23T10:00:00Z"
#define T_READ_AGO 600 /* the cache was read 10 minutes ago */

#define ACCT(n)                                                                \
	"/subscriptions/s1/resourceGroups/rg/providers/"                       \
	"Microsoft.CognitiveServices/accounts/" n

static const char Y_LANG[] =
    "version: 1\n"
    "resources:\n"
    "  east: { type: language, region: eastus, endpoint: "
    "https://east.example.com, auth: { key_env: K } }\n"
    "  west: { type: language, region: westus2, endpoint: "
    "https://west.example.com, auth: { key_env: K } }\n"
    "  west2: { type: language, region: westus2, endpoint: "
    "https://west2.example.com, auth: { key_env: K } }\n"
    "projects:\n"
    "  TravelAgent:\n"
    "    kind: conversation\n"
    "    source: east\n"
    "    replicas: [west, west2]\n"
    "    model: { label: v1 }\n"
    "    deployments: { production: v1 }\n";

static const char Y_OAI[] =
    "version: 1\n"
    "resources:\n"
    "  aoai-east: { type: openai, region: eastus, id: " ACCT(
        "aoai-east") ", endpoint: https://aoai-east.example.com, auth: { "
                     "entra: azure-cli } }\n"
                     "  aoai-west: { type: openai, region: westus3, id: " ACCT(
                         "aoai-west") ", auth: { entra: azure-cli } }\n"
                                      "openai:\n"
                                      "  chat:\n"
                                      "    model: { name: gpt-4o, version: "
                                      "\"2024-08-06\" }\n"
                                      "    sku: { name: GlobalStandard, "
                                      "capacity: 100 }\n"
                                      "    accounts: [aoai-west, aoai-east]\n"
                                      "  bot:\n"
                                      "    name: support\n"
                                      "    fine_tune:\n"
                                      "      base_model: "
                                      "gpt-4o-mini-2024-07-18\n"
                                      "      training_file: train.jsonl\n"
                                      "    sku: { name: Standard, capacity: "
                                      "10 }\n"
                                      "    accounts: [aoai-east]\n";

#define MAXO 32

/* A cache built by hand: the plan_view's arrays. */
struct fx {
	struct state_resource res[8];
	size_t nres;
	struct state_object o[MAXO];
	size_t no;
	struct state_replication r[4];
	size_t nr;
	struct state_trained t[4];
	size_t nt;
	struct state_finetuned ft[4];
	size_t nft;
	char ha[65];
	int64_t now;
};

static int64_t
parse(const char *s)
{
	int64_t t;
	long ns;

	if (plan_parse_time(s, &t, &ns) != 0)
		abort();
	return t;
}

static struct state_object *
fx_obj(struct fx *f, enum state_kind k, const char *res, const char *p,
    const char *name)
{
	struct state_object *o = &f->o[f->no++];

	memset(o, 0, sizeof(*o));
	o->kind = k;
	o->resource = (char *)res;
	o->project = (char *)p;
	o->name = (char *)name;
	return o;
}

static struct state_resource *
fx_res(struct fx *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nres; i++)
		if (strcmp(f->res[i].name, name) == 0)
			return &f->res[i];
	abort();
}

static void
fx_add_res(struct fx *f, const char *name)
{
	struct state_resource *r = &f->res[f->nres++];

	memset(r, 0, sizeof(*r));
	r->name = (char *)name;
	r->refreshed_at = f->now - T_READ_AGO;
}

/* Project P on R with model v1 and deployment production serving it. */
static void
fx_project(
    struct fx *f, const char *R, const char *modified, const char *model_id)
{
	struct state_object *o;

	o = fx_obj(f, STATE_PROJECT, R, "TravelAgent", "TravelAgent");
	o->last_modified = (char *)modified;
	o->project_kind = (char *)"Conversation";
	o = fx_obj(f, STATE_MODEL, R, "TravelAgent", "v1");
	o->model_id = (char *)model_id;
	o->last_trained = (char *)modified;
	o->expiration = (char *)"2027-06-01";
	o = fx_obj(f, STATE_DEPLOYMENT, R, "TravelAgent", "production");
	o->model_id = (char *)model_id;
	o->expiration = (char *)"2027-12-01";
}

/* Replica R built by standby from the source as of T_SRC. */
static void
fx_replica(struct fx *f, const char *R, const char *model_id)
{
	struct state_replication *r = &f->r[f->nr++];
	struct state_trained *t = &f->t[f->nt++];

	fx_project(f, R, T_REP, model_id);
	memset(r, 0, sizeof(*r));
	r->replica_resource = (char *)R;
	r->project = (char *)"TravelAgent";
	r->source_resource = (char *)"east";
	r->snapshot = f->ha;
	r->source_modified = (char *)T_SRC;
	r->replica_modified = (char *)T_REP;
	r->imported_at = parse(T_REP);
	memset(t, 0, sizeof(*t));
	t->replica_resource = (char *)R;
	t->project = (char *)"TravelAgent";
	t->label = (char *)"v1";
	t->snapshot = f->ha;
}

/* TravelAgent on east, in sync on west and west2. */
static void
fx_lang(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	memset(f->ha, 'a', 64);
	f->now = parse(T_NOW);
	fx_add_res(f, "east");
	fx_add_res(f, "west");
	fx_add_res(f, "west2");
	fx_project(f, "east", T_SRC, "v1-src");
	fx_replica(f, "west", "v1-west");
	fx_replica(f, "west2", "v1-west2");
}

static void
fx_view(struct fx *f, struct plan_view *v)
{
	memset(v, 0, sizeof(*v));
	v->revision = 3;
	v->resources = f->res;
	v->nresources = f->nres;
	v->objects = f->o;
	v->nobjects = f->no;
	v->replications = f->r;
	v->nreplications = f->nr;
	v->trained = f->t;
	v->ntrained = f->nt;
	v->finetuned = f->ft;
	v->nfinetuned = f->nft;
}

static struct config *
load(const char *yaml)
{
	struct diag_list diags = { 0 };
	struct config *cfg = NULL;
	struct err err = { 0 };
	struct buf name = { 0 };
	size_t i;

	buf_addf(&name, "%s/standby.yaml", tmpdir);
	if (config_load_buffer(
	        &cfg, buf_str(&name), yaml, strlen(yaml), &diags, &err) != 0) {
		fprintf(stderr, "# config: %s\n", err.msg);
		for (i = 0; i < diags.n; i++)
			fprintf(stderr, "# %s\n", diags.v[i].message);
	}
	diag_list_release(&diags);
	buf_release(&name);
	return cfg;
}

/* The status of yaml against f with max_age (0: none). */
static cJSON *
build(const char *yaml, struct fx *f, long long max_age)
{
	struct status_opts o = { 0 };
	struct plan_view v;
	struct config *cfg = load(yaml);
	struct err err = { 0 };
	cJSON *doc = NULL;

	if (cfg == NULL)
		return NULL;
	fx_view(f, &v);
	o.now = f->now;
	o.expiry_window_s = 30 * 86400;
	o.max_age_s = max_age;
	o.standby_version = "0.1.0";
	if (status_build(&doc, cfg, &v, &o, &err) != 0)
		fprintf(stderr, "# status_build: %s\n", err.msg);
	config_free(cfg);
	return doc;
}

static const cJSON *
row(const cJSON *doc, const char *res)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, planfile_get(doc, "rows"))
	{
		if (strcmp(planfile_str(r, "resource"), res) == 0)
			return r;
	}
	return NULL;
}

static const char *
verdict(const cJSON *doc, const char *res)
{
	return planfile_str(row(doc, res), "verdict");
}

/* "code,code" of the findings of a row or endpoint. */
static const char *
codes(const cJSON *o, char *out, size_t size)
{
	const cJSON *f;
	size_t n = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(f, planfile_get(o, "findings"))
	{
		n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "," : "",
		    planfile_str(f, "code"));
		if (n >= size)
			break;
	}
	return out;
}

static const char *
cell(const cJSON *doc, const char *project, const char *region)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, planfile_get(doc, "matrix"))
	{
		if (strcmp(planfile_str(l, "project"), project) == 0)
			return planfile_str(planfile_get(l, "regions"), region);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */

static void
test_replicas_in_sync_are_ready(void)
{
	struct fx f;
	cJSON *doc;
	const cJSON *r;

	fx_lang(&f);
	doc = build(Y_LANG, &f, 86400);
	T_OK(doc != NULL);
	T_EQ_STR(verdict(doc, "east"), "ready");
	T_EQ_STR(verdict(doc, "west"), "ready");
	T_EQ_STR(verdict(doc, "west2"), "ready");
	T_EQ_INT(status_all_ready(doc), 1);
	T_EQ_STR(planfile_str(doc, "verdict"), "ready");
	T_EQ_INT(cJSON_GetNumberValue(
	             planfile_get(planfile_get(doc, "summary"), "ready")),
	    3);
	r = row(doc, "west");
	T_EQ_STR(
	    planfile_str(planfile_get(r, "last_replicated"), "snapshot"), f.ha);
	T_EQ_STR(
	    planfile_str(planfile_get(r, "last_replicated"), "from"), "east");
	T_EQ_STR(planfile_str(cJSON_GetArrayItem(planfile_get(r, "models"), 0),
	             "snapshot"),
	    f.ha);
	T_EQ_STR(
	    planfile_str(cJSON_GetArrayItem(planfile_get(r, "deployments"), 0),
	        "model_id"),
	    "v1-west");
	T_EQ_STR(planfile_str(r, "data_as_of"), T_SRC);
	T_EQ_INT(cJSON_GetNumberValue(planfile_get(r, "data_age_seconds")),
	    f.now - parse(T_SRC));
	T_EQ_STR(cell(doc, "TravelAgent", "westus2"), "ready");
	cJSON_Delete(doc);
}

static void
test_source_changed_after_snapshot_is_stale(void)
{
	struct fx f;
	char buf[256];
	cJSON *doc;

	fx_lang(&f);
	f.o[0].last_modified = (char *)"2026-11-22T08:00:00Z";
	doc = build(Y_LANG, &f, 86400);
	T_OK(doc != NULL);
	T_EQ_STR(verdict(doc, "east"), "ready");
	T_EQ_STR(verdict(doc, "west"), "stale");
	T_EQ_STR(codes(row(doc, "west"), buf, sizeof(buf)), "source_ahead");
	T_EQ_INT(status_all_ready(doc), 0);
	T_EQ_STR(planfile_str(doc, "verdict"), "stale");
	cJSON_Delete(doc);
}

static void
test_missing_deployment_is_not_ready_and_worst_wins_the_cell(void)
{
	struct fx f;
	char buf[256];
	cJSON *doc;
	size_t i;

	fx_lang(&f);
	for (i = 0; i < f.no; i++)
		if (f.o[i].kind == STATE_DEPLOYMENT &&
		    strcmp(f.o[i].resource, "west2") == 0)
			f.o[i] = f.o[--f.no];
	doc = build(Y_LANG, &f, 86400);
	T_OK(doc != NULL);
	T_EQ_STR(verdict(doc, "west"), "ready");
	T_EQ_STR(verdict(doc, "west2"), "not_ready");
	T_EQ_STR(
	    codes(row(doc, "west2"), buf, sizeof(buf)), "deployment_missing");
	/* west and west2 are both in westus2: the cell is the worst. */
	T_EQ_STR(cell(doc, "TravelAgent", "westus2"), "not_ready");
	T_EQ_STR(cell(doc, "TravelAgent", "eastus"), "ready");
	T_EQ_STR(planfile_str(doc, "verdict"), "not_ready");
	cJSON_Delete(doc);
}

static void
test_unreachable_resource_is_not_ready(void)
{
	struct fx f;
	char buf[256];
	cJSON *doc;

	fx_lang(&f);
	fx_res(&f, "west")->stale_since = f.now - 60;
	fx_res(&f, "west")->stale_error = (char *)"connection refused";
	doc = build(Y_LANG, &f, 86400);
	T_OK(doc != NULL);
	T_EQ_STR(verdict(doc, "west"), "not_ready");
	T_OK(strstr(codes(row(doc, "west"), buf, sizeof(buf)), "unreachable") ==
	    buf);
	/* unreachable already says it: no cache_old on top. */
	T_OK(strstr(buf, "cache_old") == NULL);
	cJSON_Delete(doc);
}

static void
test_cache_older_than_max_age_is_stale(void)
{
	struct fx f;
	char buf[256];
	cJSON *doc;

	fx_lang(&f);
	fx_res(&f, "west")->refreshed_at = f.now - 2 * 86400;
	doc = build(Y_LANG, &f, 86400);
	T_OK(doc != NULL);
	T_EQ_STR(verdict(doc, "west"), "stale");
	T_EQ_STR(codes(row(doc, "west"), buf, sizeof(buf)), "cache_old");
	T_EQ_STR(verdict(doc, "east"), "ready");
	T_EQ_INT(cJSON_GetNumberValue(planfile_get(
	             cJSON_GetArrayItem(
	                 planfile_get(row(doc, "west"), "findings"), 0),
	             "age_seconds")),
	    2 * 86400);
	cJSON_Delete(doc);
	/* --max-age 0: no limit. */
	doc = build(Y_LANG, &f, 0);
	T_OK(doc != NULL);
	T_EQ_STR(verdict(doc, "west"), "ready");
	T_OK(cJSON_IsNull(planfile_get(doc, "max_age_seconds")));
	cJSON_Delete(doc);
}

static void
test_verdict_of_findings(void)
{
	static const struct {
		const char *findings, *want;
	} cases[] = {
		{ "[]", "ready" },
		{ "[{\"code\":\"source_ahead\"}]", "stale" },
		{ "[{\"code\":\"replica_modified\"}]", "stale" },
		{ "[{\"code\":\"model_stale\"}]", "stale" },
		{ "[{\"code\":\"deployment_mismatch\"}]", "stale" },
		{ "[{\"code\":\"cache_old\"}]", "stale" },
		{ "[{\"code\":\"capacity_changed\"}]", "stale" },
		{ "[{\"code\":\"expiring\",\"days_left\":5}]", "stale" },
		{ "[{\"code\":\"expiring\",\"days_left\":-1}]", "not_ready" },
		{ "[{\"code\":\"unreachable\"}]", "not_ready" },
		{ "[{\"code\":\"replica_missing\"}]", "not_ready" },
		{ "[{\"code\":\"source_missing\"}]", "not_ready" },
		{ "[{\"code\":\"model_missing\"}]", "not_ready" },
		{ "[{\"code\":\"deployment_missing\"}]", "not_ready" },
		{ "[{\"code\":\"provisioning_failed\"}]", "not_ready" },
		{ "[{\"code\":\"source_ahead\"},{\"code\":\"model_missing\"}]",
		    "not_ready" },
	};
	size_t i;
	cJSON *j;
	const char *v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		j = cJSON_Parse(cases[i].findings);
		v = status_verdict(j);
		cJSON_Delete(j);
		if (strcmp(v, cases[i].want) != 0)
			fprintf(stderr, "# %s\n", cases[i].findings);
		T_EQ_STR(v, cases[i].want);
	}
	T_EQ_INT(status_verdict_rank("ready"), 0);
	T_EQ_INT(status_verdict_rank("stale"), 1);
	T_EQ_INT(status_verdict_rank("not_ready"), 2);
}

static void
test_expired_model_is_not_ready_and_expiring_is_stale(void)
{
	struct fx f;
	cJSON *doc;
	size_t i;

	fx_lang(&f);
	for (i = 0; i < f.no; i++)
		if (f.o[i].kind == STATE_MODEL &&
		    strcmp(f.o[i].resource, "west") == 0)
			f.o[i].expiration = (char *)"2026-11-01";
		else if (f.o[i].kind == STATE_MODEL &&
		    strcmp(f.o[i].resource, "west2") == 0)
			f.o[i].expiration = (char *)"2026-12-01";
	doc = build(Y_LANG, &f, 0);
	T_OK(doc != NULL);
	T_EQ_STR(verdict(doc, "west"), "not_ready");
	T_EQ_STR(verdict(doc, "west2"), "stale");
	cJSON_Delete(doc);
}

/* ------------------------------------------------------------------ */
/* Azure OpenAI                                                        */

#define DEP(name, model, ver, sku, cap, state)                                 \
	"{\"name\":\"" name "\",\"sku\":{\"name\":\"" sku                      \
	"\",\"capacity\":" cap "},\"properties\":{\"model\":{\"format\":"      \
	"\"OpenAI\",\"name\":\"" model "\",\"version\":\"" ver "\"},"          \
	"\"provisioningState\":\"" state "\"}}"

static void
fx_oai(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->now = parse(T_NOW);
	fx_add_res(f, "aoai-east");
	fx_add_res(f, "aoai-west");
}

static void
fx_oai_dep(struct fx *f, const char *res, const char *name, const char *json)
{
	struct state_object *o =
	    fx_obj(f, STATE_OPENAI_DEPLOYMENT, res, NULL, name);

	o->json = (char *)json;
}

static const cJSON *
oai(const cJSON *doc, const char *key)
{
	const cJSON *d;

	cJSON_ArrayForEach(d, planfile_get(doc, "openai"))
	{
		if (strcmp(planfile_str(d, "key"), key) == 0)
			return d;
	}
	return NULL;
}

static const cJSON *
ep(const cJSON *doc, const char *key, int i)
{
	return cJSON_GetArrayItem(planfile_get(oai(doc, key), "endpoints"), i);
}

static void
test_openai_endpoints_in_failover_order_with_live_state(void)
{
	struct fx f;
	const cJSON *e;
	char buf[256];
	cJSON *doc;

	fx_oai(&f);
	fx_oai_dep(&f, "aoai-west", "chat",
	    DEP("chat", "gpt-4o", "2024-08-06", "GlobalStandard", "100",
	        "Succeeded"));
	fx_oai_dep(&f, "aoai-east", "chat",
	    DEP("chat", "gpt-4o", "2024-08-06", "GlobalStandard", "100",
	        "Succeeded"));
	doc = build(Y_OAI, &f, 86400);
	T_OK(doc != NULL);
	/* accounts: [aoai-west, aoai-east]: west is the primary. */
	e = ep(doc, "chat", 0);
	T_EQ_STR(planfile_str(e, "resource"), "aoai-west");
	T_EQ_STR(planfile_str(e, "role"), "primary");
	T_EQ_STR(planfile_str(e, "region"), "westus3");
	T_OK(cJSON_IsNull(planfile_get(e, "endpoint")));
	T_EQ_INT(cJSON_GetNumberValue(planfile_get(e, "order")), 1);
	T_OK(cJSON_IsTrue(planfile_get(e, "present")));
	T_EQ_STR(planfile_str(e, "provisioning_state"), "Succeeded");
	T_EQ_INT(cJSON_GetNumberValue(
	             planfile_get(planfile_get(e, "sku"), "capacity")),
	    100);
	T_EQ_STR(
	    planfile_str(planfile_get(e, "model"), "version"), "2024-08-06");
	T_EQ_STR(planfile_str(e, "verdict"), "ready");
	e = ep(doc, "chat", 1);
	T_EQ_STR(planfile_str(e, "resource"), "aoai-east");
	T_EQ_STR(planfile_str(e, "role"), "secondary");
	T_EQ_STR(planfile_str(e, "endpoint"), "https://aoai-east.example.com");
	T_EQ_STR(planfile_str(e, "verdict"), "ready");
	T_EQ_STR(planfile_str(oai(doc, "chat"), "verdict"), "ready");
	/* the fine-tuned bot was never deployed on aoai-east */
	e = ep(doc, "bot", 0);
	T_EQ_STR(planfile_str(e, "deployment"), "support");
	T_OK(cJSON_IsFalse(planfile_get(e, "present")));
	T_EQ_STR(codes(e, buf, sizeof(buf)), "deployment_missing");
	T_EQ_STR(planfile_str(e, "verdict"), "not_ready");
	T_EQ_INT(status_all_ready(doc), 0);
	T_EQ_INT(cJSON_GetNumberValue(
	             planfile_get(planfile_get(doc, "summary"), "ready")),
	    2);
	T_EQ_INT(cJSON_GetNumberValue(
	             planfile_get(planfile_get(doc, "summary"), "not_ready")),
	    1);
	cJSON_Delete(doc);
}

static void
test_openai_differences_and_failures(void)
{
	struct fx f;
	const cJSON *e, *fd;
	char buf[256];
	cJSON *doc;

	fx_oai(&f);
	fx_oai_dep(&f, "aoai-west", "chat",
	    DEP("chat", "gpt-4o", "2024-05-13", "GlobalStandard", "50",
	        "Succeeded"));
	fx_oai_dep(&f, "aoai-east", "chat",
	    DEP("chat", "gpt-4o", "2024-08-06", "GlobalStandard", "100",
	        "Failed"));
	fx_oai_dep(&f, "aoai-east", "support",
	    DEP("support", "gpt-4o-mini-2024-07-18.ft-abc-support-bot", "1",
	        "Standard", "10", "Creating"));
	f.ft[0].resource = (char *)"aoai-east";
	f.ft[0].key = (char *)"bot";
	f.ft[0].fine_tuned_model =
	    (char *)"gpt-4o-mini-2024-07-18.ft-abc-support-bot";
	f.nft = 1;
	doc = build(Y_OAI, &f, 86400);
	T_OK(doc != NULL);
	e = ep(doc, "chat", 0);
	T_EQ_STR(
	    codes(e, buf, sizeof(buf)), "capacity_changed,version_changed");
	T_EQ_STR(planfile_str(e, "verdict"), "stale");
	fd = cJSON_GetArrayItem(planfile_get(e, "findings"), 0);
	T_EQ_STR(planfile_str(fd, "want"), "100");
	T_EQ_STR(planfile_str(fd, "have"), "50");
	e = ep(doc, "chat", 1);
	T_EQ_STR(codes(e, buf, sizeof(buf)), "provisioning_failed");
	T_EQ_STR(planfile_str(e, "verdict"), "not_ready");
	T_EQ_STR(planfile_str(oai(doc, "chat"), "verdict"), "not_ready");
	/* the fine-tuned model is the one standby trained: only the
	 * provisioning state is said */
	e = ep(doc, "bot", 0);
	T_EQ_STR(planfile_str(e, "fine_tuned_model"),
	    "gpt-4o-mini-2024-07-18.ft-abc-support-bot");
	T_EQ_STR(codes(e, buf, sizeof(buf)), "provisioning");
	T_EQ_STR(planfile_str(e, "verdict"), "stale");
	cJSON_Delete(doc);
	/* another fine-tuned model than standby's record */
	f.ft[0].fine_tuned_model = (char *)"gpt-4o-mini.ft-other";
	doc = build(Y_OAI, &f, 86400);
	T_OK(doc != NULL);
	T_EQ_STR(codes(ep(doc, "bot", 0), buf, sizeof(buf)),
	    "provisioning,model_changed");
	cJSON_Delete(doc);
}

static void
test_openai_account_unreachable_or_never_read(void)
{
	struct fx f;
	char buf[256];
	cJSON *doc;

	fx_oai(&f);
	fx_oai_dep(&f, "aoai-east", "chat",
	    DEP("chat", "gpt-4o", "2024-08-06", "GlobalStandard", "100",
	        "Succeeded"));
	fx_res(&f, "aoai-east")->stale_since = f.now - 5;
	fx_res(&f, "aoai-east")->stale_error = (char *)"HTTP 503";
	f.nres = 1; /* aoai-west was never read */
	doc = build(Y_OAI, &f, 86400);
	T_OK(doc != NULL);
	T_EQ_STR(codes(ep(doc, "chat", 1), buf, sizeof(buf)), "unreachable");
	T_OK(cJSON_IsFalse(planfile_get(ep(doc, "chat", 1), "reachable")));
	T_EQ_STR(planfile_str(ep(doc, "chat", 1), "verdict"), "not_ready");
	T_EQ_STR(codes(ep(doc, "chat", 0), buf, sizeof(buf)),
	    "unreachable,deployment_missing");
	T_CONTAINS(
	    planfile_str(cJSON_GetArrayItem(
	                     planfile_get(ep(doc, "chat", 0), "findings"), 0),
	        "message"),
	    "never read");
	cJSON_Delete(doc);
}

/* ------------------------------------------------------------------ */
/* Renderings                                                          */

/* Names are checked by config, but the cache holds what a server sent
 * (a model id, an error message) and the config path is anything. */
static void
test_renderings_escape_names(void)
{
	struct status_opts o = { 0 };
	struct fx f;
	struct plan_view v;
	struct config *cfg = NULL;
	struct diag_list diags = { 0 };
	struct buf b = { 0 }, path = { 0 };
	struct err err = { 0 };
	enum status_format fmt;
	cJSON *doc = NULL;
	size_t i;

	fx_lang(&f);
	for (i = 0; i < f.no; i++)
		if (strcmp(f.o[i].resource, "east") == 0 &&
		    f.o[i].kind != STATE_PROJECT)
			f.o[i].model_id =
			    (char *)"<img src=x onerror=alert(1)>";
	fx_res(&f, "west")->stale_since = f.now - 5;
	fx_res(&f, "west")->stale_error =
	    (char *)"HTTP 500: <script>x</script>";
	buf_addf(&path, "%s/<script>alert(1)</script>.yaml", tmpdir);
	T_OK(config_load_buffer(&cfg, buf_str(&path), Y_LANG, strlen(Y_LANG),
	         &diags, &err) == 0);
	fx_view(&f, &v);
	o.now = f.now;
	o.standby_version = "0.1.0";
	T_OK(status_build(&doc, cfg, &v, &o, &err) == 0);
	T_OK(status_format_parse(&fmt, "html", &err) == 0);
	T_EQ_INT(fmt, STATUS_HTML);
	T_OK(status_render(doc, STATUS_HTML, &b, &err) == 0);
	T_OK(strstr(buf_str(&b), "<script") == NULL);
	T_OK(strstr(buf_str(&b), "<img") == NULL);
	T_CONTAINS(buf_str(&b), "&lt;script&gt;alert(1)&lt;/script&gt;.yaml");
	T_CONTAINS(buf_str(&b), "&lt;img src=x onerror=alert(1)&gt;");
	T_CONTAINS(buf_str(&b), "HTTP 500: &lt;script&gt;x&lt;/script&gt;");
	T_CONTAINS(buf_str(&b),
	    "<td class=\"not_ready\">not "
	    "ready<br><small>unreachable</small></td>");
	T_CONTAINS(buf_str(&b), "<td class=\"ready\">ready</td>");
	buf_reset(&b);
	T_OK(status_render(doc, STATUS_MARKDOWN, &b, &err) == 0);
	T_OK(strstr(buf_str(&b), "<script") == NULL);
	T_OK(strstr(buf_str(&b), "<img") == NULL);
	T_CONTAINS(buf_str(&b), "| project | eastus | westus2 |");
	T_CONTAINS(buf_str(&b), "| TravelAgent | ✅ ready | ⛔ not ready |");
	buf_reset(&b);
	T_OK(status_render(doc, STATUS_TEXT, &b, &err) == 0);
	T_CONTAINS(buf_str(&b), "NOT READY");
	T_CONTAINS(buf_str(&b), "2 ready, 0 stale, 1 not ready");
	buf_reset(&b);
	T_OK(status_render(doc, STATUS_JSON, &b, &err) == 0);
	T_CONTAINS(buf_str(&b), "\"format_version\"");
	T_OK(status_format_parse(&fmt, "yaml", &err) == -1);
	T_CONTAINS(err.msg, "unknown format 'yaml'");
	buf_release(&b);
	buf_release(&path);
	diag_list_release(&diags);
	cJSON_Delete(doc);
	config_free(cfg);
}

static int
touch(const char *name)
{
	struct buf p = { 0 };
	FILE *fp;

	buf_addf(&p, "%s/%s", tmpdir, name);
	fp = fopen(buf_str(&p), "w");
	if (fp != NULL) {
		fputs("{}\n", fp);
		fclose(fp);
	}
	buf_release(&p);
	return fp != NULL ? 0 : -1;
}

static void
untouch(const char *name)
{
	struct buf p = { 0 };

	buf_addf(&p, "%s/%s", tmpdir, name);
	remove(buf_str(&p));
	buf_release(&p);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL || touch("train.jsonl") != 0)
		return 1;
	T_RUN(test_replicas_in_sync_are_ready);
	T_RUN(test_source_changed_after_snapshot_is_stale);
	T_RUN(test_missing_deployment_is_not_ready_and_worst_wins_the_cell);
	T_RUN(test_unreachable_resource_is_not_ready);
	T_RUN(test_cache_older_than_max_age_is_stale);
	T_RUN(test_verdict_of_findings);
	T_RUN(test_expired_model_is_not_ready_and_expiring_is_stale);
	T_RUN(test_openai_endpoints_in_failover_order_with_live_state);
	T_RUN(test_openai_differences_and_failures);
	T_RUN(test_openai_account_unreachable_or_never_read);
	T_RUN(test_renderings_escape_names);
	untouch("train.jsonl");
	rmdir(tmpdir);
	return t_done();
}
