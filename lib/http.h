#ifndef STANDBY_HTTP_H
#define STANDBY_HTTP_H

/*
 * http.h - the HTTP client every module that talks to Azure goes through.
 *
 * Built on the libcurl multi interface: many requests in flight, a cap on
 * connections per host, keep-alive reuse.  Requests are submitted with a
 * completion callback and driven by http_run(); http_do() is the blocking
 * form for one request.  The client owns every policy a caller must not
 * get wrong on its own: explicit timeouts, a body-size cap, TLS
 * verification, retries with backoff that honour Retry-After, pacing per
 * resource, and redirects that never carry secrets to another host.
 */

#include <signal.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct cJSON;
struct http;

/* Levels passed to http_opts.log.  Warnings: plain http or --insecure in
 * use.  Info: a retry, a redirect, a slow-down after 429.  Debug: every
 * attempt (method, URL with query values redacted, status, time, attempt
 * number) and every wait for room in a pacing window. */
enum {
	HTTP_LOG_WARN = 1,
	HTTP_LOG_INFO = 2,
	HTTP_LOG_DEBUG = 3,
};

/* Settings; zero fields take the documented defaults. */
struct http_opts {
	const char *cacert;      /* CA bundle; NULL = system store */
	int insecure;            /* skip TLS verification: loopback only */
	long connect_timeout_ms; /* default 10 000 */
	long total_timeout_ms;   /* one attempt, default 120 000 */
	long low_speed_time_s;   /* abort below low_speed_limit for this long;
	                            default 30 */
	long low_speed_limit;    /* bytes/s, default 1 */
	int max_retries;         /* retries after the first attempt, default 5;
	                            -1 = none */
	long retry_budget_ms; /* all retries of one request, default 300 000 */
	long backoff_base_ms; /* first backoff, default 500 */
	long backoff_max_ms;  /* default 30 000 */
	long max_host_connections; /* default 32; polls get at most half */
	size_t max_body;           /* response cap, default 64 MiB */
	/* Where diagnostics go (retries, warnings); secrets never reach it.
	 * NULL = nowhere.  lib/ never prints: the front end decides. */
	void (*log)(void *arg, int level, const char *msg);
	void *log_arg;
	/* Injectable monotonic clock in ms for tests; NULL = the real one.
	 * Retry and pacing timers follow it (and http_run() sleeps by its
	 * differences); libcurl's own timeouts use real time. */
	long long (*now_ms)(void *arg);
	void *clock_arg;
	/* When set and non-zero, http_run() and http_do() return within about
	 * 100 ms and every pending request ends with ERR_INTERRUPTED. */
	volatile sig_atomic_t *interrupted;
	/* Redirects followed per request, default 5; -1 = follow none (the
	 * 3xx is the response). */
	int max_redirects;
	/* Pacing of a pace_key that http_pace_set() never named: default
	 * 100 GET/HEAD and 10 other requests a minute (the authoring API's
	 * documented limits); -1 = unlimited. */
	double pace_get_per_min;
	double pace_post_per_min;
};

/* What the client does with http_req.body. */
enum http_body_own {
	/* The client copies the body in http_submit(). */
	HTTP_BODY_COPY = 0,
	/* The client borrows the body: the caller keeps it valid and
	 * unchanged until done() has run (or http_submit() has failed). */
	HTTP_BODY_BORROW,
	/* The client takes the body, which must come from malloc(): it is
	 * freed when the request ends, or before http_submit() returns when
	 * that fails.  The caller must not touch it after the call. */
	HTTP_BODY_TAKE,
};

/* A request body pulled as it is sent (an upload too large to hold in
 * memory), of a length known in advance (the Content-Length).  The client
 * borrows the functions and arg until done() has run; it never frees arg. */
