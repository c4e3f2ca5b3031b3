#ifndef STANDBY_EMU_H
#define STANDBY_EMU_H

/*
 * emu.h - the emulator's internal interface, shared by its modules.
 *
 * One struct emu holds everything; one mutex (emu->mu) guards all of it,
 * because requests are short and a single lock keeps the invariants (a
 * job and the project it changes) simple.  Each resource has its own
 * listener; the control listener also serves the token endpoint.
 */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"

#define EMU_MAX_BODY (64u * 1024 * 1024)
#define EMU_NAME_MAX 64

enum emu_res_type {
	EMU_RES_LANGUAGE,
	EMU_RES_OPENAI,
	EMU_RES_ARM /* the management endpoint the openai accounts share */
};

enum emu_family {
	EMU_CONV,
	EMU_TEXT
};

enum job_kind {
	JOB_EXPORT,
	JOB_IMPORT,
	JOB_TRAIN,
	JOB_DEPLOY,
	JOB_DELETE,
	JOB_SWAP,
	JOB_DEPLOYMENT, /* Azure OpenAI deployment writes */
	JOB_FINETUNE,
	JOB_FILE, /* processing an uploaded file */
	JOB_NKINDS
};

enum job_status {
	JS_NOTSTARTED,
	JS_RUNNING,
	JS_SUCCEEDED,
	JS_FAILED,
	JS_CANCELLED,
	JS_CANCELLING,
	JS_PARTIAL
};

/* How long a job of one kind takes: ms of wall time, or when polls > 0,
 * one step per that many status GETs. */
struct job_timing {
	long ms;
	int polls;
};

struct model {
	char label[EMU_NAME_MAX];
	char model_id[160];
	double trained; /* lastTrainedDateTime */
	int duration_s;
	char expiration[16]; /* modelExpirationDate */
	char config[32];     /* modelTrainingConfigVersion */
	cJSON *snapshot;     /* the assets it was trained on */
};

struct deployment {
	char name[EMU_NAME_MAX];
	char model_id[160];
	double trained, deployed;
	char expiration[16];
	char config[32];
};

struct project {
	char name[EMU_NAME_MAX];
	enum emu_family family;
	cJSON *meta;   /* projectKind, language, description, settings, ... */
	cJSON *assets; /* may be NULL */
	char file_version[32], string_index[32];
	double created, modified, trained, deployed; /* 0 = never */
	struct model *models;
	size_t nmodels;
	struct deployment *deps;
	size_t ndeps;
};

struct job {
	char id[96];
	enum job_kind kind;
	enum emu_family family;
	char project[EMU_NAME_MAX];
	char api_version[32];
	double created, updated; /* wall clock (emulator time) */
	double start_mono;       /* monotonic seconds */
	struct job_timing timing;
	int polls;
	enum job_status status;
	int done;       /* effect applied (or failed) */
	int cancel;     /* cancellation requested */
	cJSON *errors;  /* array of {code,message} or NULL */
	cJSON *payload; /* export result, import document, train body... */
	char arg1[EMU_NAME_MAX], arg2[EMU_NAME_MAX]; /* label, deployment */
	struct model model; /* deploy: the model being deployed (copy) */
	double p;           /* progress 0..1 at the last advance */
};

/* A ring of request-log entries (JSON objects), oldest overwritten. */
struct reqlog {
	cJSON **ring;
	size_t cap, next, n;
};

struct ratewin {
	double *t; /* ring of request times */
	size_t cap, head, n;
};

struct resource {
	char name[EMU_NAME_MAX];
	char region[EMU_NAME_MAX];
	enum emu_res_type type;
	char key[256];
	unsigned short port;
	int down;
	struct emu *emu;
	struct MHD_Daemon *daemon;
	void *listener; /* server.c's, passed to the daemon */
	struct project **projects;
	size_t nprojects;
	struct job **jobs;
	size_t njobs;
	char **containers;
	size_t ncontainers;
	char **containers0; /* as given on the command line, for reset */
	size_t ncontainers0;
	struct ratewin post, get;
	struct reqlog log;
	struct aoai_acct *aoai; /* openai accounts: openai*.c's state */
};

enum fault_action {
	FA_STATUS,
	FA_DELAY,
	FA_TRUNCATE,
	FA_CLOSE,
	FA_HANG,
	FA_CONTENT_TYPE,
	FA_REDIRECT,
	FA_OVERSIZED
};

