/*
 * drift.c - the drift report: lib/plan's reasons turned into findings per
 * project and region (drift.h has the mapping).
 *
 * Why build a plan rather than compare on our own: the rules that decide
 * whether a replica is behind its source, was changed by hand, or serves
 * the wrong model are plan's, and two copies of them would disagree one
 * day.  What the plan does not carry (how long the source has been ahead,
 * expiry dates, unreachable resources, the hashes of --deep) is read from
 * the same view the plan was made from.
 */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "drift.h"
#include "planfile.h"
#include "timeutil.h"

/* One row of the report while it is made: a project on a resource, or
 * (co set, cp NULL) an Azure OpenAI deployment on one of its accounts. */
struct unit {
	const struct config_project *cp;
	const struct config_openai *co;
	const char *resource;
	const char *role; /* "source" or "replica" */
	const struct state_replication *rec;
	int unreachable;
	const char *import_code; /* the plan's import reason, or NULL */
	cJSON *findings;
};

struct dctx {
	const struct config *cfg;
	const struct plan_view *view;
	const struct drift_opts *opts;
	const struct state_object **objs; /* sorted: kind, res, project, name */
	size_t nobjs;
	struct unit *units;
	size_t nunits;
	int nomem;
};

static int
scmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int
obj_cmp(const void *pa, const void *pb)
{
	const struct state_object *a = *(const struct state_object *const *)pa;
	const struct state_object *b = *(const struct state_object *const *)pb;
	int d;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((d = scmp(a->resource, b->resource)) != 0 ||
	    (d = scmp(a->project, b->project)) != 0)
		return d;
	return scmp(a->name, b->name);
}

/* The objects of kind on resource/project (name NULL: all of them, *n
 * set), or the one named. */
static const struct state_object *const *
find_objs(struct dctx *d, enum state_kind kind, const char *res,
    const char *project, const char *name, size_t *n)
{
	struct state_object key = { 0 };
	size_t lo = 0, hi = d->nobjs, mid, first;
	const struct state_object *kp = &key;
	int c;

	key.kind = kind;
	key.resource = (char *)res;
	key.project = (char *)project;
	key.name = (char *)(name != NULL ? name : "");
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (obj_cmp(&d->objs[mid], &kp) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	*n = 0;
	while (lo < d->nobjs && d->objs[lo]->kind == kind &&
	    scmp(d->objs[lo]->resource, res) == 0 &&
	    scmp(d->objs[lo]->project, project) == 0) {
		c = name != NULL ? scmp(d->objs[lo]->name, name) : 0;
		if (c != 0)
			break;
		lo++;
	}
	*n = lo - first;
	return *n > 0 ? &d->objs[first] : NULL;
}

static const struct state_object *
find_obj(struct dctx *d, enum state_kind kind, const char *res,
    const char *project, const char *name)
{
	const struct state_object *const *o;
	size_t n;

	o = find_objs(d, kind, res, project, name, &n);
	return o != NULL ? o[0] : NULL;
}

static const struct state_resource *
find_resource(struct dctx *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->view->nresources; i++)
		if (strcmp(d->view->resources[i].name, name) == 0)
			return &d->view->resources[i];
	return NULL;
}

static const struct state_replication *
find_rec(struct dctx *d, const char *res, const char *project)
{
	size_t i;

	for (i = 0; i < d->view->nreplications; i++)
		if (strcmp(d->view->replications[i].replica_resource, res) ==
		        0 &&
		    strcmp(d->view->replications[i].project, project) == 0)
			return &d->view->replications[i];
	return NULL;
}

static struct unit *
find_unit(struct dctx *d, const char *project, const char *res)
{
	size_t i;

	for (i = 0; i < d->nunits; i++)
		if (d->units[i].cp != NULL &&
		    strcmp(d->units[i].cp->name, project) == 0 &&
		    strcmp(d->units[i].resource, res) == 0)
			return &d->units[i];
	return NULL;
}

static struct unit *
find_oai_unit(struct dctx *d, const char *deployment, const char *res)
{
	size_t i;

	for (i = 0; i < d->nunits; i++)
		if (d->units[i].co != NULL &&
		    strcmp(d->units[i].co->name, deployment) == 0 &&
		    strcmp(d->units[i].resource, res) == 0)
			return &d->units[i];
	return NULL;
}