struct http_body_src {
	size_t len; /* exactly the bytes read() produces in all */
	/* Puts the next bytes, up to cap, at dst and sets *got (0 only at
	 * the end).  Returns 0, or -1 with err set: the attempt then ends
	 * with that error and is not retried; since fewer than len bytes
	 * were sent, resp->maybe_sent stays 0. */
	int (*read)(
	    void *arg, char *dst, size_t cap, size_t *got, struct err *err);
	/* Goes back to the first byte, before a retry or redirect resends
	 * the body (and when libcurl rewinds).  Returns 0, or -1 with err
	 * set (the request then ends with that error). */
	int (*rewind)(void *arg, struct err *err);
	void *arg;
	/* Not called by the client: for the owner of arg (for instance
	 * language_import_start_src(), which releases the source with it). */
	void (*release)(void *arg);
};

/* One request.  Every pointer is borrowed until http_submit() returns: the
 * client copies what it keeps, except body (see body_own) and body_src. */
struct http_req {
	const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;
	/* "Name: value" lines, NULL-terminated; may be NULL. */
	const char *const *headers;
	/* Credential headers ("Ocp-Apim-Subscription-Key: ...",
	 * "Authorization: Bearer ..."): sent only to the URL's own scheme,
	 * host and port, never logged, dropped on a redirect elsewhere. */
	const char *const *secret_headers;
	const char *body; /* NULL = no body */
	size_t body_len;
	enum http_body_own body_own; /* default: copied */
	/* Instead of body: a body streamed from src (the struct is copied,
	 * its arg borrowed until done() has run). */
	const struct http_body_src *body_src;
	const char *content_type; /* of body; default application/json */
	/* Pacing: requests with the same key share windows (one for
	 * GET/HEAD, one for the rest); NULL = not paced. */
	const char *pace_key;
	/* -1 = never retry, 0 = by method, 1 = always.  Retried statuses are
	 * 408, 429, 500, 502, 503 and 504; retried transport errors are
	 * failures to resolve, connect or hand-shake, timeouts, resets and
	 * truncated bodies.  By method: GET, HEAD, PUT, DELETE and OPTIONS
	 * retry all of them; POST and PATCH retry only when the service
	 * refused the request (429, or 503 with Retry-After) or when it was
	 * never sent (resolve/connect/TLS failure, or the connection broke
	 * before any body byte left); otherwise resp->maybe_sent is set. */
	int retry;
	size_t max_body; /* 0 = the client's */
	/* Streaming: when write is set, the body of a final 2xx response is
	 * handed to write(write_arg, ...) in pieces as it arrives instead of
	 * into resp->body, which stays empty; max_body still caps the total.
	 * A write() that returns -1 ends the transfer with an error.  Bodies
	 * of other statuses are buffered as usual, and an attempt whose body
	 * began to stream is never retried, so no byte is delivered twice. */
	int (*write)(void *arg, const char *data, size_t len);
	void *write_arg;
	/* 1 = may wait: started only when no other request for a free slot
	 * to the same host is due (a job-status poll, which must not delay
	 * the submits and reads that move work forward). */
	int background;
};

/* A response.  Owned by whoever received it from http_do() (free it with
 * http_resp_free()); borrowed inside a completion callback. */
struct http_resp {
	long status;        /* 0 when no response arrived */
	struct buf body;    /* NUL-terminated */
	char *content_type; /* NULL when absent */
	int attempts;       /* 1 + retries taken */
	/* 1 when the request may have reached the server although no
	 * response came back (a POST whose connection broke after sending):
	 * the caller must look at live state before sending it again. */
	int maybe_sent;
	struct http_hdr *hdrs; /* private; use http_resp_header() */
	/* The last URL requested (after redirects), query values other than
	 * api-version redacted: safe for messages.  NULL on a hand-made
	 * response. */
	char *url;
	const char *method; /* of the last attempt; static storage */
};

/* Called once per submitted request when it has ended: resp is the final
 * response (after retries), err is NULL on a complete response of any
 * status, or set on a transport failure, timeout, oversized or
 * interrupted body.  Both are borrowed for the call.  The callback may
 * submit new requests, but not call http_run(), http_do() or http_free()
 * (those return an error). */
typedef void (*http_done_fn)(
    void *arg, struct http_resp *resp, const struct err *err);

