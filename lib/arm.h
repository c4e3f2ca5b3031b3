#ifndef STANDBY_ARM_H
#define STANDBY_ARM_H

/*
 * arm.h - a generic Azure Resource Manager client: bearer auth from
 * lib/auth, an api-version on every request, GET and list (following
 * nextLink), and PUT/PATCH/DELETE as long-running operations polled
 * through Azure-AsyncOperation, then Location, then the resource's own
 * provisioningState.
 *
 * The same machinery serves any JSON REST endpoint that takes a bearer
 * token or key header (lib/finetune uses it for the OpenAI data plane).
 *
 * Every operation is asynchronous (callbacks run from arm_run() or a
 * later http_run() plus arm_tick()); the *_wait forms block.
 *
 * Writes may name a lane (e.g. the account's ARM id): at most one write
 * per lane is in flight, from its first request to the end of its
 * polling, and later writes queue in order.  A 409 RequestConflict on the
 * first request is retried with backoff (bounded): Azure OpenAI accepts
 * one deployment write per account at a time, and another client may hold
 * it.  Credentials go only to the endpoint's origin: a nextLink or poll
 * URL elsewhere is refused.  Errors read "arm: PUT https://host/path: 400
 * Bad Request: InsufficientQuota: <service message>".
 */

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct auth;
struct cJSON;
struct http;
struct http_resp;
struct arm;

/* The management api-version used unless a resource overrides it: the
 * version the reference's PutDeployment example was captured at, stable
 * and accepted by the emulator; every field standby sends or reads (sku,
 * model, raiPolicyName, versionUpgradeOption) behaves the same from
 * 2023-05-01 to 2026-09-01. */
#define ARM_DEFAULT_API_VERSION "2024-10-01"
#define ARM_DEFAULT_ENDPOINT "https://management.azure.com"

struct arm_opts {
	const char *endpoint;    /* default ARM_DEFAULT_ENDPOINT */
	const char *api_version; /* default ARM_DEFAULT_API_VERSION */
	struct http *http;       /* borrowed; required */
	struct auth *auth;       /* borrowed; required */
	const char *pace_key;    /* NULL = not paced */
	const char *name;        /* message prefix; default "arm" */
	long poll_initial_ms;    /* wait without Retry-After, default 5 000 */
	long poll_max_ms;        /* backoff cap, default 30 000 */
	long poll_timeout_ms;    /* one operation's deadline, default 2 h */
	long retry_after_max_ms; /* cap on a Retry-After, default 300 000 */
	int poll_max_failures;   /* failed status reads in a row, default 5 */
	int poll_max_notfound;   /* 404s on a poll URL in a row, default 10 */
	int conflict_retries;    /* 409 RequestConflict retries, default 8 */
	long conflict_base_ms;   /* first 409 backoff, default 5 000 */
	long conflict_max_ms;    /* 409 backoff cap, default 60 000 */
	long long (*now_ms)(void *arg); /* monotonic clock; NULL = real */
	void *clock_arg;
};

/* One response.  json is the parsed body (NULL when empty or not JSON);
 * code and message are the service's error ({"error":{"code","message",
 * "details":[...]}}; the first detail's code when the top one is
 * generic), NULL when absent.  Borrowed for the callback. */
struct arm_resp {
	long status;
	struct cJSON *json;
	const char *code, *message;
	long retry_after_ms;          /* arm_retry_after_ms(); -1 none */
	const struct http_resp *http; /* NULL on a hand-made response */
};

/* A request: url is absolute, or a path ("/subscriptions/...") on the
 * endpoint; "api-version" is added unless the URL has one already. */
struct arm_req {
	const char *method;
	const char *url;
	const char *api_version; /* NULL = the client's */
	const char *body;        /* NULL = none */
	size_t body_len;
	const char *content_type; /* default application/json */
	int retry;                /* as http_req.retry */
	int background;           /* as http_req.background (polls) */
};

/* How a started write is polled. */
enum arm_poll_kind {
	ARM_POLL_NONE = 0, /* finished with the first response */
	ARM_POLL_ASYNC_OP, /* GET Azure-AsyncOperation: {status} */
	ARM_POLL_LOCATION, /* GET Location: 202 while running, 200/204 done */
	ARM_POLL_RESOURCE, /* GET the resource: properties.provisioningState */
};

/* A write in flight: everything a resumed process needs to poll it
 * (see arm_op_encode()).  Strings are owned by whoever holds the op. */
struct arm_op {
	char *method;       /* "PUT", "PATCH", "DELETE" */
	char *resource_url; /* absolute, with api-version */
	char *poll_url;     /* NULL for NONE and RESOURCE */
	enum arm_poll_kind kind;
	long retry_after_ms; /* from the first response; -1 none */
};

/* The end of a call.  On success err is NULL and r the final response (for
 * a write: the resource GET after success, or NULL for DELETE and for an
 * operation with no body).  On failure err is set and r, when non-NULL,
 * the response that failed (its code names the service's error: callers
 * branch on "InsufficientQuota", "RequestConflict", ...). */
typedef void (*arm_done_fn)(
    void *arg, const struct arm_resp *r, const struct err *err);

/* A started write: op is borrowed for the call (journal it).  Runs once,
 * before polling starts, only when the write was accepted. */
typedef void (*arm_started_fn)(void *arg, const struct arm_op *op);

/* A list: items is a JSON array of every page's "value" items (borrowed;
 * cJSON_DetachItem* to keep one). */
typedef void (*arm_list_fn)(
    void *arg, struct cJSON *items, const struct err *err);

