/*
 * jobs.c - long-running operations: their timing, their states, and what
 * each does to the resource when it ends.  Progress is computed lazily
 * (on every request to the resource and on every status poll) from the
 * monotonic clock, or in manual mode from the number of polls, so no
 * timer thread is needed and tests can make jobs as slow as they like.
 * A job changes the resource only when it ends, as the service does.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu.h"

#define MAX_JOBS 5000

static const char *const kind_names[] = { "export", "import", "train", "deploy",
	"delete", "swap", "deployment", "finetune", "file" };

static const char *const status_names[] = { "notStarted", "running",
	"succeeded", "failed", "cancelled", "cancelling",
	"partiallyCompleted" };

const char *
jobs_kind_name(enum job_kind k)
{
	return kind_names[k];
}

int
jobs_kind_parse(const char *s)
{
	int i;

	for (i = 0; i < JOB_NKINDS; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return -1;
}

int
jobs_terminal(enum job_status s)
{
	return s == JS_SUCCEEDED || s == JS_FAILED || s == JS_CANCELLED ||
	    s == JS_PARTIAL;
}

void
jobs_free(struct job *j)
{
	if (j == NULL)
		return;
	cJSON_Delete(j->errors);
	cJSON_Delete(j->payload);
	lang_model_release(&j->model);
	free(j);
}

struct job *
jobs_new(struct emu *emu, struct resource *res, enum job_kind kind,
    enum emu_family fam, const char *project, const char *ver)
{
	struct job *j, **v;
	size_t i;

	/* Keep memory bounded: forget the oldest finished job. */
	if (res->njobs >= MAX_JOBS) {
		for (i = 0; i < res->njobs; i++)
			if (res->jobs[i]->done)
				break;
		if (i == res->njobs)
			return NULL;
		jobs_free(res->jobs[i]);
		memmove(res->jobs + i, res->jobs + i + 1,
		    (res->njobs - i - 1) * sizeof(*res->jobs));
		res->njobs--;
	}
	v = realloc(res->jobs, (res->njobs + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	res->jobs = v;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return NULL;
	emu_job_id(emu, j->id);
	j->kind = kind;
	j->family = fam;
	snprintf(j->project, sizeof(j->project), "%s", project);
	snprintf(j->api_version, sizeof(j->api_version), "%s", ver);
	j->created = j->updated = emu_now(emu);
	j->start_mono = emu_mono();
	j->timing = emu->timing[kind];
	j->status = JS_NOTSTARTED;
	res->jobs[res->njobs++] = j;
	return j;
}

struct job *
jobs_find(struct resource *res, const char *id, enum job_kind kind,
    const char *project)
{
	size_t i;

	for (i = 0; i < res->njobs; i++) {
		struct job *j = res->jobs[i];

		if (strcmp(j->id, id) == 0 && j->kind == kind &&
		    (project == NULL || strcmp(j->project, project) == 0))
			return j;
	}
	return NULL;
}

int
jobs_training_active(struct resource *res, const char *project)
{
	size_t i;

	for (i = 0; i < res->njobs; i++) {
		struct job *j = res->jobs[i];

		if (j->kind == JOB_TRAIN && !j->done &&
		    strcmp(j->project, project) == 0)
			return 1;
	}
	return 0;
}

void
jobs_fail(struct job *j, const char *code, const char *msg)
{
	cJSON *e;

	if (j->errors == NULL)
		j->errors = cJSON_CreateArray();
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddItemToArray(j->errors, e);
	j->status = JS_FAILED;
	j->done = 1;
}

/* Training configuration versions and when models trained with them
 * expire, counted from the day the emulator started (the service's dates
 * are absolute; relative ones keep the emulator useful for years). */
struct config {
	const char *version;
	int days;
};

static const struct config conv_configs[] = { { "2022-05-01", 180 },
	{ "2022-09-01", 365 }, { NULL, 0 } };
static const struct config text_configs[] = { { "2022-05-01", 365 },
	{ NULL, 0 } };

const char *
jobs_config_resolve(const struct emu *emu, enum emu_family fam,
    const char *kind, const char *want, char expiry[16])
{
	const struct config *c = fam == EMU_CONV ? conv_configs : text_configs;
	const struct config *hit = NULL;

	(void)kind;
	for (; c->version != NULL; c++) {
		if (want == NULL || strcmp(want, "latest") == 0 ||
		    strcmp(want, c->version) == 0)
			hit = c; /* the last one listed is the latest */
		if (want != NULL && strcmp(want, c->version) == 0)
			break;
	}
	if (hit == NULL)
		return NULL;
	emu_fmt_date(emu->boot_date + hit->days * 86400.0, expiry);
	return hit->version;
}

cJSON *
jobs_config_list(const struct emu *emu, enum emu_family fam, const char *kind)
{
	const struct config *c = fam == EMU_CONV ? conv_configs : text_configs;
	cJSON *arr = cJSON_CreateArray();
	char d[16];

	(void)kind;
	for (; c->version != NULL; c++) {
		cJSON *o = cJSON_CreateObject();

		emu_fmt_date(emu->boot_date + c->days * 86400.0, d);
		cJSON_AddStringToObject(o, "trainingConfigVersion", c->version);
		cJSON_AddStringToObject(o, "modelExpirationDate", d);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* A deployment stays usable 12 months after its model's config expires. */
static void
plus_year(const char *date, char out[16])
{
	double t;
	time_t s;
	struct tm tm;

	if (emu_parse_date(date, &t) != 0) {
		snprintf(out, 16, "%s", date);
		return;
	}
	s = (time_t)t;
	gmtime_r(&s, &tm);
	tm.tm_year++;
	emu_fmt_date((double)timegm(&tm), out);
}

static void
remove_project(struct resource *res, const char *name)
{
	size_t i;

	for (i = 0; i < res->nprojects; i++) {
		if (strcmp(res->projects[i]->name, name) == 0) {
			lang_project_free(res->projects[i]);
			memmove(res->projects + i, res->projects + i + 1,
			    (res->nprojects - i - 1) * sizeof(*res->projects));
			res->nprojects--;
			return;
		}
	}
}

static int
container_known(const struct resource *res, const char *c)
{
	size_t i;

	if (res->ncontainers == 0)
		return 1;
	for (i = 0; i < res->ncontainers; i++)
		if (strcmp(res->containers[i], c) == 0)
			return 1;
	return 0;
}

static void
finish_import(struct emu *emu, struct resource *res, struct job *j)
{
	cJSON *doc = j->payload, *meta, *v;
	struct project *p = lang_find(res, j->project), **pv;
	const char *lang, *cont;
	char msg[512];

	meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	lang = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(meta, "language"));
	if (!validate_language(lang)) {
		snprintf(msg, sizeof(msg),
		    "metadata.language '%s' is not a supported language code",
		    lang ? lang : "");
		jobs_fail(j, "InvalidArgument", msg);
		return;
	}
	v = cJSON_GetObjectItemCaseSensitive(meta, "multilingual");
	if (v != NULL && !cJSON_IsBool(v)) {
		jobs_fail(j, "InvalidArgument",
		    "metadata.multilingual must be a boolean");
		return;
	}
	cont = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    meta, "storageInputContainerName"));
	if (j->family == EMU_TEXT && !container_known(res, cont)) {
		snprintf(msg, sizeof(msg),
		    "the storage container '%s' does not exist or this "
		    "resource has no access to it",
		    cont);
		jobs_fail(j, "InvalidRequest", msg);
		return;
	}
	if (p == NULL) {
		if (res->nprojects >= 500) {
			jobs_fail(j, "QuotaExceeded",
			    "the resource already has 500 projects");
			return;
		}
		pv = realloc(res->projects, (res->nprojects + 1) * sizeof(*pv));
		p = calloc(1, sizeof(*p));
		if (pv == NULL || p == NULL) {
			free(p);
			if (pv != NULL)
				res->projects = pv;
			jobs_fail(j, "InternalServerError", "out of memory");
			return;
		}
		res->projects = pv;
		res->projects[res->nprojects++] = p;
		snprintf(p->name, sizeof(p->name), "%s", j->project);
		p->created = emu_now(emu);
	}
	p->family = j->family;
	cJSON_Delete(p->meta);
	cJSON_Delete(p->assets);
	p->meta = cJSON_DetachItemFromObjectCaseSensitive(doc, "metadata");
	p->assets = cJSON_DetachItemFromObjectCaseSensitive(doc, "assets");
	cJSON_DeleteItemFromObjectCaseSensitive(p->meta, "projectName");
	snprintf(p->file_version, sizeof(p->file_version), "%s",
	    cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(doc, "projectFileVersion")));
	snprintf(p->string_index, sizeof(p->string_index), "%s",
	    cJSON_GetStringValue(
	        cJSON_GetObjectItemCaseSensitive(doc, "stringIndexType")));
	p->modified = emu_now(emu);
	j->status = JS_SUCCEEDED;
}

