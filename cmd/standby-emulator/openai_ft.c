/*
 * openai_ft.c - an openai account's data plane: files (multipart upload,
 * processing, content, delete), fine-tuning jobs (create, list, get,
 * cancel, delete, events) and /openai/models.  Every function runs with
 * emu->mu held.
 *
 * Written from reference/openai-deployments.md section 8 and the
 * 2024-10-21 authoring swagger subset.  Dated api-versions report the
 * swagger's job states (pending, running, succeeded...); the v1 API
 * (/openai/v1/..., no api-version) reports OpenAI's (validating_files,
 * queued, running, succeeded...).  Checks the service makes later are
 * made later here too: a training file that is not JSONL ends in status
 * "error" when processed, and a job with fewer than 10 examples fails.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "openai.h"

#define MAX_FILES 1000
#define MAX_JOBS 1000
#define MIN_EXAMPLES 10

static const char *const file_states[] = { "pending", "running", "processed",
	"error" };

const struct ftmodel *
ft_find_model(const struct resource *res, const char *id)
{
	size_t i;

	if (res->aoai == NULL || id == NULL)
		return NULL;
	for (i = 0; i < res->aoai->nmodels; i++)
		if (strcmp(res->aoai->models[i].id, id) == 0)
			return &res->aoai->models[i];
	return NULL;
}

void
ft_reset(struct aoai_acct *a)
{
	size_t i;

	for (i = 0; i < a->nfiles; i++)
		free(a->files[i].data);
	free(a->files);
	a->files = NULL;
	a->nfiles = 0;
	for (i = 0; i < a->njobs; i++)
		cJSON_Delete(a->jobs[i].hyper);
	free(a->jobs);
	a->jobs = NULL;
	a->njobs = 0;
	free(a->models);
	a->models = NULL;
	a->nmodels = 0;
}

static double
progress(const struct job_timing *t, double start, int polls, int steps)
{
	double p;

	if (t->polls > 0)
		p = (double)((polls > 0 ? polls - 1 : 0) / t->polls) / steps;
	else if (t->ms <= 0)
		p = 1;
	else {
		p = (emu_mono() - start) * 1000.0 / t->ms;
		if (p < 0.1)
			p = 0;
	}
	return p > 1 ? 1 : p;
}

static struct afile *
find_file(struct aoai_acct *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i].id, id) == 0)
			return &a->files[i];
	return NULL;
}

static struct ftjob *
find_job(struct aoai_acct *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->njobs; i++)
		if (strcmp(a->jobs[i].id, id) == 0)
			return &a->jobs[i];
	return NULL;
}

/* Counts JSONL examples; -1 (with why) when a line is not a JSON object
 * with "messages" or "prompt". */
static long
examples(const struct afile *f, char *why, size_t cap)
{
	size_t i = 0, line = 0;
	long n = 0;

	while (i < f->len) {
		size_t end = i;
		cJSON *o;

		while (end < f->len && f->data[end] != '\n')
			end++;
		line++;
		if (end > i + (f->data[end - 1] == '\r')) {
			o = cJSON_ParseWithLength(f->data + i, end - i);
			if (!cJSON_IsObject(o) ||
			    (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(
			         o, "messages")) &&
			        !cJSON_IsString(
			            cJSON_GetObjectItemCaseSensitive(
			                o, "prompt")))) {
				cJSON_Delete(o);
				snprintf(why, cap,
				    "Invalid file format. Line %zu is not a "
				    "JSON object with \"messages\".",
				    line);
				return -1;
			}
			cJSON_Delete(o);
			n++;
		}
		i = end + 1;
	}
	return n;
}

static void
file_advance(struct afile *f)
{
	double p;
	char why[200];

	if (f->state == FS_PROCESSED || f->state == FS_ERROR)
		return;
	p = progress(&f->timing, f->start_mono, f->polls, 2);
	if (p < 1) {
		f->state = p > 0 ? FS_RUNNING : FS_PENDING;
		return;
	}
	if (strcmp(f->purpose, "fine-tune") == 0 &&
	    examples(f, why, sizeof(why)) < 0) {
		f->state = FS_ERROR;
		snprintf(f->details, sizeof(f->details), "%s", why);
		return;
	}
	f->state = FS_PROCESSED;
}

