/*
 * apply_finetune.c - the fine-tuning action of the executor: upload the
 * training (and validation) files to the account, create the job, wait,
 * and record the model with the plan's data and settings hashes, so that
 * the dependent deployment serves it (lib/apply_openai.c).
 *
 * A job is not idempotent and costs hours: its file ids and job id are
 * journalled as soon as they are known, and a resumed one polls that job,
 * or looks for a job made from its training file before it creates one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apply_int.h"
#include "arm.h"
#include "config.h"
#include "crash.h"
#include "finetune.h"
#include "openai.h"
#include "plan.h"
#include "planfile.h"
#include "session.h"
#include "state.h"

/* The journal's job_url of a fine-tuning action: what is known so far. */
#define FT_RECORD "finetune"

static void ft_next(struct anode *n);

static int
ft_journal(struct anode *n)
{
	struct buf rec = { .max = 1024 };
	struct err e = { 0 };
	int rc = -1;

	buf_addstr(&rec, FT_RECORD);
	if (n->file_train)
		buf_addf(&rec, " train=%s", n->file_train);
	if (n->file_valid)
		buf_addf(&rec, " valid=%s", n->file_valid);
	if (n->ft_job)
		buf_addf(&rec, " job=%s", n->ft_job);
	if (buf_check(&rec, &e, "journalling the fine-tune") == 0 &&
	    state_journal_submitted(n->ap->st, n->jid, buf_str(&rec), &e) == 0)
		rc = 0;
	buf_release(&rec);
	if (rc != 0) {
		apply_fatal(n->ap, &e);
		apply_leave(n);
	}
	return rc;
}

/* Reads "finetune train=A valid=B job=C" back. */
static void
ft_parse(struct anode *n, const char *rec)
{
	char *tmp, *p, *save = NULL;

	if (rec == NULL || strncmp(rec, FT_RECORD " ", 9) != 0 ||
	    (tmp = strdup(rec)) == NULL)
		return;
	for (p = strtok_r(tmp + 9, " ", &save); p != NULL;
	     p = strtok_r(NULL, " ", &save)) {
		if (strncmp(p, "train=", 6) == 0)
			apply_set_str(&n->file_train, p + 6);
		else if (strncmp(p, "valid=", 6) == 0)
			apply_set_str(&n->file_valid, p + 6);
		else if (strncmp(p, "job=", 4) == 0)
			apply_set_str(&n->ft_job, p + 4);
	}
	free(tmp);
}

static int
read_file(const char *path, struct buf *out, struct err *err)
{
	char chunk[65536];
	FILE *fp;
	size_t got;

	if ((fp = fopen(path, "rb")) == NULL)
		return err_errno(err, path);
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(out, chunk, got);
	if (ferror(fp)) {
		fclose(fp);
		return err_errno(err, path);
	}
	fclose(fp);
	return buf_check(out, err, path);
}

/* The plan hashed the files it saw: training on others would record a
 * model under a hash it does not have. */
static int
check_hash(const char *path, const char *want, struct err *err)
{
	char hex[SNAPSHOT_HASH_SIZE];

	if (path == NULL || want == NULL)
		return 0;
	if (plan_hash_file(NULL, path, hex, err) != 0)
		return -1;
	if (strcmp(hex, want) != 0)
		return err_set(err, ERR_CONFLICT,
		    "%s changed since the plan was made (hash %.12s, planned "
		    "%.12s)",
		    path, hex, want);
	return 0;
}

/* The common start of a callback: 0 when the node no longer runs or the
 * request failed (the node then fails, or is left for an interrupt). */
static int
answered(struct anode *n, const struct err *err)
{
	if (n->st != AS_RUN)
		return 0;
	n->busy = 0;
	if (err != NULL) {
		apply_fail_err(n, err);
		return 0;
	}
	return 1;
}

