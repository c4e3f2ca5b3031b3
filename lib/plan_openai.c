/*
 * plan_openai.c - the Azure OpenAI planner: which deployments to create,
 * update or delete on which account, which fine-tuned models to (re)train,
 * and whether each region can take what is asked of it.
 *
 * Desired state is per openai: entry and account; live state is the
 * deployments refresh cached (STATE_OPENAI_DEPLOYMENT, the ARM resource
 * as JSON) and, per account, the region's models and usages and the
 * account's fine-tuning jobs.  What a field the user left unset looks like
 * on the server is the server's business: lib/openai's diff ignores it, so
 * a plan right after an apply is empty.
 *
 * Pre-flight runs on the actions, not on the config: only what would be
 * created or changed needs capacity, and an update asks only for the
 * increase.  A shortfall fails the whole plan (nothing half-applied), or
 * with --allow-partial drops just the actions it concerns, so the other
 * region still gets its standby.
 */
#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "config.h"
#include "openai.h"
#include "plan_int.h"
#include "sha256.h"

/* Every OpenAI group sorts after every Language group. */
#define OAI_RANK (INT_MAX / 2)
#define NONE ((size_t)-1)

/* A create or update that pre-flight checks. */
struct want {
	const struct config_openai *d;
	const struct config_resource *res;
	size_t deploy; /* its action */
	size_t ft;     /* the finetune it deploys, or NONE */
	int live_capacity;
};

/* One account's cached catalogue, parsed. */
struct cat {
	const struct config_resource *res;
	const struct state_openai_catalog *rec; /* NULL: never read */
	struct openai_models models;
	struct openai_usages usages;
	int has_models, has_usages;
	cJSON *jobs; /* the fine-tuning jobs, or NULL when unknown */
};

struct oai {
	struct plan_ctx *c;
	struct want *wants;
	size_t nwants, capwants;
	struct cat *cats; /* per config resource */
};

const struct config_openai *
plan_openai_named(const struct config *cfg, const char *name)
{
	const struct config_openai *o = config_openai_find(cfg, name);
	size_t i;

	if (o != NULL)
		return o;
	for (i = 0; i < cfg->nopenai; i++)
		if (strcmp(cfg->openai[i].name, name) == 0)
			return &cfg->openai[i];
	return NULL;
}

/* A copy of s kept until the plan is made (NULL stays NULL). */
static const char *
keep(struct plan_ctx *c, const char *s)
{
	return s == NULL ? NULL : plan_strf(c, "%s", s);
}

static void
set_int(struct plan_ctx *c, cJSON *o, const char *key, long long v, int null)
{
	if (o == NULL)
		return;
	if ((null ? cJSON_AddNullToObject(o, key)
	          : cJSON_AddNumberToObject(o, key, (double)v)) == NULL)
		c->nomem = 1;
}

static struct cat *
cat_of(struct oai *o, const struct config_resource *res)
{
	return &o->cats[res - o->c->cfg->resources];
}

