/*
 * status_openai.c - failover readiness of the Azure OpenAI deployments:
 * for each openai: entry, its endpoints in failover order with what the
 * cache says of each, so that a gateway can be configured from
 * "standby status --format json" (status.h has the rules).
 *
 * Failover order is the order of accounts: in standby.yaml, never sorted:
 * the user put the primary first.  The comparison with the desired
 * deployment is openai_deployment_diff, the plan's own, so that status
 * and plan agree on what differs.
 */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "openai.h"
#include "plan.h"
#include "planfile.h"
#include "status.h"
#include "status_int.h"

struct octx {
	const struct plan_view *view;
	const struct status_opts *opts;
	int nomem;
};

static void
put_str(struct octx *c, cJSON *o, const char *k, const char *v)
{
	if ((v == NULL ? cJSON_AddNullToObject(o, k)
	               : cJSON_AddStringToObject(o, k, v)) == NULL)
		c->nomem = 1;
}

static void
put_num(struct octx *c, cJSON *o, const char *k, long long v)
{
	if (cJSON_AddNumberToObject(o, k, (double)v) == NULL)
		c->nomem = 1;
}

static void
put_bool(struct octx *c, cJSON *o, const char *k, int v)
{
	if (cJSON_AddBoolToObject(o, k, v) == NULL)
		c->nomem = 1;
}

static void
put_time(struct octx *c, cJSON *o, const char *k, int64_t t)
{
	char when[21];

	if (t <= 0) {
		put_str(c, o, k, NULL);
		return;
	}
	plan_format_time(t, when);
	put_str(c, o, k, when);
}

static cJSON *
add_obj(struct octx *c, cJSON *parent, const char *k)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL ||
	    (k != NULL ? !cJSON_AddItemToObject(parent, k, o)
	               : !cJSON_AddItemToArray(parent, o))) {
		cJSON_Delete(o);
		c->nomem = 1;
		return NULL;
	}
	return o;
}

/* Adds {code, message[, field, want, have]} to findings. */
static void finding(struct octx *c, cJSON *findings, const char *code,
    const struct openai_diff_item *d, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
finding(struct octx *c, cJSON *findings, const char *code,
    const struct openai_diff_item *d, const char *fmt, ...)
{
	struct buf msg = { .max = 2048 };
	va_list ap;
	cJSON *f;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (msg.failed || (f = add_obj(c, findings, NULL)) == NULL) {
		c->nomem = 1;
		buf_release(&msg);
		return;
	}
	put_str(c, f, "code", code);
	put_str(c, f, "message", buf_str(&msg));
	if (d != NULL) {
		put_str(c, f, "field", d->field);
		put_str(c, f, "want", d->want);
		put_str(c, f, "have", d->have[0] != '\0' ? d->have : NULL);
	}
	buf_release(&msg);
}

static const struct state_resource *
resource(struct octx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->view->nresources; i++)
		if (strcmp(c->view->resources[i].name, name) == 0)
			return &c->view->resources[i];
	return NULL;
}

