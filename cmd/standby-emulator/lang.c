/*
 * lang.c - the Language authoring API's router and its project calls:
 * list, get, PATCH (merge-patch), delete, export and import, plus the
 * global listings.  Models, training and deployments are in
 * lang_models.c.  Every function here runs with emu->mu held.
 *
 * Written from reference/language-authoring.md and the swaggers; where
 * the reference leaves the service's behaviour open, the choice made is
 * the one the reference recommends for an emulator (see README).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emu.h"

const char *
lang_famseg(enum emu_family fam)
{
	return fam == EMU_CONV ? "analyze-conversations" : "analyze-text";
}

struct project *
lang_find(struct resource *res, const char *name)
{
	size_t i;

	for (i = 0; i < res->nprojects; i++)
		if (strcmp(res->projects[i]->name, name) == 0)
			return res->projects[i];
	return NULL;
}

struct model *
lang_find_model(struct project *p, const char *label)
{
	size_t i;

	for (i = 0; i < p->nmodels; i++)
		if (strcmp(p->models[i].label, label) == 0)
			return &p->models[i];
	return NULL;
}

struct deployment *
lang_find_dep(struct project *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->ndeps; i++)
		if (strcmp(p->deps[i].name, name) == 0)
			return &p->deps[i];
	return NULL;
}

void
lang_model_release(struct model *m)
{
	cJSON_Delete(m->snapshot);
	m->snapshot = NULL;
}

void
lang_project_free(struct project *p)
{
	size_t i;

	if (p == NULL)
		return;
	cJSON_Delete(p->meta);
	cJSON_Delete(p->assets);
	for (i = 0; i < p->nmodels; i++)
		lang_model_release(&p->models[i]);
	free(p->models);
	free(p->deps);
	free(p);
}

void
lang_add_time(cJSON *o, const char *name, double t)
{
	char s[40];

	emu_fmt_time(t, s);
	cJSON_AddStringToObject(o, name, s);
}

static const char *
meta_str(const struct project *p, const char *name)
{
	return cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(p->meta, name));
}

cJSON *
lang_project_json(const struct project *p)
{
	static const char *const order[] = { "projectKind",
		"storageInputContainerName", "settings", "projectName",
		"multilingual", "description", "language", NULL };
	cJSON *o = cJSON_CreateObject();
	const cJSON *v;
	int i;

	lang_add_time(o, "createdDateTime", p->created);
	lang_add_time(o, "lastModifiedDateTime", p->modified);
	if (p->trained > 0)
		lang_add_time(o, "lastTrainedDateTime", p->trained);
	if (p->deployed > 0)
		lang_add_time(o, "lastDeployedDateTime", p->deployed);
	for (i = 0; order[i] != NULL; i++) {
		if (strcmp(order[i], "projectName") == 0) {
			cJSON_AddStringToObject(o, "projectName", p->name);
			continue;
		}
		v = cJSON_GetObjectItemCaseSensitive(p->meta, order[i]);
		if (v != NULL && !cJSON_IsNull(v))
			cJSON_AddItemToObject(
			    o, order[i], cJSON_Duplicate(v, 1));
	}
	return o;
}

void
lang_accepted(struct resp *r, const struct req *rq, const char *famseg,
    const char *suffix, const char *ver)
{
	struct buf u = { .max = 8192 };

	buf_addf(&u, "%s/language/authoring/%s/projects/%s?api-version=%s",
	    rq->base, famseg, suffix, ver);
	r->status = 202;
	buf_reset(&r->body);
	resp_header(r, "operation-location", buf_str(&u));
	buf_release(&u);
}

static int
known_version(enum emu_family fam, const char *v)
{
	return strcmp(v, "2022-05-01") == 0 || strcmp(v, "2023-04-01") == 0 ||
	    (fam == EMU_CONV && strcmp(v, "2025-11-01") == 0);
}

static void
list_projects(struct resource *res, const struct req *rq, struct resp *r,
    enum emu_family fam, const char *ver)
{
	cJSON *items = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < res->nprojects; i++)
		if (res->projects[i]->family == fam)
			cJSON_AddItemToArray(
			    items, lang_project_json(res->projects[i]));
	lang_page(r, rq, ver, items);
}

/* Sets one CreateProjectOptions field from a merge-patch body. */
static int
patch_field(struct project *p, const cJSON *v, struct resp *r)
{
	const char *k = v->string;
	int ok;

	if (strcmp(k, "projectName") == 0) {
		if (!cJSON_IsString(v) ||
		    strcmp(v->valuestring, p->name) != 0) {
			resp_error(r, 400, "InvalidArgument",
			    "projectName in the body must equal the project "
			    "name in the URL ('%s')",
			    p->name);
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "projectKind") == 0) {
		const char *want = cJSON_IsString(v)
		    ? validate_kind(v->valuestring, p->family)
		    : NULL;

		if (want == NULL || strcmp(want, meta_str(p, "projectKind"))) {
			resp_error(r, 400, "InvalidArgument",
			    "projectKind cannot be changed (it is '%s')",
			    meta_str(p, "projectKind"));
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "language") == 0 || strcmp(k, "description") == 0 ||
	    strcmp(k, "storageInputContainerName") == 0)
		ok = cJSON_IsString(v) || cJSON_IsNull(v);
	else if (strcmp(k, "multilingual") == 0)
		ok = cJSON_IsBool(v) || cJSON_IsNull(v);
	else if (strcmp(k, "settings") == 0)
		ok = cJSON_IsObject(v) || cJSON_IsNull(v);
	else
		return 0; /* unknown fields are ignored, as for import */
	if (!ok) {
		resp_error(
		    r, 400, "InvalidArgument", "'%s' has the wrong type", k);
		return -1;
	}
	if (strcmp(k, "language") == 0 && !validate_language(v->valuestring)) {
		resp_error(r, 400, "InvalidArgument",
		    "'%s' is not a supported language code", v->valuestring);
		return -1;
	}
	if (cJSON_IsNull(v) &&
	    (strcmp(k, "language") == 0 ||
	        (p->family == EMU_TEXT &&
	            strcmp(k, "storageInputContainerName") == 0))) {
		resp_error(r, 400, "InvalidArgument", "'%s' is required", k);
		return -1;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(p->meta, k);
	if (!cJSON_IsNull(v))
		cJSON_AddItemToObject(p->meta, k, cJSON_Duplicate(v, 1));
	return 0;
}

static void
patch_project(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *name)
{
	const char *ct = emu_header(rq, "content-type");
	struct project *p = lang_find(res, name), *np = NULL, **pv;
	cJSON *doc = NULL, *meta = NULL;
	const cJSON *v;
	const char *kind;
	int created = 0;

	if (ct == NULL ||
	    strncasecmp(ct, "application/merge-patch+json", 28) != 0) {
		resp_error(r, 415, "InvalidRequest",
		    "Content-Type must be application/merge-patch+json");
		return;
	}
	if (!emu_valid_name(name)) {
		resp_error(r, 400, "InvalidArgument",
		    "invalid project name '%s': use at most 50 letters, "
		    "digits, '_', '.' or '-'",
		    name);
		return;
	}
	if ((doc = lang_parse_body(rq, r)) == NULL)
		return;
	if (p != NULL && p->family != fam) {
		resp_error(r, 409, "Conflict",
		    "a project named '%s' already exists for another feature",
		    name);
		goto out;
	}
	if (p == NULL) {
		v = cJSON_GetObjectItemCaseSensitive(doc, "projectKind");
		kind = cJSON_IsString(v) ? validate_kind(v->valuestring, fam)
		                         : NULL;
		if (kind == NULL) {
			resp_error(r, 400, "InvalidArgument",
			    "projectKind is missing or not valid here");
			goto out;
		}
		if (!cJSON_IsString(
		        cJSON_GetObjectItemCaseSensitive(doc, "projectName"))) {
			resp_error(r, 400, "InvalidArgument",
			    "projectName is required");
			goto out;
		}
		if (!cJSON_IsString(
		        cJSON_GetObjectItemCaseSensitive(doc, "language"))) {
			resp_error(
			    r, 400, "InvalidArgument", "language is required");
			goto out;
		}
		if (fam == EMU_TEXT &&
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
		        doc, "storageInputContainerName"))) {
			resp_error(r, 400, "InvalidArgument",
			    "storageInputContainerName is required");
			goto out;
		}
		if (res->nprojects >= 500) {
			resp_error(r, 409, "QuotaExceeded",
			    "the resource already has 500 projects");
			goto out;
		}
		np = calloc(1, sizeof(*np));
		meta = cJSON_CreateObject();
		if (np == NULL || meta == NULL) {
			resp_error(
			    r, 500, "InternalServerError", "out of memory");
			goto out;
		}
		snprintf(np->name, sizeof(np->name), "%s", name);
		np->family = fam;
		np->meta = meta;
		meta = NULL;
		cJSON_AddStringToObject(np->meta, "projectKind", kind);
		np->created = emu_now(emu);
		p = np;
		created = 1;
	}
	cJSON_ArrayForEach(v, doc)
	{
		if (patch_field(p, v, r) != 0)
			goto out;
	}
	if (created) {
		pv = realloc(res->projects, (res->nprojects + 1) * sizeof(*pv));
		if (pv == NULL) {
			resp_error(
			    r, 500, "InternalServerError", "out of memory");
			goto out;
		}
		res->projects = pv;
		res->projects[res->nprojects++] = np;
		np = NULL;
	}
	p->modified = emu_now(emu);
	meta = lang_project_json(p);
	resp_json(r, created ? 201 : 200, meta);