static struct afile *
add_file(struct aoai_acct *a)
{
	struct afile *v;
	char hex[33];

	if (a->nfiles >= MAX_FILES)
		return NULL;
	v = realloc(a->files, (a->nfiles + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	a->files = v;
	v = &a->files[a->nfiles++];
	memset(v, 0, sizeof(*v));
	emu_hex(hex, 16);
	snprintf(v->id, sizeof(v->id), "file-%s", hex);
	return v;
}

static void
job_finish(struct emu *emu, struct resource *res, struct ftjob *j)
{
	struct aoai_acct *a = res->aoai;
	struct afile *tf = find_file(a, j->training), *rf;
	struct ftmodel *mv;
	char why[200], hex[33];
	long n = tf ? examples(tf, why, sizeof(why)) : -1;

	j->finished = emu_now(emu);
	if (n < MIN_EXAMPLES) {
		j->state = FT_FAILED;
		snprintf(
		    j->err_code, sizeof(j->err_code), "invalid_training_file");
		if (n < 0)
			snprintf(j->err_msg, sizeof(j->err_msg), "%s",
			    tf ? why : "The training file was deleted.");
		else
			snprintf(j->err_msg, sizeof(j->err_msg),
			    "The training file has %ld example(s), but must "
			    "have at least %d examples.",
			    n, MIN_EXAMPLES);
		return;
	}
	mv = realloc(a->models, (a->nmodels + 1) * sizeof(*mv));
	if (mv == NULL) {
		j->state = FT_FAILED;
		snprintf(j->err_code, sizeof(j->err_code), "internalFailure");
		snprintf(j->err_msg, sizeof(j->err_msg), "out of memory");
		return;
	}
	a->models = mv;
	mv = &a->models[a->nmodels++];
	memset(mv, 0, sizeof(*mv));
	emu_hex(hex, 16);
	snprintf(mv->id, sizeof(mv->id), "%s-%s.ft-%s%s%s", j->base->name,
	    j->base->version, hex, j->suffix[0] ? "-" : "", j->suffix);
	mv->base = j->base;
	snprintf(mv->job, sizeof(mv->job), "%s", j->id);
	mv->created = j->finished;
	snprintf(j->ftmodel, sizeof(j->ftmodel), "%s", mv->id);
	j->tokens = (long)(tf->len / 4) + 1;
	if ((rf = add_file(a)) != NULL) {
		static const char csv[] =
		    "step,train_loss,train_mean_token_"
		    "accuracy\n1,1.25,0.61\n2,0.82,0.74\n";

		snprintf(rf->purpose, sizeof(rf->purpose), "fine-tune-results");
		snprintf(rf->filename, sizeof(rf->filename), "results.csv");
		rf->data = strdup(csv);
		rf->len = rf->data ? strlen(csv) : 0;
		rf->created = j->finished;
		rf->state = FS_PROCESSED;
		snprintf(j->result_file, sizeof(j->result_file), "%s", rf->id);
	}
	j->state = FT_SUCCEEDED;
}

static void
job_advance(struct emu *emu, struct resource *res, struct ftjob *j)
{
	double p;

	if (j->state >= FT_SUCCEEDED)
		return;
	p = progress(&j->timing, j->start_mono, j->polls, 3);
	if (p >= 1)
		job_finish(emu, res, j);
	else
		j->state = p > 0.3 ? FT_RUNNING : FT_PENDING;
}

void
ft_advance(struct emu *emu, struct resource *res)
{
	struct aoai_acct *a = res->aoai;
	size_t i;

	for (i = 0; i < a->nfiles; i++)
		if (a->files[i].timing.polls == 0)
			file_advance(&a->files[i]);
	for (i = 0; i < a->njobs; i++)
		if (a->jobs[i].timing.polls == 0)
			job_advance(emu, res, &a->jobs[i]);
}

/* --- JSON ---------------------------------------------------------------- */

static cJSON *
file_json(const struct afile *f)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "object", "file");
	cJSON_AddStringToObject(o, "id", f->id);
	cJSON_AddNumberToObject(o, "created_at", (double)(long long)f->created);
	cJSON_AddStringToObject(o, "status", file_states[f->state]);
	cJSON_AddNumberToObject(o, "bytes", (double)f->len);
	cJSON_AddStringToObject(o, "purpose", f->purpose);
	cJSON_AddStringToObject(o, "filename", f->filename);
	if (f->details[0] != '\0')
		cJSON_AddStringToObject(o, "status_details", f->details);
	return o;
}

static const char *
job_state(const struct ftjob *j, int v1)
{
	static const char *const dated[] = { "pending", "running", "succeeded",
		"failed", "cancelled" };

	if (v1 && j->state == FT_PENDING)
		return progress(&j->timing, j->start_mono, j->polls, 3) > 0
		    ? "queued"
		    : "validating_files";
	return dated[j->state];
}