static const char *
region_of(struct dctx *d, const char *res)
{
	const struct config_resource *r = config_resource_find(d->cfg, res);

	return r != NULL ? r->region : "unknown";
}

/* ------------------------------------------------------------------ */
/* Findings                                                            */

/* Adds a finding {code, message, object} to u; returns it (NULL when
 * memory ran out, d->nomem set). */
static cJSON *add_finding(struct dctx *d, struct unit *u, const char *code,
    const char *object, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static cJSON *
add_finding(struct dctx *d, struct unit *u, const char *code,
    const char *object, const char *fmt, ...)
{
	struct buf msg = { 0 };
	cJSON *f = cJSON_CreateObject();
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (f == NULL || msg.failed ||
	    cJSON_AddStringToObject(f, "code", code) == NULL ||
	    cJSON_AddStringToObject(f, "message", buf_str(&msg)) == NULL ||
	    cJSON_AddStringToObject(f, "object", object) == NULL ||
	    !cJSON_AddItemToArray(u->findings, f)) {
		cJSON_Delete(f);
		buf_release(&msg);
		d->nomem = 1;
		return NULL;
	}
	buf_release(&msg);
	return f;
}

static void
add_num(struct dctx *d, cJSON *f, const char *key, long long v)
{
	if (f != NULL && cJSON_AddNumberToObject(f, key, (double)v) == NULL)
		d->nomem = 1;
}

static void
add_str(struct dctx *d, cJSON *f, const char *key, const char *v)
{
	if (f == NULL)
		return;
	if ((v == NULL ? cJSON_AddNullToObject(f, key)
	               : cJSON_AddStringToObject(f, key, v)) == NULL)
		d->nomem = 1;
}

static void
fmt_time(int64_t t, char out[21])
{
	plan_format_time(t, out);
}

static void
unreachable_finding(struct dctx *d, struct unit *u)
{
	const struct state_resource *s = find_resource(d, u->resource);
	char last[21], since[21];
	cJSON *f;

	if (s != NULL && s->stale_since == 0 && s->refreshed_at != 0)
		return;
	u->unreachable = 1;
	if (s == NULL || s->refreshed_at == 0) {
		if (s != NULL && s->stale_since != 0) {
			fmt_time(s->stale_since, since);
			f = add_finding(d, u, "unreachable", u->resource,
			    "%s could not be read at %s (%s) and never was",
			    u->resource, since,
			    s->stale_error ? s->stale_error : "unknown error");
		} else {
			f = add_finding(d, u, "unreachable", u->resource,
			    "%s has never been read (run standby refresh)",
			    u->resource);
		}
		add_str(d, f, "last_read", NULL);
		return;
	}
	fmt_time(s->stale_since, since);
	fmt_time(s->refreshed_at, last);
	f = add_finding(d, u, "unreachable", u->resource,
	    "%s could not be read at %s (%s); what follows is its cached "
	    "state from %s",
	    u->resource, since,
	    s->stale_error ? s->stale_error : "unknown error", last);
	add_str(d, f, "last_read", last);
}

/* Models and deployments of the unit's project on its resource that
 * expire within the window (or have expired). */
static void
expiry_findings(struct dctx *d, struct unit *u)
{
	static const enum state_kind kinds[] = { STATE_MODEL,
		STATE_DEPLOYMENT };
	const struct state_object *const *o;
	struct buf addr = { 0 };
	long long t, left;
	size_t k, i, n;
	cJSON *f;

	if (u->cp == NULL)
		return;
	for (k = 0; k < 2; k++) {
		o = find_objs(d, kinds[k], u->resource, u->cp->name, NULL, &n);
		for (i = 0; i < n; i++) {
			if (o[i]->expiration == NULL ||
			    timeutil_parse(o[i]->expiration, &t) != 0 ||
			    t > d->opts->now + d->opts->expiry_window_s)
				continue;
			left = t - d->opts->now;
			buf_reset(&addr);
			state_object_address(&addr, o[i]);
			f = add_finding(d, u, "expiring", buf_str(&addr),
			    "%s %s of %s on %s %s %s (%lld days %s)",
			    kinds[k] == STATE_MODEL ? "Model" : "Deployment",
			    o[i]->name, u->cp->name, u->resource,
			    left < 0 ? "expired on" : "expires on",
			    o[i]->expiration, (left < 0 ? -left : left) / 86400,
			    left < 0 ? "ago" : "left");
			add_str(d, f, "expires", o[i]->expiration);
			add_num(d, f, "days_left",
			    left < 0 ? -((-left + 86399) / 86400)
			             : left / 86400);
		}
	}
	buf_release(&addr);
}

static const char *
finding_code(const char *reason)
{
	static const char *const map[][2] = {
		{ "source_changed", "source_ahead" },
		{ "assets_changed", "source_ahead" },
		{ "replica_modified_out_of_band", "replica_modified" },
		{ "deployment_model_mismatch", "deployment_mismatch" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], reason) == 0)
			return map[i][1];
	return reason;
}

