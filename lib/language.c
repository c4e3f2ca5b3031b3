/* language.c - the Language authoring client: URLs, requests, paging, job
 * starts and job polling.  JSON lives in langjson.c, blocking wrappers in
 * langwait.c.
 *
 * Every operation is a "call" that goes credential -> request -> parse ->
 * callback, so hundreds can be in flight on one struct http.  Polling is
 * a loop of GETs separated by timers that this client keeps itself (lib/
 * http has no timer facility), run from language_tick()/language_run().
 * Credentials are only sent to the endpoint's own origin: a nextLink,
 * Operation-Location or resultUrl pointing elsewhere is refused rather than
 * followed. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "http.h"
#include "langjson.h"
#include "language.h"
#include "timeutil.h"

/* Callbacks of every type are kept as one type and cast back by kind. */
typedef void (*anyfn)(void);

struct timer {
	long long due;
	struct poll *poll;
	struct timer *next;
};

struct language {
	struct language_opts o;
	char *endpoint, *api_version, *text_api_version, *pace_key;
	int pending; /* calls and polls not yet ended */
	struct timer *timers;
};

enum kind {
	K_PROJECTS,
	K_PROJECT,
	K_MODELS,
	K_MODEL,
	K_DEPLOYMENTS,
	K_DEPLOYMENT,
	K_TCVS,
	K_START,
	K_JOB,
	K_RESULT,
};

struct poll {
	struct language *lc;
	char *url;
	language_job_fn progress;
	language_done_fn done;
	void *arg;
	struct language_poll_state ps;
};

struct call {
	struct language *lc;
	enum kind kind;
	const char *method;
	char *url, *body;
	size_t body_len;
	const char *content_type;
	int auth_retried;
	int in_send; /* inside call_send(): failures are returned */
	struct err send_err;
	int send_failed;
	anyfn fn; /* the callback, of the type its kind implies */
	void *arg;
	language_write_fn write;
	int write_failed;  /* write returned non-zero: the export is cut */
	struct poll *poll; /* K_JOB on behalf of a poll */
	struct language_projects projects;
	struct language_models models;
	struct language_deployments deployments;
	struct language_tcvs tcvs;
};

static void poll_on_job(
    struct poll *p, struct language_job *job, const struct err *get_err);

static long long
mono(const struct language *lc)
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

static void
poll_free(struct poll *p)
{
	if (p == NULL)
		return;
	p->lc->pending--;
	free(p->url);
	free(p);
}

void
language_free(struct language *lc)
{
	struct timer *t;

	if (lc == NULL)
		return;
	while ((t = lc->timers) != NULL) {
		lc->timers = t->next;
		poll_free(t->poll);
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

static struct call *
call_new(struct language *lc, enum kind kind, const char *method,
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

static void
call_free(struct call *c)
{
	if (c == NULL)
		return;
	c->lc->pending--;
	free(c->url);
	free(c->body);
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
			poll_on_job(c->poll, NULL, e);
		else
			((language_job_fn)c->fn)(c->arg, NULL, e);
		break;
	case K_RESULT:
		((language_done_fn)c->fn)(c->arg, e);
		break;
	}
	call_free(c);
}

/* The URL for messages: no query string. */
static int
url_len(const char *url)
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
	    url_len(c->url), c->url, resp->status,
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
static int
call_start(struct call *c, struct err *err)
{
	if (call_send(c, err) != 0) {
		call_free(c);
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
		err_wrap(&se, "language: %s %.*s", c->method, url_len(c->url),
		    c->url);
		goto fail;
	}
	req.method = c->method;
	req.url = c->url;
	req.headers = hdrs;
	req.secret_headers = secret;
	req.body = c->body;
	req.body_len = c->body_len;
	req.content_type = c->content_type;
	req.pace_key = c->lc->pace_key;
	if (c->kind == K_RESULT) {
		req.write = result_write;
		req.write_arg = c;
	}
	if (http_submit(c->lc->o.http, &req, call_done, c, &se) == 0)
		return;
	err_wrap(&se, "language: %s %.*s", c->method, url_len(c->url), c->url);
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

/* Follows a nextLink or delivers the whole list. */
static void
page_next(struct call *c, char *next)
{
	struct err e = { 0 };

	if (next == NULL) {
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
		call_free(c);
		return;
	}
	if (!language_same_origin(c->lc, next)) {
		err_set(&e, ERR_HTTP,
		    "language: GET %.*s: nextLink points at another origin: "
		    "%.*s",
		    url_len(c->url), c->url, url_len(next), next);
		free(next);
		call_fail(c, &e);
		return;
	}
	free(c->url);
	c->url = next;
	c->auth_retried = 0;
	call_resend(c);
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
		    url_len(c->url), c->url);
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
			poll_on_job(c->poll, &u.job, NULL);
		else
			((language_job_fn)c->fn)(c->arg, &u.job, NULL);
		language_job_release(&u.job);
		break;
	default:
		page_next(c, next);
		return;
	}
	call_free(c);
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
		    c->method, url_len(c->url), c->url, resp->status);
		call_fail(c, &e);
		return;
	}
	if (!language_same_origin(c->lc, loc)) {
		err_set(&e, ERR_HTTP,
		    "language: %s %.*s: Operation-Location points at another "
		    "origin: %.*s",
		    c->method, url_len(c->url), c->url, url_len(loc), loc);
		call_fail(c, &e);
		return;
	}
	((language_started_fn)c->fn)(c->arg, loc, NULL);
	call_free(c);
}

