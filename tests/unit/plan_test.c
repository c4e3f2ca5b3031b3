/*
 * plan_test.c - lib/plan, table-driven: each case starts from a replica in
 * sync with its source, changes one thing in the cache (or the config, or
 * the options) and lists the actions it must give, in order, as
 * "id change reason".  Every plan made is also checked with
 * planfile_check(), for a topological order, and for being serialised
 * byte for byte the same twice.
 */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "plan.h"
#include "planfile.h"
#include "snapshot.h"
#include "state.h"
#include "t.h"

static char tmpdir[] = "/tmp/plan_test.XXXXXX";

/* ------------------------------------------------------------------ */
/* Configurations                                                      */

#define RESOURCES                                                              \
	"version: 1\n"                                                         \
	"resources:\n"                                                         \
	"  lang-east: { type: language, region: eastus, endpoint: "            \
	"https://east.example.com, auth: { key_env: K1 } }\n"                  \
	"  lang-west: { type: language, region: westus2, endpoint: "           \
	"https://west.example.com, auth: { key_env: K2 } }\n"                  \
	"  lang-south: { type: language, region: southcentralus, endpoint: "   \
	"https://south.example.com, auth: { key_env: K3 } }\n"

#define TRAVEL(extra)                                                          \
	"  TravelAgent:\n"                                                     \
	"    kind: conversation\n"                                             \
	"    source: lang-east\n"                                              \
	"    replicas: [lang-west]\n"                                          \
	"    model: { label: v7 }\n"                                           \
	"    deployments: { production: v7 }\n" extra

static const char Y_BASE[] = RESOURCES "projects:\n" TRAVEL("");

static const char Y_PROTECT[] =
    RESOURCES "projects:\n" TRAVEL("    protect: true\n");

static const char Y_TWO[] = RESOURCES "projects:\n"
                                      "  TravelAgent:\n"
                                      "    kind: conversation\n"
                                      "    source: lang-east\n"
                                      "    replicas: [lang-south, lang-west]\n"
                                      "    model: { label: v7 }\n"
                                      "    deployments: { production: v7 }\n";

static const char Y_MIRROR[] = RESOURCES "projects:\n"
                                         "  TravelAgent:\n"
                                         "    kind: conversation\n"
                                         "    source: lang-east\n"
                                         "    replicas: [lang-west]\n";

static const char Y_ORCH[] =
    RESOURCES "projects:\n" TRAVEL("") "  Concierge:\n"
                                       "    kind: orchestration\n"
                                       "    source: lang-east\n"
                                       "    replicas: [lang-west]\n"
                                       "    routes: [TravelAgent]\n"
                                       "    model: { label: o3 }\n"
                                       "    deployments: { production: o3 }\n";

static const char Y_UNDECLARED[] =
    RESOURCES "projects:\n" TRAVEL("") "  Concierge:\n"
                                       "    kind: orchestration\n"
                                       "    source: lang-east\n"
                                       "    replicas: [lang-west]\n"
                                       "    routes: [TravelAgent, Weather]\n"
                                       "    model: { label: o3 }\n"
                                       "    deployments: { production: o3 }\n";

static const char Y_ASSETS[] =
    RESOURCES "projects:\n"
              "  TravelAgent:\n"
              "    kind: conversation\n"
              "    assets: travel.json\n"
              "    replicas: [lang-west]\n"
              "    model: { label: v7 }\n"
              "    deployments: { production: v7 }\n";

/* ------------------------------------------------------------------ */
/* The cache                                                           */

#define T_NOW "2026-11-23T10:00:00Z"
#define T_READ 1795424400 /* 2026-11-23T09:00:00Z: every refresh */
#define T_SRC "2026-11-01T09:00:00Z"
#define T_REP "2026-11-01T09:05:00Z"

#define MAXN 32

struct fx {
	struct state_object o[MAXN];
	size_t no;
	struct state_replication r[MAXN];
	size_t nr;
	struct state_trained t[MAXN];
	size_t nt;
	struct snapshot_meta s[MAXN];
	size_t ns;
	struct state_resource res[8];
	size_t nres;
	char ha[65], hb[65], hc[65];
	const char *assets_hash;
	char *pool[256];
	size_t npool;
};

static char *
fx_str(struct fx *f, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (f->npool == 256)
		abort();
	return f->pool[f->npool++] = buf_take(&b);
}

static void
fx_free(struct fx *f)
{
	size_t i;

	for (i = 0; i < f->npool; i++)
		free(f->pool[i]);
}

static struct state_object *
fx_obj(struct fx *f, enum state_kind k, const char *res, const char *proj,
    const char *name)
{
	struct state_object *o = &f->o[f->no++];

	memset(o, 0, sizeof(*o));
	o->kind = k;
	o->resource = (char *)res;
	o->project = (char *)proj;
	o->name = (char *)name;
	return o;
}

static struct state_object *
fx_find(struct fx *f, enum state_kind k, const char *res, const char *proj,
    const char *name)
{
	size_t i;

	for (i = 0; i < f->no; i++)
		if (f->o[i].kind == k && strcmp(f->o[i].resource, res) == 0 &&
		    strcmp(f->o[i].project, proj) == 0 &&
		    strcmp(f->o[i].name, name) == 0)
			return &f->o[i];
	abort();
}

static void
fx_del(struct fx *f, enum state_kind k, const char *res, const char *proj,
    const char *name)
{
	struct state_object *o = fx_find(f, k, res, proj, name);

	*o = f->o[--f->no];
}

static struct state_replication *
fx_rep(struct fx *f, const char *res, const char *proj)
{
	size_t i;

	for (i = 0; i < f->nr; i++)
		if (strcmp(f->r[i].replica_resource, res) == 0 &&
		    strcmp(f->r[i].project, proj) == 0)
			return &f->r[i];
	abort();
}

static void
fx_del_rep(struct fx *f, const char *res, const char *proj)
{
	struct state_replication *r = fx_rep(f, res, proj);

	*r = f->r[--f->nr];
}

static struct state_trained *
fx_trained(struct fx *f, const char *res, const char *proj, const char *label)
{
	size_t i;

	for (i = 0; i < f->nt; i++)
		if (strcmp(f->t[i].replica_resource, res) == 0 &&
		    strcmp(f->t[i].project, proj) == 0 &&
		    strcmp(f->t[i].label, label) == 0)
			return &f->t[i];
	abort();
}

