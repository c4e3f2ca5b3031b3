/*
 * plan_language.c - the Language planner: for each selected project and
 * each replica, the export/import/train/deploy chain with the first
 * reason that holds (plan.h lists the rules), then what --prune deletes.
 *
 * Reasons are checked in a fixed priority so that one action carries one
 * reason, the most specific: a missing replica is "replica_missing" even
 * though its source also changed.  A train that follows an import is
 * model_stale (or model_missing), never a bare "dependency": the user
 * should read why the model must change, not that something else runs.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

#define NONE ((size_t)-1)
/* What Terraform users read for a value the service sets during apply. */
#define KNOWN_AFTER "(known after apply)"

/* What a project must look like on each replica. */
struct desired {
	const char **dep_names;
	const char **dep_labels;
	size_t ndeps;
	const char **labels;
	size_t nlabels;
};

/* One project being planned. */
struct pproj {
	size_t pi;
	const struct config_project *cp;
	const char *name; /* the Azure project name */
	const char *azure_kind;
	const struct state_object *so;    /* the source project, or NULL */
	const struct snapshot_meta *snap; /* a snapshot of so as it is now */
	char assets_hash[SNAPSHOT_HASH_SIZE];
	struct desired d;
	size_t export_idx;
	size_t *train_idx; /* per label, on the current replica */
};

static void
desired_release(struct desired *d)
{
	free(d->dep_names);
	free(d->dep_labels);
	free(d->labels);
	memset(d, 0, sizeof(*d));
}

/* The label a source deployment serves: the label of the source model with
 * its modelId, or else the label part of "{label}-{yyyyMMddTHHmmss}-{hex}". */
static const char *
source_label(struct plan_ctx *c, const char *src, const char *project,
    const struct state_object *dep)
{
	const struct state_object *const *m;
	const char *id = dep->model_id, *end;
	size_t n, i, dashes = 0;

	if (id == NULL)
		return NULL;
	m = plan_objects(c, STATE_MODEL, src, project, &n);
	for (i = 0; i < n; i++)
		if (m[i]->model_id != NULL && strcmp(m[i]->model_id, id) == 0)
			return m[i]->name;
	for (end = id + strlen(id); end > id; end--)
		if (end[-1] == '-' && ++dashes == 2)
			break;
	if (dashes < 2 || end - 1 == id)
		return NULL;
	return plan_strf(c, "%.*s", (int)(end - 1 - id), id);
}

