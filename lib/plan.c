/*
 * plan.c - make a plan from the desired model and the state cache.
 *
 * This file is the driver: it has the view indexed (plan_view.c), selects
 * the projects (--target), ranks them (routed projects before the
 * orchestrations that route to them), calls the planner of each kind of
 * object, orders the actions and writes the JSON.  The planners only add
 * actions, dependencies and warnings; none of them reads a file or the
 * network, which is what makes a plan reproducible and testable.
 */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "plan.h"
#include "plan_int.h"

/* ------------------------------------------------------------------ */
/* Strings, actions, warnings                                          */

static char *
pool_keep(struct plan_ctx *c, char *s)
{
	char **n;

	if (s == NULL) {
		c->nomem = 1;
		return NULL;
	}
	if (c->npool == c->cappool) {
		size_t cap = c->cappool ? c->cappool * 2 : 64;

		if ((n = realloc(c->pool, cap * sizeof(*n))) == NULL) {
			free(s);
			c->nomem = 1;
			return NULL;
		}
		c->pool = n;
		c->cappool = cap;
	}
	c->pool[c->npool++] = s;
	return s;
}

static char *
vstrf(const char *fmt, va_list ap)
{
	struct buf b = { 0 };
	char tmp[256];
	va_list cp;
	int n;

	/* Most texts fit: format once, not once to measure and again. */
	va_copy(cp, ap);
	n = vsnprintf(tmp, sizeof(tmp), fmt, cp);
	va_end(cp);
	if (n >= 0 && (size_t)n < sizeof(tmp)) {
		char *s = malloc((size_t)n + 1);

		if (s != NULL)
			memcpy(s, tmp, (size_t)n + 1);
		return s;
	}
	buf_vaddf(&b, fmt, ap);
	if (b.failed) {
		buf_release(&b);
		return NULL;
	}
	if (b.data == NULL)
		return strdup("");
	return buf_take(&b);
}

char *
plan_strf(struct plan_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vstrf(fmt, ap);
	va_end(ap);
	return pool_keep(c, s);
}

size_t
plan_add(struct plan_ctx *c, const char *kind, enum planfile_change change,
    const char *group, int pos, const char *fmt, ...)
{
	struct plan_act *a;
	va_list ap;

	if (c->nacts == c->capacts) {
		size_t cap = c->capacts ? c->capacts * 2 : 64;

		a = realloc(c->acts, cap * sizeof(*a));
		if (a == NULL)
			goto nomem;
		c->acts = a;
		c->capacts = cap;
	}
	a = &c->acts[c->nacts];
	memset(a, 0, sizeof(*a));
	va_start(ap, fmt);
	a->id = vstrf(fmt, ap);
	va_end(ap);
	a->group = strdup(group);
	if (a->id == NULL || a->group == NULL) {
		free(a->id);
		free(a->group);
		goto nomem;
	}
	a->kind = kind;
	a->change = change;
	a->type = "language";
	a->capacity = -1;
	a->pos = pos;
	a->destructive = change == PLANFILE_DELETE;
	return c->nacts++;
nomem:
	c->nomem = 1;
	return (size_t)-1;
}

void
plan_depend(struct plan_ctx *c, size_t i, size_t j)
{
	struct plan_act *a;
	char **n;
	size_t k;

	if (i >= c->nacts || j >= c->nacts || i == j)
		return;
	a = &c->acts[i];
	for (k = 0; k < a->ndeps; k++)
		if (strcmp(a->deps[k], c->acts[j].id) == 0)
			return;
	if (a->ndeps == a->capdeps) {
		size_t cap = a->capdeps ? a->capdeps * 2 : 2;

		if ((n = realloc(a->deps, cap * sizeof(*n))) == NULL) {
			c->nomem = 1;
			return;
		}
		a->deps = n;
		a->capdeps = cap;
	}
	if ((a->deps[a->ndeps] = strdup(c->acts[j].id)) == NULL) {
		c->nomem = 1;
		return;
	}
	a->ndeps++;
}

void
plan_reason(
    struct plan_ctx *c, size_t i, const char *code, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (i >= c->nacts)
		return;
	va_start(ap, fmt);
	m = vstrf(fmt, ap);
	va_end(ap);
	if (m == NULL) {
		c->nomem = 1;
		return;
	}
	free(c->acts[i].message);
	c->acts[i].message = m;
	c->acts[i].code = code;
}

