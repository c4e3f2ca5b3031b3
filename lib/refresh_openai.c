/*
 * refresh_openai.c - read what an Azure OpenAI account holds into the
 * state cache: its deployments, the models and quota of its region, and
 * (only when standby.yaml fine-tunes on it) its fine-tuning jobs.
 *
 * The reads run concurrently with each other and with the Language
 * resources' (one HTTP client, paced per resource).  The catalogue is
 * stored in the same transaction as the deployments: plan's pre-flight
 * compares the two, so a half-stored account would make it check quota
 * against deployments of another moment.  As for Language, an account
 * that fails any read keeps all of its previous rows, marked stale.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm.h"
#include "buf.h"
#include "config.h"
#include "finetune.h"
#include "openai.h"
#include "refresh_int.h"
#include "session.h"

struct roai {
	const struct config_resource *res;
	struct session *sess;
	struct state *st;
	const struct refresh_opts *opts;
	struct refresh_resource *out;
	struct state_changes *changes;
	struct state_refresh *sr;
	struct openai *oc;
	struct finetune *ft;
	struct state_openai_catalog cat;
	int pending;
	int failed, done;
	struct err err;
};

static void
fail(struct roai *r, const struct err *e)
{
	if (!r->failed) {
		r->failed = 1;
		r->err = *e;
	}
}

static void
nomem(struct roai *r)
{
	struct err e = { 0 };

	err_set(&e, ERR_NOMEM, "out of memory");
	fail(r, &e);
}

static void
finish(struct roai *r)
{
	struct err e = { 0 };

	if (r->pending > 0 || r->done)
		return;
	r->done = 1;
	if (!r->failed &&
	    (state_refresh_put_openai_catalog(r->sr, &r->cat, &e) != 0 ||
	        state_refresh_commit(r->sr, r->changes, &e) != 0)) {
		r->sr = NULL; /* commit frees it whatever happens */
		fail(r, &e);
	}
	if (r->failed)
		state_refresh_abort(r->sr);
	r->sr = NULL;
	refresh_conclude(
	    r->st, r->res->name, r->failed ? &r->err : NULL, r->out, r->opts);
}

/* The items as one JSON array, for the catalogue; NULL on no memory. */
static char *
print_items(const cJSON *items)
{
	return cJSON_PrintUnformatted(items);
}

static void
on_deployments(void *arg, cJSON *items, const struct err *e)
{
	struct roai *r = arg;
	const cJSON *it;
	struct err pe = { 0 };
	int i = 0;

	r->pending--;
	if (e != NULL) {
		fail(r, e);
		finish(r);
		return;
	}
	cJSON_ArrayForEach(it, items)
	{
		struct openai_deployment d = { 0 };
		struct state_object o = { 0 };
		char path[64];
		char *json;

		if (r->failed)
			break;
		(void)snprintf(path, sizeof(path), "value[%d]", i++);
		if (openai_deployment_parse(it, path, &d, &pe) != 0) {
			err_wrap(
			    &pe, "openai: deployments of %s", r->res->name);
			fail(r, &pe);
			break;
		}
		if (d.name == NULL) {
			err_set(&pe, ERR_HTTP,
			    "openai: deployments of %s: %s has no name",
			    r->res->name, path);
			fail(r, &pe);
			openai_deployment_release(&d);
			break;
		}
		if ((json = cJSON_PrintUnformatted(it)) == NULL) {
			openai_deployment_release(&d);
			nomem(r);
			break;
		}
		o.kind = STATE_OPENAI_DEPLOYMENT;
		o.resource = r->res->name;
		o.name = d.name;
		o.json = json;
		if (state_refresh_put(r->sr, &o, &pe) != 0)
			fail(r, &pe);
		else
			r->out->nprojects++;
		free(json);
		openai_deployment_release(&d);
	}
	finish(r);
}

static void
on_models(void *arg, cJSON *items, const struct err *e)
{
	struct roai *r = arg;
	struct openai_models m = { 0 };
	struct err pe = { 0 };

	r->pending--;
	if (e != NULL) {
		fail(r, e);
	} else if (openai_models_parse(items, &m, &pe) != 0) {
		err_wrap(&pe, "openai: models of %s (%s)", r->res->name,
		    r->res->region);
		fail(r, &pe);
	} else if ((r->cat.models = print_items(items)) == NULL) {
		nomem(r);
	}
	openai_models_release(&m);
	finish(r);
}

static void
on_usages(void *arg, cJSON *items, const struct err *e)
{
	struct roai *r = arg;
	struct openai_usages u = { 0 };
	struct err pe = { 0 };

	r->pending--;
	if (e != NULL) {
		fail(r, e);
	} else if (openai_usages_parse(items, &u, &pe) != 0) {
		err_wrap(&pe, "openai: usages of %s (%s)", r->res->name,
		    r->res->region);
		fail(r, &pe);
	} else if ((r->cat.usages = print_items(items)) == NULL) {
		nomem(r);
	}
	openai_usages_release(&u);
	finish(r);
}

static void
on_jobs(void *arg, cJSON *jobs, const struct err *e)
{
	struct roai *r = arg;

	r->pending--;
	if (e != NULL) {
		struct err we = *e;

		err_wrap(&we, "fine-tuning jobs of %s", r->res->name);
		fail(r, &we);
	} else if ((r->cat.finetunes = print_items(jobs)) == NULL) {
		nomem(r);
	}
	finish(r);
}

