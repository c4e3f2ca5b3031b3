/* arm_test.c - the ARM client: the poll state machine on an injected
 * clock (pure), and writes, polling, 409 retries, lanes and lists against
 * an in-process server on 127.0.0.1 scripted per test. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arm.h"
#include "armsrv.h"
#include "auth.h"
#include "http.h"
#include "t.h"

static long long fake_now;

static long long
clock_fn(void *arg)
{
	(void)arg;
	return fake_now;
}

static int
fake_fetch(void *arg, char **token, long long *expires_ms, struct err *err)
{
	(void)arg;
	(void)err;
	*token = strdup("arm-test-token");
	*expires_ms = 4102444800000LL;
	return 0;
}

/* ---- pure: the poll state machine ------------------------------------- */

static struct arm *
pure_client(void)
{
	struct arm_opts o = { .http = (struct http *)&fake_now,
		.auth = (struct auth *)&fake_now,
		.now_ms = clock_fn,
		.poll_initial_ms = 1000,
		.poll_max_ms = 4000,
		.poll_timeout_ms = 60000,
		.retry_after_max_ms = 20000,
		.poll_max_failures = 2,
		.poll_max_notfound = 2 };
	struct arm *a = NULL;
	struct err err = { 0 };

	if (arm_new(&a, &o, &err) != 0)
		fprintf(stderr, "# %s\n", err.msg);
	return a;
}

/* A hand-made response: status, JSON body (may be NULL), Retry-After. */
static struct arm_resp
mk(long status, const char *json, long retry_after_ms, cJSON **hold)
{
	struct arm_resp r = { 0 };
	const cJSON *e;

	r.status = status;
	r.retry_after_ms = retry_after_ms;
	*hold = json ? cJSON_Parse(json) : NULL;
	r.json = *hold;
	e = cJSON_GetObjectItemCaseSensitive(r.json, "error");
	if (e != NULL) {
		r.code = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "code"));
		r.message = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "message"));
	}
	return r;
}

static enum arm_verdict
step(struct arm *a, struct arm_poll_state *ps, const struct arm_op *op,
    long status, const char *json, long ra, long *wait, struct err *err)
{
	cJSON *hold;
	struct arm_resp r = mk(status, json, ra, &hold);
	enum arm_verdict v =
	    arm_poll_step(a, ps, op, &r, NULL, fake_now, wait, err);

	cJSON_Delete(hold);
	return v;
}

static void
test_async_op_runs_then_succeeds_case_insensitively(void)
{
	struct arm *a = pure_client();
	struct arm_op op = { .method = (char *)"PUT",
		.kind = ARM_POLL_ASYNC_OP };
	struct arm_poll_state ps;
	struct err err = { 0 };
	long wait;

	fake_now = 1000;
	arm_poll_init(a, &ps, fake_now);
	T_EQ_INT(step(a, &ps, &op, 200, "{\"status\":\"InProgress\"}", -1,
	             &wait, &err),
	    ARM_WAIT);
	T_EQ_INT(wait, 1000);
	T_EQ_INT(step(a, &ps, &op, 200, "{\"status\":\"Accepted\"}", -1, &wait,
	             &err),
	    ARM_WAIT);
	T_EQ_INT(wait, 2000); /* doubling backoff */
	step(a, &ps, &op, 200, "{\"status\":\"Running\"}", -1, &wait, &err);
	T_EQ_INT(wait, 4000);
	step(a, &ps, &op, 200, "{\"status\":\"Running\"}", -1, &wait, &err);
	T_EQ_INT(wait, 4000); /* capped */
	T_EQ_INT(step(a, &ps, &op, 200, "{\"status\":\"succeeded\"}", -1, &wait,
	             &err),
	    ARM_DONE);
	/* The resource itself: properties.provisioningState. */
	T_EQ_INT(step(a, &ps, &op, 200,
	             "{\"properties\":{\"provisioningState\":\"SUCCEEDED\"}}",
	             -1, &wait, &err),
	    ARM_DONE);
	arm_free(a);
}