static void
fx_resource(struct fx *f, const char *name)
{
	struct state_resource *r = &f->res[f->nres++];

	memset(r, 0, sizeof(*r));
	r->name = (char *)name;
	r->refreshed_at = T_READ;
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

/* Source project P on S with model label, deployed as dep, and a snapshot
 * (hash ha) of it as it is now. */
static void
fx_source(struct fx *f, const char *S, const char *P, const char *label,
    const char *dep)
{
	struct state_object *o;
	struct snapshot_meta *m;
	char *id = fx_str(f, "%s-20261101T090000-%032x", label, 1);

	o = fx_obj(f, STATE_PROJECT, S, P, P);
	o->last_modified = (char *)T_SRC;
	o->project_kind = (char *)"Conversation";
	o = fx_obj(f, STATE_MODEL, S, P, label);
	o->model_id = id;
	o->expiration = (char *)"2027-06-01";
	o = fx_obj(f, STATE_DEPLOYMENT, S, P, dep);
	o->model_id = id;
	o->expiration = (char *)"2027-12-01";
	m = &f->s[f->ns++];
	memset(m, 0, sizeof(*m));
	memcpy(m->hash, f->ha, 65);
	m->project = (char *)P;
	m->source_resource = (char *)S;
	m->source_modified = (char *)T_SRC;
	m->taken_at = T_READ - 100;
}

/* Replica P on R, built by standby from snapshot ha of S, trained and
 * deployed. */
static void
fx_replica(struct fx *f, const char *R, const char *S, const char *P,
    const char *label, const char *dep)
{
	struct state_object *o;
	struct state_replication *r;
	struct state_trained *t;
	char *id = fx_str(f, "%s-20261101T100000-%032x", label, 2);

	o = fx_obj(f, STATE_PROJECT, R, P, P);
	o->last_modified = (char *)T_REP;
	o->project_kind = (char *)"Conversation";
	o = fx_obj(f, STATE_MODEL, R, P, label);
	o->model_id = id;
	o->expiration = (char *)"2027-06-01";
	o = fx_obj(f, STATE_DEPLOYMENT, R, P, dep);
	o->model_id = id;
	o->expiration = (char *)"2027-12-01";
	r = &f->r[f->nr++];
	memset(r, 0, sizeof(*r));
	r->replica_resource = (char *)R;
	r->project = (char *)P;
	r->source_resource = (char *)S;
	r->snapshot = f->ha;
	r->source_modified = (char *)T_SRC;
	r->replica_modified = (char *)T_REP;
	t = &f->t[f->nt++];
	memset(t, 0, sizeof(*t));
	t->replica_resource = (char *)R;
	t->project = (char *)P;
	t->label = (char *)label;
	t->snapshot = f->ha;
}

/* Removes everything of P on R: it was never built. */
static void
fx_drop_replica(struct fx *f, const char *R, const char *P, const char *label,
    const char *dep)
{
	struct state_trained *t;

	fx_del(f, STATE_PROJECT, R, P, P);
	fx_del(f, STATE_MODEL, R, P, label);
	fx_del(f, STATE_DEPLOYMENT, R, P, dep);
	fx_del_rep(f, R, P);
	t = fx_trained(f, R, P, label);
	*t = f->t[--f->nt];
}

static void
fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	memset(f->ha, 'a', 64);
	memset(f->hb, 'b', 64);
	memset(f->hc, 'c', 64);
	f->assets_hash = f->ha;
	fx_resource(f, "lang-east");
	fx_resource(f, "lang-south");
	fx_resource(f, "lang-west");
}

/* The base: TravelAgent from lang-east, in sync on lang-west. */
static void
fx_base(struct fx *f)
{
	fx_init(f);
	fx_source(f, "lang-east", "TravelAgent", "v7", "production");
	fx_replica(
	    f, "lang-west", "lang-east", "TravelAgent", "v7", "production");
}

static void
fx_view(struct fx *f, struct plan_view *v)
{
	memset(v, 0, sizeof(*v));
	v->revision = 7;
	v->resources = f->res;
	v->nresources = f->nres;
	v->objects = f->o;
	v->nobjects = f->no;
	v->replications = f->r;
	v->nreplications = f->nr;
	v->trained = f->t;
	v->ntrained = f->nt;
	v->snapshots = f->s;
	v->nsnapshots = f->ns;
}

static int
fx_assets_hash(void *arg, const struct config_project *p,
    char hex[SNAPSHOT_HASH_SIZE], struct err *err)
{
	struct fx *f = arg;

	(void)p;
	(void)err;
	memcpy(hex, f->assets_hash, SNAPSHOT_HASH_SIZE);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Running a case                                                      */

static struct config *
load_config(const char *yaml)
{
	struct diag_list diags = { 0 };
	struct config *cfg = NULL;
	struct err err = { 0 };
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/standby.yaml", tmpdir);
	fp = fopen(path, "w");
	if (fp == NULL)
		return NULL;
	fputs(yaml, fp);
	fclose(fp);
	if (config_load(&cfg, path, &diags, &err) != 0)
		fprintf(stderr, "# config: %s\n", err.msg);
	diag_list_release(&diags);
	return cfg;
}

static int64_t
now(void)
{
	int64_t t;
	long ns;

	plan_parse_time(T_NOW, &t, &ns);
	return t;
}

static void
default_opts(struct plan_opts *o, struct fx *f)
{
	memset(o, 0, sizeof(*o));
	o->expiry_window_s = 30 * 86400;
	o->now = now();
	o->standby_version = "0.1.0";
	o->assets_hash = fx_assets_hash;
	o->assets_arg = f;
}

/* "id change reason" of every action, one per line. */
static void
summarise(const cJSON *plan, struct buf *b)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		buf_addf(b, "%s %s %s\n", planfile_str(a, "id"),
		    planfile_str(a, "change"),
		    planfile_str(planfile_get(a, "reason"), "code"));
	}
}

/* Index of action id in plan, or -1. */
static int
action_index(const cJSON *plan, const char *id)
{
	const cJSON *a;
	int i = 0;

	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		if (strcmp(planfile_str(a, "id"), id) == 0)
			return i;
		i++;
	}
	return -1;
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

/* 1 when action id depends on dep. */
static int
depends(const cJSON *plan, const char *id, const char *dep)
{
	const cJSON *a = action(plan, id), *d;

	if (a == NULL)
		return 0;
	cJSON_ArrayForEach(d, planfile_get(a, "depends_on"))
	{
		if (strcmp(d->valuestring, dep) == 0)
			return 1;
	}
	return 0;
}

