/*
 * apply_openai.c - the Azure OpenAI actions of the executor: deployment
 * create, update and delete through lib/openai (one write per account at a
 * time: the client's lane; other accounts go on in parallel), and the
 * fine-tuning of a model (files, then a job) through lib/finetune.
 *
 * Unlike a Language job, a deployment write is declarative (PUT, PATCH of
 * the sku, DELETE): sending it again is harmless.  So a resumed write
 * whose operation URL is gone, or which never journalled one, is compared
 * with live state first (the deployment as the journalled body describes
 * it, or gone), and sent again only when live state shows it neither done
 * nor in progress.  A fine-tuning job is not idempotent and costs hours:
 * its file ids and job id are journalled as soon as they are known, and a
 * resumed one polls that job, or looks for a job made from its training
 * file before it creates one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "apply_int.h"
#include "arm.h"
#include "config.h"
#include "crash.h"
#include "finetune.h"
#include "openai.h"
#include "planfile.h"
#include "session.h"

static void send_write(struct anode *n);

int
apply_use_arm(struct apply *ap, struct arm *a)
{
	struct arm **v;
	size_t i;

	for (i = 0; i < ap->narms; i++)
		if (ap->arms[i] == a)
			return 0;
	v = realloc(ap->arms, (ap->narms + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	ap->arms = v;
	ap->arms[ap->narms++] = a;
	return 0;
}

/* The config entry an action is about: by key for a fine-tune, else the
 * entry naming the deployment on the action's account. */
static const struct config_openai *
find_entry(const struct config *cfg, const struct anode *n)
{
	size_t i, k;

	if (n->oai_key != NULL) {
		const struct config_openai *d =
		    config_openai_find(cfg, n->oai_key);

		if (d != NULL)
			return d;
	}
	if (n->deployment == NULL || n->resource == NULL)
		return NULL;
	for (i = 0; i < cfg->nopenai; i++) {
		const struct config_openai *d = &cfg->openai[i];

		if (strcmp(d->name, n->deployment) != 0)
			continue;
		for (k = 0; k < d->non; k++)
			if (strcmp(d->on[k], n->resource) == 0)
				return d;
	}
	return NULL;
}

/* An openai_update whose before/after differ in the capacity alone is a
 * PATCH of the sku: no model or policy is sent again. */
static int
capacity_only(const cJSON *a)
{
	const cJSON *before = planfile_get(a, "before");
	const cJSON *after = planfile_get(a, "after");
	const cJSON *deps = planfile_get(a, "depends_on");

	return cJSON_GetArraySize(deps) == 0 && cJSON_IsObject(after) &&
	    cJSON_GetArraySize(after) == 1 &&
	    cJSON_GetObjectItemCaseSensitive(after, "capacity") != NULL &&
	    cJSON_IsObject(before) && cJSON_GetArraySize(before) == 1 &&
	    cJSON_GetObjectItemCaseSensitive(before, "capacity") != NULL;
}

int
apply_openai_node(struct anode *n, const cJSON *a)
{
	const cJSON *after = planfile_get(a, "after");
	const char *colon, *at;

	if (n->k == AK_FINETUNE && (colon = strchr(n->id, ':')) != NULL &&
	    (at = strrchr(n->id, '@')) != NULL && at > colon) {
		n->oai_key = strndup(colon + 1, (size_t)(at - colon - 1));
		if (n->oai_key == NULL)
			return -1;
	}
	n->od = find_entry(n->ap->cfg, n);
	if (n->oai_key == NULL && n->od != NULL &&
	    (n->oai_key = strdup(n->od->key)) == NULL)
		return -1;
	n->patch_only = n->k == AK_OPENAI_UPDATE && capacity_only(a);
	if (n->k == AK_FINETUNE) {
		n->data_hash = apply_dupstr(planfile_str(after, "data_hash"));
		n->settings_hash =
		    apply_dupstr(planfile_str(after, "settings_hash"));
		n->train_sha =
		    apply_dupstr(planfile_str(after, "training_file_sha256"));
		n->valid_sha =
		    apply_dupstr(planfile_str(after, "validation_file_sha256"));
	}
	return 0;
}

