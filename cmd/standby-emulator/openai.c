/*
 * openai.c - Azure OpenAI's management plane (ARM, Microsoft.CognitiveServices)
 * as one listener shared by every openai account, like management.azure.com:
 * accounts, deployments with their long-running operations, and the
 * emulator's control hooks for them.  Every function runs with emu->mu
 * held.
 *
 * Written from reference/openai-deployments.md (sections 2-6) and the
 * 2026-09-01 swagger subset.  Deployment writes are asynchronous: the
 * resource changes at once (provisioningState Accepted), an operation runs
 * for the "deployment" job time, and while it runs every other write to the
 * same account is 409 RequestConflict (section 3).  With a job time of 0 an
 * operation ends within the request, so PATCH and DELETE answer 200.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "openai.h"

#define MAX_OPS 5000
#define PROVIDER "Microsoft.CognitiveServices"

static const char *const arm_versions[] = { "2023-05-01", "2024-10-01",
	"2025-06-01", "2025-09-01", "2025-12-01", "2026-03-01", "2026-05-01",
	"2026-07-01", "2026-09-01", NULL };

/* The SKU names the service knows (terraform validates against these). */
static const char *const sku_names[] = { "Standard", "GlobalStandard",
	"DataZoneStandard", "ProvisionedManaged", "GlobalProvisionedManaged",
	"DataZoneProvisionedManaged", "GlobalBatch", "DataZoneBatch", NULL };

static const char *const state_names[] = { "Accepted", "Creating", "Succeeded",
	"Failed", "Deleting" };

struct aoai_acct *
aoai_acct(struct resource *res)
{
	return res->aoai;
}

void
aoai_arm_error(
    struct resp *r, int status, const char *code, const char *fmt, ...)
{
	struct buf msg = { .max = 4096 };
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	resp_error(r, status, code, "%s", buf_str(&msg));
	buf_release(&msg);
}

void
aoai_account_id(const struct emu *emu, const char *name, struct buf *b)
{
	buf_addf(b,
	    "/subscriptions/%s/resourceGroups/%s/providers/" PROVIDER
	    "/accounts/%s",
	    emu->subscription, emu->resource_group, name);
}

static const char *
jstr(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static struct resource *
find_account(struct emu *emu, const char *name)
{
	size_t i;

	for (i = 0; i < emu->nres; i++)
		if (emu->res[i]->type == EMU_RES_OPENAI &&
		    strcasecmp(emu->res[i]->name, name) == 0)
			return emu->res[i];
	return NULL;
}

static struct adep *
find_dep(struct aoai_acct *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->ndeps; i++)
		if (strcasecmp(a->deps[i].name, name) == 0)
			return &a->deps[i];
	return NULL;
}

static void
remove_dep(struct aoai_acct *a, struct adep *d)
{
	size_t i = (size_t)(d - a->deps);

	cJSON_Delete(d->doc);
	memmove(a->deps + i, a->deps + i + 1,
	    (a->ndeps - i - 1) * sizeof(*a->deps));
	a->ndeps--;
}

static cJSON *
dep_json(const struct adep *d)
{
	cJSON *o = cJSON_Duplicate(d->doc, 1), *p;

	p = cJSON_GetObjectItemCaseSensitive(o, "properties");
	cJSON_DeleteItemFromObjectCaseSensitive(p, "provisioningState");
	cJSON_AddStringToObject(p, "provisioningState", state_names[d->state]);
	return o;
}

/* --- operations ---------------------------------------------------------- */

static int
busy(struct emu *emu, const struct resource *res)
{
	size_t i;

	for (i = 0; i < emu->aoai->nops; i++)
		if (emu->aoai->ops[i].res == res && !emu->aoai->ops[i].done)
			return 1;
	return 0;
}

static void
finish(struct emu *emu, struct aop *o)
{
	struct aoai_acct *a = o->res->aoai;
	struct adep *d = find_dep(a, o->dep);

	o->done = 1;
	o->ended = emu_now(emu);
	if (d == NULL)
		return;
	if (o->failed)
		d->state = DS_FAILED;
	else if (o->kind == OP_DELETE)
		remove_dep(a, d);
	else
		d->state = DS_SUCCEEDED;
}

static void
advance(struct emu *emu, struct aop *o)
{
	struct adep *d;
	double p;

	if (o->done)
		return;
	if (o->timing.polls > 0)
		p = ((o->polls > 0 ? o->polls - 1 : 0) / o->timing.polls) / 2.0;
	else if (o->timing.ms <= 0)
		p = 1;
	else {
		p = (emu_mono() - o->start_mono) * 1000.0 / o->timing.ms;
		if (p < 0.1)
			p = 0;
	}
	if (p >= 1) {
		finish(emu, o);
		return;
	}
	d = find_dep(o->res->aoai, o->dep);
	if (d != NULL && o->kind == OP_CREATE)
		d->state = p > 0 ? DS_CREATING : DS_ACCEPTED;
}

static void
arm_advance(struct emu *emu)
{
	size_t i;

	for (i = 0; i < emu->aoai->nops; i++)
		if (emu->aoai->ops[i].timing.polls == 0)
			advance(emu, &emu->aoai->ops[i]);
}