/* Every dependency comes before the action that needs it. */
static int
topological(const cJSON *plan)
{
	const cJSON *a, *d;
	int i = 0, j;

	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		cJSON_ArrayForEach(d, planfile_get(a, "depends_on"))
		{
			j = action_index(plan, d->valuestring);
			if (j < 0 || j >= i)
				return 0;
		}
		i++;
	}
	return 1;
}

static int
has_warning(const cJSON *plan, const char *code, const char *text)
{
	const cJSON *w;

	cJSON_ArrayForEach(w, planfile_get(plan, "warnings"))
	{
		if (strcmp(planfile_str(w, "code"), code) == 0 &&
		    strstr(planfile_str(w, "message"), text) != NULL)
			return 1;
	}
	return 0;
}

/* Builds the plan of yaml against f with o; checks what every plan must
 * satisfy.  *plan is NULL (and err set) when planning failed. */
static int
build(cJSON **plan, const char *yaml, struct fx *f, const struct plan_opts *o,
    struct err *err)
{
	struct config *cfg = load_config(yaml);
	struct plan_view v;
	struct buf b1 = { 0 }, b2 = { 0 };
	cJSON *again = NULL;
	int rc = -1;

	*plan = NULL;
	if (cfg == NULL)
		return -1;
	fx_view(f, &v);
	if (plan_build(plan, cfg, &v, o, err) != 0)
		goto out;
	if (planfile_check(*plan, err) != 0) {
		fprintf(stderr, "# planfile_check: %s\n", err->msg);
		goto out;
	}
	if (!topological(*plan)) {
		fprintf(stderr, "# not in topological order\n");
		goto out;
	}
	/* The same input gives the same bytes. */
	if (plan_build(&again, cfg, &v, o, err) != 0 ||
	    planfile_write(*plan, &b1, err) != 0 ||
	    planfile_write(again, &b2, err) != 0 || b1.len != b2.len ||
	    memcmp(b1.data, b2.data, b1.len) != 0) {
		fprintf(stderr, "# not reproducible\n");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0 && err->code == ERR_NONE)
		err_set(err, ERR_SPEC, "check failed");
	cJSON_Delete(again);
	buf_release(&b1);
	buf_release(&b2);
	config_free(cfg);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

struct pcase {
	const char *name;
	const char *yaml; /* NULL: Y_BASE */
	void (*setup)(struct fx *f, struct plan_opts *o);
	const char *want; /* "id change reason\n"..., in order */
	const char *err;  /* planning fails with this in the message */
	const char *warn_code, *warn_text; /* a warning that must be there */
	const char *deps[8];               /* "id <- dep" that must hold */
};

static void
replica_missing(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_drop_replica(f, "lang-west", "TravelAgent", "v7", "production");
}

static void
replica_missing_no_snapshot(struct fx *f, struct plan_opts *o)
{
	replica_missing(f, o);
	f->ns = 0;
}

static void
source_modified(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_find(f, STATE_PROJECT, "lang-east", "TravelAgent", "TravelAgent")
	    ->last_modified = (char *)"2026-11-20T08:00:00Z";
}

static void
source_same_time_other_spelling(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_find(f, STATE_PROJECT, "lang-east", "TravelAgent", "TravelAgent")
	    ->last_modified = (char *)"2026-11-01T10:00:00.0000000+01:00";
}

static void
snapshot_differs(struct fx *f, struct plan_opts *o)
{
	(void)o;
	memcpy(f->s[0].hash, f->hb, 65);
}

static void
source_resource_changed(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_rep(f, "lang-west", "TravelAgent")->source_resource =
	    (char *)"lang-south";
}

static void
replica_touched(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_find(f, STATE_PROJECT, "lang-west", "TravelAgent", "TravelAgent")
	    ->last_modified = (char *)"2026-11-10T00:00:00Z";
}

/* A replica set up by hand per the fail-over guide: no records at all,
 * imported after the source last changed and trained after that. */
static void
adopted(struct fx *f, struct plan_opts *o)
{
	struct state_trained *t =
	    fx_trained(f, "lang-west", "TravelAgent", "v7");

	(void)o;
	fx_del_rep(f, "lang-west", "TravelAgent");
	*t = f->t[--f->nt];
	fx_find(f, STATE_MODEL, "lang-west", "TravelAgent", "v7")
	    ->last_trained = (char *)"2026-11-01T09:30:00Z";
}

static void
adopted_behind_source(struct fx *f, struct plan_opts *o)
{
	adopted(f, o);
	fx_find(f, STATE_PROJECT, "lang-west", "TravelAgent", "TravelAgent")
	    ->last_modified = (char *)"2026-10-31T23:00:00Z";
}

static void
adopted_trained_before_import(struct fx *f, struct plan_opts *o)
{
	adopted(f, o);
	fx_find(f, STATE_MODEL, "lang-west", "TravelAgent", "v7")
	    ->last_trained = (char *)"2026-11-01T09:01:00Z";
}

static void
model_missing(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_del(f, STATE_MODEL, "lang-west", "TravelAgent", "v7");
}

static void
model_stale(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_trained(f, "lang-west", "TravelAgent", "v7")->snapshot = f->hb;
}

static void
model_not_ours(struct fx *f, struct plan_opts *o)
{
	struct state_trained *t =
	    fx_trained(f, "lang-west", "TravelAgent", "v7");

	(void)o;
	*t = f->t[--f->nt];
}

static void
deployment_missing(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_del(f, STATE_DEPLOYMENT, "lang-west", "TravelAgent", "production");
}

static void
deployment_mismatch(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_find(f, STATE_DEPLOYMENT, "lang-west", "TravelAgent", "production")
	    ->model_id =
	    (char *)"v6-20260101T000000-00000000000000000000000000000003";
}

static void
deployment_expiring(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_find(f, STATE_DEPLOYMENT, "lang-west", "TravelAgent", "production")
	    ->expiration = (char *)"2026-12-01";
}

static void
model_expiring(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_find(f, STATE_MODEL, "lang-west", "TravelAgent", "v7")->expiration =
	    (char *)"2026-12-10";
}

static void
model_expiring_later(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_find(f, STATE_MODEL, "lang-west", "TravelAgent", "v7")->expiration =
	    (char *)"2027-01-10";
}

static void
model_expiring_later_wide(struct fx *f, struct plan_opts *o)
{
	model_expiring_later(f, o);
	o->expiry_window_s = 60 * 86400;
}

static void
assets_changed(struct fx *f, struct plan_opts *o)
{
	(void)o;
	f->assets_hash = f->hb;
}

static void
assets_base(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_free(f); /* start again from an empty cache */
	fx_init(f);
	fx_replica(f, "lang-west", NULL, "TravelAgent", "v7", "production");
}

static void
assets_base_changed(struct fx *f, struct plan_opts *o)
{
	assets_base(f, o);
	assets_changed(f, o);
}

static void
leftovers(struct fx *f, struct plan_opts *o)
{
	struct state_object *d;

	(void)o;
	d = fx_obj(f, STATE_DEPLOYMENT, "lang-west", "TravelAgent", "staging");
	d->model_id =
	    (char *)"v6-20260101T000000-00000000000000000000000000000003";
	d = fx_obj(f, STATE_MODEL, "lang-west", "TravelAgent", "v6");
	d->model_id =
	    (char *)"v6-20260101T000000-00000000000000000000000000000003";
	d = fx_obj(f, STATE_MODEL, "lang-west", "TravelAgent", "v5");
	d->model_id =
	    (char *)"v5-20250101T000000-00000000000000000000000000000004";
}

static void
leftovers_pruned(struct fx *f, struct plan_opts *o)
{
	leftovers(f, o);
	o->prune = 1;
}

static void
old_project(struct fx *f, struct plan_opts *o)
{
	struct state_replication *r;
	struct state_object *p;

	o->prune = 1;
	/* Built by standby on a replica, no longer desired. */
	p = fx_obj(f, STATE_PROJECT, "lang-west", "OldBot", "OldBot");
	p->project_kind = (char *)"Conversation";
	r = &f->r[f->nr++];
	memset(r, 0, sizeof(*r));
	r->replica_resource = (char *)"lang-west";
	r->project = (char *)"OldBot";
	r->snapshot = f->hc;
	/* The same on the source resource: never deleted there. */
	fx_obj(f, STATE_PROJECT, "lang-east", "OldBot", "OldBot");
	r = &f->r[f->nr++];
	memset(r, 0, sizeof(*r));
	r->replica_resource = (char *)"lang-east";
	r->project = (char *)"OldBot";
	/* Not built by standby: not ours to delete. */
	fx_obj(f, STATE_PROJECT, "lang-west", "Manual", "Manual");
}

static void
prune_and_change(struct fx *f, struct plan_opts *o)
{
	leftovers_pruned(f, o);
	source_modified(f, o);
}

static void
orch_missing(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_source(f, "lang-east", "Concierge", "o3", "production");
	f->ns = 1; /* one snapshot, of TravelAgent */
	fx_drop_replica(f, "lang-west", "TravelAgent", "v7", "production");
}

static void
orch_deploys_only(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_source(f, "lang-east", "Concierge", "o3", "production");
	fx_replica(
	    f, "lang-west", "lang-east", "Concierge", "o3", "production");
	deployment_missing(f, o);
	fx_del(f, STATE_DEPLOYMENT, "lang-west", "Concierge", "production");
}

static void
orch_in_sync(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_source(f, "lang-east", "Concierge", "o3", "production");
	fx_replica(
	    f, "lang-west", "lang-east", "Concierge", "o3", "production");
}

static void
orch_target_concierge(struct fx *f, struct plan_opts *o)
{
	static const char *const t[] = { "Concierge" };

	orch_missing(f, o);
	o->targets = t;
	o->ntargets = 1;
}

static void
orch_target_travel(struct fx *f, struct plan_opts *o)
{
	static const char *const t[] = { "TravelAgent" };

	orch_missing(f, o);
	o->targets = t;
	o->ntargets = 1;
}

static void
orch_both_missing(struct fx *f, struct plan_opts *o)
{
	orch_missing(f, o);
}

static void
target_unknown(struct fx *f, struct plan_opts *o)
{
	static const char *const t[] = { "Nope" };

	(void)f;
	o->targets = t;
	o->ntargets = 1;
}

static void
west_stale(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_res(f, "lang-west")->stale_since = T_READ + 1800;
}

static void
west_never_read(struct fx *f, struct plan_opts *o)
{
	struct state_resource *r = fx_res(f, "lang-west");

	(void)o;
	*r = f->res[--f->nres];
}

static void
source_gone(struct fx *f, struct plan_opts *o)
{
	(void)o;
	fx_del(f, STATE_PROJECT, "lang-east", "TravelAgent", "TravelAgent");
}

static void
mirror_missing(struct fx *f, struct plan_opts *o)
{
	replica_missing(f, o);
}

static void
mirror_by_model_id(struct fx *f, struct plan_opts *o)
{
	replica_missing(f, o);
	/* The source model is not cached: the label comes from the modelId. */
	fx_del(f, STATE_MODEL, "lang-east", "TravelAgent", "v7");
}

static void
two_replicas_missing(struct fx *f, struct plan_opts *o)
{
	(void)o;
	f->ns = 0;
	fx_drop_replica(f, "lang-west", "TravelAgent", "v7", "production");
}

static const struct pcase cases[] = {
	{ .name = "in sync: no changes", .want = "" },
	{ .name = "replica_missing: import, train, deploy; the snapshot "
	          "that matches the source is reused, no export",
	    .setup = replica_missing,
	    .want = "import:TravelAgent@lang-west create replica_missing\n"
	            "train:TravelAgent@lang-west/v7 create model_missing\n"
	            "deploy:TravelAgent@lang-west/production create "
	            "deployment_missing\n",
	    .deps = { "train:TravelAgent@lang-west/v7 <- "
	              "import:TravelAgent@lang-west",
	        "deploy:TravelAgent@lang-west/production <- "
	        "train:TravelAgent@lang-west/v7" } },
	{ .name = "replica_missing without a snapshot: export first",
	    .setup = replica_missing_no_snapshot,
	    .want = "export:TravelAgent@lang-east read replica_missing\n"
	            "import:TravelAgent@lang-west create replica_missing\n"
	            "train:TravelAgent@lang-west/v7 create model_missing\n"
	            "deploy:TravelAgent@lang-west/production create "
	            "deployment_missing\n",
	    .deps = { "import:TravelAgent@lang-west <- "
	              "export:TravelAgent@lang-east" } },
	{ .name = "source_changed: lastModifiedDateTime newer than the "
	          "replica was built from",
	    .setup = source_modified,
	    .want = "export:TravelAgent@lang-east read source_changed\n"
	            "import:TravelAgent@lang-west replace source_changed\n"
	            "train:TravelAgent@lang-west/v7 update model_stale\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "source times compare as times, not strings",
	    .setup = source_same_time_other_spelling,
	    .want = "" },
	{ .name = "source_changed: the snapshot hash differs",
	    .setup = snapshot_differs,
	    .want = "import:TravelAgent@lang-west replace source_changed\n"
	            "train:TravelAgent@lang-west/v7 update model_stale\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "source_changed: built from another resource",
	    .setup = source_resource_changed,
	    .want = "import:TravelAgent@lang-west replace source_changed\n"
	            "train:TravelAgent@lang-west/v7 update model_stale\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "replica_modified_out_of_band: the replica changed after "
	          "our import",
	    .setup = replica_touched,
	    .want = "import:TravelAgent@lang-west replace "
	            "replica_modified_out_of_band\n"
	            "train:TravelAgent@lang-west/v7 update model_stale\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "a replica built by hand after its source changed is "
	          "adopted as it is",
	    .setup = adopted,
	    .want = "" },
	{ .name = "source_changed: a replica built by hand before its source "
	          "changed",
	    .setup = adopted_behind_source,
	    .want = "import:TravelAgent@lang-west replace source_changed\n"
	            "train:TravelAgent@lang-west/v7 update model_stale\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "model_stale: a model of an adopted replica trained before "
	          "its import",
	    .setup = adopted_trained_before_import,
	    .want = "train:TravelAgent@lang-west/v7 update model_stale\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "model_missing: train and redeploy",
	    .setup = model_missing,
	    .want = "train:TravelAgent@lang-west/v7 create model_missing\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "model_stale: trained from an older snapshot",
	    .setup = model_stale,
	    .want = "train:TravelAgent@lang-west/v7 update model_stale\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "model_stale: not trained by standby",
	    .setup = model_not_ours,
	    .want = "train:TravelAgent@lang-west/v7 update model_stale\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "deployment_missing: deploy only",
	    .setup = deployment_missing,
	    .want = "deploy:TravelAgent@lang-west/production create "
	            "deployment_missing\n" },
	{ .name = "deployment_model_mismatch: redeploy only",
	    .setup = deployment_mismatch,
	    .want = "deploy:TravelAgent@lang-west/production update "
	            "deployment_model_mismatch\n" },
	{ .name = "deployment_expiring: deploymentExpirationDate in the "
	          "window retrains and redeploys",
	    .setup = deployment_expiring,
	    .want = "train:TravelAgent@lang-west/v7 update "
	            "deployment_expiring\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "deployment_expiring\n" },
	{ .name = "deployment_expiring: modelExpirationDate in the window",
	    .setup = model_expiring,
	    .want = "train:TravelAgent@lang-west/v7 update "
	            "deployment_expiring\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "an expiry beyond the window is left alone",
	    .setup = model_expiring_later,
	    .want = "" },
	{ .name = "the expiry window is configurable",
	    .setup = model_expiring_later_wide,
	    .want = "train:TravelAgent@lang-west/v7 update "
	            "deployment_expiring\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "assets in sync: no changes",
	    .yaml = Y_ASSETS,
	    .setup = assets_base,
	    .want = "" },
	{ .name = "assets_changed: the file's hash differs, no export",
	    .yaml = Y_ASSETS,
	    .setup = assets_base_changed,
	    .want = "import:TravelAgent@lang-west replace assets_changed\n"
	            "train:TravelAgent@lang-west/v7 update model_stale\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "leftovers are kept without --prune",
	    .setup = leftovers,
	    .want = "" },
	{ .name = "--prune deletes undesired deployments and models, the "
	          "model after its deployment",
	    .setup = leftovers_pruned,
	    .want = "delete_deployment:TravelAgent@lang-west/staging delete "
	            "not_desired\n"
	            "delete_model:TravelAgent@lang-west/v5 delete "
	            "not_desired\n"
	            "delete_model:TravelAgent@lang-west/v6 delete "
	            "not_desired\n",
	    .deps = { "delete_model:TravelAgent@lang-west/v6 <- "
	              "delete_deployment:TravelAgent@lang-west/staging" } },
	{ .name = "protect: true keeps everything, with a warning",
	    .yaml = Y_PROTECT,
	    .setup = leftovers_pruned,
	    .want = "",
	    .warn_code = "protected_kept",
	    .warn_text = "deployment staging" },
	{ .name = "--prune deletes projects standby built that are no "
	          "longer desired, never on a source resource",
	    .setup = old_project,
	    .want = "delete_project:OldBot@lang-west delete not_desired\n" },
	{ .name = "destructive actions come first",
	    .setup = prune_and_change,
	    .want = "delete_deployment:TravelAgent@lang-west/staging delete "
	            "not_desired\n"
	            "delete_model:TravelAgent@lang-west/v5 delete "
	            "not_desired\n"
	            "delete_model:TravelAgent@lang-west/v6 delete "
	            "not_desired\n"
	            "export:TravelAgent@lang-east read source_changed\n"
	            "import:TravelAgent@lang-west replace source_changed\n"
	            "train:TravelAgent@lang-west/v7 update model_stale\n"
	            "deploy:TravelAgent@lang-west/production update "
	            "dependency\n" },
	{ .name = "orchestration comes after the projects it routes to",
	    .yaml = Y_ORCH,
	    .setup = orch_both_missing,
	    .want = "import:TravelAgent@lang-west create replica_missing\n"
	            "train:TravelAgent@lang-west/v7 create model_missing\n"
	            "deploy:TravelAgent@lang-west/production create "
	            "deployment_missing\n"
	            "export:Concierge@lang-east read replica_missing\n"
	            "import:Concierge@lang-west create replica_missing\n"
	            "train:Concierge@lang-west/o3 create model_missing\n"
	            "deploy:Concierge@lang-west/production create "
	            "deployment_missing\n",
	    .deps = { "train:Concierge@lang-west/o3 <- "
	              "deploy:TravelAgent@lang-west/production",
	        "train:Concierge@lang-west/o3 <- "
	        "import:Concierge@lang-west" } },
	{ .name = "an orchestration's deploy waits for the routed deploys",
	    .yaml = Y_ORCH,
	    .setup = orch_deploys_only,
	    .want = "deploy:TravelAgent@lang-west/production create "
	            "deployment_missing\n"
	            "deploy:Concierge@lang-west/production create "
	            "deployment_missing\n",
	    .deps = { "deploy:Concierge@lang-west/production <- "
	              "deploy:TravelAgent@lang-west/production" } },
	{ .name = "--target includes the projects it routes to",
	    .yaml = Y_ORCH,
	    .setup = orch_target_concierge,
	    .want = "import:TravelAgent@lang-west create replica_missing\n"
	            "train:TravelAgent@lang-west/v7 create model_missing\n"
	            "deploy:TravelAgent@lang-west/production create "
	            "deployment_missing\n"
	            "export:Concierge@lang-east read replica_missing\n"
	            "import:Concierge@lang-west create replica_missing\n"
	            "train:Concierge@lang-west/o3 create model_missing\n"
	            "deploy:Concierge@lang-west/production create "
	            "deployment_missing\n" },
	{ .name = "--target leaves out the projects that route to it",
	    .yaml = Y_ORCH,
	    .setup = orch_target_travel,
	    .want = "import:TravelAgent@lang-west create replica_missing\n"
	            "train:TravelAgent@lang-west/v7 create model_missing\n"
	            "deploy:TravelAgent@lang-west/production create "
	            "deployment_missing\n" },
	{ .name = "--target of an unknown project fails",
	    .setup = target_unknown,
	    .err = "--target: no project 'Nope'" },
	{ .name = "a route to an undeclared project is a warning",
	    .yaml = Y_UNDECLARED,
	    .setup = orch_in_sync,
	    .want = "",
	    .warn_code = "orchestration_target_undeclared",
	    .warn_text = "Concierge routes to Weather" },
	{ .name = "a stale resource is a warning with both times",
	    .setup = west_stale,
	    .want = "",
	    .warn_code = "resource_stale",
	    .warn_text = "lang-west could not be read at 2026-11-23T09:30:00Z; "
	                 "its cached state is from 2026-11-23T09:00:00Z" },
	{ .name = "a resource never refreshed is a warning",
	    .setup = west_never_read,
	    .want = "",
	    .warn_code = "resource_never_refreshed",
	    .warn_text = "lang-west has never been refreshed" },
	{ .name = "a source project missing from the cache fails",
	    .setup = source_gone,
	    .err = "source project 'TravelAgent' not found on lang-east "
	           "(refreshed 2026-11-23T09:00:00Z)" },
	{ .name = "without model or deployments, the source's deployments "
	          "are mirrored",
	    .yaml = Y_MIRROR,
	    .setup = mirror_missing,
	    .want = "import:TravelAgent@lang-west create replica_missing\n"
	            "train:TravelAgent@lang-west/v7 create model_missing\n"
	            "deploy:TravelAgent@lang-west/production create "
	            "deployment_missing\n" },
	{ .name = "a mirrored deployment's label comes from its modelId when "
	          "the source model is not cached",
	    .yaml = Y_MIRROR,
	    .setup = mirror_by_model_id,
	    .want = "import:TravelAgent@lang-west create replica_missing\n"
	            "train:TravelAgent@lang-west/v7 create model_missing\n"
	            "deploy:TravelAgent@lang-west/production create "
	            "deployment_missing\n" },
	{ .name = "one export is shared by every replica",
	    .yaml = Y_TWO,
	    .setup = two_replicas_missing,
	    .want = "export:TravelAgent@lang-east read replica_missing\n"
	            "import:TravelAgent@lang-south create replica_missing\n"
	            "import:TravelAgent@lang-west create replica_missing\n"
	            "train:TravelAgent@lang-south/v7 create model_missing\n"
	            "train:TravelAgent@lang-west/v7 create model_missing\n"
	            "deploy:TravelAgent@lang-south/production create "
	            "deployment_missing\n"
	            "deploy:TravelAgent@lang-west/production create "
	            "deployment_missing\n",
	    .deps = { "import:TravelAgent@lang-south <- "
	              "export:TravelAgent@lang-east",
	        "import:TravelAgent@lang-west <- "
	        "export:TravelAgent@lang-east" } },
};

static const struct pcase *current;

static void
run_case(void)
{
	const struct pcase *pc = current;
	struct plan_opts o;
	struct buf got = { 0 };
	struct err err = { 0 };
	cJSON *plan = NULL;
	struct fx f;
	char id[256], dep[256];
	size_t i;

	fx_base(&f);
	default_opts(&o, &f);
	if (pc->setup != NULL)
		pc->setup(&f, &o);
	if (build(&plan, pc->yaml ? pc->yaml : Y_BASE, &f, &o, &err) != 0) {
		if (pc->err == NULL)
			T_FAIL_AT("planning failed: %s", err.msg);
		else if (strstr(err.msg, pc->err) == NULL)
			T_FAIL_AT(
			    "error \"%s\" lacks \"%s\"", err.msg, pc->err);
		goto out;
	}
	if (pc->err != NULL) {
		T_FAIL_AT("planning succeeded; want error \"%s\"", pc->err);
		goto out;
	}
	summarise(plan, &got);
	if (strcmp(buf_str(&got), pc->want) != 0) {
		T_FAIL_AT("actions:\n%s--- want:\n%s", buf_str(&got), pc->want);
		goto out;
	}
	for (i = 0; i < 8 && pc->deps[i] != NULL; i++) {
		if (sscanf(pc->deps[i], "%255s <- %255s", id, dep) != 2 ||
		    !depends(plan, id, dep)) {
			T_FAIL_AT("want %s", pc->deps[i]);
			goto out;
		}
	}
	if (pc->warn_code != NULL &&
	    !has_warning(plan, pc->warn_code, pc->warn_text))
		T_FAIL_AT("no warning %s \"%s\"", pc->warn_code, pc->warn_text);
	if (pc->warn_code == NULL &&
	    cJSON_GetArraySize(planfile_get(plan, "warnings")) != 0)
		T_FAIL_AT("unexpected warnings");
out:
	buf_release(&got);
	cJSON_Delete(plan);
	fx_free(&f);
}

/* ------------------------------------------------------------------ */
/* Other tests                                                         */

static void
test_plan_header(void)
{
	struct plan_opts o;
	struct err err = { 0 };
	cJSON *plan = NULL;
	const cJSON *s;
	struct fx f;

	fx_base(&f);
	default_opts(&o, &f);
	source_modified(&f, &o);
	o.refreshed = 1;
	T_OK(build(&plan, Y_BASE, &f, &o, &err) == 0);
	T_EQ_INT(planfile_get(plan, "format_version")->valueint, 1);
	T_EQ_STR(planfile_str(plan, "standby_version"), "0.1.0");
	T_EQ_STR(planfile_str(plan, "created_at"), T_NOW);
	T_EQ_INT(
	    strlen(planfile_str(planfile_get(plan, "config"), "hash")), 64);
	s = planfile_get(plan, "state");
	T_EQ_INT(planfile_get(s, "revision")->valueint, 7);
	T_EQ_STR(planfile_str(s, "refreshed_at"), "2026-11-23T09:00:00Z");
	s = planfile_get(plan, "options");
	T_EQ_INT(planfile_get(s, "expiry_window_days")->valueint, 30);
	T_OK(cJSON_IsTrue(planfile_get(s, "refreshed")));
	s = planfile_get(plan, "summary");
	T_EQ_INT(planfile_get(s, "read")->valueint, 1);
	T_EQ_INT(planfile_get(s, "replace")->valueint, 1);
	T_EQ_INT(planfile_get(s, "update")->valueint, 2);
	T_EQ_INT(planfile_get(s, "create")->valueint, 0);
	T_EQ_INT(planfile_get(s, "total")->valueint, 4);
	cJSON_Delete(plan);
	fx_free(&f);
}

static void
test_action_details(void)
{
	struct plan_opts o;
	struct err err = { 0 };
	cJSON *plan = NULL;
	const cJSON *a, *t;
	struct fx f;

	fx_base(&f);
	default_opts(&o, &f);
	source_modified(&f, &o);
	T_OK(build(&plan, Y_BASE, &f, &o, &err) == 0);
	a = action(plan, "import:TravelAgent@lang-west");
	T_OK(a != NULL);
	t = planfile_get(a, "target");
	T_EQ_STR(planfile_str(t, "type"), "language");
	T_EQ_STR(planfile_str(t, "resource"), "lang-west");
	T_EQ_STR(planfile_str(t, "region"), "westus2");
	T_EQ_STR(planfile_str(t, "project_kind"), "Conversation");
	T_EQ_STR(planfile_str(t, "source"), "lang-east");
	T_EQ_STR(planfile_str(planfile_get(a, "reason"), "message"),
	    "TravelAgent on lang-east was modified at 2026-11-20T08:00:00Z, "
	    "after the replica was built from it (2026-11-01T09:00:00Z)");
	T_EQ_STR(
	    planfile_str(planfile_get(a, "before"), "lastModifiedDateTime"),
	    T_REP);
	T_EQ_STR(planfile_str(planfile_get(a, "after"), "snapshot"),
	    "from export:TravelAgent@lang-east");
	a = action(plan, "export:TravelAgent@lang-east");
	T_OK(a != NULL);
	T_OK(cJSON_IsNull(planfile_get(a, "before")));
	T_EQ_STR(planfile_str(planfile_get(a, "after"), "lastModifiedDateTime"),
	    "2026-11-20T08:00:00Z");
	a = action(plan, "deploy:TravelAgent@lang-west/production");
	T_OK(a != NULL);
	T_EQ_STR(planfile_str(planfile_get(a, "target"), "deployment"),
	    "production");
	T_EQ_STR(planfile_str(planfile_get(a, "target"), "model"), "v7");
	T_EQ_STR(planfile_str(planfile_get(a, "before"), "modelLabel"), "v7");
	T_OK(!cJSON_IsTrue(planfile_get(a, "destructive")));
	cJSON_Delete(plan);
	fx_free(&f);
}

static void
test_import_uses_cached_snapshot(void)
{
	struct plan_opts o;
	struct err err = { 0 };
	cJSON *plan = NULL;
	const cJSON *a;
	struct fx f;

	fx_base(&f);
	default_opts(&o, &f);
	replica_missing(&f, &o);
	T_OK(build(&plan, Y_BASE, &f, &o, &err) == 0);
	a = action(plan, "import:TravelAgent@lang-west");
	T_OK(a != NULL);
	T_EQ_STR(planfile_str(planfile_get(a, "after"), "snapshot"), f.ha);
	T_EQ_INT(cJSON_GetArraySize(planfile_get(a, "depends_on")), 0);
	T_OK(cJSON_IsNull(planfile_get(a, "before")));
	cJSON_Delete(plan);
	fx_free(&f);
}

static void
test_prune_is_destructive(void)
{
	struct plan_opts o;
	struct err err = { 0 };
	cJSON *plan = NULL;
	const cJSON *a;
	struct fx f;

	fx_base(&f);
	default_opts(&o, &f);
	leftovers_pruned(&f, &o);
	T_OK(build(&plan, Y_BASE, &f, &o, &err) == 0);
	a = action(plan, "delete_deployment:TravelAgent@lang-west/staging");
	T_OK(a != NULL);
	T_OK(cJSON_IsTrue(planfile_get(a, "destructive")));
	T_OK(cJSON_IsNull(planfile_get(a, "after")));
	T_EQ_STR(planfile_str(planfile_get(a, "before"), "modelLabel"), "v6");
	T_OK(
	    cJSON_IsTrue(planfile_get(planfile_get(plan, "options"), "prune")));
	cJSON_Delete(plan);
	fx_free(&f);
}

static void
test_created_at_follows_now(void)
{
	struct plan_opts o;
	struct err err = { 0 };
	cJSON *plan = NULL;
	struct fx f;

	fx_base(&f);
	default_opts(&o, &f);
	o.now = 0;
	T_OK(build(&plan, Y_BASE, &f, &o, &err) == 0);
	T_EQ_STR(planfile_str(plan, "created_at"), "1970-01-01T00:00:00Z");
	cJSON_Delete(plan);
	fx_free(&f);
}

static void
test_parse_time(void)
{
	static const struct {
		const char *s;
		int ok;
		int64_t sec;
		long nsec;
	} v[] = {
		{ "1970-01-01T00:00:00Z", 1, 0, 0 },
		{ "2026-11-23T10:05:00Z", 1, 1795428300, 0 },
		{ "2026-11-23T11:05:00+01:00", 1, 1795428300, 0 },
		{ "2022-04-18T15:47:49.4334381Z", 1, 1650296869, 433438100 },
		{ "2027-01-01", 1, 1798761600, 0 },
		{ "2027-13-01", 0, 0, 0 },
		{ "2027-01-01T", 0, 0, 0 },
		{ "yesterday", 0, 0, 0 },
		{ "2027-01-01T00:00:00Zjunk", 0, 0, 0 },
	};
	size_t i;
	int64_t sec;
	long ns;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int rc = plan_parse_time(v[i].s, &sec, &ns);

		T_EQ_INT(rc == 0, v[i].ok);
		if (v[i].ok) {
			T_EQ_INT(sec, v[i].sec);
			T_EQ_INT(ns, v[i].nsec);
		}
	}
}

/* plan_cache_load reads everything plan_build needs from a state file. */
static void
test_cache_from_state_file(void)
{
	struct state_replication rec = { 0 };
	struct state_trained tr = { 0 };
	struct snapshot_meta meta = { 0 };
	struct state_object obj = { 0 };
	struct state_refresh *r = NULL;
	struct plan_cache cache;
	struct state *st = NULL;
	struct plan_opts o;
	struct err err = { 0 };
	struct config *cfg = NULL;
	cJSON *plan = NULL;
	struct buf got = { 0 };
	char path[256], hash[SNAPSHOT_HASH_SIZE];
	struct fx f;

	fx_init(&f);
	default_opts(&o, &f);
	snprintf(path, sizeof(path), "%s/state.db", tmpdir);
	T_OK(state_open(&st, path, STATE_OPEN_CREATE, &err) == 0);
	T_OK(state_refresh_begin(st, &r, "lang-east", &err) == 0);
	obj.kind = STATE_PROJECT;
	obj.project = obj.name = (char *)"TravelAgent";
	obj.project_kind = (char *)"Conversation";
	obj.last_modified = (char *)T_SRC;
	T_OK(state_refresh_put(r, &obj, &err) == 0);
	T_OK(state_refresh_commit(r, NULL, &err) == 0);
	T_OK(state_refresh_begin(st, &r, "lang-west", &err) == 0);
	obj.last_modified = (char *)T_REP;
	T_OK(state_refresh_put(r, &obj, &err) == 0);
	obj.kind = STATE_MODEL;
	obj.name = (char *)"v7";
	obj.model_id = (char *)"v7-1";
	obj.expiration = (char *)"2099-01-01";
	T_OK(state_refresh_put(r, &obj, &err) == 0);
	obj.kind = STATE_DEPLOYMENT;
	obj.name = (char *)"production";
	T_OK(state_refresh_put(r, &obj, &err) == 0);
	T_OK(state_refresh_commit(r, NULL, &err) == 0);
	meta.project = (char *)"TravelAgent";
	meta.kind = (char *)"conversation";
	meta.source_resource = (char *)"lang-east";
	meta.source_modified = (char *)T_SRC;
	T_OK(snapshot_put(st, &meta, "{}", 2, hash, NULL, &err) == 0);
	rec.replica_resource = (char *)"lang-west";
	rec.project = (char *)"TravelAgent";
	rec.source_resource = (char *)"lang-east";
	rec.snapshot = hash;
	rec.source_modified = (char *)T_SRC;
	rec.replica_modified = (char *)T_REP;
	T_OK(state_put_replication(st, &rec, &err) == 0);
	tr.replica_resource = (char *)"lang-west";
	tr.project = (char *)"TravelAgent";
	tr.label = (char *)"v7";
	tr.snapshot = hash;
	T_OK(state_put_trained(st, &tr, &err) == 0);
	/* Records of models that are not live (another label, another
	 * resource) are read in the same query but left out of the view. */
	tr.label = (char *)"v9";
	T_OK(state_put_trained(st, &tr, &err) == 0);
	tr.label = (char *)"v7";
	tr.replica_resource = (char *)"lang-north";
	T_OK(state_put_trained(st, &tr, &err) == 0);
	tr.replica_resource = (char *)"lang-west";

	T_OK(plan_cache_load(&cache, st, &err) == 0);
	T_EQ_INT(cache.view.ntrained, 1);
	T_EQ_STR(cache.view.trained[0].replica_resource, "lang-west");
	T_EQ_STR(cache.view.trained[0].label, "v7");
	T_EQ_STR(cache.view.trained[0].snapshot, hash);
	T_EQ_INT(cache.view.nsnapshots, 1);
	T_OK(cache.view.revision > 0);
	cfg = load_config(Y_BASE);
	T_OK(cfg != NULL);
	T_OK(plan_build(&plan, cfg, &cache.view, &o, &err) == 0);
	summarise(plan, &got);
	T_EQ_STR(buf_str(&got), "");
	cJSON_Delete(plan);
	plan = NULL;
	/* A trained record of another snapshot makes the model stale. */
	tr.snapshot = (char *)f.hb;
	T_OK(state_put_trained(st, &tr, &err) == 0);
	plan_cache_release(&cache);
	T_OK(plan_cache_load(&cache, st, &err) == 0);
	T_OK(plan_build(&plan, cfg, &cache.view, &o, &err) == 0);
	buf_reset(&got);
	summarise(plan, &got);
	T_EQ_STR(buf_str(&got),
	    "train:TravelAgent@lang-west/v7 update model_stale\n"
	    "deploy:TravelAgent@lang-west/production update dependency\n");
	cJSON_Delete(plan);
	plan_cache_release(&cache);
	config_free(cfg);
	state_close(st);
	buf_release(&got);
	fx_free(&f);
	unlink(path);
	snprintf(path, sizeof(path), "%s/state.db-wal", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/state.db-shm", tmpdir);
	unlink(path);
}

int
main(void)
{
	char src[512], dst[512];
	size_t i;
	FILE *in, *out;
	int ch;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* The assets project's file: config checks that it exists. */
	snprintf(src, sizeof(src), "tests/fixtures/assets/conversation.json");
	snprintf(dst, sizeof(dst), "%s/travel.json", tmpdir);
	if ((in = fopen(src, "r")) == NULL || (out = fopen(dst, "w")) == NULL) {
		perror(src);
		return 1;
	}
	while ((ch = fgetc(in)) != EOF)
		fputc(ch, out);
	fclose(in);
	fclose(out);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		current = &cases[i];
		t_run(cases[i].name, run_case);
	}
	T_RUN(test_plan_header);
	T_RUN(test_action_details);
	T_RUN(test_import_uses_cached_snapshot);
	T_RUN(test_prune_is_destructive);
	T_RUN(test_created_at_follows_now);
	T_RUN(test_parse_time);
	T_RUN(test_cache_from_state_file);

	unlink(dst);
	snprintf(dst, sizeof(dst), "%s/standby.yaml", tmpdir);
	unlink(dst);
	rmdir(tmpdir);
	return t_done();
}