typedef void (*arm_timer_fn)(void *arg);

/* Creates a client.  Returns 0, or -1 with err set (the endpoint must be
 * https, or http on a loopback host). */
int arm_new(struct arm **out, const struct arm_opts *opts, struct err *err);

/* Frees a.  Nothing of a may be in flight. */
void arm_free(struct arm *a);

const char *arm_api_version(const struct arm *a);
const char *arm_endpoint(const struct arm *a);

/* Appends the absolute URL of url (a path or absolute URL) with
 * api-version (NULL = the client's) unless present. */
int arm_url(const struct arm *a, const char *url, const char *api_version,
    struct buf *out);

/* 1 when url is on the endpoint's origin (scheme, host, port). */
int arm_same_origin(const struct arm *a, const char *url);

/* Sends one request; cb gets any completed response (err NULL) or a
 * transport failure.  A 401 with a renewable token is retried once with a
 * new one.  Returns 0 once queued (cb runs exactly once), or -1 with err
 * set (cb never runs). */
int arm_request(struct arm *a, const struct arm_req *rq, arm_done_fn cb,
    void *arg, struct err *err);

/* GETs url and expects 200: anything else is an error (404 with a
 * service error code ERR_NOTFOUND). */
int arm_get(struct arm *a, const char *url, const char *api_version,
    arm_done_fn cb, void *arg, struct err *err);

/* GETs a list, following nextLink (same origin only, at most 1000 pages),
 * and hands over every item. */
int arm_list(struct arm *a, const char *url, const char *api_version,
    arm_list_fn cb, void *arg, struct err *err);

/* A write as a whole: waits for lane (NULL = none), sends method url body
 * (a 409 RequestConflict is retried with backoff), reports the op to
 * started (may be NULL), polls it to a terminal state, and for PUT/PATCH
 * GETs the resource for the final body.  A DELETE answered 204 or 404 is a
 * success (nothing to delete). */
int arm_write(struct arm *a, const char *lane, const char *method,
    const char *url, const char *api_version, const char *body, size_t body_len,
    arm_started_fn started, arm_done_fn done, void *arg, struct err *err);

/* Polls an op started earlier (perhaps by another process) to its end,
 * inside lane (NULL = none), then as arm_write(). */
int arm_resume(struct arm *a, const char *lane, const struct arm_op *op,
    arm_done_fn done, void *arg, struct err *err);

/* Runs fn(arg) after ms on the client's clock (from arm_tick()). */
int arm_after(
    struct arm *a, long ms, arm_timer_fn fn, void *arg, struct err *err);

/* Runs due timers; returns ms until the next one, or -1 when none. */
long arm_tick(struct arm *a);

/* Drives http and timers until nothing of a is pending or timeout_ms
 * (-1 = none) passes.  Returns 0, or -1 with err set. */
int arm_run(struct arm *a, long timeout_ms, struct err *err);

/* Operations of a not yet ended. */
int arm_pending(const struct arm *a);

/* ---- the poll state machine (pure; arm_write() uses it) ---------------- */

enum arm_verdict {
	ARM_DONE = 0,    /* succeeded */
	ARM_WAIT = 1,    /* not yet: wait *wait_ms and read again */
	ARM_FAILED = -1, /* err set */
};

struct arm_poll_state {
	long long deadline_ms;
	long next_ms;
	int failures, notfound, polls;
};

void arm_poll_init(
    const struct arm *a, struct arm_poll_state *ps, long long now_ms);

/* Decides what one status read means: r is the response (NULL with
 * get_err on a transport failure).  Terminal states, compared without
 * case: Succeeded; Failed, Canceled, Cancelled, Disabled (errors naming
 * the state and the service's code and message).  A 404 is "still in
 * progress" up to poll_max_notfound times in a row (a DELETE polled on its
 * resource: done); 202 is in progress; 200 or 204 without a status (Location
 * polling, or an empty body) is done.  Waits follow Retry-After (capped),
 * else a doubling backoff; the deadline bounds everything. */
enum arm_verdict arm_poll_step(const struct arm *a, struct arm_poll_state *ps,
    const struct arm_op *op, const struct arm_resp *r,
    const struct err *get_err, long long now_ms, long *wait_ms,
    struct err *err);

/* A poll body's state: "status", else properties.provisioningState; NULL
 * when neither (borrowed from j). */
const char *arm_status_of(const struct cJSON *j);

/* Retry-After in ms (seconds, or Retry-After-Ms / x-ms-retry-after-ms);
 * -1 when absent or unreadable. */
long arm_retry_after_ms(const struct http_resp *resp);

/* ---- ops ---------------------------------------------------------------- */

/* "kind method resource_url [poll_url]" (one line, for a journal), and
 * back.  Decoded strings are the op's; release with arm_op_release(). */
int arm_op_encode(const struct arm_op *op, struct buf *out);
int arm_op_decode(const char *s, struct arm_op *op, struct err *err);
void arm_op_release(struct arm_op *op);

/* ---- blocking forms (run a's http until the call ends) ------------------
 * *json (may be NULL) receives the final body, the caller's
 * (cJSON_Delete); *code (may be NULL) the service error code on failure,
 * the caller's (free()). */
int arm_get_wait(
    struct arm *a, const char *url, struct cJSON **json, struct err *err);
int arm_list_wait(
    struct arm *a, const char *url, struct cJSON **items, struct err *err);
int arm_write_wait(struct arm *a, const char *lane, const char *method,
    const char *url, const char *body, struct cJSON **json, char **code,
    struct err *err);

#endif