/* Parses the cached catalogue of every openai account. */
static int
load_cats(struct oai *o)
{
	struct plan_ctx *c = o->c;
	const struct plan_view *v = c->view;
	size_t i, j;

	o->cats = calloc(
	    c->cfg->nresources ? c->cfg->nresources : 1, sizeof(*o->cats));
	if (o->cats == NULL) {
		c->nomem = 1;
		return -1;
	}
	for (i = 0; i < c->cfg->nresources; i++) {
		struct cat *k = &o->cats[i];
		const struct state_openai_catalog *rec = NULL;
		cJSON *j2;

		k->res = &c->cfg->resources[i];
		if (k->res->type != CONFIG_RESOURCE_OPENAI)
			continue;
		for (j = 0; j < v->noai_catalogs; j++)
			if (strcmp(v->oai_catalogs[j].resource, k->res->name) ==
			    0)
				rec = &v->oai_catalogs[j];
		if ((k->rec = rec) == NULL)
			continue;
		if (rec->models != NULL) {
			if ((j2 = cJSON_Parse(rec->models)) == NULL ||
			    openai_models_parse(j2, &k->models, c->err) != 0) {
				cJSON_Delete(j2);
				if (j2 == NULL)
					err_set(c->err, ERR_SPEC, "not JSON");
				return err_wrap(c->err,
				    "cached models of %s in the state file",
				    k->res->name);
			}
			cJSON_Delete(j2);
			k->has_models = 1;
		}
		if (rec->usages != NULL) {
			if ((j2 = cJSON_Parse(rec->usages)) == NULL ||
			    openai_usages_parse(j2, &k->usages, c->err) != 0) {
				cJSON_Delete(j2);
				if (j2 == NULL)
					err_set(c->err, ERR_SPEC, "not JSON");
				return err_wrap(c->err,
				    "cached usages of %s in the state file",
				    k->res->name);
			}
			cJSON_Delete(j2);
			k->has_usages = 1;
		}
		if (rec->finetunes != NULL &&
		    ((k->jobs = cJSON_Parse(rec->finetunes)) == NULL ||
		        !cJSON_IsArray(k->jobs)))
			return err_set(c->err, ERR_SPEC,
			    "cached fine-tuning jobs of %s in the state file: "
			    "not a JSON array",
			    k->res->name);
	}
	return 0;
}

static void
release(struct oai *o)
{
	size_t i;

	if (o->cats != NULL)
		for (i = 0; i < o->c->cfg->nresources; i++) {
			openai_models_release(&o->cats[i].models);
			openai_usages_release(&o->cats[i].usages);
			cJSON_Delete(o->cats[i].jobs);
		}
	free(o->cats);
	free(o->wants);
}

static void
add_want(struct oai *o, const struct config_openai *d,
    const struct config_resource *res, size_t deploy, size_t ft, int live_cap)
{
	struct want *w;

	if (deploy == NONE)
		return;
	if (o->nwants == o->capwants) {
		size_t cap = o->capwants ? o->capwants * 2 : 16;

		if ((w = realloc(o->wants, cap * sizeof(*w))) == NULL) {
			o->c->nomem = 1;
			return;
		}
		o->wants = w;
		o->capwants = cap;
	}
	w = &o->wants[o->nwants++];
	w->d = d;
	w->res = res;
	w->deploy = deploy;
	w->ft = ft;
	w->live_capacity = live_cap;
}

/* Sets the OpenAI target of action i. */
static void
target(struct plan_ctx *c, size_t i, const struct config_resource *res,
    const char *deployment, const char *model_name, const char *version,
    const char *sku, long long capacity)
{
	struct plan_act *a;

	if (i >= c->nacts)
		return;
	a = &c->acts[i];
	a->type = "openai";
	a->resource = res->name;
	a->region = res->region;
	a->deployment = deployment;
	a->model_name = model_name;
	a->model_version = version;
	a->sku = sku;
	a->capacity = capacity;
	a->rank = OAI_RANK;
}

/* The deployment d asks for, as before/after scalars.  model_name: what
 * it serves (a fine-tuned id or "from finetune:..."); unset values are
 * the service's to fill. */
static cJSON *
want_summary(struct plan_ctx *c, const struct config_openai *d,
    const char *model_name, const char *version)
{
	const char *later = "(known after apply)";
	const char *up = config_upgrade_name(d->upgrade);
	cJSON *o = plan_obj(c);

	plan_set_str(c, o, "model_format", d->model_format);
	plan_set_str(c, o, "model_name", model_name);
	plan_set_str(c, o, "model_version", version ? version : later);
	plan_set_str(c, o, "sku", d->sku_name);
	set_int(c, o, "capacity", d->sku_capacity, 0);
	plan_set_str(c, o, "version_upgrade_option", up ? up : later);
	plan_set_str(c, o, "rai_policy", d->rai_policy ? d->rai_policy : later);
	return o;
}

static cJSON *
live_summary(struct plan_ctx *c, const struct openai_deployment *l)
{
	cJSON *o = plan_obj(c);

	plan_set_str(c, o, "model_format", l->model_format);
	plan_set_str(c, o, "model_name", l->model_name);
	plan_set_str(c, o, "model_version", l->model_version);
	plan_set_str(c, o, "sku", l->sku_name);
	set_int(c, o, "capacity", l->sku_capacity, l->sku_capacity < 0);
	plan_set_str(c, o, "version_upgrade_option", l->version_upgrade_option);
	plan_set_str(c, o, "rai_policy", l->rai_policy_name);
	return o;
}

