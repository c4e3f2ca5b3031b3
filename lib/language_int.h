#ifndef STANDBY_LANGUAGE_INT_H
#define STANDBY_LANGUAGE_INT_H

/*
 * language_int.h - what lib/language.c (the client and its calls) shares
 * with langops.c (one function per API operation) and langpoll.c (job
 * polling and its timers).  Not for other modules: they use language.h.
 */

#include "buf.h"
#include "err.h"
#include "http.h"
#include "language.h"

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
	/* A streamed body instead (the call owns src.arg: src.release). */
	struct http_body_src src;
	int has_src;
	const char *content_type;
	int auth_retried;
	int in_send; /* inside call_send(): failures are returned */
	struct err send_err;
	int send_failed;
	anyfn fn; /* the callback, of the type its kind implies */
	void *arg;
	language_write_fn write;
	int write_failed;      /* write returned non-zero: the export is cut */
	struct poll *poll;     /* K_JOB on behalf of a poll */
	language_page_fn page; /* K_PROJECTS: each page as it comes */
	size_t paged;          /* projects handed to page so far */
	struct language_projects projects;
	struct language_models models;
	struct language_deployments deployments;
	struct language_tcvs tcvs;
};

/* The client's clock (opts.now_ms, else the monotonic one), in ms. */
long long language_mono(const struct language *lc);

/* The length of url to show in messages: no query string, at most 300. */
int language_url_len(const char *url);

/* A call of kind to method url (taken from the buffer, which is left
 * empty); NULL with err set when url failed to build or memory ran out.
 * Counts as pending until freed. */
struct call *language_call_new(struct language *lc, enum kind kind,
    const char *method, struct buf *url, struct err *err);

/* Frees c and ends its pending count; NULL does nothing. */
void language_call_free(struct call *c);

/* Starts c; on failure frees it and returns -1 (its callback never
 * runs). */
int language_call_start(struct call *c, struct err *err);

/* A GET of url (which must share the endpoint's origin) delivered as
 * kind to cb, or to the poll p when p is set. */
int language_url_op(struct language *lc, enum kind kind, const char *url,
    anyfn cb, void *arg, struct poll *p, struct err *err);

/* Where a status GET of a poll ends: job is the state read, or NULL with
 * get_err.  Waits, or ends the poll through its done callback. */
void language_poll_on_job(
    struct poll *p, struct language_job *job, const struct err *get_err);

/* Frees a poll and ends its pending count; NULL does nothing. */
void language_poll_free(struct poll *p);

#endif