/* The address of what an action is about. */
static void
action_object(const cJSON *t, const char *kind, struct buf *out)
{
	const char *res = planfile_str(t, "resource");
	const char *p = planfile_str(t, "project");
	const char *dep = planfile_str(t, "deployment");
	const char *m = planfile_str(t, "model");

	buf_reset(out);
	if (p == NULL) {
		buf_addf(out, "%s/deployments/%s", res, dep ? dep : "?");
		return;
	}
	buf_addf(out, "%s/%s", res, p);
	if (strcmp(kind, "deploy") == 0 && dep != NULL)
		buf_addf(out, "/deployments/%s", dep);
	else if (strcmp(kind, "train") == 0 && m != NULL)
		buf_addf(out, "/models/%s", m);
}

/* Adds exposure_seconds and the times to a source_ahead finding. */
static void
exposure(struct dctx *d, struct unit *u, cJSON *f)
{
	const struct state_object *so;
	long long t;

	if (f == NULL || u->cp->source == NULL)
		return;
	so =
	    find_obj(d, STATE_PROJECT, u->cp->source, u->cp->name, u->cp->name);
	add_str(d, f, "source_modified", so ? so->last_modified : NULL);
	add_str(d, f, "replica_built_from",
	    u->rec ? u->rec->source_modified : NULL);
	if (so != NULL && so->last_modified != NULL &&
	    timeutil_parse(so->last_modified, &t) == 0)
		add_num(d, f, "exposure_seconds",
		    d->opts->now > t ? d->opts->now - t : 0);
}

/* Is action a (of unit u) only a consequence of the unit's import? */
static int
consequence(const struct unit *u, const char *kind, const char *code)
{
	if (strcmp(code, "dependency") == 0 ||
	    strcmp(code, "deployment_expiring") == 0)
		return 1;
	if (u->import_code == NULL || strcmp(kind, "import") == 0)
		return 0;
	if (strcmp(u->import_code, "replica_missing") == 0)
		return 1;
	return strcmp(kind, "train") == 0 && strcmp(code, "model_stale") == 0;
}

static const struct drift_export *
deep_find(const struct drift_deep *deep, const char *res, const char *p)
{
	size_t i;

	for (i = 0; deep != NULL && i < deep->n; i++)
		if (strcmp(deep->v[i].resource, res) == 0 &&
		    strcmp(deep->v[i].project, p) == 0)
			return &deep->v[i];
	return NULL;
}

/* --deep on a replica: 1 when the hashes say it holds what the source
 * holds, 0 when not (a finding added), -1 when they cannot say (no
 * export, or it failed: a finding added). */