/* The summary key of a diff field. */
static const char *
diff_key(enum openai_change ch)
{
	switch (ch) {
	case OPENAI_MODEL_CHANGED:
		return "model_name";
	case OPENAI_SKU_CHANGED:
		return "sku";
	case OPENAI_CAPACITY_CHANGED:
		return "capacity";
	case OPENAI_VERSION_CHANGED:
		return "model_version";
	case OPENAI_UPGRADE_OPTION_CHANGED:
		return "version_upgrade_option";
	case OPENAI_RAI_POLICY_CHANGED:
		return "rai_policy";
	}
	return "unknown";
}

static void
diff_value(struct plan_ctx *c, cJSON *o, const struct openai_diff_item *it,
    const char *v)
{
	const char *key = diff_key(it->change);

	if (it->change == OPENAI_CAPACITY_CHANGED && v != NULL)
		set_int(c, o, key, strtol(v, NULL, 10), 0);
	else
		plan_set_str(c, o, key, v);
}

/* ------------------------------------------------------------------ */
/* Fine-tuning                                                         */

static void
hex_of(const char *s, char hex[SNAPSHOT_HASH_SIZE])
{
	unsigned char d[32];

	if (sha256_digest(s, strlen(s), d) != 0)
		memset(d, 0, sizeof(d));
	sha256_hex(d, hex);
}

/* The settings a fine-tuned model is trained with, in a fixed text form:
 * its hash tells whether a model is still what standby.yaml asks for. */
static int
settings_text(const struct config_finetune *f, struct buf *b)
{
	buf_addf(b, "base_model=%s\n", f->base_model);
	buf_addf(b, "n_epochs=%d\nbatch_size=%d\n", f->n_epochs, f->batch_size);
	buf_addf(
	    b, "learning_rate_multiplier=%.17g\n", f->learning_rate_multiplier);
	if (f->has_seed)
		buf_addf(b, "seed=%lld\n", f->seed);
	else
		buf_addstr(b, "seed=-\n");
	buf_addf(b, "suffix=%s\n", f->suffix ? f->suffix : "-");
	return b->failed ? -1 : 0;
}

/* 1 unless the account's job list is known and has no succeeded job that
 * made model. */
static int
model_present(struct cat *k, const char *model)
{
	const cJSON *j;

	if (k->jobs == NULL)
		return 1;
	cJSON_ArrayForEach(j, k->jobs)
	{
		const char *m = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(j, "fine_tuned_model"));
		const char *st = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(j, "status"));

		if (m != NULL && strcmp(m, model) == 0 &&
		    (st == NULL || strcasecmp(st, "succeeded") == 0))
			return 1;
	}
	return 0;
}

static const struct state_finetuned *
record_of(struct plan_ctx *c, const char *resource, const char *key)
{
	size_t i;

	for (i = 0; i < c->view->nfinetuned; i++) {
		const struct state_finetuned *f = &c->view->finetuned[i];

		if (strcmp(f->resource, resource) == 0 &&
		    strcmp(f->key, key) == 0)
			return f;
	}
	return NULL;
}

/* Plans the fine-tuning of d's model on res: *ft is the finetune action
 * (NONE when the recorded model is current, then *model is its id). */