static void
finish_train(struct emu *emu, struct resource *res, struct job *j)
{
	struct project *p = lang_find(res, j->project);
	struct model *m;
	struct buf why = { .max = 4096 };
	char hex[33], stamp[32];
	time_t now;
	struct tm tm;

	if (p == NULL) {
		jobs_fail(j, "ProjectNotFound", "the project was deleted");
		return;
	}
	if (validate_orchestration(res, p, &why) != 0) {
		jobs_fail(j, "InvalidRequest", buf_str(&why));
		buf_release(&why);
		return;
	}
	buf_release(&why);
	m = lang_find_model(p, j->arg1);
	if (m == NULL) {
		struct model *mv =
		    realloc(p->models, (p->nmodels + 1) * sizeof(*mv));

		if (mv == NULL) {
			jobs_fail(j, "InternalServerError", "out of memory");
			return;
		}
		p->models = mv;
		m = &p->models[p->nmodels++];
		memset(m, 0, sizeof(*m));
	}
	lang_model_release(m);
	snprintf(m->label, sizeof(m->label), "%s", j->arg1);
	now = (time_t)emu_now(emu);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	emu_hex(hex, 16);
	snprintf(
	    m->model_id, sizeof(m->model_id), "%s-%s-%s", j->arg1, stamp, hex);
	m->trained = emu_now(emu);
	m->duration_s = (int)lround(emu_mono() - j->start_mono);
	snprintf(m->config, sizeof(m->config), "%s", j->model.config);
	snprintf(
	    m->expiration, sizeof(m->expiration), "%s", j->model.expiration);
	m->snapshot = p->assets ? cJSON_Duplicate(p->assets, 1) : NULL;
	p->trained = m->trained;
	j->status = JS_SUCCEEDED;
}