static struct aop *
op_new(
    struct emu *emu, struct resource *res, enum op_kind kind, const char *dep)
{
	struct aoai_arm *arm = emu->aoai;
	struct aoai_acct *a = res->aoai;
	struct aop *v, *o;
	size_t i;

	if (arm->nops >= MAX_OPS) {
		for (i = 0; i < arm->nops && !arm->ops[i].done; i++)
			;
		if (i == arm->nops)
			return NULL;
		memmove(arm->ops + i, arm->ops + i + 1,
		    (arm->nops - i - 1) * sizeof(*arm->ops));
		arm->nops--;
	}
	v = realloc(arm->ops, (arm->nops + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	arm->ops = v;
	o = &arm->ops[arm->nops++];
	memset(o, 0, sizeof(*o));
	emu_uuid(o->id);
	o->kind = kind;
	o->res = res;
	snprintf(o->dep, sizeof(o->dep), "%s", dep);
	snprintf(o->region, sizeof(o->region), "%s", res->region);
	o->created = emu_now(emu);
	o->start_mono = emu_mono();
	o->timing = emu->timing[JOB_DEPLOYMENT];
	if (kind != OP_DELETE && a->fail_code[0] != '\0') {
		/* decided now, reported when the operation ends */
		o->failed = 1;
		o->http = 400;
		snprintf(o->code, sizeof(o->code), "%s", a->fail_code);
		snprintf(o->msg, sizeof(o->msg), "%s", a->fail_msg);
		a->fail_code[0] = '\0';
	}
	return o;
}

static struct aop *
find_op(struct emu *emu, const char *id)
{
	size_t i;

	for (i = 0; i < emu->aoai->nops; i++)
		if (strcasecmp(emu->aoai->ops[i].id, id) == 0)
			return &emu->aoai->ops[i];
	return NULL;
}

static void
op_url(struct emu *emu, const struct req *rq, const struct aop *o,
    const char *what, const char *ver, struct buf *b)
{
	buf_addf(b,
	    "%s/subscriptions/%s/providers/" PROVIDER
	    "/locations/%s/%s/%s?api-version=%s",
	    rq->base, emu->subscription, o->region, what, o->id, ver);
}

/* The 201/202 headers: Azure-AsyncOperation always, Location on 202s
 * (the swagger declares it, the examples show the other; send both). */
static void
op_headers(struct emu *emu, const struct req *rq, struct resp *r,
    const struct aop *o, const char *ver, int location)
{
	struct buf u = { .max = 8192 };

	op_url(emu, rq, o, "operationStatuses", ver, &u);
	resp_header(r, "Azure-AsyncOperation", buf_str(&u));
	if (location) {
		buf_reset(&u);
		op_url(emu, rq, o, "operationResults", ver, &u);
		resp_header(r, "Location", buf_str(&u));
	}
	buf_release(&u);
	r->retry_after = emu->retry_after;
}

static void
op_status(struct emu *emu, const struct req *rq, struct resp *r, const char *id,
    int results)
{
	struct aop *o = find_op(emu, id);
	cJSON *b;
	char t[40];

	if (o == NULL) {
		aoai_arm_error(r, 404, "NotFound",
		    "The operation '%s' could not be found.", id);
		return;
	}
	o->polls++;
	advance(emu, o);
	if (results) {
		struct adep *d = find_dep(o->res->aoai, o->dep);

		if (!o->done) {
			struct buf u = { .max = 8192 };

			buf_addf(&u, "%s%s?api-version=%s", rq->base, rq->path,
			    emu_query(rq, "api-version"));
			resp_header(r, "Location", buf_str(&u));
			buf_release(&u);
			r->status = 202;
			r->retry_after = emu->retry_after;
		} else if (o->failed) {
			aoai_arm_error(r, o->http, o->code, "%s", o->msg);
		} else if (d == NULL || o->kind == OP_DELETE) {
			r->status = 204;
		} else {
			b = dep_json(d);
			resp_json(r, 200, b);
			cJSON_Delete(b);
		}
		return;
	}
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "id", rq->path);
	cJSON_AddStringToObject(b, "name", o->id);
	cJSON_AddStringToObject(b, "status",
	    !o->done        ? "InProgress"
	        : o->failed ? "Failed"
	                    : "Succeeded");
	emu_fmt_time(o->created, t);
	cJSON_AddStringToObject(b, "startTime", t);
	if (o->done) {
		emu_fmt_time(o->ended, t);
		cJSON_AddStringToObject(b, "endTime", t);
	}
	if (o->done && o->failed) {
		cJSON *e = cJSON_AddObjectToObject(b, "error");

		cJSON_AddStringToObject(e, "code", o->code);
		cJSON_AddStringToObject(e, "message", o->msg);
	}
	resp_json(r, 200, b);
	cJSON_Delete(b);
	if (!o->done)
		r->retry_after = emu->retry_after;
}

/* --- deployments --------------------------------------------------------- */

static void
conflict(struct emu *emu, struct resource *res, struct resp *r)
{
	struct buf id = { .max = 1024 };

	aoai_account_id(emu, res->name, &id);
	aoai_arm_error(r, 409, "RequestConflict",
	    "Another operation is being performed on the parent resource "
	    "'%s'. Please try again later.",
	    buf_str(&id));
	buf_release(&id);
}

static const char *
canonical_sku(const char *name)
{
	size_t i;

	for (i = 0; sku_names[i] != NULL; i++)
		if (strcasecmp(sku_names[i], name) == 0)
			return sku_names[i];
	return NULL;
}

/* The fine-tuned model a deployment names: this account's own, or
 * through model.source / model.sourceAccount another account's. */
static const struct ftmodel *
resolve_ft(
    struct emu *emu, struct resource *res, const cJSON *model, struct resp *r)
{
	const char *name = jstr(model, "name");
	const char *src = jstr(model, "source");
	struct resource *owner = res;