out:
	lang_project_free(np);
	cJSON_Delete(meta);
	cJSON_Delete(doc);
}

/* The exported-project document; from the model's snapshot when a
 * trained model label is given. */
static cJSON *
export_doc(const struct project *p, const cJSON *assets, const char *ver,
    const char *sit)
{
	cJSON *o = cJSON_CreateObject(), *meta, *a;
	const cJSON *it;

	cJSON_AddStringToObject(o, "projectFileVersion", ver);
	cJSON_AddStringToObject(o, "stringIndexType", sit);
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_ArrayForEach(it, p->meta)
	    cJSON_AddItemToObject(meta, it->string, cJSON_Duplicate(it, 1));
	cJSON_AddStringToObject(meta, "projectName", p->name);
	a = cJSON_AddObjectToObject(o, "assets");
	cJSON_AddStringToObject(a, "projectKind", meta_str(p, "projectKind"));
	cJSON_ArrayForEach(it, assets)
	{
		if (strcmp(it->string, "projectKind") != 0)
			cJSON_AddItemToObject(
			    a, it->string, cJSON_Duplicate(it, 1));
	}
	return o;
}

static void
start_export(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *ver, struct project *p)
{
	const char *sit = emu_query(rq, "stringIndexType");
	const char *fmt = emu_query(rq, "format");
	const char *label = emu_query(rq, "trainedModelLabel");
	const cJSON *assets = p->assets;
	struct buf loc = { .max = 8192 };
	struct job *j;

	if (sit == NULL) {
		resp_error(r, 400, "InvalidArgument",
		    "query parameter 'stringIndexType' is required");
		return;
	}
	if (strcmp(sit, "Utf16CodeUnit") != 0 &&
	    !(fam == EMU_CONV && strcmp(ver, "2025-11-01") == 0 &&
	        (strcmp(sit, "Utf8CodeUnit") == 0 ||
	            strcmp(sit, "Utf32CodeUnit") == 0))) {
		resp_error(r, 400, "InvalidArgument",
		    "stringIndexType '%s' is not supported by api-version %s",
		    sit, ver);
		return;
	}
	if (fmt != NULL && (fam == EMU_TEXT || strcmp(fmt, "Conversation"))) {
		resp_error(r, 400, "InvalidArgument",
		    "export format '%s' is not supported", fmt);
		return;
	}
	if (label != NULL) {
		struct model *m = lang_find_model(p, label);

		if (strcmp(ver, "2022-05-01") == 0) {
			resp_error(r, 400, "InvalidArgument",
			    "trainedModelLabel needs api-version 2023-04-01 "
			    "or later");
			return;
		}
		if (m == NULL) {
			resp_error(r, 404, "NotFound",
			    "trained model '%s' not found", label);
			return;
		}
		assets = m->snapshot;
	}
	j = jobs_new(emu, res, JOB_EXPORT, fam, p->name, ver);
	if (j == NULL) {
		resp_error(r, 503, "ServiceUnavailable", "too many jobs");
		return;
	}
	j->payload = export_doc(p, assets, ver, sit);
	buf_addurlenc(&loc, p->name);
	buf_addf(&loc, "/export/jobs/%s", j->id);
	lang_accepted(r, rq, lang_famseg(fam), buf_str(&loc), ver);
	buf_release(&loc);
}

