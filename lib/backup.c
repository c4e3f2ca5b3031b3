/*
 * backup.c - backup and restore plans for the apply executor.
 *
 * Why plans rather than a loop of our own: the executor already paces
 * each resource, journals every job before and after it is sent, resumes
 * a killed run by polling the job it started, and stores exports as
 * snapshots.  A backup or a restore written as a plan gets all of that,
 * and shows and confirms like any plan.  The reasons "backup" and
 * "restore" say who asked for the action: no drift made it necessary.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "backup.h"
#include "config.h"
#include "planfile.h"

/* What the service sets during the run (as lib/plan writes it). */
#define KNOWN_AFTER "(known after apply)"

/* A plan document under construction. */
struct pdoc {
	cJSON *doc, *warnings, *actions;
	long long counts[PLANFILE_NCHANGES];
	int nomem;
};

static int
nomem(struct err *err)
{
	return err_set(err, ERR_NOMEM, "out of memory");
}

static void
set_str(struct pdoc *d, cJSON *o, const char *k, const char *v)
{
	if ((v == NULL ? cJSON_AddNullToObject(o, k)
	               : cJSON_AddStringToObject(o, k, v)) == NULL)
		d->nomem = 1;
}

static cJSON *
new_obj(struct pdoc *d)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		d->nomem = 1;
	return o;
}

static int
pdoc_init(struct pdoc *d, const struct config *cfg,
    const struct plan_view *view, const char *version, int64_t now,
    const char *target)
{
	cJSON *sub, *arr;
	int64_t refreshed = 0;
	char when[21];
	size_t i;

	memset(d, 0, sizeof(*d));
	if ((d->doc = cJSON_CreateObject()) == NULL)
		return -1;
	/* The oldest good read of any resource: what the plan saw. */
	for (i = 0; i < view->nresources; i++)
		if (view->resources[i].refreshed_at > 0 &&
		    (refreshed == 0 ||
		        view->resources[i].refreshed_at < refreshed))
			refreshed = view->resources[i].refreshed_at;
	cJSON_AddNumberToObject(d->doc, "format_version", 1);
	set_str(d, d->doc, "standby_version", version ? version : "0.0.0");
	sub = cJSON_AddObjectToObject(d->doc, "config");
	if (sub == NULL)
		return -1;
	set_str(d, sub, "path", cfg->path);
	set_str(d, sub, "hash", cfg->hash_hex);
	if ((sub = cJSON_AddObjectToObject(d->doc, "state")) == NULL)
		return -1;
	cJSON_AddNumberToObject(sub, "revision", (double)view->revision);
	plan_format_time(refreshed, when);
	set_str(d, sub, "refreshed_at", refreshed ? when : NULL);
	plan_format_time(now, when);
	set_str(d, d->doc, "created_at", when);
	if ((sub = cJSON_AddObjectToObject(d->doc, "options")) == NULL)
		return -1;
	cJSON_AddBoolToObject(sub, "prune", 0);
	if ((arr = cJSON_AddArrayToObject(sub, "targets")) == NULL)
		return -1;
	if (target != NULL &&
	    !cJSON_AddItemToArray(arr, cJSON_CreateString(target)))
		return -1;
	cJSON_AddNumberToObject(sub, "expiry_window_days",
	    cfg->settings.expiry_window_s > 0
	        ? (double)(cfg->settings.expiry_window_s / 86400)
	        : 0);
	cJSON_AddBoolToObject(sub, "refreshed", 1);
	d->warnings = cJSON_CreateArray();
	d->actions = cJSON_CreateArray();
	if (d->warnings == NULL || d->actions == NULL)
		return -1;
	return d->nomem ? -1 : 0;
}

static void
pdoc_warn(struct pdoc *d, const char *code, const char *msg)
{
	cJSON *w = new_obj(d);

	if (w == NULL || msg == NULL) {
		cJSON_Delete(w);
		d->nomem = 1;
		return;
	}
	set_str(d, w, "code", code);
	set_str(d, w, "message", msg);
	if (!cJSON_AddItemToArray(d->warnings, w))
		d->nomem = 1;
}

