/* langjson.c - JSON in and out of the Language authoring API.  Kept apart
 * from language.c so the parsers can be tested (and fuzzed) without a
 * network.  Lenient in what it accepts: unknown fields are ignored, null
 * counts as absent, header-free; strict in what it sends: bodies are
 * built field by field, never passed through from the caller. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "langjson.h"
#include "timeutil.h"

static int
nomem(struct err *err)
{
	return err_set(err, ERR_NOMEM, "out of memory");
}

static const cJSON *
field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return v == NULL || cJSON_IsNull(v) ? NULL : v;
}

static int
get_str(const cJSON *o, const char *key, const char *path, int required,
    char **out, struct err *err)
{
	const cJSON *v = field(o, key);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return err_set(
			    err, ERR_HTTP, "%s.%s: missing", path, key);
		return 0;
	}
	if (!cJSON_IsString(v))
		return err_set(
		    err, ERR_HTTP, "%s.%s: expected a string", path, key);
	if ((*out = strdup(v->valuestring)) == NULL)
		return nomem(err);
	return 0;
}

static int
get_date(const cJSON *o, const char *key, const char *path, int required,
    char **out, long long *at, struct err *err)
{
	*at = 0;
	if (get_str(o, key, path, required, out, err) != 0)
		return -1;
	if (*out != NULL && timeutil_parse(*out, at) != 0)
		return err_set(err, ERR_HTTP, "%s.%s: not a date: '%.40s'",
		    path, key, *out);
	return 0;
}

static int
get_int(const cJSON *o, const char *key, const char *path, long *out,
    struct err *err)
{
	const cJSON *v = field(o, key);

	*out = -1;
	if (v == NULL)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > 2147483647.0)
		return err_set(err, ERR_HTTP,
		    "%s.%s: expected a non-negative integer", path, key);
	*out = (long)v->valuedouble;
	return 0;
}

static int
get_bool(const cJSON *o, const char *key, const char *path, int *out,
    struct err *err)
{
	const cJSON *v = field(o, key);

	*out = 0;
	if (v == NULL)
		return 0;
	if (!cJSON_IsBool(v))
		return err_set(
		    err, ERR_HTTP, "%s.%s: expected true or false", path, key);
	*out = cJSON_IsTrue(v);
	return 0;
}

static int
need_object(const cJSON *j, const char *path, struct err *err)
{
	if (!cJSON_IsObject(j))
		return err_set(err, ERR_HTTP, "%s: expected an object", path);
	return 0;
}

int
langjson_project(const cJSON *j, const char *path, struct language_project *out,
    struct err *err)
{
	struct language_project p = { .confidence_threshold = -1 };
	const cJSON *settings, *ct;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (need_object(j, path, err) != 0 ||
	    get_str(j, "projectName", path, 1, &p.name, err) != 0 ||
	    get_str(j, "projectKind", path, 1, &p.kind, err) != 0 ||
	    get_str(j, "language", path, 0, &p.language, err) != 0 ||
	    get_str(j, "description", path, 0, &p.description, err) != 0 ||
	    get_str(j, "storageInputContainerName", path, 0,
	        &p.storage_container, err) != 0 ||
	    get_bool(j, "multilingual", path, &p.multilingual, err) != 0 ||
	    get_date(j, "createdDateTime", path, 0, &p.created, &p.created_at,
	        err) != 0 ||
	    get_date(j, "lastModifiedDateTime", path, 0, &p.last_modified,
	        &p.last_modified_at, err) != 0 ||
	    get_date(j, "lastTrainedDateTime", path, 0, &p.last_trained,
	        &p.last_trained_at, err) != 0 ||
	    get_date(j, "lastDeployedDateTime", path, 0, &p.last_deployed,
	        &p.last_deployed_at, err) != 0)
		goto out;
	settings = field(j, "settings");
	if (settings != NULL && cJSON_IsObject(settings)) {
		ct = field(settings, "confidenceThreshold");
		if (ct != NULL && cJSON_IsNumber(ct))
			p.confidence_threshold = ct->valuedouble;
	}
	*out = p;
	memset(&p, 0, sizeof(p));
	rc = 0;
out:
	language_project_release(&p);
	return rc;
}

int
langjson_model(const cJSON *j, const char *path, struct language_model *out,
    struct err *err)
{
	struct language_model m = { 0 };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (need_object(j, path, err) != 0 ||
	    get_str(j, "label", path, 1, &m.label, err) != 0 ||
	    get_str(j, "modelId", path, 0, &m.model_id, err) != 0 ||
	    get_date(j, "lastTrainedDateTime", path, 0, &m.last_trained,
	        &m.last_trained_at, err) != 0 ||
	    get_date(j, "modelExpirationDate", path, 0, &m.expiration_date,
	        &m.expiration_at, err) != 0 ||
	    get_str(j, "modelTrainingConfigVersion", path, 0,
	        &m.training_config_version, err) != 0 ||
	    get_int(j, "lastTrainingDurationInSeconds", path, &m.duration_s,
	        err) != 0 ||
	    get_bool(j, "hasSnapshot", path, &m.has_snapshot, err) != 0)
		goto out;
	*out = m;
	memset(&m, 0, sizeof(m));
	rc = 0;
out:
	language_model_release(&m);
	return rc;
}

/* assignedResources: an object {azureResourceId, region} in one commit of
 * the 2025-11-01 swagger, an array of {resourceId, region} in another. */
