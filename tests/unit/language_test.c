/* language_test.c - the Language client without a network: URLs, the
 * origin check that keeps credentials at home, and the job-poll state
 * machine on an injected clock. */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "buf.h"
#include "language.h"
#include "t.h"

static long long fake_now;

static long long
clock_fn(void *arg)
{
	(void)arg;
	return fake_now;
}

static struct auth *the_auth;
static struct http *no_http = (struct http *)&fake_now; /* never used */

static struct language *
client(const char *endpoint, const char *version)
{
	struct language_opts o = { .endpoint = endpoint,
		.api_version = version,
		.http = no_http,
		.auth = the_auth,
		.now_ms = clock_fn,
		.poll_initial_ms = 1000,
		.poll_max_ms = 8000,
		.poll_timeout_ms = 60000,
		.poll_max_failures = 2 };
	struct language *lc = NULL;
	struct err err = { 0 };

	if (language_new(&lc, &o, &err) != 0)
		fprintf(stderr, "# %s\n", err.msg);
	return lc;
}

static void
test_urls_per_family_and_version(void)
{
	struct language *lc =
	    client("https://Lang-East.cognitiveservices.azure.com/", NULL);
	struct buf b = { 0 };

	T_OK(lc != NULL);
	T_OK(language_url(lc, LANGUAGE_CONVERSATIONS, NULL, NULL, NULL, &b) ==
	    0);
	T_EQ_STR(buf_str(&b),
	    "https://Lang-East.cognitiveservices.azure.com/language/authoring/"
	    "analyze-conversations/projects?api-version=2023-04-01");
	buf_reset(&b);
	T_OK(language_url(lc, LANGUAGE_TEXT, "my proj/x", "/:export",
	         "&stringIndexType=Utf16CodeUnit", &b) == 0);
	T_EQ_STR(buf_str(&b),
	    "https://Lang-East.cognitiveservices.azure.com/language/authoring/"
	    "analyze-text/projects/my%20proj%2Fx/:export?api-version=2023-04-"
	    "01&stringIndexType=Utf16CodeUnit");
	buf_release(&b);
	language_free(lc);
	lc = client("https://h.example", "2025-11-01");
	T_EQ_STR(
	    language_api_version(lc, LANGUAGE_CONVERSATIONS), "2025-11-01");
	/* No 2025-11-01 text authoring exists: text keeps its default. */
	T_EQ_STR(language_api_version(lc, LANGUAGE_TEXT), "2023-04-01");
	language_free(lc);
}

static void
test_endpoint_must_be_https_off_loopback(void)
{
	struct language_opts o = { .endpoint = "http://lang.example.com",
		.http = no_http,
		.auth = the_auth };
	struct language *lc = NULL;
	struct err err = { 0 };

	T_OK(language_new(&lc, &o, &err) != 0);
	T_CONTAINS(err.msg, "must be an https URL");
	o.endpoint = "http://127.0.0.1:8080";
	T_OK(language_new(&lc, &o, &err) == 0);
	language_free(lc);
}

static void
test_same_origin_only(void)
{
	struct language *lc = client("https://lang.example.com", NULL);

	T_OK(language_same_origin(
	    lc, "https://lang.example.com/language/x?api-version=1"));
	T_OK(language_same_origin(
	    lc, "https://LANG.example.com:443/language/x"));
	T_OK(!language_same_origin(lc, "https://lang.example.com:8443/x"));
	T_OK(!language_same_origin(lc, "http://lang.example.com/x"));
	T_OK(!language_same_origin(lc, "https://evil.example.com/x"));
	T_OK(!language_same_origin(lc, "https://lang.example.com@evil.io/x"));
	T_OK(!language_same_origin(lc, "https://lang.example.com.evil.io/x"));
	T_OK(!language_same_origin(lc, "/language/relative"));
	T_OK(!language_same_origin(lc, NULL));
	language_free(lc);
}