static void
test_retry_after_sets_the_wait_and_is_capped(void)
{
	struct arm *a = pure_client();
	struct arm_op op = { .method = (char *)"PUT",
		.kind = ARM_POLL_ASYNC_OP };
	struct arm_poll_state ps;
	struct err err = { 0 };
	long wait;

	fake_now = 0;
	arm_poll_init(a, &ps, fake_now);
	T_EQ_INT(step(a, &ps, &op, 200, "{\"status\":\"InProgress\"}", 7000,
	             &wait, &err),
	    ARM_WAIT);
	T_EQ_INT(wait, 7000);
	T_EQ_INT(step(a, &ps, &op, 200, "{\"status\":\"InProgress\"}", 900000,
	             &wait, &err),
	    ARM_WAIT);
	T_EQ_INT(wait, 20000); /* retry_after_max_ms */
	T_EQ_INT(step(a, &ps, &op, 200, "{\"status\":\"InProgress\"}", 0, &wait,
	             &err),
	    ARM_WAIT);
	T_EQ_INT(wait, 0);
	/* Near the deadline the wait is cut to it; past it, failure. */
	fake_now = 55000;
	step(a, &ps, &op, 200, "{\"status\":\"InProgress\"}", 10000, &wait,
	    &err);
	T_EQ_INT(wait, 5000);
	fake_now = 60000;
	T_EQ_INT(step(a, &ps, &op, 200, "{\"status\":\"InProgress\"}", -1,
	             &wait, &err),
	    ARM_FAILED);
	T_CONTAINS(err.msg, "still InProgress at the deadline (60 s)");
	arm_free(a);
}

static void
test_location_202_runs_200_or_204_done(void)
{
	struct arm *a = pure_client();
	struct arm_op op = { .method = (char *)"DELETE",
		.kind = ARM_POLL_LOCATION };
	struct arm_poll_state ps;
	struct err err = { 0 };
	long wait;

	fake_now = 0;
	arm_poll_init(a, &ps, fake_now);
	T_EQ_INT(step(a, &ps, &op, 202, NULL, -1, &wait, &err), ARM_WAIT);
	T_EQ_INT(step(a, &ps, &op, 202, "", -1, &wait, &err), ARM_WAIT);
	T_EQ_INT(step(a, &ps, &op, 200, NULL, -1, &wait, &err), ARM_DONE);
	T_EQ_INT(step(a, &ps, &op, 204, NULL, -1, &wait, &err), ARM_DONE);
	/* An empty 200 on an Azure-AsyncOperation URL is done too. */
	op.kind = ARM_POLL_ASYNC_OP;
	T_EQ_INT(step(a, &ps, &op, 200, NULL, -1, &wait, &err), ARM_DONE);
	arm_free(a);
}

static void
test_404_on_poll_url_is_in_progress_but_bounded(void)
{
	struct arm *a = pure_client();
	struct arm_op op = { .method = (char *)"PUT",
		.kind = ARM_POLL_ASYNC_OP };
	struct arm_poll_state ps;
	struct err err = { 0 };
	long wait;

	fake_now = 0;
	arm_poll_init(a, &ps, fake_now);
	T_EQ_INT(step(a, &ps, &op, 404, NULL, -1, &wait, &err), ARM_WAIT);
	T_EQ_INT(step(a, &ps, &op, 404, NULL, -1, &wait, &err), ARM_WAIT);
	/* A 2xx in between resets the count. */
	T_EQ_INT(step(a, &ps, &op, 200, "{\"status\":\"InProgress\"}", -1,
	             &wait, &err),
	    ARM_WAIT);
	T_EQ_INT(step(a, &ps, &op, 404, NULL, -1, &wait, &err), ARM_WAIT);
	T_EQ_INT(step(a, &ps, &op, 404, NULL, -1, &wait, &err), ARM_WAIT);
	T_EQ_INT(step(a, &ps, &op, 404, NULL, -1, &wait, &err), ARM_FAILED);
	T_EQ_INT(err.code, ERR_NOTFOUND);
	T_CONTAINS(err.msg, "404 3 times");
	/* A DELETE polled on the resource: 404 means gone. */
	op.method = (char *)"DELETE";
	op.kind = ARM_POLL_RESOURCE;
	arm_poll_init(a, &ps, fake_now);
	T_EQ_INT(step(a, &ps, &op, 404, NULL, -1, &wait, &err), ARM_DONE);
	arm_free(a);
}