/* The plan's members are added without a copy of their key, which must
 * outlive the plan (every key is a literal): 7,500 actions have 170,000
 * keys, and a copy of each is a malloc() and a free().  Each returns the
 * new item, or NULL (nothing added) when memory runs out. */
static cJSON *
add_cs(cJSON *o, const char *key, cJSON *item)
{
	if (item == NULL)
		return NULL;
	if (o == NULL || !cJSON_AddItemToObjectCS(o, key, item)) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

static cJSON *
add_str(cJSON *o, const char *key, const char *v)
{
	return add_cs(o, key, cJSON_CreateString(v));
}

static cJSON *
add_null(cJSON *o, const char *key)
{
	return add_cs(o, key, cJSON_CreateNull());
}

static cJSON *
add_num(cJSON *o, const char *key, double v)
{
	return add_cs(o, key, cJSON_CreateNumber(v));
}

static cJSON *
add_bool(cJSON *o, const char *key, int v)
{
	return add_cs(o, key, cJSON_CreateBool(v));
}

static cJSON *
add_obj(cJSON *o, const char *key)
{
	return add_cs(o, key, cJSON_CreateObject());
}

static cJSON *
add_arr(cJSON *o, const char *key)
{
	return add_cs(o, key, cJSON_CreateArray());
}

void
plan_warn(struct plan_ctx *c, const char *code, const char *fmt, ...)
{
	cJSON *w;
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = vstrf(fmt, ap);
	va_end(ap);
	w = cJSON_CreateObject();
	if (m == NULL || w == NULL || add_str(w, "code", code) == NULL ||
	    add_str(w, "message", m) == NULL ||
	    !cJSON_AddItemToArray(c->warnings, w)) {
		cJSON_Delete(w);
		c->nomem = 1;
	}
	free(m);
}

cJSON *
plan_obj(struct plan_ctx *c)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		c->nomem = 1;
	return o;
}

void
plan_set_str(struct plan_ctx *c, cJSON *o, const char *key, const char *v)
{
	if (o == NULL)
		return;
	if ((v == NULL ? add_null(o, key) : add_str(o, key, v)) == NULL)
		c->nomem = 1;
}

static void
act_release(struct plan_act *a)
{
	size_t k;

	free(a->id);
	free(a->group);
	free(a->message);
	for (k = 0; k < a->ndeps; k++)
		free(a->deps[k]);
	free(a->deps);
	cJSON_Delete(a->before);
	cJSON_Delete(a->after);
}

/* ------------------------------------------------------------------ */
/* Selection and ranks                                                 */

const struct config_project *
plan_project_named(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nprojects; i++)
		if (strcmp(cfg->projects[i].name, name) == 0)
			return &cfg->projects[i];
	return config_project_find(cfg, name);
}

/* Marks p and, recursively, the projects it routes to. */
static void
select_project(struct plan_ctx *c, const struct config_project *p)
{
	const struct config_project *t;
	size_t i = (size_t)(p - c->cfg->projects);

	if (c->selected[i])
		return;
	c->selected[i] = 1;
	for (i = 0; i < p->nroutes; i++)
		if ((t = plan_project_named(c->cfg, p->routes[i])) != NULL &&
		    t != p)
			select_project(c, t);
}

static int
select_targets(struct plan_ctx *c)
{
	const struct config *cfg = c->cfg;
	const struct config_project *p;
	size_t i;

	const struct config_openai *o;

	if (c->opts->ntargets == 0) {
		memset(c->selected, 1, cfg->nprojects);
		memset(c->oai_selected, 1, cfg->nopenai);
		return 0;
	}
	for (i = 0; i < c->opts->ntargets; i++) {
		p = plan_project_named(cfg, c->opts->targets[i]);
		o = plan_openai_named(cfg, c->opts->targets[i]);
		if (p == NULL && o == NULL)
			return err_set(c->err, ERR_SPEC,
			    "--target: no project '%s' in %s, nor an openai "
			    "deployment of that name",
			    c->opts->targets[i], cfg->path);
		if (p != NULL)
			select_project(c, p);
		if (o != NULL)
			c->oai_selected[o - cfg->openai] = 1;
	}
	return 0;
}

/* Rank 0 for a project that routes to no declared project, else one more
 * than the highest rank it routes to.  Routes cannot form cycles (config
 * allows them only from orchestration to conversation projects), and the
 * depth bound keeps a bad config from recursing forever. */
