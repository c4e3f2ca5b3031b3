/*
 * openai_cat.c - what a region offers and how much of it is left: the
 * built-in model catalogue, per-region availability and quota set by the
 * control API, quota accounting from live deployments, and the
 * locations/{location}/models and /usages listings.
 *
 * A deployment's capacity counts against the usage name
 * OpenAI.{Sku}.{model} (OpenAI.{Sku}.{model}-finetune for fine-tuned
 * models) of its account's region, summed across all accounts in that
 * region; free quota is limit - currentValue (reference section 4 infers
 * the link from the naming; the emulator makes it exact).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "openai.h"

#define FT_LIMIT 1000

/* name, version, default, fine-tunable, capability, then SKUs:
 * { name, min, max, step, default capacity, default quota limit } */
const struct cat_model aoai_catalogue[] = {
	{ "gpt-4o", "2024-08-06", 1, 1, "chatCompletion",
	    { { "Standard", 1, 1000, 1, 10, 300 },
	        { "GlobalStandard", 1, 10000, 1, 10, 450 },
	        { "DataZoneStandard", 1, 10000, 1, 10, 300 },
	        { "ProvisionedManaged", 50, 1000, 50, 50, 100 } } },
	{ "gpt-4o", "2024-11-20", 0, 0, "chatCompletion",
	    { { "Standard", 1, 1000, 1, 10, 300 },
	        { "GlobalStandard", 1, 10000, 1, 10, 450 },
	        { "DataZoneStandard", 1, 10000, 1, 10, 300 },
	        { "ProvisionedManaged", 50, 1000, 50, 50, 100 } } },
	{ "gpt-4o-mini", "2024-07-18", 1, 1, "chatCompletion",
	    { { "Standard", 1, 2000, 1, 10, 1000 },
	        { "GlobalStandard", 1, 30000, 1, 10, 2000 },
	        { "DataZoneStandard", 1, 30000, 1, 10, 1000 },
	        { "ProvisionedManaged", 25, 1000, 25, 25, 100 } } },
	{ "text-embedding-ada-002", "2", 1, 0, "embeddings",
	    { { "Standard", 1, 1000, 1, 10, 350 },
	        { "GlobalStandard", 1, 10000, 1, 10, 350 } } },
	{ NULL, NULL, 0, 0, NULL, { { NULL, 0, 0, 0, 0, 0 } } },
};