/* The body went to the writer as it arrived (see result_write()). */
static void
result(struct call *c)
{
	((language_done_fn)c->fn)(c->arg, NULL);
	call_free(c);
}

static void
call_done(void *arg, struct http_resp *resp, const struct err *terr)
{
	struct call *c = arg;
	struct err e = { 0 };

	if (terr != NULL && c->write_failed) {
		err_set(&e, ERR_IO,
		    "language: GET %.*s: export result: writer failed",
		    url_len(c->url), c->url);
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

/* ---- operations -------------------------------------------------------- */

static int
get_op(struct language *lc, enum kind kind, enum language_family family,
    const char *project, const char *suffix, const char *query, anyfn cb,
    void *arg, struct err *err)
{
	struct buf url = { .max = 8192 }, q = { .max = 2048 };
	struct call *c;

	if (query != NULL)
		buf_addstr(&q, query);
	if (lc->o.page_size > 0 && kind != K_PROJECT && kind != K_MODEL &&
	    kind != K_DEPLOYMENT)
		buf_addf(&q, "&maxpagesize=%d", lc->o.page_size);
	language_url(lc, family, project, suffix, q.data, &url);
	buf_release(&q);
	if ((c = call_new(lc, kind, "GET", &url, err)) == NULL) {
		buf_release(&url);
		return -1;
	}
	buf_release(&url);
	c->fn = cb;
	c->arg = arg;
	return call_start(c, err);
}

/* A path segment "/models/{label}" with the name encoded. */
static int
seg(struct buf *b, const char *pre, const char *name, const char *post)
{
	buf_addstr(b, pre);
	if (name != NULL)
		buf_addurlenc(b, name);
	if (post != NULL)
		buf_addstr(b, post);
	return b->failed ? -1 : 0;
}

static int
need_name(const char *what, const char *v, struct err *err)
{
	if (v == NULL || v[0] == '\0')
		return err_set(err, ERR_SPEC, "language: no %s name", what);
	return 0;
}

int
language_list_projects(struct language *lc, enum language_family family,
    language_projects_fn cb, void *arg, struct err *err)
{
	return get_op(
	    lc, K_PROJECTS, family, NULL, NULL, NULL, (anyfn)cb, arg, err);
}

int
language_get_project(struct language *lc, enum language_family family,
    const char *project, language_project_fn cb, void *arg, struct err *err)
{
	if (need_name("project", project, err) != 0)
		return -1;
	return get_op(
	    lc, K_PROJECT, family, project, NULL, NULL, (anyfn)cb, arg, err);
}

int
language_list_models(struct language *lc, enum language_family family,
    const char *project, language_models_fn cb, void *arg, struct err *err)
{
	if (need_name("project", project, err) != 0)
		return -1;
	return get_op(lc, K_MODELS, family, project, "/models", NULL, (anyfn)cb,
	    arg, err);
}

int
language_get_model(struct language *lc, enum language_family family,
    const char *project, const char *label, language_model_fn cb, void *arg,
    struct err *err)
{
	struct buf s = { .max = 1024 };
	int rc;

	if (need_name("project", project, err) != 0 ||
	    need_name("model", label, err) != 0)
		return -1;
	seg(&s, "/models/", label, NULL);
	rc = get_op(lc, K_MODEL, family, project, buf_str(&s), NULL, (anyfn)cb,
	    arg, err);
	buf_release(&s);
	return rc;
}

int
language_list_deployments(struct language *lc, enum language_family family,
    const char *project, language_deployments_fn cb, void *arg, struct err *err)
{
	if (need_name("project", project, err) != 0)
		return -1;
	return get_op(lc, K_DEPLOYMENTS, family, project, "/deployments", NULL,
	    (anyfn)cb, arg, err);
}

int
language_get_deployment(struct language *lc, enum language_family family,
    const char *project, const char *deployment, language_deployment_fn cb,
    void *arg, struct err *err)
{
	struct buf s = { .max = 1024 };
	int rc;

	if (need_name("project", project, err) != 0 ||
	    need_name("deployment", deployment, err) != 0)
		return -1;
	seg(&s, "/deployments/", deployment, NULL);
	rc = get_op(lc, K_DEPLOYMENT, family, project, buf_str(&s), NULL,
	    (anyfn)cb, arg, err);
	buf_release(&s);
	return rc;
}

int
language_list_training_config_versions(struct language *lc,
    enum language_family family, const char *project_kind, language_tcvs_fn cb,
    void *arg, struct err *err)
{
	struct buf q = { .max = 1024 };
	int rc;

	if (project_kind != NULL) {
		buf_addstr(&q, "&projectKind=");
		buf_addurlenc(&q, project_kind);
	}
	rc = get_op(lc, K_TCVS, family, "global", "/training-config-versions",
	    q.data, (anyfn)cb, arg, err);
	buf_release(&q);
	return rc;
}

/* A job start: method on url with an optional JSON body. */
static int
start_op(struct language *lc, const char *method, struct buf *url,
    const char *body, size_t body_len, language_started_fn cb, void *arg,
    struct err *err)
{
	struct call *c = call_new(lc, K_START, method, url, err);

	buf_release(url);
	if (c == NULL)
		return -1;
	if (body != NULL) {
		if ((c->body = malloc(body_len + 1)) == NULL) {
			call_free(c);
			return err_set(err, ERR_NOMEM, "out of memory");
		}
		memcpy(c->body, body, body_len);
		c->body[body_len] = '\0';
		c->body_len = body_len;
		c->content_type = "application/json";
	}
	c->fn = (anyfn)cb;
	c->arg = arg;
	return call_start(c, err);
}

int
language_export_start(struct language *lc, enum language_family family,
    const char *project, const struct language_export_opts *opts,
    language_started_fn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 }, q = { .max = 2048 };
	static const struct language_export_opts none = { 0 };
	int rc;

	if (need_name("project", project, err) != 0)
		return -1;
	if (opts == NULL)
		opts = &none;
	buf_addstr(&q, "&stringIndexType=");
	buf_addurlenc(&q,
	    opts->string_index_type ? opts->string_index_type
	                            : "Utf16CodeUnit");
	if (opts->asset_kind != NULL) {
		buf_addstr(&q, "&assetKind=");
		buf_addurlenc(&q, opts->asset_kind);
	}
	if (opts->trained_model_label != NULL) {
		buf_addstr(&q, "&trainedModelLabel=");
		buf_addurlenc(&q, opts->trained_model_label);
	}
	language_url(lc, family, project, "/:export", buf_str(&q), &url);
	buf_release(&q);
	rc = start_op(lc, "POST", &url, NULL, 0, cb, arg, err);
	return rc;
}

int
language_import_start(struct language *lc, enum language_family family,
    const char *project, const char *body, size_t body_len,
    language_started_fn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 };

	if (need_name("project", project, err) != 0)
		return -1;
	if (body == NULL || body_len == 0)
		return err_set(err, ERR_SPEC, "language: import: empty body");
	language_url(lc, family, project, "/:import", NULL, &url);
	return start_op(lc, "POST", &url, body, body_len, cb, arg, err);
}

