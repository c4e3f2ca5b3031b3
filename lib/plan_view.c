/*
 * plan_view.c - the plan's read-only view of the state cache: reading it
 * from the state file (plan_cache), sorted indexes over it with binary
 * search (so 5,000 replicas are looked up in microseconds, not by
 * scanning), and the Azure times it holds, compared as times because the
 * service writes the same instant with and without fractions or offsets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int
plan_index_view(struct plan_ctx *c)
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
/* Reading the cache                                                   */

/* The index of the record of (replica, project, label) in all[0 .. n),
 * which state_list_trained() sorted; n when there is none. */
static size_t
find_trained(const struct state_trained *all, size_t n, const char *replica,
    const char *project, const char *label)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct state_trained *t = &all[mid];
		int r;

		if ((r = nstrcmp(t->replica_resource, replica)) == 0 &&
		    (r = nstrcmp(t->project, project)) == 0)
			r = nstrcmp(t->label, label);
		if (r == 0)
			return mid;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n;
}

int
plan_cache_load(struct plan_cache *c, struct state *st, struct err *err)
{
	struct state_trained *all = NULL;
	unsigned char *taken = NULL;
	size_t i, k, nall = 0;
	int64_t rev;

	memset(c, 0, sizeof(*c));
	if (state_revision(st, &rev, err) != 0 ||
	    state_list_resources(st, &c->resources, err) != 0 ||
	    state_list_objects(st, NULL, 0, &c->objects, err) != 0 ||
	    state_list_replications(st, &c->replications, err) != 0 ||
	    snapshot_list(st, NULL, &c->snapshots, err) != 0 ||
	    state_list_openai_catalogs(st, &c->oai_catalogs, err) != 0 ||
	    state_list_finetuned(st, &c->finetuned, err) != 0 ||
	    state_list_trained(st, &all, &nall, err) != 0)
		goto fail;
	/* Only the records of live models are kept: those are the ones a
	 * plan compares.  They come in one query: a lookup per model
	 * prepared 5,000 statements for 5,000 replicas. */
	c->trained = calloc(nall ? nall : 1, sizeof(*c->trained));
	taken = calloc(nall ? nall : 1, 1);
	if (c->trained == NULL || taken == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < c->objects.n; i++) {
		const struct state_object *o = &c->objects.v[i];

		if (o->kind != STATE_MODEL)
			continue;
		k = find_trained(all, nall, o->resource, o->project, o->name);
		if (k == nall || taken[k])
			continue;
		taken[k] = 1;
		c->trained[c->ntrained++] = all[k];
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
	c->view.oai_catalogs = c->oai_catalogs.v;
	c->view.noai_catalogs = c->oai_catalogs.n;
	c->view.finetuned = c->finetuned.v;
	c->view.nfinetuned = c->finetuned.n;
	for (k = 0; k < nall; k++)
		if (!taken[k])
			state_trained_release(&all[k]);
	free(all);
	free(taken);
	return 0;
fail:
	for (k = 0; k < nall; k++)
		if (taken == NULL || !taken[k])
			state_trained_release(&all[k]);
	free(all);
	free(taken);
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
	state_openai_catalogs_release(&c->oai_catalogs);
	state_finetuneds_release(&c->finetuned);
	memset(c, 0, sizeof(*c));
}
