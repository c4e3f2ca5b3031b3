/* openaicl.c - the Azure OpenAI management client: one per account, over
 * lib/arm.  The account's ARM id is the write lane, so every deployment
 * write of this client waits for the one before it (the service allows
 * one per account); errors the user can act on (quota, unsupported
 * model) are reworded here, where the account and deployment are known. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "arm.h"
#include "openai.h"

struct openai {
	struct arm *a;
	char *account_id, *account_name;
};

struct op {
	struct openai *oc;
	char *name;
	openai_deployment_fn cb;
	openai_deployments_fn lcb;
	arm_started_fn started;
	void *arg;
};

int
openai_new(struct openai **out, const struct openai_opts *o, struct err *err)
{
	struct openai *oc;
	struct arm_opts ao = { 0 };
	const char *slash;

	*out = NULL;
	if (o->account_id == NULL ||
	    strncmp(o->account_id, "/subscriptions/", 15) != 0 ||
	    strstr(o->account_id, "/accounts/") == NULL)
		return err_set(err, ERR_SPEC,
		    "openai: '%s' is not an account id "
		    "(/subscriptions/.../accounts/NAME)",
		    o->account_id ? o->account_id : "(null)");
	if (o->arm != NULL)
		ao = *o->arm;
	ao.endpoint = o->endpoint;
	ao.api_version = o->api_version;
	ao.http = o->http;
	ao.auth = o->auth;
	ao.name = "openai";
	if ((oc = calloc(1, sizeof(*oc))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	slash = strrchr(o->account_id, '/');
	oc->account_id = strdup(o->account_id);
	oc->account_name = strdup(slash + 1);
	if (oc->account_id == NULL || oc->account_name == NULL) {
		openai_free(oc);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	if (ao.pace_key == NULL)
		ao.pace_key = oc->account_id;
	if (arm_new(&oc->a, &ao, err) != 0) {
		openai_free(oc);
		return -1;
	}
	*out = oc;
	return 0;
}

void
openai_free(struct openai *oc)
{
	if (oc == NULL)
		return;
	arm_free(oc->a);
	free(oc->account_id);
	free(oc->account_name);
	free(oc);
}

struct arm *
openai_arm(struct openai *oc)
{
	return oc->a;
}

static int
dep_path(
    const struct openai *oc, const char *name, struct buf *b, struct err *err)
{
	if (name == NULL || name[0] == '\0')
		return err_set(err, ERR_SPEC, "openai: no deployment name");
	buf_addstr(b, oc->account_id);
	buf_addstr(b, "/deployments");
	if (name[0] != '\0' && strcmp(name, "*") != 0) {
		buf_addch(b, '/');
		buf_addurlenc(b, name);
	}
	return buf_check(b, err, "openai: building the URL");
}

/* "/subscriptions/{sub}/providers/Microsoft.CognitiveServices/locations/
 * {loc}/{what}" for the account's subscription. */
static int
loc_path(const struct openai *oc, const char *location, const char *what,
    struct buf *b, struct err *err)
{
	const char *sub = oc->account_id + 15;
	size_t n = strcspn(sub, "/");

	if (location == NULL || location[0] == '\0')
		return err_set(err, ERR_SPEC, "openai: no location");
	buf_addf(b,
	    "/subscriptions/%.*s/providers/Microsoft.CognitiveServices"
	    "/locations/",
	    (int)n, sub);
	buf_addurlenc(b, location);
	buf_addf(b, "/%s", what);
	return buf_check(b, err, "openai: building the URL");
}

static struct op *
op_new(struct openai *oc, const char *name, struct err *err)
{
	struct op *p = calloc(1, sizeof(*p));

	if (p == NULL || (name != NULL && (p->name = strdup(name)) == NULL)) {
		free(p);
		err_set(err, ERR_NOMEM, "out of memory");
		return NULL;
	}
	p->oc = oc;
	return p;
}

static void
op_free(struct op *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p);
}

/* Rewords the errors a user can act on. */
static void
explain(const struct op *p, const char *code, struct err *e)
{
	if (code == NULL)
		return;
	if (strcasecmp(code, "InsufficientQuota") == 0)
		err_wrap(e,
		    "openai: account %s: deployment %s: insufficient quota "
		    "in the account's region (lower sku.capacity or request "
		    "more quota)",
		    p->oc->account_name, p->name ? p->name : "?");
	else if (strcasecmp(code, "DeploymentModelNotSupported") == 0 ||
	    strcasecmp(code, "ServiceModelDeprecating") == 0 ||
	    strcasecmp(code, "InvalidResourceProperties") == 0 ||
	    strcasecmp(code, "ModelNotSupported") == 0)
		err_wrap(e,
		    "openai: account %s: deployment %s: the model, version "
		    "or sku is not supported there",
		    p->oc->account_name, p->name ? p->name : "?");
	else if (strcasecmp(code, "RequestConflict") == 0)
		err_wrap(e,
		    "openai: account %s: another write kept the account busy",
		    p->oc->account_name);
}