static void
test_failed_names_state_code_and_message(void)
{
	struct arm *a = pure_client();
	struct arm_op op = { .method = (char *)"PUT",
		.kind = ARM_POLL_ASYNC_OP };
	struct arm_poll_state ps;
	struct err err = { 0 };
	long wait;

	fake_now = 0;
	arm_poll_init(a, &ps, fake_now);
	T_EQ_INT(step(a, &ps, &op, 200,
	             "{\"status\":\"Failed\",\"error\":{\"code\":"
	             "\"InsufficientQuota\",\"message\":\"This operation "
	             "require 240 new capacity\"}}",
	             -1, &wait, &err),
	    ARM_FAILED);
	T_CONTAINS(err.msg,
	    "ended Failed: InsufficientQuota: This operation require 240");
	T_EQ_INT(step(a, &ps, &op, 200, "{\"status\":\"Canceled\"}", -1, &wait,
	             &err),
	    ARM_FAILED);
	T_CONTAINS(err.msg, "ended Canceled");
	T_EQ_INT(step(a, &ps, &op, 200, "{\"status\":\"cancelled\"}", -1, &wait,
	             &err),
	    ARM_FAILED);
	T_EQ_INT(step(a, &ps, &op, 200,
	             "{\"properties\":{\"provisioningState\":\"Disabled\"}}",
	             -1, &wait, &err),
	    ARM_FAILED);
	T_CONTAINS(err.msg, "ended Disabled");
	/* A 4xx on the status URL ends it with the service's code. */
	T_EQ_INT(step(a, &ps, &op, 403,
	             "{\"error\":{\"code\":\"AuthorizationFailed\","
	             "\"message\":\"no\"}}",
	             -1, &wait, &err),
	    ARM_FAILED);
	T_CONTAINS(err.msg, "403: AuthorizationFailed: no");
	arm_free(a);
}

static void
test_failed_reads_are_retried_then_bounded(void)
{
	struct arm *a = pure_client();
	struct arm_op op = { .method = (char *)"PUT",
		.kind = ARM_POLL_ASYNC_OP };
	struct arm_poll_state ps;
	struct err err = { 0 }, ge = { 0 };
	long wait;

	fake_now = 0;
	arm_poll_init(a, &ps, fake_now);
	err_set(&ge, ERR_HTTP, "connection refused");
	T_EQ_INT(
	    arm_poll_step(a, &ps, &op, NULL, &ge, 0, &wait, &err), ARM_WAIT);
	T_EQ_INT(step(a, &ps, &op, 503, NULL, -1, &wait, &err), ARM_WAIT);
	T_EQ_INT(
	    arm_poll_step(a, &ps, &op, NULL, &ge, 0, &wait, &err), ARM_FAILED);
	T_CONTAINS(err.msg, "connection refused");
	T_CONTAINS(err.msg, "3 status reads failed in a row");
	arm_free(a);
}

static void
test_op_record_round_trips(void)
{
	struct arm_op op = { .method = (char *)"PUT",
		.resource_url =
		    (char *)"https://management.azure.com/subscriptions/s/"
		            "x?api-version=2024-10-01",
		.poll_url =
		    (char *)"https://management.azure.com/op/1?api-version=1",
		.kind = ARM_POLL_ASYNC_OP };
	struct arm_op back;
	struct buf b = { 0 };
	struct err err = { 0 };

	T_OK(arm_op_encode(&op, &b) == 0);
	T_EQ_STR(buf_str(&b),
	    "async PUT https://management.azure.com/subscriptions/s/"
	    "x?api-version=2024-10-01 https://management.azure.com/op/"
	    "1?api-version=1");
	T_OK(arm_op_decode(buf_str(&b), &back, &err) == 0);
	T_EQ_STR(back.method, "PUT");
	T_EQ_STR(back.poll_url, op.poll_url);
	T_EQ_INT(back.kind, ARM_POLL_ASYNC_OP);
	arm_op_release(&back);
	T_OK(arm_op_decode("resource DELETE https://h/x", &back, &err) == 0);
	T_OK(back.poll_url == NULL);
	arm_op_release(&back);
	T_OK(arm_op_decode("async PUT https://h/x", &back, &err) != 0);
	T_CONTAINS(err.msg, "not an operation record");
	T_OK(arm_op_decode("none GET https://h/x", &back, &err) != 0);
	buf_release(&b);
}

/* ---- over HTTP -------------------------------------------------------- */

static struct http *the_http;
static struct auth *the_auth;