static void
lower(char *dst, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
		dst[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	dst[i] = '\0';
}

struct region *
cat_region(struct emu *emu, const char *name)
{
	struct aoai_arm *arm = emu->aoai;
	struct region *v;
	char low[EMU_NAME_MAX];
	size_t i;

	lower(low, sizeof(low), name);
	for (i = 0; i < arm->nregions; i++)
		if (strcmp(arm->regions[i].name, low) == 0)
			return &arm->regions[i];
	v = realloc(arm->regions, (arm->nregions + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	arm->regions = v;
	v = &arm->regions[arm->nregions++];
	memset(v, 0, sizeof(*v));
	memcpy(v->name, low, sizeof(v->name));
	return v;
}

static int
gone(struct emu *emu, const char *region, const struct cat_model *m,
    const char *sku)
{
	struct region *rg = cat_region(emu, region);
	size_t i;

	for (i = 0; rg != NULL && i < rg->ngone; i++) {
		const struct gone *g = &rg->gone[i];

		if (strcmp(g->model, m->name) == 0 &&
		    (g->version[0] == '\0' ||
		        strcmp(g->version, m->version) == 0) &&
		    (g->sku[0] == '\0' ||
		        (sku != NULL && strcasecmp(g->sku, sku) == 0)))
			return 1;
	}
	return 0;
}

const struct cat_sku *
cat_sku(struct emu *emu, const char *region, const struct cat_model *m,
    const char *sku)
{
	int i;

	for (i = 0; i < AOAI_MAX_SKUS && m->skus[i].name != NULL; i++)
		if (strcasecmp(m->skus[i].name, sku) == 0)
			return gone(emu, region, m, m->skus[i].name)
			    ? NULL
			    : &m->skus[i];
	return NULL;
}

static int
offered(struct emu *emu, const char *region, const struct cat_model *m)
{
	int i;

	for (i = 0; i < AOAI_MAX_SKUS && m->skus[i].name != NULL; i++)
		if (!gone(emu, region, m, m->skus[i].name))
			return 1;
	return 0;
}

const struct cat_model *
cat_find(struct emu *emu, const char *region, const char *name, const char *ver)
{
	const struct cat_model *m;

	for (m = aoai_catalogue; m->name != NULL; m++)
		if (strcmp(m->name, name) == 0 &&
		    (ver ? strcmp(m->version, ver) == 0 : m->is_default))
			return offered(emu, region, m) ? m : NULL;
	return NULL;
}

/* The catalogue model a fine-tuned id "<name>-<version>.ft-..." came from. */
static const struct cat_model *
ft_base(const char *id)
{
	const struct cat_model *m;
	char pre[160];

	for (m = aoai_catalogue; m->name != NULL; m++) {
		snprintf(pre, sizeof(pre), "%s-%s.ft-", m->name, m->version);
		if (strncmp(id, pre, strlen(pre)) == 0)
			return m;
	}
	return NULL;
}

void
cat_usage_name(const char *sku, const char *model, int finetune, char out[96])
{
	snprintf(
	    out, 96, "OpenAI.%s.%s%s", sku, model, finetune ? "-finetune" : "");
}

void
cat_usage_label(const char *sku, const char *model, int finetune, char out[160])
{
	if (strstr(sku, "Provisioned") != NULL)
		snprintf(out, 160, "Provisioned Throughput Units - %s - %s",
		    model, sku);
	else
		snprintf(out, 160, "Tokens Per Minute (thousands) - %s%s - %s",
		    model, finetune ? " fine-tuned" : "", sku);
}

double
cat_limit(struct emu *emu, const char *region, const char *usage)
{
	struct region *rg = cat_region(emu, region);
	const struct cat_model *m;
	char u[96];
	size_t i;
	int k;

	for (i = 0; rg != NULL && i < rg->nquota; i++)
		if (strcmp(rg->quota[i].usage, usage) == 0)
			return rg->quota[i].limit;
	for (m = aoai_catalogue; m->name != NULL; m++)
		for (k = 0; k < AOAI_MAX_SKUS && m->skus[k].name; k++) {
			cat_usage_name(m->skus[k].name, m->name, 0, u);
			if (strcmp(u, usage) == 0)
				return m->skus[k].limit;
			cat_usage_name(m->skus[k].name, m->name, 1, u);
			if (strcmp(u, usage) == 0)
				return FT_LIMIT;
		}
	return 0;
}

int
cat_dep_usage(struct emu *emu, const struct resource *res, const cJSON *doc,
    char usage[96], double *cap)
{
	const cJSON *sku = cJSON_GetObjectItemCaseSensitive(doc, "sku");
	const char *skuname =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sku, "name"));
	const char *name =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(
	            cJSON_GetObjectItemCaseSensitive(doc, "properties"),
	            "model"),
	        "name"));
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(sku, "capacity");
	const struct cat_model *base;

	(void)emu;
	(void)res;
	if (skuname == NULL || name == NULL || !cJSON_IsNumber(c))
		return -1;
	base = ft_base(name);
	cat_usage_name(skuname, base ? base->name : name, base != NULL, usage);
	*cap = c->valuedouble;
	return 0;
}

double
cat_used(struct emu *emu, const char *region, const char *usage,
    const struct resource *skip_res, const char *skip_dep)
{
	double sum = 0, cap;
	char u[96];
	size_t i, k;

	for (i = 0; i < emu->nres; i++) {
		const struct resource *res = emu->res[i];

		if (res->type != EMU_RES_OPENAI ||
		    strcasecmp(res->region, region) != 0)
			continue;
		for (k = 0; k < res->aoai->ndeps; k++) {
			const struct adep *d = &res->aoai->deps[k];

			if (d->state == DS_FAILED ||
			    (res == skip_res && skip_dep != NULL &&
			        strcasecmp(d->name, skip_dep) == 0))
				continue;
			if (cat_dep_usage(emu, res, d->doc, u, &cap) == 0 &&
			    strcmp(u, usage) == 0)
				sum += cap;
		}
	}
	return sum;
}

/* deprecation (inference two years after the emulator's start date) and
 * systemData, which the service's listings carry */
static void
add_dates(struct emu *emu, cJSON *o, double created)
{
	cJSON *d = cJSON_AddObjectToObject(o, "deprecation"), *sd;
	char t[40];

	emu_fmt_time(emu->boot_date + 730 * 86400.0, t);
	cJSON_AddStringToObject(d, "inference", t);
	sd = cJSON_AddObjectToObject(o, "systemData");
	emu_fmt_time(created > 0 ? created : emu->boot_date, t);
	cJSON_AddStringToObject(sd, "createdBy", "Microsoft");
	cJSON_AddStringToObject(sd, "createdByType", "Application");
	cJSON_AddStringToObject(sd, "createdAt", t);
	cJSON_AddStringToObject(sd, "lastModifiedBy", "Microsoft");
	cJSON_AddStringToObject(sd, "lastModifiedByType", "Application");
	cJSON_AddStringToObject(sd, "lastModifiedAt", t);
}