static int
assigned(const cJSON *v, struct language_deployment *d, struct err *err)
{
	const cJSON *one, *id;
	size_t n = cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 1;

	if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
		return 0;
	if ((d->assigned_ids = calloc(n ? n : 1, sizeof(char *))) == NULL)
		return nomem(err);
	for (size_t i = 0; i < n; i++) {
		one = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, (int)i) : v;
		id = field(one, "azureResourceId");
		if (id == NULL)
			id = field(one, "resourceId");
		if (!cJSON_IsString(id))
			continue;
		if ((d->assigned_ids[d->n_assigned] =
		            strdup(id->valuestring)) == NULL)
			return nomem(err);
		d->n_assigned++;
	}
	return 0;
}

int
langjson_deployment(const cJSON *j, const char *path,
    struct language_deployment *out, struct err *err)
{
	struct language_deployment d = { 0 };
	const cJSON *ar;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (need_object(j, path, err) != 0 ||
	    get_str(j, "deploymentName", path, 1, &d.name, err) != 0 ||
	    get_str(j, "modelId", path, 0, &d.model_id, err) != 0 ||
	    get_date(j, "lastTrainedDateTime", path, 0, &d.last_trained,
	        &d.last_trained_at, err) != 0 ||
	    get_date(j, "lastDeployedDateTime", path, 0, &d.last_deployed,
	        &d.last_deployed_at, err) != 0 ||
	    get_date(j, "deploymentExpirationDate", path, 0, &d.expiration_date,
	        &d.expiration_at, err) != 0 ||
	    get_str(j, "modelTrainingConfigVersion", path, 0,
	        &d.training_config_version, err) != 0)
		goto out;
	if ((ar = field(j, "assignedResources")) != NULL &&
	    assigned(ar, &d, err) != 0)
		goto out;
	*out = d;
	memset(&d, 0, sizeof(d));
	rc = 0;
out:
	language_deployment_release(&d);
	return rc;
}

int
langjson_tcv(
    const cJSON *j, const char *path, struct language_tcv *out, struct err *err)
{
	struct language_tcv t = { 0 };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (need_object(j, path, err) != 0 ||
	    get_str(j, "trainingConfigVersion", path, 1, &t.version, err) !=
	        0 ||
	    get_date(j, "modelExpirationDate", path, 0, &t.expiration_date,
	        &t.expiration_at, err) != 0)
		goto out;
	*out = t;
	memset(&t, 0, sizeof(t));
	rc = 0;
out:
	language_tcv_release(&t);
	return rc;
}