static int
rank_of(struct plan_ctx *c, const struct config_project *p, size_t depth)
{
	const struct config_project *t;
	int r = 0, tr;
	size_t i;

	if (depth > c->cfg->nprojects)
		return 0;
	for (i = 0; i < p->nroutes; i++) {
		t = plan_project_named(c->cfg, p->routes[i]);
		if (t == NULL || t == p)
			continue;
		tr = rank_of(c, t, depth + 1) + 1;
		if (tr > r)
			r = tr;
	}
	return r;
}

static int
order_cmp_ctx(const struct plan_ctx *c, size_t a, size_t b)
{
	const struct config_project *pa = &c->cfg->projects[a];
	const struct config_project *pb = &c->cfg->projects[b];
	int r;

	if (c->rank[a] != c->rank[b])
		return c->rank[a] < c->rank[b] ? -1 : 1;
	if ((r = strcmp(pa->name, pb->name)) != 0)
		return r;
	return strcmp(pa->key, pb->key);
}

/* Few projects: an insertion sort needs no context pointer. */
static void
order_projects(struct plan_ctx *c)
{
	size_t i, j, t, n = c->cfg->nprojects;

	for (i = 0; i < n; i++)
		c->order[i] = i;
	for (i = 1; i < n; i++) {
		t = c->order[i];
		for (j = i; j > 0 && order_cmp_ctx(c, c->order[j - 1], t) > 0;
		     j--)
			c->order[j] = c->order[j - 1];
		c->order[j] = t;
	}
}

/* ------------------------------------------------------------------ */
/* Warnings about the cache                                            */

/* 1 when resource name is read by the selected projects. */
static int
resource_used(struct plan_ctx *c, const char *name)
{
	const struct config_project *p;
	size_t i, j;

	for (i = 0; i < c->cfg->nprojects; i++) {
		if (!c->selected[i])
			continue;
		p = &c->cfg->projects[i];
		if (p->source != NULL && strcmp(p->source, name) == 0)
			return 1;
		for (j = 0; j < p->nreplicas; j++)
			if (strcmp(p->replicas[j], name) == 0)
				return 1;
	}
	for (i = 0; i < c->cfg->nopenai; i++) {
		if (!c->oai_selected[i])
			continue;
		for (j = 0; j < c->cfg->openai[i].non; j++)
			if (strcmp(c->cfg->openai[i].on[j], name) == 0)
				return 1;
	}
	return 0;
}

/* Warns about stale and never-read resources, and finds the oldest good
 * read among those the plan uses (0 when none was read). */