static void
dep_done(void *arg, const struct arm_resp *r, const struct err *e)
{
	struct op *p = arg;
	struct openai_deployment d;
	struct err pe = { 0 };
	const char *code = r ? r->code : NULL;

	if (e != NULL) {
		pe = *e;
		explain(p, code, &pe);
		p->cb(p->arg, NULL, code, &pe);
	} else if (r == NULL || r->json == NULL) {
		p->cb(p->arg, NULL, NULL, NULL);
	} else if (openai_deployment_parse(r->json, "deployment", &d, &pe) !=
	    0) {
		err_wrap(&pe, "openai: account %s: deployment %s: response",
		    p->oc->account_name, p->name ? p->name : "?");
		p->cb(p->arg, NULL, NULL, &pe);
	} else {
		p->cb(p->arg, &d, NULL, NULL);
		openai_deployment_release(&d);
	}
	op_free(p);
}

static void
list_done(void *arg, cJSON *items, const struct err *e)
{
	struct op *p = arg;
	struct openai_deployments l;
	struct err pe = { 0 };

	if (e != NULL) {
		p->lcb(p->arg, NULL, e);
	} else if (openai_deployments_parse(items, &l, &pe) != 0) {
		err_wrap(&pe, "openai: account %s: deployments",
		    p->oc->account_name);
		p->lcb(p->arg, NULL, &pe);
	} else {
		p->lcb(p->arg, &l, NULL);
		openai_deployments_release(&l);
	}
	op_free(p);
}

int
openai_deployments_list(
    struct openai *oc, openai_deployments_fn cb, void *arg, struct err *err)
{
	struct buf b = { .max = 4096 };
	struct op *p;
	int rc = -1;

	if (dep_path(oc, "*", &b, err) != 0 ||
	    (p = op_new(oc, NULL, err)) == NULL)
		goto out;
	p->lcb = cb;
	p->arg = arg;
	if ((rc = arm_list(oc->a, buf_str(&b), NULL, list_done, p, err)) != 0)
		op_free(p);
out:
	buf_release(&b);
	return rc;
}

int
openai_deployment_get(struct openai *oc, const char *name,
    openai_deployment_fn cb, void *arg, struct err *err)
{
	struct buf b = { .max = 4096 };
	struct op *p;
	int rc = -1;

	if (dep_path(oc, name, &b, err) != 0 ||
	    (p = op_new(oc, name, err)) == NULL)
		goto out;
	p->cb = cb;
	p->arg = arg;
	if ((rc = arm_get(oc->a, buf_str(&b), NULL, dep_done, p, err)) != 0)
		op_free(p);
out:
	buf_release(&b);
	return rc;
}

/* arm calls started with our op: the caller's arg is inside. */
static void
dep_started(void *arg, const struct arm_op *aop)
{
	struct op *p = arg;

	if (p->started != NULL)
		p->started(p->arg, aop);
}

static int
dep_write(struct openai *oc, const char *method, const char *name,
    const char *body, arm_started_fn started, openai_deployment_fn cb,
    void *arg, struct err *err)
{
	struct buf b = { .max = 4096 };
	struct op *p;
	int rc = -1;

	if (dep_path(oc, name, &b, err) != 0 ||
	    (p = op_new(oc, name, err)) == NULL)
		goto out;
	p->cb = cb;
	p->started = started;
	p->arg = arg;
	rc = arm_write(oc->a, oc->account_id, method, buf_str(&b), NULL, body,
	    body ? strlen(body) : 0, dep_started, dep_done, p, err);
	if (rc != 0)
		op_free(p);
out:
	buf_release(&b);
	return rc;
}

int
openai_deployment_put(struct openai *oc, const char *name, const char *body,
    arm_started_fn started, openai_deployment_fn cb, void *arg, struct err *err)
{
	if (body == NULL)
		return err_set(err, ERR_SPEC, "openai: PUT without a body");
	return dep_write(oc, "PUT", name, body, started, cb, arg, err);
}

int
openai_deployment_patch_sku(struct openai *oc, const char *name,
    const char *sku_name, int capacity, arm_started_fn started,
    openai_deployment_fn cb, void *arg, struct err *err)
{
	struct buf body = { .max = 1024 };
	int rc;

	if (sku_name == NULL || capacity < 1)
		return err_set(err, ERR_SPEC,
		    "openai: PATCH needs a sku name and capacity >= 1");
	buf_addstr(&body, "{\"sku\":{\"name\":\"");
	buf_addjson(&body, sku_name);
	buf_addf(&body, "\",\"capacity\":%d}}", capacity);
	if (buf_check(&body, err, "openai: building the body") != 0) {
		buf_release(&body);
		return -1;
	}
	rc =
	    dep_write(oc, "PATCH", name, buf_str(&body), started, cb, arg, err);
	buf_release(&body);
	return rc;
}

int
openai_deployment_delete(struct openai *oc, const char *name,
    arm_started_fn started, openai_deployment_fn cb, void *arg, struct err *err)
{
	return dep_write(oc, "DELETE", name, NULL, started, cb, arg, err);
}

