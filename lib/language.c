/* language.c - the Language authoring client: URLs, requests, paging and
 * the results of job starts.  The operations live in langops.c, job
 * polling in langpoll.c, JSON in langjson.c, blocking wrappers in
 * langwait.c.
 *
 * Every operation is a "call" that goes credential -> request -> parse ->
 * callback, so hundreds can be in flight on one struct http.  Polling is
 * a loop of GETs separated by timers that this client keeps itself, run
 * from language_tick()/language_run().
 * Credentials are only sent to the endpoint's own origin: a nextLink,
 * Operation-Location or resultUrl pointing elsewhere is refused rather than
 * followed. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "langjson.h"
#include "language_int.h"
#include "timeutil.h"

long long
language_mono(const struct language *lc)
{
	return lc->o.now_ms ? lc->o.now_ms(lc->o.clock_arg)
	                    : timeutil_mono_ms();
}

static char *
dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ---- client ------------------------------------------------------------ */

int
language_new(
    struct language **out, const struct language_opts *opts, struct err *err)
{
	struct language *lc;
	size_t n;
	int rc = -1;

	*out = NULL;
	if (opts->endpoint == NULL || opts->http == NULL || opts->auth == NULL)
		return err_set(err, ERR_SPEC,
		    "language: endpoint, http and auth are required");
	if (strncmp(opts->endpoint, "https://", 8) != 0 &&
	    !(strncmp(opts->endpoint, "http://", 7) == 0 &&
	        http_url_is_loopback(opts->endpoint)))
		return err_set(err, ERR_SPEC,
		    "language: endpoint '%s' must be an https URL (http only "
		    "on loopback)",
		    opts->endpoint);
	if ((lc = calloc(1, sizeof(*lc))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	lc->o = *opts;
	lc->endpoint = strdup(opts->endpoint);
	lc->api_version = strdup(opts->api_version && opts->api_version[0]
	        ? opts->api_version
	        : LANGUAGE_DEFAULT_API_VERSION);
	lc->text_api_version =
	    strdup(opts->text_api_version && opts->text_api_version[0]
	            ? opts->text_api_version
	            : LANGUAGE_DEFAULT_API_VERSION);
	lc->pace_key = dupstr(opts->pace_key ? opts->pace_key : opts->endpoint);
	if (lc->endpoint == NULL || lc->api_version == NULL ||
	    lc->text_api_version == NULL || lc->pace_key == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	n = strlen(lc->endpoint);
	while (n > 0 && lc->endpoint[n - 1] == '/')
		lc->endpoint[--n] = '\0';
	if (lc->o.poll_initial_ms <= 0)
		lc->o.poll_initial_ms = 2000;
	if (lc->o.poll_max_ms <= 0)
		lc->o.poll_max_ms = 30000;
	if (lc->o.poll_timeout_ms <= 0)
		lc->o.poll_timeout_ms = 6L * 3600 * 1000;
	if (lc->o.retry_after_max_ms <= 0)
		lc->o.retry_after_max_ms = 300000;
	if (lc->o.poll_max_failures <= 0)
		lc->o.poll_max_failures = 5;
	*out = lc;
	lc = NULL;
	rc = 0;
out:
	language_free(lc);
	return rc;
}

void
language_free(struct language *lc)
{
	struct timer *t;

	if (lc == NULL)
		return;
	while ((t = lc->timers) != NULL) {
		lc->timers = t->next;
		language_poll_free(t->poll);
		free(t);
	}
	free(lc->endpoint);
	free(lc->api_version);
	free(lc->text_api_version);
	free(lc->pace_key);
	free(lc);
}

const char *
language_api_version(const struct language *lc, enum language_family family)
{
	return family == LANGUAGE_TEXT ? lc->text_api_version : lc->api_version;
}

const char *
language_family_path(enum language_family family)
{
	return family == LANGUAGE_TEXT ? "analyze-text"
	                               : "analyze-conversations";
}

int
language_url(const struct language *lc, enum language_family family,
    const char *project, const char *suffix, const char *query, struct buf *out)
{
	buf_addstr(out, lc->endpoint);
	buf_addstr(out, "/language/authoring/");
	buf_addstr(out, language_family_path(family));
	buf_addstr(out, "/projects");
	if (project != NULL) {
		buf_addch(out, '/');
		buf_addurlenc(out, project);
	}
	if (suffix != NULL)
		buf_addstr(out, suffix);
	buf_addstr(out, "?api-version=");
	buf_addurlenc(out, language_api_version(lc, family));
	if (query != NULL)
		buf_addstr(out, query);
	return out->failed ? -1 : 0;
}

/* Splits an absolute URL's origin: scheme, host (lower-cased), port. */
static int
origin(
    const char *url, char *scheme, size_t ss, char *host, size_t hs, long *port)
{
	const char *p = strstr(url, "://"), *h, *end, *at;
	size_t n;

	if (p == NULL || (size_t)(p - url) >= ss)
		return -1;
	for (n = 0; url + n < p; n++)
		scheme[n] = (char)tolower((unsigned char)url[n]);
	scheme[n] = '\0';
	h = p + 3;
	end = h + strcspn(h, "/?#");
	at = memchr(h, '@', (size_t)(end - h));
	if (at != NULL)
		h = at + 1;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (rb == NULL)
			return -1;
		n = (size_t)(rb - h) + 1;
	} else {
		n = strcspn(h, ":/?#");
	}
	if (n == 0 || n >= hs)
		return -1;
	for (size_t i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)h[i]);
	host[n] = '\0';
	if (h[n] == ':' && isdigit((unsigned char)h[n + 1]))
		*port = strtol(h + n + 1, NULL, 10);
	else if (strcmp(scheme, "https") == 0)
		*port = 443;
	else if (strcmp(scheme, "http") == 0)
		*port = 80;
	else
		return -1;
	return 0;
}

int
language_same_origin(const struct language *lc, const char *url)
{
	char s1[16], s2[16], h1[256], h2[256];
	long p1, p2;

	if (url == NULL ||
	    origin(lc->endpoint, s1, sizeof(s1), h1, sizeof(h1), &p1) != 0 ||
	    origin(url, s2, sizeof(s2), h2, sizeof(h2), &p2) != 0)
		return 0;
	return strcmp(s1, s2) == 0 && strcmp(h1, h2) == 0 && p1 == p2;
}

/* ---- calls ------------------------------------------------------------- */

struct call *
language_call_new(struct language *lc, enum kind kind, const char *method,
    struct buf *url, struct err *err)
{
	struct call *c;

