/*
 * finetune_list.c - the fine-tuning jobs an account holds, every page.
 *
 * The data plane pages with OpenAI's cursor ("after" the last id,
 * "has_more") rather than ARM's nextLink, so this walks the pages itself
 * over lib/arm's GET.  Refresh keeps the jobs so that plan can tell a
 * fine-tuned model that vanished from one that is still there.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "arm.h"
#include "finetune.h"

/* A bound on the pages read, as arm_list bounds nextLink. */
#define MAX_PAGES 1000

struct jlist {
	struct finetune *ft;
	cJSON *jobs;
	int pages;
	finetune_jobs_fn cb;
	void *arg;
};

static int next_page(struct jlist *l, const char *after, struct err *err);

static void
jlist_end(struct jlist *l, const struct err *e)
{
	l->cb(l->arg, e ? NULL : l->jobs, e);
	cJSON_Delete(l->jobs);
	free(l);
}

static void
on_page(void *arg, const struct arm_resp *r, const struct err *terr)
{
	struct jlist *l = arg;
	struct err e = { 0 };
	const cJSON *data, *it, *more;
	const char *last = NULL;

	if (terr != NULL) {
		jlist_end(l, terr);
		return;
	}
	data = cJSON_GetObjectItemCaseSensitive(r->json, "data");
	if (!cJSON_IsArray(data)) {
		err_set(&e, ERR_HTTP,
		    "finetune: GET /openai/fine_tuning/jobs: no \"data\" "
		    "array");
		jlist_end(l, &e);
		return;
	}
	cJSON_ArrayForEach(it, data)
	{
		cJSON *dup;
		const char *id = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "id"));

		if (!cJSON_IsObject(it) || id == NULL) {
			err_set(&e, ERR_HTTP,
			    "finetune: GET /openai/fine_tuning/jobs: "
			    "data[%d] is not a job with an id",
			    cJSON_GetArraySize(l->jobs));
			jlist_end(l, &e);
			return;
		}
		last = id;
		dup = cJSON_Duplicate(it, 1);
		if (dup == NULL || !cJSON_AddItemToArray(l->jobs, dup)) {
			cJSON_Delete(dup);
			err_set(&e, ERR_NOMEM, "out of memory");
			jlist_end(l, &e);
			return;
		}
	}
	more = cJSON_GetObjectItemCaseSensitive(r->json, "has_more");
	if (!cJSON_IsTrue(more) || last == NULL) {
		jlist_end(l, NULL);
		return;
	}
	if (++l->pages >= MAX_PAGES) {
		err_set(&e, ERR_HTTP,
		    "finetune: GET /openai/fine_tuning/jobs: more than %d "
		    "pages",
		    MAX_PAGES);
		jlist_end(l, &e);
		return;
	}
	if (next_page(l, last, &e) != 0)
		jlist_end(l, &e);
}

static int
next_page(struct jlist *l, const char *after, struct err *err)
{
	struct buf url = { .max = 2048 };
	int rc;

	buf_addstr(&url, "/openai/fine_tuning/jobs?limit=100");
	if (after != NULL) {
		buf_addstr(&url, "&after=");
		buf_addurlenc(&url, after);
	}
	if (buf_check(&url, err, "finetune: building the URL") != 0)
		return -1;
	rc = arm_get(finetune_arm(l->ft), buf_str(&url), NULL, on_page, l, err);
	buf_release(&url);
	return rc;
}

int
finetune_jobs_list(
    struct finetune *ft, finetune_jobs_fn cb, void *arg, struct err *err)
{
	struct jlist *l;

	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->jobs = cJSON_CreateArray()) == NULL) {
		free(l);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	l->ft = ft;
	l->cb = cb;
	l->arg = arg;
	if (next_page(l, NULL, err) != 0) {
		cJSON_Delete(l->jobs);
		free(l);
		return -1;
	}
	return 0;
}