static void
test_start_refuses_foreign_job_url(void)
{
	struct language *lc = client("https://lang.example.com", NULL);
	struct err err = { 0 };

	T_OK(language_poll(lc, "https://evil.example.com/jobs/1", NULL, NULL,
	         NULL, &err) != 0);
	T_CONTAINS(err.msg, "is not on the endpoint");
	T_OK(language_export_result(lc, "https://evil.example.com/r", NULL,
	         NULL, NULL, &err) != 0);
	T_OK(
	    language_get_project(lc, LANGUAGE_TEXT, "", NULL, NULL, &err) != 0);
	T_CONTAINS(err.msg, "no project name");
	language_free(lc);
}

static int releases;

static void
count_release(void *arg)
{
	(void)arg;
	releases++;
}

static void
test_import_src_is_released_when_refused(void)
{
	struct language *lc = client("https://lang.example.com", NULL);
	struct err err = { 0 };
	struct http_body_src src = { .len = 10, .release = count_release };

	/* The call takes the source over even when it fails at once. */
	releases = 0;
	T_EQ_INT(language_import_start_src(
	             lc, LANGUAGE_CONVERSATIONS, "", &src, NULL, NULL, &err),
	    -1);
	T_CONTAINS(err.msg, "no project name");
	T_EQ_INT(releases, 1);
	src.len = 0;
	T_EQ_INT(language_import_start_src(
	             lc, LANGUAGE_CONVERSATIONS, "P", &src, NULL, NULL, &err),
	    -1);
	T_CONTAINS(err.msg, "empty body");
	T_EQ_INT(releases, 2);
	language_free(lc);
}

static struct language_job
job(enum language_job_status s, const char *str)
{
	struct language_job j = { 0 };

	j.status = s;
	j.status_str = (char *)str;
	j.retry_after_ms = -1;
	return j;
}