char *
apply_openai_detail(const struct anode *n)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	if (o == NULL)
		return NULL;
	if (n->resource)
		cJSON_AddStringToObject(o, "resource", n->resource);
	if (n->deployment)
		cJSON_AddStringToObject(o, "deployment", n->deployment);
	if (n->oai_key)
		cJSON_AddStringToObject(o, "key", n->oai_key);
	if (n->method)
		cJSON_AddStringToObject(o, "method", n->method);
	if (n->body)
		cJSON_AddStringToObject(o, "body", n->body);
	if (n->model_name)
		cJSON_AddStringToObject(o, "model", n->model_name);
	if (n->data_hash)
		cJSON_AddStringToObject(o, "data_hash", n->data_hash);
	if (n->settings_hash)
		cJSON_AddStringToObject(o, "settings_hash", n->settings_hash);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

int
apply_openai_from_detail(struct anode *n, const cJSON *o)
{
	apply_set_str(&n->resource, planfile_str(o, "resource"));
	apply_set_str(&n->deployment, planfile_str(o, "deployment"));
	apply_set_str(&n->oai_key, planfile_str(o, "key"));
	apply_set_str(&n->method, planfile_str(o, "method"));
	apply_set_str(&n->body, planfile_str(o, "body"));
	apply_set_str(&n->model_name, planfile_str(o, "model"));
	apply_set_str(&n->data_hash, planfile_str(o, "data_hash"));
	apply_set_str(&n->settings_hash, planfile_str(o, "settings_hash"));
	if (n->resource == NULL)
		return -1;
	n->od = find_entry(n->ap->cfg, n);
	if (n->k == AK_FINETUNE)
		return n->oai_key != NULL && n->data_hash != NULL &&
		        n->settings_hash != NULL
		    ? 0
		    : -1;
	if (n->deployment == NULL || n->method == NULL)
		return -1;
	return strcmp(n->method, "DELETE") == 0 || n->body != NULL ? 0 : -1;
}

