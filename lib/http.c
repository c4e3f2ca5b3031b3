/*
 * http.c - the HTTP client on libcurl's multi interface.
 *
 * Two choices a newcomer would question.  Redirects are followed here, not
 * with CURLOPT_FOLLOWLOCATION, because libcurl re-sends custom headers
 * (Ocp-Apim-Subscription-Key) to whatever host a redirect names; we
 * compare each hop's scheme, host and port with the request's own and
 * drop the secret headers when they differ.  And every request waiting
 * for something (a retry timer, room to pace, a free connection slot)
 * sits in our own queue, not inside libcurl, so that libcurl's timeouts
 * measure only the attempt itself and http_run() can sleep in
 * curl_multi_poll() exactly until the next timer.
 *
 * This file holds the client's life cycle, pacing, submission and the
 * loop; http_attempt.c runs one attempt, http_retry.c decides what an
 * ended attempt leads to, http_resp.c reads responses.
 */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "http_int.h"
#include "httpurl.h"

/* The longest sleep in curl_multi_poll() while an interrupt flag is
 * watched: the promptness of Ctrl-C. */
#define INTERRUPT_POLL_MS 100

static const char *const idempotent[] = { "GET", "HEAD", "PUT", "DELETE",
	"OPTIONS", NULL };

/* ---- small helpers ---------------------------------------------------- */