	if (buf_check(url, err, "language: building the request URL") != 0)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		return NULL;
	}
	c->lc = lc;
	c->kind = kind;
	c->method = method;
	c->url = buf_take(url);
	lc->pending++;
	return c;
}

void
language_call_free(struct call *c)
{
	if (c == NULL)
		return;
	c->lc->pending--;
	free(c->url);
	free(c->body);
	if (c->has_src && c->src.release != NULL)
		c->src.release(c->src.arg);
	language_projects_release(&c->projects);
	language_models_release(&c->models);
	language_deployments_release(&c->deployments);
	language_tcvs_release(&c->tcvs);
	free(c);
}

/* Delivers a failure to the call's callback and ends the call. */
static void
call_fail(struct call *c, const struct err *e)
{
	switch (c->kind) {
	case K_PROJECTS:
		((language_projects_fn)c->fn)(c->arg, NULL, e);
		break;
	case K_PROJECT:
		((language_project_fn)c->fn)(c->arg, NULL, e);
		break;
	case K_MODELS:
		((language_models_fn)c->fn)(c->arg, NULL, e);
		break;
	case K_MODEL:
		((language_model_fn)c->fn)(c->arg, NULL, e);
		break;
	case K_DEPLOYMENTS:
		((language_deployments_fn)c->fn)(c->arg, NULL, e);
		break;
	case K_DEPLOYMENT:
		((language_deployment_fn)c->fn)(c->arg, NULL, e);
		break;
	case K_TCVS:
		((language_tcvs_fn)c->fn)(c->arg, NULL, e);
		break;
	case K_START:
		((language_started_fn)c->fn)(c->arg, NULL, e);
		break;
	case K_JOB:
		if (c->poll != NULL)
			language_poll_on_job(c->poll, NULL, e);
		else
			((language_job_fn)c->fn)(c->arg, NULL, e);
		break;
	case K_RESULT:
		((language_done_fn)c->fn)(c->arg, e);
		break;
	}
	language_call_free(c);
}

