/*
 * refresh.c - read what every declared Language resource holds and store
 * it in the state cache.
 *
 * All resources are read at once, and within a resource every project's
 * models and deployments are listed concurrently: the HTTP client's pacing
 * keeps each resource inside its documented rate, so the only limit on
 * concurrency is the service's.  A resource's rows are replaced in one
 * transaction only when everything it holds was read; a resource that
 * fails half way keeps its previous rows and is marked stale, so a flaky
 * network never makes plan believe that projects vanished.  Azure OpenAI
 * accounts are read by refresh_openai.c in the same loop.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http.h"
#include "language.h"
#include "refresh_int.h"
#include "session.h"

struct rres;

/* One project being read: its models and deployments. */
struct rproj {
	struct rres *rr;
	enum language_family family;
	char *name;
	struct rproj *next;
};

/* One resource being read. */
struct rres {
	const struct config_resource *res;
	struct refresh_resource *out;
	struct language *lc;
	struct state_refresh *sr;
	struct state *st;
	struct state_changes *changes;
	const struct refresh_opts *opts;
	struct rproj *projects;
	int pending; /* requests whose callback has not run */
	int failed;
	int done;
	struct err err;
};

static void finish(struct rres *rr);

static void
fail(struct rres *rr, const struct err *e)
{
	if (!rr->failed) {
		rr->failed = 1;
		rr->err = *e;
	}
}

/* The object's own JSON for "standby state show": what the read API told
 * us, re-serialised from the parsed fields (never a header or key). */
static char *
json_of(const char *const *kv)
{
	cJSON *o = cJSON_CreateObject();
	char *s;
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; kv[i] != NULL; i += 2)
		if (kv[i + 1] != NULL)
			cJSON_AddStringToObject(o, kv[i], kv[i + 1]);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void
put(struct rres *rr, struct state_object *obj, const char *const *kv)
{
	struct err e = { 0 };
	char *json = json_of(kv);

	obj->resource = (char *)rr->res->name;
	obj->json = json;
	if (state_refresh_put(rr->sr, obj, &e) != 0)
		fail(rr, &e);
	free(json);
}

static void
on_models(void *arg, struct language_models *l, const struct err *e)
{
	struct rproj *p = arg;
	struct rres *rr = p->rr;
	size_t i;

	rr->pending--;
	if (e != NULL) {
		/* Deleted between the list and this read: it is gone. */
		if (e->code != ERR_NOTFOUND)
			fail(rr, e);
	} else {
		for (i = 0; i < l->n && !rr->failed; i++) {
			struct language_model *m = &l->v[i];
			struct state_object o = { 0 };
			const char *kv[] = { "label", m->label, "modelId",
				m->model_id, "lastTrainedDateTime",
				m->last_trained, "modelExpirationDate",
				m->expiration_date,
				"modelTrainingConfigVersion",
				m->training_config_version, NULL };

			o.kind = STATE_MODEL;
			o.project = p->name;
			o.name = m->label;
			o.model_id = m->model_id;
			o.last_trained = m->last_trained;
			o.expiration = m->expiration_date;
			o.training_config_version = m->training_config_version;
			put(rr, &o, kv);
		}
	}
	finish(rr);
}

static void
on_deployments(void *arg, struct language_deployments *l, const struct err *e)
{
	struct rproj *p = arg;
	struct rres *rr = p->rr;
	size_t i;

	rr->pending--;
	if (e != NULL) {
		if (e->code != ERR_NOTFOUND)
			fail(rr, e);
	} else {
		for (i = 0; i < l->n && !rr->failed; i++) {
			struct language_deployment *d = &l->v[i];
			struct state_object o = { 0 };
			const char *kv[] = { "deploymentName", d->name,
				"modelId", d->model_id, "lastTrainedDateTime",
				d->last_trained, "lastDeployedDateTime",
				d->last_deployed, "deploymentExpirationDate",
				d->expiration_date,
				"modelTrainingConfigVersion",
				d->training_config_version, NULL };

			o.kind = STATE_DEPLOYMENT;
			o.project = p->name;
			o.name = d->name;
			o.model_id = d->model_id;
			o.last_deployed = d->last_deployed;
			o.expiration = d->expiration_date;
			put(rr, &o, kv);
		}
	}
	finish(rr);
}