static cJSON *
job_json(const struct ftjob *j, int v1)
{
	cJSON *o = cJSON_CreateObject(), *h;
	const cJSON *it;

	cJSON_AddStringToObject(o, "object", "fine_tuning.job");
	cJSON_AddStringToObject(o, "id", j->id);
	cJSON_AddNumberToObject(o, "created_at", (double)(long long)j->created);
	cJSON_AddStringToObject(o, "status", job_state(j, v1));
	cJSON_AddStringToObject(o, "model", j->model);
	if (j->ftmodel[0] != '\0')
		cJSON_AddStringToObject(o, "fine_tuned_model", j->ftmodel);
	cJSON_AddStringToObject(o, "training_file", j->training);
	if (j->validation[0] != '\0')
		cJSON_AddStringToObject(o, "validation_file", j->validation);
	h = cJSON_AddArrayToObject(o, "result_files");
	if (j->result_file[0] != '\0')
		cJSON_AddItemToArray(h, cJSON_CreateString(j->result_file));
	if (j->state >= FT_SUCCEEDED)
		cJSON_AddNumberToObject(
		    o, "finished_at", (double)(long long)j->finished);
	if (j->state == FT_SUCCEEDED)
		cJSON_AddNumberToObject(o, "trained_tokens", (double)j->tokens);
	if (j->state == FT_RUNNING && j->timing.polls == 0)
		cJSON_AddNumberToObject(o, "estimated_finish",
		    (double)(long long)(j->created + j->timing.ms / 1000.0));
	if (j->err_code[0] != '\0') {
		cJSON *e = cJSON_AddObjectToObject(o, "error");

		cJSON_AddStringToObject(e, "code", j->err_code);
		cJSON_AddStringToObject(e, "message", j->err_msg);
		cJSON_AddStringToObject(e, "param", "training_file");
	}
	h = cJSON_AddObjectToObject(o, "hyperparameters");
	if (cJSON_GetObjectItemCaseSensitive(j->hyper, "n_epochs") == NULL)
		cJSON_AddNumberToObject(h, "n_epochs", -1);
	cJSON_ArrayForEach(it, j->hyper)
	    cJSON_AddItemToObject(h, it->string, cJSON_Duplicate(it, 1));
	if (j->suffix[0] != '\0')
		cJSON_AddStringToObject(o, "suffix", j->suffix);
	cJSON_AddNumberToObject(o, "seed", (double)j->seed);
	return o;
}

/* --- multipart/form-data ------------------------------------------------- */

struct part {
	char name[64], filename[256];
	const char *data;
	size_t len;
};

static void
disposition_param(
    const char *h, size_t hl, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key), i, k;

	out[0] = '\0';
	for (i = 0; i + kl + 2 <= hl; i++) {
		if ((i == 0 || h[i - 1] == ' ' || h[i - 1] == ';') &&
		    strncasecmp(h + i, key, kl) == 0 && h[i + kl] == '=' &&
		    h[i + kl + 1] == '"') {
			for (k = 0, i += kl + 2;
			     i < hl && h[i] != '"' && k + 1 < cap; i++)
				out[k++] = h[i];
			out[k] = '\0';
			return;
		}
	}
}

/* memmem(), which C11 and POSIX lack */
static const char *
find_bytes(const char *hay, size_t n, const char *needle, size_t m)
{
	size_t i;

	for (i = 0; m <= n && i <= n - m; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0)
			return hay + i;
	return NULL;
}

/* Splits a multipart/form-data body into at most max parts; -1 when it
 * is not one. */