/* The URL for messages: no query string. */
int
language_url_len(const char *url)
{
	size_t n = strcspn(url, "?#");

	return n > 300 ? 300 : (int)n;
}

static const char *
reason(long status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 409:
		return "Conflict";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "";
	}
}

/* Fills e from an unexpected status: the service's error.code and message
 * when the body has them. */
static void
status_err(const struct call *c, const struct http_resp *resp, struct err *e)
{
	const char *code = NULL, *msg = NULL;
	enum err_code ec = ERR_HTTP;
	cJSON *j;

	j = cJSON_ParseWithOpts(buf_str(&resp->body), NULL, 0);
	langjson_error(j, &code, &msg);
	/* Only a 404 that the service explains is "missing": a 404 from a
	 * wrong path or a proxy must not read as "the project is gone". */
	if (resp->status == 404 && code != NULL &&
	    strstr(code, "NotFound") != NULL)
		ec = ERR_NOTFOUND;
	err_set(e, ec, "language: %s %.*s: %ld%s%s%s%s%s%.200s", c->method,
	    language_url_len(c->url), c->url, resp->status,
	    reason(resp->status)[0] ? " " : "", reason(resp->status),
	    code ? ": " : "", code ? code : "", msg ? ": " : "",
	    msg ? msg : "");
	cJSON_Delete(j);
}

static void call_authed(void *arg, const char *header, const struct err *e);
static void call_done(
    void *arg, struct http_resp *resp, const struct err *terr);

/* Sends (or resends) c.  Returns -1 with err set when it could not be
 * queued; c is then still the caller's. */
static int
call_send(struct call *c, struct err *err)
{
	c->in_send = 1;
	c->send_failed = 0;
	if (auth_get(c->lc->o.auth, c->lc->o.http, call_authed, c, err) != 0) {
		c->in_send = 0;
		return -1;
	}
	c->in_send = 0;
	if (c->send_failed) {
		if (err != NULL)
			*err = c->send_err;
		return -1;
	}
	return 0;
}

/* Starts c; on failure frees it and returns -1 (the public contract: cb is
 * never called). */
int
language_call_start(struct call *c, struct err *err)
{
	if (call_send(c, err) != 0) {
		language_call_free(c);
		return -1;
	}
	return 0;
}

/* Resends c from inside a callback: a failure goes to c's callback. */
static void
call_resend(struct call *c)
{
	struct err e = { 0 };

	if (call_send(c, &e) != 0)
		call_fail(c, &e);
}

/* An export result streams from http straight to the caller's writer. */
static int
result_write(void *arg, const char *data, size_t len)
{
	struct call *c = arg;

	if (c->write(c->arg, data, len) != 0) {
		c->write_failed = 1;
		return -1;
	}
	return 0;
}