static const struct {
	const char *name;
	enum language_job_status status;
} statuses[] = {
	{ "notStarted", LANGUAGE_JOB_NOT_STARTED },
	{ "running", LANGUAGE_JOB_RUNNING },
	{ "succeeded", LANGUAGE_JOB_SUCCEEDED },
	{ "failed", LANGUAGE_JOB_FAILED },
	{ "cancelled", LANGUAGE_JOB_CANCELLED },
	{ "cancelling", LANGUAGE_JOB_CANCELLING },
	{ "partiallyCompleted", LANGUAGE_JOB_PARTIALLY_COMPLETED },
};

enum language_job_status
langjson_status(const char *s)
{
	if (s == NULL)
		return LANGUAGE_JOB_UNKNOWN;
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(s, statuses[i].name) == 0)
			return statuses[i].status;
	return LANGUAGE_JOB_UNKNOWN;
}

const char *
language_job_status_name(enum language_job_status s)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].status == s)
			return statuses[i].name;
	return "unknown";
}

/* errors[] / warnings[]: {code, message, details?, innererror?}.  The
 * innermost innererror code is the most specific, but the top code is
 * what the service documents, so keep the top one. */
static int
msgs(const cJSON *j, const char *key, struct language_msg **out, size_t *n,
    struct err *err)
{
	const cJSON *arr = field(j, key), *it;
	struct buf path = { .max = 256 };
	size_t i = 0;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr))
		return err_set(err, ERR_HTTP, "%s: expected an array", key);
	if ((*out = calloc(
	         (size_t)cJSON_GetArraySize(arr) + 1, sizeof(**out))) == NULL)
		return nomem(err);
	cJSON_ArrayForEach(it, arr)
	{
		buf_reset(&path);
		buf_addf(&path, "%s[%zu]", key, i);
		if (buf_check(&path, err, "json path") != 0 ||
		    need_object(it, buf_str(&path), err) != 0 ||
		    get_str(it, "code", buf_str(&path), 0, &(*out)[i].code,
		        err) != 0 ||
		    get_str(it, "message", buf_str(&path), 0,
		        &(*out)[i].message, err) != 0) {
			*n = i + 1;
			goto out;
		}
		i++;
	}
	*n = i;
	rc = 0;
out:
	buf_release(&path);
	return rc;
}

static int
stage(const cJSON *r, const char *key, int *pct, enum language_job_status *st,
    struct err *err)
{
	const cJSON *o = field(r, key), *s;
	long v;

	*pct = -1;
	*st = LANGUAGE_JOB_UNKNOWN;
	if (o == NULL)
		return 0;
	if (need_object(o, key, err) != 0 ||
	    get_int(o, "percentComplete", key, &v, err) != 0)
		return -1;
	*pct = (int)v;
	s = field(o, "status");
	if (cJSON_IsString(s))
		*st = langjson_status(s->valuestring);
	return 0;
}

int
langjson_job(const cJSON *j, struct language_job *out, struct err *err)
{
	struct language_job job = {
		.train_percent = -1, .eval_percent = -1, .retry_after_ms = -1
	};
	const cJSON *r;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (need_object(j, "job", err) != 0 ||
	    get_str(j, "jobId", "job", 0, &job.job_id, err) != 0 ||
	    get_str(j, "status", "job", 1, &job.status_str, err) != 0 ||
	    get_str(j, "createdDateTime", "job", 0, &job.created, err) != 0 ||
	    get_str(j, "lastUpdatedDateTime", "job", 0, &job.last_updated,
	        err) != 0 ||
	    get_str(j, "expirationDateTime", "job", 0, &job.expiration, err) !=
	        0 ||
	    get_str(j, "resultUrl", "job", 0, &job.result_url, err) != 0 ||
	    msgs(j, "errors", &job.errors, &job.n_errors, err) != 0 ||
	    msgs(j, "warnings", &job.warnings, &job.n_warnings, err) != 0)
		goto out;
	job.status = langjson_status(job.status_str);
	if ((r = field(j, "result")) != NULL) {
		if (need_object(r, "result", err) != 0 ||
		    get_str(r, "modelLabel", "result", 0, &job.model_label,
		        err) != 0 ||
		    get_str(r, "trainingConfigVersion", "result", 0,
		        &job.training_config_version, err) != 0 ||
		    get_str(r, "trainingMode", "result", 0, &job.training_mode,
		        err) != 0 ||
		    stage(r, "trainingStatus", &job.train_percent,
		        &job.train_status, err) != 0 ||
		    stage(r, "evaluationStatus", &job.eval_percent,
		        &job.eval_status, err) != 0)
			goto out;
		job.has_training = 1;
	}
	*out = job;
	memset(&job, 0, sizeof(job));
	rc = 0;
out:
	language_job_release(&job);
	return rc;
}