/* Creates a client.  Returns 0, or -1 with err set. */
int http_new(struct http **out, const struct http_opts *opts, struct err *err);

/* Stops every transfer (their callbacks are not called) and frees h. */
void http_free(struct http *h);

/* Sets the pacing of key: at most get_per_min GET/HEAD requests and
 * post_per_min other requests in any sliding 60-second window, as the
 * service counts them (that many may go at once; see lib/pace.h);
 * 0 = unlimited.  A 429 on a key halves that window's count, and holds it
 * for the Retry-After; the count doubles back after each quiet minute.
 * Every attempt (retries and redirects too) counts.  Setting a key again
 * forgets what it counted. */
int http_pace_set(struct http *h, const char *key, double get_per_min,
    double post_per_min, struct err *err);

/* Queues req; done(arg, ...) runs from a later http_run().  Returns 0, or
 * -1 with err set (and done is never called). */
int http_submit(struct http *h, const struct http_req *req, http_done_fn done,
    void *arg, struct err *err);

/* Drives transfers, timers, retries and pacing for up to timeout_ms
 * (-1 = until nothing is pending), calling completion callbacks.  Returns
 * the number of requests still pending, or -1 with err set. */
int http_run(struct http *h, long timeout_ms, struct err *err);

/* Makes the http_run() in progress return once the round that called it
 * ends, instead of waiting for its timeout or for every request: for a
 * callback that left work to its caller's loop (a timer of its own, an
 * action made ready).  Outside http_run(), the next one returns after its
 * first round. */
void http_wake(struct http *h);

/* Number of submitted requests whose callback has not run yet, and of
 * timers (http_after()) that have not fired. */
int http_pending(const struct http *h);

/* Runs fn(arg) from http_run() (or http_do()) once ms milliseconds have
 * passed on the client's clock, so that a caller can wait between
 * requests on the one loop; http_run() sleeps no longer than the next
 * timer.  Timers due at once run in the order they were set.  fn is
 * called like a completion callback: it may submit requests and set
 * timers, not run the loop.  On an interrupt every timer runs at once
 * (a request it submits is then refused with ERR_INTERRUPTED);
 * http_free() drops timers without running them.  Returns 0, or -1 with
 * err set (ERR_INTERRUPTED once interrupted) and fn is never called. */
int http_after(
    struct http *h, long ms, void (*fn)(void *arg), void *arg, struct err *err);

/* Blocking form: submits req and runs until it ends.  On a response of
 * any status returns 0 and *out (caller frees); on a transport failure
 * returns -1 with err set and *out NULL. */
int http_do(struct http *h, const struct http_req *req, struct http_resp **out,
    struct err *err);

/* Like http_do(), but *out is set on a transport failure too (caller
 * frees it): status 0 or the partial response, attempts, and maybe_sent,
 * which a caller needs before deciding to resend a POST. */
int http_do_resp(struct http *h, const struct http_req *req,
    struct http_resp **out, struct err *err);

/* The first value of header name (case-insensitive), or NULL.  Borrowed
 * from resp. */
const char *http_resp_header(const struct http_resp *resp, const char *name);

/* Parses resp's body as JSON after checking the content type is JSON.
 * Truncated or invalid JSON is an error naming the offset, never a partial
 * result.  *out is the caller's (cJSON_Delete). */
int http_resp_json(
    const struct http_resp *resp, struct cJSON **out, struct err *err);

/* Returns 0 when resp's status is 2xx; else -1 with err (ERR_HTTP, or
 * ERR_NOTFOUND on 404, ERR_CONFLICT on 409 and 412) saying the method,
 * URL, status, attempts and the service's error code and message when the
 * body carries them ({"error":{"code","message"}}). */
int http_resp_check(const struct http_resp *resp, struct err *err);

/* Frees a response; NULL does nothing. */
void http_resp_free(struct http_resp *resp);

/* 1 when url's host is a loopback address (127.0.0.0/8, ::1, localhost):
 * the only hosts where plain http and --insecure are allowed. */
int http_url_is_loopback(const char *url);

#endif
