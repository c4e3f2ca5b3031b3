/*
 * plan.c - make a plan from the desired model and the state cache.
 *
 * This file is the driver: it indexes the view (sorted pointer arrays and
 * binary search, so 5,000 replicas plan in well under a second), selects
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
/* Times                                                               */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no timegm() is needed. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads exactly n digits. */
static int
digits(const char **s, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (*(*s)++ - '0');
	}
	*out = v;
	return 0;
}

int
plan_parse_time(const char *s, int64_t *sec, long *nsec)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 0;
	long ns = 0, scale = 100000000;

	if (s == NULL || digits(&s, 4, &y) != 0 || *s++ != '-' ||
	    digits(&s, 2, &mo) != 0 || *s++ != '-' || digits(&s, 2, &d) != 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	if (*s == 'T' || *s == 't') {
		s++;
		if (digits(&s, 2, &h) != 0 || *s++ != ':' ||
		    digits(&s, 2, &mi) != 0 || *s++ != ':' ||
		    digits(&s, 2, &se) != 0)
			return -1;
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		if (*s == '.') {
			s++;
			if (*s < '0' || *s > '9')
				return -1;
			for (; *s >= '0' && *s <= '9'; s++) {
				ns += (*s - '0') * scale;
				scale /= 10;
			}
		}
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			sign = *s++ == '-' ? -1 : 1;
			if (digits(&s, 2, &oh) != 0 || *s++ != ':' ||
			    digits(&s, 2, &om) != 0)
				return -1;
		}
	}
	if (*s != '\0')
		return -1;
	*sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
	    sign * (oh * 3600 + om * 60);
	*nsec = ns;
	return 0;
}

void
plan_format_time(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "1970-01-01T00:00:00Z");
}

int
plan_time_cmp(const char *a, const char *b)
{
	int64_t sa, sb;
	long na, nb;

	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	if (plan_parse_time(a, &sa, &na) != 0 ||
	    plan_parse_time(b, &sb, &nb) != 0)
		return strcmp(a, b);
	if (sa != sb)
		return sa < sb ? -1 : 1;
	return (na > nb) - (na < nb);
}

int
plan_expiring(struct plan_ctx *c, const char *s)
{
	int64_t t;
	long ns;

	if (s == NULL || plan_parse_time(s, &t, &ns) != 0)
		return 0;
	return t - c->opts->now <= c->opts->expiry_window_s;
}

const char *
plan_window_words(struct plan_ctx *c)
{
	long long w = c->opts->expiry_window_s;

	if (w > 0 && w % 86400 == 0)
		return plan_strf(
		    c, "%lld day%s", w / 86400, w == 86400 ? "" : "s");
	if (w > 0 && w % 3600 == 0)
		return plan_strf(
		    c, "%lld hour%s", w / 3600, w == 3600 ? "" : "s");
	return plan_strf(c, "%lld second%s", w, w == 1 ? "" : "s");
}

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
	if (m == NULL || w == NULL ||
	    cJSON_AddStringToObject(w, "code", code) == NULL ||
	    cJSON_AddStringToObject(w, "message", m) == NULL ||
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
	if ((v == NULL ? cJSON_AddNullToObject(o, key)
	               : cJSON_AddStringToObject(o, key, v)) == NULL)
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
/* Indexes of the view                                                 */

static int
nstrcmp(const char *a, const char *b)
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
	int r;

	if ((r = nstrcmp(a->resource, b->resource)) != 0 ||
	    (r = nstrcmp(a->project, b->project)) != 0)
		return r;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return nstrcmp(a->name, b->name);
}

static int
rep_cmp(const void *pa, const void *pb)
{
	const struct state_replication *a =
	    *(const struct state_replication *const *)pa;
	const struct state_replication *b =
	    *(const struct state_replication *const *)pb;
	int r;

	if ((r = nstrcmp(a->replica_resource, b->replica_resource)) != 0)
		return r;
	return nstrcmp(a->project, b->project);
}

static int
trained_cmp(const void *pa, const void *pb)
{
	const struct state_trained *a =
	    *(const struct state_trained *const *)pa;
	const struct state_trained *b =
	    *(const struct state_trained *const *)pb;
	int r;

	if ((r = nstrcmp(a->replica_resource, b->replica_resource)) != 0 ||
	    (r = nstrcmp(a->project, b->project)) != 0)
		return r;
	return nstrcmp(a->label, b->label);
}

static int
snap_cmp(const void *pa, const void *pb)
{
	const struct snapshot_meta *a =
	    *(const struct snapshot_meta *const *)pa;
	const struct snapshot_meta *b =
	    *(const struct snapshot_meta *const *)pb;
	int r;

	if ((r = nstrcmp(a->project, b->project)) != 0 ||
	    (r = nstrcmp(a->source_resource, b->source_resource)) != 0)
		return r;
	if (a->taken_at != b->taken_at)
		return a->taken_at > b->taken_at ? -1 : 1;
	return strcmp(a->hash, b->hash);
}