static int
deep_compare(struct dctx *d, struct unit *u)
{
	const struct drift_export *s, *r = NULL;
	const char *P = u->cp->name, *S = u->cp->source;
	struct buf addr = { 0 };
	cJSON *f, *dj;
	int same;

	if (S == NULL || d->opts->deep == NULL ||
	    find_obj(d, STATE_PROJECT, u->resource, P, P) == NULL)
		return -1;
	buf_addf(&addr, "%s/%s", u->resource, P);
	s = deep_find(d->opts->deep, S, P);
	if (u->rec == NULL)
		r = deep_find(d->opts->deep, u->resource, P);
	if (s == NULL || s->error != NULL ||
	    (u->rec == NULL && (r == NULL || r->error != NULL))) {
		f = add_finding(d, u, "deep_failed", buf_str(&addr),
		    "The snapshots of %s could not be compared: %s", P,
		    s && s->error       ? s->error
		        : r && r->error ? r->error
		                        : "not exported");
		buf_release(&addr);
		return -1;
	}
	if (u->rec != NULL)
		same = u->rec->snapshot != NULL &&
		    strcmp(u->rec->snapshot, s->hash) == 0;
	else
		same = strcmp(r->content, s->content) == 0;
	if (same) {
		buf_release(&addr);
		return 1;
	}
	if (u->rec != NULL)
		f = add_finding(d, u, "source_ahead", buf_str(&addr),
		    "The export of %s on %s (%.12s) differs from the snapshot "
		    "%s was built from (%.12s)",
		    P, S, s->hash, u->resource,
		    u->rec->snapshot ? u->rec->snapshot : "none");
	else
		f = add_finding(d, u, "source_ahead", buf_str(&addr),
		    "The export of %s on %s (content %.12s) differs from the "
		    "one on %s (content %.12s)",
		    P, S, s->content, u->resource, r->content);
	exposure(d, u, f);
	if (f != NULL && (dj = cJSON_AddObjectToObject(f, "deep")) != NULL) {
		add_str(d, dj, "source_hash", s->hash);
		add_str(d, dj, "replica_snapshot",
		    u->rec ? u->rec->snapshot : NULL);
		add_str(d, dj, "source_content", s->content);
		add_str(d, dj, "replica_content", r ? r->content : NULL);
	}
	buf_release(&addr);
	return 0;
}

/* The finding code of an Azure OpenAI plan reason: the planner's codes
 * are findings already, but for the retrain ("the fine-tuned model is
 * stale") and the consequences (NULL: not reported again). */
static const char *
oai_code(const char *code)
{
	if (strcmp(code, "dependency") == 0 || strcmp(code, "not_desired") == 0)
		return NULL;
	if (strcmp(code, "finetune_data_changed") == 0)
		return "finetune_stale";
	return code;
}

/* Turns an Azure OpenAI action into a finding on its unit, with what
 * standby.yaml wants ("desired") and what the account has ("live").
 * Returns 1 when a was an OpenAI action (reported or not), else 0. */
static int
oai_finding(struct dctx *d, const cJSON *a, struct buf *addr)
{
	const cJSON *t = planfile_get(a, "target");
	const cJSON *reason = planfile_get(a, "reason");
	const char *type = planfile_str(t, "type"), *code, *kind;
	const cJSON *v;
	struct unit *u;
	cJSON *f;

	if (type == NULL || strcmp(type, "openai") != 0)
		return 0;
	kind = planfile_str(a, "kind");
	code = oai_code(planfile_str(reason, "code"));
	u = find_oai_unit(
	    d, planfile_str(t, "deployment"), planfile_str(t, "resource"));
	if (code == NULL || u == NULL)
		return 1;
	buf_reset(addr);
	buf_addf(addr, "%s/deployments/%s", planfile_str(t, "resource"),
	    planfile_str(t, "deployment"));
	f = add_finding(
	    d, u, code, buf_str(addr), "%s", planfile_str(reason, "message"));
	add_str(d, f, "plan_action", planfile_str(a, "id"));
	add_str(d, f, "plan_reason", planfile_str(reason, "code"));
	if (f == NULL)
		return 1;
	if (strcmp(kind, "finetune") != 0) {
		if ((v = planfile_get(a, "after")) != NULL &&
		    cJSON_IsObject(v) &&
		    !cJSON_AddItemToObject(f, "desired", cJSON_Duplicate(v, 1)))
			d->nomem = 1;
		if ((v = planfile_get(a, "before")) != NULL &&
		    cJSON_IsObject(v) &&
		    !cJSON_AddItemToObject(f, "live", cJSON_Duplicate(v, 1)))
			d->nomem = 1;
	}
	return 1;
}