static int
has(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static int
desired_compute(struct plan_ctx *c, struct pproj *p)
{
	const struct config_project *cp = p->cp;
	const struct state_object *const *sd = NULL;
	struct desired *d = &p->d;
	size_t n = cp->ndeployments, i;
	const char *label;

	if (n == 0 && p->so != NULL)
		sd = plan_objects(c, STATE_DEPLOYMENT, cp->source, p->name, &n);
	d->dep_names = calloc(n + 1, sizeof(*d->dep_names));
	d->dep_labels = calloc(n + 1, sizeof(*d->dep_labels));
	d->labels = calloc(n + 2, sizeof(*d->labels));
	if (d->dep_names == NULL || d->dep_labels == NULL || d->labels == NULL)
		return -1;
	if (cp->model.label != NULL)
		d->labels[d->nlabels++] = cp->model.label;
	for (i = 0; i < n; i++) {
		if (sd == NULL) {
			d->dep_names[d->ndeps] = cp->deployments[i].name;
			label = cp->deployments[i].model;
		} else {
			d->dep_names[d->ndeps] = sd[i]->name;
			label = cp->model.label != NULL
			    ? cp->model.label
			    : source_label(c, cp->source, p->name, sd[i]);
			if (label == NULL) {
				plan_warn(c, "source_deployment_unresolved",
				    "Deployment %s of %s on %s serves no "
				    "model standby can name, so it is not "
				    "replicated",
				    sd[i]->name, p->name, cp->source);
				continue;
			}
		}
		d->dep_labels[d->ndeps++] = label;
		if (!has(d->labels, d->nlabels, label))
			d->labels[d->nlabels++] = label;
	}
	return 0;
}

/* Fills the Language target of action i. */
static void
set_target(struct plan_ctx *c, size_t i, struct pproj *p, const char *res,
    const char *source)
{
	const struct config_resource *r = config_resource_find(c->cfg, res);
	struct plan_act *a;

	if (i == NONE)
		return;
	a = &c->acts[i];
	a->resource = res;
	a->region = r != NULL ? r->region : "unknown";
	a->project = p->name;
	a->project_kind = p->azure_kind;
	a->source = source;
	a->rank = c->rank[p->pi];
}

static const char *
short_hash(struct plan_ctx *c, const char *h)
{
	if (h == NULL)
		return "none";
	return plan_strf(c, "%.12s", h);
}

/* ------------------------------------------------------------------ */
/* import and export                                                   */

/* Why R/P must be imported, or NULL when it need not be. */
static const char *
import_reason(struct plan_ctx *c, struct pproj *p, const char *R,
    const struct state_object *ro, const struct state_replication *rec,
    const char **msg)
{
	const char *P = p->name, *S = p->cp->source;
	int cmp;

	if (ro == NULL) {
		*msg = plan_strf(c, "%s does not exist on %s", P, R);
		return "replica_missing";
	}
	if (rec == NULL && S != NULL) {
		/* A replica made by hand (or by an earlier tool): the fail-over
		 * guides' own rule decides, so adopting an existing set-up
		 * does not re-import everything. */
		if (plan_time_cmp(ro->last_modified, p->so->last_modified) >= 0)
			return NULL;
		*msg = plan_strf(c,
		    "%s on %s was modified at %s, after its replica on %s "
		    "(%s), which standby did not build",
		    P, S, p->so->last_modified, R,
		    ro->last_modified ? ro->last_modified : "unknown");
		return "source_changed";
	}
	if (rec == NULL) {
		*msg = plan_strf(c, "%s on %s was not built by standby from %s",
		    P, R, p->cp->assets);
		return "replica_modified_out_of_band";
	}
	if (S != NULL) {
		if (rec->source_resource != NULL &&
		    strcmp(rec->source_resource, S) != 0) {
			*msg = plan_strf(c,
			    "%s on %s was built from %s, but its source is "
			    "now %s",
			    P, R, rec->source_resource, S);
			return "source_changed";
		}
		cmp = plan_time_cmp(rec->source_modified, p->so->last_modified);
		if (cmp < 0) {
			*msg = plan_strf(c,
			    "%s on %s was modified at %s, after the replica "
			    "was built from it (%s)",
			    P, S, p->so->last_modified,
			    rec->source_modified ? rec->source_modified
			                         : "unknown");
			return "source_changed";
		}
		if (cmp > 0) {
			*msg = plan_strf(c,
			    "%s on %s was last modified at %s, not at %s as "
			    "when the replica was built from it",
			    P, S, p->so->last_modified, rec->source_modified);
			return "source_changed";
		}
		if (p->snap != NULL && rec->snapshot != NULL &&
		    strcmp(p->snap->hash, rec->snapshot) != 0) {
			*msg = plan_strf(c,
			    "The snapshot of %s on %s (%s) differs from the "
			    "one %s was built from (%s)",
			    P, S, short_hash(c, p->snap->hash), R,
			    short_hash(c, rec->snapshot));
			return "source_changed";
		}
	} else if (rec->snapshot == NULL ||
	    strcmp(rec->snapshot, p->assets_hash) != 0) {
		*msg = plan_strf(c,
		    "The assets file %s changed since %s was imported into "
		    "%s (%s, now %s)",
		    p->cp->assets, P, R, short_hash(c, rec->snapshot),
		    short_hash(c, p->assets_hash));
		return "assets_changed";
	}
	if (rec->replica_modified != NULL &&
	    plan_time_cmp(ro->last_modified, rec->replica_modified) != 0) {
		*msg = plan_strf(c,
		    "%s on %s was modified at %s, after standby imported it "
		    "(%s)",
		    P, R, ro->last_modified ? ro->last_modified : "unknown",
		    rec->replica_modified);
		return "replica_modified_out_of_band";
	}
	return NULL;
}

static size_t
add_export(
    struct plan_ctx *c, struct pproj *p, const char *code, const char *msg)
{
	const char *S = p->cp->source;
	size_t i;

	if (p->export_idx != NONE)
		return p->export_idx;
	i = plan_add(c, "export", PLANFILE_READ, p->name, PLAN_POS_EXPORT,
	    "export:%s@%s", p->name, S);
	if (i == NONE)
		return NONE;
	set_target(c, i, p, S, NULL);
	plan_reason(c, i, code, "%s", msg);
	c->acts[i].after = plan_obj(c);
	plan_set_str(
	    c, c->acts[i].after, "lastModifiedDateTime", p->so->last_modified);
	p->export_idx = i;
	return i;
}

/* Plans the import of P into R; sets *snapshot to what the replica will
 * hold (or holds) and returns the import's index or NONE. */
static size_t
plan_import(struct plan_ctx *c, struct pproj *p, const char *R,
    const struct state_object *ro, const struct state_replication *rec,
    const char **snapshot)
{
	const char *code, *msg = NULL;
	size_t i, e;

	*snapshot = rec != NULL ? rec->snapshot : NULL;
	code = import_reason(c, p, R, ro, rec, &msg);
	if (code == NULL || msg == NULL)
		return NONE;
	i = plan_add(c, "import",
	    ro != NULL ? PLANFILE_REPLACE : PLANFILE_CREATE, p->name,
	    PLAN_POS_IMPORT, "import:%s@%s", p->name, R);
	if (i == NONE)
		return NONE;
	set_target(c, i, p, R, p->cp->source);
	plan_reason(c, i, code, "%s", msg);
	if (p->cp->source == NULL) {
		*snapshot = p->assets_hash;
	} else if (p->snap != NULL) {
		*snapshot = p->snap->hash;
	} else {
		e = add_export(c, p, code, msg);
		plan_depend(c, i, e);
		*snapshot =
		    plan_strf(c, "from export:%s@%s", p->name, p->cp->source);
	}
	if (ro != NULL) {
		c->acts[i].before = plan_obj(c);
		plan_set_str(c, c->acts[i].before, "lastModifiedDateTime",
		    ro->last_modified);
		plan_set_str(c, c->acts[i].before, "snapshot",
		    rec != NULL ? rec->snapshot : NULL);
		if (p->cp->source != NULL)
			plan_set_str(c, c->acts[i].before, "sourceModified",
			    rec != NULL ? rec->source_modified : NULL);
	}
	c->acts[i].after = plan_obj(c);
	if (ro != NULL)
		plan_set_str(
		    c, c->acts[i].after, "lastModifiedDateTime", KNOWN_AFTER);
	plan_set_str(c, c->acts[i].after, "snapshot", *snapshot);
	if (p->cp->source != NULL)
		plan_set_str(c, c->acts[i].after, "sourceModified",
		    p->so->last_modified);
	else
		plan_set_str(c, c->acts[i].after, "assets", p->cp->assets);
	return i;
}

/* ------------------------------------------------------------------ */
/* train and deploy                                                    */

static const char *
train_reason(struct plan_ctx *c, struct pproj *p, const char *R, const char *L,
    size_t imp, const struct state_object *mo,
    const struct state_replication *rec, const char **msg)
{
	const struct state_trained *tr = plan_trained(c, R, p->name, L);
	const struct state_object *dep, *ro;
	const char *P = p->name;
	size_t k;

	if (mo == NULL) {
		*msg = plan_strf(
		    c, "Model %s of %s does not exist on %s", L, P, R);
		return "model_missing";
	}
	if (imp != NONE) {
		*msg = plan_strf(c,
		    "The assets of %s on %s are re-imported, so model %s "
		    "must be retrained",
		    P, R, L);
		return "model_stale";
	}
	if (tr == NULL && rec == NULL &&
	    (ro = plan_object(c, STATE_PROJECT, R, P, P)) != NULL &&
	    plan_time_cmp(mo->last_trained, ro->last_modified) >= 0) {
		/* Adopted replica: trained after its last change is current. */
	} else if (tr == NULL) {
		*msg = plan_strf(c,
		    "Model %s of %s on %s was not trained by "
		    "standby",
		    L, P, R);
		return "model_stale";
	}
	if (rec != NULL && rec->snapshot != NULL &&
	    (tr->snapshot == NULL ||
	        strcmp(tr->snapshot, rec->snapshot) != 0)) {
		*msg = plan_strf(c,
		    "Model %s of %s on %s was trained from an older snapshot "
		    "(%s) than the project holds (%s)",
		    L, P, R, short_hash(c, tr->snapshot),
		    short_hash(c, rec->snapshot));
		return "model_stale";
	}
	if (plan_expiring(c, mo->expiration)) {
		*msg = plan_strf(c,
		    "Model %s of %s on %s expires on %s, within the expiry "
		    "window (%s)",
		    L, P, R, mo->expiration, plan_window_words(c));
		return "deployment_expiring";
	}
	for (k = 0; k < p->d.ndeps; k++) {
		if (strcmp(p->d.dep_labels[k], L) != 0)
			continue;
		dep = plan_object(c, STATE_DEPLOYMENT, R, P, p->d.dep_names[k]);
		if (dep != NULL && plan_expiring(c, dep->expiration)) {
			*msg = plan_strf(c,
			    "Deployment %s of %s on %s expires on %s, within "
			    "the expiry window (%s), so model %s is "
			    "retrained",
			    dep->name, P, R, dep->expiration,
			    plan_window_words(c), L);
			return "deployment_expiring";
		}
	}
	return NULL;
}

static size_t
plan_train(struct plan_ctx *c, struct pproj *p, const char *R, const char *L,
    size_t imp, const struct state_replication *rec, const char *snapshot)
{
	const struct state_object *mo =
	    plan_object(c, STATE_MODEL, R, p->name, L);
	const struct state_trained *tr;
	const struct config_model *m = &p->cp->model;
	const char *code, *msg = NULL;
	struct plan_act *a;
	size_t i;

	code = train_reason(c, p, R, L, imp, mo, rec, &msg);
	if (code == NULL || msg == NULL)
		return NONE;
	i = plan_add(c, "train", mo != NULL ? PLANFILE_UPDATE : PLANFILE_CREATE,
	    p->name, PLAN_POS_TRAIN, "train:%s@%s/%s", p->name, R, L);
	if (i == NONE)
		return NONE;
	set_target(c, i, p, R, p->cp->source);
	plan_reason(c, i, code, "%s", msg);
	plan_depend(c, i, imp);
	a = &c->acts[i];
	a->model = L;
	if (mo != NULL) {
		tr = plan_trained(c, R, p->name, L);
		a->before = plan_obj(c);
		plan_set_str(c, a->before, "label", L);
		plan_set_str(c, a->before, "trainingConfigVersion",
		    mo->training_config_version);
		plan_set_str(
		    c, a->before, "snapshot", tr != NULL ? tr->snapshot : NULL);
		plan_set_str(c, a->before, "expires", mo->expiration);
	}
	a->after = plan_obj(c);
	plan_set_str(c, a->after, "label", L);
	if (m->mode != CONFIG_TRAINING_UNSET)
		plan_set_str(
		    c, a->after, "mode", config_training_mode_name(m->mode));
	plan_set_str(c, a->after, "trainingConfigVersion",
	    m->config_version != NULL ? m->config_version : "latest");
	plan_set_str(c, a->after, "snapshot", snapshot);
	if (mo != NULL && mo->expiration != NULL)
		plan_set_str(c, a->after, "expires", KNOWN_AFTER);
	return i;
}

/* The label of the replica model a deployment serves, for before. */
static const char *
served_label(struct plan_ctx *c, const char *R, const char *P,
    const struct state_object *dep)
{
	return dep->model_id != NULL ? source_label(c, R, P, dep) : NULL;
}

static size_t
plan_deploy(struct plan_ctx *c, struct pproj *p, const char *R, const char *D,
    const char *L, size_t train)
{
	const struct state_object *dep, *mo;
	const char *P = p->name, *code, *msg;
	struct plan_act *a;
	size_t i;

	dep = plan_object(c, STATE_DEPLOYMENT, R, P, D);
	mo = plan_object(c, STATE_MODEL, R, P, L);
	if (dep == NULL) {
		code = "deployment_missing";
		msg = plan_strf(
		    c, "Deployment %s of %s does not exist on %s", D, P, R);
	} else if (plan_expiring(c, dep->expiration)) {
		code = "deployment_expiring";
		msg = plan_strf(c,
		    "Deployment %s of %s on %s expires on %s, within the "
		    "expiry window (%s)",
		    D, P, R, dep->expiration, plan_window_words(c));
	} else if (train != NONE) {
		code = "dependency";
		msg = plan_strf(c,
		    "Model %s of %s on %s is retrained, so deployment %s must "
		    "be redeployed",
		    L, P, R, D);
	} else if (mo != NULL && mo->model_id != NULL &&
	    (dep->model_id == NULL ||
	        strcmp(dep->model_id, mo->model_id) != 0)) {
		code = "deployment_model_mismatch";
		msg = plan_strf(c,
		    "Deployment %s of %s on %s serves model %s, not model %s "
		    "(%s)",
		    D, P, R, dep->model_id ? dep->model_id : "unknown", L,
		    mo->model_id);
	} else {
		return NONE;
	}
	if (msg == NULL)
		return NONE;
	i = plan_add(c, "deploy",
	    dep != NULL ? PLANFILE_UPDATE : PLANFILE_CREATE, P, PLAN_POS_DEPLOY,
	    "deploy:%s@%s/%s", P, R, D);
	if (i == NONE)
		return NONE;
	set_target(c, i, p, R, p->cp->source);
	plan_reason(c, i, code, "%s", msg);
	plan_depend(c, i, train);
	a = &c->acts[i];
	a->deployment = D;
	a->model = L;
	if (dep != NULL) {
		a->before = plan_obj(c);
		plan_set_str(
		    c, a->before, "modelLabel", served_label(c, R, P, dep));
		plan_set_str(c, a->before, "modelId", dep->model_id);
		plan_set_str(c, a->before, "expires", dep->expiration);
	}
	a->after = plan_obj(c);
	plan_set_str(c, a->after, "modelLabel", L);
	plan_set_str(c, a->after, "modelId",
	    train != NONE    ? plan_strf(c, "from %s", c->acts[train].id)
	        : mo != NULL ? mo->model_id
	                     : NULL);
	if (dep != NULL && dep->expiration != NULL)
		plan_set_str(c, a->after, "expires",
		    train != NONE || plan_expiring(c, dep->expiration)
		        ? KNOWN_AFTER
		        : dep->expiration);
	return i;
}

/* ------------------------------------------------------------------ */
/* Orchestration                                                       */

/* Makes the train and deploy actions of orchestration p on replica j
 * depend on the deploy actions of the routed projects on that resource. */
static void
route_deps(struct plan_ctx *c, struct pproj *p, size_t j, size_t first)
{
	const struct config_project *cp = p->cp, *t;
	const char *R = cp->replicas[j];
	const struct plan_unit *u;
	size_t r, k, ti, a, d;

	for (r = 0; r < cp->nroutes; r++) {
		t = plan_project_named(c->cfg, cp->routes[r]);
		if (t == NULL || t == cp)
			continue;
		ti = (size_t)(t - c->cfg->projects);
		for (k = 0; k < t->nreplicas; k++)
			if (strcmp(t->replicas[k], R) == 0)
				break;
		if (k == t->nreplicas)
			continue;
		u = &c->units[ti][k];
		for (a = first; a < c->nacts; a++) {
			if (strcmp(c->acts[a].kind, "train") != 0 &&
			    strcmp(c->acts[a].kind, "deploy") != 0)
				continue;
			/* A deploy after its own train waits through it. */
			if (strcmp(c->acts[a].kind, "deploy") == 0 &&
			    c->acts[a].ndeps > 0)
				continue;
			for (d = 0; d < u->ndeploys; d++)
				plan_depend(c, a, u->deploys[d]);
		}
	}
}

static void
route_warnings(struct plan_ctx *c, struct pproj *p)
{
	const struct config_project *cp = p->cp, *t;
	size_t r, j;

	for (r = 0; r < cp->nroutes; r++) {
		t = plan_project_named(c->cfg, cp->routes[r]);
		if (t == NULL) {
			plan_warn(c, "orchestration_target_undeclared",
			    "%s routes to %s, which %s does not declare",
			    p->name, cp->routes[r], c->cfg->path);
			continue;
		}
		for (j = 0; j < cp->nreplicas; j++) {
			const char *R = cp->replicas[j];

			if ((t->source != NULL && strcmp(t->source, R) == 0) ||
			    has((const char *const *)t->replicas, t->nreplicas,
			        R))
				continue;
			plan_warn(c, "orchestration_target_not_replicated",
			    "%s on %s routes to %s, which standby does not "
			    "keep on %s",
			    p->name, R, t->name, R);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Prune                                                               */

static int
is_source(const struct config *cfg, const char *res)
{
	size_t i;

	for (i = 0; i < cfg->nprojects; i++)
		if (cfg->projects[i].source != NULL &&
		    strcmp(cfg->projects[i].source, res) == 0)
			return 1;
	return 0;
}

/* Deletes the deployments and models of P on R that are not desired. */
static void
prune_replica(struct plan_ctx *c, struct pproj *p, const char *R)
{
	const struct state_object *const *deps, *const *models;
	const char *P = p->name;
	size_t nd, nm, k, m, i, *del = NULL;
	int kept;

	deps = plan_objects(c, STATE_DEPLOYMENT, R, P, &nd);
	models = plan_objects(c, STATE_MODEL, R, P, &nm);
	if ((del = calloc(nd + 1, sizeof(*del))) == NULL) {
		c->nomem = 1;
		return;
	}
	for (k = 0; k < nd; k++) {
		del[k] = NONE;
		if (has(p->d.dep_names, p->d.ndeps, deps[k]->name))
			continue;
		if (p->cp->protect) {
			plan_warn(c, "protected_kept",
			    "%s on %s is protected (protect: true), so its "
			    "deployment %s, which %s does not list, was kept",
			    P, R, deps[k]->name, c->cfg->path);
			continue;
		}
		i = plan_add(c, "delete_deployment", PLANFILE_DELETE, P, 0,
		    "delete_deployment:%s@%s/%s", P, R, deps[k]->name);
		if (i == NONE)
			break;
		set_target(c, i, p, R, NULL);
		c->acts[i].deployment = deps[k]->name;
		plan_reason(c, i, "not_desired",
		    "Deployment %s of %s on %s is not in %s", deps[k]->name, P,
		    R, c->cfg->path);
		c->acts[i].before = plan_obj(c);
		plan_set_str(c, c->acts[i].before, "modelLabel",
		    served_label(c, R, P, deps[k]));
		plan_set_str(
		    c, c->acts[i].before, "modelId", deps[k]->model_id);
		del[k] = i;
	}
	for (m = 0; m < nm; m++) {
		if (has(p->d.labels, p->d.nlabels, models[m]->name))
			continue;
		kept = 0;
		for (k = 0; k < nd; k++)
			if (del[k] == NONE && deps[k]->model_id != NULL &&
			    models[m]->model_id != NULL &&
			    strcmp(deps[k]->model_id, models[m]->model_id) == 0)
				kept = 1;
		if (kept)
			continue;
		if (p->cp->protect) {
			plan_warn(c, "protected_kept",
			    "%s on %s is protected (protect: true), so its "
			    "model %s, which %s does not list, was kept",
			    P, R, models[m]->name, c->cfg->path);
			continue;
		}
		i = plan_add(c, "delete_model", PLANFILE_DELETE, P, 1,
		    "delete_model:%s@%s/%s", P, R, models[m]->name);
		if (i == NONE)
			break;
		set_target(c, i, p, R, NULL);
		c->acts[i].model = models[m]->name;
		plan_reason(c, i, "not_desired",
		    "Model %s of %s on %s is not in %s and no deployment "
		    "serves it",
		    models[m]->name, P, R, c->cfg->path);
		c->acts[i].before = plan_obj(c);
		plan_set_str(
		    c, c->acts[i].before, "modelId", models[m]->model_id);
		plan_set_str(
		    c, c->acts[i].before, "expires", models[m]->expiration);
		for (k = 0; k < nd; k++)
			if (del[k] != NONE && deps[k]->model_id != NULL &&
			    models[m]->model_id != NULL &&
			    strcmp(deps[k]->model_id, models[m]->model_id) == 0)
				plan_depend(c, i, del[k]);
	}
	free(del);
}

/* 1 when project name P is desired on resource R. */
static int
desired_on(const struct config *cfg, const char *P, const char *R)
{
	const struct config_project *cp;
	size_t i;

	for (i = 0; i < cfg->nprojects; i++) {
		cp = &cfg->projects[i];
		if (strcmp(cp->name, P) == 0 &&
		    has((const char *const *)cp->replicas, cp->nreplicas, R))
			return 1;
	}
	return 0;
}

/* With targets, only the targeted projects' leftovers are pruned. */
static int
prune_targeted(struct plan_ctx *c, const char *P)
{
	const struct config_project *cp;

	if (c->opts->ntargets == 0)
		return 1;
	if (has(c->opts->targets, c->opts->ntargets, P))
		return 1;
	cp = plan_project_named(c->cfg, P);
	return cp != NULL && c->selected[cp - c->cfg->projects];
}

/* Deletes the projects standby built that are no longer desired where
 * they are. */
static void
prune_projects(struct plan_ctx *c)
{
	const struct state_replication *rec;
	const struct config_resource *r;
	const struct config_project *cp;
	const struct state_object *ro;
	struct pproj p = { 0 };
	size_t k, i;

	for (k = 0; k < c->view->nreplications; k++) {
		rec = c->reps[k];
		r = config_resource_find(c->cfg, rec->replica_resource);
		if (r == NULL || r->type != CONFIG_RESOURCE_LANGUAGE ||
		    is_source(c->cfg, r->name) ||
		    desired_on(c->cfg, rec->project, r->name) ||
		    !prune_targeted(c, rec->project))
			continue;
		ro = plan_object(
		    c, STATE_PROJECT, r->name, rec->project, rec->project);
		if (ro == NULL)
			continue;
		cp = plan_project_named(c->cfg, rec->project);
		if (cp != NULL && cp->protect) {
			plan_warn(c, "protected_kept",
			    "%s on %s is protected (protect: true), so it was "
			    "kept although %s no longer replicates it there",
			    rec->project, r->name, c->cfg->path);
			continue;
		}
		p.pi = cp != NULL ? (size_t)(cp - c->cfg->projects) : 0;
		p.name = rec->project;
		p.azure_kind = ro->project_kind;
		i = plan_add(c, "delete_project", PLANFILE_DELETE, rec->project,
		    2, "delete_project:%s@%s", rec->project, r->name);
		if (i == NONE)
			return;
		set_target(c, i, &p, r->name, NULL);
		c->acts[i].rank = cp != NULL ? c->rank[p.pi] : 0;
		plan_reason(c, i, "not_desired",
		    "%s on %s was built by standby but %s no longer "
		    "replicates it there",
		    rec->project, r->name, c->cfg->path);
		c->acts[i].before = plan_obj(c);
		plan_set_str(c, c->acts[i].before, "lastModifiedDateTime",
		    ro->last_modified);
		plan_set_str(c, c->acts[i].before, "snapshot", rec->snapshot);
	}
}

/* ------------------------------------------------------------------ */
/* The planner                                                         */

static int
plan_project(struct plan_ctx *c, struct pproj *p)
{
	const struct config_project *cp = p->cp;
	const struct state_replication *rec;
	const struct state_resource *sr;
	const struct state_object *ro;
	const char *R, *snapshot;
	size_t j, l, k, imp, first, di;
	char when[21];

	p->name = cp->name;
	p->azure_kind = config_kind_azure(cp->kind);
	p->export_idx = NONE;
	if (cp->source != NULL) {
		p->so =
		    plan_object(c, STATE_PROJECT, cp->source, p->name, p->name);
		if (p->so == NULL) {
			sr = plan_resource(c, cp->source);
			if (c->opts->missing_source_ok) {
				plan_warn(c, "source_missing",
				    "source project '%s' not found on %s",
				    p->name, cp->source);
				return 0;
			}
			if (sr == NULL || sr->refreshed_at == 0)
				return err_set(c->err, ERR_SPEC,
				    "source project '%s' not found on %s "
				    "(never refreshed; run standby refresh)",
				    p->name, cp->source);
			plan_format_time(sr->refreshed_at, when);
			return err_set(c->err, ERR_SPEC,
			    "source project '%s' not found on %s (refreshed "
			    "%s)",
			    p->name, cp->source, when);
		}
		p->snap =
		    plan_snapshot(c, p->name, cp->source, p->so->last_modified);
	} else {
		if (c->opts->assets_hash == NULL)
			return err_set(c->err, ERR_SPEC,
			    "project '%s': no way to hash its assets file",
			    cp->key);
		if (c->opts->assets_hash(
		        c->opts->assets_arg, cp, p->assets_hash, c->err) != 0)
			return -1;
	}
	if (desired_compute(c, p) != 0 ||
	    (p->train_idx = calloc(p->d.nlabels + 1, sizeof(size_t))) == NULL) {
		c->nomem = 1;
		return 0;
	}
	p->train_idx[p->d.nlabels] = NONE;
	route_warnings(c, p);
	for (j = 0; j < cp->nreplicas; j++) {
		R = cp->replicas[j];
		ro = plan_object(c, STATE_PROJECT, R, p->name, p->name);
		rec = plan_replication(c, R, p->name);
		first = c->nacts;
		imp = plan_import(c, p, R, ro, rec, &snapshot);
		for (l = 0; l < p->d.nlabels; l++)
			p->train_idx[l] = plan_train(
			    c, p, R, p->d.labels[l], imp, rec, snapshot);
		for (k = 0; k < p->d.ndeps; k++) {
			for (l = 0; l < p->d.nlabels; l++)
				if (strcmp(p->d.labels[l],
				        p->d.dep_labels[k]) == 0)
					break;
			di = plan_deploy(c, p, R, p->d.dep_names[k],
			    p->d.dep_labels[k], p->train_idx[l]);
			if (di != NONE) {
				struct plan_unit *u = &c->units[p->pi][j];
				size_t *nv = realloc(u->deploys,
				    (u->ndeploys + 1) * sizeof(*nv));

				if (nv == NULL) {
					c->nomem = 1;
					return 0;
				}
				u->deploys = nv;
				u->deploys[u->ndeploys++] = di;
			}
		}
		if (cp->nroutes > 0)
			route_deps(c, p, j, first);
		if (c->opts->prune && ro != NULL && !is_source(c->cfg, R))
			prune_replica(c, p, R);
		if (c->nomem)
			return 0;
	}
	return 0;
}

int
plan_language(struct plan_ctx *c)
{
	struct pproj p;
	size_t i, pi;
	int rc = 0;

	for (i = 0; i < c->cfg->nprojects && rc == 0 && !c->nomem; i++) {
		pi = c->order[i];
		if (!c->selected[pi])
			continue;
		memset(&p, 0, sizeof(p));
		p.pi = pi;
		p.cp = &c->cfg->projects[pi];
		rc = plan_project(c, &p);
		desired_release(&p.d);
		free(p.train_idx);
	}
	if (rc == 0 && !c->nomem && c->opts->prune)
		prune_projects(c);
	return rc;
}