static int
multipart(const struct req *rq, struct part *parts, size_t max, size_t *n)
{
	const char *ct = emu_header(rq, "content-type"), *b, *p, *end, *hend;
	const char *body = rq->body, *stop = rq->body + rq->body_len;
	char delim[200];
	size_t dl;

	*n = 0;
	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0 ||
	    (b = strstr(ct, "boundary=")) == NULL)
		return -1;
	b += 9;
	if (*b == '"')
		b++;
	dl = strcspn(b, "\";");
	if (dl == 0 || dl + 5 > sizeof(delim))
		return -1;
	snprintf(delim, sizeof(delim), "\r\n--%.*s", (int)dl, b);
	dl += 4;
	/* the first delimiter may start the body, without the CRLF */
	p = find_bytes(body, rq->body_len, delim + 2, dl - 2);
	if (p == NULL)
		return -1;
	p += dl - 2;
	for (;;) {
		struct part *pt;
		const char *h;

		if (stop - p >= 2 && p[0] == '-' && p[1] == '-')
			return 0;
		if (stop - p < 2 || p[0] != '\r' || p[1] != '\n')
			return -1;
		p += 2;
		hend = find_bytes(p, (size_t)(stop - p), "\r\n\r\n", 4);
		if (hend == NULL)
			return -1;
		end =
		    find_bytes(hend + 4, (size_t)(stop - hend - 4), delim, dl);
		if (end == NULL || *n >= max)
			return -1;
		pt = &parts[(*n)++];
		memset(pt, 0, sizeof(*pt));
		for (h = p; h < hend;) {
			const char *eol =
			    find_bytes(h, (size_t)(hend + 2 - h), "\r\n", 2);

			if (eol == NULL)
				eol = hend;
			if ((size_t)(eol - h) > 20 &&
			    strncasecmp(h, "content-disposition:", 20) == 0) {
				disposition_param(h, (size_t)(eol - h), "name",
				    pt->name, sizeof(pt->name));
				disposition_param(h, (size_t)(eol - h),
				    "filename", pt->filename,
				    sizeof(pt->filename));
			}
			h = eol + 2;
		}
		pt->data = hend + 4;
		pt->len = (size_t)(end - hend - 4);
		p = end + dl;
	}
}

/* --- handlers ------------------------------------------------------------ */

static void
upload(
    struct emu *emu, struct resource *res, const struct req *rq, struct resp *r)
{
	static const char *const purposes[] = { "fine-tune",
		"fine-tune-results", "assistants", "assistants_output", "batch",
		NULL };
	struct part parts[8];
	const struct part *purpose = NULL, *file = NULL;
	struct afile *f;
	struct buf u = { .max = 4096 };
	cJSON *o;
	size_t n, i;

	if (multipart(rq, parts, 8, &n) != 0) {
		resp_error(r, 400, "invalidPayload",
		    "The request must be multipart/form-data with the fields "
		    "'purpose' and 'file'.");
		return;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(parts[i].name, "purpose") == 0)
			purpose = &parts[i];
		else if (strcmp(parts[i].name, "file") == 0)
			file = &parts[i];
	}
	if (purpose == NULL || file == NULL) {
		resp_error(r, 400, "invalidPayload",
		    "The form fields 'purpose' and 'file' are required.");
		return;
	}
	for (i = 0; purposes[i] != NULL; i++)
		if (strlen(purposes[i]) == purpose->len &&
		    memcmp(purposes[i], purpose->data, purpose->len) == 0)
			break;
	if (purposes[i] == NULL) {
		resp_error(r, 400, "invalidPayload",
		    "The purpose '%.*s' is not supported (fine-tune, "
		    "fine-tune-results, assistants, assistants_output, batch).",
		    (int)(purpose->len > 64 ? 64 : purpose->len),
		    purpose->data);
		return;
	}
	if (file->filename[0] == '\0' || file->len == 0) {
		resp_error(r, 400, "invalidPayload",
		    "The file field needs a filename and content.");
		return;
	}
	if ((f = add_file(res->aoai)) == NULL) {
		resp_error(r, 400, "quotaExceeded",
		    "This resource already holds %d files.", MAX_FILES);
		return;
	}
	snprintf(f->purpose, sizeof(f->purpose), "%s", purposes[i]);
	snprintf(f->filename, sizeof(f->filename), "%s", file->filename);
	f->data = malloc(file->len);
	if (f->data != NULL)
		memcpy(f->data, file->data, file->len);
	f->len = f->data ? file->len : 0;
	f->created = emu_now(emu);
	f->start_mono = emu_mono();
	f->timing = emu->timing[JOB_FILE];
	o = file_json(f); /* pending: processing starts after the reply */
	resp_json(r, 201, o);
	cJSON_Delete(o);
	buf_addf(&u, "%s/openai/files/%s", rq->base, f->id);
	resp_header(r, "Location", buf_str(&u));
	buf_release(&u);
}

static int
suffix_ok(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return n <= 40;
}

static const struct cat_model *
base_model(struct emu *emu, struct resource *res, const char *id)
{
	const struct cat_model *m;
	char full[160];

	for (m = aoai_catalogue; m->name != NULL; m++) {
		snprintf(full, sizeof(full), "%s-%s", m->name, m->version);
		if (strcmp(full, id) == 0)
			return m->finetune &&
			        cat_find(emu, res->region, m->name,
			            m->version) != NULL
			    ? m
			    : NULL;
	}
	return NULL;
}