static cJSON *
account_model(struct emu *emu, const char *region, const struct cat_model *m)
{
	cJSON *o = cJSON_CreateObject(), *skus, *c;
	char u[96];
	int k, max = 0;

	cJSON_AddStringToObject(o, "format", "OpenAI");
	cJSON_AddStringToObject(o, "name", m->name);
	cJSON_AddStringToObject(o, "version", m->version);
	cJSON_AddBoolToObject(o, "isDefaultVersion", m->is_default);
	skus = cJSON_AddArrayToObject(o, "skus");
	for (k = 0; k < AOAI_MAX_SKUS && m->skus[k].name != NULL; k++) {
		const struct cat_sku *s = &m->skus[k];
		cJSON *e;

		if (gone(emu, region, m, s->name))
			continue;
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", s->name);
		cat_usage_name(s->name, m->name, 0, u);
		cJSON_AddStringToObject(e, "usageName", u);
		c = cJSON_AddObjectToObject(e, "capacity");
		cJSON_AddNumberToObject(c, "minimum", s->min);
		cJSON_AddNumberToObject(c, "maximum", s->max);
		cJSON_AddNumberToObject(c, "step", s->step);
		cJSON_AddNumberToObject(c, "default", s->def);
		cJSON_AddItemToArray(skus, e);
		if (s->max > max)
			max = s->max;
	}
	cJSON_AddNumberToObject(o, "maxCapacity", max);
	c = cJSON_AddObjectToObject(o, "capabilities");
	cJSON_AddStringToObject(c, m->capability, "true");
	cJSON_AddStringToObject(c, "fineTune", m->finetune ? "true" : "false");
	cJSON_AddStringToObject(c, "inference", "true");
	cJSON_AddStringToObject(o, "lifecycleStatus", "GenerallyAvailable");
	add_dates(emu, o, 0);
	return o;
}

void
cat_models(
    struct emu *emu, const struct req *rq, struct resp *r, const char *region)
{
	cJSON *o = cJSON_CreateObject(), *val, *e;
	const struct cat_model *m;

	(void)rq;
	val = cJSON_AddArrayToObject(o, "value");
	for (m = aoai_catalogue; m->name != NULL; m++) {
		if (!offered(emu, region, m))
			continue;
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "kind", "OpenAI");
		cJSON_AddStringToObject(e, "skuName", "S0");
		cJSON_AddItemToObject(
		    e, "model", account_model(emu, region, m));
		cJSON_AddItemToArray(val, e);
	}
	resp_json(r, 200, o);
	cJSON_Delete(o);
}

void
cat_account_models(struct emu *emu, struct resource *res, struct resp *r)
{
	cJSON *o = cJSON_CreateObject(), *val, *e, *b, *skus, *s;
	const struct cat_model *m;
	char u[96];
	size_t i;
	int k;

	val = cJSON_AddArrayToObject(o, "value");
	for (m = aoai_catalogue; m->name != NULL; m++)
		if (offered(emu, res->region, m))
			cJSON_AddItemToArray(
			    val, account_model(emu, res->region, m));
	for (i = 0; i < res->aoai->nmodels; i++) {
		const struct ftmodel *f = &res->aoai->models[i];

		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "format", "OpenAI");
		cJSON_AddStringToObject(e, "name", f->id);
		cJSON_AddStringToObject(e, "version", "1");
		b = cJSON_AddObjectToObject(e, "baseModel");
		cJSON_AddStringToObject(b, "format", "OpenAI");
		cJSON_AddStringToObject(b, "name", f->base->name);
		cJSON_AddStringToObject(b, "version", f->base->version);
		skus = cJSON_AddArrayToObject(e, "skus");
		for (k = 0; k < AOAI_MAX_SKUS && f->base->skus[k].name; k++) {
			const struct cat_sku *cs = &f->base->skus[k];

			if (strcmp(cs->name, "Standard") &&
			    strcmp(cs->name, "GlobalStandard"))
				continue;
			s = cJSON_CreateObject();
			cJSON_AddStringToObject(s, "name", cs->name);
			cat_usage_name(cs->name, f->base->name, 1, u);
			cJSON_AddStringToObject(s, "usageName", u);
			cJSON_AddItemToArray(skus, s);
		}
		cJSON_AddStringToObject(
		    cJSON_AddObjectToObject(e, "capabilities"),
		    f->base->capability, "true");
		cJSON_AddStringToObject(
		    e, "lifecycleStatus", "GenerallyAvailable");
		cJSON_AddNumberToObject(e, "maxCapacity", 1000);
		cJSON_AddBoolToObject(e, "isDefaultVersion", 1);
		add_dates(emu, e, f->created);
		cJSON_AddItemToArray(val, e);
	}
	resp_json(r, 200, o);
	cJSON_Delete(o);
}