static void
call_authed(void *arg, const char *header, const struct err *e)
{
	struct call *c = arg;
	const char *secret[] = { header, NULL };
	const char *hdrs[] = { "Accept: application/json", NULL };
	struct http_req req = { 0 };
	struct err se = { 0 };

	if (e != NULL) {
		se = *e;
		err_wrap(&se, "language: %s %.*s", c->method,
		    language_url_len(c->url), c->url);
		goto fail;
	}
	req.method = c->method;
	req.url = c->url;
	req.headers = hdrs;
	req.secret_headers = secret;
	req.body = c->body;
	req.body_len = c->body_len;
	/* The call outlives the request (a 401 resends it): lend it. */
	req.body_own = HTTP_BODY_BORROW;
	req.body_src = c->has_src ? &c->src : NULL;
	req.content_type = c->content_type;
	req.pace_key = c->lc->pace_key;
	req.background = c->kind == K_JOB;
	if (c->kind == K_RESULT) {
		req.write = result_write;
		req.write_arg = c;
	}
	if (http_submit(c->lc->o.http, &req, call_done, c, &se) == 0)
		return;
	err_wrap(&se, "language: %s %.*s", c->method, language_url_len(c->url),
	    c->url);
fail:
	if (c->in_send) {
		c->send_err = se;
		c->send_failed = 1;
	} else {
		call_fail(c, &se);
	}
}

static long
retry_after_ms(const struct http_resp *resp)
{
	const char *v = http_resp_header(resp, "Retry-After");
	char *end;
	long s;

	if (v == NULL)
		return -1;
	while (*v == ' ')
		v++;
	s = strtol(v, &end, 10);
	if (end == v || s < 0)
		return -1; /* an HTTP-date: rare here; fall back to backoff */
	return s > 86400 ? 86400000L : s * 1000;
}

/* Hands the projects of the page that just came to c->page, if the caller
 * asked for them. */
static void
page_deliver(struct call *c)
{
	size_t from = c->paged;

	if (c->page == NULL || c->kind != K_PROJECTS || c->projects.n <= from)
		return;
	c->paged = c->projects.n;
	c->page(c->arg, c->projects.v + from, c->projects.n - from);
}

/* Follows a nextLink or delivers the whole list. */
static void
page_next(struct call *c, char *next)
{
	struct err e = { 0 };

	if (next == NULL) {
		page_deliver(c);
		switch (c->kind) {
		case K_PROJECTS:
			((language_projects_fn)c->fn)(
			    c->arg, &c->projects, NULL);
			break;
		case K_MODELS:
			((language_models_fn)c->fn)(c->arg, &c->models, NULL);
			break;
		case K_DEPLOYMENTS:
			((language_deployments_fn)c->fn)(
			    c->arg, &c->deployments, NULL);
			break;
		default:
			((language_tcvs_fn)c->fn)(c->arg, &c->tcvs, NULL);
			break;
		}
		language_call_free(c);
		return;
	}
	if (!language_same_origin(c->lc, next)) {
		err_set(&e, ERR_HTTP,
		    "language: GET %.*s: nextLink points at another origin: "
		    "%.*s",
		    language_url_len(c->url), c->url, language_url_len(next),
		    next);
		free(next);
		call_fail(c, &e);
		return;
	}
	free(c->url);
	c->url = next;
	c->auth_retried = 0;
	/* The next page is asked for before the caller's work on this one
	 * is queued behind it. */
	if (call_send(c, &e) != 0) {
		call_fail(c, &e);
		return;
	}
	page_deliver(c);
}

