/* finetune_test.c - the fine-tuning data plane: spec examples parsed,
 * job bodies and multipart uploads, and upload -> processed -> job ->
 * succeeded against an in-process server, with an api-key header. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arm.h"
#include "armsrv.h"
#include "auth.h"
#include "config.h"
#include "finetune.h"
#include "http.h"
#include "t.h"

static const cJSON *
example(const char *name, const char *status, cJSON **root)
{
	char path[256], *text;

	snprintf(path, sizeof(path), "tests/fixtures/openai/%s", name);
	text = srv_slurp(path);
	*root = text ? cJSON_Parse(text) : NULL;
	free(text);
	return cJSON_GetObjectItem(
	    cJSON_GetObjectItem(
	        cJSON_GetObjectItem(*root, "responses"), status),
	    "body");
}

static void
test_parses_file_and_job_examples(void)
{
	struct finetune_file f;
	struct finetune_job j;
	struct err err = { 0 };
	cJSON *root;

	T_OK(finetune_file_parse(
	         example("upload_file.json", "201", &root), &f, &err) == 0);
	T_EQ_STR(f.status, "pending");
	T_EQ_STR(f.id, "file-181a1cbdcdcf4677ada87f63a0928099");
	finetune_file_release(&f);
	cJSON_Delete(root);
	T_OK(finetune_file_parse(
	         example("get_file.json", "200", &root), &f, &err) == 0);
	T_EQ_STR(f.status, "processed");
	T_EQ_INT(f.bytes, 140);
	finetune_file_release(&f);
	cJSON_Delete(root);
	T_OK(finetune_job_parse(
	         example("post_finetuning_job.json", "201", &root), &j, &err) ==
	    0);
	T_EQ_INT(j.status, FINETUNE_PENDING);
	T_OK(j.fine_tuned_model == NULL);
	finetune_job_release(&j);
	cJSON_Delete(root);
	T_OK(
	    finetune_job_parse(example("get_finetuning_job.json", "200", &root),
	        &j, &err) == 0);
	T_EQ_INT(j.status, FINETUNE_SUCCEEDED);
	T_EQ_STR(
	    j.fine_tuned_model, "curie.ft-72a2792ef7d24ba7b82c7fe4a37e379f");
	T_EQ_INT(j.finished_at, 1646127311);
	finetune_job_release(&j);
	cJSON_Delete(root);
}

static void
test_statuses_and_terminal_states(void)
{
	T_EQ_INT(finetune_status_parse("validating_files"),
	    FINETUNE_VALIDATING_FILES);
	T_EQ_INT(finetune_status_parse("Queued"), FINETUNE_QUEUED);
	T_EQ_INT(finetune_status_parse("canceled"), FINETUNE_CANCELLED);
	T_EQ_INT(finetune_status_parse("paused_by_user"), FINETUNE_UNKNOWN);
	T_OK(!finetune_status_terminal(FINETUNE_UNKNOWN));
	T_OK(!finetune_status_terminal(FINETUNE_RUNNING));
	T_OK(finetune_status_terminal(FINETUNE_SUCCEEDED));
	T_OK(finetune_status_terminal(FINETUNE_FAILED));
	T_OK(finetune_status_terminal(FINETUNE_CANCELLED));
}

static void
test_job_body_from_config(void)
{
	struct config_finetune c = { 0 };
	struct finetune_job_opts o;
	struct buf b = { 0 };
	struct err err = { 0 };

	c.base_model = (char *)"gpt-4o-mini-2024-07-18";
	c.n_epochs = 3;
	c.learning_rate_multiplier = 0.5;
	c.has_seed = 1;
	c.seed = 42;
	c.suffix = (char *)"standby-dr";
	finetune_job_opts_from_config(&c, "file-t", "file-v", &o);
	T_OK(finetune_job_body(&o, &b, &err) == 0);
	T_EQ_STR(buf_str(&b),
	    "{\"model\":\"gpt-4o-mini-2024-07-18\",\"training_file\":\"file-"
	    "t\","
	    "\"validation_file\":\"file-v\",\"suffix\":\"standby-dr\",\"seed\":"
	    "42,\"hyperparameters\":{\"n_epochs\":3,"
	    "\"learning_rate_multiplier\":0.5}}");
	buf_reset(&b);
	finetune_job_opts_from_config(&c, "file-t", NULL, &o);
	o.has_seed = 0;
	o.n_epochs = 0;
	o.learning_rate_multiplier = 0;
	o.suffix = NULL;
	T_OK(finetune_job_body(&o, &b, &err) == 0);
	T_EQ_STR(buf_str(&b),
	    "{\"model\":\"gpt-4o-mini-2024-07-18\","
	    "\"training_file\":\"file-t\"}");
	o.suffix = "bad suffix!";
	T_OK(finetune_job_body(&o, &b, &err) != 0);
	T_CONTAINS(err.msg, "must be up to 40 of [A-Za-z0-9_-]");
	o.suffix = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; /* 41 */
	T_OK(finetune_job_body(&o, &b, &err) != 0);
	o.suffix = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; /* 40 */
	T_OK(finetune_job_body(&o, &b, &err) == 0);
	o.suffix = NULL;
	o.training_file = NULL;
	T_OK(finetune_job_body(&o, &b, &err) != 0);
	buf_release(&b);
}