/* One page: parse each item with fn into an array of size-byte elements
 * that grows by n. */
typedef int (*item_fn)(const cJSON *, const char *, void *, struct err *);

static int
page(const cJSON *j, void **v, size_t *n, size_t size, item_fn fn,
    void (*release)(void *), char **next_link, struct err *err)
{
	const cJSON *arr, *it;
	struct buf path = { .max = 64 };
	size_t add, base = *n;
	char *grown;
	int rc = -1;

	*next_link = NULL;
	if (need_object(j, "page", err) != 0)
		return -1;
	arr = field(j, "value");
	if (!cJSON_IsArray(arr))
		return err_set(err, ERR_HTTP, "value: %s",
		    arr == NULL ? "missing" : "expected an array");
	add = (size_t)cJSON_GetArraySize(arr);
	if ((grown = realloc(*v, (base + add + 1) * size)) == NULL)
		return nomem(err);
	*v = grown;
	cJSON_ArrayForEach(it, arr)
	{
		buf_reset(&path);
		buf_addf(&path, "value[%zu]", *n - base);
		if (buf_check(&path, err, "json path") != 0 ||
		    fn(it, buf_str(&path), grown + *n * size, err) != 0)
			goto out;
		(*n)++;
	}
	if (get_str(j, "nextLink", "page", 0, next_link, err) != 0)
		goto out;
	if (*next_link != NULL && (*next_link)[0] == '\0') {
		free(*next_link);
		*next_link = NULL;
	}
	rc = 0;
out:
	if (rc != 0) {
		/* A bad page leaves the list as it was. */
		while (*n > base)
			release(grown + --(*n) * size);
	}
	buf_release(&path);
	return rc;
}

static int
project_item(const cJSON *j, const char *path, void *out, struct err *err)
{
	return langjson_project(j, path, out, err);
}
static int
model_item(const cJSON *j, const char *path, void *out, struct err *err)
{
	return langjson_model(j, path, out, err);
}
static int
deployment_item(const cJSON *j, const char *path, void *out, struct err *err)
{
	return langjson_deployment(j, path, out, err);
}
static int
tcv_item(const cJSON *j, const char *path, void *out, struct err *err)
{
	return langjson_tcv(j, path, out, err);
}
static void
project_rel(void *p)
{
	language_project_release(p);
}
static void
model_rel(void *p)
{
	language_model_release(p);
}
static void
deployment_rel(void *p)
{
	language_deployment_release(p);
}
static void
tcv_rel(void *p)
{
	language_tcv_release(p);
}

int
langjson_projects_page(const cJSON *j, struct language_projects *acc,
    char **next_link, struct err *err)
{
	return page(j, (void **)&acc->v, &acc->n, sizeof(*acc->v), project_item,
	    project_rel, next_link, err);
}

int
langjson_models_page(const cJSON *j, struct language_models *acc,
    char **next_link, struct err *err)
{
	return page(j, (void **)&acc->v, &acc->n, sizeof(*acc->v), model_item,
	    model_rel, next_link, err);
}

int
langjson_deployments_page(const cJSON *j, struct language_deployments *acc,
    char **next_link, struct err *err)
{
	return page(j, (void **)&acc->v, &acc->n, sizeof(*acc->v),
	    deployment_item, deployment_rel, next_link, err);
}

int
langjson_tcvs_page(const cJSON *j, struct language_tcvs *acc, char **next_link,
    struct err *err)
{
	return page(j, (void **)&acc->v, &acc->n, sizeof(*acc->v), tcv_item,
	    tcv_rel, next_link, err);
}