static const struct state_object *
deployment(struct octx *c, const char *res, const char *name)
{
	size_t i;

	for (i = 0; i < c->view->nobjects; i++) {
		const struct state_object *o = &c->view->objects[i];

		if (o->kind == STATE_OPENAI_DEPLOYMENT &&
		    strcmp(o->resource, res) == 0 && strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

static const struct state_finetuned *
finetuned(struct octx *c, const char *res, const char *key)
{
	size_t i;

	for (i = 0; i < c->view->nfinetuned; i++)
		if (strcmp(c->view->finetuned[i].resource, res) == 0 &&
		    strcmp(c->view->finetuned[i].key, key) == 0)
			return &c->view->finetuned[i];
	return NULL;
}

/* The live deployment's facts, and its findings against d. */
static void
live_facts(struct octx *c, cJSON *e, cJSON *findings,
    const struct config_openai *d, const char *model_name,
    const struct openai_deployment *live)
{
	struct openai_diff diff;
	const char *ps = live->provisioning_state;
	cJSON *o;
	size_t i;

	put_str(c, e, "provisioning_state", ps);
	if ((o = add_obj(c, e, "model")) != NULL) {
		put_str(c, o, "format", live->model_format);
		put_str(c, o, "name", live->model_name);
		put_str(c, o, "version", live->model_version);
	}
	if ((o = add_obj(c, e, "sku")) != NULL) {
		put_str(c, o, "name", live->sku_name);
		if (live->sku_capacity >= 0)
			put_num(c, o, "capacity", live->sku_capacity);
		else
			put_str(c, o, "capacity", NULL);
	}
	put_str(c, e, "version_upgrade_option", live->version_upgrade_option);
	put_str(c, e, "rai_policy", live->rai_policy_name);
	if (ps != NULL &&
	    (strcmp(ps, "Failed") == 0 || strcmp(ps, "Canceled") == 0 ||
	        strcmp(ps, "Disabled") == 0)) {
		finding(c, findings, "provisioning_failed", NULL,
		    "deployment %s is %s", d->name, ps);
	} else if (ps != NULL && strcmp(ps, "Succeeded") != 0) {
		finding(c, findings, "provisioning", NULL,
		    "deployment %s is still %s", d->name, ps);
	}
	openai_deployment_diff(d, model_name, live, &diff);
	for (i = 0; i < diff.n; i++) {
		finding(c, findings, openai_change_name(diff.items[i].change),
		    &diff.items[i], "%s is %s, standby.yaml wants %s",
		    diff.items[i].field,
		    diff.items[i].have[0] != '\0' ? diff.items[i].have
		                                  : "unset",
		    diff.items[i].want);
	}
}

/* One endpoint: account on of d, at position i of the failover order. */
static void
endpoint(struct octx *c, cJSON *arr, const struct config *cfg,
    const struct config_openai *d, size_t i)
{
	const char *acct = d->on[i];
	const struct config_resource *cr = config_resource_find(cfg, acct);
	const struct state_resource *r = resource(c, acct);
	const struct state_object *obj = deployment(c, acct, d->name);
	const struct state_finetuned *ft = NULL;
	struct openai_deployment live = { 0 };
	struct err perr = { 0 };
	cJSON *e, *findings, *j = NULL;
	int64_t age;

	if ((e = add_obj(c, arr, NULL)) == NULL)
		return;
	if ((findings = cJSON_CreateArray()) == NULL) {
		c->nomem = 1;
		return;
	}
	put_num(c, e, "order", (long long)i + 1);
	put_str(c, e, "role", i == 0 ? "primary" : "secondary");
	put_str(c, e, "resource", acct);
	put_str(c, e, "region", cr != NULL ? cr->region : NULL);
	put_str(c, e, "endpoint", cr != NULL ? cr->endpoint : NULL);
	put_str(c, e, "deployment", d->name);
	put_bool(c, e, "reachable",
	    r != NULL && r->refreshed_at > 0 && r->stale_since == 0);
	put_time(c, e, "checked_at", r != NULL ? r->refreshed_at : 0);
	if (d->fine_tune != NULL) {
		ft = finetuned(c, acct, d->key);
		put_str(c, e, "fine_tuned_model",
		    ft != NULL ? ft->fine_tuned_model : NULL);
	}
	if (r == NULL || r->refreshed_at <= 0) {
		finding(c, findings, "unreachable", NULL,
		    "%s was never read: run standby refresh", acct);
	} else if (r->stale_since != 0) {
		finding(c, findings, "unreachable", NULL,
		    "%s could not be read: %s", acct,
		    r->stale_error != NULL ? r->stale_error : "unknown error");
	} else if (c->opts->max_age_s > 0 &&
	    (age = c->opts->now - r->refreshed_at) > c->opts->max_age_s) {
		finding(c, findings, "cache_old", NULL,
		    "%s was last read %lld s ago, more than --max-age "
		    "(%lld s): run standby refresh",
		    acct, (long long)age, c->opts->max_age_s);
	}
	if (obj != NULL && obj->json != NULL &&
	    (j = cJSON_Parse(obj->json)) != NULL &&
	    openai_deployment_parse(j, "deployment", &live, &perr) == 0) {
		put_bool(c, e, "present", 1);
		live_facts(c, e, findings, d,
		    ft != NULL ? ft->fine_tuned_model : NULL, &live);
	} else {
		put_bool(c, e, "present", 0);
		put_str(c, e, "provisioning_state", NULL);
		put_str(c, e, "model", NULL);
		put_str(c, e, "sku", NULL);
		if (obj != NULL)
			finding(c, findings, "deployment_missing", NULL,
			    "the cached deployment %s on %s cannot be read: "
			    "%s",
			    d->name, acct,
			    perr.msg[0] ? perr.msg : "invalid JSON");
		else
			finding(c, findings, "deployment_missing", NULL,
			    "no deployment %s on %s", d->name, acct);
	}
	cJSON_Delete(j);
	put_str(c, e, "verdict", status_verdict(findings));
	if (!cJSON_AddItemToObject(e, "findings", findings)) {
		cJSON_Delete(findings);
		c->nomem = 1;
	}
	openai_deployment_release(&live);
}

int
status_openai_build(cJSON **out, const struct config *cfg,
    const struct plan_view *view, const struct status_opts *opts,
    struct err *err)
{
	struct octx c = { view, opts, 0 };
	const struct config_openai *d;
	cJSON *arr, *o, *m, *eps;
	const char *worst;
	const cJSON *e;
	size_t i, k;

	*out = NULL;
	if ((arr = cJSON_CreateArray()) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	for (k = 0; k < cfg->nopenai && !c.nomem; k++) {
		d = &cfg->openai[k];
		if ((o = add_obj(&c, arr, NULL)) == NULL)
			break;
		put_str(&c, o, "key", d->key);
		put_str(&c, o, "name", d->name);
		put_bool(&c, o, "fine_tuned", d->fine_tune != NULL);
		if ((m = add_obj(&c, o, "model")) != NULL) {
			put_str(&c, m, "format",
			    d->model_format ? d->model_format : "OpenAI");
			put_str(&c, m, "name",
			    d->fine_tune != NULL ? d->fine_tune->base_model
			                         : d->model_name);
			put_str(&c, m, "version", d->model_version);
		}
		if ((m = add_obj(&c, o, "sku")) != NULL) {
			put_str(&c, m, "name", d->sku_name);
			put_num(&c, m, "capacity", d->sku_capacity);
		}
		if ((eps = cJSON_AddArrayToObject(o, "endpoints")) == NULL) {
			c.nomem = 1;
			break;
		}
		for (i = 0; i < d->non; i++)
			endpoint(&c, eps, cfg, d, i);
		worst = "ready";
		cJSON_ArrayForEach(e, eps)
		{
			if (status_verdict_rank(planfile_str(e, "verdict")) >
			    status_verdict_rank(worst))
				worst = planfile_str(e, "verdict");
		}
		put_str(&c, o, "verdict", worst);
	}
	if (c.nomem) {
		cJSON_Delete(arr);
		return err_set(err, ERR_NOMEM,
		    "out of memory making the "
		    "OpenAI status");
	}
	*out = arr;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Text and markdown                                                   */

static void
live_words(struct buf *b, const cJSON *e, int md)
{
	const cJSON *m = planfile_get(e, "model"),
	            *sku = planfile_get(e, "sku");
	const cJSON *cap = planfile_get(sku, "capacity");

	if (!cJSON_IsTrue(planfile_get(e, "present"))) {
		buf_addstr(b, "absent");
		return;
	}
	status_add_text(b, planfile_str(e, "provisioning_state"), md);
	buf_addstr(b, ", ");
	status_add_text(b, planfile_str(sku, "name"), md);
	if (cJSON_IsNumber(cap))
		buf_addf(b, " %lld", (long long)cap->valuedouble);
	buf_addstr(b, ", ");
	status_add_text(b, planfile_str(m, "name"), md);
	buf_addch(b, ' ');
	status_add_text(b, planfile_str(m, "version"), md);
}

static const char *
words(const char *v, int md)
{
	if (v != NULL && strcmp(v, "ready") == 0)
		return md ? "✅ ready" : "ready";
	if (v != NULL && strcmp(v, "stale") == 0)
		return md ? "⚠️ stale" : "stale";
	return md ? "⛔ not ready" : "NOT READY";
}

void
status_render_openai(struct buf *b, const cJSON *st, int md)
{
	const cJSON *oai = planfile_get(st, "openai"), *d, *e, *f;

	if (cJSON_GetArraySize(oai) == 0)
		return;
	buf_addstr(b,
	    md ? "\n### Azure OpenAI deployments\n\nEndpoints in failover "
	         "order (primary first).\n\n| deployment | # | resource | "
	         "region | endpoint | live | verdict |\n|---|---|---|---|---|"
	         "---|---|\n"
	       : "\nAzure OpenAI deployments, endpoints in failover order "
	         "(primary first):\n");
	cJSON_ArrayForEach(d, oai)
	{
		if (!md) {
			buf_addch(b, '\n');
			status_add_text(b, planfile_str(d, "name"), 0);
			buf_addf(
			    b, ": %s\n", words(planfile_str(d, "verdict"), 0));
		}
		cJSON_ArrayForEach(e, planfile_get(d, "endpoints"))
		{
			if (md) {
				buf_addstr(b, "| ");
				status_add_text(b, planfile_str(d, "name"), 1);
				buf_addf(b, " | %lld | ",
				    (long long)cJSON_GetNumberValue(
				        planfile_get(e, "order")));
			} else {
				buf_addf(b, "    %lld. ",
				    (long long)cJSON_GetNumberValue(
				        planfile_get(e, "order")));
			}
			status_add_text(b, planfile_str(e, "resource"), md);
			buf_addstr(b, md ? " | " : " (");
			status_add_text(b, planfile_str(e, "region"), md);
			buf_addstr(b, md ? " | " : ", ");
			status_add_text(b, planfile_str(e, "endpoint"), md);
			buf_addstr(b, md ? " | " : "): ");
			live_words(b, e, md);
			if (md)
				buf_addf(b, " | %s |\n",
				    words(planfile_str(e, "verdict"), 1));
			else
				buf_addf(b, "  %s\n",
				    words(planfile_str(e, "verdict"), 0));
			if (md)
				continue;
			cJSON_ArrayForEach(f, planfile_get(e, "findings"))
			{
				buf_addf(b,
				    "        ! %s: ", planfile_str(f, "code"));
				status_add_text(
				    b, planfile_str(f, "message"), 0);
				buf_addch(b, '\n');
			}
		}
	}
	if (!md)
		return;
	cJSON_ArrayForEach(d, oai)
	{
		cJSON_ArrayForEach(e, planfile_get(d, "endpoints"))
		{
			cJSON_ArrayForEach(f, planfile_get(e, "findings"))
			{
				buf_addstr(b, "\n- ");
				status_add_text(b, planfile_str(d, "name"), 1);
				buf_addstr(b, " on ");
				status_add_text(
				    b, planfile_str(e, "resource"), 1);
				buf_addf(b, ": `%s` ", planfile_str(f, "code"));
				status_add_text(
				    b, planfile_str(f, "message"), 1);
			}
		}
	}
	buf_addch(b, '\n');
}