static void
cache_warnings(struct plan_ctx *c, int64_t *oldest)
{
	const struct config_resource *r;
	const struct state_resource *s;
	char when[21], since[21];
	size_t i;

	*oldest = 0;
	for (i = 0; i < c->cfg->nresources; i++) {
		r = &c->cfg->resources[i];
		if (!resource_used(c, r->name))
			continue;
		s = plan_resource(c, r->name);
		if (s == NULL || s->refreshed_at == 0) {
			if (s != NULL && s->stale_since != 0) {
				plan_format_time(s->stale_since, since);
				plan_warn(c, "resource_stale",
				    "%s could not be read at %s and never "
				    "was; its live state is unknown",
				    r->name, since);
			} else {
				plan_warn(c, "resource_never_refreshed",
				    "%s has never been refreshed; its live "
				    "state is unknown (run standby refresh)",
				    r->name);
			}
			continue;
		}
		if (*oldest == 0 || s->refreshed_at < *oldest)
			*oldest = s->refreshed_at;
		if (s->stale_since != 0) {
			plan_format_time(s->stale_since, since);
			plan_format_time(s->refreshed_at, when);
			plan_warn(c, "resource_stale",
			    "%s could not be read at %s; its cached state is "
			    "from %s",
			    r->name, since, when);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Order and JSON                                                      */

/* Removes the actions a planner left out after adding them. */
static void
drop_marked(struct plan_ctx *c)
{
	size_t i, j = 0;

	for (i = 0; i < c->nacts; i++) {
		if (c->acts[i].dropped) {
			act_release(&c->acts[i]);
			continue;
		}
		if (j != i)
			c->acts[j] = c->acts[i];
		j++;
	}
	c->nacts = j;
}

static int
act_cmp(const struct plan_act *a, const struct plan_act *b)
{
	int r;

	if (a->destructive != b->destructive)
		return a->destructive ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if ((r = strcmp(a->group, b->group)) != 0)
		return r;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return strcmp(a->id, b->id);
}

static int
act_qcmp(const void *pa, const void *pb)
{
	return act_cmp(
	    (const struct plan_act *)pa, (const struct plan_act *)pb);
}

/* The target's keys: Language targets always carry the five Language
 * keys, OpenAI targets the OpenAI ones (PLAN-FORMAT.md). */
static cJSON *
target_json(const struct plan_act *a)
{
	const char *const lkeys[] = { "project", "project_kind", "deployment",
		"model", "source" };
	const char *const lvals[] = { a->project, a->project_kind,
		a->deployment, a->model, a->source };
	const char *const okeys[] = { "deployment", "source", "model_name",
		"model_version", "sku" };
	const char *const ovals[] = { a->deployment, a->source, a->model_name,
		a->model_version, a->sku };
	int openai = strcmp(a->type, "openai") == 0;
	const char *const *keys = openai ? okeys : lkeys;
	const char *const *vals = openai ? ovals : lvals;
	cJSON *t = cJSON_CreateObject();
	size_t i;

	if (t == NULL || add_str(t, "type", a->type) == NULL ||
	    add_str(t, "resource", a->resource) == NULL ||
	    add_str(t, "region", a->region) == NULL)
		goto fail;
	for (i = 0; i < 5; i++)
		if ((vals[i] == NULL ? add_null(t, keys[i])
		                     : add_str(t, keys[i], vals[i])) == NULL)
			goto fail;
	if (openai &&
	    (a->capacity < 0
	            ? add_null(t, "capacity")
	            : add_num(t, "capacity", (double)a->capacity)) == NULL)
		goto fail;
	return t;
fail:
	cJSON_Delete(t);
	return NULL;
}

/* Moves action a into a JSON object (its before/after are taken). */
static cJSON *
act_json(struct plan_act *a)
{
	cJSON *o = cJSON_CreateObject(), *deps, *reason, *t;
	size_t k;

	if (o == NULL || add_str(o, "id", a->id) == NULL ||
	    add_str(o, "kind", a->kind) == NULL ||
	    add_str(o, "change", planfile_change_name(a->change)) == NULL ||
	    add_str(o, "group", a->group) == NULL)
		goto fail;
	if ((t = target_json(a)) == NULL)
		goto fail;
	cJSON_AddItemToObjectCS(o, "target", t);
	if ((deps = add_arr(o, "depends_on")) == NULL)
		goto fail;
	for (k = 0; k < a->ndeps; k++)
		if (!cJSON_AddItemToArray(deps, cJSON_CreateString(a->deps[k])))
			goto fail;
	if ((reason = add_obj(o, "reason")) == NULL ||
	    add_str(reason, "code", a->code) == NULL ||
	    add_str(reason, "message", a->message) == NULL)
		goto fail;
	cJSON_AddItemToObjectCS(
	    o, "before", a->before != NULL ? a->before : cJSON_CreateNull());
	a->before = NULL;
	cJSON_AddItemToObjectCS(
	    o, "after", a->after != NULL ? a->after : cJSON_CreateNull());
	a->after = NULL;
	if (add_bool(o, "destructive", a->destructive) == NULL)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static int
add_int(cJSON *o, const char *key, long long v)
{
	return add_num(o, key, (double)v) != NULL ? 0 : -1;
}

static cJSON *
plan_json(struct plan_ctx *c, int64_t refreshed)
{
	const struct plan_opts *o = c->opts;
	long long counts[PLANFILE_NCHANGES] = { 0 };
	cJSON *doc = cJSON_CreateObject(), *sub, *arr, *a;
	char when[21];
	size_t i;

	for (i = 0; i < c->nacts; i++)
		counts[c->acts[i].change]++;
	if (doc == NULL || add_int(doc, "format_version", 1) != 0 ||
	    add_str(doc, "standby_version",
	        o->standby_version ? o->standby_version : "0.0.0") == NULL)
		goto fail;
	if ((sub = add_obj(doc, "config")) == NULL ||
	    add_str(sub, "path", c->cfg->path) == NULL ||
	    add_str(sub, "hash", c->cfg->hash_hex) == NULL)
		goto fail;
	if ((sub = add_obj(doc, "state")) == NULL ||
	    add_int(sub, "revision", c->view->revision) != 0)
		goto fail;
	plan_format_time(refreshed, when);
	if ((refreshed == 0 ? add_null(sub, "refreshed_at")
	                    : add_str(sub, "refreshed_at", when)) == NULL)
		goto fail;
	plan_format_time(o->now, when);
	if (add_str(doc, "created_at", when) == NULL)
		goto fail;
	if ((sub = add_obj(doc, "options")) == NULL ||
	    add_bool(sub, "prune", o->prune != 0) == NULL ||
	    (arr = add_arr(sub, "targets")) == NULL)
		goto fail;
	for (i = 0; i < o->ntargets; i++)
		if (!cJSON_AddItemToArray(
		        arr, cJSON_CreateString(o->targets[i])))
			goto fail;
	if (add_int(sub, "expiry_window_days",
	        o->expiry_window_s > 0 ? o->expiry_window_s / 86400 : 0) != 0 ||
	    add_bool(sub, "refreshed", o->refreshed != 0) == NULL)
		goto fail;
	if ((sub = add_obj(doc, "summary")) == NULL)
		goto fail;
	for (i = 0; i < PLANFILE_NCHANGES; i++)
		if (add_int(sub, planfile_change_name((enum planfile_change)i),
		        counts[i]) != 0)
			goto fail;
	if (add_int(sub, "total", (long long)c->nacts) != 0)
		goto fail;
	cJSON_AddItemToObjectCS(doc, "warnings", c->warnings);
	c->warnings = NULL;
	if ((arr = add_arr(doc, "actions")) == NULL)
		goto fail;
	for (i = 0; i < c->nacts; i++) {
		if ((a = act_json(&c->acts[i])) == NULL)
			goto fail;
		cJSON_AddItemToArray(arr, a);
	}
	return doc;
fail:
	cJSON_Delete(doc);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The driver                                                          */

static void
ctx_release(struct plan_ctx *c)
{
	size_t i;

	free(c->objs);
	free(c->reps);
	free(c->trained);
	free(c->snaps);
	free(c->res);
	for (i = 0; i < c->nacts; i++)
		act_release(&c->acts[i]);
	free(c->acts);
	cJSON_Delete(c->warnings);
	if (c->units != NULL) {
		for (i = 0; i < c->cfg->nprojects; i++) {
			size_t j;

			if (c->units[i] == NULL)
				continue;
			for (j = 0; j < c->cfg->projects[i].nreplicas; j++)
				free(c->units[i][j].deploys);
			free(c->units[i]);
		}
		free(c->units);
	}
	free(c->selected);
	free(c->oai_selected);
	free(c->rank);
	free(c->order);
	for (i = 0; i < c->npool; i++)
		free(c->pool[i]);
	free(c->pool);
}

int
plan_build(cJSON **out, const struct config *cfg, const struct plan_view *view,
    const struct plan_opts *opts, struct err *err)
{
	struct plan_ctx c = { 0 };
	size_t i, n = cfg->nprojects;
	int64_t refreshed;
	cJSON *doc = NULL;
	int rc = -1;

	*out = NULL;
	c.cfg = cfg;
	c.view = view;
	c.opts = opts;
	c.err = err;
	c.warnings = cJSON_CreateArray();
	c.selected = calloc(n ? n : 1, 1);
	c.oai_selected = calloc(cfg->nopenai ? cfg->nopenai : 1, 1);
	c.rank = calloc(n ? n : 1, sizeof(*c.rank));
	c.order = calloc(n ? n : 1, sizeof(*c.order));
	c.units = calloc(n ? n : 1, sizeof(*c.units));
	if (c.warnings == NULL || c.selected == NULL || c.rank == NULL ||
	    c.order == NULL || c.units == NULL || c.oai_selected == NULL ||
	    plan_index_view(&c) != 0)
		goto nomem;
	for (i = 0; i < n; i++) {
		c.units[i] =
		    calloc(cfg->projects[i].nreplicas + 1, sizeof(*c.units[i]));
		if (c.units[i] == NULL)
			goto nomem;
		c.rank[i] = rank_of(&c, &cfg->projects[i], 0);
	}
	if (select_targets(&c) != 0)
		goto out;
	order_projects(&c);
	cache_warnings(&c, &refreshed);
	if (c.nomem)
		goto nomem;
	/* One planner per kind of object. */
	if (plan_language(&c) != 0)
		goto out;
	if (c.nomem)
		goto nomem;
	if (plan_openai(&c) != 0)
		goto out;
	if (c.nomem)
		goto nomem;
	drop_marked(&c);
	if (c.nacts > 1)
		qsort(c.acts, c.nacts, sizeof(*c.acts), act_qcmp);
	if ((doc = plan_json(&c, refreshed)) == NULL)
		goto nomem;
	*out = doc;
	rc = 0;
	goto out;
nomem:
	err_set(err, ERR_NOMEM, "out of memory while planning");
out:
	ctx_release(&c);
	return rc;
}