/* Whether $filter ("name.value eq 'A' or name.value eq 'B'") names u. */
static int
filtered_in(const char *filter, const char *u)
{
	const char *p = filter;
	size_t n = strlen(u);

	if (filter == NULL)
		return 1;
	while ((p = strchr(p, '\'')) != NULL) {
		const char *end = strchr(p + 1, '\'');

		if (end == NULL)
			break;
		if ((size_t)(end - p - 1) == n && strncmp(p + 1, u, n) == 0)
			return 1;
		p = end + 1;
	}
	return 0;
}

static void
add_usage(struct emu *emu, cJSON *val, const char *region, const char *u,
    const char *label, const char *filter)
{
	const cJSON *it;
	cJSON *e, *nm;

	cJSON_ArrayForEach(it, val)
	{
		nm = cJSON_GetObjectItemCaseSensitive(it, "name");
		if (strcmp(cJSON_GetStringValue(
		               cJSON_GetObjectItemCaseSensitive(nm, "value")),
		        u) == 0)
			return;
	}
	if (!filtered_in(filter, u))
		return;
	e = cJSON_CreateObject();
	nm = cJSON_AddObjectToObject(e, "name");
	cJSON_AddStringToObject(nm, "value", u);
	cJSON_AddStringToObject(nm, "localizedValue", label);
	cJSON_AddStringToObject(e, "unit", "Count");
	cJSON_AddNumberToObject(
	    e, "currentValue", cat_used(emu, region, u, NULL, NULL));
	cJSON_AddNumberToObject(e, "limit", cat_limit(emu, region, u));
	cJSON_AddStringToObject(e, "scopeType", "Regional");
	cJSON_AddStringToObject(e, "scopeId", region);
	cJSON_AddItemToArray(val, e);
}

void
cat_usages(
    struct emu *emu, const struct req *rq, struct resp *r, const char *region)
{
	const char *filter = emu_query(rq, "$filter");
	cJSON *o = cJSON_CreateObject(), *val, *e, *nm;
	const struct cat_model *m;
	struct region *rg = cat_region(emu, region);
	char u[96], label[160];
	size_t i, accounts = 0;
	int k;

	val = cJSON_AddArrayToObject(o, "value");
	if (filtered_in(filter, "AccountCount")) {
		for (i = 0; i < emu->nres; i++)
			if (emu->res[i]->type == EMU_RES_OPENAI &&
			    strcasecmp(emu->res[i]->region, region) == 0)
				accounts++;
		e = cJSON_CreateObject();
		nm = cJSON_AddObjectToObject(e, "name");
		cJSON_AddStringToObject(nm, "value", "AccountCount");
		cJSON_AddStringToObject(nm, "localizedValue",
		    "Cognitive Services total account limit");
		cJSON_AddStringToObject(e, "unit", "Count");
		cJSON_AddNumberToObject(e, "currentValue", (double)accounts);
		cJSON_AddNumberToObject(e, "limit", 200);
		cJSON_AddItemToArray(val, e);
	}
	for (m = aoai_catalogue; m->name != NULL; m++)
		for (k = 0; k < AOAI_MAX_SKUS && m->skus[k].name; k++) {
			cat_usage_name(m->skus[k].name, m->name, 0, u);
			cat_usage_label(m->skus[k].name, m->name, 0, label);
			add_usage(emu, val, region, u, label, filter);
			if (!m->finetune ||
			    (strcmp(m->skus[k].name, "Standard") &&
			        strcmp(m->skus[k].name, "GlobalStandard")))
				continue;
			cat_usage_name(m->skus[k].name, m->name, 1, u);
			cat_usage_label(m->skus[k].name, m->name, 1, label);
			add_usage(emu, val, region, u, label, filter);
		}
	/* quota set for names the catalogue does not know */
	for (i = 0; rg != NULL && i < rg->nquota; i++)
		add_usage(emu, val, region, rg->quota[i].usage,
		    rg->quota[i].usage, filter);
	resp_json(r, 200, o);
	cJSON_Delete(o);
}

