#ifndef STANDBY_APPLY_INT_H
#define STANDBY_APPLY_INT_H

/*
 * apply_int.h - what apply.c (the executor) and apply_action.c (what each
 * kind of action does) share.  Not a public header.
 */

#include <stdint.h>

#include "apply.h"

struct cJSON;
#include "language.h"
#include "snapshot.h"

enum akind {
	AK_OTHER = 0,
	AK_EXPORT,
	AK_IMPORT,
	AK_TRAIN,
	AK_DEPLOY,
	AK_DELETE_DEPLOYMENT,
	AK_OPENAI_CREATE, /* Azure OpenAI: apply_openai.c */
	AK_OPENAI_UPDATE,
	AK_OPENAI_DELETE,
	AK_FINETUNE,
};

#define AK_IS_OPENAI(k) ((k) >= AK_OPENAI_CREATE)

enum astate {
	AS_WAIT = 0, /* not started */
	AS_RUN,      /* in flight */
	AS_OK,
	AS_FAIL,
	AS_SKIP,
	AS_LEFT, /* interrupted in flight: the journal keeps it for later */
};

struct arm;
struct config_openai;
struct config_project;
struct finetune;
struct openai;

/* One action.  Every string is owned. */
struct anode {
	struct apply *ap;
	char *id, *kind, *target;
	enum akind k;
	char *resource, *project, *deployment, *label, *source;
	char *project_kind;  /* the config's kind name, for snapshots */
	char *want_snapshot; /* plan's after.snapshot, or the journal's */
	const struct config_project *cp; /* NULL when not in the config */
	enum language_family fam;
	struct language *lc;
	size_t *deps; /* indexes into ap->v */
	size_t ndeps;
	enum astate st;
	int resumed;
	int64_t jid;       /* journal row, 0 before the intent */
	int64_t intent_at; /* Unix s, resumed actions */
	char *job_url, *result_url;
	char snapshot[SNAPSHOT_HASH_SIZE];
	char *source_modified;
	int percent;
	long long start_ms, beat_ms;
	long long recheck_until_ms, recheck_next_ms; /* monotonic */
	int rechecking; /* waiting for live state to show the action */
	int busy;       /* a callback is outstanding */
	struct snapshot_writer *sw;
	long long sw_bytes;
	struct err werr; /* the snapshot writer's failure */
	/* Azure OpenAI (apply_openai.c) */
	const struct config_openai *od; /* NULL when not in the config */
	char *oai_key;                  /* the openai: key */
	char *method;                   /* PUT, PATCH or DELETE */
	char *body;                     /* what PUT or PATCH sends */
	char *model_name; /* finetune: the model made; else what it serves */
	char *data_hash, *settings_hash, *train_sha, *valid_sha;
	char *file_train, *file_valid, *ft_job; /* finetune: journalled */
	int patch_only;    /* openai_update: only the capacity changes */
	int files_waiting; /* finetune: 1 training, 2 validation file to
	                      wait for */
	int ft_lookup;     /* finetune: look for our job before creating */
	int resent;        /* a resumed write sent again after a recheck */
	struct openai *oc;
	struct finetune *ft;
};

struct apply {
	const struct config *cfg;
	struct session *sess;
	struct state *st;
	struct apply_opts o;
	char run_id[STATE_RUN_ID_SIZE];
	struct anode **v;
	size_t n, cap;
	size_t first; /* first node of the current pass */
	size_t done;  /* ended in the current pass */
	size_t inflight;
	struct language **lcs; /* clients in use, for language_tick() */
	size_t nlcs;
	struct arm **arms; /* OpenAI clients in use, for arm_tick() */
	size_t narms;
	char **touched;
	size_t ntouched;
	int fatal; /* the state file failed: stop */
	struct err fatal_err;
	struct apply_summary sum;
};

/* apply.c */
long long apply_now_ms(void);
void apply_emit(struct anode *n, enum apply_event_type type,
    const char *outcome, const char *detail, const char *error);
void apply_succeed(struct anode *n, const char *detail);
void apply_fail(struct anode *n, const char *error);
/* apply_fail with err's message, or apply_leave when err says the run was
 * interrupted (the action is left for the next apply to resume). */
void apply_fail_err(struct anode *n, const struct err *err);
void apply_abandon(struct anode *n, const char *error);
void apply_leave(struct anode *n);
void apply_fatal(struct apply *ap, const struct err *err);

/* strdup() that passes NULL through (NULL also when memory ran out). */
char *apply_dupstr(const char *s);
/* Replaces *dst by a copy of s. */
void apply_set_str(char **dst, const char *s);

/* Makes the pass loop look at the nodes again at once (one ended, one
 * waits to be rechecked): see http_wake(). */
void apply_wake(struct apply *ap);
int apply_touch(struct apply *ap, const char *resource);

/* apply_action.c */
void apply_action_start(struct anode *n);
void apply_action_recheck(struct anode *n);
char *apply_action_detail(const struct anode *n);
int apply_action_from_detail(struct anode *n, const char *detail);
int apply_action_intent(struct anode *n);
void apply_action_not_yet(struct anode *n, const char *why);
void apply_action_begin_recheck(struct anode *n);

/* apply_openai.c */
int apply_use_arm(struct apply *ap, struct arm *a);
int apply_openai_node(struct anode *n, const struct cJSON *action);
int apply_openai_client(struct anode *n, struct err *err);
void apply_openai_start(struct anode *n);
void apply_openai_recheck(struct anode *n);
char *apply_openai_detail(const struct anode *n);
int apply_openai_from_detail(struct anode *n, const struct cJSON *o);
/* The fine-tuning action (lib/apply_finetune.c): start it, or resume it
 * from what its journal row recorded (n->job_url). */
void apply_finetune_start(struct anode *n);
void apply_finetune_resume(struct anode *n);

#endif