struct fault {
	long id;
	char method[16];             /* "" = any */
	char *path_re;               /* source text; "" = any */
	void *re;                    /* regex_t *, compiled */
	char resource[EMU_NAME_MAX]; /* "" = any */
	long count;                  /* apply at most this often; 0 = no cap */
	long nth;                    /* apply only to the nth match; 0 = all */
	double probability;          /* 0 = always */
	long seen, applied;
	enum fault_action action;
	int status;
	cJSON *headers; /* object name -> string */
	char *body;
	long ms;    /* delay / hang */
	long bytes; /* truncate / oversized */
	char *location;
	char *content_type;
};

struct client {
	char *id, *secret;
};

struct token {
	char value[80];
	double expires;
	int mgmt; /* audience: 1 management.azure.com, 0 cognitiveservices */
};

struct emu {
	pthread_mutex_t mu;
	pthread_mutex_t ctl_mu; /* serialises control calls */
	pthread_cond_t cond;    /* broadcast on shutdown and on "down" */
	int stopping;
	int tls;
	char *cert_pem, *key_pem;
	char cacert_path[4096];
	struct resource **res;
	size_t nres;
	/* the control listener: /_emulator and the token endpoint */
	struct MHD_Daemon *control;
	unsigned short control_port;
	void *control_listener;
	struct reqlog control_log;
	struct job_timing timing[JOB_NKINDS], timing_default[JOB_NKINDS];
	int rate_on, rate_on_default;
	long rate_post, rate_get, rate_post_default, rate_get_default;
	int retry_after;
	struct fault **faults;
	size_t nfaults;
	long next_fault_id;
	struct client *clients;
	size_t nclients;
	struct token *tokens;
	size_t ntokens;
	long token_lifetime;
	double clock_offset; /* seconds added to the real clock */
	size_t log_cap;
	uint64_t log_seq;
	double boot_date;     /* midnight UTC of the day the emulator started */
	struct resource *arm; /* the ARM listener, when openai accounts exist */
	struct aoai_arm *aoai; /* its state (openai.c) */
	char subscription[64], resource_group[96];
};

/* A request as the handlers see it. */
struct req {
	const char *method;
	const char *path; /* decoded, without the query */
	cJSON *query;     /* object: name -> string (borrowed) */
	cJSON *headers;   /* object: lower-case name -> string (borrowed) */
	const char *body;
	size_t body_len;
	const char *base; /* "http(s)://127.0.0.1:PORT" */
};

/* A response the handlers build; server.c sends it. */
struct resp {
	int status;
	struct buf body;
	const char *content_type; /* NULL = JSON */
	cJSON *headers;           /* object: name -> string */
	int retry_after;          /* >= 0 adds Retry-After */
};

/* util.c */
double emu_now(const struct emu *emu); /* emulator wall clock, seconds */
double emu_mono(void);
void emu_fmt_time(double t, char out[40]);
void emu_fmt_date(double t, char out[16]);
int emu_parse_date(const char *s, double *out);
void emu_uuid(char out[37]);
void emu_hex(char *out, size_t nbytes); /* out holds 2*nbytes+1 */
void emu_job_id(const struct emu *emu, char out[96]);
int emu_valid_name(const char *s);
int emu_parse_duration(const char *s, struct job_timing *out);
const char *emu_query(const struct req *rq, const char *name);
const char *emu_header(const struct req *rq, const char *name);
/* Counts UTF-16 code units of a UTF-8 string. */
size_t emu_utf16_len(const char *s);