/* Adds an action and returns it (NULL when memory ran out); the caller
 * fills before/after. */
static cJSON *
pdoc_action(struct pdoc *d, const char *id, const char *kind,
    enum planfile_change change, const char *group, const char *resource,
    const char *region, const char *project, const char *project_kind,
    const char *deployment, const char *model, const char *source,
    const char *dep, const char *code, const char *msg)
{
	cJSON *a = new_obj(d), *t, *deps, *r;

	if (a == NULL)
		return NULL;
	if (!cJSON_AddItemToArray(d->actions, a)) {
		cJSON_Delete(a);
		d->nomem = 1;
		return NULL;
	}
	set_str(d, a, "id", id);
	set_str(d, a, "kind", kind);
	set_str(d, a, "change", planfile_change_name(change));
	set_str(d, a, "group", group);
	if ((t = cJSON_AddObjectToObject(a, "target")) == NULL ||
	    (deps = cJSON_AddArrayToObject(a, "depends_on")) == NULL) {
		d->nomem = 1;
		return NULL;
	}
	set_str(d, t, "type", "language");
	set_str(d, t, "resource", resource);
	set_str(d, t, "region", region);
	set_str(d, t, "project", project);
	set_str(d, t, "project_kind", project_kind);
	set_str(d, t, "deployment", deployment);
	set_str(d, t, "model", model);
	set_str(d, t, "source", source);
	if (dep != NULL && !cJSON_AddItemToArray(deps, cJSON_CreateString(dep)))
		d->nomem = 1;
	if ((r = cJSON_AddObjectToObject(a, "reason")) == NULL) {
		d->nomem = 1;
		return NULL;
	}
	set_str(d, r, "code", code);
	set_str(d, r, "message", msg);
	d->counts[change]++;
	return a;
}

/* Sets before and after (NULL: JSON null) and destructive, in the
 * order planfile_check() expects after reason. */
static void
pdoc_finish_action(struct pdoc *d, cJSON *a, cJSON *before, cJSON *after)
{
	if (a == NULL) {
		cJSON_Delete(before);
		cJSON_Delete(after);
		return;
	}
	cJSON_AddItemToObject(
	    a, "before", before ? before : cJSON_CreateNull());
	cJSON_AddItemToObject(a, "after", after ? after : cJSON_CreateNull());
	if (cJSON_AddBoolToObject(a, "destructive", 0) == NULL)
		d->nomem = 1;
}

/* Hands over the finished document. */
static int
pdoc_take(struct pdoc *d, cJSON **out, struct err *err)
{
	cJSON *sum;
	long long total = 0;
	int i;

	*out = NULL;
	if (d->nomem ||
	    (sum = cJSON_AddObjectToObject(d->doc, "summary")) == NULL)
		return nomem(err);
	for (i = 0; i < PLANFILE_NCHANGES; i++) {
		cJSON_AddNumberToObject(sum,
		    planfile_change_name((enum planfile_change)i),
		    (double)d->counts[i]);
		total += d->counts[i];
	}
	cJSON_AddNumberToObject(sum, "total", (double)total);
	cJSON_AddItemToObject(d->doc, "warnings", d->warnings);
	d->warnings = NULL;
	cJSON_AddItemToObject(d->doc, "actions", d->actions);
	d->actions = NULL;
	if (planfile_check(d->doc, err) != 0) {
		err_wrap(err, "internal error: the plan is invalid");
		return -1;
	}
	*out = d->doc;
	d->doc = NULL;
	return 0;
}

static void
pdoc_release(struct pdoc *d)
{
	cJSON_Delete(d->doc);
	cJSON_Delete(d->warnings);
	cJSON_Delete(d->actions);
	memset(d, 0, sizeof(*d));
}

