/*
 * apply_action.c - what each kind of action does, as a chain of
 * callbacks: journal the intent, start the job, journal its URL, poll it,
 * finish its side effects (snapshot, replication and trained records),
 * journal the outcome.  The crash points (lib/crash.h) sit between the
 * request and the journal write that follows it, where a kill hurts most.
 *
 * A resumed action that has a job URL re-enters at the poll; one without
 * (or whose job expired) is checked against live state instead of being
 * sent again: Azure has no idempotency key for these jobs, so the only
 * safe evidence that a request took effect is the object it changed.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "apply_int.h"
#include "config.h"
#include "crash.h"
#include "timeutil.h"

static void on_polled(void *arg, const struct err *err);

static int
is_hash(const char *s)
{
	return s != NULL && strlen(s) == SNAPSHOT_HASH_SIZE - 1 &&
	    strspn(s, "0123456789abcdef") == SNAPSHOT_HASH_SIZE - 1;
}

static const char *
family_name(enum language_family f)
{
	return f == LANGUAGE_TEXT ? "text" : "conversations";
}

static void
add_str(cJSON *o, const char *k, const char *v)
{
	if (v != NULL && v[0] != '\0')
		cJSON_AddStringToObject(o, k, v);
}

char *
apply_action_detail(const struct anode *n)
{
	cJSON *o;
	char *s;

	if (AK_IS_OPENAI(n->k))
		return apply_openai_detail(n);
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	add_str(o, "resource", n->resource);
	add_str(o, "project", n->project);
	add_str(o, "family", family_name(n->fam));
	add_str(o, "project_kind", n->project_kind);
	add_str(o, "deployment", n->deployment);
	add_str(o, "label", n->label);
	add_str(o, "source", n->source);
	add_str(o, "snapshot", n->snapshot);
	add_str(o, "source_modified", n->source_modified);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static char *
get_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

int
apply_action_from_detail(struct anode *n, const char *detail)
{
	cJSON *o;
	char *fam, *snap;

	if (detail == NULL ||
	    (o = cJSON_ParseWithLength(detail, strlen(detail))) == NULL)
		return -1;
	if (AK_IS_OPENAI(n->k)) {
		int rc = apply_openai_from_detail(n, o);

		cJSON_Delete(o);
		return rc;
	}
	n->resource = get_str(o, "resource");
	n->project = get_str(o, "project");
	n->project_kind = get_str(o, "project_kind");
	n->deployment = get_str(o, "deployment");
	n->label = get_str(o, "label");
	n->source = get_str(o, "source");
	n->source_modified = get_str(o, "source_modified");
	fam = get_str(o, "family");
	snap = get_str(o, "snapshot");
	cJSON_Delete(o);
	n->fam = fam != NULL && strcmp(fam, "text") == 0
	    ? LANGUAGE_TEXT
	    : LANGUAGE_CONVERSATIONS;
	if (is_hash(snap))
		memcpy(n->snapshot, snap, SNAPSHOT_HASH_SIZE);
	free(fam);
	free(snap);
	if (n->resource == NULL || n->project == NULL)
		return -1;
	return 0;
}

/* ---- journal helpers ----------------------------------------------------- */

/* Writes the intent, then the before-submit crash point.  On failure the
 * node is left (the run stops). */
int
apply_action_intent(struct anode *n)
{
	struct apply *ap = n->ap;
	struct err err = { 0 };
	char *d = apply_action_detail(n);

	n->intent_at = (int64_t)time(NULL);
	if (d == NULL)
		err_set(&err, ERR_NOMEM, "out of memory");
	if (d == NULL ||
	    state_journal_intent(ap->st, ap->run_id, n->id, n->kind, n->target,
	        d, &n->jid, &err) != 0) {
		free(d);
		apply_fatal(ap, &err);
		apply_leave(n);
		return -1;
	}
	free(d);
	crash_point(ap->o.crash_at, CRASH_BEFORE_SUBMIT, n->kind);
	return 0;
}

/* ---- recheck against live state ----------------------------------------- */