/* response helpers (server.c) */
void resp_json(struct resp *r, int status, const cJSON *body);
void resp_error(struct resp *r, int status, const char *code, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
void resp_header(struct resp *r, const char *name, const char *value);

/* server.c */
int server_start_resource(
    struct emu *emu, struct resource *res, struct err *err);
void server_stop_resource(struct resource *res);
int server_start_control(struct emu *emu, struct err *err);
void server_stop_control(struct emu *emu);

/* reqlog.c */
void reqlog_init(struct reqlog *l, size_t cap);
void reqlog_release(struct reqlog *l);
void reqlog_clear(struct reqlog *l);
void reqlog_add(struct emu *emu, struct reqlog *l, const char *resource,
    const struct req *rq, int status, long fault);
/* Appends copies of the entries, oldest first, to arr. */
void reqlog_dump(const struct reqlog *l, cJSON *arr);

/* lang.c, lang_models.c: the Language authoring API; called locked. */
void lang_handle(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r);
void lang_models(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, enum emu_family fam, const char *ver, char **seg,
    size_t nseg);
struct project *lang_find(struct resource *res, const char *name);
void lang_project_free(struct project *p);
cJSON *lang_project_json(const struct project *p);
void lang_accepted(struct resp *r, const struct req *rq, const char *famseg,
    const char *suffix, const char *ver);
const char *lang_famseg(enum emu_family fam);
struct deployment *lang_find_dep(struct project *p, const char *name);
struct model *lang_find_model(struct project *p, const char *label);
void lang_model_release(struct model *m);
void lang_add_time(cJSON *o, const char *name, double t);
/* Answers a list call from items (taken): top, skip, maxpagesize. */
void lang_page(
    struct resp *r, const struct req *rq, const char *ver, cJSON *items);
void lang_addurlpath(struct buf *b, const char *path);
/* The body as a JSON object, or NULL after filling r with a 400. */
cJSON *lang_parse_body(const struct req *rq, struct resp *r);
/* Polls j and answers with its state (404 when j is NULL). */
void lang_job_reply(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r, struct job *j);

/* validate.c */
int validate_import(
    cJSON *doc, enum emu_family fam, const char *name, struct buf *why);
int validate_orchestration(
    struct resource *res, const struct project *p, struct buf *why);
const char *validate_kind(const char *kind, enum emu_family fam);
int validate_language(const char *lang);

/* jobs.c */
struct job *jobs_new(struct emu *emu, struct resource *res, enum job_kind kind,
    enum emu_family fam, const char *project, const char *ver);
struct job *jobs_find(struct resource *res, const char *id, enum job_kind kind,
    const char *project);
void jobs_advance(struct emu *emu, struct resource *res);
void jobs_poll(struct emu *emu, struct resource *res, struct job *j);
cJSON *jobs_json(struct emu *emu, const struct resource *res,
    const struct job *j, const char *base);
int jobs_terminal(enum job_status s);
void jobs_free(struct job *j);
int jobs_training_active(struct resource *res, const char *project);
const char *jobs_kind_name(enum job_kind k);
int jobs_kind_parse(const char *s);
void jobs_fail(struct job *j, const char *code, const char *msg);
/* model expiry for a training config version, or NULL if unknown */
const char *jobs_config_resolve(const struct emu *emu, enum emu_family fam,
    const char *kind, const char *want, char expiry[16]);
cJSON *jobs_config_list(
    const struct emu *emu, enum emu_family fam, const char *kind);

/* faults.c */
int faults_parse(
    struct emu *emu, const cJSON *spec, struct fault **out, struct buf *why);
void faults_free(struct fault *f);
/* Finds the rule that applies to this request and copies it (the caller
 * frees the copy with faults_free); NULL when none applies. */
struct fault *faults_match(struct emu *emu, const char *resource,
    const char *method, const char *path);
cJSON *faults_json(const struct fault *f);

/* ratelimit.c */
void rate_init(struct ratewin *w, size_t cap);
void rate_release(struct ratewin *w);
/* Returns 0 if allowed (and records it), else the Retry-After seconds. */
int rate_take(struct ratewin *w, long limit, double now);

/* auth.c */
int auth_check(struct emu *emu, struct resource *res, const struct req *rq,
    struct resp *r);
void auth_token_endpoint(struct emu *emu, const struct req *rq, struct resp *r);
int auth_add_client(struct emu *emu, const char *spec, struct err *err);

/* control.c */
void control_handle(struct emu *emu, const struct req *rq, struct resp *r);
void emu_reset(struct emu *emu);
void emu_clear_faults(struct emu *emu);

/* openai.c, openai_cat.c, openai_ft.c: Azure OpenAI (openai.h) */
/* Creates the ARM pseudo-resource "arm" when openai accounts exist. */
int aoai_init(struct emu *emu, struct err *err);
void aoai_arm_handle(struct emu *emu, struct resource *res,
    const struct req *rq, struct resp *r);
void aoai_data_handle(struct emu *emu, struct resource *res,
    const struct req *rq, struct resp *r);
/* Control calls it owns (regions/..., arm, resources/N/fail-next):
 * returns 1 when it answered. */
int aoai_control(struct emu *emu, const struct req *rq, struct resp *r,
    char **seg, size_t n, const cJSON *body);
void aoai_reset(struct emu *emu);
void aoai_free(struct emu *emu);
/* Adds an openai resource's endpoints-file fields to e. */
void aoai_endpoints(
    const struct emu *emu, const struct resource *res, cJSON *e);

/* tls.c */
int tls_make_cert(struct emu *emu, struct err *err);
int tls_load_cert(
    struct emu *emu, const char *cert, const char *key, struct err *err);

#endif