static void
start_import(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *ver, const char *name)
{
	struct project *p = lang_find(res, name);
	const char *fmt = emu_query(rq, "format");
	struct buf why = { .max = 4096 }, loc = { .max = 8192 };
	cJSON *doc = NULL;
	struct job *j;

	if (!emu_valid_name(name)) {
		resp_error(r, 400, "InvalidArgument",
		    "invalid project name '%s': use at most 50 letters, "
		    "digits, '_', '.' or '-'",
		    name);
		return;
	}
	if (fmt != NULL && (fam == EMU_TEXT || strcmp(fmt, "Conversation"))) {
		resp_error(r, 400, "InvalidArgument",
		    "import format '%s' is not supported", fmt);
		return;
	}
	if (p != NULL && p->family != fam) {
		resp_error(r, 409, "Conflict",
		    "a project named '%s' already exists for another feature",
		    name);
		return;
	}
	if ((doc = lang_parse_body(rq, r)) == NULL)
		return;
	if (validate_import(doc, fam, name, &why) != 0) {
		resp_error(r, 400, "InvalidArgument", "%s", buf_str(&why));
		goto out;
	}
	j = jobs_new(emu, res, JOB_IMPORT, fam, name, ver);
	if (j == NULL) {
		resp_error(r, 503, "ServiceUnavailable", "too many jobs");
		goto out;
	}
	j->payload = doc;
	doc = NULL;
	buf_addurlenc(&loc, name);
	buf_addf(&loc, "/import/jobs/%s", j->id);
	lang_accepted(r, rq, lang_famseg(fam), buf_str(&loc), ver);
out:
	buf_release(&why);
	buf_release(&loc);
	cJSON_Delete(doc);
}