static void
test_poll_backs_off_until_success(void)
{
	struct language *lc = client("https://h.example", NULL);
	struct language_poll_state ps;
	struct language_job r = job(LANGUAGE_JOB_RUNNING, "running");
	struct language_job n = job(LANGUAGE_JOB_NOT_STARTED, "notStarted");
	struct language_job s = job(LANGUAGE_JOB_SUCCEEDED, "succeeded");
	struct err err = { 0 };
	long w;

	language_poll_init(lc, &ps, 0);
	T_EQ_INT(language_poll_step(lc, &ps, &n, NULL, 0, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(w, 1000);
	T_EQ_INT(language_poll_step(lc, &ps, &r, NULL, 1000, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(w, 2000);
	T_EQ_INT(language_poll_step(lc, &ps, &r, NULL, 3000, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(w, 4000);
	T_EQ_INT(language_poll_step(lc, &ps, &r, NULL, 7000, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(w, 8000);
	T_EQ_INT(language_poll_step(lc, &ps, &r, NULL, 15000, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(w, 8000); /* capped */
	T_EQ_INT(language_poll_step(lc, &ps, &s, NULL, 23000, &w, &err),
	    LANGUAGE_POLL_DONE);
	T_EQ_INT(ps.polls, 6);
	language_free(lc);
}

static void
test_poll_honours_retry_after(void)
{
	struct language *lc = client("https://h.example", NULL);
	struct language_poll_state ps;
	struct language_job r = job(LANGUAGE_JOB_RUNNING, "running");
	struct err err = { 0 };
	long w;

	language_poll_init(lc, &ps, 0);
	r.retry_after_ms = 30000;
	T_EQ_INT(language_poll_step(lc, &ps, &r, NULL, 0, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(w, 30000);
	r.retry_after_ms = 0;
	T_EQ_INT(language_poll_step(lc, &ps, &r, NULL, 100, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(w, 0);
	/* A wait never runs past the deadline. */
	r.retry_after_ms = 50000;
	T_EQ_INT(language_poll_step(lc, &ps, &r, NULL, 40000, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(w, 20000);
	language_free(lc);
}

static void
test_poll_terminal_failures_carry_service_error(void)
{
	static const struct {
		enum language_job_status s;
		const char *name;
	} bad[] = { { LANGUAGE_JOB_FAILED, "failed" },
		{ LANGUAGE_JOB_CANCELLED, "cancelled" },
		{ LANGUAGE_JOB_PARTIALLY_COMPLETED, "partiallyCompleted" } };
	struct language *lc = client("https://h.example", NULL);
	struct language_msg e = { (char *)"InvalidArgument",
		(char *)"language 'xx' is not supported" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct language_poll_state ps;
		struct language_job f = job(bad[i].s, bad[i].name);
		struct err err = { 0 };
		long w;

		f.errors = &e;
		f.n_errors = 1;
		language_poll_init(lc, &ps, 0);
		T_EQ_INT(language_poll_step(lc, &ps, &f, NULL, 0, &w, &err),
		    LANGUAGE_POLL_FAILED);
		T_CONTAINS(err.msg, bad[i].name);
		T_CONTAINS(
		    err.msg, "InvalidArgument: language 'xx' is not supported");
	}
	language_free(lc);
}

static void
test_poll_unknown_status_waits_until_deadline(void)
{
	struct language *lc = client("https://h.example", NULL);
	struct language_poll_state ps;
	struct language_job u = job(LANGUAGE_JOB_UNKNOWN, "pondering");
	struct language_job c = job(LANGUAGE_JOB_CANCELLING, "cancelling");
	struct err err = { 0 };
	long w;

	language_poll_init(lc, &ps, 0);
	T_EQ_INT(language_poll_step(lc, &ps, &u, NULL, 59999, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(w, 1);
	T_EQ_INT(language_poll_step(lc, &ps, &c, NULL, 59999, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(language_poll_step(lc, &ps, &u, NULL, 60000, &w, &err),
	    LANGUAGE_POLL_FAILED);
	T_CONTAINS(err.msg, "still pondering at the deadline");
	language_free(lc);
}

static void
test_poll_survives_a_few_failed_reads(void)
{
	struct language *lc = client("https://h.example", NULL);
	struct language_poll_state ps;
	struct language_job r = job(LANGUAGE_JOB_RUNNING, "running");
	struct err ge = { ERR_HTTP,
		"language: GET x: 503 Service Unavailable" };
	struct err nf = { ERR_NOTFOUND, "language: GET x: 404 Not Found" };
	struct err err = { 0 };
	long w;

	language_poll_init(lc, &ps, 0);
	T_EQ_INT(language_poll_step(lc, &ps, NULL, &ge, 0, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(language_poll_step(lc, &ps, NULL, &ge, 1000, &w, &err),
	    LANGUAGE_POLL_WAIT);
	/* A good read resets the count. */
	T_EQ_INT(language_poll_step(lc, &ps, &r, NULL, 3000, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(language_poll_step(lc, &ps, NULL, &ge, 7000, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(language_poll_step(lc, &ps, NULL, &ge, 8000, &w, &err),
	    LANGUAGE_POLL_WAIT);
	T_EQ_INT(language_poll_step(lc, &ps, NULL, &ge, 9000, &w, &err),
	    LANGUAGE_POLL_FAILED);
	T_CONTAINS(err.msg, "3 status reads failed in a row");
	T_CONTAINS(err.msg, "503");
	/* A job the service no longer knows is not retried. */
	language_poll_init(lc, &ps, 0);
	T_EQ_INT(language_poll_step(lc, &ps, NULL, &nf, 0, &w, &err),
	    LANGUAGE_POLL_FAILED);
	T_EQ_INT(err.code, ERR_NOTFOUND);
	language_free(lc);
}

int
main(void)
{
	struct auth_opts ao = { .method = AUTH_KEY_ENV,
		.key_env = "LANGUAGE_TEST_KEY" };
	struct err err = { 0 };
	int rc;

	setenv("LANGUAGE_TEST_KEY", "k", 1);
	if (auth_new(&the_auth, &ao, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	T_RUN(test_urls_per_family_and_version);
	T_RUN(test_endpoint_must_be_https_off_loopback);
	T_RUN(test_same_origin_only);
	T_RUN(test_start_refuses_foreign_job_url);
	T_RUN(test_import_src_is_released_when_refused);
	T_RUN(test_poll_backs_off_until_success);
	T_RUN(test_poll_honours_retry_after);
	T_RUN(test_poll_terminal_failures_carry_service_error);
	T_RUN(test_poll_unknown_status_waits_until_deadline);
	T_RUN(test_poll_survives_a_few_failed_reads);
	rc = t_done();
	auth_free(the_auth);
	return rc;
}
