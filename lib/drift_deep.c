/*
 * drift_deep.c - the exports of "standby drift --deep": what the projects
 * hold, rather than when they last changed.
 *
 * A source's export is stored as a snapshot (it is a backup like any
 * other, and a later plan reuses it instead of exporting again); a
 * replica's is only hashed, because a snapshot names the resource it was
 * exported from as a source, and a replica is not one.  An export
 * changes nothing in Azure: POST :export starts a job that reads the
 * project, and the rest are GETs.  Exports run one after another: --deep
 * is a scheduled job, and the authoring API allows few POSTs a minute.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "drift.h"
#include "language.h"
#include "session.h"
#include "sha256.h"

#define EXPORT_MAX ((size_t)1 << 30)

int
drift_content_hash(
    const char *data, size_t len, char hex[SNAPSHOT_HASH_SIZE], struct err *err)
{
	unsigned char digest[32];
	cJSON *doc, *meta;
	char *s;
	int rc;

	doc = cJSON_ParseWithLength(data, len);
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return err_set(
		    err, ERR_SPEC, "the export is not a JSON object");
	}
	/* Each resource has its own storage container by design. */
	meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	if (cJSON_IsObject(meta))
		cJSON_DeleteItemFromObjectCaseSensitive(
		    meta, "storageInputContainerName");
	if ((s = cJSON_PrintUnformatted(doc)) == NULL) {
		cJSON_Delete(doc);
		return err_set(err, ERR_NOMEM, "out of memory hashing");
	}
	rc = sha256_digest(s, strlen(s), digest);
	cJSON_free(s);
	cJSON_Delete(doc);
	if (rc != 0)
		return err_set(err, ERR_IO, "cannot hash the export");
	sha256_hex(digest, hex);
	return 0;
}

struct sink {
	struct buf data;
	struct snapshot_writer *sw; /* NULL: hash only */
	struct err werr;
};

static int
on_bytes(void *arg, const char *p, size_t n)
{
	struct sink *k = arg;

	if (buf_add(&k->data, p, n) != 0)
		return -1;
	if (k->sw != NULL && snapshot_writer_write(k->sw, p, n, &k->werr) != 0)
		return -1;
	return 0;
}

/* Exports P from resource res into e (hashes, or error).  Returns -1 only
 * when the state file failed (err set). */
static int
export_one(struct session *sess, struct state *st,
    const struct config_project *cp, const char *res,
    const char *source_modified, int store, struct drift_export *e,
    struct err *err)
{
	struct language_export_opts eo = { 0 };
	struct language_job job = { 0 };
	struct snapshot_meta meta = { 0 };
	struct sink k = { .data = { .max = EXPORT_MAX } };
	struct language *lc = NULL;
	enum language_family fam = config_kind_is_text(cp->kind)
	    ? LANGUAGE_TEXT
	    : LANGUAGE_CONVERSATIONS;
	unsigned char digest[32];
	char *job_url = NULL;
	struct err e2 = { 0 };
	int rc = 0;