static void
deliver(struct call *c, struct http_resp *resp)
{
	struct err e = { 0 };
	cJSON *j = NULL;
	char *next = NULL;
	int rc = -1;
	union {
		struct language_project p;
		struct language_model m;
		struct language_deployment d;
		struct language_job job;
	} u;

	memset(&u, 0, sizeof(u));
	if (http_resp_json(resp, &j, &e) != 0)
		goto out;
	switch (c->kind) {
	case K_PROJECTS:
		rc = langjson_projects_page(j, &c->projects, &next, &e);
		break;
	case K_MODELS:
		rc = langjson_models_page(j, &c->models, &next, &e);
		break;
	case K_DEPLOYMENTS:
		rc = langjson_deployments_page(j, &c->deployments, &next, &e);
		break;
	case K_TCVS:
		rc = langjson_tcvs_page(j, &c->tcvs, &next, &e);
		break;
	case K_PROJECT:
		rc = langjson_project(j, "project", &u.p, &e);
		break;
	case K_MODEL:
		rc = langjson_model(j, "model", &u.m, &e);
		break;
	case K_DEPLOYMENT:
		rc = langjson_deployment(j, "deployment", &u.d, &e);
		break;
	default:
		rc = langjson_job(j, &u.job, &e);
		break;
	}
out:
	cJSON_Delete(j);
	if (rc != 0) {
		err_wrap(&e, "language: %s %.*s: response", c->method,
		    language_url_len(c->url), c->url);
		call_fail(c, &e);
		return;
	}
	switch (c->kind) {
	case K_PROJECT:
		((language_project_fn)c->fn)(c->arg, &u.p, NULL);
		language_project_release(&u.p);
		break;
	case K_MODEL:
		((language_model_fn)c->fn)(c->arg, &u.m, NULL);
		language_model_release(&u.m);
		break;
	case K_DEPLOYMENT:
		((language_deployment_fn)c->fn)(c->arg, &u.d, NULL);
		language_deployment_release(&u.d);
		break;
	case K_JOB:
		u.job.retry_after_ms = retry_after_ms(resp);
		if (c->poll != NULL)
			language_poll_on_job(c->poll, &u.job, NULL);
		else
			((language_job_fn)c->fn)(c->arg, &u.job, NULL);
		language_job_release(&u.job);
		break;
	default:
		page_next(c, next);
		return;
	}
	language_call_free(c);
}

static void
started(struct call *c, struct http_resp *resp)
{
	const char *loc = http_resp_header(resp, "Operation-Location");
	struct err e = { 0 };

	if (loc == NULL || strncmp(loc, "http", 4) != 0) {
		err_set(&e, ERR_HTTP,
		    "language: %s %.*s: %ld without an absolute "
		    "Operation-Location",
		    c->method, language_url_len(c->url), c->url, resp->status);
		call_fail(c, &e);
		return;
	}
	if (!language_same_origin(c->lc, loc)) {
		err_set(&e, ERR_HTTP,
		    "language: %s %.*s: Operation-Location points at another "
		    "origin: %.*s",
		    c->method, language_url_len(c->url), c->url,
		    language_url_len(loc), loc);
		call_fail(c, &e);
		return;
	}
	((language_started_fn)c->fn)(c->arg, loc, NULL);
	language_call_free(c);
}

/* The body went to the writer as it arrived (see result_write()). */
static void
result(struct call *c)
{
	((language_done_fn)c->fn)(c->arg, NULL);
	language_call_free(c);
}

static void
call_done(void *arg, struct http_resp *resp, const struct err *terr)
{
	struct call *c = arg;
	struct err e = { 0 };

	if (terr != NULL && c->write_failed) {
		err_set(&e, ERR_IO,
		    "language: GET %.*s: export result: writer failed",
		    language_url_len(c->url), c->url);
		call_fail(c, &e);
		return;
	}
	if (terr != NULL) {
		/* http's message already names the method and URL. */
		err_set(&e, terr->code, "language: %.400s%s", terr->msg,
		    resp != NULL && resp->maybe_sent
		        ? " (it may have reached the service: check before "
		          "sending it again)"
		        : "");
		call_fail(c, &e);
		return;
	}
	/* A token can be revoked or expire early: renew it once. */
	if (resp->status == 401 && auth_is_token(c->lc->o.auth) &&
	    !c->auth_retried) {
		c->auth_retried = 1;
		auth_invalidate(c->lc->o.auth);
		call_resend(c);
		return;
	}
	if (c->kind == K_START) {
		if (resp->status == 202 || resp->status == 200 ||
		    resp->status == 201) {
			started(c, resp);
			return;
		}
	} else if (resp->status == 200) {
		if (c->kind == K_RESULT)
			result(c);
		else
			deliver(c, resp);
		return;
	}
	status_err(c, resp, &e);
	call_fail(c, &e);
}