void
apply_action_not_yet(struct anode *n, const char *why)
{
	long long now = apply_now_ms();
	struct buf msg = { 0 };

	n->busy = 0;
	if (now < n->recheck_until_ms) {
		n->recheck_next_ms = now + n->ap->o.recheck_every_ms;
		apply_wake(n->ap);
		return;
	}
	buf_addf(&msg,
	    "not confirmed by live state (%s); the next plan does it again",
	    why);
	apply_abandon(n, buf_str(&msg));
	buf_release(&msg);
}

void
apply_action_begin_recheck(struct anode *n)
{
	struct apply *ap = n->ap;
	long long left;

	if (n->k == AK_EXPORT || n->k == AK_OTHER) {
		/* An export changes nothing: doing it again is safe. */
		apply_abandon(n,
		    "the export job is not known; the next plan "
		    "exports again");
		return;
	}
	left = n->intent_at * 1000 + ap->o.recheck_wait_ms - timeutil_now_ms();
	n->rechecking = 1;
	n->busy = 0;
	n->recheck_until_ms = apply_now_ms() + (left > 0 ? left : 0);
	n->recheck_next_ms = 0;
	apply_wake(ap);
}

static int
record_replication(struct anode *n, const char *replica_modified)
{
	struct state_replication rec = { 0 };
	struct err err = { 0 };

	rec.replica_resource = n->resource;
	rec.project = n->project;
	rec.source_resource = n->source;
	rec.snapshot = n->snapshot[0] ? n->snapshot : NULL;
	rec.source_modified = n->source_modified;
	rec.replica_modified = (char *)replica_modified;
	if (state_put_replication(n->ap->st, &rec, &err) != 0) {
		apply_fatal(n->ap, &err);
		apply_leave(n);
		return -1;
	}
	return 0;
}

static int
record_trained(struct anode *n)
{
	struct state_replication rep = { 0 };
	struct state_trained rec = { 0 };
	struct err err = { 0 };

	if (state_get_replication(
	        n->ap->st, n->resource, n->project, &rep, &err) != 0 &&
	    err.code != ERR_NOTFOUND)
		goto fatal;
	rec.replica_resource = n->resource;
	rec.project = n->project;
	rec.label = n->label;
	rec.snapshot = rep.snapshot;
	if (state_put_trained(n->ap->st, &rec, &err) != 0)
		goto fatal;
	state_replication_release(&rep);
	return 0;
fatal:
	state_replication_release(&rep);
	apply_fatal(n->ap, &err);
	apply_leave(n);
	return -1;
}

static void
on_recheck_project(void *arg, struct language_project *p, const struct err *err)
{
	struct anode *n = arg;

	if (err != NULL && err->code == ERR_INTERRUPTED) {
		apply_leave(n);
		return;
	}
	if (p == NULL || p->last_modified_at < n->intent_at) {
		apply_action_not_yet(n,
		    p == NULL ? err->msg
		              : "the project was not modified after "
		                "the intent");
		return;
	}
	if (record_replication(n, p->last_modified) == 0)
		apply_succeed(n, "confirmed by live state");
}

static void
on_recheck_model(void *arg, struct language_model *m, const struct err *err)
{
	struct anode *n = arg;

	if (err != NULL && err->code == ERR_INTERRUPTED) {
		apply_leave(n);
		return;
	}
	if (m == NULL || m->last_trained_at < n->intent_at) {
		apply_action_not_yet(n,
		    m == NULL ? err->msg
		              : "the model was not trained after the "
		                "intent");
		return;
	}
	if (record_trained(n) == 0)
		apply_succeed(n, "confirmed by live state");
}

static void
on_recheck_deployment(
    void *arg, struct language_deployment *d, const struct err *err)
{
	struct anode *n = arg;

	if (err != NULL && err->code == ERR_INTERRUPTED) {
		apply_leave(n);
		return;
	}
	if (n->k == AK_DELETE_DEPLOYMENT) {
		if (d == NULL && err->code == ERR_NOTFOUND)
			apply_succeed(n, "confirmed by live state");
		else
			apply_action_not_yet(n,
			    d != NULL ? "the deployment still exists"
			              : err->msg);
		return;
	}
	if (d == NULL || d->last_deployed_at < n->intent_at) {
		apply_action_not_yet(n,
		    d == NULL ? err->msg
		              : "the deployment was not updated after "
		                "the intent");
		return;
	}
	apply_succeed(n, "confirmed by live state");
}