/* A file a job may use: known, for fine-tuning, processed. */
static int
usable(struct aoai_acct *a, const char *id, const char *field, struct resp *r)
{
	struct afile *f = find_file(a, id);

	if (f == NULL) {
		resp_error(r, 400, "invalidPayload",
		    "The %s '%s' does not exist.", field, id);
		return 0;
	}
	if (strcmp(f->purpose, "fine-tune") != 0) {
		resp_error(r, 400, "invalidPayload",
		    "The %s '%s' has purpose '%s', not 'fine-tune'.", field, id,
		    f->purpose);
		return 0;
	}
	if (f->state != FS_PROCESSED) {
		resp_error(r, 400, "unexpectedEntityState",
		    "The %s '%s' is in status '%s'; wait until it is "
		    "'processed'.",
		    field, id, file_states[f->state]);
		return 0;
	}
	return 1;
}

static void
create_job(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, int v1)
{
	struct aoai_acct *a = res->aoai;
	cJSON *body = NULL, *o;
	const cJSON *hp, *seed, *it;
	const char *model, *tf, *vf, *suffix;
	const struct cat_model *m;
	struct ftjob *j;
	struct buf u = { .max = 4096 };
	char hex[33];

	body =
	    rq->body_len ? cJSON_ParseWithLength(rq->body, rq->body_len) : NULL;
	if (!cJSON_IsObject(body)) {
		resp_error(r, 400, "invalidPayload",
		    "The request body must be a JSON object.");
		goto out;
	}
	model = cJSON_GetStringValue(cJSON_GetObjectItem(body, "model"));
	tf = cJSON_GetStringValue(cJSON_GetObjectItem(body, "training_file"));
	vf = cJSON_GetStringValue(cJSON_GetObjectItem(body, "validation_file"));
	suffix = cJSON_GetStringValue(cJSON_GetObjectItem(body, "suffix"));
	hp = cJSON_GetObjectItem(body, "hyperparameters");
	seed = cJSON_GetObjectItem(body, "seed");
	if (model == NULL || tf == NULL) {
		resp_error(r, 400, "invalidPayload",
		    "'model' and 'training_file' are required.");
		goto out;
	}
	if ((m = base_model(emu, res, model)) == NULL) {
		resp_error(r, 400, "invalidPayload",
		    "The specified base model '%s' does not support "
		    "fine-tuning in region '%s'.",
		    model, res->region);
		goto out;
	}
	if (!usable(a, tf, "training_file", r) ||
	    (vf != NULL && !usable(a, vf, "validation_file", r)))
		goto out;
	if (suffix != NULL && !suffix_ok(suffix)) {
		resp_error(r, 400, "invalidPayload",
		    "The suffix may have up to 40 characters a-z, A-Z, 0-9, "
		    "'-' and '_'.");
		goto out;
	}
	if (hp != NULL && !cJSON_IsObject(hp)) {
		resp_error(r, 400, "invalidPayload",
		    "'hyperparameters' must be an object.");
		goto out;
	}
	cJSON_ArrayForEach(it, hp)
	{
		if (!cJSON_IsNumber(it) ||
		    (strcmp(it->string, "n_epochs") &&
		        strcmp(it->string, "batch_size") &&
		        strcmp(it->string, "learning_rate_multiplier"))) {
			resp_error(r, 400, "invalidPayload",
			    "hyperparameters.%s is not a known numeric "
			    "parameter.",
			    it->string);
			goto out;
		}
	}
	if (seed != NULL &&
	    (!cJSON_IsNumber(seed) ||
	        seed->valuedouble != (double)seed->valueint)) {
		resp_error(
		    r, 400, "invalidPayload", "'seed' must be an int32.");
		goto out;
	}
	if (a->njobs >= MAX_JOBS) {
		resp_error(r, 400, "quotaExceeded",
		    "This resource already has %d fine-tuning jobs.", MAX_JOBS);
		goto out;
	}
	j = realloc(a->jobs, (a->njobs + 1) * sizeof(*j));
	if (j == NULL)
		goto out;
	a->jobs = j;
	j = &a->jobs[a->njobs++];
	memset(j, 0, sizeof(*j));
	emu_hex(hex, 16);
	snprintf(j->id, sizeof(j->id), "ftjob-%s", hex);
	j->base = m;
	snprintf(j->model, sizeof(j->model), "%s", model);
	snprintf(j->training, sizeof(j->training), "%s", tf);
	snprintf(j->validation, sizeof(j->validation), "%s", vf ? vf : "");
	snprintf(j->suffix, sizeof(j->suffix), "%s", suffix ? suffix : "");
	j->hyper = hp ? cJSON_Duplicate(hp, 1) : NULL;
	j->seed = seed ? (long)seed->valueint
	               : (long)(strtoul(hex + 24, NULL, 16) & 0x7fffffff);
	j->created = emu_now(emu);
	j->start_mono = emu_mono();
	j->timing = emu->timing[JOB_FINETUNE];
	o = job_json(j, v1);
	resp_json(r, 201, o);
	cJSON_Delete(o);
	buf_addf(&u, "%s/openai/fine_tuning/jobs/%s", rq->base, j->id);
	resp_header(r, "Location", buf_str(&u));
	buf_release(&u);
out:
	cJSON_Delete(body);
}