static struct arm *
net_client(struct srv *s, const char *api_version, int conflict_retries)
{
	struct arm_opts o = { .endpoint = s->base,
		.api_version = api_version,
		.http = the_http,
		.auth = the_auth,
		.poll_initial_ms = 5,
		.poll_max_ms = 20,
		.poll_timeout_ms = 20000,
		.conflict_retries = conflict_retries,
		.conflict_base_ms = 5,
		.conflict_max_ms = 20 };
	struct arm *a = NULL;
	struct err err = { 0 };

	if (arm_new(&a, &o, &err) != 0)
		fprintf(stderr, "# %s\n", err.msg);
	return a;
}

static const char *DEP = "/subscriptions/s1/resourceGroups/rg/providers/"
                         "Microsoft.CognitiveServices/accounts/acct/"
                         "deployments/";

static const char *BODY_OK =
    "{\"name\":\"d\",\"sku\":{\"name\":\"Standard\",\"capacity\":1},"
    "\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":\"ada\","
    "\"version\":\"1\"},\"provisioningState\":\"Succeeded\"}}";

/* PUT -> 201 + Azure-AsyncOperation; the status URL says InProgress
 * twice, then Succeeded; then the resource. */
static void
h_async(struct srv *s, const struct sreq *rq, struct sresp *o)
{
	if (strcmp(rq->method, "PUT") == 0) {
		o->status = 201;
		snprintf(o->body, sizeof(o->body),
		    "{\"properties\":{\"provisioningState\":\"Accepted\"}}");
		srv_header(o, "Azure-AsyncOperation",
		    "%s/ops/1?api-version=2024-10-01", s->base);
		srv_header(o, "Retry-After", "%s", "0");
	} else if (strncmp(rq->path, "/ops/1", 6) == 0) {
		snprintf(o->body, sizeof(o->body), "{\"status\":\"%s\"}",
		    s->state[0]++ < 2 ? "InProgress" : "Succeeded");
	} else {
		snprintf(o->body, sizeof(o->body), "%s", BODY_OK);
	}
}

static char started_op[1024];

static void
on_started(void *arg, const struct arm_op *op)
{
	struct buf b = { 0 };

	(void)arg;
	arm_op_encode(op, &b);
	snprintf(started_op, sizeof(started_op), "%s", buf_str(&b));
	buf_release(&b);
}

struct res {
	int done, failed;
	struct err e;
	char code[64];
	char name[64];
	long status;
};

static void
on_done(void *arg, const struct arm_resp *r, const struct err *e)
{
	struct res *x = arg;
	const cJSON *n;

	x->done = 1;
	if (e != NULL) {
		x->failed = 1;
		x->e = *e;
	}
	if (r != NULL) {
		x->status = r->status;
		snprintf(
		    x->code, sizeof(x->code), "%s", r->code ? r->code : "");
		n = cJSON_GetObjectItemCaseSensitive(r->json, "name");
		snprintf(x->name, sizeof(x->name), "%s",
		    cJSON_IsString(n) ? n->valuestring : "");
	}
}

static int
run_until(struct arm *a, struct res *x)
{
	struct err err = { 0 };

	while (!x->done)
		if (arm_run(a, 10000, &err) != 0) {
			fprintf(stderr, "# %s\n", err.msg);
			return -1;
		}
	return 0;
}

static void
test_put_polls_azure_asyncoperation_then_gets_resource(void)
{
	struct srv *s = srv_start(h_async);
	struct arm *a = net_client(s, NULL, 0);
	struct res x = { 0 };
	struct buf url = { 0 };
	struct err err = { 0 };
	char want[512];

	buf_addf(&url, "%sd", DEP);
	started_op[0] = '\0';
	T_OK(arm_write(a, "acct", "PUT", buf_str(&url), NULL, "{}", 2,
	         on_started, on_done, &x, &err) == 0);
	T_OK(run_until(a, &x) == 0);
	T_OK(!x.failed);
	T_EQ_STR(x.name, "d");
	T_EQ_INT(s->nreq, 5);
	T_EQ_STR(s->log[0].method, "PUT");
	snprintf(want, sizeof(want), "%sd?api-version=2024-10-01", DEP);
	T_EQ_STR(s->log[0].path, want);
	T_EQ_STR(s->log[0].auth, "Bearer arm-test-token");
	T_EQ_STR(s->log[1].path, "/ops/1?api-version=2024-10-01");
	T_EQ_STR(s->log[3].path, "/ops/1?api-version=2024-10-01");
	T_EQ_STR(s->log[4].method, "GET");
	T_EQ_STR(s->log[4].path, want);
	T_CONTAINS(started_op, "async PUT http://127.0.0.1:");
	T_CONTAINS(started_op, "/ops/1?api-version=2024-10-01");
	T_EQ_INT(arm_pending(a), 0);
	buf_release(&url);
	arm_free(a);
	srv_stop(s);
}