static void
test_multipart_body(void)
{
	struct buf b = { 0 };
	char *ct = NULL;
	struct err err = { 0 };

	T_OK(finetune_multipart("BND", "fine-tune", "train.jsonl", "{}\n", 3,
	         &b, &ct, &err) == 0);
	T_EQ_STR(ct, "multipart/form-data; boundary=BND");
	T_EQ_STR(buf_str(&b),
	    "--BND\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"
	    "fine-tune\r\n--BND\r\nContent-Disposition: form-data; "
	    "name=\"file\"; filename=\"train.jsonl\"\r\nContent-Type: "
	    "application/octet-stream\r\n\r\n{}\n\r\n--BND--\r\n");
	free(ct);
	buf_reset(&b);
	T_OK(finetune_multipart(
	         "BND", "fine-tune", "a\"b", "x", 1, &b, &ct, &err) != 0);
	T_OK(finetune_multipart(
	         "BND", "fine-tune", "t", "xxBNDxx", 7, &b, &ct, &err) != 0);
	T_CONTAINS(err.msg, "boundary occurs in the file");
	buf_release(&b);
}

/* ---- over HTTP -------------------------------------------------------- */

static struct http *the_http;

/* Files: pending, running, processed.  Jobs: pending, running,
 * succeeded (state[1] = 1: failed with an error). */
static void
h_data(struct srv *s, const struct sreq *rq, struct sresp *o)
{
	if (strcmp(rq->method, "POST") == 0 &&
	    strncmp(rq->path, "/openai/files", 13) == 0) {
		o->status = 201;
		snprintf(o->body, sizeof(o->body),
		    "{\"id\":\"file-1\",\"status\":\"pending\",\"purpose\":"
		    "\"fine-tune\",\"filename\":\"train.jsonl\",\"object\":"
		    "\"file\",\"created_at\":1}");
		srv_header(o, "Location", "%s/openai/files/file-1", s->base);
		return;
	}
	if (strncmp(rq->path, "/openai/files/file-1", 20) == 0) {
		int n = s->state[0]++;

		snprintf(o->body, sizeof(o->body),
		    "{\"id\":\"file-1\",\"status\":\"%s\"}",
		    n == 0       ? "pending"
		        : n == 1 ? "running"
		                 : "processed");
		return;
	}
	if (strcmp(rq->method, "POST") == 0) {
		o->status = 201;
		snprintf(o->body, sizeof(o->body),
		    "{\"id\":\"ftjob-1\",\"status\":\"pending\",\"model\":"
		    "\"gpt-4o-mini-2024-07-18\",\"object\":\"fine_tuning."
		    "job\"}");
		return;
	}
	if (strncmp(rq->path, "/openai/fine_tuning/jobs/ftjob-1", 32) == 0) {
		int n = s->state[2]++;

		if (n == 0)
			o->status = 503; /* a failed read is retried */
		else if (n < 3)
			snprintf(o->body, sizeof(o->body),
			    "{\"id\":\"ftjob-1\",\"status\":\"%s\"}",
			    n == 1 ? "queued" : "running");
		else if (s->state[1])
			snprintf(o->body, sizeof(o->body),
			    "{\"id\":\"ftjob-1\",\"status\":\"failed\","
			    "\"error\":{\"code\":\"invalidTrainingFile\","
			    "\"message\":\"line 3 is not JSON\"}}");
		else
			snprintf(o->body, sizeof(o->body),
			    "{\"id\":\"ftjob-1\",\"status\":\"succeeded\","
			    "\"fine_tuned_model\":\"gpt-4o-mini-2024-07-18.ft-"
			    "abc\"}");
		return;
	}
	o->status = 404;
	snprintf(o->body, sizeof(o->body),
	    "{\"error\":{\"code\":\"notFound\",\"message\":\"no such "
	    "thing\"}}");
}

