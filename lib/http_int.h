#ifndef STANDBY_HTTP_INT_H
#define STANDBY_HTTP_INT_H

/*
 * http_int.h - what lib/http.c shares with http_attempt.c, http_retry.c
 * and http_resp.c.  Not for other modules: they use http.h.
 */

#include <curl/curl.h>
#include <stdint.h>

#include "err.h"
#include "http.h"
#include "pace.h"

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
	int active_bg; /* of which background (polls) */
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
	char *origin0;            /* the origin secrets belong to */
	char *origin;             /* of url */
	struct host *origin_host; /* of origin, once looked up; NULL after a
	                             redirect elsewhere */
	struct curl_slist *headers, *secrets;
	char *body;
	size_t body_len, body_off;
	int body_owned; /* body is ours to free (copied or taken) */
	int has_src;    /* the body comes from src, not body */
	struct http_body_src src;
	int src_dirty;  /* src was read from: rewind before resending */
	int src_failed; /* src's read or rewind failed: src_err says why */
	struct err src_err;
	int body_read; /* a body byte was handed to libcurl: maybe sent */
	char *content_type;
	struct pacer *pacer;
	int background; /* req.background: started after the others */
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
	/* Streaming (req.write): the attempt's body goes to write() once
	 * its final status is known to be 2xx. */
	int (*write)(void *arg, const char *data, size_t len);
	void *write_arg;
	int streaming;           /* this attempt's body goes to write() */
	size_t streamed;         /* bytes handed to write() by this attempt */
	int write_failed;        /* write() returned -1 */
	int in_headers_of_final; /* header lines belong to resp */
	char errbuf[CURL_ERROR_SIZE];
	struct http_resp resp;
};

/* A callback due at a time (http_after()), in a list sorted by due. */
struct http_timer {
	struct http_timer *next;
	long long due_ms;
	void (*fn)(void *arg);
	void *arg;
};

struct http {
	struct http_opts o;
	char *cacert;
	CURLM *multi;
	struct xfer *xfers, **tail;
	int pending;
	struct pacer *pacers;
	struct host *hosts;
	struct http_timer *timers;
	uint64_t rng;
	int warned_plain, warned_insecure;
	int depth; /* inside a completion callback */
	int woken; /* http_wake(): http_run() returns after this round */
};

/* The client's clock (opts.now_ms), in ms. */
long long http_now(const struct http *h);

/* Formats a message for opts.log at level; nothing when log is NULL. */
void http_logf(struct http *h, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The next number of the client's jitter generator (not secret). */
uint64_t http_rng_next(struct http *h);

/* 1 for the methods that are safe to resend: GET, HEAD, PUT, DELETE,
 * OPTIONS. */
int http_is_idempotent(const char *method);

/* The plain-http and --insecure rules, for the first URL and each hop:
 * 0, or -1 with err set (the URL redacted). */
int http_check_url(struct http *h, const char *url, struct err *err);

/* The pacing bucket an attempt of x takes a token from, or NULL. */
struct pace *http_bucket_of(struct xfer *x);

/* Unlinks x, calls its callback with its response and e (NULL on a
 * complete response), then frees x. */
void http_complete(struct xfer *x, const struct err *e);

/* Starts an attempt of x on host's connection slot: 0, or -1 with err
 * (the caller ends the attempt and completes x). */
int http_attempt_start(struct xfer *x, struct host *host, struct err *err);

/* Releases the curl handle, the slot and the attempt's headers of x. */
void http_attempt_end(struct xfer *x);

/* An attempt ended with code c: completes x, queues a retry or follows a
 * redirect. */
void http_attempt_done(struct xfer *x, CURLcode c);

/* 1 when x sends a body (in memory or from a source). */
int http_has_body(const struct xfer *x);

/* Drops x's body (a redirect that turns into a GET). */
void http_drop_body(struct xfer *x);

/* Frees a list of response headers. */
void http_hdrs_free(struct http_hdr *p);

/* Empties r's status, body, content type and headers (not url). */
void http_resp_clear(struct http_resp *r);

#endif
