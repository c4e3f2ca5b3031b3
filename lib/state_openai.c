/*
 * state_openai.c - the Azure OpenAI tables of the state file (migration
 * 002): per account the catalogue refresh read for plan's pre-flight and
 * fine-tune checks, and the records of the fine-tuned models apply made.
 *
 * A catalogue is a cache like the live objects: replacing it with the
 * same contents does not bump the revision, so a refresh that saw nothing
 * new leaves a saved plan valid.  A fine-tuned record stands for a remote
 * side effect (a trained model that costs hours), so it is written
 * durably, like the replication records.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "state_int.h"

static int
nomem(struct err *err)
{
	return err_set(err, ERR_NOMEM, "out of memory");
}

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* 1 when the stored row of resource differs from rec (or is absent). */
static int
catalog_changed(struct state *st, const struct state_openai_catalog *rec,
    int *changed, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int step, rc = -1;

	*changed = 1;
	if (state_prepare(st, &stmt,
	        "SELECT region, models, usages, finetunes FROM "
	        "openai_catalogs WHERE resource = ?1",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, rec->resource);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		const char *v[4];
		int i;

		for (i = 0; i < 4; i++)
			v[i] = (const char *)sqlite3_column_text(stmt, i);
		*changed = !same(v[0], rec->region) ||
		    !same(v[1], rec->models) || !same(v[2], rec->usages) ||
		    !same(v[3], rec->finetunes);
	} else if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading openai catalogues");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

int
state_openai_catalog_write(struct state *st,
    const struct state_openai_catalog *rec, int *changed, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (rec->resource == NULL)
		return err_set(err, ERR_SPEC, "openai catalogue: no resource");
	if (catalog_changed(st, rec, changed, err) != 0)
		return -1;
	if (state_prepare(st, &stmt,
	        "INSERT OR REPLACE INTO openai_catalogs (resource, region, "
	        "models, usages, finetunes, refreshed_at) VALUES "
	        "(?, ?, ?, ?, ?, ?)",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, rec->resource);
	state_bind_text(stmt, 2, rec->region);
	state_bind_text(stmt, 3, rec->models);
	state_bind_text(stmt, 4, rec->usages);
	state_bind_text(stmt, 5, rec->finetunes);
	sqlite3_bind_int64(stmt, 6, state_now());
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_sqlerr(st, err, "writing an openai catalogue");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

int
state_put_openai_catalog(
    struct state *st, const struct state_openai_catalog *rec, struct err *err)
{
	int changed, rc = -1;

	if (rec->resource == NULL)
		return err_set(err, ERR_SPEC, "openai catalogue: no resource");
	if (state_begin(st, err) != 0)
		return -1;
	if (state_openai_catalog_write(st, rec, &changed, err) != 0)
		goto out;
	if (changed && state_bump_revision(st, err) != 0)
		goto out;
	if (state_commit(st, err) != 0)
		goto out;
	rc = 0;
out:
	state_rollback(st);
	return rc;
}

int
state_list_openai_catalogs(
    struct state *st, struct state_openai_catalogs *out, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct state_openai_catalog *v;
	size_t cap = 0;
	int step, rc = -1;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt,
	        "SELECT resource, region, models, usages, finetunes, "
	        "refreshed_at FROM openai_catalogs ORDER BY resource",
	        err) != 0)
		return -1;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct state_openai_catalog *c;

		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((v = realloc(out->v, cap * sizeof(*v))) == NULL) {
				nomem(err);
				goto out;
			}
			out->v = v;
		}
		c = &out->v[out->n++];
		memset(c, 0, sizeof(*c));
		c->refreshed_at = sqlite3_column_int64(stmt, 5);
		if (state_coldup(stmt, 0, &c->resource) != 0 ||
		    state_coldup(stmt, 1, &c->region) != 0 ||
		    state_coldup(stmt, 2, &c->models) != 0 ||
		    state_coldup(stmt, 3, &c->usages) != 0 ||
		    state_coldup(stmt, 4, &c->finetunes) != 0) {
			nomem(err);
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading openai catalogues");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (rc != 0)
		state_openai_catalogs_release(out);
	return rc;
}

int
state_put_finetuned(
    struct state *st, const struct state_finetuned *rec, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (rec->resource == NULL || rec->key == NULL ||
	    rec->data_hash == NULL || rec->settings_hash == NULL ||
	    rec->fine_tuned_model == NULL)
		return err_set(err, ERR_SPEC,
		    "fine-tuned record: resource, key, hashes and model are "
		    "required");
	if (state_durable(st, 1, err) != 0)
		return -1;
	if (state_begin(st, err) != 0)
		goto out;
	if (state_prepare(st, &stmt,
	        "INSERT OR REPLACE INTO finetuned_models (resource, entry, "
	        "data_hash, settings_hash, fine_tuned_model, job_id, "
	        "trained_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	        err) != 0)
		goto out;
	state_bind_text(stmt, 1, rec->resource);
	state_bind_text(stmt, 2, rec->key);
	state_bind_text(stmt, 3, rec->data_hash);
	state_bind_text(stmt, 4, rec->settings_hash);
	state_bind_text(stmt, 5, rec->fine_tuned_model);
	state_bind_text(stmt, 6, rec->job_id);
	sqlite3_bind_int64(stmt, 7, state_now());
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_sqlerr(st, err, "writing a fine-tuned model record");
		goto out;
	}
	if (state_bump_revision(st, err) != 0 || state_commit(st, err) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	state_rollback(st);
	state_durable(st, 0, NULL);
	return rc;
}

static int
row_finetuned(sqlite3_stmt *stmt, struct state_finetuned *f, struct err *err)
{
	memset(f, 0, sizeof(*f));
	f->trained_at = sqlite3_column_int64(stmt, 6);
	if (state_coldup(stmt, 0, &f->resource) != 0 ||
	    state_coldup(stmt, 1, &f->key) != 0 ||
	    state_coldup(stmt, 2, &f->data_hash) != 0 ||
	    state_coldup(stmt, 3, &f->settings_hash) != 0 ||
	    state_coldup(stmt, 4, &f->fine_tuned_model) != 0 ||
	    state_coldup(stmt, 5, &f->job_id) != 0) {
		state_finetuned_release(f);
		return nomem(err);
	}
	return 0;
}

#define FINETUNED_COLS                                                         \
	"SELECT resource, entry, data_hash, settings_hash, fine_tuned_model, " \
	"job_id, trained_at FROM finetuned_models"

int
state_get_finetuned(struct state *st, const char *resource, const char *key,
    struct state_finetuned *out, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int step, rc = -1;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt,
	        FINETUNED_COLS " WHERE resource = ?1 AND entry = ?2", err) != 0)
		return -1;
	state_bind_text(stmt, 1, resource);
	state_bind_text(stmt, 2, key);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		err_set(err, ERR_NOTFOUND, "no fine-tuned model '%s' on %s",
		    key, resource);
		goto out;
	}
	if (step != SQLITE_ROW) {
		state_sqlerr(st, err, "reading fine-tuned models");
		goto out;
	}
	rc = row_finetuned(stmt, out, err);
out:
	sqlite3_finalize(stmt);
	return rc;
}