static void
finish_deploy(struct emu *emu, struct resource *res, struct job *j)
{
	struct project *p = lang_find(res, j->project);
	struct deployment *d;
	struct buf why = { .max = 4096 };

	if (p == NULL) {
		jobs_fail(j, "ProjectNotFound", "the project was deleted");
		return;
	}
	if (validate_orchestration(res, p, &why) != 0) {
		jobs_fail(j, "InvalidRequest", buf_str(&why));
		buf_release(&why);
		return;
	}
	buf_release(&why);
	d = lang_find_dep(p, j->arg2);
	if (d == NULL) {
		struct deployment *dv =
		    realloc(p->deps, (p->ndeps + 1) * sizeof(*dv));

		if (dv == NULL) {
			jobs_fail(j, "InternalServerError", "out of memory");
			return;
		}
		p->deps = dv;
		d = &p->deps[p->ndeps++];
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", j->arg2);
	}
	snprintf(d->model_id, sizeof(d->model_id), "%s", j->model.model_id);
	d->trained = j->model.trained;
	d->deployed = emu_now(emu);
	snprintf(d->config, sizeof(d->config), "%s", j->model.config);
	plus_year(j->model.expiration, d->expiration);
	p->deployed = d->deployed;
	j->status = JS_SUCCEEDED;
}

static void
finish_delete(struct resource *res, struct job *j)
{
	struct project *p = lang_find(res, j->project);
	size_t i;

	if (j->arg2[0] == '\0') {
		remove_project(res, j->project);
		j->status = JS_SUCCEEDED;
		return;
	}
	for (i = 0; p != NULL && i < p->ndeps; i++) {
		if (strcmp(p->deps[i].name, j->arg2) == 0) {
			memmove(p->deps + i, p->deps + i + 1,
			    (p->ndeps - i - 1) * sizeof(*p->deps));
			p->ndeps--;
			break;
		}
	}
	j->status = JS_SUCCEEDED;
}

static void
finish_swap(struct resource *res, struct job *j)
{
	struct project *p = lang_find(res, j->project);
	struct deployment *a, *b, t;

	a = p ? lang_find_dep(p, j->arg1) : NULL;
	b = p ? lang_find_dep(p, j->arg2) : NULL;
	if (a == NULL || b == NULL) {
		jobs_fail(j, "NotFound", "a deployment to swap was deleted");
		return;
	}
	t = *a;
	memcpy(a->model_id, b->model_id, sizeof(a->model_id));
	a->trained = b->trained;
	a->deployed = b->deployed;
	memcpy(a->expiration, b->expiration, sizeof(a->expiration));
	memcpy(a->config, b->config, sizeof(a->config));
	memcpy(b->model_id, t.model_id, sizeof(b->model_id));
	b->trained = t.trained;
	b->deployed = t.deployed;
	memcpy(b->expiration, t.expiration, sizeof(b->expiration));
	memcpy(b->config, t.config, sizeof(b->config));
	j->status = JS_SUCCEEDED;
}

