/* finetune_list_test.c - finetune_jobs_list walks OpenAI's cursor pages
 * (has_more) into one array, and a page without "data" or a job without
 * an id is an error, against an in-process server. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "armsrv.h"
#include "auth.h"
#include "finetune.h"
#include "http.h"
#include "t.h"

static struct http *the_http;

/* state[0]: pages served; state[1]: 1 = answer a broken page. */
static void
h_jobs(struct srv *s, const struct sreq *rq, struct sresp *out)
{
	if (strncmp(rq->path, "/openai/fine_tuning/jobs?", 25) != 0) {
		out->status = 404;
		return;
	}
	if (s->state[1] == 1) {
		snprintf(out->body, sizeof(out->body), "{\"object\":\"list\"}");
		return;
	}
	if (s->state[1] == 2) {
		snprintf(out->body, sizeof(out->body),
		    "{\"data\":[{\"status\":\"running\"}],\"has_more\":false}");
		return;
	}
	if (s->state[0]++ == 0)
		snprintf(out->body, sizeof(out->body),
		    "{\"object\":\"list\",\"data\":[{\"id\":\"ftjob-2\","
		    "\"status\":\"running\"}],\"has_more\":true}");
	else
		snprintf(out->body, sizeof(out->body),
		    "{\"object\":\"list\",\"data\":[{\"id\":\"ftjob-1\","
		    "\"status\":\"succeeded\",\"fine_tuned_model\":\"m.ft-1\"}]"
		    ","
		    "\"has_more\":false}");
}

struct got {
	int calls;
	char *ids;
	struct err err;
	int failed;
};

static void
on_jobs(void *arg, cJSON *jobs, const struct err *err)
{
	struct got *g = arg;
	const cJSON *j;
	size_t n = 0;

	g->calls++;
	if (err != NULL) {
		g->failed = 1;
		g->err = *err;
		return;
	}
	g->ids = calloc(1, 256);
	cJSON_ArrayForEach(j, jobs)
	{
		const char *id = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(j, "id"));

		n += (size_t)snprintf(
		    g->ids + n, 256 - n, "%s%s", n ? "," : "", id ? id : "?");
	}
}

static void
run_list(struct finetune *ft, struct got *g)
{
	struct err err = { 0 };
	int i;

	memset(g, 0, sizeof(*g));
	if (finetune_jobs_list(ft, on_jobs, g, &err) != 0) {
		g->failed = 1;
		g->err = err;
		return;
	}
	/* Bounded: a callback that never comes fails the test. */
	for (i = 0; i < 50 && g->calls == 0; i++)
		if (http_run(the_http, 100, &err) < 0)
			break;
}

static void
test_pages_are_joined_and_errors_named(void)
{
	struct srv *s = srv_start(h_jobs);
	struct auth *key = NULL;
	struct auth_opts ao = { .method = AUTH_KEY_ENV,
		.key_env = "FTL_TEST_KEY",
		.key_header = "api-key" };
	struct finetune_opts fo = { .http = NULL };
	struct finetune *ft = NULL;
	struct err err = { 0 };
	struct got g;

	T_OK(s != NULL);
	fo.endpoint = s->base;
	fo.http = the_http;
	setenv("FTL_TEST_KEY", "list-key", 1);
	T_OK(auth_new(&key, &ao, &err) == 0);
	fo.auth = key;
	T_OK(finetune_new(&ft, &fo, &err) == 0);

	run_list(ft, &g);
	T_EQ_INT(g.calls, 1);
	T_EQ_INT(g.failed, 0);
	T_EQ_STR(g.ids, "ftjob-2,ftjob-1");
	T_EQ_INT(s->nreq, 2);
	T_EQ_STR(
	    s->log[0].path, "/openai/fine_tuning/jobs?api-version=2024-10-21");
	T_EQ_STR(s->log[1].auth, "list-key");
	free(g.ids);

	s->state[1] = 1;
	run_list(ft, &g);
	T_EQ_INT(g.failed, 1);
	T_CONTAINS(g.err.msg, "no \"data\" array");
	s->state[1] = 2;
	run_list(ft, &g);
	T_EQ_INT(g.failed, 1);
	T_CONTAINS(g.err.msg, "data[0] is not a job with an id");

	finetune_free(ft);
	auth_free(key);
	srv_stop(s);
}

int
main(void)
{
	struct http_opts ho = { .backoff_base_ms = 5,
		.max_retries = -1,
		.pace_get_per_min = -1,
		.pace_post_per_min = -1 };
	struct err err = { 0 };

	if (http_new(&the_http, &ho, &err) != 0) {
		fprintf(stderr, "# %s\n", err.msg);
		return 1;
	}
	T_RUN(test_pages_are_joined_and_errors_named);
	http_free(the_http);
	return t_done();
}