static int
plan_finetune(struct oai *o, const struct config_openai *d,
    const struct config_resource *res, int pos, size_t *ft, const char **model)
{
	struct plan_ctx *c = o->c;
	const struct config_finetune *f = d->fine_tune;
	const struct state_finetuned *rec = record_of(c, res->name, d->key);
	char train[SNAPSHOT_HASH_SIZE], valid[SNAPSHOT_HASH_SIZE];
	char data[SNAPSHOT_HASH_SIZE], sets[SNAPSHOT_HASH_SIZE];
	struct buf b = { .max = 4096 };
	const char *code, *group;
	char *msg = NULL;
	cJSON *after;
	size_t a;
	int present;

	*ft = NONE;
	*model = NULL;
	if (c->opts->file_hash == NULL)
		return err_set(c->err, ERR_SPEC,
		    "openai: %s: fine-tuned deployments need the data files' "
		    "hashes",
		    d->key);
	valid[0] = '\0';
	if (c->opts->file_hash(
	        c->opts->file_hash_arg, f->training_path, train, c->err) != 0 ||
	    (f->validation_path != NULL &&
	        c->opts->file_hash(c->opts->file_hash_arg, f->validation_path,
	            valid, c->err) != 0))
		return err_wrap(c->err, "openai: %s: fine_tune", d->key);
	buf_addf(
	    &b, "training=%s\nvalidation=%s\n", train, valid[0] ? valid : "-");
	if (b.failed) {
		buf_release(&b);
		c->nomem = 1;
		return -1;
	}
	hex_of(buf_str(&b), data);
	buf_reset(&b);
	if (settings_text(f, &b) != 0) {
		buf_release(&b);
		c->nomem = 1;
		return -1;
	}
	hex_of(buf_str(&b), sets);
	buf_release(&b);

	present =
	    rec != NULL && model_present(cat_of(o, res), rec->fine_tuned_model);
	if (rec == NULL) {
		code = "finetune_missing";
		msg = plan_strf(c, "standby has not trained %s on %s yet",
		    d->key, res->name);
	} else if (!present) {
		code = "finetune_missing";
		msg = plan_strf(c,
		    "the fine-tuned model %s of %s is no longer on %s",
		    rec->fine_tuned_model, d->key, res->name);
	} else if (strcmp(rec->data_hash, data) != 0) {
		code = "finetune_data_changed";
		msg = plan_strf(c,
		    "the training data of %s changed since %s was trained on "
		    "%s",
		    d->key, rec->fine_tuned_model, res->name);
	} else if (strcmp(rec->settings_hash, sets) != 0) {
		code = "finetune_data_changed";
		msg = plan_strf(c,
		    "the fine-tuning settings of %s changed since %s was "
		    "trained on %s",
		    d->key, rec->fine_tuned_model, res->name);
	} else {
		*model = rec->fine_tuned_model;
		return 0;
	}
	group = plan_strf(c, "openai:%s", d->key);
	if (msg == NULL || group == NULL)
		return -1;
	a = plan_add(c, "finetune",
	    present ? PLANFILE_REPLACE : PLANFILE_CREATE, group, pos,
	    "finetune:%s@%s", d->key, res->name);
	if (a == NONE)
		return -1;
	target(c, a, res, d->name, f->base_model, NULL, NULL, -1);
	plan_reason(c, a, code, "%s", msg);
	if (rec != NULL) {
		c->acts[a].before = plan_obj(c);
		plan_set_str(c, c->acts[a].before, "fine_tuned_model",
		    rec->fine_tuned_model);
		plan_set_str(c, c->acts[a].before, "data_hash", rec->data_hash);
		plan_set_str(
		    c, c->acts[a].before, "settings_hash", rec->settings_hash);
	}
	c->acts[a].after = after = plan_obj(c);
	plan_set_str(c, after, "fine_tuned_model", "(known after apply)");
	plan_set_str(c, after, "data_hash", keep(c, data));
	plan_set_str(c, after, "settings_hash", keep(c, sets));
	plan_set_str(c, after, "base_model", f->base_model);
	plan_set_str(c, after, "training_file", f->training_file);
	plan_set_str(c, after, "training_file_sha256", keep(c, train));
	plan_set_str(c, after, "validation_file", f->validation_file);
	plan_set_str(c, after, "validation_file_sha256",
	    valid[0] ? keep(c, valid) : NULL);
	set_int(c, after, "n_epochs", f->n_epochs, f->n_epochs == 0);
	set_int(c, after, "batch_size", f->batch_size, f->batch_size == 0);
	if (f->learning_rate_multiplier > 0)
		plan_set_str(c, after, "learning_rate_multiplier",
		    plan_strf(c, "%g", f->learning_rate_multiplier));
	else
		plan_set_str(c, after, "learning_rate_multiplier", NULL);
	set_int(c, after, "seed", f->seed, !f->has_seed);
	plan_set_str(c, after, "suffix", f->suffix);
	*ft = a;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Deployments                                                         */

/* The cached deployment name on resource, parsed into *out; 0 when
 * absent, 1 when present, -1 on a bad cache. */
static int
live_of(struct plan_ctx *c, const char *resource, const char *name,
    struct openai_deployment *out)
{
	const struct state_object *obj =
	    plan_object(c, STATE_OPENAI_DEPLOYMENT, resource, NULL, name);
	cJSON *j;
	int rc;

	memset(out, 0, sizeof(*out));
	out->sku_capacity = -1;
	if (obj == NULL)
		return 0;
	if (obj->json == NULL || (j = cJSON_Parse(obj->json)) == NULL)
		return err_set(c->err, ERR_SPEC,
		    "state file: openai deployment %s/deployments/%s has no "
		    "JSON",
		    resource, name);
	rc = openai_deployment_parse(j, "deployment", out, c->err);
	cJSON_Delete(j);
	if (rc != 0)
		return err_wrap(c->err,
		    "state file: openai deployment %s/deployments/%s", resource,
		    name);
	return 1;
}

static int
plan_account(struct oai *o, const struct config_openai *d, size_t k)
{
	struct plan_ctx *c = o->c;
	const struct config_resource *res =
	    config_resource_find(c->cfg, d->on[k]);
	struct openai_deployment live;
	struct openai_diff diff;
	const char *model = NULL, *serves, *version, *group;
	int pos = 10 + 2 * (int)k, have, rc = -1, live_cap;
	size_t ft = NONE, a = NONE, i;
	struct buf m = { .max = 1024 };

	if (res == NULL)
		return 0; /* config validated the reference */
	if ((have = live_of(c, res->name, d->name, &live)) < 0)
		return -1;
	if (d->fine_tune != NULL &&
	    plan_finetune(o, d, res, pos, &ft, &model) != 0)
		goto out;
	group = plan_strf(c, "openai:%s", d->key);
	if (group == NULL)
		goto out;
	serves = ft != NONE
	    ? plan_strf(c, "from finetune:%s@%s", d->key, res->name)
	    : model != NULL ? model
	                    : d->model_name;
	/* A fine-tuned model deploys as version "1" unless told. */
	version = d->model_version != NULL ? d->model_version
	    : d->fine_tune != NULL         ? "1"
	                                   : NULL;
	live_cap = have && live.sku_name != NULL &&
	        strcasecmp(live.sku_name, d->sku_name) == 0
	    ? live.sku_capacity
	    : 0;
	if (!have) {
		a = plan_add(c, "openai_create", PLANFILE_CREATE, group,
		    pos + 1, "openai_create:%s@%s", d->name, res->name);
		if (a == NONE)
			goto out;
		plan_reason(c, a, "deployment_missing",
		    "deployment %s is missing on %s (%s)", d->name, res->name,
		    res->region);
		c->acts[a].after = want_summary(c, d, serves, version);
	} else if (ft != NONE) {
		a = plan_add(c, "openai_update", PLANFILE_UPDATE, group,
		    pos + 1, "openai_update:%s@%s", d->name, res->name);
		if (a == NONE)
			goto out;
		plan_reason(c, a, "dependency",
		    "%s is retrained on %s, and deployment %s then serves the "
		    "new model",
		    d->key, res->name, d->name);
		c->acts[a].before = live_summary(c, &live);
		c->acts[a].after = want_summary(c, d, serves, version);
	} else {
		openai_deployment_diff(d, model, &live, &diff);
		if (diff.n == 0) {
			rc = 0;
			goto out;
		}
		a = plan_add(c, "openai_update",
		    diff.items[0].change == OPENAI_MODEL_CHANGED
		        ? PLANFILE_REPLACE
		        : PLANFILE_UPDATE,
		    group, pos + 1, "openai_update:%s@%s", d->name, res->name);
		if (a == NONE)
			goto out;
		buf_addf(&m,
		    "deployment %s on %s differs from standby.yaml:", d->name,
		    res->name);
		c->acts[a].before = plan_obj(c);
		c->acts[a].after = plan_obj(c);
		for (i = 0; i < diff.n; i++) {
			const struct openai_diff_item *it = &diff.items[i];
			const char *have_v = it->have[0] ? it->have : NULL;

			buf_addf(&m, "%s %s %s -> %s", i ? "," : "",
			    diff_key(it->change), have_v ? have_v : "(none)",
			    it->want);
			diff_value(c, c->acts[a].before, it, have_v);
			diff_value(c, c->acts[a].after, it, it->want);
		}
		if (buf_check(&m, c->err, "planning") != 0)
			goto out;
		plan_reason(c, a, openai_change_name(diff.items[0].change),
		    "%s", buf_str(&m));
	}
	target(c, a, res, d->name, ft != NONE ? NULL : keep(c, serves), version,
	    d->sku_name, d->sku_capacity);
	if (ft != NONE)
		plan_depend(c, a, ft);
	add_want(o, d, res, a, ft, live_cap);
	rc = 0;
out:
	buf_release(&m);
	openai_deployment_release(&live);
	return rc;
}

/* --prune: deployments on declared accounts that no entry wants there. */
static void
plan_prune(struct oai *o)
{
	struct plan_ctx *c = o->c;
	const struct config *cfg = c->cfg;
	const char *group;
	size_t i, j, k, n, a;

	for (i = 0; i < cfg->nresources; i++) {
		const struct config_resource *res = &cfg->resources[i];
		const struct state_object *const *objs;

		if (res->type != CONFIG_RESOURCE_OPENAI)
			continue;
		objs = plan_objects(
		    c, STATE_OPENAI_DEPLOYMENT, res->name, NULL, &n);
		for (j = 0; j < n; j++) {
			const struct state_object *obj = objs[j];
			const struct config_openai *named = NULL, *prot = NULL;
			struct openai_deployment live;
			int wanted = 0, sel = c->opts->ntargets == 0;

			for (k = 0; k < cfg->nopenai; k++) {
				const struct config_openai *d = &cfg->openai[k];
				size_t q;

				if (strcmp(d->name, obj->name) != 0)
					continue;
				named = d;
				if (c->oai_selected[k])
					sel = 1;
				if (d->protect)
					prot = d;
				for (q = 0; q < d->non; q++)
					if (strcmp(d->on[q], res->name) == 0)
						wanted = 1;
			}
			if (wanted || !sel)
				continue;
			if (prot != NULL) {
				plan_warn(c, "protected_kept",
				    "deployment %s on %s is not desired there "
				    "but is kept: openai: %s has protect: true",
				    obj->name, res->name, prot->key);
				continue;
			}
			if (live_of(c, res->name, obj->name, &live) < 0) {
				/* A bad cached row is not worth a delete. */
				err_clear(c->err);
				continue;
			}
			group = plan_strf(
			    c, "openai:%s", named ? named->key : obj->name);
			if (group == NULL)
				return;
			a = plan_add(c, "openai_delete", PLANFILE_DELETE, group,
			    0, "openai_delete:%s@%s", obj->name, res->name);
			if (a != NONE) {
				target(c, a, res, obj->name,
				    keep(c, live.model_name),
				    keep(c, live.model_version),
				    keep(c, live.sku_name), live.sku_capacity);
				plan_reason(c, a, "not_desired",
				    named ? "deployment %s is not declared for "
				            "%s in standby.yaml"
				          : "deployment %s on %s is not in "
				            "standby.yaml",
				    obj->name, res->name);
				c->acts[a].before = live_summary(c, &live);
			}
			openai_deployment_release(&live);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Pre-flight                                                          */

static void
drop(struct oai *o, const struct want *w)
{
	o->c->acts[w->deploy].dropped = 1;
	if (w->ft != NONE)
		o->c->acts[w->ft].dropped = 1;
}

static int
same_ci(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcasecmp(a, b) == 0;
}

/* Leaves out the actions a shortfall concerns: for quota, every want of
 * that model and SKU in the region (they share it); else the one. */
static void
drop_for(struct oai *o, const struct openai_shortfall *s)
{
	size_t i;

	for (i = 0; i < o->nwants; i++) {
		const struct want *w = &o->wants[i];

		if (s->kind == OPENAI_SHORT_QUOTA
		        ? same_ci(w->res->region, s->region) &&
		            w->d->model_name != NULL && s->model != NULL &&
		            strcmp(w->d->model_name, s->model) == 0 &&
		            same_ci(w->d->sku_name, s->sku)
		        : strcmp(w->res->name, s->account) == 0 &&
		            strcmp(w->d->name, s->deployment) == 0)
			drop(o, w);
	}
}

static int
preflight(struct oai *o)
{
	struct plan_ctx *c = o->c;
	struct openai_preflight_want *pw = NULL;
	struct openai_preflight_region *regs = NULL;
	struct openai_shortfalls sh = { 0 };
	struct buf m = { .max = 4096 };
	size_t i, n = 0, nr = 0;
	int rc = -1;

	if (o->nwants == 0)
		return 0;
	pw = calloc(o->nwants, sizeof(*pw));
	regs =
	    calloc(c->cfg->nresources ? c->cfg->nresources : 1, sizeof(*regs));
	if (pw == NULL || regs == NULL) {
		c->nomem = 1;
		goto out;
	}
	for (i = 0; i < c->cfg->nresources; i++) {
		struct cat *k = &o->cats[i];

		if (!k->has_models)
			continue;
		regs[nr].subscription = k->res->subscription;
		regs[nr].region =
		    k->rec->region ? k->rec->region : k->res->region;
		regs[nr].models = &k->models;
		regs[nr].usages = k->has_usages ? &k->usages : NULL;
		nr++;
	}
	for (i = 0; i < o->nwants; i++) {
		const struct want *w = &o->wants[i];

		if (!cat_of(o, w->res)->has_models) {
			plan_warn(c, "preflight_unchecked",
			    "pre-flight could not check deployment %s on %s: "
			    "the models of %s were never read (run standby "
			    "refresh)",
			    w->d->name, w->res->name, w->res->region);
			continue;
		}
		pw[n].account = w->res->name;
		pw[n].subscription = w->res->subscription;
		pw[n].region = w->res->region;
		pw[n].d = w->d;
		pw[n].live_capacity = w->live_capacity;
		n++;
	}
	if (openai_preflight(pw, n, regs, nr, &sh, c->err) != 0)
		goto out;
	if (sh.n > 0 && !c->opts->allow_partial) {
		buf_addstr(&m, "pre-flight: ");
		for (i = 0; i < sh.n; i++)
			buf_addf(&m, "%s%s", i ? "; " : "", sh.v[i].message);
		buf_addstr(&m, " (plan --allow-partial leaves these out)");
		if (buf_check(&m, c->err, "pre-flight") == 0)
			err_set(c->err, ERR_SPEC, "%s", buf_str(&m));
		goto out;
	}
	for (i = 0; i < sh.n; i++) {
		plan_warn(c, "preflight_shortfall", "%s; left out of the plan",
		    sh.v[i].message);
		drop_for(o, &sh.v[i]);
	}
	rc = 0;
out:
	openai_shortfalls_release(&sh);
	buf_release(&m);
	free(pw);
	free(regs);
	return rc;
}

int
plan_openai(struct plan_ctx *c)
{
	struct oai o = { 0 };
	size_t i, k;
	int rc = -1;

	o.c = c;
	if (c->cfg->nopenai == 0 && !c->opts->prune)
		return 0;
	if (load_cats(&o) != 0)
		goto out;
	for (i = 0; i < c->cfg->nopenai; i++) {
		if (!c->oai_selected[i])
			continue;
		for (k = 0; k < c->cfg->openai[i].non; k++)
			if (plan_account(&o, &c->cfg->openai[i], k) != 0)
				goto out;
	}
	if (c->opts->prune)
		plan_prune(&o);
	if (c->nomem || preflight(&o) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0 && c->nomem)
		err_set(c->err, ERR_NOMEM, "out of memory while planning");
	release(&o);
	return rc;
}