int
openai_deployment_resume(struct openai *oc, const struct arm_op *op,
    openai_deployment_fn cb, void *arg, struct err *err)
{
	const char *u =
	    op->resource_url ? strstr(op->resource_url, "/deployments/") : NULL;
	struct op *p;
	char name[256] = "";

	if (u != NULL)
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(u + 13, "?"),
		    u + 13);
	if ((p = op_new(oc, name, err)) == NULL)
		return -1;
	p->cb = cb;
	p->arg = arg;
	if (arm_resume(oc->a, oc->account_id, op, dep_done, p, err) != 0) {
		op_free(p);
		return -1;
	}
	return 0;
}

/* ---- blocking forms ---------------------------------------------------- */

struct dwait {
	int done, failed;
	struct openai_deployment d;
	struct openai_deployments l;
	struct err e;
};

static void
dwait_one(void *arg, struct openai_deployment *d, const char *code,
    const struct err *e)
{
	struct dwait *w = arg;

	(void)code;
	w->done = 1;
	if (e != NULL) {
		w->failed = 1;
		w->e = *e;
	} else if (d != NULL) {
		w->d = *d;
		memset(d, 0, sizeof(*d));
	}
}

static void
dwait_list(void *arg, struct openai_deployments *l, const struct err *e)
{
	struct dwait *w = arg;

	w->done = 1;
	if (e != NULL) {
		w->failed = 1;
		w->e = *e;
	} else {
		w->l = *l;
		memset(l, 0, sizeof(*l));
	}
}

static int
dwait_run(struct openai *oc, struct dwait *w, struct err *err)
{
	while (!w->done)
		if (arm_run(oc->a, -1, err) != 0)
			return -1;
	if (w->failed) {
		*err = w->e;
		return -1;
	}
	return 0;
}

int
openai_deployments_list_wait(
    struct openai *oc, struct openai_deployments *out, struct err *err)
{
	struct dwait w = { 0 };

	memset(out, 0, sizeof(*out));
	if (openai_deployments_list(oc, dwait_list, &w, err) != 0 ||
	    dwait_run(oc, &w, err) != 0) {
		openai_deployments_release(&w.l);
		return -1;
	}
	*out = w.l;
	return 0;
}

int
openai_deployment_get_wait(struct openai *oc, const char *name,
    struct openai_deployment *out, struct err *err)
{
	struct dwait w = { 0 };

	memset(out, 0, sizeof(*out));
	if (openai_deployment_get(oc, name, dwait_one, &w, err) != 0 ||
	    dwait_run(oc, &w, err) != 0) {
		openai_deployment_release(&w.d);
		return -1;
	}
	*out = w.d;
	return 0;
}

int
openai_deployment_write_wait(struct openai *oc, const char *method,
    const char *name, const char *body, struct openai_deployment *out,
    struct err *err)
{
	struct dwait w = { 0 };
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0) {
		if (body == NULL)
			return err_set(err, ERR_SPEC,
			    "openai: %s without a "
			    "body",
			    method);
		rc =
		    dep_write(oc, method, name, body, NULL, dwait_one, &w, err);
	} else if (strcmp(method, "DELETE") == 0) {
		rc =
		    dep_write(oc, method, name, NULL, NULL, dwait_one, &w, err);
	} else {
		return err_set(err, ERR_SPEC, "openai: no write '%s'", method);
	}
	if (rc != 0 || dwait_run(oc, &w, err) != 0) {
		openai_deployment_release(&w.d);
		return -1;
	}
	if (out != NULL)
		*out = w.d;
	else
		openai_deployment_release(&w.d);
	return 0;
}

int
openai_account_get_wait(
    struct openai *oc, struct openai_account *out, struct err *err)
{
	cJSON *j = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (arm_get_wait(oc->a, oc->account_id, &j, err) != 0)
		return -1;
	rc = openai_account_parse(j, out, err);
	if (rc != 0)
		err_wrap(err, "openai: account %s", oc->account_name);
	cJSON_Delete(j);
	return rc;
}

int
openai_models_wait(struct openai *oc, const char *location,
    struct openai_models *out, struct err *err)
{
	struct buf b = { .max = 4096 };
	cJSON *items = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (loc_path(oc, location, "models", &b, err) != 0 ||
	    arm_list_wait(oc->a, buf_str(&b), &items, err) != 0)
		goto out;
	if ((rc = openai_models_parse(items, out, err)) != 0)
		err_wrap(err, "openai: models of %s", location);
out:
	cJSON_Delete(items);
	buf_release(&b);
	return rc;
}

int
openai_usages_wait(struct openai *oc, const char *location,
    struct openai_usages *out, struct err *err)
{
	struct buf b = { .max = 4096 };
	cJSON *items = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (loc_path(oc, location, "usages", &b, err) != 0 ||
	    arm_list_wait(oc->a, buf_str(&b), &items, err) != 0)
		goto out;
	if ((rc = openai_usages_parse(items, out, err)) != 0)
		err_wrap(err, "openai: usages of %s", location);
out:
	cJSON_Delete(items);
	buf_release(&b);
	return rc;
}