/* DELETE/PATCH -> 202 with a lower-case azure-asyncoperation header (the
 * spec's examples), or with only Location. */
static void
h_delete(struct srv *s, const struct sreq *rq, struct sresp *o)
{
	if (strcmp(rq->method, "DELETE") == 0 ||
	    strcmp(rq->method, "PATCH") == 0) {
		o->status = 202;
		if (s->state[1] == 0)
			srv_header(
			    o, "azure-asyncoperation", "%s/ops/2", s->base);
		else
			srv_header(o, "location", "%s/loc/2", s->base);
	} else if (strncmp(rq->path, "/ops/2", 6) == 0) {
		snprintf(o->body, sizeof(o->body), "{\"status\":\"%s\"}",
		    s->state[0]++ < 1 ? "InProgress" : "Succeeded");
	} else if (strncmp(rq->path, "/loc/2", 6) == 0) {
		int n = s->state[0]++;

		/* not replicated yet, running, done */
		o->status = n == 0 ? 404 : n == 1 ? 202 : 200;
	} else {
		snprintf(o->body, sizeof(o->body), "%s", BODY_OK);
	}
}

static void
test_delete_202_lowercase_async_header_and_location_path(void)
{
	struct srv *s = srv_start(h_delete);
	struct arm *a = net_client(s, "2026-09-01", 0);
	struct res x = { 0 };
	struct buf url = { 0 };
	struct err err = { 0 };

	buf_addf(&url, "%sd", DEP);
	T_OK(arm_write(a, NULL, "DELETE", buf_str(&url), NULL, NULL, 0, NULL,
	         on_done, &x, &err) == 0);
	T_OK(run_until(a, &x) == 0);
	T_OK(!x.failed);
	T_EQ_INT(s->nreq, 3); /* DELETE, 2 polls, no final GET */
	T_CONTAINS(s->log[0].path, "api-version=2026-09-01");
	T_CONTAINS(s->log[2].path, "/ops/2");

	/* Location: 404 (in progress), 202, 200 empty; PATCH then GETs. */
	memset(&x, 0, sizeof(x));
	s->nreq = 0;
	s->state[0] = 0;
	s->state[1] = 1;
	T_OK(arm_write(a, NULL, "PATCH", buf_str(&url), NULL, "{}", 2, NULL,
	         on_done, &x, &err) == 0);
	T_OK(run_until(a, &x) == 0);
	T_OK(!x.failed);
	T_EQ_INT(s->nreq, 5);
	T_CONTAINS(s->log[1].path, "/loc/2");
	T_CONTAINS(s->log[3].path, "/loc/2");
	T_EQ_STR(s->log[4].method, "GET");
	T_EQ_STR(x.name, "d");
	buf_release(&url);
	arm_free(a);
	srv_stop(s);
}

static void
h_delete_gone(struct srv *s, const struct sreq *rq, struct sresp *o)
{
	(void)s;
	(void)rq;
	o->status = 204;
}

static void
test_delete_204_is_done_at_once(void)
{
	struct srv *s = srv_start(h_delete_gone);
	struct arm *a = net_client(s, NULL, 0);
	struct res x = { 0 };
	struct err err = { 0 };

	T_OK(arm_write(a, NULL, "DELETE", "/subscriptions/s/x", NULL, NULL, 0,
	         NULL, on_done, &x, &err) == 0);
	T_OK(run_until(a, &x) == 0);
	T_OK(!x.failed);
	T_EQ_INT(s->nreq, 1);
	arm_free(a);
	srv_stop(s);
}

static void
h_fail(struct srv *s, const struct sreq *rq, struct sresp *o)
{
	if (strcmp(rq->method, "PUT") == 0 && s->state[1] == 0) {
		o->status = 201;
		srv_header(o, "Azure-AsyncOperation", "%s/ops/3", s->base);
		srv_header(o, "Retry-After", "%s", "0");
	} else if (strcmp(rq->method, "PUT") == 0) {
		o->status = 400;
		snprintf(o->body, sizeof(o->body),
		    "{\"error\":{\"code\":\"InsufficientQuota\",\"message\":"
		    "\"This operation require 240 new capacity in quota "
		    "Tokens Per Minute (thousands) - GPT-4o\",\"details\":[{"
		    "\"code\":\"QuotaDetail\",\"message\":\"limit 200\"}]}}");
	} else {
		snprintf(o->body, sizeof(o->body),
		    "{\"status\":\"Failed\",\"error\":{\"code\":"
		    "\"ModelNotSupported\",\"message\":\"nope\"}}");
	}
}