int
language_train_start(struct language *lc, enum language_family family,
    const char *project, const struct language_train_opts *opts,
    language_started_fn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 }, body = { .max = 4096 };
	int rc = -1;

	if (need_name("project", project, err) != 0)
		return -1;
	if (langjson_train_body(family, opts, &body, err) != 0)
		goto out;
	language_url(lc, family, project, "/:train", NULL, &url);
	rc = start_op(lc, "POST", &url, body.data, body.len, cb, arg, err);
out:
	buf_release(&url);
	buf_release(&body);
	return rc;
}

int
language_deploy_start(struct language *lc, enum language_family family,
    const char *project, const char *deployment, const char *model_label,
    language_started_fn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 }, body = { .max = 4096 },
	           s = { .max = 1024 };
	int rc = -1;

	if (need_name("project", project, err) != 0 ||
	    need_name("deployment", deployment, err) != 0 ||
	    langjson_deploy_body(model_label, &body, err) != 0)
		goto out;
	seg(&s, "/deployments/", deployment, NULL);
	language_url(lc, family, project, buf_str(&s), NULL, &url);
	rc = start_op(lc, "PUT", &url, body.data, body.len, cb, arg, err);
out:
	buf_release(&url);
	buf_release(&body);
	buf_release(&s);
	return rc;
}