	if (src == NULL)
		src = jstr(model, "sourceAccount");
	if (src != NULL) {
		const char *slash = strrchr(src, '/');
		struct buf want = { .max = 1024 };

		owner = slash ? find_account(emu, slash + 1) : NULL;
		if (owner != NULL) {
			aoai_account_id(emu, owner->name, &want);
			if (strcasecmp(buf_str(&want), src) != 0)
				owner = NULL;
		}
		buf_release(&want);
		if (owner == NULL) {
			aoai_arm_error(r, 400, "InvalidResourceProperties",
			    "The model source '%s' is not a Cognitive "
			    "Services account in this subscription.",
			    src);
			return NULL;
		}
	}
	return ft_find_model(owner, name);
}

/* Validates a Deployment (PUT body) and builds the stored document; NULL
 * after filling r with the service's 400. */
static cJSON *
build_doc(struct emu *emu, struct resource *res, const struct req *rq,
    const cJSON *body, const char *name, const struct adep *old, struct resp *r)
{
	const cJSON *sku = cJSON_GetObjectItemCaseSensitive(body, "sku");
	const cJSON *props =
	    cJSON_GetObjectItemCaseSensitive(body, "properties");
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(props, "model");
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(body, "tags");
	const cJSON *cap = cJSON_GetObjectItemCaseSensitive(sku, "capacity");
	const cJSON *v;
	static const char *const copy[] = { "spilloverDeploymentName",
		"parentDeploymentName", "serviceTier", "deploymentState",
		"capacitySettings", "contextCacheContainerId", NULL };
	const struct cat_model *m = NULL;
	const struct cat_sku *cs = NULL;
	const struct ftmodel *ft = NULL;
	const char *skuname, *mname, *ver, *fmt, *upg, *rai;
	char usage[96], label[160];
	double capacity, used, limit, own = 0, oldcap;
	struct buf u = { .max = 2048 };
	cJSON *doc = NULL, *p, *mo;
	int i;

	(void)rq;
	if (!cJSON_IsObject(sku) || jstr(sku, "name") == NULL) {
		aoai_arm_error(r, 400, "InvalidRequestContent",
		    "The request content was invalid and could not be "
		    "deserialized: 'sku.name' is required.");
		return NULL;
	}
	if ((skuname = canonical_sku(jstr(sku, "name"))) == NULL) {
		aoai_arm_error(r, 400, "InvalidResourceProperties",
		    "The deployment sku name '%s' is invalid.",
		    jstr(sku, "name"));
		return NULL;
	}
	if (cJSON_GetObjectItemCaseSensitive(props, "scaleSettings") != NULL) {
		aoai_arm_error(r, 400, "InvalidResourceProperties",
		    "scale settings of account deployment is deprecated since "
		    "API version '2023-05-01', please use 'sku' instead");
		return NULL;
	}
	if (!cJSON_IsObject(model) || (mname = jstr(model, "name")) == NULL) {
		aoai_arm_error(r, 400, "InvalidResourceProperties",
		    "The deployment model is required: properties.model.name "
		    "is missing.");
		return NULL;
	}
	fmt = jstr(model, "format");
	if (fmt == NULL || strcasecmp(fmt, "OpenAI") != 0) {
		aoai_arm_error(r, 400, "InvalidResourceProperties",
		    "The model format '%s' is not supported; want 'OpenAI'.",
		    fmt ? fmt : "");
		return NULL;
	}
	ver = jstr(model, "version");
	if (strstr(mname, ".ft-") != NULL) {
		if ((ft = resolve_ft(emu, res, model, r)) == NULL) {
			if (r->status == 400)
				return NULL;
		} else if (ver != NULL && strcmp(ver, "1") != 0) {
			ft = NULL;
		}
		if (ft != NULL)
			m = cat_find(emu, res->region, ft->base->name,
			    ft->base->version);
		ver = "1";
	} else {
		m = cat_find(emu, res->region, mname, ver);
	}
	if (m == NULL) {
		aoai_arm_error(r, 400, "DeploymentModelNotSupported",
		    "The model 'Format:OpenAI,Name:%s,Version:%s' of account "
		    "deployment is not supported in region '%s'.",
		    mname, ver ? ver : "(default)", res->region);
		return NULL;
	}
	if (ver == NULL)
		ver = m->version;
	cs = cat_sku(emu, res->region, m, skuname);
	if (cs == NULL ||
	    (ft != NULL && strcmp(cs->name, "Standard") != 0 &&
	        strcmp(cs->name, "GlobalStandard") != 0)) {
		aoai_arm_error(r, 400, "InvalidResourceProperties",
		    "The specified SKU '%s' of account deployment is not "
		    "supported by the model '%s' version '%s'.",
		    skuname, mname, ver);
		return NULL;
	}
	if (cap != NULL &&
	    (!cJSON_IsNumber(cap) ||
	        cap->valuedouble != (double)cap->valueint)) {
		aoai_arm_error(r, 400, "InvalidRequestContent",
		    "The request content was invalid: sku.capacity must be "
		    "an integer.");
		return NULL;
	}
	capacity = cap ? cap->valuedouble : cs->def;
	if (capacity < cs->min || capacity > cs->max ||
	    ((long)capacity - cs->min) % cs->step != 0) {
		aoai_arm_error(r, 400, "InvalidCapacity",
		    "The specified capacity '%ld' of account deployment should "
		    "be at least %d and no more than %d, in steps of %d.",
		    (long)capacity, cs->min, cs->max, cs->step);
		return NULL;
	}
	upg = jstr(props, "versionUpgradeOption");
	if (upg != NULL && strcmp(upg, "OnceNewDefaultVersionAvailable") &&
	    strcmp(upg, "OnceCurrentVersionExpired") &&
	    strcmp(upg, "NoAutoUpgrade")) {
		aoai_arm_error(r, 400, "InvalidResourceProperties",
		    "The versionUpgradeOption '%s' is invalid.", upg);
		return NULL;
	}
	if (tags != NULL && !cJSON_IsObject(tags)) {
		aoai_arm_error(r, 400, "InvalidRequestContent",
		    "The request content was invalid: tags must be an "
		    "object.");
		return NULL;
	}
	/* quota: what this deployment already holds is freed first */
	cat_usage_name(cs->name, m->name, ft != NULL, usage);
	cat_usage_label(cs->name, m->name, ft != NULL, label);
	if (old != NULL && old->state != DS_FAILED) {
		char ou[96];

		if (cat_dep_usage(emu, res, old->doc, ou, &oldcap) == 0 &&
		    strcmp(ou, usage) == 0)
			own = oldcap;
	}
	used = cat_used(emu, res->region, usage, res, name);
	limit = cat_limit(emu, res->region, usage);
	if (used + capacity > limit && capacity > own) {
		aoai_arm_error(r, 400, "InsufficientQuota",
		    "This operation require %ld new capacity in quota %s, "
		    "which is bigger than the current available capacity %ld. "
		    "The current quota usage is %ld and the quota limit is %ld "
		    "for quota %s.",
		    (long)(capacity - own), label,
		    (long)(limit - used - own > 0 ? limit - used - own : 0),
		    (long)(used + own), (long)limit, usage);
		return NULL;
	}
	doc = cJSON_CreateObject();
	aoai_account_id(emu, res->name, &u);
	buf_addstr(&u, "/deployments/");
	buf_addstr(&u, name);
	cJSON_AddStringToObject(doc, "id", buf_str(&u));
	buf_release(&u);
	cJSON_AddStringToObject(doc, "name", name);
	cJSON_AddStringToObject(
	    doc, "type", "Microsoft.CognitiveServices/accounts/deployments");
	v = cJSON_AddObjectToObject(doc, "sku");
	cJSON_AddStringToObject((cJSON *)v, "name", cs->name);
	cJSON_AddNumberToObject((cJSON *)v, "capacity", capacity);
	if (tags != NULL)
		cJSON_AddItemToObject(doc, "tags", cJSON_Duplicate(tags, 1));
	p = cJSON_AddObjectToObject(doc, "properties");
	mo = cJSON_AddObjectToObject(p, "model");
	cJSON_AddStringToObject(mo, "format", "OpenAI");
	cJSON_AddStringToObject(mo, "name", ft ? ft->id : m->name);
	cJSON_AddStringToObject(mo, "version", ver);
	if (jstr(model, "source") != NULL)
		cJSON_AddStringToObject(mo, "source", jstr(model, "source"));
	if (jstr(model, "sourceAccount") != NULL)
		cJSON_AddStringToObject(
		    mo, "sourceAccount", jstr(model, "sourceAccount"));
	cJSON_AddStringToObject(p, "versionUpgradeOption",
	    upg      ? upg
	        : ft ? "NoAutoUpgrade"
	             : "OnceNewDefaultVersionAvailable");
	rai = jstr(props, "raiPolicyName");
	cJSON_AddStringToObject(
	    p, "raiPolicyName", rai ? rai : "Microsoft.DefaultV2");
	for (i = 0; copy[i] != NULL; i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(props, copy[i])))
			cJSON_AddItemToObject(
			    p, copy[i], cJSON_Duplicate(v, 1));
	cJSON_AddNumberToObject(p, "currentCapacity", capacity);
	v = cJSON_AddObjectToObject(p, "capabilities");
	cJSON_AddStringToObject((cJSON *)v, m->capability, "true");
	return doc;
}