/* Lists the fine-tuning jobs through the data plane at endpoint (NULL:
 * the config's). */
static void
list_jobs(struct roai *r, const char *endpoint)
{
	struct err e = { 0 };

	if (session_finetune(r->sess, r->res->name, endpoint, &r->ft, &e) !=
	    0) {
		fail(r, &e);
		return;
	}
	r->pending++;
	if (finetune_jobs_list(r->ft, on_jobs, r, &e) != 0) {
		r->pending--;
		fail(r, &e);
	}
}

/* The account, read for its data-plane endpoint when the config has
 * none. */
static void
on_account(void *arg, const struct arm_resp *resp, const struct err *e)
{
	struct roai *r = arg;
	struct openai_account acct = { 0 };
	struct err pe = { 0 };
	struct buf ep = { .max = 2048 };

	r->pending--;
	if (e != NULL) {
		fail(r, e);
	} else if (openai_account_parse(resp->json, &acct, &pe) != 0) {
		err_wrap(&pe, "openai: account %s", r->res->name);
		fail(r, &pe);
	} else if (acct.endpoint == NULL || acct.endpoint[0] == '\0') {
		err_set(&pe, ERR_HTTP,
		    "openai: account %s has no properties.endpoint (set "
		    "endpoint: in standby.yaml)",
		    r->res->name);
		fail(r, &pe);
	} else {
		buf_addstr(&ep, acct.endpoint);
		/* "https://x.openai.azure.com/": paths are appended. */
		while (ep.len > 0 && ep.data[ep.len - 1] == '/')
			ep.data[--ep.len] = '\0';
		if (buf_check(&ep, &pe, "openai: the account's endpoint") != 0)
			fail(r, &pe);
		else
			list_jobs(r, buf_str(&ep));
	}
	buf_release(&ep);
	openai_account_release(&acct);
	finish(r);
}

/* 1 when an openai: entry of cfg fine-tunes a model on account name. */
static int
fine_tunes_on(const struct config *cfg, const char *name)
{
	size_t i, k;

	for (i = 0; i < cfg->nopenai; i++) {
		if (cfg->openai[i].fine_tune == NULL)
			continue;
		for (k = 0; k < cfg->openai[i].non; k++)
			if (strcmp(cfg->openai[i].on[k], name) == 0)
				return 1;
	}
	return 0;
}

/* Starts an ARM list of path; the callback ends it. */
static void
start_list(struct roai *r, const char *path, arm_list_fn cb)
{
	struct err e = { 0 };

	r->pending++;
	if (arm_list(openai_arm(r->oc), path, NULL, cb, r, &e) != 0) {
		r->pending--;
		fail(r, &e);
	}
}

int
refresh_openai_start(struct roai **rp, const struct config *cfg,
    const struct config_resource *res, struct session *sess, struct state *st,
    const struct refresh_opts *opts, struct refresh_resource *out,
    struct state_changes *changes, struct err *err)
{
	struct roai *r;
	struct buf u = { .max = 4096 };
	struct err e = { 0 };

	*rp = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	r->res = res;
	r->sess = sess;
	r->st = st;
	r->opts = opts;
	r->out = out;
	r->changes = changes;
	*rp = r;
	if ((r->cat.region = strdup(res->region)) == NULL) {
		nomem(r);
		goto started;
	}
	if (state_refresh_begin(st, &r->sr, res->name, &e) != 0 ||
	    session_openai(sess, res->name, &r->oc, &e) != 0) {
		fail(r, &e);
		goto started;
	}
	buf_addf(&u, "%s/deployments", res->id);
	if (buf_check(&u, &e, "openai: building the URL") != 0) {
		fail(r, &e);
		goto started;
	}
	start_list(r, buf_str(&u), on_deployments);
	/* The catalogue is the region's, in the account's subscription. */
	buf_reset(&u);
	buf_addf(&u,
	    "/subscriptions/%s/providers/Microsoft.CognitiveServices/"
	    "locations/%s/models",
	    res->subscription, res->region);
	if (buf_check(&u, &e, "openai: building the URL") == 0)
		start_list(r, buf_str(&u), on_models);
	else
		fail(r, &e);
	buf_reset(&u);
	buf_addf(&u,
	    "/subscriptions/%s/providers/Microsoft.CognitiveServices/"
	    "locations/%s/usages",
	    res->subscription, res->region);
	if (buf_check(&u, &e, "openai: building the URL") == 0)
		start_list(r, buf_str(&u), on_usages);
	else
		fail(r, &e);
	if (fine_tunes_on(cfg, res->name) && !r->failed) {
		if (res->endpoint != NULL) {
			list_jobs(r, NULL);
		} else {
			r->pending++;
			if (arm_get(openai_arm(r->oc), res->id, NULL,
			        on_account, r, &e) != 0) {
				r->pending--;
				fail(r, &e);
			}
		}
	}
started:
	buf_release(&u);
	finish(r);
	return 0;
}

int
refresh_openai_done(const struct roai *r)
{
	return r->done;
}

long
refresh_openai_tick(struct roai *r)
{
	long a = -1, b = -1;

	if (r->oc != NULL)
		a = arm_tick(openai_arm(r->oc));
	if (r->ft != NULL)
		b = arm_tick(finetune_arm(r->ft));
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

void
refresh_openai_free(struct roai *r)
{
	if (r == NULL)
		return;
	state_refresh_abort(r->sr);
	state_openai_catalog_release(&r->cat);
	free(r);
}