static int
res_cmp(const void *pa, const void *pb)
{
	const struct state_resource *a =
	    *(const struct state_resource *const *)pa;
	const struct state_resource *b =
	    *(const struct state_resource *const *)pb;

	return nstrcmp(a->name, b->name);
}

/* Fills *idx with pointers to the n elements of size sz at base, sorted. */
static int
make_index(struct plan_ctx *c, const void *base, size_t n, size_t sz,
    int (*cmp)(const void *, const void *), const void ***idx)
{
	size_t i;

	*idx = calloc(n ? n : 1, sizeof(**idx));
	if (*idx == NULL) {
		c->nomem = 1;
		return -1;
	}
	for (i = 0; i < n; i++)
		(*idx)[i] = (const char *)base + i * sz;
	if (n > 1)
		qsort(*idx, n, sizeof(**idx), cmp);
	return 0;
}

/* The first element of the sorted index idx not less than key. */
static size_t
lower_bound(const void *const *idx, size_t n, const void *key,
    int (*cmp)(const void *, const void *))
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp(&idx[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct state_object *
plan_object(struct plan_ctx *c, enum state_kind k, const char *resource,
    const char *project, const char *name)
{
	struct state_object key = { 0 };
	const struct state_object *kp = &key;
	size_t i;

	key.kind = k;
	key.resource = (char *)resource;
	key.project = (char *)project;
	key.name = (char *)name;
	i = lower_bound((const void *const *)c->objs, c->nobjs, kp, obj_cmp);
	if (i < c->nobjs && obj_cmp(&c->objs[i], &kp) == 0)
		return c->objs[i];
	return NULL;
}

const struct state_object *const *
plan_objects(struct plan_ctx *c, enum state_kind k, const char *resource,
    const char *project, size_t *n)
{
	struct state_object key = { 0 };
	const struct state_object *kp = &key;
	size_t i, j;

	key.kind = k;
	key.resource = (char *)resource;
	key.project = (char *)project;
	key.name = NULL; /* NULL sorts first */
	i = lower_bound((const void *const *)c->objs, c->nobjs, kp, obj_cmp);
	for (j = i; j < c->nobjs && c->objs[j]->kind == k &&
	     nstrcmp(c->objs[j]->resource, resource) == 0 &&
	     nstrcmp(c->objs[j]->project, project) == 0;
	     j++)
		;
	*n = j - i;
	return c->objs + i;
}

const struct state_replication *
plan_replication(struct plan_ctx *c, const char *replica, const char *project)
{
	struct state_replication key = { 0 };
	const struct state_replication *kp = &key;
	size_t i, n = c->view->nreplications;

	key.replica_resource = (char *)replica;
	key.project = (char *)project;
	i = lower_bound((const void *const *)c->reps, n, kp, rep_cmp);
	if (i < n && rep_cmp(&c->reps[i], &kp) == 0)
		return c->reps[i];
	return NULL;
}

const struct state_trained *
plan_trained(struct plan_ctx *c, const char *replica, const char *project,
    const char *label)
{
	struct state_trained key = { 0 };
	const struct state_trained *kp = &key;
	size_t i, n = c->view->ntrained;

	key.replica_resource = (char *)replica;
	key.project = (char *)project;
	key.label = (char *)label;
	i = lower_bound((const void *const *)c->trained, n, kp, trained_cmp);
	if (i < n && trained_cmp(&c->trained[i], &kp) == 0)
		return c->trained[i];
	return NULL;
}

const struct state_resource *
plan_resource(struct plan_ctx *c, const char *name)
{
	struct state_resource key = { 0 };
	const struct state_resource *kp = &key;
	size_t i, n = c->view->nresources;

	key.name = (char *)name;
	i = lower_bound((const void *const *)c->res, n, kp, res_cmp);
	if (i < n && res_cmp(&c->res[i], &kp) == 0)
		return c->res[i];
	return NULL;
}

const struct snapshot_meta *
plan_snapshot(struct plan_ctx *c, const char *project, const char *source,
    const char *modified)
{
	struct snapshot_meta key = { 0 };
	const struct snapshot_meta *kp = &key;
	size_t i, n = c->view->nsnapshots;

	if (modified == NULL)
		return NULL;
	key.project = (char *)project;
	key.source_resource = (char *)source;
	key.taken_at = INT64_MAX; /* newest first: before every real one */
	for (i = lower_bound((const void *const *)c->snaps, n, kp, snap_cmp);
	     i < n && nstrcmp(c->snaps[i]->project, project) == 0 &&
	     nstrcmp(c->snaps[i]->source_resource, source) == 0;
	     i++)
		if (c->snaps[i]->source_modified != NULL &&
		    plan_time_cmp(c->snaps[i]->source_modified, modified) == 0)
			return c->snaps[i];
	return NULL;
}

static int
index_view(struct plan_ctx *c)
{
	const struct plan_view *v = c->view;

	if (make_index(c, v->objects, v->nobjects, sizeof(*v->objects), obj_cmp,
	        (const void ***)&c->objs) != 0 ||
	    make_index(c, v->replications, v->nreplications,
	        sizeof(*v->replications), rep_cmp,
	        (const void ***)&c->reps) != 0 ||
	    make_index(c, v->trained, v->ntrained, sizeof(*v->trained),
	        trained_cmp, (const void ***)&c->trained) != 0 ||
	    make_index(c, v->snapshots, v->nsnapshots, sizeof(*v->snapshots),
	        snap_cmp, (const void ***)&c->snaps) != 0 ||
	    make_index(c, v->resources, v->nresources, sizeof(*v->resources),
	        res_cmp, (const void ***)&c->res) != 0)
		return -1;
	c->nobjs = v->nobjects;
	return 0;
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

	if (c->opts->ntargets == 0) {
		memset(c->selected, 1, cfg->nprojects);
		return 0;
	}
	for (i = 0; i < c->opts->ntargets; i++) {
		p = plan_project_named(cfg, c->opts->targets[i]);
		if (p == NULL)
			return err_set(c->err, ERR_SPEC,
			    "--target: no project '%s' in %s",
			    c->opts->targets[i], cfg->path);
		select_project(c, p);
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

static cJSON *
target_json(const struct plan_act *a)
{
	cJSON *t = cJSON_CreateObject();
	const char *const keys[] = { "project", "project_kind", "deployment",
		"model", "source" };
	const char *const vals[] = { a->project, a->project_kind, a->deployment,
		a->model, a->source };
	size_t i;

	if (t == NULL || cJSON_AddStringToObject(t, "type", a->type) == NULL ||
	    cJSON_AddStringToObject(t, "resource", a->resource) == NULL ||
	    cJSON_AddStringToObject(t, "region", a->region) == NULL)
		goto fail;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((vals[i] == NULL ? cJSON_AddNullToObject(t, keys[i])
		                     : cJSON_AddStringToObject(
		                           t, keys[i], vals[i])) == NULL)
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

	if (o == NULL || cJSON_AddStringToObject(o, "id", a->id) == NULL ||
	    cJSON_AddStringToObject(o, "kind", a->kind) == NULL ||
	    cJSON_AddStringToObject(
	        o, "change", planfile_change_name(a->change)) == NULL ||
	    cJSON_AddStringToObject(o, "group", a->group) == NULL)
		goto fail;
	if ((t = target_json(a)) == NULL)
		goto fail;
	cJSON_AddItemToObject(o, "target", t);
	if ((deps = cJSON_AddArrayToObject(o, "depends_on")) == NULL)
		goto fail;
	for (k = 0; k < a->ndeps; k++)
		if (!cJSON_AddItemToArray(deps, cJSON_CreateString(a->deps[k])))
			goto fail;
	if ((reason = cJSON_AddObjectToObject(o, "reason")) == NULL ||
	    cJSON_AddStringToObject(reason, "code", a->code) == NULL ||
	    cJSON_AddStringToObject(reason, "message", a->message) == NULL)
		goto fail;
	cJSON_AddItemToObject(
	    o, "before", a->before != NULL ? a->before : cJSON_CreateNull());
	a->before = NULL;
	cJSON_AddItemToObject(
	    o, "after", a->after != NULL ? a->after : cJSON_CreateNull());
	a->after = NULL;
	if (cJSON_AddBoolToObject(o, "destructive", a->destructive) == NULL)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static int
add_int(cJSON *o, const char *key, long long v)
{
	return cJSON_AddNumberToObject(o, key, (double)v) != NULL ? 0 : -1;
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
	    cJSON_AddStringToObject(doc, "standby_version",
	        o->standby_version ? o->standby_version : "0.0.0") == NULL)
		goto fail;
	if ((sub = cJSON_AddObjectToObject(doc, "config")) == NULL ||
	    cJSON_AddStringToObject(sub, "path", c->cfg->path) == NULL ||
	    cJSON_AddStringToObject(sub, "hash", c->cfg->hash_hex) == NULL)
		goto fail;
	if ((sub = cJSON_AddObjectToObject(doc, "state")) == NULL ||
	    add_int(sub, "revision", c->view->revision) != 0)
		goto fail;
	plan_format_time(refreshed, when);
	if ((refreshed == 0 ? cJSON_AddNullToObject(sub, "refreshed_at")
	                    : cJSON_AddStringToObject(
	                          sub, "refreshed_at", when)) == NULL)
		goto fail;
	plan_format_time(o->now, when);
	if (cJSON_AddStringToObject(doc, "created_at", when) == NULL)
		goto fail;
	if ((sub = cJSON_AddObjectToObject(doc, "options")) == NULL ||
	    cJSON_AddBoolToObject(sub, "prune", o->prune != 0) == NULL ||
	    (arr = cJSON_AddArrayToObject(sub, "targets")) == NULL)
		goto fail;
	for (i = 0; i < o->ntargets; i++)
		if (!cJSON_AddItemToArray(
		        arr, cJSON_CreateString(o->targets[i])))
			goto fail;
	if (add_int(sub, "expiry_window_days",
	        o->expiry_window_s > 0 ? o->expiry_window_s / 86400 : 0) != 0 ||
	    cJSON_AddBoolToObject(sub, "refreshed", o->refreshed != 0) == NULL)
		goto fail;
	if ((sub = cJSON_AddObjectToObject(doc, "summary")) == NULL)
		goto fail;
	for (i = 0; i < PLANFILE_NCHANGES; i++)
		if (add_int(sub, planfile_change_name((enum planfile_change)i),
		        counts[i]) != 0)
			goto fail;
	if (add_int(sub, "total", (long long)c->nacts) != 0)
		goto fail;
	cJSON_AddItemToObject(doc, "warnings", c->warnings);
	c->warnings = NULL;
	if ((arr = cJSON_AddArrayToObject(doc, "actions")) == NULL)
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
	c.rank = calloc(n ? n : 1, sizeof(*c.rank));
	c.order = calloc(n ? n : 1, sizeof(*c.order));
	c.units = calloc(n ? n : 1, sizeof(*c.units));
	if (c.warnings == NULL || c.selected == NULL || c.rank == NULL ||
	    c.order == NULL || c.units == NULL || index_view(&c) != 0)
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
	if (plan_language(&c) != 0)
		goto out;
	if (c.nomem)
		goto nomem;
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

/* ------------------------------------------------------------------ */
/* Reading the cache                                                   */

int
plan_cache_load(struct plan_cache *c, struct state *st, struct err *err)
{
	struct state_trained *t;
	size_t i, cap = 0;
	int64_t rev;

	memset(c, 0, sizeof(*c));
	if (state_revision(st, &rev, err) != 0 ||
	    state_list_resources(st, &c->resources, err) != 0 ||
	    state_list_objects(st, NULL, 0, &c->objects, err) != 0 ||
	    state_list_replications(st, &c->replications, err) != 0 ||
	    snapshot_list(st, NULL, &c->snapshots, err) != 0)
		goto fail;
	/* The state has no list of trained records; the live models are
	 * the only ones a plan compares. */
	for (i = 0; i < c->objects.n; i++) {
		const struct state_object *o = &c->objects.v[i];
		struct state_trained rec = { 0 };

		if (o->kind != STATE_MODEL)
			continue;
		if (state_get_trained(
		        st, o->resource, o->project, o->name, &rec, err) != 0) {
			if (err->code == ERR_NOTFOUND) {
				err_clear(err);
				continue;
			}
			goto fail;
		}
		if (c->ntrained == cap) {
			cap = cap ? cap * 2 : 16;
			t = realloc(c->trained, cap * sizeof(*t));
			if (t == NULL) {
				state_trained_release(&rec);
				err_set(err, ERR_NOMEM, "out of memory");
				goto fail;
			}
			c->trained = t;
		}
		c->trained[c->ntrained++] = rec;
	}
	c->view.revision = rev;
	c->view.resources = c->resources.v;
	c->view.nresources = c->resources.n;
	c->view.objects = c->objects.v;
	c->view.nobjects = c->objects.n;
	c->view.replications = c->replications.v;
	c->view.nreplications = c->replications.n;
	c->view.trained = c->trained;
	c->view.ntrained = c->ntrained;
	c->view.snapshots = c->snapshots.v;
	c->view.nsnapshots = c->snapshots.n;
	return 0;
fail:
	plan_cache_release(c);
	return -1;
}

void
plan_cache_release(struct plan_cache *c)
{
	size_t i;

	state_resources_release(&c->resources);
	state_objects_release(&c->objects);
	state_replications_release(&c->replications);
	for (i = 0; i < c->ntrained; i++)
		state_trained_release(&c->trained[i]);
	free(c->trained);
	snapshot_list_release(&c->snapshots);
	memset(c, 0, sizeof(*c));
}