void
lang_job_reply(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, struct job *j)
{
	cJSON *o;

	if (j == NULL) {
		resp_error(r, 404, "NotFound", "job not found");
		return;
	}
	jobs_poll(emu, res, j);
	o = jobs_json(emu, res, j, rq->base);
	resp_json(r, 200, o);
	cJSON_Delete(o);
	if (!jobs_terminal(j->status))
		r->retry_after = emu->retry_after;
}

static void
global(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *ver, char **seg, size_t n)
{
	if (strcmp(rq->method, "GET") != 0) {
		resp_error(r, 405, "InvalidRequest", "method not allowed");
		return;
	}
	if (n == 3 && strcmp(seg[1], "deletion-jobs") == 0) {
		struct job *j = jobs_find(res, seg[2], JOB_DELETE, NULL);

		lang_job_reply(emu, res, rq, r,
		    j && j->arg2[0] == '\0' && j->family == fam ? j : NULL);
	} else if (n == 2 && strcmp(seg[1], "training-config-versions") == 0) {
		const char *kind = emu_query(rq, "projectKind");

		if (fam == EMU_CONV &&
		    (kind == NULL || validate_kind(kind, fam) == NULL)) {
			resp_error(r, 400, "InvalidArgument",
			    "query parameter 'projectKind' is required "
			    "(Conversation or Orchestration)");
			return;
		}
		lang_page(r, rq, ver, jobs_config_list(emu, fam, kind));
	} else if (n == 2 && strcmp(seg[1], "languages") == 0) {
		static const char *const langs[][2] = { { "English", "en" },
			{ "English (US)", "en-us" }, { "French", "fr" },
			{ "German", "de" }, { "Spanish", "es" },
			{ NULL, NULL } };
		cJSON *items = cJSON_CreateArray();
		int i;

		for (i = 0; langs[i][0] != NULL; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "languageName", langs[i][0]);
			cJSON_AddStringToObject(o, "languageCode", langs[i][1]);
			cJSON_AddItemToArray(items, o);
		}
		lang_page(r, rq, ver, items);
	} else {
		resp_error(r, 404, "NotFound", "Resource not found");
	}
}

static void
delete_project(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *ver, struct project *p)
{
	struct job *j = jobs_new(emu, res, JOB_DELETE, fam, p->name, ver);
	struct buf loc = { .max = 256 };

	if (j == NULL) {
		resp_error(r, 503, "ServiceUnavailable", "too many jobs");
		return;
	}
	buf_addf(&loc, "global/deletion-jobs/%s", j->id);
	lang_accepted(r, rq, lang_famseg(fam), buf_str(&loc), ver);
	buf_release(&loc);
}

/* Export and import job states; an import's project may not exist yet. */
static void
porting_job(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, char **seg, size_t n)
{
	enum job_kind k = seg[1][0] == 'e' ? JOB_EXPORT : JOB_IMPORT;
	struct job *j = jobs_find(res, seg[3], k, seg[0]);

	if (n == 4) {
		lang_job_reply(emu, res, rq, r, j);
	} else if (k != JOB_EXPORT || strcmp(seg[4], "result") != 0) {
		resp_error(r, 404, "NotFound", "Resource not found");
	} else if (j == NULL) {
		resp_error(r, 404, "NotFound", "job not found");
	} else if (j->status != JS_SUCCEEDED) {
		resp_error(r, 400, "InvalidRequest",
		    "the export job has not succeeded (it is %s)",
		    j->done ? "failed" : "still running");
	} else {
		resp_json(r, 200, j->payload);
	}
}