void
langjson_error(const cJSON *j, const char **code, const char **message)
{
	const cJSON *e = field(j, "error"), *c, *m;

	*code = *message = NULL;
	if (!cJSON_IsObject(e))
		return;
	c = field(e, "code");
	m = field(e, "message");
	if (cJSON_IsString(c))
		*code = c->valuestring;
	if (cJSON_IsString(m))
		*message = m->valuestring;
}

int
langjson_train_body(enum language_family family,
    const struct language_train_opts *o, struct buf *out, struct err *err)
{
	if (o->model_label == NULL || o->model_label[0] == '\0')
		return err_set(err, ERR_SPEC, "train: no model label");
	buf_addstr(out, "{\"modelLabel\":\"");
	buf_addjson(out, o->model_label);
	buf_addstr(out, "\"");
	if (family == LANGUAGE_CONVERSATIONS) {
		buf_addstr(out, ",\"trainingMode\":\"");
		buf_addjson(
		    out, o->training_mode ? o->training_mode : "standard");
		buf_addstr(out, "\"");
	}
	buf_addstr(out, ",\"trainingConfigVersion\":\"");
	buf_addjson(out,
	    o->training_config_version ? o->training_config_version : "latest");
	buf_addstr(out, "\"");
	if (o->evaluation_kind != NULL) {
		buf_addstr(out, ",\"evaluationOptions\":{\"kind\":\"");
		buf_addjson(out, o->evaluation_kind);
		buf_addstr(out, "\"");
		if (o->training_split > 0)
			buf_addf(out, ",\"trainingSplitPercentage\":%d",
			    o->training_split);
		if (o->testing_split > 0)
			buf_addf(out, ",\"testingSplitPercentage\":%d",
			    o->testing_split);
		buf_addstr(out, "}");
	}
	buf_addstr(out, "}");
	return buf_check(out, err, "train body");
}

int
langjson_deploy_body(const char *model_label, struct buf *out, struct err *err)
{
	if (model_label == NULL || model_label[0] == '\0')
		return err_set(err, ERR_SPEC, "deploy: no model label");
	buf_addstr(out, "{\"trainedModelLabel\":\"");
	buf_addjson(out, model_label);
	buf_addstr(out, "\"}");
	return buf_check(out, err, "deploy body");
}

/* ---- releases ---------------------------------------------------------- */

void
language_project_release(struct language_project *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->kind);
	free(p->language);
	free(p->description);
	free(p->storage_container);
	free(p->created);
	free(p->last_modified);
	free(p->last_trained);
	free(p->last_deployed);
	memset(p, 0, sizeof(*p));
}

void
language_model_release(struct language_model *m)
{
	if (m == NULL)
		return;
	free(m->label);
	free(m->model_id);
	free(m->last_trained);
	free(m->expiration_date);
	free(m->training_config_version);
	memset(m, 0, sizeof(*m));
}

void
language_deployment_release(struct language_deployment *d)
{
	if (d == NULL)
		return;
	free(d->name);
	free(d->model_id);
	free(d->last_trained);
	free(d->last_deployed);
	free(d->expiration_date);
	free(d->training_config_version);
	for (size_t i = 0; i < d->n_assigned; i++)
		free(d->assigned_ids[i]);
	free(d->assigned_ids);
	memset(d, 0, sizeof(*d));
}

void
language_tcv_release(struct language_tcv *t)
{
	if (t == NULL)
		return;
	free(t->version);
	free(t->expiration_date);
	memset(t, 0, sizeof(*t));
}

static void
msgs_free(struct language_msg *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].code);
		free(m[i].message);
	}
	free(m);
}

void
language_job_release(struct language_job *j)
{
	if (j == NULL)
		return;
	free(j->job_id);
	free(j->status_str);
	free(j->created);
	free(j->last_updated);
	free(j->expiration);
	msgs_free(j->errors, j->n_errors);
	msgs_free(j->warnings, j->n_warnings);
	free(j->result_url);
	free(j->model_label);
	free(j->training_config_version);
	free(j->training_mode);
	memset(j, 0, sizeof(*j));
}

void
language_projects_release(struct language_projects *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		language_project_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
language_models_release(struct language_models *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		language_model_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
language_deployments_release(struct language_deployments *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		language_deployment_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
language_tcvs_release(struct language_tcvs *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		language_tcv_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