static void
read_project(struct rres *rr, enum language_family family,
    const struct language_project *lp)
{
	struct state_object o = { 0 };
	const char *kv[] = { "projectName", lp->name, "projectKind", lp->kind,
		"language", lp->language, "description", lp->description,
		"storageInputContainerName", lp->storage_container,
		"createdDateTime", lp->created, "lastModifiedDateTime",
		lp->last_modified, "lastTrainedDateTime", lp->last_trained,
		"lastDeployedDateTime", lp->last_deployed, NULL };
	struct rproj *p;
	struct err e = { 0 };

	o.kind = STATE_PROJECT;
	o.project = lp->name;
	o.name = lp->name;
	o.project_kind = lp->kind;
	o.language = lp->language;
	o.storage_container = lp->storage_container;
	o.last_modified = lp->last_modified;
	o.last_trained = lp->last_trained;
	o.last_deployed = lp->last_deployed;
	put(rr, &o, kv);
	rr->out->nprojects++;

	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->name = strdup(lp->name)) == NULL) {
		free(p);
		err_set(&e, ERR_NOMEM, "out of memory");
		fail(rr, &e);
		return;
	}
	p->rr = rr;
	p->family = family;
	p->next = rr->projects;
	rr->projects = p;
	rr->pending++;
	if (language_list_models(rr->lc, family, p->name, on_models, p, &e) !=
	    0) {
		rr->pending--;
		fail(rr, &e);
		return;
	}
	rr->pending++;
	if (language_list_deployments(
	        rr->lc, family, p->name, on_deployments, p, &e) != 0) {
		rr->pending--;
		fail(rr, &e);
	}
}

/* A page of projects: their models and deployments are read while the
 * next page comes.  arg is the resource; the family is told apart by
 * which callback. */
static void
on_page(struct rres *rr, enum language_family family,
    const struct language_project *v, size_t n)
{
	size_t i;

	for (i = 0; i < n && !rr->failed; i++)
		read_project(rr, family, &v[i]);
}

static void
on_conv_page(void *arg, const struct language_project *v, size_t n)
{
	on_page(arg, LANGUAGE_CONVERSATIONS, v, n);
}

static void
on_text_page(void *arg, const struct language_project *v, size_t n)
{
	on_page(arg, LANGUAGE_TEXT, v, n);
}

/* The end of a list: every page was handed to on_page. */
static void
on_projects(void *arg, struct language_projects *l, const struct err *e)
{
	struct rres *rr = arg;

	(void)l;
	rr->pending--;
	if (e != NULL)
		fail(rr, e);
	finish(rr);
}

/* Ends a resource once nothing of it is in flight: commit what was read,
 * or keep the old rows and mark them stale. */
static void
finish(struct rres *rr)
{
	struct err e = { 0 };

	if (rr->pending > 0 || rr->done)
		return;
	rr->done = 1;
	if (!rr->failed) {
		if (state_refresh_commit(rr->sr, rr->changes, &e) != 0)
			fail(rr, &e);
		rr->sr = NULL;
	} else {
		state_refresh_abort(rr->sr);
		rr->sr = NULL;
	}
	refresh_conclude(rr->st, rr->res->name, rr->failed ? &rr->err : NULL,
	    rr->out, rr->opts);
}

void
refresh_conclude(struct state *st, const char *name, const struct err *failed,
    struct refresh_resource *out, const struct refresh_opts *opts)
{
	struct err e = { 0 };

	if (failed != NULL) {
		struct state_resource sres = { 0 };

		out->ok = 0;
		out->error = strdup(failed->msg);
		out->nprojects = 0;
		if (state_mark_stale(st, name, failed->msg, &e) == 0 &&
		    state_get_resource(st, name, &sres, &e) == 0) {
			out->stale_since = sres.stale_since;
			out->last_good = sres.refreshed_at;
		}
		state_resource_release(&sres);
	} else {
		out->ok = 1;
	}
	if (opts != NULL && opts->progress != NULL)
		opts->progress(opts->progress_arg, name, out->ok, out->error);
}

static int
selected(const struct refresh_opts *opts, const char *name)
{
	size_t i;

	if (opts == NULL || opts->nonly == 0)
		return 1;
	for (i = 0; i < opts->nonly; i++)
		if (strcmp(opts->only[i], name) == 0)
			return 1;
	return 0;
}