static void
test_failures_surface_the_service_code(void)
{
	struct srv *s = srv_start(h_fail);
	struct arm *a = net_client(s, NULL, 0);
	struct res x = { 0 };
	struct err err = { 0 };

	T_OK(arm_write(a, NULL, "PUT", "/subscriptions/s/d", NULL, "{}", 2,
	         NULL, on_done, &x, &err) == 0);
	T_OK(run_until(a, &x) == 0);
	T_OK(x.failed);
	T_EQ_STR(x.code, "ModelNotSupported");
	T_CONTAINS(x.e.msg, "ended Failed: ModelNotSupported: nope");
	T_CONTAINS(x.e.msg, "arm: PUT http://127.0.0.1:");

	memset(&x, 0, sizeof(x));
	s->state[1] = 1;
	T_OK(arm_write(a, NULL, "PUT", "/subscriptions/s/d", NULL, "{}", 2,
	         NULL, on_done, &x, &err) == 0);
	T_OK(run_until(a, &x) == 0);
	T_OK(x.failed);
	T_EQ_STR(x.code, "InsufficientQuota");
	T_EQ_INT(x.status, 400);
	T_CONTAINS(x.e.msg,
	    "400 Bad Request: InsufficientQuota: This "
	    "operation require 240");
	T_CONTAINS(x.e.msg, "(QuotaDetail: limit 200)");
	T_OK(strstr(x.e.msg, "arm-test-token") == NULL);
	arm_free(a);
	srv_stop(s);
}

/* The example's status URL is on another host: never followed. */
static void
h_foreign(struct srv *s, const struct sreq *rq, struct sresp *o)
{
	(void)s;
	(void)rq;
	o->status = 202;
	srv_header(o, "azure-asyncoperation", "%s",
	    "http://azure.async.operation/status");
}

static void
test_foreign_status_url_is_refused(void)
{
	struct srv *s = srv_start(h_foreign);
	struct arm *a = net_client(s, NULL, 0);
	struct res x = { 0 };
	struct err err = { 0 };

	T_OK(arm_write(a, NULL, "DELETE", "/subscriptions/s/d", NULL, NULL, 0,
	         NULL, on_done, &x, &err) == 0);
	T_OK(run_until(a, &x) == 0);
	T_OK(x.failed);
	T_CONTAINS(x.e.msg, "status URL points at another origin");
	T_EQ_INT(s->nreq, 1);
	arm_free(a);
	srv_stop(s);
}

/* No polling header: poll the resource's provisioningState. */
static void
h_resource(struct srv *s, const struct sreq *rq, struct sresp *o)
{
	const char *st[] = { "Accepted", "Creating", "Succeeded" };
	int n = s->state[0] < 2 ? s->state[0] : 2;

	if (strcmp(rq->method, "PUT") == 0)
		o->status = 201;
	else
		s->state[0]++;
	snprintf(o->body, sizeof(o->body),
	    "{\"name\":\"r\",\"properties\":{\"provisioningState\":\"%s\"}}",
	    st[n]);
}

static void
test_no_header_polls_provisioning_state(void)
{
	struct srv *s = srv_start(h_resource);
	struct arm *a = net_client(s, NULL, 0);
	struct res x = { 0 };
	struct err err = { 0 };

	started_op[0] = '\0';
	T_OK(arm_write(a, NULL, "PUT", "/subscriptions/s/d", NULL, "{}", 2,
	         on_started, on_done, &x, &err) == 0);
	T_OK(run_until(a, &x) == 0);
	T_OK(!x.failed);
	T_EQ_STR(x.name, "r");
	T_EQ_INT(s->nreq, 4); /* PUT, Accepted?, Creating, Succeeded */
	T_CONTAINS(started_op, "resource PUT ");
	arm_free(a);
	srv_stop(s);
}

/* A fake account: one write at a time.  A write is busy until its status
 * URL has been read twice; a write arriving meanwhile gets 409
 * RequestConflict.  state[2] counts 409s, state[3] the busy op. */