int
language_delete_deployment_start(struct language *lc,
    enum language_family family, const char *project, const char *deployment,
    language_started_fn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 }, s = { .max = 1024 };
	int rc;

	if (need_name("project", project, err) != 0 ||
	    need_name("deployment", deployment, err) != 0)
		return -1;
	seg(&s, "/deployments/", deployment, NULL);
	language_url(lc, family, project, buf_str(&s), NULL, &url);
	buf_release(&s);
	rc = start_op(lc, "DELETE", &url, NULL, 0, cb, arg, err);
	return rc;
}

static int
url_op(struct language *lc, enum kind kind, const char *url, anyfn cb,
    void *arg, struct poll *p, struct err *err)
{
	struct buf b = { .max = 8192 };
	struct call *c;

	if (url == NULL || !language_same_origin(lc, url))
		return err_set(err, ERR_SPEC,
		    "language: '%.*s' is not on the endpoint %s",
		    url ? url_len(url) : 6, url ? url : "(null)", lc->endpoint);
	buf_addstr(&b, url);
	if ((c = call_new(lc, kind, "GET", &b, err)) == NULL) {
		buf_release(&b);
		return -1;
	}
	c->fn = cb;
	c->arg = arg;
	c->poll = p;
	return call_start(c, err);
}

int
language_job_get(struct language *lc, const char *job_url, language_job_fn cb,
    void *arg, struct err *err)
{
	return url_op(lc, K_JOB, job_url, (anyfn)cb, arg, NULL, err);
}

int
language_export_result(struct language *lc, const char *result_url,
    language_write_fn write, language_done_fn done, void *arg, struct err *err)
{
	struct buf b = { .max = 8192 };
	struct call *c;

	if (result_url == NULL || !language_same_origin(lc, result_url))
		return err_set(err, ERR_SPEC,
		    "language: resultUrl is not on the endpoint %s",
		    lc->endpoint);
	buf_addstr(&b, result_url);
	if ((c = call_new(lc, K_RESULT, "GET", &b, err)) == NULL) {
		buf_release(&b);
		return -1;
	}
	c->fn = (anyfn)done;
	c->write = write;
	c->arg = arg;
	return call_start(c, err);
}

/* ---- polling ----------------------------------------------------------- */

void
language_poll_init(
    const struct language *lc, struct language_poll_state *ps, long long now)
{
	memset(ps, 0, sizeof(*ps));
	ps->deadline_ms = now + lc->o.poll_timeout_ms;
	ps->next_ms = lc->o.poll_initial_ms;
}

enum language_poll_verdict
language_poll_step(const struct language *lc, struct language_poll_state *ps,
    const struct language_job *job, const struct err *get_err, long long now,
    long *wait_ms, struct err *err)
{
	long wait;

	*wait_ms = 0;
	if (job == NULL) {
		/* The job is where it was: a failed status GET is retried,
		 * never answered by starting the job again. */
		if (get_err != NULL && get_err->code == ERR_NOTFOUND) {
			*err = *get_err;
			return LANGUAGE_POLL_FAILED;
		}
		if (++ps->failures > lc->o.poll_max_failures) {
			if (get_err != NULL)
				*err = *get_err;
			err_wrap(err, "%d status reads failed in a row",
			    ps->failures);
			return LANGUAGE_POLL_FAILED;
		}
		wait = ps->next_ms;
	} else {
		ps->failures = 0;
		ps->polls++;
		switch (job->status) {
		case LANGUAGE_JOB_SUCCEEDED:
			return LANGUAGE_POLL_DONE;
		case LANGUAGE_JOB_FAILED:
		case LANGUAGE_JOB_CANCELLED:
		case LANGUAGE_JOB_PARTIALLY_COMPLETED:
			err_set(err, ERR_HTTP, "%s%s%s%s%s",
			    job->status_str ? job->status_str : "failed",
			    job->n_errors && job->errors[0].code ? ": " : "",
			    job->n_errors && job->errors[0].code
			        ? job->errors[0].code
			        : "",
			    job->n_errors && job->errors[0].message ? ": " : "",
			    job->n_errors && job->errors[0].message
			        ? job->errors[0].message
			        : "");
			return LANGUAGE_POLL_FAILED;
		default:
			break;
		}
		wait = job->retry_after_ms >= 0
		    ? (job->retry_after_ms > lc->o.retry_after_max_ms
		              ? lc->o.retry_after_max_ms
		              : job->retry_after_ms)
		    : ps->next_ms;
	}
	if (now >= ps->deadline_ms) {
		err_set(err, ERR_HTTP, "still %s at the deadline (%ld s)",
		    job && job->status_str ? job->status_str : "unread",
		    lc->o.poll_timeout_ms / 1000);
		return LANGUAGE_POLL_FAILED;
	}
	if (now + wait > ps->deadline_ms)
		wait = (long)(ps->deadline_ms - now);
	ps->next_ms = ps->next_ms * 2 > lc->o.poll_max_ms ? lc->o.poll_max_ms
	                                                  : ps->next_ms * 2;
	*wait_ms = wait;
	return LANGUAGE_POLL_WAIT;
}