/* Same content, ignoring what the service sets itself. */
static int
same_content(const cJSON *a, const cJSON *b)
{
	static const char *const keys[] = { "sku", "tags", "properties", NULL };
	int i;

	for (i = 0; keys[i] != NULL; i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, keys[i]);
		const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, keys[i]);

		if ((x == NULL) != (y == NULL) ||
		    (x != NULL && !cJSON_Compare(x, y, 1)))
			return 0;
	}
	return 1;
}

static void
stamp(struct emu *emu, cJSON *doc, const cJSON *old)
{
	char t[40], etag[48], u[37];
	cJSON *sd = cJSON_CreateObject();
	const cJSON *oc = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(old, "systemData"), "createdAt");

	emu_fmt_time(emu_now(emu), t);
	emu_uuid(u);
	snprintf(etag, sizeof(etag), "\"%s\"", u);
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "etag");
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "systemData");
	cJSON_AddStringToObject(doc, "etag", etag);
	cJSON_AddStringToObject(sd, "createdBy", "emulator-client");
	cJSON_AddStringToObject(sd, "createdByType", "Application");
	cJSON_AddStringToObject(
	    sd, "createdAt", cJSON_IsString(oc) ? oc->valuestring : t);
	cJSON_AddStringToObject(sd, "lastModifiedBy", "emulator-client");
	cJSON_AddStringToObject(sd, "lastModifiedByType", "Application");
	cJSON_AddStringToObject(sd, "lastModifiedAt", t);
	cJSON_AddItemToObject(doc, "systemData", sd);
}