#define MAXSEG 8

void
lang_handle(
    struct emu *emu, struct resource *res, const struct req *rq, struct resp *r)
{
	static const char conv[] = "/language/authoring/analyze-conversations"
	                           "/projects";
	static const char text[] = "/language/authoring/analyze-text/projects";
	const char *rest, *ver = emu_query(rq, "api-version");
	const char *m = rq->method;
	enum emu_family fam;
	char *copy = NULL, *seg[MAXSEG], *s, *save = NULL;
	size_t n = 0;
	struct project *p;

	if (strncmp(rq->path, conv, sizeof(conv) - 1) == 0) {
		fam = EMU_CONV;
		rest = rq->path + sizeof(conv) - 1;
	} else if (strncmp(rq->path, text, sizeof(text) - 1) == 0) {
		fam = EMU_TEXT;
		rest = rq->path + sizeof(text) - 1;
	} else {
		resp_error(r, 404, "NotFound", "Resource not found");
		return;
	}
	if (*rest != '\0' && *rest != '/') {
		resp_error(r, 404, "NotFound", "Resource not found");
		return;
	}
	if (ver == NULL || *ver == '\0') {
		resp_error(r, 400, "InvalidRequest",
		    "the api-version query parameter is required");
		return;
	}
	if (!known_version(fam, ver)) {
		resp_error(r, 400, "InvalidRequest",
		    "api-version '%s' is not supported for %s", ver,
		    lang_famseg(fam));
		return;
	}
	copy = strdup(rest);
	if (copy == NULL) {
		resp_error(r, 500, "InternalServerError", "out of memory");
		return;
	}
	for (s = strtok_r(copy, "/", &save); s != NULL;
	     s = strtok_r(NULL, "/", &save)) {
		if (n == MAXSEG) {
			resp_error(r, 404, "NotFound", "Resource not found");
			goto out;
		}
		seg[n++] = s;
	}
	if (n == 0) {
		if (strcmp(m, "GET") == 0)
			list_projects(res, rq, r, fam, ver);
		else
			resp_error(
			    r, 405, "InvalidRequest", "method not allowed");
		goto out;
	}
	if (strcmp(seg[0], "global") == 0) {
		global(emu, res, rq, r, fam, ver, seg, n);
		goto out;
	}
	if (n == 1 && strcmp(m, "PATCH") == 0) {
		patch_project(emu, res, rq, r, fam, seg[0]);
		goto out;
	}
	if (n == 2 && strcmp(seg[1], ":import") == 0 &&
	    strcmp(m, "POST") == 0) {
		start_import(emu, res, rq, r, fam, ver, seg[0]);
		goto out;
	}
	if (n >= 4 && n <= 5 && strcmp(seg[2], "jobs") == 0 &&
	    (strcmp(seg[1], "export") == 0 || strcmp(seg[1], "import") == 0) &&
	    strcmp(m, "GET") == 0) {
		porting_job(emu, res, rq, r, seg, n);
		goto out;
	}
	p = lang_find(res, seg[0]);
	if (p == NULL || p->family != fam) {
		resp_error(r, 404, "ProjectNotFound",
		    "project '%s' was not found", seg[0]);
		goto out;
	}
	if (n == 1 && strcmp(m, "GET") == 0) {
		cJSON *o = lang_project_json(p);

		resp_json(r, 200, o);
		cJSON_Delete(o);
	} else if (n == 1 && strcmp(m, "DELETE") == 0) {
		delete_project(emu, res, rq, r, fam, ver, p);
	} else if (n == 2 && strcmp(seg[1], ":export") == 0 &&
	    strcmp(m, "POST") == 0) {
		start_export(emu, res, rq, r, fam, ver, p);
	} else if (strcmp(seg[1], ":train") == 0 ||
	    strcmp(seg[1], "train") == 0 || strcmp(seg[1], "models") == 0 ||
	    strcmp(seg[1], "deployments") == 0) {
		lang_models(emu, res, rq, r, fam, ver, seg, n);
	} else {
		resp_error(r, 404, "NotFound", "Resource not found");
	}
out:
	free(copy);
}