	if ((e->resource = strdup(res)) == NULL ||
	    (e->project = strdup(cp->name)) == NULL) {
		rc = err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (session_language(sess, res, &lc, &e2) != 0 ||
	    language_export_start_wait(lc, fam, cp->name, &eo, &job_url, &e2) !=
	        0 ||
	    language_poll_wait(lc, job_url, NULL, NULL, &job, &e2) != 0)
		goto failed;
	if (job.result_url == NULL) {
		err_set(&e2, ERR_HTTP,
		    "the export job of %s on %s ended "
		    "without a resultUrl",
		    cp->name, res);
		goto failed;
	}
	if (store) {
		meta.project = cp->name;
		meta.kind = (char *)config_kind_name(cp->kind);
		meta.source_resource = (char *)res;
		meta.source_modified = (char *)source_modified;
		if (snapshot_writer_new(&k.sw, st, &meta, err) != 0) {
			rc = -1;
			goto out;
		}
	}
	if (language_export_result_wait(
	        lc, job.result_url, on_bytes, &k, &e2) != 0) {
		if (k.werr.code != ERR_NONE) {
			*err = k.werr;
			rc = -1;
			goto out;
		}
		goto failed;
	}
	if (buf_check(&k.data, &e2, "reading the export") != 0 ||
	    drift_content_hash(k.data.data ? k.data.data : "", k.data.len,
	        e->content, &e2) != 0)
		goto failed;
	if (k.sw != NULL) {
		rc = snapshot_writer_finish(k.sw, e->hash, NULL, err);
		k.sw = NULL;
		goto out;
	}
	if (sha256_digest(k.data.data ? k.data.data : "", k.data.len, digest) !=
	    0) {
		err_set(&e2, ERR_IO, "cannot hash the export");
		goto failed;
	}
	sha256_hex(digest, e->hash);
	goto out;
failed:
	e->hash[0] = e->content[0] = '\0';
	if ((e->error = strdup(e2.msg)) == NULL)
		rc = err_set(err, ERR_NOMEM, "out of memory");
out:
	snapshot_writer_free(k.sw);
	language_job_release(&job);
	free(job_url);
	buf_release(&k.data);
	return rc;
}

static int
reachable(const struct plan_view *view, const char *res)
{
	size_t i;

	for (i = 0; i < view->nresources; i++)
		if (strcmp(view->resources[i].name, res) == 0)
			return view->resources[i].refreshed_at != 0 &&
			    view->resources[i].stale_since == 0;
	return 0;
}

static const struct state_object *
project_obj(const struct plan_view *view, const char *res, const char *p)
{
	size_t i;

	for (i = 0; i < view->nobjects; i++)
		if (view->objects[i].kind == STATE_PROJECT &&
		    strcmp(view->objects[i].resource, res) == 0 &&
		    strcmp(view->objects[i].project, p) == 0)
			return &view->objects[i];
	return NULL;
}

static int
has_record(const struct plan_view *view, const char *res, const char *p)
{
	size_t i;

	for (i = 0; i < view->nreplications; i++)
		if (strcmp(view->replications[i].replica_resource, res) == 0 &&
		    strcmp(view->replications[i].project, p) == 0)
			return 1;
	return 0;
}

static struct drift_export *
grow(struct drift_deep *out)
{
	struct drift_export *v;

	v = realloc(out->v, (out->n + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	out->v = v;
	memset(&v[out->n], 0, sizeof(*v));
	return &v[out->n++];
}

int
drift_deep_export(const struct config *cfg, struct session *sess,
    struct state *st, const struct plan_view *view, struct drift_deep *out,
    struct err *err)
{
	const struct config_project *cp;
	const struct state_object *so;
	struct drift_export *e;
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < cfg->nprojects; i++) {
		cp = &cfg->projects[i];
		if (cp->source == NULL || !reachable(view, cp->source) ||
		    (so = project_obj(view, cp->source, cp->name)) == NULL)
			continue;
		if ((e = grow(out)) == NULL)
			goto nomem;
		if (export_one(sess, st, cp, cp->source, so->last_modified, 1,
		        e, err) != 0)
			goto fail;
		for (j = 0; j < cp->nreplicas; j++) {
			const char *R = cp->replicas[j];

			if (has_record(view, R, cp->name) ||
			    !reachable(view, R) ||
			    project_obj(view, R, cp->name) == NULL)
				continue;
			if ((e = grow(out)) == NULL)
				goto nomem;
			if (export_one(sess, st, cp, R, NULL, 0, e, err) != 0)
				goto fail;
		}
	}
	return 0;
nomem:
	err_set(err, ERR_NOMEM, "out of memory");
fail:
	drift_deep_release(out);
	return -1;
}

void
drift_deep_release(struct drift_deep *deep)
{
	size_t i;

	if (deep == NULL)
		return;
	for (i = 0; i < deep->n; i++) {
		free(deep->v[i].resource);
		free(deep->v[i].project);
		free(deep->v[i].error);
	}
	free(deep->v);
	memset(deep, 0, sizeof(*deep));
}