void
apply_action_recheck(struct anode *n)
{
	struct err err = { 0 };
	int rc;

	if (AK_IS_OPENAI(n->k)) {
		apply_openai_recheck(n);
		return;
	}
	n->busy = 1;
	switch (n->k) {
	case AK_IMPORT:
		rc = language_get_project(
		    n->lc, n->fam, n->project, on_recheck_project, n, &err);
		break;
	case AK_TRAIN:
		rc = language_get_model(n->lc, n->fam, n->project, n->label,
		    on_recheck_model, n, &err);
		break;
	case AK_DEPLOY:
	case AK_DELETE_DEPLOYMENT:
		rc = language_get_deployment(n->lc, n->fam, n->project,
		    n->deployment, on_recheck_deployment, n, &err);
		break;
	default:
		n->busy = 0;
		apply_action_begin_recheck(n);
		return;
	}
	if (rc != 0)
		apply_action_not_yet(n, err.msg);
}

/* ---- after the job ------------------------------------------------------- */

static int
on_export_bytes(void *arg, const char *data, size_t len)
{
	struct anode *n = arg;

	if (snapshot_writer_write(n->sw, data, len, &n->werr) != 0)
		return -1;
	n->sw_bytes += (long long)len;
	return 0;
}

static void
on_export_result(void *arg, const struct err *err)
{
	struct anode *n = arg;
	struct err e = { 0 };
	struct buf d = { 0 };
	int created = 0;

	if (err != NULL) {
		snapshot_writer_free(n->sw);
		n->sw = NULL;
		if (n->werr.code != ERR_NONE)
			apply_fail(n, n->werr.msg);
		else
			apply_fail_err(n, err);
		return;
	}
	if (snapshot_writer_finish(n->sw, n->snapshot, &created, &e) != 0) {
		n->sw = NULL;
		apply_fail(n, e.msg);
		return;
	}
	n->sw = NULL;
	buf_addf(&d, "snapshot %.12s (%lld bytes%s)", n->snapshot, n->sw_bytes,
	    created ? "" : ", already stored");
	apply_succeed(n, buf_str(&d));
	buf_release(&d);
}

static void
on_imported_project(
    void *arg, struct language_project *p, const struct err *err)
{
	struct anode *n = arg;
	struct buf d = { 0 };

	if (err != NULL) {
		if (err->code == ERR_INTERRUPTED) {
			apply_leave(n);
			return;
		}
		buf_addf(&d,
		    "imported, but reading the project back failed: %s",
		    err->msg);
		apply_fail(n, buf_str(&d));
		buf_release(&d);
		return;
	}
	if (record_replication(n, p->last_modified) != 0)
		return;
	buf_addf(&d, "from snapshot %.12s", n->snapshot);
	apply_succeed(n, buf_str(&d));
	buf_release(&d);
}

static void
finish_job(struct anode *n)
{
	struct apply *ap = n->ap;
	struct snapshot_meta meta = { 0 };
	struct err err = { 0 };

	switch (n->k) {
	case AK_EXPORT:
		if (n->result_url == NULL) {
			apply_fail(n,
			    "the export job ended without a "
			    "resultUrl");
			return;
		}
		meta.project = n->project;
		meta.kind = n->project_kind;
		meta.source_resource = n->resource;
		meta.source_modified = n->source_modified;
		meta.duration_ms = apply_now_ms() - n->start_ms;
		n->sw_bytes = 0;
		memset(&n->werr, 0, sizeof(n->werr));
		if (snapshot_writer_new(&n->sw, ap->st, &meta, &err) != 0 ||
		    language_export_result(n->lc, n->result_url,
		        on_export_bytes, on_export_result, n, &err) != 0) {
			snapshot_writer_free(n->sw);
			n->sw = NULL;
			apply_fail_err(n, &err);
		}
		return;
	case AK_IMPORT:
		if (language_get_project(n->lc, n->fam, n->project,
		        on_imported_project, n, &err) != 0)
			apply_fail_err(n, &err);
		return;
	case AK_TRAIN:
		if (record_trained(n) == 0)
			apply_succeed(n, NULL);
		return;
	default:
		apply_succeed(n, NULL);
		return;
	}
}