static long long
real_now_ms(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
http_now(const struct http *h)
{
	return h->o.now_ms(h->o.clock_arg);
}

void
http_logf(struct http *h, int level, const char *fmt, ...)
{
	struct buf b = { .max = 2 * HTTPURL_MAX };
	va_list ap;

	if (h->o.log == NULL)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (!b.failed)
		h->o.log(h->o.log_arg, level, buf_str(&b));
	buf_release(&b);
}

uint64_t
http_rng_next(struct http *h)
{
	/* xorshift64*: jitter needs spread, not secrecy. */
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return h->rng * 2685821657736338717ULL;
}

int
http_is_idempotent(const char *method)
{
	size_t i;

	for (i = 0; idempotent[i] != NULL; i++)
		if (strcmp(idempotent[i], method) == 0)
			return 1;
	return 0;
}

static const char *
static_method(const char *m)
{
	static const char *const known[] = { "GET", "HEAD", "POST", "PUT",
		"PATCH", "DELETE", "OPTIONS", NULL };
	size_t i;

	for (i = 0; known[i] != NULL; i++)
		if (strcmp(known[i], m) == 0)
			return known[i];
	return NULL;
}

int
http_url_is_loopback(const char *url)
{
	return httpurl_is_loopback(url);
}

/* The plain-http and --insecure rules, for the first URL and each hop. */
int
http_check_url(struct http *h, const char *url, struct err *err)
{
	struct {
		char *scheme, *host;
	} u;
	char *shown = httpurl_redacted(url);
	int rc = -1, loop;

	if (shown == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	if (httpurl_split(url, &u.scheme, &u.host) != 0) {
		/* Not echoed: a URL that does not parse may hold anything. */
		err_set(err, ERR_HTTP, "invalid URL");
		goto out;
	}
	loop = httpurl_host_is_loopback(u.host);
	if (strcasecmp(u.scheme, "https") != 0 &&
	    strcasecmp(u.scheme, "http") != 0) {
		err_set(err, ERR_HTTP, "%s: unsupported scheme '%s'", shown,
		    u.scheme);
		goto out_u;
	}
	/* The Azure Instance Metadata Service is plain http by design, on a
	 * link-local address that never leaves the machine. */
	if (strcasecmp(u.scheme, "http") == 0 &&
	    strcmp(u.host, "169.254.169.254") == 0) {
		rc = 0;
		goto out_u;
	}
	if (strcasecmp(u.scheme, "http") == 0) {
		if (!loop) {
			err_set(err, ERR_HTTP,
			    "%s: plain http is allowed only to a loopback host "
			    "(127.0.0.1, ::1, localhost); use https",
			    shown);
			goto out_u;
		}
		if (!h->warned_plain) {
			h->warned_plain = 1;
			http_logf(h, HTTP_LOG_WARN,
			    "warning: plain http to %s: traffic is not "
			    "encrypted (allowed on loopback only)",
			    u.host);
		}
	}
	if (h->o.insecure && strcasecmp(u.scheme, "https") == 0) {
		if (!loop) {
			err_set(err, ERR_HTTP,
			    "%s: --insecure is allowed only for a loopback "
			    "host (127.0.0.1, ::1, localhost)",
			    shown);
			goto out_u;
		}
		if (!h->warned_insecure) {
			h->warned_insecure = 1;
			http_logf(h, HTTP_LOG_WARN,
			    "warning: TLS certificates are not verified for %s "
			    "(--insecure)",
			    u.host);
		}
	}
	rc = 0;
out_u:
	free(u.scheme);
	free(u.host);
out:
	free(shown);
	return rc;
}

/* ---- creation --------------------------------------------------------- */

int
http_new(struct http **out, const struct http_opts *opts, struct err *err)
{
	struct http *h = NULL;
	unsigned char seed[8];
	int rc = -1;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	h->tail = &h->xfers;
	if (opts != NULL)
		h->o = *opts;
	if (h->o.connect_timeout_ms <= 0)
		h->o.connect_timeout_ms = 10000;
	if (h->o.total_timeout_ms <= 0)
		h->o.total_timeout_ms = 120000;
	if (h->o.low_speed_time_s <= 0)
		h->o.low_speed_time_s = 30;
	if (h->o.low_speed_limit <= 0)
		h->o.low_speed_limit = 1;
	if (h->o.max_retries == 0)
		h->o.max_retries = 5;
	if (h->o.max_retries < 0)
		h->o.max_retries = 0;
	if (h->o.retry_budget_ms <= 0)
		h->o.retry_budget_ms = 300000;
	if (h->o.backoff_base_ms <= 0)
		h->o.backoff_base_ms = 500;
	if (h->o.backoff_max_ms <= 0)
		h->o.backoff_max_ms = 30000;
	if (h->o.max_host_connections <= 0)
		h->o.max_host_connections = 32;
	if (h->o.max_body == 0)
		h->o.max_body = (size_t)64 << 20;
	if (h->o.max_redirects == 0)
		h->o.max_redirects = 5;
	if (h->o.pace_get_per_min == 0)
		h->o.pace_get_per_min = 100;
	if (h->o.pace_post_per_min == 0)
		h->o.pace_post_per_min = 10;
	if (h->o.now_ms == NULL)
		h->o.now_ms = real_now_ms;
	if (opts != NULL && opts->cacert != NULL) {
		h->cacert = strdup(opts->cacert);
		if (h->cacert == NULL) {
			err_set(err, ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	h->o.cacert = h->cacert;
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
		err_set(err, ERR_IO, "cannot seed the retry jitter");
		goto out;
	}
	memcpy(&h->rng, seed, sizeof(h->rng));
	h->rng |= 1;
	h->multi = curl_multi_init();
	if (h->multi == NULL) {
		err_set(err, ERR_NOMEM, "cannot create a curl multi handle");
		goto out;
	}
	/* A backstop: our own queue already keeps to the cap. */
	curl_multi_setopt(
	    h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, h->o.max_host_connections);
	*out = h;
	h = NULL;
	rc = 0;
out:
	http_free(h);
	return rc;
}

int
http_has_body(const struct xfer *x)
{
	return x->body != NULL || x->has_src;
}

void
http_drop_body(struct xfer *x)
{
	if (x->body_owned)
		free(x->body);
	x->body = NULL;
	x->body_owned = 0;
	x->body_len = 0;
	x->has_src = 0;
	memset(&x->src, 0, sizeof(x->src));
}

static void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL) {
		curl_multi_remove_handle(x->h->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	if (x->host != NULL) {
		x->host->active--;
		x->host->active_bg -= x->background;
	}
	curl_slist_free_all(x->attempt_hdrs);
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->secrets);
	free(x->url);
	free(x->origin0);
	free(x->origin);
	http_drop_body(x);
	free(x->content_type);
	http_resp_clear(&x->resp);
	free(x->resp.url);
	free(x);
}

void
http_free(struct http *h)
{
	struct xfer *x, *xn;
	struct pacer *p, *pn;
	struct host *o, *on;
	struct http_timer *t;

	if (h == NULL)
		return;
	for (x = h->xfers; x != NULL; x = xn) {
		xn = x->next;
		xfer_free(x);
	}
	for (p = h->pacers; p != NULL; p = pn) {
		pn = p->next;
		pace_release(&p->get);
		pace_release(&p->post);
		free(p->key);
		free(p);
	}
	for (o = h->hosts; o != NULL; o = on) {
		on = o->next;
		free(o->origin);
		free(o);
	}
	while ((t = h->timers) != NULL) {
		h->timers = t->next;
		free(t);
	}
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	free(h->cacert);
	free(h);
}

/* ---- pacing ----------------------------------------------------------- */

static struct pacer *
pacer_get(struct http *h, const char *key, int create)
{
	struct pacer *p;
	long long t = http_now(h);

	for (p = h->pacers; p != NULL; p = p->next)
		if (strcmp(p->key, key) == 0)
			return p;
	if (!create)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->key = strdup(key)) == NULL) {
		free(p);
		return NULL;
	}
	pace_init_window(
	    &p->get, h->o.pace_get_per_min > 0 ? h->o.pace_get_per_min : 0, t);
	pace_init_window(&p->post,
	    h->o.pace_post_per_min > 0 ? h->o.pace_post_per_min : 0, t);
	p->next = h->pacers;
	h->pacers = p;
	return p;
}

int
http_pace_set(struct http *h, const char *key, double get_per_min,
    double post_per_min, struct err *err)
{
	struct pacer *p;

	if (key == NULL || get_per_min < 0 || post_per_min < 0)
		return err_set(err, ERR_SPEC,
		    "pacing of '%s': rates must be 0 (unlimited) or more",
		    key ? key : "(null)");
	p = pacer_get(h, key, 1);
	if (p == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	pace_release(&p->get);
	pace_release(&p->post);
	pace_init_window(&p->get, get_per_min, http_now(h));
	pace_init_window(&p->post, post_per_min, http_now(h));
	return 0;
}

struct pace *
http_bucket_of(struct xfer *x)
{
	if (x->pacer == NULL)
		return NULL;
	if (strcmp(x->method, "GET") == 0 || strcmp(x->method, "HEAD") == 0)
		return &x->pacer->get;
	return &x->pacer->post;
}

static struct host *
host_get(struct http *h, const char *origin)
{
	struct host *o;

	for (o = h->hosts; o != NULL; o = o->next)
		if (strcmp(o->origin, origin) == 0)
			return o;
	o = calloc(1, sizeof(*o));
	if (o == NULL || (o->origin = strdup(origin)) == NULL) {
		free(o);
		return NULL;
	}
	o->next = h->hosts;
	h->hosts = o;
	return o;
}

/* ---- submission ------------------------------------------------------- */

static int
has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

static int
copy_headers(
    struct curl_slist **out, const char *const *in, int secret, struct err *err)
{
	struct curl_slist *n;
	size_t i;

	for (i = 0; in != NULL && in[i] != NULL; i++) {
		if (has_crlf(in[i]) || strchr(in[i], ':') == NULL)
			/* Never echo a secret header's value. */
			return err_set(err, ERR_HTTP,
			    "invalid %sheader #%zu: want one 'Name: value' "
			    "line",
			    secret ? "secret " : "", i + 1);
		n = curl_slist_append(*out, in[i]);
		if (n == NULL)
			return err_set(err, ERR_NOMEM, "out of memory");
		*out = n;
	}
	return 0;
}

static void
make_uuid(struct xfer *x)
{
	unsigned char r[16];
	uint64_t a, b;
	size_t i, j;
	static const char hex[] = "0123456789abcdef";

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		a = http_rng_next(x->h);
		b = http_rng_next(x->h);
		memcpy(r, &a, 8);
		memcpy(r + 8, &b, 8);
	}
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	for (i = 0, j = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			x->reqid[j++] = '-';
		x->reqid[j++] = hex[r[i] >> 4];
		x->reqid[j++] = hex[r[i] & 15];
	}
	x->reqid[j] = '\0';
}

int
http_submit(struct http *h, const struct http_req *req, http_done_fn done,
    void *arg, struct err *err)
{
	struct xfer *x = NULL;
	char *taken =
	    req->body_own == HTTP_BODY_TAKE ? (char *)req->body : NULL;
	int rc = -1;

	if (req->body_src != NULL &&
	    (req->body != NULL || req->body_src->read == NULL ||
	        req->body_src->rewind == NULL)) {
		err_set(err, ERR_HTTP,
		    "a request body source needs read and rewind, and no "
		    "body");
		goto out;
	}
	if (req->url == NULL || req->method == NULL) {
		err_set(err, ERR_HTTP, "request without a method or URL");
		goto out;
	}
	/* Else a callback that resubmits on failure would never let an
	 * interrupted run end. */
	if (h->o.interrupted != NULL && *h->o.interrupted) {
		err_set(err, ERR_INTERRUPTED, "interrupted");
		goto out;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	x->h = h;
	x->method = static_method(req->method);
	if (x->method == NULL) {
		err_set(err, ERR_HTTP, "unsupported method '%s'", req->method);
		goto out;
	}
	if (strlen(req->url) > HTTPURL_MAX) {
		err_set(err, ERR_HTTP, "URL longer than %d bytes", HTTPURL_MAX);
		goto out;
	}
	if (http_check_url(h, req->url, err) != 0)
		goto out;
	if (copy_headers(&x->headers, req->headers, 0, err) != 0 ||
	    copy_headers(&x->secrets, req->secret_headers, 1, err) != 0)
		goto out;
	if (req->content_type != NULL && has_crlf(req->content_type)) {
		err_set(err, ERR_HTTP, "invalid content type");
		goto out;
	}
	x->url = strdup(req->url);
	x->origin0 = httpurl_origin(req->url);
	x->origin = httpurl_origin(req->url);
	x->content_type =
	    strdup(req->content_type ? req->content_type : "application/json");
	if (req->body != NULL && req->body_own == HTTP_BODY_COPY) {
		x->body = malloc(req->body_len + 1);
		if (x->body != NULL) {
			memcpy(x->body, req->body, req->body_len);
			x->body[req->body_len] = '\0';
		}
		x->body_owned = 1;
		x->body_len = req->body_len;
	} else if (req->body != NULL) {
		/* Borrowed or taken: a large upload is never copied. */
		x->body = (char *)req->body;
		x->body_owned = req->body_own == HTTP_BODY_TAKE;
		x->body_len = req->body_len;
		taken = NULL;
	} else if (req->body_src != NULL) {
		x->src = *req->body_src;
		x->has_src = 1;
		x->body_len = x->src.len;
	}
	if (x->url == NULL || x->origin0 == NULL || x->origin == NULL ||
	    x->content_type == NULL || (req->body != NULL && x->body == NULL)) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (req->pace_key != NULL) {
		x->pacer = pacer_get(h, req->pace_key, 1);
		if (x->pacer == NULL) {
			err_set(err, ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	x->retry = req->retry;
	x->background = req->background != 0;
	x->max_body = req->max_body ? req->max_body : h->o.max_body;
	x->write = req->write;
	x->write_arg = req->write_arg;
	x->done = done;
	x->arg = arg;
	make_uuid(x);
	x->state = X_WAIT;
	x->first_ms = x->wake_ms = http_now(h);
	*h->tail = x;
	h->tail = &x->next;
	h->pending++;
	x = NULL;
	rc = 0;
out:
	xfer_free(x);
	free(taken);
	return rc;
}

int
http_pending(const struct http *h)
{
	return h->pending;
}

/* ---- timers ----------------------------------------------------------- */

int
http_after(
    struct http *h, long ms, void (*fn)(void *arg), void *arg, struct err *err)
{
	struct http_timer *t, **tp;

	if (fn == NULL)
		return err_set(err, ERR_HTTP, "timer without a function");
	if (h->o.interrupted != NULL && *h->o.interrupted)
		return err_set(err, ERR_INTERRUPTED, "interrupted");
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	t->due_ms = http_now(h) + (ms > 0 ? ms : 0);
	t->fn = fn;
	t->arg = arg;
	/* After every timer due at the same time: they run in order. */
	for (tp = &h->timers; *tp != NULL && (*tp)->due_ms <= t->due_ms;
	     tp = &(*tp)->next)
		;
	t->next = *tp;
	*tp = t;
	h->pending++;
	return 0;
}

/* Runs the timers due by now (all of them when all is set); a timer a
 * callback sets for now runs in the same pass. */
static void
run_timers(struct http *h, int all)
{
	struct http_timer *t;

	while ((t = h->timers) != NULL && (all || t->due_ms <= http_now(h))) {
		h->timers = t->next;
		h->pending--;
		h->depth++;
		t->fn(t->arg);
		h->depth--;
		free(t);
	}
}

/* ---- ending ----------------------------------------------------------- */

static void
unlink_xfer(struct http *h, struct xfer *x)
{
	struct xfer **pp;

	for (pp = &h->xfers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	if (h->tail == &x->next)
		h->tail = pp;
	x->next = NULL;
	h->pending--;
}

void
http_complete(struct xfer *x, const struct err *e)
{
	struct http *h = x->h;
	const char *ct;

	unlink_xfer(h, x);
	if (x->resp.url == NULL)
		x->resp.url = httpurl_redacted(x->url);
	free(x->resp.content_type);
	x->resp.content_type = NULL;
	ct = http_resp_header(&x->resp, "content-type");
	if (ct != NULL)
		x->resp.content_type = strdup(ct);
	if (x->done != NULL) {
		h->depth++;
		x->done(x->arg, &x->resp, e);
		h->depth--;
	}
	xfer_free(x);
}

/* ---- the loop --------------------------------------------------------- */

static void
fail_all(struct http *h, enum err_code code, const char *msg)
{
	struct err e = { 0 };
	struct xfer *x;

	while ((x = h->xfers) != NULL) {
		http_attempt_end(x);
		if (x->resp.url == NULL)
			x->resp.url = httpurl_redacted(x->url);
		err_set(&e, code, "%s %s: %s", x->method,
		    x->resp.url ? x->resp.url : "", msg);
		x->resp.maybe_sent =
		    x->resp.attempts > 0 && !http_is_idempotent(x->method);
		http_complete(x, &e);
	}
}

/* Starts x if its time has come and it has a connection slot and room in
 * its pacing window; otherwise lowers *wake to when it wants to be looked
 * at again, if that is known. */
static void
try_start(struct http *h, struct xfer *x, long long t, long long *wake)
{
	struct host *host;
	struct err e = { 0 };
	struct pace *b;
	long long w;

	if (x->wake_ms > t) {
		if (*wake < 0 || x->wake_ms < *wake)
			*wake = x->wake_ms;
		return;
	}
	if ((host = x->origin_host) == NULL &&
	    (host = x->origin_host = host_get(h, x->origin)) == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		http_complete(x, &e);
		return;
	}
	/* The slot frees when an attempt ends, which wakes the poll.  Polls
	 * get at most half the slots, so that a submit or a read that moves
	 * work forward never waits behind a crowd of them. */
	if (host->active >= h->o.max_host_connections ||
	    (x->background &&
	        host->active_bg >= (h->o.max_host_connections + 1) / 2))
		return;
	if ((b = http_bucket_of(x)) != NULL &&
	    (w = x->background ? pace_take_background(b, t) : pace_take(b, t)) >
	        0) {
		http_logf(h, HTTP_LOG_DEBUG,
		    "%s %s: waiting %lld ms for room in the '%s' pacing window",
		    x->method, x->resp.url ? x->resp.url : "", w,
		    x->pacer->key);
		x->wake_ms = t + w;
		if (*wake < 0 || x->wake_ms < *wake)
			*wake = x->wake_ms;
		return;
	}
	if (http_attempt_start(x, host, &e) != 0) {
		http_attempt_end(x);
		http_complete(x, &e);
	}
}

/* Starts every waiting request that can start: first the foreground ones,
 * then the background ones (polls), so that a slot that frees goes to a
 * submit before a poll.  Returns the earliest time a waiting request wants
 * to be looked at again, or -1. */
static long long
start_ready(struct http *h)
{
	struct xfer *x, *next;
	long long t = http_now(h), wake = -1;
	int background = 0;

	for (x = h->xfers; x != NULL; x = next) {
		next = x->next;
		if (x->state != X_WAIT)
			continue;
		if (x->background)
			background = 1;
		else
			try_start(h, x, t, &wake);
	}
	for (x = background ? h->xfers : NULL; x != NULL; x = next) {
		next = x->next;
		if (x->state == X_WAIT && x->background)
			try_start(h, x, t, &wake);
	}
	return wake;
}

static void
reap(struct http *h)
{
	CURLMsg *msg;
	struct xfer *x;
	int left;

	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		x = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &x);
		if (x != NULL)
			http_attempt_done(x, msg->data.result);
	}
}

/* The loop behind http_run() and http_do(): returns when nothing is
 * pending, when *stop is set, or at deadline (-1 = none). */
static int
drive(struct http *h, long long deadline, const int *stop, struct err *err)
{
	long long t, wake;
	long wait;
	int running;

	for (;;) {
		if (h->o.interrupted != NULL && *h->o.interrupted) {
			fail_all(h, ERR_INTERRUPTED, "interrupted");
			run_timers(h, 1);
			return err_set(err, ERR_INTERRUPTED, "interrupted");
		}
		run_timers(h, 0);
		start_ready(h);
		if (curl_multi_perform(h->multi, &running) != CURLM_OK)
			return err_set(
			    err, ERR_HTTP, "curl_multi_perform failed");
		reap(h);
		if (h->pending == 0 || (stop != NULL && *stop))
			return 0;
		if (h->woken && stop == NULL) {
			h->woken = 0;
			return 0;
		}
		/* Callbacks and redirects may have queued work due now. */
		wake = start_ready(h);
		t = http_now(h);
		if (deadline >= 0 && t >= deadline)
			return 0;
		wait = 1000;
		if (wake >= 0 && wake - t < wait)
			wait = (long)(wake - t);
		if (h->timers != NULL && h->timers->due_ms - t < wait)
			wait = (long)(h->timers->due_ms - t);
		if (deadline >= 0 && deadline - t < wait)
			wait = (long)(deadline - t);
		if (h->o.interrupted != NULL && wait > INTERRUPT_POLL_MS)
			wait = INTERRUPT_POLL_MS;
		if (wait < 0)
			wait = 0;
		if (curl_multi_poll(h->multi, NULL, 0, (int)wait, NULL) !=
		    CURLM_OK)
			return err_set(err, ERR_HTTP, "curl_multi_poll failed");
	}
}

void
http_wake(struct http *h)
{
	h->woken = 1;
}

int
http_run(struct http *h, long timeout_ms, struct err *err)
{
	long long deadline = timeout_ms < 0 ? -1 : http_now(h) + timeout_ms;

	if (h->depth > 0)
		return err_set(err, ERR_HTTP,
		    "http_run called from a completion callback");
	if (drive(h, deadline, NULL, err) != 0)
		return -1;
	return h->pending;
}

struct do_result {
	int done;
	struct http_resp *resp;
	struct err err;
	int failed;
};

static void
do_done(void *arg, struct http_resp *resp, const struct err *e)
{
	struct do_result *d = arg;

	d->done = 1;
	if (e != NULL) {
		d->failed = 1;
		d->err = *e;
	}
	d->resp = malloc(sizeof(*d->resp));
	if (d->resp == NULL) {
		if (!d->failed)
			err_set(&d->err, ERR_NOMEM, "out of memory");
		d->failed = 1;
		return;
	}
	/* Internal: take the response over instead of copying it. */
	*d->resp = *resp;
	memset(resp, 0, sizeof(*resp));
}

static int
do_one(struct http *h, const struct http_req *req, struct http_resp **out,
    int keep, struct err *err)
{
	struct do_result d = { 0 };

	*out = NULL;
	if (h->depth > 0)
		return err_set(err, ERR_HTTP,
		    "http_do called from a completion callback; use "
		    "http_submit there");
	if (http_submit(h, req, do_done, &d, err) != 0)
		return -1;
	if (drive(h, -1, &d.done, err) != 0 && !d.done)
		return -1;
	if (d.failed) {
		if (err != NULL)
			*err = d.err;
		if (keep)
			*out = d.resp;
		else
			http_resp_free(d.resp);
		return -1;
	}
	*out = d.resp;
	return 0;
}

int
http_do(struct http *h, const struct http_req *req, struct http_resp **out,
    struct err *err)
{
	return do_one(h, req, out, 0, err);
}

int
http_do_resp(struct http *h, const struct http_req *req, struct http_resp **out,
    struct err *err)
{
	return do_one(h, req, out, 1, err);
}
