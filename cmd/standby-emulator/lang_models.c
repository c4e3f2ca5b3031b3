/*
 * lang_models.c - training, trained models, deployments and swap.  The
 * service's limits live here: one training job per project at a time
 * (409 Conflict), 10 trained models and 10 deployments per project, and
 * deploying only a model that exists.  Runs with emu->mu held.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

#define MAX_MODELS 10
#define MAX_DEPLOYMENTS 10

static cJSON *
model_json(const struct model *m)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "label", m->label);
	cJSON_AddStringToObject(o, "modelId", m->model_id);
	lang_add_time(o, "lastTrainedDateTime", m->trained);
	cJSON_AddNumberToObject(
	    o, "lastTrainingDurationInSeconds", m->duration_s);
	cJSON_AddStringToObject(o, "modelExpirationDate", m->expiration);
	cJSON_AddStringToObject(o, "modelTrainingConfigVersion", m->config);
	cJSON_AddBoolToObject(o, "hasSnapshot", m->snapshot != NULL);
	return o;
}

static cJSON *
dep_json(const struct deployment *d)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "deploymentName", d->name);
	cJSON_AddStringToObject(o, "modelId", d->model_id);
	lang_add_time(o, "lastTrainedDateTime", d->trained);
	lang_add_time(o, "lastDeployedDateTime", d->deployed);
	cJSON_AddStringToObject(o, "deploymentExpirationDate", d->expiration);
	cJSON_AddStringToObject(o, "modelTrainingConfigVersion", d->config);
	return o;
}

static const char *
str_item(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static void
accepted(struct resp *r, const struct req *rq, enum emu_family fam,
    const char *ver, const struct project *p, const char *mid, const char *id)
{
	struct buf loc = { .max = 8192 };

	buf_addurlenc(&loc, p->name);
	buf_addf(&loc, "%s%s", mid, id);
	lang_accepted(r, rq, lang_famseg(fam), buf_str(&loc), ver);
	buf_release(&loc);
}

static int
check_eval(const cJSON *ev, struct resp *r)
{
	const cJSON *kind, *tr, *te;

	if (ev == NULL)
		return 0;
	if (!cJSON_IsObject(ev)) {
		resp_error(r, 400, "InvalidArgument",
		    "evaluationOptions must be an object");
		return -1;
	}
	kind = cJSON_GetObjectItemCaseSensitive(ev, "kind");
	if (kind != NULL &&
	    (!cJSON_IsString(kind) ||
	        (strcmp(kind->valuestring, "percentage") &&
	            strcmp(kind->valuestring, "manual")))) {
		resp_error(r, 400, "InvalidArgument",
		    "evaluationOptions.kind must be 'percentage' or 'manual'");
		return -1;
	}
	tr = cJSON_GetObjectItemCaseSensitive(ev, "trainingSplitPercentage");
	te = cJSON_GetObjectItemCaseSensitive(ev, "testingSplitPercentage");
	if ((tr != NULL && !cJSON_IsNumber(tr)) ||
	    (te != NULL && !cJSON_IsNumber(te)) ||
	    (tr != NULL && te != NULL && tr->valueint + te->valueint != 100)) {
		resp_error(r, 400, "InvalidArgument",
		    "trainingSplitPercentage and testingSplitPercentage must "
		    "be integers adding up to 100");
		return -1;
	}
	return 0;
}

static void
start_train(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *ver, struct project *p)
{
	cJSON *body = lang_parse_body(rq, r);
	const char *label, *mode = NULL, *cfg, *resolved;
	char expiry[16];
	struct job *j;

	if (body == NULL)
		return;
	label = str_item(body, "modelLabel");
	if (!emu_valid_name(label)) {
		resp_error(r, 400, "InvalidArgument",
		    "modelLabel is missing or invalid: use at most 50 letters, "
		    "digits, '_', '.' or '-'");
		goto out;
	}
	if (fam == EMU_CONV) {
		mode = str_item(body, "trainingMode");
		if (mode == NULL ||
		    (strcmp(mode, "standard") && strcmp(mode, "advanced"))) {
			resp_error(r, 400, "InvalidArgument",
			    "trainingMode is required: 'standard' or "
			    "'advanced'");
			goto out;
		}
	}
	cfg = str_item(body, "trainingConfigVersion");
	if (fam == EMU_TEXT && cfg == NULL) {
		resp_error(r, 400, "InvalidArgument",
		    "trainingConfigVersion is required (e.g. \"latest\")");
		goto out;
	}
	resolved = jobs_config_resolve(emu, fam, NULL, cfg, expiry);
	if (resolved == NULL) {
		resp_error(r, 400, "InvalidArgument",
		    "unknown trainingConfigVersion '%s'", cfg);
		goto out;
	}
	if (check_eval(
	        cJSON_GetObjectItemCaseSensitive(body, "evaluationOptions"),
	        r) != 0)
		goto out;
	if (jobs_training_active(res, p->name)) {
		resp_error(r, 409, "Conflict",
		    "a training job is already running for project '%s'",
		    p->name);
		goto out;
	}
	if (lang_find_model(p, label) == NULL && p->nmodels >= MAX_MODELS) {
		resp_error(r, 409, "QuotaExceeded",
		    "project '%s' already has %d trained models; delete one "
		    "first",
		    p->name, MAX_MODELS);
		goto out;
	}
	j = jobs_new(emu, res, JOB_TRAIN, fam, p->name, ver);
	if (j == NULL) {
		resp_error(r, 503, "ServiceUnavailable", "too many jobs");
		goto out;
	}
	snprintf(j->arg1, sizeof(j->arg1), "%s", label);
	snprintf(j->arg2, sizeof(j->arg2), "%s", mode ? mode : "");
	snprintf(j->model.config, sizeof(j->model.config), "%s", resolved);
	snprintf(
	    j->model.expiration, sizeof(j->model.expiration), "%s", expiry);
	accepted(r, rq, fam, ver, p, "/train/jobs/", j->id);
out:
	cJSON_Delete(body);
}

static void
train_jobs(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *ver, struct project *p,
    char **seg, size_t n)
{
	const char *m = rq->method;
	struct job *j;

	if (n == 3 && strcmp(m, "GET") == 0) {
		cJSON *items = cJSON_CreateArray();
		size_t i;

		jobs_advance(emu, res);
		for (i = 0; i < res->njobs; i++) {
			j = res->jobs[i];
			if (j->kind == JOB_TRAIN &&
			    strcmp(j->project, p->name) == 0)
				cJSON_AddItemToArray(
				    items, jobs_json(emu, res, j, rq->base));
		}
		lang_page(r, rq, ver, items);
		return;
	}
	if (n < 4) {
		resp_error(r, 404, "NotFound", "Resource not found");
		return;
	}
	j = jobs_find(res, seg[3], JOB_TRAIN, p->name);
	if (n == 4 && strcmp(m, "GET") == 0) {
		lang_job_reply(emu, res, rq, r, j);
	} else if (n == 5 && strcmp(seg[4], ":cancel") == 0 &&
	    strcmp(m, "POST") == 0) {
		if (j == NULL) {
			resp_error(r, 404, "NotFound", "job not found");
		} else if (j->done) {
			resp_error(r, 409, "Conflict",
			    "the training job has already ended");
		} else {
			j->cancel = 1;
			j->status = JS_CANCELLING;
			j->updated = emu_now(emu);
			accepted(r, rq, fam, ver, p, "/train/jobs/", j->id);
		}
	} else {
		resp_error(r, 404, "NotFound", "Resource not found");
	}
}

static void
models(struct emu *emu, const struct req *rq, struct resp *r, const char *ver,
    struct project *p, char **seg, size_t n)
{
	const char *m = rq->method;
	struct model *md;
	size_t i;

	(void)emu;
	if (n == 2 && strcmp(m, "GET") == 0) {
		cJSON *items = cJSON_CreateArray();

		for (i = 0; i < p->nmodels; i++)
			cJSON_AddItemToArray(items, model_json(&p->models[i]));
		lang_page(r, rq, ver, items);
		return;
	}
	if (n != 3) {
		resp_error(r, 404, "NotFound", "Resource not found");
		return;
	}
	md = lang_find_model(p, seg[2]);
	if (md == NULL) {
		resp_error(
		    r, 404, "NotFound", "trained model '%s' not found", seg[2]);
	} else if (strcmp(m, "GET") == 0) {
		cJSON *o = model_json(md);

		resp_json(r, 200, o);
		cJSON_Delete(o);
	} else if (strcmp(m, "DELETE") == 0) {
		i = (size_t)(md - p->models);
		lang_model_release(md);
		memmove(p->models + i, p->models + i + 1,
		    (p->nmodels - i - 1) * sizeof(*p->models));
		p->nmodels--;
		r->status = 204;
		buf_reset(&r->body);
	} else {
		resp_error(r, 405, "InvalidRequest", "method not allowed");
	}
}

static void
deploy(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *ver, struct project *p,
    const char *name)
{
	cJSON *body;
	const char *label;
	struct model *md;
	struct job *j;
	struct buf mid = { .max = 256 };

	if (!emu_valid_name(name)) {
		resp_error(r, 400, "InvalidArgument",
		    "invalid deployment name '%s': use at most 50 letters, "
		    "digits, '_', '.' or '-'",
		    name);
		return;
	}
	if ((body = lang_parse_body(rq, r)) == NULL)
		return;
	label = str_item(body, "trainedModelLabel");
	if (label == NULL) {
		resp_error(
		    r, 400, "InvalidArgument", "trainedModelLabel is required");
		goto out;
	}
	md = lang_find_model(p, label);
	if (md == NULL) {
		resp_error(r, 404, "NotFound",
		    "trained model '%s' not found in project '%s'", label,
		    p->name);
		goto out;
	}
	if (lang_find_dep(p, name) == NULL && p->ndeps >= MAX_DEPLOYMENTS) {
		resp_error(r, 409, "QuotaExceeded",
		    "project '%s' already has %d deployments", p->name,
		    MAX_DEPLOYMENTS);
		goto out;
	}
	j = jobs_new(emu, res, JOB_DEPLOY, fam, p->name, ver);
	if (j == NULL) {
		resp_error(r, 503, "ServiceUnavailable", "too many jobs");
		goto out;
	}
	j->model = *md;
	j->model.snapshot = NULL;
	snprintf(j->arg1, sizeof(j->arg1), "%s", label);
	snprintf(j->arg2, sizeof(j->arg2), "%s", name);
	buf_addstr(&mid, "/deployments/");
	buf_addurlenc(&mid, name);
	buf_addstr(&mid, "/jobs/");
	accepted(r, rq, fam, ver, p, buf_str(&mid), j->id);
out:
	buf_release(&mid);
	cJSON_Delete(body);
}

static void
swap(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *ver, struct project *p)
{
	cJSON *body = lang_parse_body(rq, r);
	const char *a, *b;
	struct job *j;

	if (body == NULL)
		return;
	a = str_item(body, "firstDeploymentName");
	b = str_item(body, "secondDeploymentName");
	if (a == NULL || b == NULL || strcmp(a, b) == 0) {
		resp_error(r, 400, "InvalidArgument",
		    "firstDeploymentName and secondDeploymentName are "
		    "required and must differ");
	} else if (lang_find_dep(p, a) == NULL || lang_find_dep(p, b) == NULL) {
		resp_error(r, 404, "NotFound", "deployment '%s' not found",
		    lang_find_dep(p, a) == NULL ? a : b);
	} else if ((j = jobs_new(emu, res, JOB_SWAP, fam, p->name, ver)) ==
	    NULL) {
		resp_error(r, 503, "ServiceUnavailable", "too many jobs");
	} else {
		snprintf(j->arg1, sizeof(j->arg1), "%s", a);
		snprintf(j->arg2, sizeof(j->arg2), "%s", b);
		accepted(r, rq, fam, ver, p, "/deployments/swap/jobs/", j->id);
	}
	cJSON_Delete(body);
}

static void
deployments(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *ver, struct project *p,
    char **seg, size_t n)
{
	const char *m = rq->method;
	struct deployment *d;
	struct job *j;
	size_t i;

	if (n == 2 && strcmp(m, "GET") == 0) {
		cJSON *items = cJSON_CreateArray();

		for (i = 0; i < p->ndeps; i++)
			cJSON_AddItemToArray(items, dep_json(&p->deps[i]));
		lang_page(r, rq, ver, items);
		return;
	}
	if (n == 3 && strcmp(seg[2], ":swap") == 0 && strcmp(m, "POST") == 0) {
		swap(emu, res, rq, r, fam, ver, p);
		return;
	}
	if (n == 5 && strcmp(seg[3], "jobs") == 0 && strcmp(m, "GET") == 0) {
		j = NULL;
		if (strcmp(seg[2], "swap") == 0)
			j = jobs_find(res, seg[4], JOB_SWAP, p->name);
		if (j == NULL) {
			j = jobs_find(res, seg[4], JOB_DEPLOY, p->name);
			if (j == NULL)
				j = jobs_find(res, seg[4], JOB_DELETE, p->name);
			if (j != NULL && strcmp(j->arg2, seg[2]) != 0)
				j = NULL;
		}
		lang_job_reply(emu, res, rq, r, j);
		return;
	}
	if (n != 3) {
		resp_error(r, 404, "NotFound", "Resource not found");
		return;
	}
	if (strcmp(m, "PUT") == 0) {
		deploy(emu, res, rq, r, fam, ver, p, seg[2]);
		return;
	}
	d = lang_find_dep(p, seg[2]);
	if (d == NULL) {
		resp_error(
		    r, 404, "NotFound", "deployment '%s' not found", seg[2]);
	} else if (strcmp(m, "GET") == 0) {
		cJSON *o = dep_json(d);

		resp_json(r, 200, o);
		cJSON_Delete(o);
	} else if (strcmp(m, "DELETE") == 0) {
		struct buf mid = { .max = 256 };

		j = jobs_new(emu, res, JOB_DELETE, fam, p->name, ver);
		if (j == NULL) {
			resp_error(
			    r, 503, "ServiceUnavailable", "too many jobs");
			return;
		}
		snprintf(j->arg2, sizeof(j->arg2), "%s", d->name);
		buf_addstr(&mid, "/deployments/");
		buf_addurlenc(&mid, d->name);
		buf_addstr(&mid, "/jobs/");
		accepted(r, rq, fam, ver, p, buf_str(&mid), j->id);
		buf_release(&mid);
	} else {
		resp_error(r, 405, "InvalidRequest", "method not allowed");
	}
}

void
lang_models(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *ver, char **seg, size_t n)
{
	struct project *p = lang_find(res, seg[0]);

	if (strcmp(seg[1], ":train") == 0) {
		if (n == 2 && strcmp(rq->method, "POST") == 0)
			start_train(emu, res, rq, r, fam, ver, p);
		else
			resp_error(r, 404, "NotFound", "Resource not found");
	} else if (strcmp(seg[1], "train") == 0 && n >= 3 &&
	    strcmp(seg[2], "jobs") == 0) {
		train_jobs(emu, res, rq, r, fam, ver, p, seg, n);
	} else if (strcmp(seg[1], "models") == 0) {
		models(emu, rq, r, ver, p, seg, n);
	} else if (strcmp(seg[1], "deployments") == 0) {
		deployments(emu, res, rq, r, fam, ver, p, seg, n);
	} else {
		resp_error(r, 404, "NotFound", "Resource not found");
	}
}