static void
list_jobs(struct resource *res, const struct req *rq, struct resp *r, int v1)
{
	struct aoai_acct *a = res->aoai;
	const char *after = emu_query(rq, "after"),
	           *ls = emu_query(rq, "limit");
	long limit = ls ? strtol(ls, NULL, 10) : 20, n = 0;
	cJSON *o = cJSON_CreateObject(), *d;
	size_t i = a->njobs;
	int more = 0;

	if (limit < 1 || limit > 100)
		limit = 20;
	if (after != NULL) {
		while (i > 0 && strcmp(a->jobs[i - 1].id, after) != 0)
			i--;
		if (i > 0)
			i--;
	}
	cJSON_AddStringToObject(o, "object", "list");
	d = cJSON_AddArrayToObject(o, "data");
	for (; i > 0; i--) {
		if (n == limit) {
			more = 1;
			break;
		}
		cJSON_AddItemToArray(d, job_json(&a->jobs[i - 1], v1));
		n++;
	}
	cJSON_AddBoolToObject(o, "has_more", more);
	resp_json(r, 200, o);
	cJSON_Delete(o);
}

static void
add_event(cJSON *arr, const struct ftjob *j, int n, double t, const char *level,
    const char *msg)
{
	cJSON *e = cJSON_CreateObject();
	char id[64];

	snprintf(id, sizeof(id), "ftevent-%.24s%08d", j->id + 6, n);
	cJSON_AddStringToObject(e, "object", "fine_tuning.job.event");
	cJSON_AddStringToObject(e, "id", id);
	cJSON_AddNumberToObject(e, "created_at", (double)(long long)t);
	cJSON_AddStringToObject(e, "level", level);
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddStringToObject(e, "type", "message");
	cJSON_AddItemToArray(arr, e);
}

static void
events(const struct ftjob *j, struct resp *r)
{
	cJSON *o = cJSON_CreateObject(), *all = cJSON_CreateArray(), *d;
	char msg[300];
	int i;

	add_event(all, j, 1, j->created, "info", "Job enqueued.");
	if (j->state != FT_PENDING)
		add_event(all, j, 2, j->created, "info", "Job started.");
	if (j->state == FT_SUCCEEDED) {
		snprintf(msg, sizeof(msg),
		    "Job succeeded. New model created: %s", j->ftmodel);
		add_event(all, j, 3, j->finished, "info", msg);
	} else if (j->state == FT_FAILED) {
		snprintf(msg, sizeof(msg), "Job failed: %s", j->err_msg);
		add_event(all, j, 3, j->finished, "error", msg);
	} else if (j->state == FT_CANCELLED) {
		add_event(all, j, 3, j->finished, "info", "Job cancelled.");
	}
	cJSON_AddStringToObject(o, "object", "list");
	d = cJSON_AddArrayToObject(o, "data");
	for (i = cJSON_GetArraySize(all) - 1; i >= 0; i--)
		cJSON_AddItemToArray(d,
		    cJSON_Duplicate(
		        cJSON_GetArrayItem(all, i), 1)); /* newest first */
	cJSON_AddBoolToObject(o, "has_more", 0);
	resp_json(r, 200, o);
	cJSON_Delete(o);
	cJSON_Delete(all);
}