static cJSON *
parse_body(const struct req *rq, struct resp *r)
{
	cJSON *b =
	    rq->body_len ? cJSON_ParseWithLength(rq->body, rq->body_len) : NULL;

	if (!cJSON_IsObject(b)) {
		cJSON_Delete(b);
		aoai_arm_error(r, 400, "InvalidRequestContent",
		    "The request content was invalid and could not be "
		    "deserialized: want a JSON object.");
		return NULL;
	}
	return b;
}

static void
put_dep(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, const char *name, const char *ver)
{
	struct aoai_acct *a = res->aoai;
	struct adep *d = find_dep(a, name), *v;
	cJSON *body = NULL, *doc = NULL, *out;
	struct aop *o;

	if (busy(emu, res)) {
		conflict(emu, res, r);
		return;
	}
	if (!emu_valid_name(name)) {
		aoai_arm_error(r, 400, "InvalidResourceName",
		    "The deployment name '%s' is invalid: use at most 50 "
		    "letters, digits, '_', '.' or '-'.",
		    name);
		return;
	}
	if ((body = parse_body(rq, r)) == NULL)
		return;
	doc = build_doc(emu, res, rq, body, d ? d->name : name, d, r);
	if (doc == NULL)
		goto out;
	if (d != NULL && d->state == DS_SUCCEEDED &&
	    same_content(doc, d->doc)) {
		out = dep_json(d);
		resp_json(r, 200, out);
		cJSON_Delete(out);
		goto out;
	}
	if (d == NULL) {
		v = realloc(a->deps, (a->ndeps + 1) * sizeof(*v));
		if (v == NULL)
			goto out;
		a->deps = v;
		d = &a->deps[a->ndeps++];
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", name);
		r->status = 201;
	} else {
		r->status = 200;
	}
	stamp(emu, doc, d->doc);
	cJSON_Delete(d->doc);
	d->doc = doc;
	doc = NULL;
	d->state = DS_ACCEPTED;
	o = op_new(emu, res, r->status == 201 ? OP_CREATE : OP_UPDATE, d->name);
	if (o == NULL) {
		aoai_arm_error(r, 500, "InternalServerError", "out of memory");
		goto out;
	}
	advance(emu, o);
	out = dep_json(d);
	resp_json(r, r->status, out);
	cJSON_Delete(out);
	op_headers(emu, rq, r, o, ver, 0);
out:
	cJSON_Delete(doc);
	cJSON_Delete(body);
}

static void
patch_dep(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, struct adep *d, const char *ver)
{
	cJSON *body = NULL, *req = NULL, *doc = NULL, *out;
	const cJSON *sku, *tags;
	struct aop *o;

	if (busy(emu, res)) {
		conflict(emu, res, r);
		return;
	}
	if ((body = parse_body(rq, r)) == NULL)
		return;
	sku = cJSON_GetObjectItemCaseSensitive(body, "sku");
	tags = cJSON_GetObjectItemCaseSensitive(body, "tags");
	if ((sku && !cJSON_IsObject(sku)) || (tags && !cJSON_IsObject(tags))) {
		aoai_arm_error(r, 400, "InvalidRequestContent",
		    "The request content was invalid: sku and tags must be "
		    "objects.");
		goto out;
	}
	/* PATCH = the stored deployment with sku fields and tags replaced,
	 * validated as a PUT would be */
	req = cJSON_Duplicate(d->doc, 1);
	if (sku != NULL) {
		cJSON *s = cJSON_GetObjectItemCaseSensitive(req, "sku");
		const cJSON *it;

		cJSON_ArrayForEach(it, sku)
		{
			cJSON_DeleteItemFromObjectCaseSensitive(s, it->string);
			cJSON_AddItemToObject(
			    s, it->string, cJSON_Duplicate(it, 1));
		}
	}
	if (tags != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(req, "tags");
		cJSON_AddItemToObject(req, "tags", cJSON_Duplicate(tags, 1));
	}
	doc = build_doc(emu, res, rq, req, d->name, d, r);
	if (doc == NULL)
		goto out;
	if (d->state == DS_SUCCEEDED && same_content(doc, d->doc)) {
		out = dep_json(d);
		resp_json(r, 200, out);
		cJSON_Delete(out);
		goto out;
	}
	stamp(emu, doc, d->doc);
	cJSON_Delete(d->doc);
	d->doc = doc;
	doc = NULL;
	d->state = DS_ACCEPTED;
	if ((o = op_new(emu, res, OP_UPDATE, d->name)) == NULL) {
		aoai_arm_error(r, 500, "InternalServerError", "out of memory");
		goto out;
	}
	advance(emu, o);
	if (o->done && !o->failed) {
		out = dep_json(d);
		resp_json(r, 200, out);
		cJSON_Delete(out);
		goto out;
	}
	r->status = 202;
	op_headers(emu, rq, r, o, ver, 1);
out:
	cJSON_Delete(doc);
	cJSON_Delete(req);
	cJSON_Delete(body);
}