static void
on_progress(void *arg, struct language_job *job, const struct err *err)
{
	struct anode *n = arg;

	(void)err;
	crash_point(n->ap->o.crash_at, CRASH_POLLING, n->kind);
	if (job == NULL)
		return;
	if (job->result_url != NULL && n->result_url == NULL)
		n->result_url = apply_dupstr(job->result_url);
	if (job->has_training && job->train_percent >= 0 &&
	    job->train_percent != n->percent) {
		n->percent = job->train_percent;
		apply_emit(n, APPLY_EVENT_PROGRESS, NULL, NULL, NULL);
	}
}

static void
on_polled(void *arg, const struct err *err)
{
	struct anode *n = arg;

	if (err != NULL) {
		if (err->code == ERR_NOTFOUND) {
			/* The job URL expired: look at what it changed. */
			apply_action_begin_recheck(n);
			return;
		}
		apply_fail_err(n, err);
		return;
	}
	crash_point(n->ap->o.crash_at, CRASH_AFTER_JOB, n->kind);
	finish_job(n);
}

static void
poll(struct anode *n)
{
	struct err err = { 0 };

	if (language_poll(n->lc, n->job_url, on_progress, on_polled, n, &err) !=
	    0)
		apply_fail_err(n, &err);
}

static void
on_started(void *arg, const char *job_url, const struct err *err)
{
	struct anode *n = arg;
	struct err e = { 0 };

	if (err != NULL) {
		apply_fail_err(n, err);
		return;
	}
	crash_point(n->ap->o.crash_at, CRASH_AFTER_ACCEPT, n->kind);
	if ((n->job_url = strdup(job_url)) == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		apply_fatal(n->ap, &e);
		apply_leave(n);
		return;
	}
	if (state_journal_submitted(n->ap->st, n->jid, job_url, &e) != 0) {
		apply_fatal(n->ap, &e);
		apply_leave(n);
		return;
	}
	poll(n);
}

/* ---- start -----------------------------------------------------------------
 */

/* Streams an assets file into a snapshot (the plan named its hash). */
static int
store_assets(struct anode *n, struct err *err)
{
	struct snapshot_meta meta = { 0 };
	struct snapshot_writer *w = NULL;
	char chunk[65536];
	FILE *fp;
	size_t got;

	if ((fp = fopen(n->cp->assets_path, "rb")) == NULL)
		return err_errno(err, n->cp->assets_path);
	meta.project = n->project;
	meta.kind = n->project_kind;
	if (snapshot_writer_new(&w, n->ap->st, &meta, err) != 0) {
		fclose(fp);
		return -1;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (snapshot_writer_write(w, chunk, got, err) != 0) {
			snapshot_writer_free(w);
			fclose(fp);
			return -1;
		}
	}
	if (ferror(fp)) {
		snapshot_writer_free(w);
		fclose(fp);
		return err_errno(err, n->cp->assets_path);
	}
	fclose(fp);
	return snapshot_writer_finish(w, n->snapshot, NULL, err);
}

/* Finds the snapshot an import sends: the export it depends on, the
 * plan's after.snapshot, or the assets file. */
static int
import_snapshot(struct anode *n, struct err *err)
{
	struct apply *ap = n->ap;
	struct snapshot_meta meta = { 0 };
	size_t i;

	for (i = 0; i < n->ndeps; i++) {
		struct anode *d = ap->v[n->deps[i]];

		if (d->k == AK_EXPORT && d->snapshot[0] != '\0') {
			memcpy(n->snapshot, d->snapshot, SNAPSHOT_HASH_SIZE);
			free(n->source_modified);
			n->source_modified = apply_dupstr(d->source_modified);
			if (n->source == NULL)
				n->source = apply_dupstr(d->resource);
			return 0;
		}
	}
	if (is_hash(n->want_snapshot)) {
		if (snapshot_find(ap->st, n->want_snapshot, &meta, err) == 0) {
			memcpy(n->snapshot, meta.hash, SNAPSHOT_HASH_SIZE);
			free(n->source_modified);
			n->source_modified = apply_dupstr(meta.source_modified);
			snapshot_meta_release(&meta);
			return 0;
		}
		if (err->code != ERR_NOTFOUND || n->cp == NULL ||
		    n->cp->assets_path == NULL)
			return -1;
	}
	if (n->cp != NULL && n->cp->assets_path != NULL) {
		if (store_assets(n, err) != 0)
			return -1;
		if (is_hash(n->want_snapshot) &&
		    strcmp(n->want_snapshot, n->snapshot) != 0)
			return err_set(err, ERR_CONFLICT,
			    "%s changed since the plan was made (hash %.12s, "
			    "planned %.12s)",
			    n->cp->assets, n->snapshot, n->want_snapshot);
		return 0;
	}
	return err_set(err, ERR_SPEC, "%s: no snapshot to import", n->id);
}