static void
plan_findings(struct dctx *d, const cJSON *plan)
{
	const cJSON *a, *t, *reason;
	const char *kind, *code, *P, *R;
	struct buf addr = { 0 };
	struct unit *u;
	cJSON *f;
	size_t i;
	int deep;

	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		t = planfile_get(a, "target");
		kind = planfile_str(a, "kind");
		code = planfile_str(planfile_get(a, "reason"), "code");
		if (strcmp(kind, "import") == 0 &&
		    (u = find_unit(d, planfile_str(t, "project"),
		         planfile_str(t, "resource"))) != NULL)
			u->import_code = code;
	}
	/* --deep decides source_ahead for the replicas it could compare. */
	for (i = 0; i < d->nunits; i++) {
		u = &d->units[i];
		if (strcmp(u->role, "replica") != 0 || d->opts->deep == NULL)
			continue;
		deep = deep_compare(d, u);
		if (deep >= 0 && u->import_code != NULL &&
		    strcmp(u->import_code, "source_changed") == 0)
			u->import_code = deep ? "deep_same" : "deep_differs";
	}
	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		t = planfile_get(a, "target");
		kind = planfile_str(a, "kind");
		reason = planfile_get(a, "reason");
		code = planfile_str(reason, "code");
		P = planfile_str(t, "project");
		R = planfile_str(t, "resource");
		if (oai_finding(d, a, &addr))
			continue;
		if (strcmp(kind, "export") == 0 || P == NULL ||
		    (u = find_unit(d, P, R)) == NULL ||
		    consequence(u, kind, code))
			continue;
		if (strcmp(kind, "import") == 0 &&
		    strcmp(code, "source_changed") == 0 &&
		    u->import_code != NULL &&
		    strncmp(u->import_code, "deep_", 5) == 0)
			continue; /* the hashes said it */
		action_object(t, kind, &addr);
		f = add_finding(d, u, finding_code(code), buf_str(&addr), "%s",
		    planfile_str(reason, "message"));
		add_str(d, f, "plan_action", planfile_str(a, "id"));
		add_str(d, f, "plan_reason", code);
		if (strcmp(finding_code(code), "source_ahead") == 0)
			exposure(d, u, f);
	}
	buf_release(&addr);
}

/* ------------------------------------------------------------------ */
/* The report                                                          */

static int
make_units(struct dctx *d)
{
	const struct config_project *cp;
	size_t i, j, n = 0;

	for (i = 0; i < d->cfg->nprojects; i++)
		n += d->cfg->projects[i].nreplicas + 1;
	for (i = 0; i < d->cfg->nopenai; i++)
		n += d->cfg->openai[i].non;
	if ((d->units = calloc(n + 1, sizeof(*d->units))) == NULL)
		return -1;
	for (i = 0; i < d->cfg->nprojects; i++) {
		cp = &d->cfg->projects[i];
		if (cp->source != NULL) {
			d->units[d->nunits].cp = cp;
			d->units[d->nunits].resource = cp->source;
			d->units[d->nunits++].role = "source";
		}
		for (j = 0; j < cp->nreplicas; j++) {
			d->units[d->nunits].cp = cp;
			d->units[d->nunits].resource = cp->replicas[j];
			d->units[d->nunits].rec =
			    find_rec(d, cp->replicas[j], cp->name);
			d->units[d->nunits++].role = "replica";
		}
	}
	/* Azure OpenAI: a row per deployment and account, primary first. */
	for (i = 0; i < d->cfg->nopenai; i++)
		for (j = 0; j < d->cfg->openai[i].non; j++) {
			d->units[d->nunits].co = &d->cfg->openai[i];
			d->units[d->nunits].resource = d->cfg->openai[i].on[j];
			d->units[d->nunits++].role = "deployment";
		}
	for (i = 0; i < d->nunits; i++)
		if ((d->units[i].findings = cJSON_CreateArray()) == NULL)
			return -1;
	return 0;
}

static cJSON *
unit_json(struct dctx *d, struct unit *u)
{
	cJSON *o = cJSON_CreateObject();
	int n = cJSON_GetArraySize(u->findings);

	if (o == NULL)
		return NULL;
	add_str(d, o, "project", u->cp ? u->cp->name : u->co->name);
	add_str(d, o, "key", u->cp ? u->cp->key : u->co->key);
	add_str(d, o, "kind",
	    u->cp                  ? config_kind_name(u->cp->kind)
	        : u->co->fine_tune ? "openai-fine-tuned"
	                           : "openai");
	add_str(d, o, "resource", u->resource);
	add_str(d, o, "region", region_of(d, u->resource));
	add_str(d, o, "role", u->role);
	add_str(d, o, "source",
	    strcmp(u->role, "replica") == 0 ? u->cp->source : NULL);
	add_str(d, o, "status",
	    u->unreachable ? "unreachable"
	        : n == 0   ? "in_sync"
	                   : "drift");
	cJSON_AddItemToObject(o, "findings", u->findings);
	u->findings = NULL;
	return o;
}