static void
models(struct emu *emu, struct resource *res, struct resp *r)
{
	const struct cat_model *m;
	cJSON *o = cJSON_CreateObject(), *d, *e, *c;
	char id[160];
	size_t i;

	cJSON_AddStringToObject(o, "object", "list");
	d = cJSON_AddArrayToObject(o, "data");
	for (m = aoai_catalogue; m->name != NULL; m++) {
		if (cat_find(emu, res->region, m->name, m->version) == NULL)
			continue;
		e = cJSON_CreateObject();
		snprintf(id, sizeof(id), "%s-%s", m->name, m->version);
		cJSON_AddStringToObject(e, "object", "model");
		cJSON_AddStringToObject(e, "id", id);
		cJSON_AddNumberToObject(e, "created_at", emu->boot_date);
		c = cJSON_AddObjectToObject(e, "capabilities");
		cJSON_AddBoolToObject(c, "fine_tune", m->finetune);
		cJSON_AddBoolToObject(c, "inference", 1);
		cJSON_AddBoolToObject(c, "completion", 0);
		cJSON_AddBoolToObject(c, "chat_completion",
		    strcmp(m->capability, "chatCompletion") == 0);
		cJSON_AddBoolToObject(
		    c, "embeddings", strcmp(m->capability, "embeddings") == 0);
		cJSON_AddStringToObject(
		    e, "lifecycle_status", "generally-available");
		cJSON_AddNumberToObject(
		    cJSON_AddObjectToObject(e, "deprecation"), "inference",
		    emu->boot_date + 730 * 86400.0);
		cJSON_AddItemToArray(d, e);
	}
	for (i = 0; i < res->aoai->nmodels; i++) {
		const struct ftmodel *f = &res->aoai->models[i];

		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "object", "model");
		cJSON_AddStringToObject(e, "id", f->id);
		cJSON_AddNumberToObject(
		    e, "created_at", (double)(long long)f->created);
		cJSON_AddStringToObject(e, "status", "succeeded");
		snprintf(
		    id, sizeof(id), "%s-%s", f->base->name, f->base->version);
		cJSON_AddStringToObject(e, "model", id);
		cJSON_AddStringToObject(e, "fine_tune", f->job);
		c = cJSON_AddObjectToObject(e, "capabilities");
		cJSON_AddBoolToObject(c, "fine_tune", 0);
		cJSON_AddBoolToObject(c, "inference", 1);
		cJSON_AddBoolToObject(c, "completion", 0);
		cJSON_AddBoolToObject(c, "chat_completion", 1);
		cJSON_AddBoolToObject(c, "embeddings", 0);
		cJSON_AddStringToObject(
		    e, "lifecycle_status", "generally-available");
		cJSON_AddNumberToObject(
		    cJSON_AddObjectToObject(e, "deprecation"), "inference",
		    f->created + 365 * 86400.0);
		cJSON_AddItemToArray(d, e);
	}
	resp_json(r, 200, o);
	cJSON_Delete(o);
}

static void
file_call(struct resource *res, const struct req *rq, struct resp *r,
    char **seg, size_t n)
{
	struct aoai_acct *a = res->aoai;
	struct afile *f = find_file(a, seg[1]);
	const char *m = rq->method;
	cJSON *o;

	if (f == NULL) {
		resp_error(
		    r, 404, "notFound", "File with id '%s' not found.", seg[1]);
		return;
	}
	if (strcmp(m, "GET") == 0 && n == 2) {
		f->polls++;
		file_advance(f);
		o = file_json(f);
		resp_json(r, 200, o);
		cJSON_Delete(o);
	} else if (strcmp(m, "GET") == 0 && n == 3 &&
	    strcmp(seg[2], "content") == 0) {
		r->status = 200;
		buf_reset(&r->body);
		buf_add(&r->body, f->data ? f->data : "", f->len);
		r->content_type = "application/octet-stream";
	} else if (strcmp(m, "DELETE") == 0 && n == 2) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "object", "file");
		cJSON_AddBoolToObject(o, "deleted", 1);
		cJSON_AddStringToObject(o, "id", f->id);
		resp_json(r, 200, o);
		cJSON_Delete(o);
		free(f->data);
		memmove(f, f + 1,
		    (a->nfiles - (size_t)(f - a->files) - 1) * sizeof(*f));
		a->nfiles--;
	} else {
		resp_error(r, 405, "invalidPayload", "Method not allowed.");
	}
}