static void
start_export(struct anode *n)
{
	struct language_export_opts eo = { 0 };
	struct state_object obj = { 0 };
	struct err err = { 0 };

	if (state_get_object(n->ap->st, STATE_PROJECT, n->resource, n->project,
	        n->project, &obj, &err) == 0) {
		n->source_modified = apply_dupstr(obj.last_modified);
		state_object_release(&obj);
	}
	if (apply_action_intent(n) != 0)
		return;
	if (language_export_start(
	        n->lc, n->fam, n->project, &eo, on_started, n, &err) != 0)
		apply_fail(n, err.msg);
}

static void
start_import(struct anode *n)
{
	struct snapshot_reader *r = NULL;
	struct http_body_src src;
	struct err err = { 0 };

	/* Streamed from the state file: no replica holds the document. */
	if (import_snapshot(n, &err) != 0 ||
	    snapshot_reader_open(&r, n->ap->st, n->snapshot, &err) != 0) {
		apply_fail(n, err.msg);
		return;
	}
	if (apply_action_intent(n) != 0) {
		snapshot_reader_free(r);
		return;
	}
	snapshot_reader_body(r, &src);
	if (language_import_start_src(
	        n->lc, n->fam, n->project, &src, on_started, n, &err) != 0)
		apply_fail(n, err.msg);
}

static void
start_train(struct anode *n)
{
	struct language_train_opts to = { 0 };
	const struct config_project *cp = n->cp;
	struct err err = { 0 };

	if (n->label == NULL) {
		apply_fail(n, "no model label to train");
		return;
	}
	to.model_label = n->label;
	if (cp != NULL) {
		if (n->fam == LANGUAGE_CONVERSATIONS)
			to.training_mode =
			    config_training_mode_name(cp->model.mode);
		to.training_config_version = cp->model.config_version;
		if (cp->model.eval_kind == CONFIG_EVAL_PERCENTAGE) {
			to.evaluation_kind = "percentage";
			to.training_split = cp->model.training_split;
			to.testing_split = cp->model.testing_split;
		} else if (cp->model.eval_kind == CONFIG_EVAL_MANUAL) {
			to.evaluation_kind = "manual";
		}
	}
	if (apply_action_intent(n) != 0)
		return;
	if (language_train_start(
	        n->lc, n->fam, n->project, &to, on_started, n, &err) != 0)
		apply_fail(n, err.msg);
}

static void
start_deploy(struct anode *n)
{
	struct err err = { 0 };
	int rc;

	if (n->deployment == NULL || (n->k == AK_DEPLOY && n->label == NULL)) {
		apply_fail(n, "the action names no deployment or model");
		return;
	}
	if (apply_action_intent(n) != 0)
		return;
	if (n->k == AK_DEPLOY)
		rc = language_deploy_start(n->lc, n->fam, n->project,
		    n->deployment, n->label, on_started, n, &err);
	else
		rc = language_delete_deployment_start(n->lc, n->fam, n->project,
		    n->deployment, on_started, n, &err);
	if (rc != 0)
		apply_fail(n, err.msg);
}

void
apply_action_start(struct anode *n)
{
	if (AK_IS_OPENAI(n->k)) {
		apply_openai_start(n);
		return;
	}
	if (n->resumed) {
		if (n->job_url != NULL)
			poll(n);
		else
			apply_action_begin_recheck(n);
		return;
	}
	switch (n->k) {
	case AK_EXPORT:
		start_export(n);
		break;
	case AK_IMPORT:
		start_import(n);
		break;
	case AK_TRAIN:
		start_train(n);
		break;
	case AK_DEPLOY:
	case AK_DELETE_DEPLOYMENT:
		start_deploy(n);
		break;
	default:
		apply_fail(n, "unsupported action");
		break;
	}
}
