/*
 * http.c - the HTTP client on libcurl's multi interface.
 *
 * Two choices a newcomer would question.  Redirects are followed here, not
 * with CURLOPT_FOLLOWLOCATION, because libcurl re-sends custom headers
 * (Ocp-Apim-Subscription-Key) to whatever host a redirect names; we
 * compare each hop's scheme, host and port with the request's own and
 * drop the secret headers when they differ.  And every request waiting
 * for something (a retry timer, a pacing token, a free connection slot)
 * sits in our own queue, not inside libcurl, so that libcurl's timeouts
 * measure only the attempt itself and http_run() can sleep in
 * curl_multi_poll() exactly until the next timer.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "httpurl.h"
#include "pace.h"

#ifndef STANDBY_VERSION
#define STANDBY_VERSION "0.0.0"
#endif

/* The longest sleep in curl_multi_poll() while an interrupt flag is
 * watched: the promptness of Ctrl-C. */
#define INTERRUPT_POLL_MS 100

struct http_hdr {
	struct http_hdr *next;
	char *name;
	char *value;
};

struct pacer {
	struct pacer *next;
	char *key;
	struct pace get, post;
};

/* In-flight attempts per origin, for the connection cap. */
struct host {
	struct host *next;
	char *origin;
	int active;
};

enum xstate {
	X_WAIT,
	X_ACTIVE
};

/* One submitted request, through all its attempts and redirects. */
struct xfer {
	struct xfer *next;
	struct http *h;
	enum xstate state;
	long long wake_ms; /* X_WAIT: not before this */
	long long first_ms;
	const char *method; /* static string */
	char *url;
	char *origin0; /* the origin secrets belong to */
	char *origin;  /* of url */
	struct curl_slist *headers, *secrets;
	char *body;
	size_t body_len, body_off;
	int body_read; /* a body byte was handed to libcurl: maybe sent */
	char *content_type;
	struct pacer *pacer;
	int retry;
	size_t max_body;
	char reqid[37];
	int redirects;
	int retries; /* taken so far */
	http_done_fn done;
	void *arg;
	/* The attempt in flight. */
	CURL *easy;
	struct curl_slist *attempt_hdrs;
	struct host *host;
	long long attempt_ms;
	int overflow;
	int in_headers_of_final; /* header lines belong to resp */
	char errbuf[CURL_ERROR_SIZE];
	struct http_resp resp;
};

struct http {
	struct http_opts o;
	char *cacert;
	CURLM *multi;
	struct xfer *xfers, **tail;
	int pending;
	struct pacer *pacers;
	struct host *hosts;
	uint64_t rng;
	int warned_plain, warned_insecure;
	int depth; /* inside a completion callback */
};

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

static long long
now(const struct http *h)
{
	return h->o.now_ms(h->o.clock_arg);
}