static void
set_quota(struct emu *emu, struct region *rg, const cJSON *body,
    const struct req *rq, struct resp *r)
{
	const char *u = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(body, "usage"));
	const cJSON *lim = cJSON_GetObjectItemCaseSensitive(body, "limit");
	struct quota *v;
	size_t i;

	if (u == NULL || strlen(u) >= sizeof(v->usage) ||
	    !cJSON_IsNumber(lim) || lim->valuedouble < 0) {
		resp_error(r, 400, "InvalidRequest",
		    "want {\"usage\": \"OpenAI.GlobalStandard.gpt-4o\", "
		    "\"limit\": N}");
		return;
	}
	for (i = 0; i < rg->nquota; i++)
		if (strcmp(rg->quota[i].usage, u) == 0)
			break;
	if (i == rg->nquota) {
		v = realloc(rg->quota, (rg->nquota + 1) * sizeof(*v));
		if (v == NULL)
			return;
		rg->quota = v;
		snprintf(v[rg->nquota].usage, sizeof(v->usage), "%s", u);
		rg->nquota++;
	}
	rg->quota[i].limit = lim->valuedouble;
	cat_usages(emu, rq, r, rg->name);
}

static void
set_model(struct emu *emu, struct region *rg, const cJSON *body,
    const struct req *rq, struct resp *r)
{
	const char *model = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(body, "model"));
	const char *ver = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(body, "version"));
	const char *sku =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "sku"));
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(body, "available");
	struct gone g, *v;
	size_t i;

	memset(&g, 0, sizeof(g));
	if (model == NULL || !cJSON_IsBool(av) ||
	    strlen(model) >= sizeof(g.model) ||
	    (ver && strlen(ver) >= sizeof(g.version)) ||
	    (sku && strlen(sku) >= sizeof(g.sku))) {
		resp_error(r, 400, "InvalidRequest",
		    "want {\"model\": \"gpt-4o\", \"version\": \"...\" "
		    "(optional), \"sku\": \"...\" (optional), \"available\": "
		    "false}");
		return;
	}
	snprintf(g.model, sizeof(g.model), "%s", model);
	snprintf(g.version, sizeof(g.version), "%s", ver ? ver : "");
	snprintf(g.sku, sizeof(g.sku), "%s", sku ? sku : "");
	/* drop rules this one covers, then add it when removing */
	for (i = 0; i < rg->ngone;) {
		struct gone *x = &rg->gone[i];

		if (strcmp(x->model, g.model) == 0 &&
		    (g.version[0] == '\0' ||
		        strcmp(x->version, g.version) == 0) &&
		    (g.sku[0] == '\0' || strcasecmp(x->sku, g.sku) == 0)) {
			memmove(x, x + 1, (rg->ngone - i - 1) * sizeof(*x));
			rg->ngone--;
		} else {
			i++;
		}
	}
	if (cJSON_IsFalse(av)) {
		v = realloc(rg->gone, (rg->ngone + 1) * sizeof(*v));
		if (v == NULL)
			return;
		rg->gone = v;
		v[rg->ngone++] = g;
	}
	cat_models(emu, rq, r, rg->name);
}

void
cat_control(struct emu *emu, const struct req *rq, struct resp *r,
    const char *region, const char *what, const cJSON *body)
{
	struct region *rg = cat_region(emu, region);
	int get = strcmp(rq->method, "GET") == 0;

	if (rg == NULL) {
		resp_error(r, 500, "InternalServerError", "out of memory");
	} else if (strcmp(what, "quota") == 0) {
		if (get)
			cat_usages(emu, rq, r, rg->name);
		else
			set_quota(emu, rg, body, rq, r);
	} else if (strcmp(what, "models") == 0) {
		if (get)
			cat_models(emu, rq, r, rg->name);
		else
			set_model(emu, rg, body, rq, r);
	} else {
		resp_error(r, 404, "NotFound", "no such control call");
	}
}

void
cat_reset(struct emu *emu)
{
	struct aoai_arm *arm = emu->aoai;
	size_t i;

	for (i = 0; i < arm->nregions; i++) {
		free(arm->regions[i].quota);
		free(arm->regions[i].gone);
	}
	free(arm->regions);
	arm->regions = NULL;
	arm->nregions = 0;
}