int
refresh_run(const struct config *cfg, struct session *sess, struct state *st,
    const struct refresh_opts *opts, struct refresh_report *report,
    struct err *err)
{
	struct rres *rrs = NULL;
	struct roai **oais = NULL;
	size_t i, n = 0;
	int rc = -1, pending;

	memset(report, 0, sizeof(*report));
	if (opts != NULL)
		for (i = 0; i < opts->nonly; i++)
			if (config_resource_find(cfg, opts->only[i]) == NULL)
				return err_set(err, ERR_SPEC,
				    "--only %s: no such resource in %s",
				    opts->only[i], cfg->path);
	rrs = calloc(cfg->nresources ? cfg->nresources : 1, sizeof(*rrs));
	oais = calloc(cfg->nresources ? cfg->nresources : 1, sizeof(*oais));
	report->v =
	    calloc(cfg->nresources ? cfg->nresources : 1, sizeof(*report->v));
	if (rrs == NULL || oais == NULL || report->v == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}

	for (i = 0; i < cfg->nresources; i++) {
		const struct config_resource *res = &cfg->resources[i];
		struct rres *rr;
		struct err e = { 0 };

		if (!selected(opts, res->name))
			continue;
		rr = &rrs[n];
		rr->res = res;
		rr->out = &report->v[n];
		rr->st = st;
		rr->opts = opts;
		rr->changes = &report->changes;
		n++;
		report->n = n;
		if ((rr->out->name = strdup(res->name)) == NULL) {
			err_set(err, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (res->type == CONFIG_RESOURCE_OPENAI) {
			rr->done = 1; /* the account is oais[n - 1]'s */
			if (refresh_openai_start(&oais[n - 1], cfg, res, sess,
			        st, opts, rr->out, &report->changes, err) != 0)
				goto out;
			continue;
		}
		if (state_refresh_begin(st, &rr->sr, res->name, err) != 0)
			goto out;
		if (session_language(sess, res->name, &rr->lc, &e) != 0) {
			fail(rr, &e);
			finish(rr);
			continue;
		}
		rr->pending += 2;
		if (language_list_projects_paged(rr->lc, LANGUAGE_CONVERSATIONS,
		        on_conv_page, on_projects, rr, &e) != 0) {
			rr->pending--;
			fail(rr, &e);
		}
		if (language_list_projects_paged(rr->lc, LANGUAGE_TEXT,
		        on_text_page, on_projects, rr, &e) != 0) {
			rr->pending--;
			fail(rr, &e);
		}
		finish(rr);
	}

	for (;;) {
		long wait = 1000, t;

		pending = 0;
		for (i = 0; i < n; i++) {
			if (!rrs[i].done)
				pending = 1;
			if (oais[i] != NULL && !refresh_openai_done(oais[i])) {
				pending = 1;
				t = refresh_openai_tick(oais[i]);
				if (t >= 0 && t < wait)
					wait = t;
			}
		}
		if (!pending)
			break;
		if (http_run(session_http(sess), wait, err) < 0) {
			/* Interrupted or broken: nothing half-read is kept. */
			goto out;
		}
	}
	for (i = 0; i < n; i++)
		if (!report->v[i].ok)
			report->nfailed++;
	rc = 0;
out:
	if (rrs != NULL) {
		for (i = 0; i < n; i++) {
			struct rproj *p, *next;

			state_refresh_abort(rrs[i].sr);
			for (p = rrs[i].projects; p != NULL; p = next) {
				next = p->next;
				free(p->name);
				free(p);
			}
		}
		free(rrs);
	}
	if (oais != NULL) {
		for (i = 0; i < n; i++)
			refresh_openai_free(oais[i]);
		free(oais);
	}
	if (rc != 0)
		refresh_report_release(report);
	return rc;
}

void
refresh_report_release(struct refresh_report *report)
{
	size_t i;

	if (report == NULL)
		return;
	for (i = 0; i < report->n; i++) {
		free(report->v[i].name);
		free(report->v[i].error);
	}
	free(report->v);
	state_changes_release(&report->changes);
	memset(report, 0, sizeof(*report));
}
