/* arm.c - the Azure Resource Manager client: requests with bearer auth,
 * lists, and long-running writes with lanes, 409 retries and polling.
 *
 * Everything is a small state object advanced by callbacks: a "call" is
 * one request (credential -> http -> response), a "list" a chain of calls
 * over nextLink, a "write" a lane wait, a first request, polls separated by
 * timers and a final GET.  Timers are kept here (lib/http has none) and
 * run by arm_tick()/arm_run().  Lanes exist because Azure OpenAI answers
 * 409 RequestConflict to a second deployment write on an account while the
 * first one runs: holding the lane over the whole operation, polls
 * included, is what keeps our own writes from colliding. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "arm.h"
#include "auth.h"
#include "http.h"
#include "httpurl.h"
#include "timeutil.h"

struct timer {
	long long due;
	arm_timer_fn fn;
	void *arg;
	struct timer *next;
};

struct write;

struct lane {
	char *key;
	int busy;
	struct write *head, *tail; /* waiting, in order */
	struct lane *next;
};

struct arm {
	struct arm_opts o;
	char *endpoint, *api_version, *name, *pace_key, *origin;
	int pending;
	struct timer *timers;
	struct lane *lanes;
};

struct call {
	struct arm *a;
	char *method, *url, *body;
	size_t body_len;
	char *content_type; /* owned: the caller's may be gone by the send */
	int retry;
	int background;
	int auth_retried;
	int in_send, send_failed;
	struct err send_err;
	arm_done_fn cb;
	void *arg;
};

struct list {
	struct arm *a;
	cJSON *items;
	char *api_version;
	int pages;
	arm_list_fn cb;
	void *arg;
};

struct write {
	struct arm *a;
	struct lane *lane;
	struct write *qnext;
	char *body;
	size_t body_len;
	struct arm_op op;
	int resumed;
	int conflicts;
	long conflict_next_ms;
	struct arm_poll_state ps;
	arm_started_fn started;
	arm_done_fn done;
	void *arg;
};

static long long
mono(const struct arm *a)
{
	return a->o.now_ms ? a->o.now_ms(a->o.clock_arg) : timeutil_mono_ms();
}

static char *
dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
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
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
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
	case 410:
		return "Gone";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "";
	}
}

/* ---- client ------------------------------------------------------------ */

int
arm_new(struct arm **out, const struct arm_opts *opts, struct err *err)
{
	struct arm *a;
	const char *ep = opts->endpoint ? opts->endpoint : ARM_DEFAULT_ENDPOINT;
	size_t n;
	int rc = -1;

	*out = NULL;
	if (opts->http == NULL || opts->auth == NULL)
		return err_set(
		    err, ERR_SPEC, "arm: http and auth are required");
	if (strncmp(ep, "https://", 8) != 0 &&
	    !(strncmp(ep, "http://", 7) == 0 && http_url_is_loopback(ep)))
		return err_set(err, ERR_SPEC,
		    "arm: endpoint '%s' must be an https URL (http only on "
		    "loopback)",
		    ep);
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	a->o = *opts;
	a->endpoint = strdup(ep);
	a->api_version = strdup(opts->api_version && opts->api_version[0]
	        ? opts->api_version
	        : ARM_DEFAULT_API_VERSION);
	a->name = strdup(opts->name ? opts->name : "arm");
	a->pace_key = dupstr(opts->pace_key);
	if (a->endpoint == NULL || a->api_version == NULL || a->name == NULL ||
	    (opts->pace_key != NULL && a->pace_key == NULL)) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	n = strlen(a->endpoint);
	while (n > 0 && a->endpoint[n - 1] == '/')
		a->endpoint[--n] = '\0';
	if ((a->origin = httpurl_origin(a->endpoint)) == NULL) {
		err_set(err, ERR_SPEC, "arm: endpoint '%s' is not a URL", ep);
		goto out;
	}
	if (a->o.poll_initial_ms <= 0)
		a->o.poll_initial_ms = 5000;
	if (a->o.poll_max_ms <= 0)
		a->o.poll_max_ms = 30000;
	if (a->o.poll_timeout_ms <= 0)
		a->o.poll_timeout_ms = 2L * 3600 * 1000;
	if (a->o.retry_after_max_ms <= 0)
		a->o.retry_after_max_ms = 300000;
	if (a->o.poll_max_failures <= 0)
		a->o.poll_max_failures = 5;
	if (a->o.poll_max_notfound <= 0)
		a->o.poll_max_notfound = 10;
	if (a->o.conflict_retries == 0)
		a->o.conflict_retries = 8;
	if (a->o.conflict_base_ms <= 0)
		a->o.conflict_base_ms = 5000;
	if (a->o.conflict_max_ms <= 0)
		a->o.conflict_max_ms = 60000;
	*out = a;
	a = NULL;
	rc = 0;
out:
	arm_free(a);
	return rc;
}