static void
poll_get(struct poll *p)
{
	struct err e = { 0 };

	if (url_op(p->lc, K_JOB, p->url, NULL, NULL, p, &e) != 0)
		poll_on_job(p, NULL, &e);
}

static void
poll_on_job(struct poll *p, struct language_job *job, const struct err *ge)
{
	struct language *lc = p->lc;
	struct err e = { 0 };
	struct timer *t, **tp;
	long wait;

	switch (language_poll_step(lc, &p->ps, job, ge, mono(lc), &wait, &e)) {
	case LANGUAGE_POLL_DONE:
		if (p->progress != NULL)
			p->progress(p->arg, job, NULL);
		p->done(p->arg, NULL);
		poll_free(p);
		return;
	case LANGUAGE_POLL_FAILED:
		if (job != NULL && p->progress != NULL)
			p->progress(p->arg, job, NULL);
		err_wrap(&e, "language: job %.*s", url_len(p->url), p->url);
		p->done(p->arg, &e);
		poll_free(p);
		return;
	case LANGUAGE_POLL_WAIT:
		break;
	}
	if (job != NULL && p->progress != NULL)
		p->progress(p->arg, job, NULL);
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		p->done(p->arg, &e);
		poll_free(p);
		return;
	}
	t->due = mono(lc) + wait;
	t->poll = p;
	for (tp = &lc->timers; *tp != NULL && (*tp)->due <= t->due;
	     tp = &(*tp)->next)
		;
	t->next = *tp;
	*tp = t;
}

int
language_poll(struct language *lc, const char *job_url,
    language_job_fn progress, language_done_fn done, void *arg, struct err *err)
{
	struct poll *p;

	if (job_url == NULL || !language_same_origin(lc, job_url))
		return err_set(err, ERR_SPEC,
		    "language: job URL '%.*s' is not on the endpoint %s",
		    job_url ? url_len(job_url) : 6,
		    job_url ? job_url : "(null)", lc->endpoint);
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->url = strdup(job_url)) == NULL) {
		free(p);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	p->lc = lc;
	p->progress = progress;
	p->done = done;
	p->arg = arg;
	lc->pending++;
	language_poll_init(lc, &p->ps, mono(lc));
	if (url_op(lc, K_JOB, p->url, NULL, NULL, p, err) != 0) {
		poll_free(p);
		return -1;
	}
	return 0;
}

long
language_tick(struct language *lc)
{
	struct timer *t;
	long long now = mono(lc);

	while ((t = lc->timers) != NULL && t->due <= now) {
		lc->timers = t->next;
		poll_get(t->poll);
		free(t);
	}
	if (lc->timers == NULL)
		return -1;
	return (long)(lc->timers->due - now);
}

int
language_run(struct language *lc, long timeout_ms, struct err *err)
{
	long long end = timeout_ms < 0 ? -1 : mono(lc) + timeout_ms;
	long next, slice;

	for (;;) {
		next = language_tick(lc);
		if (lc->pending == 0)
			return 0;
		if (end >= 0 && mono(lc) >= end)
			return 0;
		slice = next < 0 || next > 1000 ? 1000 : next;
		if (end >= 0 && end - mono(lc) < slice)
			slice = (long)(end - mono(lc));
		if (next < 0 && http_pending(lc->o.http) == 0)
			return err_set(err, ERR_HTTP,
			    "language: %d operations wait on nothing",
			    lc->pending);
		if (http_pending(lc->o.http) > 0) {
			if (http_run(lc->o.http, slice, err) < 0)
				return -1;
		} else if (slice > 0) {
			struct timespec ts = { slice / 1000,
				(slice % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
}