static void logf_(struct http *h, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
logf_(struct http *h, int level, const char *fmt, ...)
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

static uint64_t
rng_next(struct http *h)
{
	/* xorshift64*: jitter needs spread, not secrecy. */
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return h->rng * 2685821657736338717ULL;
}

static int
is_idempotent(const char *method)
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

static void
free_hdrs(struct http_hdr *p)
{
	struct http_hdr *next;

	for (; p != NULL; p = next) {
		next = p->next;
		free(p->name);
		free(p->value);
		free(p);
	}
}

static void
resp_clear(struct http_resp *r)
{
	buf_release(&r->body);
	free(r->content_type);
	r->content_type = NULL;
	free_hdrs(r->hdrs);
	r->hdrs = NULL;
	r->status = 0;
}

int
http_url_is_loopback(const char *url)
{
	return httpurl_is_loopback(url);
}

/* The plain-http and --insecure rules, for the first URL and each hop. */
static int
check_url_allowed(struct http *h, const char *url, struct err *err)
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
			logf_(h, HTTP_LOG_WARN,
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
			logf_(h, HTTP_LOG_WARN,
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
		h->o.max_host_connections = 6;
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

static void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL) {
		curl_multi_remove_handle(x->h->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	if (x->host != NULL)
		x->host->active--;
	curl_slist_free_all(x->attempt_hdrs);
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->secrets);
	free(x->url);
	free(x->origin0);
	free(x->origin);
	free(x->body);
	free(x->content_type);
	resp_clear(&x->resp);
	free(x->resp.url);
	free(x);
}

void
http_free(struct http *h)
{
	struct xfer *x, *xn;
	struct pacer *p, *pn;
	struct host *o, *on;

	if (h == NULL)
		return;
	for (x = h->xfers; x != NULL; x = xn) {
		xn = x->next;
		xfer_free(x);
	}
	for (p = h->pacers; p != NULL; p = pn) {
		pn = p->next;
		free(p->key);
		free(p);
	}
	for (o = h->hosts; o != NULL; o = on) {
		on = o->next;
		free(o->origin);
		free(o);
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
	long long t = now(h);

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
	pace_init_window(&p->get, get_per_min, now(h));
	pace_init_window(&p->post, post_per_min, now(h));
	return 0;
}

static struct pace *
bucket_of(struct xfer *x)
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
		a = rng_next(x->h);
		b = rng_next(x->h);
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
	int rc = -1;

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
	if (check_url_allowed(h, req->url, err) != 0)
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
	if (req->body != NULL) {
		x->body = malloc(req->body_len + 1);
		if (x->body != NULL) {
			memcpy(x->body, req->body, req->body_len);
			x->body[req->body_len] = '\0';
		}
		x->body_len = req->body_len;
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
	x->max_body = req->max_body ? req->max_body : h->o.max_body;
	x->done = done;
	x->arg = arg;
	make_uuid(x);
	x->state = X_WAIT;
	x->first_ms = x->wake_ms = now(h);
	*h->tail = x;
	h->tail = &x->next;
	h->pending++;
	x = NULL;
	rc = 0;
out:
	xfer_free(x);
	return rc;
}

int
http_pending(const struct http *h)
{
	return h->pending;
}

/* ---- one attempt ------------------------------------------------------ */

static size_t
on_read(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb, left = x->body_len - x->body_off;

	if (n > left)
		n = left;
	memcpy(ptr, x->body + x->body_off, n);
	x->body_off += n;
	if (n > 0)
		x->body_read = 1;
	return n;
}

static int
on_seek(void *arg, curl_off_t off, int origin)
{
	struct xfer *x = arg;

	if (origin != SEEK_SET || off < 0 || (size_t)off > x->body_len)
		return CURL_SEEKFUNC_CANTSEEK;
	x->body_off = (size_t)off;
	return CURL_SEEKFUNC_OK;
}

static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	if (buf_add(&x->resp.body, ptr, n) != 0) {
		x->overflow = 1;
		return 0; /* CURLE_WRITE_ERROR ends the transfer */
	}
	return n;
}

static char *
trimmed_dup(const char *s, size_t n)
{
	char *p;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 &&
	    (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
	        s[n - 1] == '\n'))
		n--;
	p = malloc(n + 1);
	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static size_t
on_header(char *ptr, size_t size, size_t nitems, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nitems;
	struct http_hdr *hd, **tail;
	const char *colon;

	if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
		/* A new status line: headers of a 1xx before it are not the
		 * final response's. */
		free_hdrs(x->resp.hdrs);
		x->resp.hdrs = NULL;
		return n;
	}
	colon = memchr(ptr, ':', n);
	if (colon == NULL || colon == ptr)
		return n;
	hd = calloc(1, sizeof(*hd));
	if (hd == NULL)
		return 0;
	hd->name = trimmed_dup(ptr, (size_t)(colon - ptr));
	hd->value = trimmed_dup(colon + 1, n - (size_t)(colon + 1 - ptr));
	if (hd->name == NULL || hd->value == NULL) {
		free_hdrs(hd);
		return 0;
	}
	for (tail = &x->resp.hdrs; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = hd;
	return n;
}

static int
has_header(const struct curl_slist *s, const char *name)
{
	size_t n = strlen(name);

	for (; s != NULL; s = s->next)
		if (strncasecmp(s->data, name, n) == 0 && s->data[n] == ':')
			return 1;
	return 0;
}

static int
add_attempt_header(struct xfer *x, const char *line)
{
	struct curl_slist *n = curl_slist_append(x->attempt_hdrs, line);

	if (n == NULL)
		return -1;
	x->attempt_hdrs = n;
	return 0;
}

static int
build_attempt_headers(struct xfer *x)
{
	const struct curl_slist *s;
	struct buf b = { .max = 1024 };
	int rc = -1;

	for (s = x->headers; s != NULL; s = s->next)
		if (add_attempt_header(x, s->data) != 0)
			goto out;
	if (strcmp(x->origin, x->origin0) == 0)
		for (s = x->secrets; s != NULL; s = s->next)
			if (add_attempt_header(x, s->data) != 0)
				goto out;
	buf_addf(&b, "x-ms-client-request-id: %s", x->reqid);
	if (b.failed || add_attempt_header(x, buf_str(&b)) != 0)
		goto out;
	if (x->body != NULL && !has_header(x->headers, "content-type")) {
		buf_reset(&b);
		buf_addf(&b, "Content-Type: %s", x->content_type);
		if (b.failed || add_attempt_header(x, buf_str(&b)) != 0)
			goto out;
	}
	/* No "Expect: 100-continue": it costs a round trip or a second. */
	if (add_attempt_header(x, "Expect:") != 0)
		goto out;
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

static int
start_attempt(struct xfer *x, struct host *host, struct err *err)
{
	struct http *h = x->h;
	CURL *e;

	resp_clear(&x->resp);
	x->resp.body.max = x->max_body;
	x->overflow = 0;
	x->body_off = 0;
	x->body_read = 0;
	x->errbuf[0] = '\0';
	curl_slist_free_all(x->attempt_hdrs);
	x->attempt_hdrs = NULL;
	if (build_attempt_headers(x) != 0)
		return err_set(err, ERR_NOMEM, "out of memory");
	e = x->easy = curl_easy_init();
	if (e == NULL)
		return err_set(err, ERR_NOMEM, "cannot create a curl handle");
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "standby/" STANDBY_VERSION);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->attempt_hdrs);
	/* Our headers go to the server only, never to a proxy. */
	curl_easy_setopt(e, CURLOPT_HEADEROPT, (long)CURLHEADER_SEPARATE);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->o.total_timeout_ms);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, h->o.low_speed_time_s);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, h->o.low_speed_limit);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, h->o.insecure ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, h->o.insecure ? 0L : 2L);
	if (h->cacert != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->cacert);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	if (x->max_body <= (size_t)INT64_MAX)
		curl_easy_setopt(
		    e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
	if (strcmp(x->method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (x->body != NULL) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(
		    e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(e, CURLOPT_READDATA, x);
		curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(e, CURLOPT_SEEKDATA, x);
	} else if (strcmp(x->method, "GET") != 0) {
		/* A bodyless POST still says Content-Length: 0. */
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
	}
	/* CURLOPT_POST above makes any body a POST; name the real method. */
	if (strcmp(x->method, "POST") != 0 &&
	    (x->body != NULL || strcmp(x->method, "GET") != 0) &&
	    strcmp(x->method, "HEAD") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, x->method);
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		x->easy = NULL;
		return err_set(err, ERR_HTTP, "cannot start a transfer");
	}
	x->state = X_ACTIVE;
	x->attempt_ms = now(h);
	x->resp.attempts = 1 + x->retries;
	x->resp.method = x->method;
	x->host = host;
	host->active++;
	return 0;
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

static void
complete(struct xfer *x, const struct err *e)
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

static void
end_attempt(struct xfer *x)
{
	if (x->easy != NULL) {
		curl_multi_remove_handle(x->h->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	if (x->host != NULL) {
		x->host->active--;
		x->host = NULL;
	}
	curl_slist_free_all(x->attempt_hdrs);
	x->attempt_hdrs = NULL;
}

/* Waits asked for by the service: retry-after-ms and x-ms-retry-after-ms
 * (Azure's precise forms) win over Retry-After (seconds or an HTTP date).
 * -1 when none is there or parses. */
static long long
retry_after_ms(const struct http_resp *r)
{
	const char *v;
	char *end;
	long long n;
	time_t t;

	if ((v = http_resp_header(r, "retry-after-ms")) != NULL ||
	    (v = http_resp_header(r, "x-ms-retry-after-ms")) != NULL) {
		n = strtoll(v, &end, 10);
		if (end != v && *end == '\0' && n >= 0)
			return n;
	}
	if ((v = http_resp_header(r, "retry-after")) == NULL)
		return -1;
	if (isdigit((unsigned char)*v)) {
		n = strtoll(v, &end, 10);
		if (*end == '\0' && n >= 0 && n < 86400 * 365)
			return n * 1000;
		return -1;
	}
	t = curl_getdate(v, NULL);
	if (t == -1)
		return -1;
	n = ((long long)t - (long long)time(NULL)) * 1000;
	return n > 0 ? n : 0;
}

static int
retryable_status(long s)
{
	return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 ||
	    s == 504;
}

static int
retryable_code(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* Failures before any byte of the request could have left. */
static int
before_sending(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return 1;
	default:
		return 0;
	}
}

/* Schedules another attempt of x when the policy and the budget allow;
 * returns 1 when it did.  why describes the failure for the log. */
static int
schedule_retry(struct xfer *x, int allowed, long long asked_ms, const char *why)
{
	struct http *h = x->h;
	long long t = now(h), d, half, spent;
	int n = x->retries + 1;

	if (!allowed || x->retries >= h->o.max_retries)
		return 0;
	if (asked_ms >= 0)
		d = asked_ms;
	else {
		d = h->o.backoff_base_ms;
		while (--n > 0 && d < h->o.backoff_max_ms)
			d *= 2;
		if (d > h->o.backoff_max_ms)
			d = h->o.backoff_max_ms;
		/* Equal jitter: at least half the backoff, so that a herd of
		 * clients spreads out without retrying at once. */
		half = d / 2;
		d = half + (long long)(rng_next(h) % (uint64_t)(d - half + 1));
	}
	spent = t - x->first_ms;
	if (spent + d > h->o.retry_budget_ms) {
		logf_(h, HTTP_LOG_INFO,
		    "%s %s: %s; not retried: waiting %lld ms would pass the "
		    "retry budget of %ld ms",
		    x->method, x->resp.url, why, d, h->o.retry_budget_ms);
		return 0;
	}
	logf_(h, HTTP_LOG_INFO, "%s %s: %s; retry %d/%d in %lld ms%s",
	    x->method, x->resp.url, why, x->resp.attempts, h->o.max_retries, d,
	    asked_ms >= 0 ? " (as the service asked)" : "");
	x->retries++;
	x->state = X_WAIT;
	x->wake_ms = t + d;
	return 1;
}

static int
is_redirect(long s)
{
	return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

/* Follows a redirect: returns 1 when x was re-queued, 0 when the 3xx is
 * the final answer (no Location), -1 with err on a refused hop. */
static int
follow(struct xfer *x, struct err *err)
{
	struct http *h = x->h;
	const char *loc = http_resp_header(&x->resp, "location");
	CURLU *cu = NULL;
	char *next = NULL, *origin = NULL, *shown = NULL;
	int rc = -1;

	if (loc == NULL)
		return 0;
	if (x->redirects >= h->o.max_redirects) {
		err_set(err, ERR_HTTP, "%s %s: more than %d redirects",
		    x->method, x->resp.url, h->o.max_redirects);
		goto out;
	}
	cu = curl_url();
	if (cu == NULL || curl_url_set(cu, CURLUPART_URL, x->url, 0) != 0 ||
	    curl_url_set(cu, CURLUPART_URL, loc, 0) != 0 ||
	    curl_url_get(cu, CURLUPART_URL, &next, 0) != 0) {
		err_set(err, ERR_HTTP, "%s %s: redirect to an invalid URL",
		    x->method, x->resp.url);
		goto out;
	}
	if (check_url_allowed(h, next, err) != 0) {
		err_wrap(
		    err, "%s %s: redirect refused", x->method, x->resp.url);
		goto out;
	}
	origin = httpurl_origin(next);
	shown = httpurl_redacted(next);
	if (origin == NULL || shown == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	logf_(h, HTTP_LOG_INFO, "%s %s: %ld redirect to %s%s", x->method,
	    x->resp.url, x->resp.status, shown,
	    x->secrets != NULL && strcmp(origin, x->origin0) != 0
	        ? " (another origin: credentials not sent)"
	        : "");
	/* 303 always, and 301/302 after a POST as every browser does: the
	 * next hop is a GET without the body. */
	if (x->resp.status == 303 ||
	    ((x->resp.status == 301 || x->resp.status == 302) &&
	        strcmp(x->method, "POST") == 0)) {
		x->method = "GET";
		free(x->body);
		x->body = NULL;
		x->body_len = 0;
	}
	free(x->url);
	x->url = strdup(next);
	free(x->origin);
	x->origin = origin;
	origin = NULL;
	free(x->resp.url);
	x->resp.url = shown;
	shown = NULL;
	if (x->url == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	x->redirects++;
	x->state = X_WAIT;
	x->wake_ms = now(h);
	rc = 1;
out:
	curl_free(next);
	curl_url_cleanup(cu);
	free(origin);
	free(shown);
	return rc;
}

/* An attempt ended with code c: finish x, retry it, or follow a redirect. */
static void
attempt_done(struct xfer *x, CURLcode c)
{
	struct http *h = x->h;
	struct err e = { 0 };
	curl_off_t cl = -1;
	long status = 0;
	long long ms = now(h) - x->attempt_ms, asked;
	int sent, r, pol = x->retry;
	const char *m = x->method;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	end_attempt(x);
	x->resp.status = status;
	free(x->resp.url);
	x->resp.url = httpurl_redacted(x->url);
	if (x->resp.url == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		complete(x, &e);
		return;
	}
	/* A body shorter than its Content-Length is a truncation even when
	 * libcurl did not notice (it does for HTTP/1.1, as PARTIAL_FILE). */
	if (c == CURLE_OK && cl >= 0 && strcmp(m, "HEAD") != 0 &&
	    status != 204 && status != 304 &&
	    (curl_off_t)x->resp.body.len != cl)
		c = CURLE_PARTIAL_FILE;
	if (x->overflow || c == CURLE_FILESIZE_EXCEEDED) {
		logf_(h, HTTP_LOG_DEBUG,
		    "%s %s -> %ld, body over %zu bytes (%lld ms, attempt %d)",
		    m, x->resp.url, status, x->max_body, ms, x->resp.attempts);
		err_set(&e, ERR_HTTP,
		    "%s %s: response body larger than the %zu-byte limit", m,
		    x->resp.url, x->max_body);
		x->resp.maybe_sent = !is_idempotent(m);
		complete(x, &e);
		return;
	}
	if (c != CURLE_OK) {
		struct buf why = { .max = 600 };

		if (c == CURLE_PARTIAL_FILE && cl >= 0)
			buf_addf(&why,
			    "response truncated: %zu of %lld bytes received",
			    x->resp.body.len, (long long)cl);
		else
			buf_addstr(&why,
			    x->errbuf[0] ? x->errbuf : curl_easy_strerror(c));
		logf_(h, HTTP_LOG_DEBUG,
		    "%s %s -> error: %s (%lld ms, attempt %d)", m, x->resp.url,
		    buf_str(&why), ms, x->resp.attempts);
		if (x->body != NULL)
			sent = status > 0 || x->body_read;
		else
			sent = status > 0 || !before_sending(c);
		r = pol > 0 || (pol == 0 && (is_idempotent(m) || !sent));
		if (schedule_retry(
		        x, r && retryable_code(c), -1, buf_str(&why))) {
			buf_release(&why);
			return;
		}
		x->resp.maybe_sent = sent && !is_idempotent(m);
		err_set(&e, ERR_HTTP, "%s %s: %s%s", m, x->resp.url,
		    buf_str(&why),
		    x->resp.maybe_sent ? "; the request may have been "
		                         "processed, so it was not resent"
		                       : "");
		buf_release(&why);
		complete(x, &e);
		return;
	}
	logf_(h, HTTP_LOG_DEBUG, "%s %s -> %ld (%lld ms, attempt %d)", m,
	    x->resp.url, status, ms, x->resp.attempts);
	if (is_redirect(status) && h->o.max_redirects > 0) {
		r = follow(x, &e);
		if (r == 1)
			return;
		if (r < 0) {
			complete(x, &e);
			return;
		}
	}
	if (retryable_status(status)) {
		asked = retry_after_ms(&x->resp);
		if (status == 429 && bucket_of(x) != NULL) {
			pace_throttle(bucket_of(x), now(h), asked);
			logf_(h, HTTP_LOG_INFO,
			    "429 on '%s': slowing %s requests to %.1f a "
			    "minute",
			    x->pacer->key,
			    bucket_of(x) == &x->pacer->get ? "GET" : "other",
			    pace_rate(bucket_of(x), now(h)));
		}
		r = pol > 0 ||
		    (pol == 0 &&
		        (is_idempotent(m) || status == 429 ||
		            (status == 503 && asked >= 0)));
		{
			char why[32];

			snprintf(why, sizeof(why), "status %ld", status);
			if (schedule_retry(x, r, asked, why))
				return;
		}
	}
	complete(x, NULL);
}

/* ---- the loop --------------------------------------------------------- */

static void
fail_all(struct http *h, enum err_code code, const char *msg)
{
	struct err e = { 0 };
	struct xfer *x;

	while ((x = h->xfers) != NULL) {
		end_attempt(x);
		if (x->resp.url == NULL)
			x->resp.url = httpurl_redacted(x->url);
		err_set(&e, code, "%s %s: %s", x->method,
		    x->resp.url ? x->resp.url : "", msg);
		x->resp.maybe_sent =
		    x->resp.attempts > 0 && !is_idempotent(x->method);
		complete(x, &e);
	}
}

/* Starts every waiting request whose time has come and that has a
 * connection slot and a pacing token.  Returns the earliest time a
 * waiting request wants to be looked at again, or -1. */
static long long
start_ready(struct http *h)
{
	struct xfer *x, *next;
	struct host *host;
	struct err e = { 0 };
	struct pace *b;
	long long t = now(h), w, wake = -1;

	for (x = h->xfers; x != NULL; x = next) {
		next = x->next;
		if (x->state != X_WAIT)
			continue;
		if (x->wake_ms > t) {
			if (wake < 0 || x->wake_ms < wake)
				wake = x->wake_ms;
			continue;
		}
		host = host_get(h, x->origin);
		if (host == NULL) {
			err_set(&e, ERR_NOMEM, "out of memory");
			complete(x, &e);
			continue;
		}
		/* The slot frees when an attempt ends, which wakes the poll. */
		if (host->active >= h->o.max_host_connections)
			continue;
		if ((b = bucket_of(x)) != NULL && (w = pace_take(b, t)) > 0) {
			logf_(h, HTTP_LOG_DEBUG,
			    "%s %s: waiting %lld ms for a '%s' pacing token",
			    x->method, x->resp.url ? x->resp.url : "", w,
			    x->pacer->key);
			x->wake_ms = t + w;
			if (wake < 0 || x->wake_ms < wake)
				wake = x->wake_ms;
			continue;
		}
		if (start_attempt(x, host, &e) != 0) {
			end_attempt(x);
			complete(x, &e);
		}
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
			attempt_done(x, msg->data.result);
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
			return err_set(err, ERR_INTERRUPTED, "interrupted");
		}
		start_ready(h);
		if (curl_multi_perform(h->multi, &running) != CURLM_OK)
			return err_set(
			    err, ERR_HTTP, "curl_multi_perform failed");
		reap(h);
		if (h->pending == 0 || (stop != NULL && *stop))
			return 0;
		/* Callbacks and redirects may have queued work due now. */
		wake = start_ready(h);
		t = now(h);
		if (deadline >= 0 && t >= deadline)
			return 0;
		wait = 1000;
		if (wake >= 0 && wake - t < wait)
			wait = (long)(wake - t);
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

int
http_run(struct http *h, long timeout_ms, struct err *err)
{
	long long deadline = timeout_ms < 0 ? -1 : now(h) + timeout_ms;

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

/* ---- responses -------------------------------------------------------- */

const char *
http_resp_header(const struct http_resp *resp, const char *name)
{
	const struct http_hdr *p;

	if (resp == NULL)
		return NULL;
	for (p = resp->hdrs; p != NULL; p = p->next)
		if (strcasecmp(p->name, name) == 0)
			return p->value;
	return NULL;
}

static int
is_json_type(const char *ct)
{
	size_t n;
	const char *semi;

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	semi = strchr(ct, ';');
	n = semi ? (size_t)(semi - ct) : strlen(ct);
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	if (n == strlen("application/json") &&
	    strncasecmp(ct, "application/json", n) == 0)
		return 1;
	/* application/problem+json and friends */
	return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	    strncasecmp(ct + n - 5, "+json", 5) == 0;
}

int
http_resp_json(
    const struct http_resp *resp, struct cJSON **out, struct err *err)
{
	const char *url = resp->url ? resp->url : "the response";
	const char *data = buf_str(&resp->body), *end = NULL, *p;
	size_t len = resp->body.len, off, line = 1, col = 1;
	cJSON *j;

	*out = NULL;
	if (!is_json_type(resp->content_type))
		return err_set(err, ERR_HTTP,
		    "%s: expected a JSON body, got content type '%s'", url,
		    resp->content_type ? resp->content_type : "(none)");
	if (len == 0)
		return err_set(
		    err, ERR_HTTP, "%s: empty body, expected JSON", url);
	j = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (j != NULL) {
		/* Only whitespace may follow the value; a NUL inside the body
		 * would otherwise hide the rest of it. */
		for (p = end; p < data + len && isspace((unsigned char)*p); p++)
			;
		if (p == data + len) {
			*out = j;
			return 0;
		}
		end = p;
		cJSON_Delete(j);
	}
	if (end == NULL || end < data || end > data + len)
		end = data + len;
	off = (size_t)(end - data);
	for (p = data; p < end; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	return err_set(err, ERR_HTTP,
	    "%s: %s JSON at offset %zu (line %zu, column %zu) of %zu bytes",
	    url, off + 1 >= len ? "truncated or invalid" : "invalid", off, line,
	    col, len);
}

int
http_resp_check(const struct http_resp *resp, struct err *err)
{
	cJSON *j = NULL, *e, *code, *msg;
	struct err ignored;
	enum err_code ec = ERR_HTTP;
	char detail[300] = "", tries[48] = "";

	if (resp->status >= 200 && resp->status < 300)
		return 0;
	if (resp->status == 404)
		ec = ERR_NOTFOUND;
	else if (resp->status == 409 || resp->status == 412)
		ec = ERR_CONFLICT;
	if (http_resp_json(resp, &j, &ignored) == 0 &&
	    (e = cJSON_GetObjectItemCaseSensitive(j, "error")) != NULL) {
		code = cJSON_GetObjectItemCaseSensitive(e, "code");
		msg = cJSON_GetObjectItemCaseSensitive(e, "message");
		snprintf(detail, sizeof(detail), ": %s%s%.200s",
		    cJSON_IsString(code) ? code->valuestring : "",
		    cJSON_IsString(code) && cJSON_IsString(msg) ? ": " : "",
		    cJSON_IsString(msg) ? msg->valuestring : "");
	}
	cJSON_Delete(j);
	if (resp->attempts > 1)
		snprintf(tries, sizeof(tries), " (after %d attempts)",
		    resp->attempts);
	err_set(err, ec, "%s %s: status %ld%s%s",
	    resp->method ? resp->method : "", resp->url ? resp->url : "",
	    resp->status, detail, tries);
	return -1;
}

void
http_resp_free(struct http_resp *resp)
{
	if (resp == NULL)
		return;
	resp_clear(resp);
	free(resp->url);
	free(resp);
}