static cJSON *
resources_json(struct dctx *d)
{
	const struct config_resource *r;
	const struct state_resource *s;
	cJSON *arr = cJSON_CreateArray(), *o;
	char when[21];
	size_t i;

	for (i = 0; arr != NULL && i < d->cfg->nresources; i++) {
		r = &d->cfg->resources[i];
		s = find_resource(d, r->name);
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			d->nomem = 1;
			break;
		}
		add_str(d, o, "name", r->name);
		add_str(d, o, "type", config_resource_type_name(r->type));
		add_str(d, o, "region", r->region);
		if (cJSON_AddBoolToObject(o, "reachable",
		        s != NULL && s->refreshed_at != 0 &&
		            s->stale_since == 0) == NULL)
			d->nomem = 1;
		fmt_time(s ? s->refreshed_at : 0, when);
		add_str(d, o, "last_read",
		    s != NULL && s->refreshed_at != 0 ? when : NULL);
		fmt_time(s ? s->stale_since : 0, when);
		add_str(d, o, "unreachable_since",
		    s != NULL && s->stale_since != 0 ? when : NULL);
		add_str(d, o, "error", s != NULL ? s->stale_error : NULL);
	}
	return arr;
}

/* The view drift plans from: the OpenAI catalogues without the region's
 * models and usages.  Drift compares what is with what should be; whether
 * a region has room for it is plan's pre-flight, and a shortfall must not
 * hide (or fail on) a deployment that is missing.  The fine-tuning jobs
 * stay: they tell a fine-tuned model that vanished.  *cats is the
 * caller's (free()); the strings are view's. */
static int
oai_view(const struct plan_view *view, struct plan_view *out,
    struct state_openai_catalog **cats)
{
	size_t i;

	*out = *view;
	*cats = NULL;
	if (view->noai_catalogs == 0)
		return 0;
	if ((*cats = calloc(view->noai_catalogs, sizeof(**cats))) == NULL)
		return -1;
	for (i = 0; i < view->noai_catalogs; i++) {
		(*cats)[i] = view->oai_catalogs[i];
		(*cats)[i].models = NULL;
		(*cats)[i].usages = NULL;
	}
	out->oai_catalogs = *cats;
	return 0;
}

/* The plan's warnings less preflight_unchecked, which oai_view causes. */
static cJSON *
warnings_of(const cJSON *plan)
{
	cJSON *w = cJSON_Duplicate(planfile_get(plan, "warnings"), 1), *it,
	      *next;

	if (w == NULL)
		return cJSON_CreateArray();
	for (it = w->child; it != NULL; it = next) {
		const char *code = planfile_str(it, "code");

		next = it->next;
		if (code != NULL && strcmp(code, "preflight_unchecked") == 0)
			cJSON_Delete(cJSON_DetachItemViaPointer(w, it));
	}
	return w;
}