static void
delete_dep(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, struct adep *d, const char *ver)
{
	struct aop *o;

	if (busy(emu, res)) {
		conflict(emu, res, r);
		return;
	}
	if (d == NULL) {
		r->status = 204;
		return;
	}
	d->state = DS_DELETING;
	if ((o = op_new(emu, res, OP_DELETE, d->name)) == NULL) {
		aoai_arm_error(r, 500, "InternalServerError", "out of memory");
		return;
	}
	advance(emu, o);
	if (o->done) {
		r->status = 200;
		return;
	}
	r->status = 202;
	op_headers(emu, rq, r, o, ver, 1);
}

static void
list_deps(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, const char *ver)
{
	struct aoai_acct *a = res->aoai;
	const char *tok = emu_query(rq, "$skipToken");
	long skip = tok ? strtol(tok, NULL, 10) : 0, ps = emu->aoai->page_size;
	cJSON *o = cJSON_CreateObject(), *val;
	size_t i;

	if (skip < 0)
		skip = 0;
	val = cJSON_AddArrayToObject(o, "value");
	for (i = (size_t)skip; i < a->ndeps && i < (size_t)(skip + ps); i++)
		cJSON_AddItemToArray(val, dep_json(&a->deps[i]));
	if (i < a->ndeps) {
		struct buf u = { .max = 8192 };

		buf_addf(&u, "%s", rq->base);
		lang_addurlpath(&u, rq->path);
		buf_addf(&u, "?api-version=%s&$skipToken=%zu", ver, i);
		cJSON_AddStringToObject(o, "nextLink", buf_str(&u));
		buf_release(&u);
	}
	resp_json(r, 200, o);
	cJSON_Delete(o);
}

static void
get_account(struct emu *emu, struct resource *res, struct resp *r)
{
	cJSON *o = cJSON_CreateObject(), *p, *e;
	struct buf u = { .max = 1024 };
	char t[40];

	aoai_account_id(emu, res->name, &u);
	cJSON_AddStringToObject(o, "id", buf_str(&u));
	cJSON_AddStringToObject(o, "name", res->name);
	cJSON_AddStringToObject(
	    o, "type", "Microsoft.CognitiveServices/accounts");
	cJSON_AddStringToObject(o, "location", res->region);
	cJSON_AddStringToObject(o, "kind", "OpenAI");
	cJSON_AddStringToObject(
	    cJSON_AddObjectToObject(o, "sku"), "name", "S0");
	cJSON_AddObjectToObject(o, "tags");
	cJSON_AddStringToObject(
	    o, "etag", "\"00000000-0000-0000-0000-000000000001\"");
	p = cJSON_AddObjectToObject(o, "properties");
	buf_reset(&u);
	buf_addf(
	    &u, "%s://127.0.0.1:%u/", emu->tls ? "https" : "http", res->port);
	cJSON_AddStringToObject(p, "endpoint", buf_str(&u));
	e = cJSON_AddObjectToObject(p, "endpoints");
	cJSON_AddStringToObject(
	    e, "OpenAI Language Model Instance API", buf_str(&u));
	cJSON_AddStringToObject(p, "provisioningState", "Succeeded");
	cJSON_AddStringToObject(p, "customSubDomainName", res->name);
	cJSON_AddStringToObject(p, "publicNetworkAccess", "Enabled");
	cJSON_AddBoolToObject(p, "disableLocalAuth", 0);
	emu_fmt_time(emu->boot_date, t);
	cJSON_AddStringToObject(p, "dateCreated", t);
	resp_json(r, 200, o);
	cJSON_Delete(o);
	buf_release(&u);
}

/* --- the router ---------------------------------------------------------- */