static void
on_account(void *arg, const struct arm_resp *r, const struct err *err)
{
	struct anode *n = arg;
	struct openai_account acct = { 0 };
	struct err e = { 0 };

	if (!answered(n, err))
		return;
	if (openai_account_parse(r->json, &acct, &e) != 0 ||
	    session_finetune(
	        n->ap->sess, n->resource, acct.endpoint, &n->ft, &e) != 0 ||
	    apply_use_arm(n->ap, finetune_arm(n->ft)) != 0) {
		openai_account_release(&acct);
		if (e.code == ERR_NONE)
			err_set(&e, ERR_NOMEM, "out of memory");
		apply_fail(n, e.msg);
		return;
	}
	openai_account_release(&acct);
	ft_next(n);
}

static void
on_uploaded(void *arg, struct finetune_file *f, const struct err *err)
{
	struct anode *n = arg;

	if (!answered(n, err))
		return;
	apply_set_str(
	    n->file_train == NULL ? &n->file_train : &n->file_valid, f->id);
	if (ft_journal(n) != 0)
		return;
	n->files_waiting = 1;
	ft_next(n);
}

static void
on_file_ready(void *arg, struct finetune_file *f, const struct err *err)
{
	struct anode *n = arg;

	if (!answered(n, err))
		return;
	/* Training first, then validation: files_waiting counts down. */
	if (n->file_valid != NULL && f->id != NULL &&
	    strcmp(f->id, n->file_train) == 0)
		n->files_waiting = 2;
	else
		n->files_waiting = 0;
	ft_next(n);
}

static void
on_job_progress(void *arg, struct finetune_job *j, const struct err *err)
{
	struct anode *n = arg;

	(void)j;
	(void)err;
	crash_point(n->ap->o.crash_at, CRASH_POLLING, n->kind);
}

static void
on_job_done(void *arg, struct finetune_job *j, const struct err *err)
{
	struct anode *n = arg;
	struct state_finetuned rec = { 0 };
	struct buf det = { .max = 1024 };
	struct err e = { 0 };

	if (!answered(n, err))
		return;
	crash_point(n->ap->o.crash_at, CRASH_AFTER_JOB, n->kind);
	apply_set_str(&n->model_name, j->fine_tuned_model);
	rec.resource = n->resource;
	rec.key = n->oai_key;
	rec.data_hash = n->data_hash;
	rec.settings_hash = n->settings_hash;
	rec.fine_tuned_model = n->model_name;
	rec.job_id = n->ft_job;
	if (n->model_name == NULL ||
	    state_put_finetuned(n->ap->st, &rec, &e) != 0) {
		if (e.code == ERR_NONE)
			err_set(&e, ERR_NOMEM, "out of memory");
		apply_fatal(n->ap, &e);
		apply_leave(n);
		return;
	}
	buf_addf(&det, "model %s (job %s)", n->model_name, n->ft_job);
	apply_succeed(n, buf_str(&det));
	buf_release(&det);
}

static void
on_job_created(void *arg, struct finetune_job *j, const struct err *err)
{
	struct anode *n = arg;

	if (!answered(n, err))
		return;
	crash_point(n->ap->o.crash_at, CRASH_AFTER_ACCEPT, n->kind);
	apply_set_str(&n->ft_job, j->id);
	if (ft_journal(n) != 0)
		return;
	ft_next(n);
}

/* A resumed fine-tune whose files were uploaded but whose job id was
 * never journalled: the job may exist.  One made from our training file
 * is ours (file ids are unique). */
static void
on_jobs_listed(void *arg, const struct arm_resp *r, const struct err *err)
{
	struct anode *n = arg;
	const cJSON *j;

	if (!answered(n, err))
		return;
	n->ft_lookup = 0;
	cJSON_ArrayForEach(j, cJSON_GetObjectItemCaseSensitive(r->json, "data"))
	{
		const char *tf = planfile_str(j, "training_file");

		if (tf != NULL && strcmp(tf, n->file_train) == 0 &&
		    planfile_str(j, "id") != NULL) {
			apply_set_str(&n->ft_job, planfile_str(j, "id"));
			if (ft_journal(n) != 0)
				return;
			break;
		}
	}
	ft_next(n);
}