static int
report_json(struct dctx *d, const cJSON *plan, cJSON **out)
{
	cJSON *doc = cJSON_CreateObject(), *sub, *units, *by, *it, *o;
	size_t i, nsync = 0, ndrift = 0, nunr = 0, nfind = 0;
	char when[21];

	if (doc == NULL)
		return -1;
	add_num(d, doc, "format_version", DRIFT_FORMAT_VERSION);
	add_str(d, doc, "standby_version",
	    d->opts->standby_version ? d->opts->standby_version : "0.0.0");
	if ((sub = cJSON_AddObjectToObject(doc, "config")) == NULL)
		goto nomem;
	add_str(d, sub, "path", d->cfg->path);
	add_str(d, sub, "hash", d->cfg->hash_hex);
	fmt_time(d->opts->now, when);
	add_str(d, doc, "created_at", when);
	add_num(d, doc, "state_revision", d->view->revision);
	add_num(d, doc, "expiry_window_seconds", d->opts->expiry_window_s);
	if (cJSON_AddBoolToObject(doc, "deep", d->opts->deep != NULL) == NULL)
		goto nomem;
	if ((units = cJSON_CreateArray()) == NULL)
		goto nomem;
	for (i = 0; i < d->nunits; i++) {
		nfind += (size_t)cJSON_GetArraySize(d->units[i].findings);
		if (d->units[i].unreachable)
			nunr++;
		else if (cJSON_GetArraySize(d->units[i].findings) == 0)
			nsync++;
		else
			ndrift++;
		if ((o = unit_json(d, &d->units[i])) == NULL ||
		    !cJSON_AddItemToArray(units, o)) {
			cJSON_Delete(o);
			cJSON_Delete(units);
			goto nomem;
		}
	}
	add_str(d, doc, "status", nsync == d->nunits ? "in_sync" : "drift");
	if ((sub = cJSON_AddObjectToObject(doc, "summary")) == NULL)
		goto nomem_units;
	add_num(d, sub, "units", (long long)d->nunits);
	add_num(d, sub, "in_sync", (long long)nsync);
	add_num(d, sub, "drift", (long long)ndrift);
	add_num(d, sub, "unreachable", (long long)nunr);
	add_num(d, sub, "findings", (long long)nfind);
	if ((by = cJSON_AddObjectToObject(sub, "by_code")) == NULL)
		goto nomem_units;
	cJSON_ArrayForEach(o, units)
	{
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(o, "findings"))
		{
			const char *c = planfile_str(it, "code");
			cJSON *n = cJSON_GetObjectItemCaseSensitive(by, c);

			if (n != NULL)
				cJSON_SetNumberValue(n, n->valuedouble + 1);
			else
				add_num(d, by, c, 1);
		}
	}
	cJSON_AddItemToObject(doc, "resources", resources_json(d));
	cJSON_AddItemToObject(doc, "warnings", warnings_of(plan));
	cJSON_AddItemToObject(doc, "units", units);
	if (d->nomem) {
		cJSON_Delete(doc);
		return -1;
	}
	*out = doc;
	return 0;
nomem_units:
	cJSON_Delete(units);
nomem:
	cJSON_Delete(doc);
	return -1;
}

int
drift_build(cJSON **out, const struct config *cfg, const struct plan_view *view,
    const struct drift_opts *opts, struct err *err)
{
	struct plan_opts po = { 0 };
	struct plan_view pview;
	struct state_openai_catalog *cats = NULL;
	struct dctx d = { 0 };
	cJSON *plan = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	d.cfg = cfg;
	d.view = view;
	d.opts = opts;
	po.expiry_window_s = opts->expiry_window_s;
	po.now = opts->now;
	po.refreshed = 1;
	po.standby_version = opts->standby_version;
	po.assets_hash = opts->assets_hash;
	po.assets_arg = opts->assets_arg;
	po.missing_source_ok = 1;
	po.file_hash = opts->file_hash;
	po.file_hash_arg = opts->file_hash_arg;
	if (oai_view(view, &pview, &cats) != 0)
		goto nomem;
	if (plan_build(&plan, cfg, &pview, &po, err) != 0) {
		free(cats);
		return err_wrap(err, "making the plan to compare with");
	}
	d.objs = calloc(view->nobjects + 1, sizeof(*d.objs));
	if (d.objs == NULL || make_units(&d) != 0)
		goto nomem;
	for (i = 0; i < view->nobjects; i++)
		d.objs[d.nobjs++] = &view->objects[i];
	qsort(d.objs, d.nobjs, sizeof(*d.objs), obj_cmp);
	for (i = 0; i < d.nunits; i++) {
		struct unit *u = &d.units[i];

		unreachable_finding(&d, u);
		if (u->cp != NULL && strcmp(u->role, "source") == 0 &&
		    find_obj(&d, STATE_PROJECT, u->resource, u->cp->name,
		        u->cp->name) == NULL)
			add_finding(&d, u, "source_missing", u->resource,
			    "Source project %s not found on %s", u->cp->name,
			    u->resource);
	}
	plan_findings(&d, plan);
	for (i = 0; i < d.nunits; i++)
		expiry_findings(&d, &d.units[i]);
	if (d.nomem || report_json(&d, plan, out) != 0)
		goto nomem;
	rc = 0;
	goto out;
nomem:
	err_set(err, ERR_NOMEM, "out of memory making the drift report");
out:
	for (i = 0; i < d.nunits; i++)
		cJSON_Delete(d.units[i].findings);
	free(d.units);
	free(d.objs);
	free(cats);
	cJSON_Delete(plan);
	return rc;
}

int
drift_has_drift(const cJSON *report)
{
	const char *s = planfile_str(report, "status");

	return s == NULL || strcmp(s, "in_sync") != 0;
}