void
arm_free(struct arm *a)
{
	struct timer *t;
	struct lane *l;

	if (a == NULL)
		return;
	while ((t = a->timers) != NULL) {
		a->timers = t->next;
		free(t);
	}
	while ((l = a->lanes) != NULL) {
		a->lanes = l->next;
		free(l->key);
		free(l);
	}
	free(a->endpoint);
	free(a->api_version);
	free(a->name);
	free(a->pace_key);
	free(a->origin);
	free(a);
}

const char *
arm_api_version(const struct arm *a)
{
	return a->api_version;
}

const char *
arm_endpoint(const struct arm *a)
{
	return a->endpoint;
}

int
arm_pending(const struct arm *a)
{
	return a->pending;
}

int
arm_url(const struct arm *a, const char *url, const char *api_version,
    struct buf *out)
{
	const char *q;

	if (url[0] == '/')
		buf_addstr(out, a->endpoint);
	buf_addstr(out, url);
	q = strchr(url, '?');
	if (q == NULL ||
	    (strstr(q, "?api-version=") == NULL &&
	        strstr(q, "&api-version=") == NULL)) {
		buf_addstr(out, q == NULL ? "?api-version=" : "&api-version=");
		buf_addurlenc(out, api_version ? api_version : a->api_version);
	}
	return out->failed ? -1 : 0;
}

int
arm_same_origin(const struct arm *a, const char *url)
{
	char *o;
	int same;

	if (url == NULL || (o = httpurl_origin(url)) == NULL)
		return 0;
	same = strcmp(o, a->origin) == 0;
	free(o);
	return same;
}

/* ---- timers ------------------------------------------------------------ */

int
arm_after(struct arm *a, long ms, arm_timer_fn fn, void *arg, struct err *err)
{
	struct timer *t, **tp;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	t->due = mono(a) + (ms > 0 ? ms : 0);
	t->fn = fn;
	t->arg = arg;
	for (tp = &a->timers; *tp != NULL && (*tp)->due <= t->due;
	     tp = &(*tp)->next)
		;
	t->next = *tp;
	*tp = t;
	a->pending++;
	/* The timer is the caller's loop's (arm_tick): let it run. */
	http_wake(a->o.http);
	return 0;
}

long
arm_tick(struct arm *a)
{
	struct timer *t;

	while ((t = a->timers) != NULL && t->due <= mono(a)) {
		arm_timer_fn fn = t->fn;
		void *arg = t->arg;

		a->timers = t->next;
		free(t);
		a->pending--;
		fn(arg);
	}
	if (a->timers == NULL)
		return -1;
	return (long)(a->timers->due - mono(a));
}