static void
test_upload_wait_train_and_poll(void)
{
	struct srv *s = srv_start(h_data);
	struct auth *key = NULL;
	struct auth_opts ao = { .method = AUTH_KEY_ENV,
		.key_env = "FT_TEST_KEY",
		.key_header = "api-key" };
	struct finetune_opts fo = { .endpoint = s->base,
		.http = the_http,
		.poll_initial_ms = 5,
		.poll_max_ms = 10 };
	struct finetune *ft = NULL;
	struct finetune_file f;
	struct finetune_job j;
	struct finetune_job_opts jo = { .model = "gpt-4o-mini-2024-07-18",
		.training_file = "file-1" };
	struct err err = { 0 };

	setenv("FT_TEST_KEY", "sekrit-key", 1);
	T_OK(auth_new(&key, &ao, &err) == 0);
	fo.auth = key;
	T_OK(finetune_new(&ft, &fo, &err) == 0);
	T_OK(finetune_file_upload_wait(
	         ft, "train.jsonl", "{\"m\":1}\n", 8, &f, &err) == 0);
	T_EQ_STR(f.id, "file-1");
	T_EQ_STR(s->log[0].path, "/openai/files?api-version=2024-10-21");
	T_EQ_STR(s->log[0].auth, "sekrit-key");
	T_CONTAINS(s->log[0].ctype, "multipart/form-data; boundary=standby-");
	T_CONTAINS(s->log[0].body, "name=\"purpose\"\r\n\r\nfine-tune\r\n");
	T_CONTAINS(s->log[0].body, "filename=\"train.jsonl\"");
	finetune_file_release(&f);
	T_OK(finetune_file_wait_wait(ft, "file-1", &f, &err) == 0);
	T_EQ_STR(f.status, "processed");
	T_EQ_INT(s->state[0], 3);
	finetune_file_release(&f);

	T_OK(finetune_job_create_wait(ft, &jo, &j, &err) == 0);
	T_EQ_STR(j.id, "ftjob-1");
	T_EQ_STR(
	    s->log[4].path, "/openai/fine_tuning/jobs?api-version=2024-10-21");
	finetune_job_release(&j);
	T_OK(finetune_job_poll_wait(ft, "ftjob-1", &j, &err) == 0);
	T_EQ_STR(j.fine_tuned_model, "gpt-4o-mini-2024-07-18.ft-abc");
	T_EQ_INT(s->state[2], 4);
	finetune_job_release(&j);

	/* A failed job is an error with its code and message. */
	s->state[1] = 1;
	s->state[2] = 1;
	T_OK(finetune_job_poll_wait(ft, "ftjob-1", &j, &err) != 0);
	T_CONTAINS(err.msg,
	    "job ftjob-1 ended failed: invalidTrainingFile: "
	    "line 3 is not JSON");
	T_OK(strstr(err.msg, "sekrit") == NULL);
	/* A missing file is ERR_NOTFOUND with the service's code. */
	T_OK(finetune_file_wait_wait(ft, "file-9", &f, &err) != 0);
	T_EQ_INT(err.code, ERR_NOTFOUND);
	T_CONTAINS(err.msg, "404: notFound: no such thing");
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

	T_RUN(test_parses_file_and_job_examples);
	T_RUN(test_statuses_and_terminal_states);
	T_RUN(test_job_body_from_config);
	T_RUN(test_multipart_body);
	if (http_new(&the_http, &ho, &err) != 0) {
		fprintf(stderr, "# %s\n", err.msg);
		return 1;
	}
	T_RUN(test_upload_wait_train_and_poll);
	http_free(the_http);
	return t_done();
}