static void
h_account(struct srv *s, const struct sreq *rq, struct sresp *o)
{
	if (strcmp(rq->method, "PUT") == 0) {
		if (s->state[3] != 0) {
			s->state[2]++;
			o->status = 409;
			snprintf(o->body, sizeof(o->body),
			    "{\"error\":{\"code\":\"RequestConflict\","
			    "\"message\":\"Another operation is being "
			    "performed on the parent resource\"}}");
			return;
		}
		s->state[3] = ++s->state[4];
		s->state[5] = 0;
		o->status = 201;
		srv_header(o, "Azure-AsyncOperation", "%s/ops/busy", s->base);
		return;
	}
	if (strncmp(rq->path, "/ops/busy", 9) == 0) {
		if (++s->state[5] >= 2) {
			s->state[3] = 0;
			snprintf(o->body, sizeof(o->body),
			    "{\"status\":\"Succeeded\"}");
		} else {
			snprintf(o->body, sizeof(o->body),
			    "{\"status\":\"InProgress\"}");
		}
		return;
	}
	snprintf(o->body, sizeof(o->body), "%s", BODY_OK);
}

static void
test_lane_serialises_writes_to_one_account(void)
{
	struct srv *s = srv_start(h_account);
	struct arm *a = net_client(s, NULL, 0);
	struct res x[3];
	struct err err = { 0 };
	int i, puts = 0;

	memset(x, 0, sizeof(x));
	for (i = 0; i < 3; i++)
		T_OK(arm_write(a, "acct", "PUT", "/subscriptions/s/d", NULL,
		         "{}", 2, NULL, on_done, &x[i], &err) == 0);
	T_OK(run_until(a, &x[2]) == 0);
	for (i = 0; i < 3; i++)
		T_OK(x[i].done && !x[i].failed);
	T_EQ_INT(s->state[2], 0); /* no conflict at all */
	for (i = 0; i < s->nreq; i++)
		puts += strcmp(s->log[i].method, "PUT") == 0;
	T_EQ_INT(puts, 3);
	T_EQ_INT(arm_pending(a), 0);
	arm_free(a);
	srv_stop(s);
}

static void
test_request_conflict_is_retried_with_backoff(void)
{
	struct srv *s = srv_start(h_account);
	struct arm *a = net_client(s, NULL, 50);
	struct res x[2];
	struct err err = { 0 };

	/* No lane: the second write meets the first on the server. */
	memset(x, 0, sizeof(x));
	T_OK(arm_write(a, NULL, "PUT", "/subscriptions/s/d", NULL, "{}", 2,
	         NULL, on_done, &x[0], &err) == 0);
	T_OK(arm_write(a, NULL, "PUT", "/subscriptions/s/e", NULL, "{}", 2,
	         NULL, on_done, &x[1], &err) == 0);
	T_OK(run_until(a, &x[0]) == 0 && run_until(a, &x[1]) == 0);
	T_OK(!x[0].failed && !x[1].failed);
	T_OK(s->state[2] >= 1); /* it did conflict, and recovered */
	arm_free(a);
	srv_stop(s);
}

static void
h_always_conflict(struct srv *s, const struct sreq *rq, struct sresp *o)
{
	(void)rq;
	s->state[2]++;
	o->status = 409;
	snprintf(o->body, sizeof(o->body),
	    "{\"error\":{\"code\":\"RequestConflict\",\"message\":\"busy\"}}");
}

static void
test_request_conflict_retries_are_bounded(void)
{
	struct srv *s = srv_start(h_always_conflict);
	struct arm *a = net_client(s, NULL, 2);
	struct res x = { 0 };
	struct err err = { 0 };

	T_OK(arm_write(a, "acct", "PUT", "/subscriptions/s/d", NULL, "{}", 2,
	         NULL, on_done, &x, &err) == 0);
	T_OK(run_until(a, &x) == 0);
	T_OK(x.failed);
	T_EQ_INT(s->nreq, 3);
	T_EQ_INT(x.e.code, ERR_CONFLICT);
	T_EQ_STR(x.code, "RequestConflict");
	T_CONTAINS(x.e.msg, "still conflicting after 2 retries");
	arm_free(a);
	srv_stop(s);
}