static void
advance(struct emu *emu, struct resource *res, struct job *j)
{
	enum job_status before = j->status;
	double p;

	if (j->done)
		return;
	if (j->cancel) {
		j->status = JS_CANCELLED;
		j->done = 1;
		j->updated = emu_now(emu);
		return;
	}
	if (j->timing.polls > 0) {
		int steps = j->kind == JOB_TRAIN ? 3 : 2;
		int step = (j->polls > 0 ? j->polls - 1 : 0) / j->timing.polls;

		p = (double)step / steps;
	} else if (j->timing.ms <= 0) {
		p = 1;
	} else {
		p = (emu_mono() - j->start_mono) * 1000.0 / j->timing.ms;
		if (p < 0.1)
			p = 0;
	}
	if (p > 1)
		p = 1;
	j->p = p;
	if (p >= 1) {
		switch (j->kind) {
		case JOB_EXPORT:
			j->status = JS_SUCCEEDED;
			break;
		case JOB_IMPORT:
			finish_import(emu, res, j);
			break;
		case JOB_TRAIN:
			finish_train(emu, res, j);
			break;
		case JOB_DEPLOY:
			finish_deploy(emu, res, j);
			break;
		case JOB_DELETE:
			finish_delete(res, j);
			break;
		case JOB_SWAP:
			finish_swap(res, j);
			break;
		default:
			break;
		}
		j->done = 1;
	} else {
		j->status = p > 0 ? JS_RUNNING : JS_NOTSTARTED;
	}
	if (j->status != before)
		j->updated = emu_now(emu);
}

void
jobs_advance(struct emu *emu, struct resource *res)
{
	size_t i;

	for (i = 0; i < res->njobs; i++) {
		struct job *j = res->jobs[i];

		if (!j->done && (j->timing.polls == 0 || j->cancel))
			advance(emu, res, j);
	}
}

void
jobs_poll(struct emu *emu, struct resource *res, struct job *j)
{
	j->polls++;
	advance(emu, res, j);
}

static void
add_time(cJSON *o, const char *name, double t)
{
	char s[40];

	emu_fmt_time(t, s);
	cJSON_AddStringToObject(o, name, s);
}

static cJSON *
sub_status(const struct job *j, double lo, double hi)
{
	cJSON *o = cJSON_CreateObject();
	double span = hi - lo, q = (j->p - lo) / span;
	const char *st;

	if (q < 0)
		q = 0;
	if (q > 1 || j->status == JS_SUCCEEDED)
		q = 1;
	if (j->status == JS_FAILED)
		st = q > 0 ? "failed" : "notStarted";
	else if (j->status == JS_CANCELLED)
		st = "cancelled";
	else if (q >= 1)
		st = "succeeded";
	else if (q > 0 || (lo == 0 && j->status == JS_RUNNING))
		st = "running";
	else
		st = "notStarted";
	cJSON_AddNumberToObject(o, "percentComplete", floor(q * 100));
	if (q > 0 || strcmp(st, "running") == 0)
		add_time(o, "startDateTime", j->created + span * 0);
	if (q >= 1)
		add_time(o, "endDateTime", j->updated);
	cJSON_AddStringToObject(o, "status", st);
	return o;
}

cJSON *
jobs_json(struct emu *emu, const struct resource *res, const struct job *j,
    const char *base)
{
	cJSON *o = cJSON_CreateObject();

	(void)emu;
	(void)res;
	if (j->kind == JOB_TRAIN) {
		cJSON *r = cJSON_AddObjectToObject(o, "result");

		cJSON_AddStringToObject(r, "modelLabel", j->arg1);
		cJSON_AddStringToObject(
		    r, "trainingConfigVersion", j->model.config);
		if (j->family == EMU_CONV)
			cJSON_AddStringToObject(r, "trainingMode",
			    j->arg2[0] ? j->arg2 : "standard");
		if (j->timing.polls == 0)
			add_time(r, "estimatedEndDateTime",
			    j->created + j->timing.ms / 1000.0);
		cJSON_AddItemToObject(
		    r, "trainingStatus", sub_status(j, 0, 0.8));
		cJSON_AddItemToObject(
		    r, "evaluationStatus", sub_status(j, 0.8, 1.0));
	}
	cJSON_AddStringToObject(o, "jobId", j->id);
	add_time(o, "createdDateTime", j->created);
	add_time(o, "lastUpdatedDateTime", j->updated);
	add_time(o, "expirationDateTime", j->created + 7 * 86400.0);
	cJSON_AddStringToObject(o, "status", status_names[j->status]);
	if (j->errors != NULL)
		cJSON_AddItemToObject(
		    o, "errors", cJSON_Duplicate(j->errors, 1));
	if (j->kind == JOB_EXPORT && j->status == JS_SUCCEEDED) {
		struct buf u = { .max = 8192 };

		buf_addf(&u, "%s/language/authoring/%s/projects/", base,
		    lang_famseg(j->family));
		buf_addurlenc(&u, j->project);
		buf_addf(&u, "/export/jobs/%s/result?api-version=%s", j->id,
		    j->api_version);
		cJSON_AddStringToObject(o, "resultUrl", buf_str(&u));
		buf_release(&u);
	}
	return o;
}