static int
is(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

static int
known_version(const char *v)
{
	size_t i;

	for (i = 0; arm_versions[i] != NULL; i++)
		if (strcmp(arm_versions[i], v) == 0)
			return 1;
	return 0;
}

static void
no_method(struct resp *r, const struct req *rq)
{
	aoai_arm_error(r, 405, "MethodNotAllowed",
	    "The requested resource does not support http method '%s'.",
	    rq->method);
}

static void
account_call(struct emu *emu, const struct req *rq, struct resp *r, char **seg,
    size_t n, const char *ver)
{
	const char *m = rq->method;
	struct resource *res;
	struct adep *d;
	cJSON *o;

	if (!is(seg[3], emu->resource_group)) {
		aoai_arm_error(r, 404, "ResourceGroupNotFound",
		    "Resource group '%s' could not be found.", seg[3]);
		return;
	}
	if ((res = find_account(emu, seg[7])) == NULL) {
		aoai_arm_error(r, 404, "ResourceNotFound",
		    "The Resource 'Microsoft.CognitiveServices/accounts/%s' "
		    "under resource group '%s' was not found.",
		    seg[7], seg[3]);
		return;
	}
	if (n == 8) {
		if (strcmp(m, "GET") == 0)
			get_account(emu, res, r);
		else
			no_method(r, rq);
	} else if (n == 9 && is(seg[8], "deployments")) {
		if (strcmp(m, "GET") == 0)
			list_deps(emu, res, rq, r, ver);
		else
			no_method(r, rq);
	} else if (n == 9 && is(seg[8], "models")) {
		if (strcmp(m, "GET") == 0)
			cat_account_models(emu, res, r);
		else
			no_method(r, rq);
	} else if (n == 10 && is(seg[8], "deployments")) {
		d = find_dep(res->aoai, seg[9]);
		if (strcmp(m, "PUT") == 0) {
			put_dep(emu, res, rq, r, seg[9], ver);
		} else if (strcmp(m, "DELETE") == 0) {
			delete_dep(emu, res, rq, r, d, ver);
		} else if (d == NULL &&
		    (strcmp(m, "GET") == 0 || strcmp(m, "PATCH") == 0)) {
			struct buf u = { .max = 1024 };

			aoai_account_id(emu, res->name, &u);
			aoai_arm_error(r, 404, "NotFound",
			    "Specified resource '%s/deployments/%s' cannot be "
			    "found.",
			    buf_str(&u), seg[9]);
			buf_release(&u);
		} else if (strcmp(m, "GET") == 0) {
			o = dep_json(d);
			resp_json(r, 200, o);
			cJSON_Delete(o);
		} else if (strcmp(m, "PATCH") == 0) {
			patch_dep(emu, res, rq, r, d, ver);
		} else {
			no_method(r, rq);
		}
	} else {
		aoai_arm_error(r, 404, "NotFound",
		    "No route for %s %s on the emulated ARM endpoint.", m,
		    rq->path);
	}
}

void
aoai_arm_handle(
    struct emu *emu, struct resource *arm, const struct req *rq, struct resp *r)
{
	const char *ver = emu_query(rq, "api-version");
	char *copy = NULL, *seg[16], *s, *save = NULL;
	size_t n = 0, i;
	struct buf all = { .max = 1024 };

	(void)arm;
	arm_advance(emu);
	if (ver == NULL) {
		aoai_arm_error(r, 400, "MissingApiVersionParameter",
		    "The api-version query parameter (?api-version=) is "
		    "required for all requests.");
		return;
	}
	if (!known_version(ver)) {
		for (i = 0; arm_versions[i] != NULL; i++)
			buf_addf(&all, "%s%s", i ? ", " : "", arm_versions[i]);
		aoai_arm_error(r, 400, "NoRegisteredProviderFound",
		    "No registered resource provider found for API version "
		    "'%s' and type 'accounts'. The supported api-versions are "
		    "'%s'.",
		    ver, buf_str(&all));
		buf_release(&all);
		return;
	}
	if ((copy = strdup(rq->path)) == NULL)
		return;
	for (s = strtok_r(copy, "/", &save); s != NULL && n < 16;
	     s = strtok_r(NULL, "/", &save))
		seg[n++] = s;
	if (n < 2 || !is(seg[0], "subscriptions")) {
		aoai_arm_error(r, 404, "NotFound",
		    "No route for %s %s on the emulated ARM endpoint.",
		    rq->method, rq->path);
	} else if (!is(seg[1], emu->subscription)) {
		aoai_arm_error(r, 404, "SubscriptionNotFound",
		    "The subscription '%s' could not be found.", seg[1]);
	} else if (n >= 7 && is(seg[2], "providers") && is(seg[3], PROVIDER) &&
	    is(seg[4], "locations")) {
		char loc[EMU_NAME_MAX];

		for (i = 0; seg[5][i] != '\0' && i + 1 < sizeof(loc); i++)
			loc[i] = (char)(seg[5][i] >= 'A' && seg[5][i] <= 'Z'
			        ? seg[5][i] + 32
			        : seg[5][i]);
		loc[i] = '\0';
		if (strcmp(rq->method, "GET") != 0)
			no_method(r, rq);
		else if (n == 7 && is(seg[6], "models"))
			cat_models(emu, rq, r, loc);
		else if (n == 7 && is(seg[6], "usages"))
			cat_usages(emu, rq, r, loc);
		else if (n == 8 && is(seg[6], "operationStatuses"))
			op_status(emu, rq, r, seg[7], 0);
		else if (n == 8 && is(seg[6], "operationResults"))
			op_status(emu, rq, r, seg[7], 1);
		else
			aoai_arm_error(r, 404, "NotFound",
			    "No route for GET %s on the emulated ARM "
			    "endpoint.",
			    rq->path);
	} else if (n >= 8 && is(seg[2], "resourceGroups") &&
	    is(seg[4], "providers") && is(seg[5], PROVIDER) &&
	    is(seg[6], "accounts")) {
		account_call(emu, rq, r, seg, n, ver);
	} else {
		aoai_arm_error(r, 404, "NotFound",
		    "No route for %s %s on the emulated ARM endpoint.",
		    rq->method, rq->path);
	}
	free(copy);
}

/* --- life cycle and control ---------------------------------------------- */

int
aoai_init(struct emu *emu, struct err *err)
{
	struct resource *arm;
	size_t i, n = 0;

	for (i = 0; i < emu->nres; i++) {
		if (emu->res[i]->type != EMU_RES_OPENAI)
			continue;
		emu->res[i]->aoai = calloc(1, sizeof(struct aoai_acct));
		if (emu->res[i]->aoai == NULL)
			return err_set(err, ERR_NOMEM, "out of memory");
		n++;
	}
	if (n == 0)
		return 0;
	arm = calloc(1, sizeof(*arm));
	emu->aoai = calloc(1, sizeof(*emu->aoai));
	if (arm == NULL || emu->aoai == NULL) {
		free(arm);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	snprintf(arm->name, sizeof(arm->name), "arm");
	snprintf(arm->region, sizeof(arm->region), "global");
	arm->type = EMU_RES_ARM;
	arm->emu = emu;
	reqlog_init(&arm->log, emu->log_cap);
	emu->arm = arm;
	emu->aoai->page_size = 20;
	return 0;
}

static void
acct_reset(struct aoai_acct *a)
{
	size_t i;

	for (i = 0; i < a->ndeps; i++)
		cJSON_Delete(a->deps[i].doc);
	free(a->deps);
	a->deps = NULL;
	a->ndeps = 0;
	a->fail_code[0] = '\0';
	ft_reset(a);
}

void
aoai_reset(struct emu *emu)
{
	size_t i;

	for (i = 0; i < emu->nres; i++)
		if (emu->res[i]->aoai != NULL)
			acct_reset(emu->res[i]->aoai);
	if (emu->aoai == NULL)
		return;
	free(emu->aoai->ops);
	emu->aoai->ops = NULL;
	emu->aoai->nops = 0;
	emu->aoai->page_size = 20;
	cat_reset(emu);
	reqlog_clear(&emu->arm->log);
}

void
aoai_free(struct emu *emu)
{
	size_t i;

	aoai_reset(emu);
	for (i = 0; i < emu->nres; i++) {
		free(emu->res[i]->aoai);
		emu->res[i]->aoai = NULL;
	}
	if (emu->arm != NULL) {
		reqlog_release(&emu->arm->log);
		free(emu->arm);
		emu->arm = NULL;
	}
	free(emu->aoai);
	emu->aoai = NULL;
}

void
aoai_endpoints(const struct emu *emu, const struct resource *res, cJSON *e)
{
	struct buf u = { .max = 1024 };

	aoai_account_id(emu, res->name, &u);
	cJSON_AddStringToObject(e, "id", buf_str(&u));
	buf_release(&u);
}

int
aoai_control(struct emu *emu, const struct req *rq, struct resp *r, char **seg,
    size_t n, const cJSON *body)
{
	struct resource *res;

	if (n == 3 && strcmp(seg[0], "regions") == 0) {
		if (emu->aoai == NULL)
			resp_error(r, 404, "NotFound",
			    "no openai accounts, so no regions to set");
		else
			cat_control(emu, rq, r, seg[1], seg[2], body);
		return 1;
	}
	if (n == 1 && strcmp(seg[0], "arm") == 0 && emu->aoai != NULL) {
		const cJSON *ps =
		    cJSON_GetObjectItemCaseSensitive(body, "page_size");
		cJSON *o;

		if (strcmp(rq->method, "PUT") == 0) {
			if (!cJSON_IsNumber(ps) || ps->valuedouble < 1) {
				resp_error(r, 400, "InvalidRequest",
				    "want {\"page_size\": N}");
				return 1;
			}
			emu->aoai->page_size = (long)ps->valuedouble;
		}
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(
		    o, "page_size", (double)emu->aoai->page_size);
		cJSON_AddStringToObject(o, "subscription", emu->subscription);
		cJSON_AddStringToObject(
		    o, "resource_group", emu->resource_group);
		resp_json(r, 200, o);
		cJSON_Delete(o);
		return 1;
	}
	if (n == 3 && strcmp(seg[0], "resources") == 0 &&
	    strcmp(seg[2], "fail-next") == 0) {
		const char *code = jstr(body, "code"),
		           *msg = jstr(body, "message");

		if ((res = find_account(emu, seg[1])) == NULL) {
			resp_error(r, 404, "NotFound", "no openai account '%s'",
			    seg[1]);
			return 1;
		}
		if (code == NULL || strcmp(rq->method, "PUT") != 0) {
			resp_error(r, 400, "InvalidRequest",
			    "want PUT {\"code\": \"...\", \"message\": "
			    "\"...\"}");
			return 1;
		}
		snprintf(res->aoai->fail_code, sizeof(res->aoai->fail_code),
		    "%s", code);
		snprintf(res->aoai->fail_msg, sizeof(res->aoai->fail_msg), "%s",
		    msg ? msg : "The deployment failed.");
		resp_json(r, 200, body);
		return 1;
	}
	return 0;
}