static void
job_call(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, char **seg, size_t n, int v1)
{
	struct aoai_acct *a = res->aoai;
	struct ftjob *j = find_job(a, seg[2]);
	const char *m = rq->method;
	cJSON *o;

	if (j == NULL) {
		resp_error(r, 404, "notFound",
		    "Fine-tuning job with id '%s' not found.", seg[2]);
		return;
	}
	if (strcmp(m, "GET") == 0 && n == 3) {
		j->polls++;
		job_advance(emu, res, j);
	} else if (strcmp(m, "POST") == 0 && n == 4 &&
	    strcmp(seg[3], "cancel") == 0) {
		if (j->state >= FT_SUCCEEDED) {
			resp_error(r, 409, "unexpectedEntityState",
			    "The job '%s' has already ended.", j->id);
			return;
		}
		j->state = FT_CANCELLED;
		j->finished = emu_now(emu);
	} else if (strcmp(m, "GET") == 0 && n == 4 &&
	    strcmp(seg[3], "events") == 0) {
		events(j, r);
		return;
	} else if (strcmp(m, "DELETE") == 0 && n == 3) {
		cJSON_Delete(j->hyper);
		memmove(j, j + 1,
		    (a->njobs - (size_t)(j - a->jobs) - 1) * sizeof(*j));
		a->njobs--;
		r->status = 204;
		return;
	} else {
		resp_error(r, 405, "invalidPayload", "Method not allowed.");
		return;
	}
	o = job_json(j, v1);
	resp_json(r, 200, o);
	cJSON_Delete(o);
}

void
aoai_data_handle(
    struct emu *emu, struct resource *res, const struct req *rq, struct resp *r)
{
	const char *ver = emu_query(rq, "api-version");
	char *copy = NULL, *seg[8], *s, *save = NULL;
	size_t n = 0;
	int v1;

	ft_advance(emu, res);
	if (strncmp(rq->path, "/openai/", 8) != 0) {
		resp_error(r, 404, "notFound", "Resource not found");
		return;
	}
	v1 = strncmp(rq->path, "/openai/v1/", 11) == 0;
	if (!v1 && ver == NULL) {
		resp_error(r, 404, "notFound",
		    "Resource not found (the api-version query parameter is "
		    "required)");
		return;
	}
	if (!v1 && strcmp(ver, "2024-10-21") != 0 &&
	    strcmp(ver, "2024-06-01") != 0) {
		resp_error(r, 400, "invalidPayload",
		    "API version '%s' is not supported here (2024-10-21, "
		    "2024-06-01, or the v1 API)",
		    ver);
		return;
	}
	if ((copy = strdup(rq->path + (v1 ? 11 : 8))) == NULL)
		return;
	for (s = strtok_r(copy, "/", &save); s != NULL && n < 8;
	     s = strtok_r(NULL, "/", &save))
		seg[n++] = s;
	if (n == 1 && strcmp(seg[0], "files") == 0) {
		if (strcmp(rq->method, "POST") == 0) {
			upload(emu, res, rq, r);
		} else if (strcmp(rq->method, "GET") == 0) {
			const char *p = emu_query(rq, "purpose");
			cJSON *o = cJSON_CreateObject(), *d;
			size_t i;

			cJSON_AddStringToObject(o, "object", "list");
			d = cJSON_AddArrayToObject(o, "data");
			for (i = 0; i < res->aoai->nfiles; i++)
				if (p == NULL ||
				    strcmp(p, res->aoai->files[i].purpose) == 0)
					cJSON_AddItemToArray(
					    d, file_json(&res->aoai->files[i]));
			resp_json(r, 200, o);
			cJSON_Delete(o);
		} else {
			resp_error(
			    r, 405, "invalidPayload", "Method not allowed.");
		}
	} else if (n >= 2 && n <= 3 && strcmp(seg[0], "files") == 0) {
		file_call(res, rq, r, seg, n);
	} else if (n == 2 && strcmp(seg[0], "fine_tuning") == 0 &&
	    strcmp(seg[1], "jobs") == 0) {
		if (strcmp(rq->method, "POST") == 0)
			create_job(emu, res, rq, r, v1);
		else if (strcmp(rq->method, "GET") == 0)
			list_jobs(res, rq, r, v1);
		else
			resp_error(
			    r, 405, "invalidPayload", "Method not allowed.");
	} else if (n >= 3 && n <= 4 && strcmp(seg[0], "fine_tuning") == 0 &&
	    strcmp(seg[1], "jobs") == 0) {
		job_call(emu, res, rq, r, seg, n, v1);
	} else if (n == 1 && strcmp(seg[0], "models") == 0 &&
	    strcmp(rq->method, "GET") == 0) {
		models(emu, res, r);
	} else {
		resp_error(r, 404, "notFound", "Resource not found");
	}
	free(copy);
}