/* A formatted string, or NULL when memory ran out. */
static char *
strf(struct buf *b, const char *fmt, const char *a, const char *b2,
    const char *c)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
	buf_addf(b, fmt, a, b2, c);
	return b->failed ? NULL : b->data;
}

static const struct state_object *
find_object(const struct plan_view *v, enum state_kind k, const char *resource,
    const char *project, const char *name)
{
	size_t i;

	for (i = 0; i < v->nobjects; i++) {
		const struct state_object *o = &v->objects[i];

		if (o->kind == k && o->resource && o->project && o->name &&
		    strcmp(o->resource, resource) == 0 &&
		    strcmp(o->project, project) == 0 &&
		    strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

/* A project by key, else by Azure name. */
static const struct config_project *
find_project(const struct config *cfg, const char *name)
{
	const struct config_project *cp = config_project_find(cfg, name);
	size_t i;

	for (i = 0; cp == NULL && i < cfg->nprojects; i++)
		if (strcmp(cfg->projects[i].name, name) == 0)
			cp = &cfg->projects[i];
	return cp;
}

int
backup_projects(const struct config_project ***out, size_t *n,
    const struct config *cfg, const char *only, struct err *err)
{
	const struct config_project **v;
	const struct config_project *cp;
	size_t i;

	*out = NULL;
	*n = 0;
	if ((v = calloc(cfg->nprojects + 1, sizeof(*v))) == NULL)
		return nomem(err);
	if (only != NULL) {
		if ((cp = find_project(cfg, only)) == NULL) {
			free(v);
			return err_set(err, ERR_SPEC,
			    "--only: no project '%s' in %s", only, cfg->path);
		}
		if (cp->source == NULL) {
			free(v);
			return err_set(err, ERR_SPEC,
			    "--only: project '%s' has no source resource to "
			    "back up (its assets file %s in git is its backup)",
			    only, cp->assets ? cp->assets : "");
		}
		v[(*n)++] = cp;
	} else {
		for (i = 0; i < cfg->nprojects; i++)
			if (cfg->projects[i].source != NULL)
				v[(*n)++] = &cfg->projects[i];
	}
	*out = v;
	return 0;
}

int
backup_plan(cJSON **out, const struct config *cfg, const struct plan_view *view,
    const struct backup_opts *opts, struct err *err)
{
	const struct config_project **projects = NULL;
	const struct config_resource *res;
	const struct state_object *so;
	struct pdoc d;
	struct buf id = { 0 }, msg = { 0 };
	size_t i, n = 0;
	cJSON *a, *after;
	int rc = -1;

	*out = NULL;
	memset(&d, 0, sizeof(d));
	if (backup_projects(&projects, &n, cfg, opts->only, err) != 0)
		return -1;
	if (pdoc_init(&d, cfg, view, opts->standby_version, opts->now,
	        opts->only) != 0) {
		nomem(err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct config_project *cp = projects[i];

		res = config_resource_find(cfg, cp->source);
		so = find_object(
		    view, STATE_PROJECT, cp->source, cp->name, cp->name);
		if (so == NULL || res == NULL) {
			pdoc_warn(&d, "source_missing",
			    strf(&msg,
			        "%s was not found on %s at the last refresh: "
			        "nothing to back up%s",
			        cp->name, cp->source,
			        " (restore it with 'standby restore')"));
			continue;
		}
		if (strf(&id, "export:%s@%s%s", cp->name, cp->source, "") ==
		        NULL ||
		    strf(&msg, "Backup of %s on %s%s", cp->name, cp->source,
		        "") == NULL) {
			d.nomem = 1;
			break;
		}
		a = pdoc_action(&d, id.data, "export", PLANFILE_READ, cp->name,
		    cp->source, res->region, cp->name,
		    config_kind_azure(cp->kind), NULL, NULL, NULL, NULL,
		    "backup", msg.data);
		after = new_obj(&d);
		if (after != NULL)
			set_str(&d, after, "lastModifiedDateTime",
			    so->last_modified);
		pdoc_finish_action(&d, a, NULL, after);
	}
	rc = pdoc_take(&d, out, err);
out:
	pdoc_release(&d);
	buf_release(&id);
	buf_release(&msg);
	free(projects);
	return rc;
}

/* ---- restore ------------------------------------------------------------ */

static const struct state_replication *
find_replication(
    const struct plan_view *v, const char *resource, const char *project)
{
	size_t i;

	for (i = 0; i < v->nreplications; i++)
		if (strcmp(v->replications[i].replica_resource, resource) ==
		        0 &&
		    strcmp(v->replications[i].project, project) == 0)
			return &v->replications[i];
	return NULL;
}

static const struct state_trained *
find_trained(const struct plan_view *v, const char *resource,
    const char *project, const char *label)
{
	size_t i;

	for (i = 0; i < v->ntrained; i++)
		if (strcmp(v->trained[i].replica_resource, resource) == 0 &&
		    strcmp(v->trained[i].project, project) == 0 &&
		    strcmp(v->trained[i].label, label) == 0)
			return &v->trained[i];
	return NULL;
}

/* The label of the model of R/P whose modelId is id, or NULL. */
static const char *
served_label(
    const struct plan_view *v, const char *R, const char *P, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < v->nobjects; i++) {
		const struct state_object *o = &v->objects[i];

		if (o->kind == STATE_MODEL && o->model_id != NULL &&
		    strcmp(o->model_id, id) == 0 &&
		    strcmp(o->resource, R) == 0 && strcmp(o->project, P) == 0)
			return o->name;
	}
	return NULL;
}

static int
same_str(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* 1 when time a is at or after time b (both must parse). */
static int
not_before(const char *a, const char *b)
{
	int64_t sa, sb;
	long na, nb;

	if (a == NULL || b == NULL || plan_parse_time(a, &sa, &na) != 0 ||
	    plan_parse_time(b, &sb, &nb) != 0)
		return 0;
	return sa > sb || (sa == sb && na >= nb);
}

/* The labels to train: model.label, then those the deployments serve,
 * each once. */
static size_t
labels_of(const struct config_project *cp, const char **v)
{
	size_t i, j, n = 0;

	if (cp->model.label != NULL)
		v[n++] = cp->model.label;
	for (i = 0; i < cp->ndeployments; i++) {
		const char *l = cp->deployments[i].model;

		for (j = 0; j < n && l != NULL; j++)
			if (strcmp(v[j], l) == 0)
				break;
		if (l != NULL && j == n)
			v[n++] = l;
	}
	return n;
}

static int
check_restore(const struct config *cfg, const struct restore_opts *o,
    const struct config_project **cpp, const struct config_resource **resp,
    struct err *err)
{
	const struct config_project *cp = find_project(cfg, o->project);
	const struct config_resource *res;
	const struct snapshot_meta *m = o->snapshot;

	if (cp == NULL)
		return err_set(err, ERR_SPEC,
		    "no project '%s' in %s: restore trains and deploys as "
		    "the configuration says",
		    o->project, cfg->path);
	res = config_resource_find(cfg, o->resource);
	if (res == NULL)
		return err_set(err, ERR_SPEC, "--to: no resource '%s' in %s",
		    o->resource, cfg->path);
	if (res->type != CONFIG_RESOURCE_LANGUAGE)
		return err_set(err, ERR_SPEC,
		    "--to: resource '%s' is not a Language resource",
		    o->resource);
	if (m == NULL || m->project == NULL ||
	    strcmp(m->project, cp->name) != 0)
		return err_set(err, ERR_SPEC,
		    "snapshot %.12s is of project '%s', not '%s'",
		    m && m->hash[0] ? m->hash : "?",
		    m && m->project ? m->project : "?", cp->name);
	if (m->kind != NULL && strcmp(m->kind, config_kind_name(cp->kind)) != 0)
		return err_set(err, ERR_SPEC,
		    "snapshot %.12s is a %s project, but '%s' is a %s "
		    "project in %s",
		    m->hash, m->kind, cp->name, config_kind_name(cp->kind),
		    cfg->path);
	*cpp = cp;
	*resp = res;
	return 0;
}

/* An orchestration is trained against the projects it routes to, so they
 * must be deployed on the target first (as apply orders them): each, with
 * every deployment the configuration gives it, must be in the view. */
static int
check_routes(const struct config *cfg, const struct config_project *cp,
    const struct plan_view *view, const char *R, struct err *err)
{
	const struct config_project *t;
	size_t i, j;

	if (cp->kind != CONFIG_KIND_ORCHESTRATION)
		return 0;
	for (i = 0; i < cp->nroutes; i++) {
		if ((t = config_project_find(cfg, cp->routes[i])) == NULL)
			continue; /* validation reports it */
		if (find_object(view, STATE_PROJECT, R, t->name, t->name) ==
		    NULL)
			return err_set(err, ERR_SPEC,
			    "%s routes to %s, which is not on %s: restore "
			    "%s there first ('standby restore %s --to %s')",
			    cp->name, t->name, R, t->name, t->key, R);
		for (j = 0; j < t->ndeployments; j++)
			if (find_object(view, STATE_DEPLOYMENT, R, t->name,
			        t->deployments[j].name) == NULL)
				return err_set(err, ERR_SPEC,
				    "%s routes to %s, whose deployment %s is "
				    "not on %s: restore %s there first "
				    "('standby restore %s --to %s')",
				    cp->name, t->name, t->deployments[j].name,
				    R, t->name, t->key, R);
	}
	return 0;
}

int
restore_plan(cJSON **out, const struct config *cfg,
    const struct plan_view *view, const struct restore_opts *opts,
    struct err *err)
{
	const struct config_project *cp = NULL;
	const struct config_resource *res = NULL;
	const struct snapshot_meta *m = opts->snapshot;
	const struct state_object *ro, *mo, *dobj, *mo2;
	const struct state_replication *rec;
	const struct state_trained *tr;
	const char **labels = NULL, *kind, *R, *P;
	struct buf id = { 0 }, msg = { 0 }, imp = { 0 }, dep = { 0 };
	unsigned char *trained_done = NULL;
	struct pdoc d;
	size_t nl, i, j;
	int import_done, rc = -1;
	cJSON *a, *before, *after;
	char short_hash[13];

	*out = NULL;
	memset(&d, 0, sizeof(d));
	if (check_restore(cfg, opts, &cp, &res, err) != 0 ||
	    check_routes(cfg, cp, view, res->name, err) != 0)
		return -1;
	R = res->name;
	P = cp->name;
	kind = config_kind_azure(cp->kind);
	snprintf(short_hash, sizeof(short_hash), "%.12s", m->hash);
	labels = calloc(cp->ndeployments + 2, sizeof(*labels));
	trained_done = calloc(cp->ndeployments + 2, 1);
	if (labels == NULL || trained_done == NULL) {
		nomem(err);
		goto out;
	}
	nl = labels_of(cp, labels);
	if (pdoc_init(&d, cfg, view, opts->standby_version, opts->now,
	        cp->key) != 0) {
		nomem(err);
		goto out;
	}
	ro = find_object(view, STATE_PROJECT, R, P, P);
	rec = find_replication(view, R, P);
	import_done = ro != NULL && rec != NULL &&
	    same_str(rec->snapshot, m->hash) &&
	    same_str(rec->replica_modified, ro->last_modified);
	if (strf(&imp, "import:%s@%s%s", P, R, "") == NULL)
		d.nomem = 1;
	if (!import_done && !d.nomem) {
		buf_addf(&msg, "Restore of %s on %s from snapshot %s", P, R,
		    short_hash);
		if (m->source_resource != NULL)
			buf_addf(
			    &msg, " (exported from %s", m->source_resource);
		if (m->source_resource != NULL && m->source_modified != NULL)
			buf_addf(
			    &msg, ", last modified %s", m->source_modified);
		if (m->source_resource != NULL)
			buf_addstr(&msg, ")");
		if (ro == NULL)
			buf_addf(&msg, "; %s does not exist on %s", P, R);
		if (msg.failed)
			d.nomem = 1;
		a = pdoc_action(&d, imp.data, "import",
		    ro != NULL ? PLANFILE_REPLACE : PLANFILE_CREATE, P, R,
		    res->region, P, kind, NULL, NULL, m->source_resource, NULL,
		    "restore", msg.data);
		before = NULL;
		if (ro != NULL && (before = new_obj(&d)) != NULL) {
			set_str(&d, before, "lastModifiedDateTime",
			    ro->last_modified);
			set_str(&d, before, "snapshot",
			    rec != NULL ? rec->snapshot : NULL);
			set_str(&d, before, "sourceModified",
			    rec != NULL ? rec->source_modified : NULL);
		}
		if ((after = new_obj(&d)) != NULL) {
			if (ro != NULL)
				set_str(&d, after, "lastModifiedDateTime",
				    KNOWN_AFTER);
			set_str(&d, after, "snapshot", m->hash);
			set_str(
			    &d, after, "sourceModified", m->source_modified);
		}
		pdoc_finish_action(&d, a, before, after);
	}
	if (nl == 0) {
		pdoc_warn(&d, "no_model",
		    strf(&msg,
		        "%s has no model label or deployments in %s: only "
		        "the import is restored%s",
		        P, cfg->path, ""));
	}
	for (i = 0; i < nl && !d.nomem; i++) {
		const char *L = labels[i];

		mo = find_object(view, STATE_MODEL, R, P, L);
		tr = find_trained(view, R, P, L);
		trained_done[i] = import_done && mo != NULL && tr != NULL &&
		    same_str(tr->snapshot, m->hash);
		if (trained_done[i])
			continue;
		buf_release(&id);
		buf_release(&msg);
		buf_addf(&id, "train:%s@%s/%s", P, R, L);
		buf_addf(&msg,
		    "Model %s of %s on %s is trained from the restored "
		    "snapshot %s",
		    L, P, R, short_hash);
		if (id.failed || msg.failed) {
			d.nomem = 1;
			break;
		}
		a = pdoc_action(&d, id.data, "train",
		    mo != NULL ? PLANFILE_UPDATE : PLANFILE_CREATE, P, R,
		    res->region, P, kind, NULL, L, m->source_resource,
		    import_done ? NULL : imp.data, "restore", msg.data);
		before = NULL;
		if (mo != NULL && (before = new_obj(&d)) != NULL) {
			set_str(&d, before, "label", L);
			set_str(&d, before, "snapshot",
			    tr != NULL ? tr->snapshot : NULL);
			set_str(&d, before, "expires", mo->expiration);
		}
		if ((after = new_obj(&d)) != NULL) {
			set_str(&d, after, "label", L);
			set_str(&d, after, "snapshot", m->hash);
			set_str(&d, after, "expires", KNOWN_AFTER);
		}
		pdoc_finish_action(&d, a, before, after);
	}
	for (i = 0; i < cp->ndeployments && !d.nomem; i++) {
		const struct config_deployment *cd = &cp->deployments[i];
		int train_skipped = 0;

		for (j = 0; j < nl; j++)
			if (strcmp(labels[j], cd->model) == 0)
				train_skipped = trained_done[j];
		dobj = find_object(view, STATE_DEPLOYMENT, R, P, cd->name);
		mo2 = find_object(view, STATE_MODEL, R, P, cd->model);
		if (train_skipped && dobj != NULL && mo2 != NULL &&
		    same_str(dobj->model_id, mo2->model_id) &&
		    not_before(dobj->last_deployed, mo2->last_trained))
			continue;
		buf_release(&id);
		buf_release(&msg);
		buf_release(&dep);
		buf_addf(&id, "deploy:%s@%s/%s", P, R, cd->name);
		buf_addf(&dep, "train:%s@%s/%s", P, R, cd->model);
		buf_addf(&msg,
		    "Deployment %s of %s on %s serves model %s of the "
		    "restored snapshot %s",
		    cd->name, P, R, cd->model, short_hash);
		if (id.failed || msg.failed || dep.failed) {
			d.nomem = 1;
			break;
		}
		a = pdoc_action(&d, id.data, "deploy",
		    dobj != NULL ? PLANFILE_UPDATE : PLANFILE_CREATE, P, R,
		    res->region, P, kind, cd->name, cd->model,
		    m->source_resource, train_skipped ? NULL : dep.data,
		    "restore", msg.data);
		before = NULL;
		if (dobj != NULL && (before = new_obj(&d)) != NULL) {
			set_str(&d, before, "modelLabel",
			    served_label(view, R, P, dobj->model_id));
			set_str(&d, before, "modelId", dobj->model_id);
			set_str(&d, before, "expires", dobj->expiration);
		}
		if ((after = new_obj(&d)) != NULL) {
			set_str(&d, after, "modelLabel", cd->model);
			set_str(&d, after, "modelId", KNOWN_AFTER);
			set_str(&d, after, "expires", KNOWN_AFTER);
		}
		pdoc_finish_action(&d, a, before, after);
	}
	rc = pdoc_take(&d, out, err);
out:
	pdoc_release(&d);
	buf_release(&id);
	buf_release(&msg);
	buf_release(&imp);
	buf_release(&dep);
	free(labels);
	free(trained_done);
	return rc;
}

/* ---- import-ready documents --------------------------------------------- */

static int
want_str(const cJSON *o, const char *key, const char *path, struct err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL)
		return err_set(err, ERR_SPEC, "%s%s: missing", path, key);
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
		return err_set(
		    err, ERR_SPEC, "%s%s: not a non-empty string", path, key);
	return 0;
}

int
backup_check_import_doc(const char *data, size_t len, struct err *err)
{
	const cJSON *meta, *assets, *mk, *ak;
	cJSON *doc;
	int rc = -1;

	doc = cJSON_ParseWithLength(data, len);
	if (doc == NULL)
		return err_set(err, ERR_SPEC, "not JSON");
	if (!cJSON_IsObject(doc)) {
		err_set(err, ERR_SPEC, "not a JSON object");
		goto out;
	}
	meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	assets = cJSON_GetObjectItemCaseSensitive(doc, "assets");
	if (want_str(doc, "projectFileVersion", "", err) != 0 ||
	    want_str(doc, "stringIndexType", "", err) != 0)
		goto out;
	if (!cJSON_IsObject(meta)) {
		err_set(err, ERR_SPEC, "metadata: %s",
		    meta ? "not an object" : "missing");
		goto out;
	}
	if (want_str(meta, "projectName", "metadata.", err) != 0 ||
	    want_str(meta, "projectKind", "metadata.", err) != 0)
		goto out;
	if (assets != NULL) {
		if (!cJSON_IsObject(assets)) {
			err_set(err, ERR_SPEC, "assets: not an object");
			goto out;
		}
		if (want_str(assets, "projectKind", "assets.", err) != 0)
			goto out;
		mk = cJSON_GetObjectItemCaseSensitive(meta, "projectKind");
		ak = cJSON_GetObjectItemCaseSensitive(assets, "projectKind");
		if (strcasecmp(mk->valuestring, ak->valuestring) != 0) {
			err_set(err, ERR_SPEC,
			    "assets.projectKind: '%s' differs from "
			    "metadata.projectKind '%s'",
			    ak->valuestring, mk->valuestring);
			goto out;
		}
	}
	rc = 0;
out:
	cJSON_Delete(doc);
	return rc;
}
