/*
 * http_retry.c - what an ended attempt leads to: the response, a retry
 * (policy by status, transport error and method; backoff with equal
 * jitter inside a budget; Retry-After honoured) or the next hop of a
 * redirect, whose origin decides whether secrets go along.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"
#include "httpurl.h"

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
	long long t = http_now(h), d, half, spent;
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
		d = half +
		    (long long)(http_rng_next(h) % (uint64_t)(d - half + 1));
	}
	spent = t - x->first_ms;
	if (spent + d > h->o.retry_budget_ms) {
		http_logf(h, HTTP_LOG_INFO,
		    "%s %s: %s; not retried: waiting %lld ms would pass the "
		    "retry budget of %ld ms",
		    x->method, x->resp.url, why, d, h->o.retry_budget_ms);
		return 0;
	}
	http_logf(h, HTTP_LOG_INFO, "%s %s: %s; retry %d/%d in %lld ms%s",
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
	if (http_check_url(h, next, err) != 0) {
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
	http_logf(h, HTTP_LOG_INFO, "%s %s: %ld redirect to %s%s", x->method,
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
		http_drop_body(x);
	}
	free(x->url);
	x->url = strdup(next);
	free(x->origin);
	x->origin = origin;
	x->origin_host = NULL;
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
	x->wake_ms = http_now(h);
	rc = 1;
out:
	curl_free(next);
	curl_url_cleanup(cu);
	free(origin);
	free(shown);
	return rc;
}

/* An attempt ended with code c: finish x, retry it, or follow a redirect. */
void
http_attempt_done(struct xfer *x, CURLcode c)
{
	struct http *h = x->h;
	struct err e = { 0 };
	curl_off_t cl = -1;
	long status = 0;
	long long ms = http_now(h) - x->attempt_ms, asked;
	size_t got = x->streaming ? x->streamed : x->resp.body.len;
	int sent, r, pol = x->retry;
	const char *m = x->method;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	http_attempt_end(x);
	x->resp.status = status;
	free(x->resp.url);
	x->resp.url = httpurl_redacted(x->url);
	if (x->resp.url == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		http_complete(x, &e);
		return;
	}
	/* A body shorter than its Content-Length is a truncation even when
	 * libcurl did not notice (it does for HTTP/1.1, as PARTIAL_FILE). */
	if (c == CURLE_OK && cl >= 0 && strcmp(m, "HEAD") != 0 &&
	    status != 204 && status != 304 && (curl_off_t)got != cl)
		c = CURLE_PARTIAL_FILE;
	if (x->src_failed) {
		http_logf(h, HTTP_LOG_DEBUG,
		    "%s %s -> body source failed after %zu bytes (%lld ms, "
		    "attempt %d)",
		    m, x->resp.url, x->body_off, ms, x->resp.attempts);
		err_set(&e, x->src_err.code ? x->src_err.code : ERR_IO,
		    "%s %s: reading the request body: %s", m, x->resp.url,
		    x->src_err.msg);
		/* Fewer bytes than the Content-Length left: not acted on. */
		x->resp.maybe_sent = 0;
		http_complete(x, &e);
		return;
	}
	if (x->write_failed) {
		http_logf(h, HTTP_LOG_DEBUG,
		    "%s %s -> %ld, writer failed after %zu bytes (%lld ms, "
		    "attempt %d)",
		    m, x->resp.url, status, x->streamed, ms, x->resp.attempts);
		err_set(&e, ERR_IO,
		    "%s %s: the response body could not be written after %zu "
		    "bytes",
		    m, x->resp.url, x->streamed);
		x->resp.maybe_sent = !http_is_idempotent(m);
		http_complete(x, &e);
		return;
	}
	if (x->overflow || c == CURLE_FILESIZE_EXCEEDED) {
		http_logf(h, HTTP_LOG_DEBUG,
		    "%s %s -> %ld, body over %zu bytes (%lld ms, attempt %d)",
		    m, x->resp.url, status, x->max_body, ms, x->resp.attempts);
		err_set(&e, ERR_HTTP,
		    "%s %s: response body larger than the %zu-byte limit", m,
		    x->resp.url, x->max_body);
		x->resp.maybe_sent = !http_is_idempotent(m);
		http_complete(x, &e);
		return;
	}
	if (c != CURLE_OK) {
		struct buf why = { .max = 600 };

		if (c == CURLE_PARTIAL_FILE && cl >= 0)
			buf_addf(&why,
			    "response truncated: %zu of %lld bytes received",
			    got, (long long)cl);
		else
			buf_addstr(&why,
			    x->errbuf[0] ? x->errbuf : curl_easy_strerror(c));
		http_logf(h, HTTP_LOG_DEBUG,
		    "%s %s -> error: %s (%lld ms, attempt %d)", m, x->resp.url,
		    buf_str(&why), ms, x->resp.attempts);
		if (http_has_body(x))
			sent = status > 0 || x->body_read;
		else
			sent = status > 0 || !before_sending(c);
		r = pol > 0 || (pol == 0 && (http_is_idempotent(m) || !sent));
		/* What was streamed cannot be taken back. */
		if (x->streamed > 0)
			r = 0;
		if (schedule_retry(
		        x, r && retryable_code(c), -1, buf_str(&why))) {
			buf_release(&why);
			return;
		}
		x->resp.maybe_sent = sent && !http_is_idempotent(m);
		err_set(&e, ERR_HTTP, "%s %s: %s%s", m, x->resp.url,
		    buf_str(&why),
		    x->resp.maybe_sent ? "; the request may have been "
		                         "processed, so it was not resent"
		                       : "");
		buf_release(&why);
		http_complete(x, &e);
		return;
	}
	http_logf(h, HTTP_LOG_DEBUG, "%s %s -> %ld (%lld ms, attempt %d)", m,
	    x->resp.url, status, ms, x->resp.attempts);
	if (is_redirect(status) && h->o.max_redirects > 0) {
		r = follow(x, &e);
		if (r == 1)
			return;
		if (r < 0) {
			http_complete(x, &e);
			return;
		}
	}
	if (retryable_status(status)) {
		asked = retry_after_ms(&x->resp);
		if (status == 429 && http_bucket_of(x) != NULL) {
			pace_throttle(http_bucket_of(x), http_now(h), asked);
			http_logf(h, HTTP_LOG_INFO,
			    "429 on '%s': slowing %s requests to %.1f a "
			    "minute",
			    x->pacer->key,
			    http_bucket_of(x) == &x->pacer->get ? "GET"
			                                        : "other",
			    pace_rate(http_bucket_of(x), http_now(h)));
		}
		r = pol > 0 ||
		    (pol == 0 &&
		        (http_is_idempotent(m) || status == 429 ||
		            (status == 503 && asked >= 0)));
		{
			char why[32];

			snprintf(why, sizeof(why), "status %ld", status);
			if (schedule_retry(x, r, asked, why))
				return;
		}
	}
	http_complete(x, NULL);
}