static void
h_pages(struct srv *s, const struct sreq *rq, struct sresp *o)
{
	if (strstr(rq->path, "/page2") != NULL)
		snprintf(o->body, sizeof(o->body),
		    "{\"value\":[{\"name\":\"c\"}]%s}",
		    s->state[0] ? ",\"nextLink\":\"https://evil.example/x\""
		                : "");
	else
		snprintf(o->body, sizeof(o->body),
		    "{\"value\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
		    "\"nextLink\":\"%s/page2?api-version=2024-10-01&"
		    "$skipToken=x\"}",
		    s->base);
}

static void
test_list_follows_next_link_on_the_same_origin_only(void)
{
	struct srv *s = srv_start(h_pages);
	struct arm *a = net_client(s, NULL, 0);
	struct err err = { 0 };
	cJSON *items = NULL;

	T_OK(arm_list_wait(a, "/subscriptions/s/list", &items, &err) == 0);
	T_EQ_INT(cJSON_GetArraySize(items), 3);
	T_EQ_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 2), "name")
	             ->valuestring,
	    "c");
	T_EQ_INT(s->nreq, 2);
	cJSON_Delete(items);
	s->state[0] = 1;
	T_OK(arm_list_wait(a, "/subscriptions/s/list", &items, &err) != 0);
	T_CONTAINS(err.msg, "points at another origin");
	arm_free(a);
	srv_stop(s);
}

static void
test_resume_polls_a_journalled_op_without_resending(void)
{
	struct srv *s = srv_start(h_async);
	struct arm *a = net_client(s, NULL, 0);
	struct res x = { 0 };
	struct arm_op op;
	struct err err = { 0 };
	char rec[512];
	int i;

	snprintf(rec, sizeof(rec),
	    "async PUT %s/subscriptions/s/d?api-version=2024-10-01 "
	    "%s/ops/1?api-version=2024-10-01",
	    s->base, s->base);
	T_OK(arm_op_decode(rec, &op, &err) == 0);
	T_OK(arm_resume(a, "acct", &op, on_done, &x, &err) == 0);
	T_OK(run_until(a, &x) == 0);
	T_OK(!x.failed);
	T_EQ_STR(x.name, "d");
	for (i = 0; i < s->nreq; i++)
		T_EQ_STR(s->log[i].method, "GET");
	T_EQ_INT(s->nreq, 4); /* 3 status reads, the resource */
	arm_op_release(&op);
	/* A record pointing elsewhere is refused before any request. */
	T_OK(arm_op_decode("async PUT https://evil.example/x "
	                   "https://evil.example/op",
	         &op, &err) == 0);
	T_OK(arm_resume(a, NULL, &op, on_done, &x, &err) != 0);
	T_CONTAINS(err.msg, "is not on the endpoint");
	arm_op_release(&op);
	arm_free(a);
	srv_stop(s);
}

int
main(void)
{
	struct http_opts ho = { .backoff_base_ms = 5,
		.pace_get_per_min = -1,
		.pace_post_per_min = -1 };
	struct auth_opts ao = { .method = AUTH_CLIENT_SECRET,
		.audience = AUTH_ARM,
		.fetch = fake_fetch };
	struct err err = { 0 };

	T_RUN(test_async_op_runs_then_succeeds_case_insensitively);
	T_RUN(test_retry_after_sets_the_wait_and_is_capped);
	T_RUN(test_location_202_runs_200_or_204_done);
	T_RUN(test_404_on_poll_url_is_in_progress_but_bounded);
	T_RUN(test_failed_names_state_code_and_message);
	T_RUN(test_failed_reads_are_retried_then_bounded);
	T_RUN(test_op_record_round_trips);
	if (http_new(&the_http, &ho, &err) != 0 ||
	    auth_new(&the_auth, &ao, &err) != 0) {
		fprintf(stderr, "# %s\n", err.msg);
		return 1;
	}
	T_RUN(test_put_polls_azure_asyncoperation_then_gets_resource);
	T_RUN(test_delete_202_lowercase_async_header_and_location_path);
	T_RUN(test_delete_204_is_done_at_once);
	T_RUN(test_failures_surface_the_service_code);
	T_RUN(test_foreign_status_url_is_refused);
	T_RUN(test_no_header_polls_provisioning_state);
	T_RUN(test_lane_serialises_writes_to_one_account);
	T_RUN(test_request_conflict_is_retried_with_backoff);
	T_RUN(test_request_conflict_retries_are_bounded);
	T_RUN(test_list_follows_next_link_on_the_same_origin_only);
	T_RUN(test_resume_polls_a_journalled_op_without_resending);
	auth_free(the_auth);
	http_free(the_http);
	return t_done();
}