int
arm_run(struct arm *a, long timeout_ms, struct err *err)
{
	long long end = timeout_ms < 0 ? -1 : mono(a) + timeout_ms;
	long next, slice;

	for (;;) {
		next = arm_tick(a);
		if (a->pending == 0)
			return 0;
		if (end >= 0 && mono(a) >= end)
			return 0;
		slice = next < 0 || next > 1000 ? 1000 : next;
		if (end >= 0 && end - mono(a) < slice)
			slice = (long)(end - mono(a));
		if (next < 0 && http_pending(a->o.http) == 0)
			return err_set(err, ERR_HTTP,
			    "%s: %d operations wait on nothing", a->name,
			    a->pending);
		if (http_pending(a->o.http) > 0) {
			if (http_run(a->o.http, slice, err) < 0)
				return -1;
		} else if (slice > 0) {
			struct timespec ts = { slice / 1000,
				(slice % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
}

/* ---- responses ---------------------------------------------------------- */

long
arm_retry_after_ms(const struct http_resp *resp)
{
	const char *v;
	char *end;
	long n;

	if (resp == NULL)
		return -1;
	if ((v = http_resp_header(resp, "retry-after-ms")) != NULL ||
	    (v = http_resp_header(resp, "x-ms-retry-after-ms")) != NULL) {
		n = strtol(v, &end, 10);
		if (end != v && n >= 0)
			return n > 86400000L ? 86400000L : n;
	}
	if ((v = http_resp_header(resp, "Retry-After")) == NULL)
		return -1;
	while (*v == ' ')
		v++;
	n = strtol(v, &end, 10);
	if (end == v || n < 0)
		return -1; /* an HTTP-date: rare on ARM; use the backoff */
	return n > 86400 ? 86400000L : n * 1000;
}

static const cJSON *
field(const cJSON *j, const char *name)
{
	return cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, name)
	                         : NULL;
}

static const char *
strfield(const cJSON *j, const char *name)
{
	const cJSON *v = field(j, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *
arm_status_of(const cJSON *j)
{
	const char *s = strfield(j, "status");

	if (s == NULL)
		s = strfield(field(j, "properties"), "provisioningState");
	return s;
}

/* Fills r from resp; r->json is the caller's. */
static void
resp_fill(struct arm_resp *r, const struct http_resp *resp)
{
	const cJSON *e;

	memset(r, 0, sizeof(*r));
	r->status = resp->status;
	r->http = resp;
	r->retry_after_ms = arm_retry_after_ms(resp);
	if (resp->body.len > 0)
		r->json =
		    cJSON_ParseWithLength(resp->body.data, resp->body.len);
	e = field(r->json, "error");
	r->code = strfield(e, "code");
	r->message = strfield(e, "message");
}

/* "METHOD url: 400 Bad Request: Code: message (Detail: message)" */
static void
status_err(struct arm *a, const char *method, const char *url,
    const struct arm_resp *r, struct err *e)
{
	const cJSON *d = field(field(r->json, "error"), "details");
	const cJSON *d0 = cJSON_IsArray(d) ? cJSON_GetArrayItem(d, 0) : NULL;
	const char *dc = strfield(d0, "code"), *dm = strfield(d0, "message");
	enum err_code ec = ERR_HTTP;

	if (r->status == 404)
		ec = ERR_NOTFOUND;
	else if (r->status == 409)
		ec = ERR_CONFLICT;
	err_set(e, ec, "%s: %s %.*s: %ld%s%s%s%s%s%.200s%s%s%s%.100s%s",
	    a->name, method, url_len(url), url, r->status,
	    reason(r->status)[0] ? " " : "", reason(r->status),
	    r->code ? ": " : "", r->code ? r->code : "", r->message ? ": " : "",
	    r->message ? r->message : "", dc || dm ? " (" : "", dc ? dc : "",
	    dc && dm ? ": " : "", dm ? dm : "", dc || dm ? ")" : "");
}

/* ---- calls ------------------------------------------------------------- */

static void
call_free(struct call *c)
{
	if (c == NULL)
		return;
	c->a->pending--;
	free(c->method);
	free(c->url);
	free(c->body);
	free(c->content_type);
	free(c);
}

static void call_authed(void *arg, const char *header, const struct err *e);
static void call_done(
    void *arg, struct http_resp *resp, const struct err *terr);

static int
call_send(struct call *c, struct err *err)
{
	c->in_send = 1;
	c->send_failed = 0;
	if (auth_get(c->a->o.auth, c->a->o.http, call_authed, c, err) != 0) {
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

static void
call_fail(struct call *c, const struct err *e)
{
	c->cb(c->arg, NULL, e);
	call_free(c);
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
		goto fail;
	}
	req.method = c->method;
	req.url = c->url;
	req.headers = hdrs;
	req.secret_headers = secret;
	req.body = c->body;
	req.body_len = c->body_len;
	req.content_type = c->content_type;
	req.pace_key = c->a->pace_key;
	req.retry = c->retry;
	req.background = c->background;
	if (http_submit(c->a->o.http, &req, call_done, c, &se) == 0)
		return;
fail:
	err_wrap(
	    &se, "%s: %s %.*s", c->a->name, c->method, url_len(c->url), c->url);
	if (c->in_send) {
		c->send_err = se;
		c->send_failed = 1;
	} else {
		call_fail(c, &se);
	}
}

static void
call_done(void *arg, struct http_resp *resp, const struct err *terr)
{
	struct call *c = arg;
	struct arm_resp r;
	struct err e = { 0 };

	if (terr != NULL) {
		e = *terr;
		/* lib/http's message already names the method and URL. */
		err_wrap(&e, "%s%s", c->a->name,
		    resp != NULL && resp->maybe_sent
		        ? " (the request may have reached the service)"
		        : "");
		call_fail(c, &e);
		return;
	}
	/* A token can be revoked or expire early: renew it once. */
	if (resp->status == 401 && auth_is_token(c->a->o.auth) &&
	    !c->auth_retried) {
		c->auth_retried = 1;
		auth_invalidate(c->a->o.auth);
		if (call_send(c, &e) != 0)
			call_fail(c, &e);
		return;
	}
	resp_fill(&r, resp);
	c->cb(c->arg, &r, NULL);
	cJSON_Delete(r.json);
	call_free(c);
}

int
arm_request(struct arm *a, const struct arm_req *rq, arm_done_fn cb, void *arg,
    struct err *err)
{
	struct buf url = { .max = HTTPURL_MAX };
	struct call *c = NULL;

	if (rq->url == NULL || rq->method == NULL)
		return err_set(err, ERR_SPEC, "%s: no method or URL", a->name);
	if (rq->url[0] != '/' && !arm_same_origin(a, rq->url))
		return err_set(err, ERR_SPEC,
		    "%s: '%.*s' is not on the endpoint %s", a->name,
		    url_len(rq->url), rq->url, a->endpoint);
	arm_url(a, rq->url, rq->api_version, &url);
	if (buf_check(&url, err, "building the request URL") != 0)
		goto fail;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	c->a = a;
	a->pending++;
	c->url = buf_take(&url);
	c->method = strdup(rq->method);
	if (c->url == NULL || c->method == NULL)
		goto nomem;
	if (rq->body != NULL) {
		if ((c->body = malloc(rq->body_len + 1)) == NULL)
			goto nomem;
		memcpy(c->body, rq->body, rq->body_len);
		c->body[rq->body_len] = '\0';
		c->body_len = rq->body_len;
		c->content_type = strdup(
		    rq->content_type ? rq->content_type : "application/json");
		if (c->content_type == NULL)
			goto nomem;
	}
	c->retry = rq->retry;
	c->background = rq->background;
	c->cb = cb;
	c->arg = arg;
	if (call_send(c, err) != 0)
		goto fail;
	return 0;
nomem:
	err_set(err, ERR_NOMEM, "out of memory");
fail:
	buf_release(&url);
	call_free(c);
	return -1;
}

/* ---- get and list ------------------------------------------------------ */

struct get {
	struct arm *a;
	arm_done_fn cb;
	void *arg;
};

static void
get_done(void *arg, const struct arm_resp *r, const struct err *terr)
{
	struct get *g = arg;
	struct err e = { 0 };

	if (terr != NULL) {
		g->cb(g->arg, NULL, terr);
	} else if (r->status != 200) {
		status_err(
		    g->a, "GET", r->http->url ? r->http->url : "", r, &e);
		g->cb(g->arg, r, &e);
	} else if (r->json == NULL) {
		err_set(&e, ERR_HTTP, "%s: GET %.*s: the body is not JSON",
		    g->a->name, url_len(r->http->url ? r->http->url : ""),
		    r->http->url ? r->http->url : "");
		g->cb(g->arg, r, &e);
	} else {
		g->cb(g->arg, r, NULL);
	}
	free(g);
}

int
arm_get(struct arm *a, const char *url, const char *api_version, arm_done_fn cb,
    void *arg, struct err *err)
{
	struct arm_req rq = {
		.method = "GET", .url = url, .api_version = api_version
	};
	struct get *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	g->a = a;
	g->cb = cb;
	g->arg = arg;
	if (arm_request(a, &rq, get_done, g, err) != 0) {
		free(g);
		return -1;
	}
	return 0;
}

static void
list_end(struct list *l, const struct err *e)
{
	l->cb(l->arg, e ? NULL : l->items, e);
	cJSON_Delete(l->items);
	free(l->api_version);
	l->a->pending--;
	free(l);
}

static void
list_page(void *arg, const struct arm_resp *r, const struct err *terr)
{
	struct list *l = arg;
	struct err e = { 0 };
	const cJSON *v, *it;
	const char *next;
	const char *url = r && r->http && r->http->url ? r->http->url : "";

	if (terr != NULL) {
		list_end(l, terr);
		return;
	}
	if (r->status != 200) {
		status_err(l->a, "GET", url, r, &e);
		list_end(l, &e);
		return;
	}
	v = field(r->json, "value");
	if (!cJSON_IsArray(v)) {
		err_set(&e, ERR_HTTP, "%s: GET %.*s: no \"value\" array",
		    l->a->name, url_len(url), url);
		list_end(l, &e);
		return;
	}
	cJSON_ArrayForEach(it, v)
	{
		cJSON *dup = cJSON_Duplicate(it, 1);

		if (dup == NULL || !cJSON_AddItemToArray(l->items, dup)) {
			cJSON_Delete(dup);
			err_set(&e, ERR_NOMEM, "out of memory");
			list_end(l, &e);
			return;
		}
	}
	next = strfield(r->json, "nextLink");
	if (next == NULL || next[0] == '\0') {
		list_end(l, NULL);
		return;
	}
	if (++l->pages >= 1000 || !arm_same_origin(l->a, next)) {
		err_set(&e, ERR_HTTP, "%s: GET %.*s: nextLink %s: %.*s",
		    l->a->name, url_len(url), url,
		    l->pages >= 1000 ? "passes 1000 pages"
		                     : "points at another origin",
		    url_len(next), next);
		list_end(l, &e);
		return;
	}
	{
		struct arm_req rq = { .method = "GET",
			.url = next,
			.api_version = l->api_version };

		if (arm_request(l->a, &rq, list_page, l, &e) != 0)
			list_end(l, &e);
	}
}

int
arm_list(struct arm *a, const char *url, const char *api_version,
    arm_list_fn cb, void *arg, struct err *err)
{
	struct arm_req rq = {
		.method = "GET", .url = url, .api_version = api_version
	};
	struct list *l;

	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->items = cJSON_CreateArray()) == NULL ||
	    (api_version != NULL &&
	        (l->api_version = strdup(api_version)) == NULL)) {
		if (l != NULL)
			cJSON_Delete(l->items);
		free(l);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	l->a = a;
	l->cb = cb;
	l->arg = arg;
	a->pending++;
	if (arm_request(a, &rq, list_page, l, err) != 0) {
		cJSON_Delete(l->items);
		free(l->api_version);
		a->pending--;
		free(l);
		return -1;
	}
	return 0;
}

/* ---- the poll state machine -------------------------------------------- */

void
arm_poll_init(const struct arm *a, struct arm_poll_state *ps, long long now)
{
	memset(ps, 0, sizeof(*ps));
	ps->deadline_ms = now + a->o.poll_timeout_ms;
	ps->next_ms = a->o.poll_initial_ms;
}

static int
is_state(const char *s, const char *name)
{
	return s != NULL && strcasecmp(s, name) == 0;
}

enum arm_verdict
arm_poll_step(const struct arm *a, struct arm_poll_state *ps,
    const struct arm_op *op, const struct arm_resp *r,
    const struct err *get_err, long long now, long *wait_ms, struct err *err)
{
	const char *st = NULL;
	long wait, ra = -1;

	*wait_ms = 0;
	if (r == NULL) {
		/* The operation is where it was: a failed status read is
		 * retried, never answered by sending the write again. */
		if (++ps->failures > a->o.poll_max_failures) {
			if (get_err != NULL)
				*err = *get_err;
			err_wrap(err, "%d status reads failed in a row",
			    ps->failures);
			return ARM_FAILED;
		}
		goto wait;
	}
	ps->polls++;
	ra = r->retry_after_ms;
	if (r->status == 404) {
		ps->failures = 0;
		if (op->kind == ARM_POLL_RESOURCE &&
		    strcmp(op->method, "DELETE") == 0)
			return ARM_DONE;
		/* ARM can answer 404 on a status URL it has not
		 * replicated yet: still running, for a while. */
		if (++ps->notfound > a->o.poll_max_notfound) {
			err_set(err, ERR_NOTFOUND,
			    "the status URL answered 404 %d times in a row",
			    ps->notfound);
			return ARM_FAILED;
		}
		goto wait;
	}
	ps->notfound = 0;
	if (r->status >= 500 || r->status == 429 || r->status == 408) {
		if (++ps->failures > a->o.poll_max_failures) {
			err_set(err, ERR_HTTP,
			    "status read answered %ld %d times in a row%s%s",
			    r->status, ps->failures, r->code ? ": " : "",
			    r->code ? r->code : "");
			return ARM_FAILED;
		}
		goto wait;
	}
	ps->failures = 0;
	if (r->status != 200 && r->status != 201 && r->status != 202 &&
	    r->status != 204) {
		err_set(err, r->status == 409 ? ERR_CONFLICT : ERR_HTTP,
		    "status read answered %ld%s%s%s%s", r->status,
		    r->code ? ": " : "", r->code ? r->code : "",
		    r->message ? ": " : "", r->message ? r->message : "");
		return ARM_FAILED;
	}
	st = arm_status_of(r->json);
	if (st == NULL) {
		/* Location polling, or an empty 200: 202 means running,
		 * anything else that is 2xx means done. */
		if (r->status == 202)
			goto wait;
		return ARM_DONE;
	}
	if (is_state(st, "Succeeded"))
		return ARM_DONE;
	if (is_state(st, "Failed") || is_state(st, "Canceled") ||
	    is_state(st, "Cancelled") || is_state(st, "Disabled")) {
		err_set(err, ERR_HTTP, "the operation ended %s%s%s%s%.300s", st,
		    r->code ? ": " : "", r->code ? r->code : "",
		    r->message ? ": " : "", r->message ? r->message : "");
		return ARM_FAILED;
	}
wait:
	wait = ra >= 0
	    ? (ra > a->o.retry_after_max_ms ? a->o.retry_after_max_ms : ra)
	    : ps->next_ms;
	if (now >= ps->deadline_ms) {
		err_set(err, ERR_HTTP, "still %s at the deadline (%ld s)",
		    st ? st : "unfinished", a->o.poll_timeout_ms / 1000);
		return ARM_FAILED;
	}
	if (now + wait > ps->deadline_ms)
		wait = (long)(ps->deadline_ms - now);
	if (ra < 0)
		ps->next_ms = ps->next_ms * 2 > a->o.poll_max_ms
		    ? a->o.poll_max_ms
		    : ps->next_ms * 2;
	*wait_ms = wait;
	return ARM_WAIT;
}

/* ---- ops --------------------------------------------------------------- */

static const char *const kind_names[] = { "none", "async", "location",
	"resource" };

int
arm_op_encode(const struct arm_op *op, struct buf *out)
{
	buf_addf(out, "%s %s %s", kind_names[op->kind], op->method,
	    op->resource_url);
	if (op->poll_url != NULL)
		buf_addf(out, " %s", op->poll_url);
	return out->failed ? -1 : 0;
}

void
arm_op_release(struct arm_op *op)
{
	if (op == NULL)
		return;
	free(op->method);
	free(op->resource_url);
	free(op->poll_url);
	memset(op, 0, sizeof(*op));
	op->retry_after_ms = -1;
}

int
arm_op_decode(const char *s, struct arm_op *op, struct err *err)
{
	char *tmp = dupstr(s), *save = NULL, *f[5];
	int n = 0, rc = -1;
	size_t k;

	memset(op, 0, sizeof(*op));
	op->retry_after_ms = -1;
	if (tmp == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	for (char *p = strtok_r(tmp, " ", &save); p != NULL && n < 5;
	     p = strtok_r(NULL, " ", &save))
		f[n++] = p;
	if (n < 3 || n > 4)
		goto bad;
	for (k = 0; k < 4 && strcmp(kind_names[k], f[0]) != 0; k++)
		;
	if (k == 4 ||
	    ((k == ARM_POLL_ASYNC_OP || k == ARM_POLL_LOCATION) != (n == 4)))
		goto bad;
	if (strcmp(f[1], "PUT") != 0 && strcmp(f[1], "PATCH") != 0 &&
	    strcmp(f[1], "DELETE") != 0 && strcmp(f[1], "POST") != 0)
		goto bad;
	op->kind = (enum arm_poll_kind)k;
	op->method = strdup(f[1]);
	op->resource_url = strdup(f[2]);
	op->poll_url = n == 4 ? strdup(f[3]) : NULL;
	if (op->method == NULL || op->resource_url == NULL ||
	    (n == 4 && op->poll_url == NULL)) {
		err_set(err, ERR_NOMEM, "out of memory");
		arm_op_release(op);
		goto out;
	}
	rc = 0;
	goto out;
bad:
	err_set(err, ERR_SPEC, "arm: not an operation record: '%.200s'", s);
out:
	free(tmp);
	return rc;
}

/* ---- writes ------------------------------------------------------------ */

static void write_send(void *arg);
static void write_poll(void *arg);

static struct lane *
lane_get(struct arm *a, const char *key)
{
	struct lane *l;

	for (l = a->lanes; l != NULL; l = l->next)
		if (strcmp(l->key, key) == 0)
			return l;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->key = strdup(key)) == NULL) {
		free(l);
		return NULL;
	}
	l->next = a->lanes;
	a->lanes = l;
	return l;
}

static void
write_start(struct write *w)
{
	if (w->resumed)
		write_poll(w);
	else
		write_send(w);
}

/* Ends w: done() runs, then the lane passes to the next write. */
static void
write_end(struct write *w, const struct arm_resp *r, const struct err *e)
{
	struct lane *l = w->lane;
	struct arm *a = w->a;

	w->done(w->arg, r, e);
	arm_op_release(&w->op);
	free(w->body);
	free(w);
	a->pending--;
	if (l != NULL) {
		struct write *next = l->head;

		l->busy = 0;
		if (next != NULL) {
			l->head = next->qnext;
			if (l->head == NULL)
				l->tail = NULL;
			l->busy = 1;
			write_start(next);
		}
	}
}

static void
write_fail(
    struct write *w, const struct arm_resp *r, struct err *e, const char *what)
{
	err_wrap(e, "%s: %s %.*s%s", w->a->name, w->op.method,
	    url_len(w->op.resource_url), w->op.resource_url, what);
	write_end(w, r, e);
}

static void
final_got(void *arg, const struct arm_resp *r, const struct err *e)
{
	struct write *w = arg;

	write_end(w, r, e);
}

static void
write_succeeded(struct write *w, const struct arm_resp *r)
{
	struct err e = { 0 };

	if (strcmp(w->op.method, "DELETE") == 0) {
		write_end(w, NULL, NULL);
		return;
	}
	if (w->op.kind == ARM_POLL_RESOURCE || w->op.kind == ARM_POLL_NONE) {
		/* r is the resource itself already. */
		write_end(w, r && r->json ? r : NULL, NULL);
		return;
	}
	if (arm_get(w->a, w->op.resource_url, NULL, final_got, w, &e) != 0)
		write_end(w, NULL, &e);
}

static void
write_wait(struct write *w, long ms)
{
	struct err e = { 0 };

	if (arm_after(w->a, ms, write_poll, w, &e) != 0)
		write_end(w, NULL, &e);
}

static void
polled(void *arg, const struct arm_resp *r, const struct err *terr)
{
	struct write *w = arg;
	struct err e = { 0 };
	long wait;

	switch (arm_poll_step(
	    w->a, &w->ps, &w->op, r, terr, mono(w->a), &wait, &e)) {
	case ARM_DONE:
		write_succeeded(w, r);
		return;
	case ARM_FAILED:
		write_fail(w, r, &e, "");
		return;
	case ARM_WAIT:
		write_wait(w, wait);
		return;
	}
}

static void
write_poll(void *arg)
{
	struct write *w = arg;
	struct arm_req rq = { .method = "GET", .background = 1 };
	struct err e = { 0 };

	rq.url = w->op.poll_url ? w->op.poll_url : w->op.resource_url;
	if (arm_request(w->a, &rq, polled, w, &e) != 0)
		polled(w, NULL, &e);
}

static void
first_answer(void *arg, const struct arm_resp *r, const struct err *terr)
{
	struct write *w = arg;
	struct err e = { 0 };
	const char *h;
	long s;

	if (terr != NULL) {
		e = *terr;
		write_end(w, NULL, &e);
		return;
	}
	s = r->status;
	if (s == 409 && r->code != NULL &&
	    strcasecmp(r->code, "RequestConflict") == 0 &&
	    w->conflicts < w->a->o.conflict_retries) {
		/* Another write on the account (ours from another process,
		 * or someone else's): wait for it, then send ours. */
		long ra = r->retry_after_ms;
		long ms = ra >= 0 && ra > w->conflict_next_ms
		    ? ra
		    : w->conflict_next_ms;

		w->conflicts++;
		w->conflict_next_ms =
		    w->conflict_next_ms * 2 > w->a->o.conflict_max_ms
		    ? w->a->o.conflict_max_ms
		    : w->conflict_next_ms * 2;
		if (arm_after(w->a, ms, write_send, w, &e) != 0)
			write_end(w, NULL, &e);
		return;
	}
	if (strcmp(w->op.method, "DELETE") == 0 && (s == 404 || s == 204)) {
		write_end(w, NULL, NULL);
		return;
	}
	if (s < 200 || s > 299) {
		status_err(w->a, w->op.method, w->op.resource_url, r, &e);
		if (s == 409 && w->conflicts > 0)
			err_wrap(&e, "still conflicting after %d retries",
			    w->conflicts);
		write_end(w, r, &e);
		return;
	}
	w->op.retry_after_ms = r->retry_after_ms;
	if ((h = http_resp_header(r->http, "Azure-AsyncOperation")) != NULL) {
		w->op.kind = ARM_POLL_ASYNC_OP;
	} else if ((h = http_resp_header(r->http, "Location")) != NULL) {
		w->op.kind = ARM_POLL_LOCATION;
	} else if (s == 201 || s == 202 ||
	    (arm_status_of(r->json) != NULL &&
	        !is_state(arm_status_of(r->json), "Succeeded"))) {
		w->op.kind = ARM_POLL_RESOURCE;
	} else {
		w->op.kind = ARM_POLL_NONE;
	}
	if (h != NULL) {
		if (!arm_same_origin(w->a, h)) {
			err_set(&e, ERR_HTTP,
			    "%s: %s %.*s: the status URL points at another "
			    "origin: %.*s",
			    w->a->name, w->op.method,
			    url_len(w->op.resource_url), w->op.resource_url,
			    url_len(h), h);
			write_end(w, r, &e);
			return;
		}
		if ((w->op.poll_url = strdup(h)) == NULL) {
			err_set(&e, ERR_NOMEM, "out of memory");
			write_end(w, r, &e);
			return;
		}
	}
	if (w->started != NULL)
		w->started(w->arg, &w->op);
	if (w->op.kind == ARM_POLL_NONE) {
		write_succeeded(w, r);
		return;
	}
	arm_poll_init(w->a, &w->ps, mono(w->a));
	write_wait(w,
	    w->op.retry_after_ms >= 0
	        ? (w->op.retry_after_ms > w->a->o.retry_after_max_ms
	                  ? w->a->o.retry_after_max_ms
	                  : w->op.retry_after_ms)
	        : w->a->o.poll_initial_ms);
}

static void
write_send(void *arg)
{
	struct write *w = arg;
	struct arm_req rq = { 0 };
	struct err e = { 0 };

	rq.method = w->op.method;
	rq.url = w->op.resource_url;
	rq.body = w->body;
	rq.body_len = w->body_len;
	/* PUT and DELETE are idempotent (lib/http retries them); PATCH
	 * only when it never left. */
	rq.retry = 0;
	if (arm_request(w->a, &rq, first_answer, w, &e) != 0)
		write_end(w, NULL, &e);
}

static int
write_new(struct arm *a, const char *lane, struct write **out, struct err *err)
{
	struct write *w;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	w->a = a;
	w->op.retry_after_ms = -1;
	w->conflict_next_ms = a->o.conflict_base_ms;
	if (lane != NULL && (w->lane = lane_get(a, lane)) == NULL) {
		free(w);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	*out = w;
	return 0;
}

/* Takes the lane or queues w; starts w when the lane was free.  Starting
 * failures go to done (w's contract once accepted). */
static void
write_enqueue(struct write *w)
{
	struct lane *l = w->lane;

	w->a->pending++;
	if (l != NULL && l->busy) {
		if (l->tail != NULL)
			l->tail->qnext = w;
		else
			l->head = w;
		l->tail = w;
		return;
	}
	if (l != NULL)
		l->busy = 1;
	write_start(w);
}

int
arm_write(struct arm *a, const char *lane, const char *method, const char *url,
    const char *api_version, const char *body, size_t body_len,
    arm_started_fn started, arm_done_fn done, void *arg, struct err *err)
{
	struct buf u = { .max = HTTPURL_MAX };
	struct write *w = NULL;

	if (method == NULL || url == NULL || done == NULL)
		return err_set(err, ERR_SPEC,
		    "arm: write needs method, URL "
		    "and callback");
	if (url[0] != '/' && !arm_same_origin(a, url))
		return err_set(err, ERR_SPEC,
		    "%s: '%.*s' is not on the endpoint %s", a->name,
		    url_len(url), url, a->endpoint);
	arm_url(a, url, api_version, &u);
	if (buf_check(&u, err, "building the request URL") != 0 ||
	    write_new(a, lane, &w, err) != 0)
		goto fail;
	w->op.method = strdup(method);
	w->op.resource_url = buf_take(&u);
	if (body != NULL) {
		w->body = malloc(body_len + 1);
		if (w->body != NULL) {
			memcpy(w->body, body, body_len);
			w->body[body_len] = '\0';
		}
		w->body_len = body_len;
	}
	if (w->op.method == NULL || w->op.resource_url == NULL ||
	    (body != NULL && w->body == NULL)) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto fail;
	}
	w->started = started;
	w->done = done;
	w->arg = arg;
	write_enqueue(w);
	return 0;
fail:
	buf_release(&u);
	if (w != NULL) {
		arm_op_release(&w->op);
		free(w->body);
		free(w);
	}
	return -1;
}

int
arm_resume(struct arm *a, const char *lane, const struct arm_op *op,
    arm_done_fn done, void *arg, struct err *err)
{
	struct write *w = NULL;
	const char *pu = op->poll_url ? op->poll_url : op->resource_url;

	if (op->method == NULL || op->resource_url == NULL || done == NULL)
		return err_set(err, ERR_SPEC, "arm: resume needs an op");
	if (!arm_same_origin(a, op->resource_url) || !arm_same_origin(a, pu))
		return err_set(err, ERR_SPEC,
		    "%s: '%.*s' is not on the endpoint %s", a->name,
		    url_len(pu), pu, a->endpoint);
	if (write_new(a, lane, &w, err) != 0)
		return -1;
	w->op.method = strdup(op->method);
	w->op.resource_url = strdup(op->resource_url);
	w->op.poll_url = dupstr(op->poll_url);
	w->op.kind = op->kind;
	if (w->op.method == NULL || w->op.resource_url == NULL ||
	    (op->poll_url != NULL && w->op.poll_url == NULL)) {
		arm_op_release(&w->op);
		free(w);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	if (w->op.kind == ARM_POLL_NONE)
		w->op.kind = ARM_POLL_RESOURCE;
	w->resumed = 1;
	w->done = done;
	w->arg = arg;
	arm_poll_init(a, &w->ps, mono(a));
	write_enqueue(w);
	return 0;
}

/* ---- blocking forms ---------------------------------------------------- */

struct waiter {
	int done;
	cJSON *json;
	char *code;
	struct err e;
	int failed;
};

static void
wait_done(void *arg, const struct arm_resp *r, const struct err *e)
{
	struct waiter *w = arg;

	w->done = 1;
	if (e != NULL) {
		w->failed = 1;
		w->e = *e;
		if (r != NULL && r->code != NULL)
			w->code = strdup(r->code);
		return;
	}
	if (r != NULL && r->json != NULL)
		w->json = cJSON_Duplicate(r->json, 1);
}

static void
wait_list(void *arg, cJSON *items, const struct err *e)
{
	struct waiter *w = arg;

	w->done = 1;
	if (e != NULL) {
		w->failed = 1;
		w->e = *e;
		return;
	}
	w->json = cJSON_Duplicate(items, 1);
}

static int
wait_for(
    struct arm *a, struct waiter *w, cJSON **json, char **code, struct err *err)
{
	while (!w->done)
		if (arm_run(a, -1, err) != 0)
			break;
	if (!w->done) {
		cJSON_Delete(w->json);
		return -1;
	}
	if (code != NULL)
		*code = w->code;
	else
		free(w->code);
	if (w->failed) {
		*err = w->e;
		cJSON_Delete(w->json);
		return -1;
	}
	if (json != NULL)
		*json = w->json;
	else
		cJSON_Delete(w->json);
	return 0;
}

int
arm_get_wait(struct arm *a, const char *url, cJSON **json, struct err *err)
{
	struct waiter w = { 0 };

	if (json != NULL)
		*json = NULL;
	if (arm_get(a, url, NULL, wait_done, &w, err) != 0)
		return -1;
	return wait_for(a, &w, json, NULL, err);
}

int
arm_list_wait(struct arm *a, const char *url, cJSON **items, struct err *err)
{
	struct waiter w = { 0 };

	if (items != NULL)
		*items = NULL;
	if (arm_list(a, url, NULL, wait_list, &w, err) != 0)
		return -1;
	return wait_for(a, &w, items, NULL, err);
}

int
arm_write_wait(struct arm *a, const char *lane, const char *method,
    const char *url, const char *body, cJSON **json, char **code,
    struct err *err)
{
	struct waiter w = { 0 };

	if (json != NULL)
		*json = NULL;
	if (code != NULL)
		*code = NULL;
	if (arm_write(a, lane, method, url, NULL, body, body ? strlen(body) : 0,
	        NULL, wait_done, &w, err) != 0)
		return -1;
	return wait_for(a, &w, json, code, err);
}
