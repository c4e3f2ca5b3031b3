/*
 * http_attempt.c - one attempt of a request: the curl easy handle, its
 * headers (secrets only to the request's own origin) and the callbacks
 * that feed the request body and collect the response.
 */
#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"

#ifndef STANDBY_VERSION
#define STANDBY_VERSION "0.0.0"
#endif

/* Pulls the next bytes from x's source.  A source that fails, or that
 * would give more or fewer bytes than it announced, aborts the attempt:
 * the server then sees a body shorter than its Content-Length, so it
 * cannot have acted on it. */
static size_t
read_src(struct xfer *x, char *ptr, size_t n)
{
	size_t got = 0, left = x->body_len - x->body_off;

	if (n > left)
		n = left;
	if (n == 0)
		return 0;
	x->src_dirty = 1;
	if (x->src.read(x->src.arg, ptr, n, &got, &x->src_err) != 0) {
		x->src_failed = 1;
		return CURL_READFUNC_ABORT;
	}
	if (got == 0 || got > n) {
		err_set(&x->src_err, ERR_IO,
		    "the request body source gave %zu of %zu bytes",
		    x->body_off + (got > n ? got : 0), x->body_len);
		x->src_failed = 1;
		return CURL_READFUNC_ABORT;
	}
	x->body_off += got;
	x->body_read = 1;
	return got;
}

static size_t
on_read(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb, left = x->body_len - x->body_off;

	if (x->has_src)
		return read_src(x, ptr, n);
	if (n > left)
		n = left;
	memcpy(ptr, x->body + x->body_off, n);
	x->body_off += n;
	if (n > 0)
		x->body_read = 1;
	return n;
}

/* Rewinds x's source if anything was read from it. */
static int
rewind_src(struct xfer *x)
{
	if (!x->has_src || !x->src_dirty)
		return 0;
	if (x->src.rewind(x->src.arg, &x->src_err) != 0) {
		x->src_failed = 1;
		return -1;
	}
	x->src_dirty = 0;
	return 0;
}

static int
on_seek(void *arg, curl_off_t off, int origin)
{
	struct xfer *x = arg;

	if (origin != SEEK_SET || off < 0 || (size_t)off > x->body_len)
		return CURL_SEEKFUNC_CANTSEEK;
	if (x->has_src) {
		/* A source only goes back to its start. */
		if (off != 0)
			return CURL_SEEKFUNC_CANTSEEK;
		if (rewind_src(x) != 0)
			return CURL_SEEKFUNC_FAIL;
	}
	x->body_off = (size_t)off;
	return CURL_SEEKFUNC_OK;
}

static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	if (x->streaming) {
		if (n > x->max_body - x->streamed) {
			x->overflow = 1;
			return 0;
		}
		if (x->write(x->write_arg, ptr, n) != 0) {
			x->write_failed = 1;
			return 0;
		}
		x->streamed += n;
		return n;
	}
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
	long status;

	if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
		/* A new status line: headers of a 1xx before it are not the
		 * final response's. */
		http_hdrs_free(x->resp.hdrs);
		x->resp.hdrs = NULL;
		x->streaming = 0;
		return n;
	}
	if (n <= 2 && (ptr[0] == '\r' || ptr[0] == '\n')) {
		/* The end of a header block: its status decides where the
		 * body goes.  A 1xx block is followed by another; a 3xx, 4xx
		 * or 5xx body stays in resp for redirects, errors and
		 * retries. */
		status = 0;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		x->streaming =
		    x->write != NULL && status >= 200 && status < 300;
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
		http_hdrs_free(hd);
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
	if (http_has_body(x) && !has_header(x->headers, "content-type")) {
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

int
http_attempt_start(struct xfer *x, struct host *host, struct err *err)
{
	struct http *h = x->h;
	CURL *e;

	http_resp_clear(&x->resp);
	x->resp.body.max = x->max_body;
	x->overflow = 0;
	x->streaming = 0;
	x->streamed = 0;
	x->write_failed = 0;
	x->body_off = 0;
	x->body_read = 0;
	x->errbuf[0] = '\0';
	if (rewind_src(x) != 0) {
		*err = x->src_err;
		return -1;
	}
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
	else if (http_has_body(x)) {
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
	    (http_has_body(x) || strcmp(x->method, "GET") != 0) &&
	    strcmp(x->method, "HEAD") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, x->method);
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		x->easy = NULL;
		return err_set(err, ERR_HTTP, "cannot start a transfer");
	}
	x->state = X_ACTIVE;
	x->attempt_ms = http_now(h);
	x->resp.attempts = 1 + x->retries;
	x->resp.method = x->method;
	x->host = host;
	host->active++;
	host->active_bg += x->background;
	return 0;
}

void
http_attempt_end(struct xfer *x)
{
	if (x->easy != NULL) {
		curl_multi_remove_handle(x->h->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	if (x->host != NULL) {
		x->host->active--;
		x->host->active_bg -= x->background;
		x->host = NULL;
	}
	curl_slist_free_all(x->attempt_hdrs);
	x->attempt_hdrs = NULL;
}