int
state_list_finetuned(
    struct state *st, struct state_finetuneds *out, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct state_finetuned *v;
	size_t cap = 0;
	int step, rc = -1;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt, FINETUNED_COLS " ORDER BY resource, entry",
	        err) != 0)
		return -1;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((v = realloc(out->v, cap * sizeof(*v))) == NULL) {
				nomem(err);
				goto out;
			}
			out->v = v;
		}
		if (row_finetuned(stmt, &out->v[out->n], err) != 0)
			goto out;
		out->n++;
	}
	if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading fine-tuned models");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (rc != 0)
		state_finetuneds_release(out);
	return rc;
}

void
state_openai_catalog_release(struct state_openai_catalog *rec)
{
	if (rec == NULL)
		return;
	free(rec->resource);
	free(rec->region);
	free(rec->models);
	free(rec->usages);
	free(rec->finetunes);
	memset(rec, 0, sizeof(*rec));
}

void
state_openai_catalogs_release(struct state_openai_catalogs *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++)
		state_openai_catalog_release(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

void
state_finetuned_release(struct state_finetuned *rec)
{
	if (rec == NULL)
		return;
	free(rec->resource);
	free(rec->key);
	free(rec->data_hash);
	free(rec->settings_hash);
	free(rec->fine_tuned_model);
	free(rec->job_id);
	memset(rec, 0, sizeof(*rec));
}

void
state_finetuneds_release(struct state_finetuneds *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++)
		state_finetuned_release(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}