static void
ft_upload(struct anode *n, const char *path, const char *shown)
{
	struct buf data = { .max = (size_t)1 << 30 };
	const char *base = strrchr(shown, '/');
	struct err err = { 0 };

	if (read_file(path, &data, &err) != 0) {
		buf_release(&data);
		apply_fail(n, err.msg);
		return;
	}
	n->busy = 1;
	if (finetune_file_upload(n->ft, base ? base + 1 : shown,
	        data.data ? data.data : "", data.len, on_uploaded, n,
	        &err) != 0) {
		n->busy = 0;
		apply_fail_err(n, &err);
	}
	buf_release(&data);
}

/* One step of a fine-tune, from what is known so far. */
static void
ft_next(struct anode *n)
{
	const struct config_finetune *f = n->od ? n->od->fine_tune : NULL;
	const struct config_resource *res =
	    config_resource_find(n->ap->cfg, n->resource);
	struct finetune_job_opts jo;
	struct err err = { 0 };
	int rc;

	if (n->ap->fatal)
		return;
	if (f == NULL) {
		apply_fail(n,
		    "the fine-tuned model is not in standby.yaml any "
		    "more");
		return;
	}
	n->busy = 1;
	if (n->ft == NULL) {
		/* No endpoint in the config: the account's says where. */
		rc = res == NULL
		    ? err_set(&err, ERR_SPEC, "%s: no resource", n->id)
		    : arm_get(openai_arm(n->oc), res->id, NULL, on_account, n,
		          &err);
	} else if (n->ft_job != NULL) {
		rc = finetune_job_poll(
		    n->ft, n->ft_job, on_job_progress, on_job_done, n, &err);
	} else if (n->file_train == NULL) {
		n->busy = 0;
		ft_upload(n, f->training_path, f->training_file);
		return;
	} else if (f->validation_path != NULL && n->file_valid == NULL) {
		n->busy = 0;
		ft_upload(n, f->validation_path, f->validation_file);
		return;
	} else if (n->files_waiting != 0) {
		rc = finetune_file_wait(n->ft,
		    n->files_waiting == 2 ? n->file_valid : n->file_train,
		    on_file_ready, n, &err);
	} else if (n->ft_lookup) {
		rc = arm_get(finetune_arm(n->ft),
		    "/openai/fine_tuning/jobs?limit=100", NULL, on_jobs_listed,
		    n, &err);
	} else {
		finetune_job_opts_from_config(
		    f, n->file_train, n->file_valid, &jo);
		rc = finetune_job_create(n->ft, &jo, on_job_created, n, &err);
	}
	if (rc != 0) {
		n->busy = 0;
		apply_fail_err(n, &err);
	}
}

void
apply_finetune_start(struct anode *n)
{
	const struct config_finetune *f = n->od ? n->od->fine_tune : NULL;
	struct err err = { 0 };

	if (f == NULL) {
		apply_fail(n, "the fine-tuned model is not in standby.yaml");
		return;
	}
	if (n->data_hash == NULL || n->settings_hash == NULL) {
		apply_fail(n, "the plan gives no data or settings hash");
		return;
	}
	if (check_hash(f->training_path, n->train_sha, &err) != 0 ||
	    check_hash(f->validation_path, n->valid_sha, &err) != 0) {
		apply_fail(n, err.msg);
		return;
	}
	if (apply_action_intent(n) != 0)
		return;
	ft_next(n);
}

void
apply_finetune_resume(struct anode *n)
{
	/* Nothing journalled past the intent: no job was created (it
	 * needs the files first), so it starts over; an orphaned upload
	 * costs nothing.  Files but no job id: the job may exist, so look
	 * for it before creating one. */
	ft_parse(n, n->job_url);
	if (n->file_train != NULL && n->ft_job == NULL) {
		n->files_waiting = 1;
		n->ft_lookup = 1;
	}
	ft_next(n);
}