int
apply_openai_client(struct anode *n, struct err *err)
{
	struct apply *ap = n->ap;
	const struct config_resource *res;

	if (session_openai(ap->sess, n->resource, &n->oc, err) != 0)
		return -1;
	if (apply_use_arm(ap, openai_arm(n->oc)) != 0)
		return err_set(err, ERR_NOMEM, "out of memory");
	res = config_resource_find(ap->cfg, n->resource);
	if (n->k == AK_FINETUNE && res != NULL && res->endpoint != NULL) {
		if (session_finetune(
		        ap->sess, n->resource, NULL, &n->ft, err) != 0)
			return -1;
		if (apply_use_arm(ap, finetune_arm(n->ft)) != 0)
			return err_set(err, ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* ---- deployments --------------------------------------------------------- */

/* The model a fine-tuned deployment serves: what the fine-tune it depends
 * on made, else the model standby recorded for the account. */
static int
finetuned_model(struct anode *n, struct err *err)
{
	struct apply *ap = n->ap;
	struct state_finetuned rec = { 0 };
	size_t i;

	for (i = 0; i < n->ndeps; i++) {
		struct anode *d = ap->v[n->deps[i]];

		if (d->k == AK_FINETUNE && d->model_name != NULL) {
			apply_set_str(&n->model_name, d->model_name);
			return n->model_name ? 0 : -1;
		}
	}
	if (state_get_finetuned(ap->st, n->resource, n->od->key, &rec, err) !=
	    0) {
		if (err->code == ERR_NOTFOUND)
			err_set(err, ERR_SPEC,
			    "%s: no fine-tuned model of %s is recorded for %s",
			    n->id, n->od->key, n->resource);
		return -1;
	}
	apply_set_str(&n->model_name, rec.fine_tuned_model);
	state_finetuned_release(&rec);
	return 0;
}

/* Decides the method and builds the body of a create or update. */
static int
build_write(struct anode *n, struct err *err)
{
	const struct config_openai *d = n->od;
	struct buf b = { .max = 16384 };

	if (n->k == AK_OPENAI_DELETE) {
		apply_set_str(&n->method, "DELETE");
		return 0;
	}
	if (d == NULL)
		return err_set(err, ERR_SPEC,
		    "%s: deployment %s of %s is not in standby.yaml any more",
		    n->id, n->deployment ? n->deployment : "?", n->resource);
	if (d->fine_tune != NULL && finetuned_model(n, err) != 0)
		return -1;
	if (n->patch_only) {
		apply_set_str(&n->method, "PATCH");
		buf_addstr(&b, "{\"sku\":{\"name\":\"");
		buf_addjson(&b, d->sku_name);
		buf_addf(&b, "\",\"capacity\":%d}}", d->sku_capacity);
	} else {
		apply_set_str(&n->method, "PUT");
		if (openai_deployment_body(d, n->model_name, &b, err) != 0) {
			buf_release(&b);
			return -1;
		}
	}
	if (buf_check(&b, err, "building the deployment body") != 0)
		return -1;
	free(n->body);
	n->body = buf_take(&b);
	if (n->method == NULL || n->body == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	if (n->model_name == NULL && d->model_name != NULL)
		n->model_name = strdup(d->model_name);
	return 0;
}

static void
on_write_started(void *arg, const struct arm_op *op)
{
	struct anode *n = arg;
	struct buf rec = { .max = 8192 };
	struct err e = { 0 };

	if (n->st != AS_RUN)
		return;
	crash_point(n->ap->o.crash_at, CRASH_AFTER_ACCEPT, n->kind);
	if (arm_op_encode(op, &rec) != 0 ||
	    buf_check(&rec, &e, "journalling the operation") != 0) {
		buf_release(&rec);
		apply_fatal(n->ap, &e);
		apply_leave(n);
		return;
	}
	apply_set_str(&n->job_url, buf_str(&rec));
	if (state_journal_submitted(n->ap->st, n->jid, buf_str(&rec), &e) !=
	    0) {
		apply_fatal(n->ap, &e);
		apply_leave(n);
	}
	buf_release(&rec);
}

static void
on_write_done(void *arg, struct openai_deployment *d, const char *code,
    const struct err *err)
{
	struct anode *n = arg;
	struct buf det = { .max = 1024 };

	(void)code;
	if (n->st != AS_RUN)
		return; /* left or failed while the write went on */
	n->busy = 0;
	if (err != NULL) {
		if (n->job_url != NULL && !n->resent &&
		    err->code == ERR_NOTFOUND) {
			/* The operation is gone: look at the deployment. */
			apply_action_begin_recheck(n);
			return;
		}
		apply_fail_err(n, err);
		return;
	}
	crash_point(n->ap->o.crash_at, CRASH_AFTER_JOB, n->kind);
	if (d != NULL)
		buf_addf(&det, "%s %s %s, %s %d", n->method,
		    d->model_name ? d->model_name : "?",
		    d->model_version ? d->model_version : "",
		    d->sku_name ? d->sku_name : "?", d->sku_capacity);
	else
		buf_addf(&det, "%s", n->method);
	apply_succeed(n, buf_str(&det));
	buf_release(&det);
}

/* The sku name and capacity a PATCH body holds. */
static int
patch_sku(const char *body, char *name, size_t size, int *capacity)
{
	cJSON *j = cJSON_Parse(body);
	const cJSON *sku = cJSON_GetObjectItemCaseSensitive(j, "sku");
	const cJSON *cap = cJSON_GetObjectItemCaseSensitive(sku, "capacity");
	const char *nm = planfile_str(sku, "name");
	int rc = -1;

	if (nm != NULL && cJSON_IsNumber(cap)) {
		snprintf(name, size, "%s", nm);
		*capacity = cap->valueint;
		rc = 0;
	}
	cJSON_Delete(j);
	return rc;
}

static void
send_write(struct anode *n)
{
	struct err err = { 0 };
	char sku[128];
	int cap = 0, rc;

	n->busy = 1;
	if (strcmp(n->method, "DELETE") == 0) {
		rc = openai_deployment_delete(n->oc, n->deployment,
		    on_write_started, on_write_done, n, &err);
	} else if (strcmp(n->method, "PATCH") == 0) {
		if (patch_sku(n->body, sku, sizeof(sku), &cap) != 0)
			rc = err_set(
			    &err, ERR_SPEC, "%s: a bad PATCH body", n->id);
		else
			rc = openai_deployment_patch_sku(n->oc, n->deployment,
			    sku, cap, on_write_started, on_write_done, n, &err);
	} else {
		rc = openai_deployment_put(n->oc, n->deployment, n->body,
		    on_write_started, on_write_done, n, &err);
	}
	if (rc != 0) {
		n->busy = 0;
		apply_fail_err(n, &err);
	}
}

static void
start_write(struct anode *n)
{
	struct err err = { 0 };

	if (build_write(n, &err) != 0) {
		apply_fail(n, err.msg);
		return;
	}
	if (apply_action_intent(n) != 0)
		return;
	send_write(n);
}

static int
is_busy_state(const char *s)
{
	static const char *const busy[] = { "Accepted", "Creating", "Updating",
		"Deleting", "Moving", NULL };
	size_t i;

	for (i = 0; s != NULL && busy[i] != NULL; i++)
		if (strcasecmp(s, busy[i]) == 0)
			return 1;
	return 0;
}

static int
same_ci(const char *want, const char *have)
{
	return want == NULL || (have != NULL && strcasecmp(want, have) == 0);
}

/* 1 when live shows everything body asks for. */
static int
live_matches(const char *body, const struct openai_deployment *live)
{
	cJSON *j = cJSON_Parse(body);
	const cJSON *sku = cJSON_GetObjectItemCaseSensitive(j, "sku");
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(j, "properties");
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(props, "model");
	const cJSON *cap = cJSON_GetObjectItemCaseSensitive(sku, "capacity");
	int ok = j != NULL;

	ok = ok && same_ci(planfile_str(sku, "name"), live->sku_name);
	ok =
	    ok && (!cJSON_IsNumber(cap) || cap->valueint == live->sku_capacity);
	ok = ok && same_ci(planfile_str(model, "format"), live->model_format);
	ok = ok && same_ci(planfile_str(model, "name"), live->model_name);
	ok = ok && same_ci(planfile_str(model, "version"), live->model_version);
	ok = ok &&
	    same_ci(planfile_str(props, "versionUpgradeOption"),
	        live->version_upgrade_option);
	ok = ok &&
	    same_ci(
	        planfile_str(props, "raiPolicyName"), live->rai_policy_name);
	cJSON_Delete(j);
	return ok;
}

static void
on_recheck(void *arg, struct openai_deployment *d, const char *code,
    const struct err *err)
{
	struct anode *n = arg;
	int del = strcmp(n->method, "DELETE") == 0;

	(void)code;
	if (n->st != AS_RUN)
		return;
	n->busy = 0;
	if (err != NULL && err->code == ERR_INTERRUPTED) {
		apply_leave(n);
		return;
	}
	if (d == NULL && (err == NULL || err->code != ERR_NOTFOUND)) {
		apply_action_not_yet(n, err ? err->msg : "no deployment read");
		return;
	}
	if (d != NULL && is_busy_state(d->provisioning_state)) {
		apply_action_not_yet(n, "the deployment is still changing");
		return;
	}
	if (del ? d == NULL
	        : d != NULL && same_ci("Succeeded", d->provisioning_state) &&
	            live_matches(n->body, d)) {
		apply_succeed(n, "confirmed by live state");
		return;
	}
	/* Not done and nothing in progress: a deployment write is
	 * declarative, so sending it again is safe (once). */
	if (n->resent) {
		apply_fail(n,
		    "live state does not show the write, which was "
		    "sent again already");
		return;
	}
	n->rechecking = 0;
	n->resent = 1;
	free(n->job_url);
	n->job_url = NULL;
	send_write(n);
}

void
apply_openai_recheck(struct anode *n)
{
	struct err err = { 0 };

	n->busy = 1;
	if (openai_deployment_get(n->oc, n->deployment, on_recheck, n, &err) !=
	    0) {
		n->busy = 0;
		apply_action_not_yet(n, err.msg);
	}
}

static void
resume_write(struct anode *n)
{
	struct arm_op op;
	struct err err = { 0 };

	if (n->job_url == NULL || arm_op_decode(n->job_url, &op, &err) != 0) {
		/* The PUT may or may not have reached Azure. */
		apply_action_begin_recheck(n);
		return;
	}
	n->busy = 1;
	if (openai_deployment_resume(n->oc, &op, on_write_done, n, &err) != 0) {
		n->busy = 0;
		apply_action_begin_recheck(n);
	}
	arm_op_release(&op);
}

void
apply_openai_start(struct anode *n)
{
	struct err err = { 0 };

	if (n->oc == NULL && apply_openai_client(n, &err) != 0) {
		apply_fail(n, err.msg);
		return;
	}
	if (n->resumed) {
		if (n->k == AK_FINETUNE)
			apply_finetune_resume(n);
		else
			resume_write(n);
		return;
	}
	if (n->k == AK_FINETUNE)
		apply_finetune_start(n);
	else
		start_write(n);
}
