#ifndef STANDBY_APPLY_H
#define STANDBY_APPLY_H

/*
 * apply.h - run a plan's actions against Azure: a DAG executor on the
 * asynchronous Language client, journaled so a killed apply is resumed.
 *
 * One event loop drives every action: at most opts.parallelism actions in
 * flight, an action starts when everything in its depends_on succeeded,
 * at most one training per (resource, project) at a time, and each
 * resource's pacing is kept by lib/http.  A failed action marks what
 * depends on it, transitively, skipped (journal SKIPPED); independent
 * chains go on.
 *
 * The journal (state.h) is written around every request that changes
 * something: the intent before it (PENDING, with a detail JSON holding all
 * that is needed to finish the action later), the job URL after the 202
 * (SUBMITTED), the outcome when the job ends.  apply_resume() finishes
 * what an earlier, killed apply left: a SUBMITTED action's job is polled,
 * never started again; a PENDING action (its 202 may never have been
 * seen) and one whose job URL has expired are checked against live state
 * (the project's, model's or deployment's timestamp against the intent's
 * time) for up to opts.recheck_wait_ms after the intent, and adopted when
 * live state shows them, else abandoned for the next plan to redo.
 *
 * What each kind does:
 *   export   export job, then the result streamed into a snapshot
 *            (lib/snapshot: hashed and deflated as it arrives).
 *   import   the snapshot named by the export it depends on (or by
 *            after.snapshot; an assets project's file is stored as a
 *            snapshot first), sent as is; then a GET of the project
 *            records the replication (state_put_replication).
 *   train    with the config's label, mode, config version and
 *            evaluation; records the trained model with the replica's
 *            current snapshot (state_put_trained).
 *   deploy, delete_deployment   the job, polled to its end.
 *   openai_create, openai_update, openai_delete   (apply_openai.c) a PUT
 *            of the deployment (a PATCH of the sku when only the capacity
 *            changes; a fine-tuned entry serves the model its finetune
 *            made, or the one recorded), or a DELETE, through the
 *            account's write lane (one write per account at a time, 409
 *            RequestConflict retried); the operation (Azure-AsyncOperation
 *            or Location) is journalled after the 201/202 and polled to
 *            Succeeded, or Failed/Canceled/Disabled.  Resumed: the
 *            journalled operation is polled; without one (or when it is
 *            gone) the deployment is read and the action confirmed when
 *            it matches, waited for while it is changing, else the
 *            declarative write is sent once more.
 *   finetune  uploads the training (and validation) file, waits for them,
 *            creates the job and polls it, journalling "finetune train=ID
 *            valid=ID job=ID" as each id is learned; records the model
 *            (state_put_finetuned with the plan's hashes).  Resumed: the
 *            journalled job is polled; with files but no job id, a job
 *            made from that training file is looked for before creating
 *            one; with nothing, it starts over.
 *            Crash points: before-submit, after-accept (the write or job
 *            accepted), polling (fine-tuning jobs only), after-job.
 * Other kinds (delete_model, delete_project) fail with a message saying
 * this standby does not run them.
 *
 * lib/ never prints: progress goes to opts.event.  After apply_run() or
 * apply_resume() returned -1, or with the summary's interrupted set, the
 * session may still hold requests whose callbacks point into the freed
 * executor: free it without running it again.
 */

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "state.h"

struct cJSON;
struct config;
struct session;

enum apply_event_type {
	APPLY_EVENT_START = 1, /* an action starts (or is resumed) */
	APPLY_EVENT_PROGRESS,  /* a training's percentComplete moved */
	APPLY_EVENT_HEARTBEAT, /* every heartbeat_ms of a long action */
	APPLY_EVENT_END,       /* an action ended: see outcome */
	APPLY_EVENT_SUMMARY,   /* the run ended: see summary */
};

struct apply_summary {
	size_t total;     /* actions of the plan */
	size_t succeeded; /* plan and resumed actions that succeeded */
	size_t failed;
	size_t skipped;   /* not run: a dependency failed */
	size_t not_run;   /* not started: interrupted first */
	size_t resumed;   /* actions of earlier runs finished here */
	size_t abandoned; /* earlier actions not confirmed by live state:
	                     left for the next plan to redo */
	int interrupted;  /* a signal stopped the run */
	char run_id[STATE_RUN_ID_SIZE];
};

/* One event.  Every pointer is borrowed for the call. */
struct apply_event {
	enum apply_event_type type;
	const char *action; /* the plan's id ("import:P@lang-west") */
	const char *kind;   /* "export", "import", ... */
	const char *target; /* the object's address ("lang-west/P") */
	int resumed;        /* an action an earlier apply started */
	/* END: "succeeded", "failed", "skipped" or "abandoned" */
	const char *outcome;
	int percent;          /* PROGRESS: 0-100; else -1 */
	long long elapsed_ms; /* since the action started */
	const char *detail;   /* END succeeded: what it made, or NULL */
	const char *error;    /* END failed/skipped/abandoned: why */
	size_t done, total;   /* N/M: actions ended so far of this pass */
	const struct apply_summary *summary; /* SUMMARY only */
};

typedef void (*apply_event_fn)(void *arg, const struct apply_event *ev);

struct apply_opts {
	int parallelism;       /* actions in flight; <= 0 = 10 */
	long heartbeat_ms;     /* <= 0 = 10 000 */
	long recheck_wait_ms;  /* after the intent; < 0 = 60 000 */
	long recheck_every_ms; /* between live-state checks; <= 0 = 1 000 */
	const char *crash_at;  /* STANDBY_CRASH_AT (lib/crash.h) or NULL */
	volatile sig_atomic_t *interrupted; /* start nothing new when set */
	apply_event_fn event;               /* NULL = nobody listens */
	void *event_arg;
	const char *operation; /* the journal's run operation; NULL =
	                          "apply" ("backup", "restore") */
};

struct apply;

/* Starts an apply run in st (state_run_begin, operation "apply", with the
 * current revision).  The caller holds the lock.  cfg, sess and st are
 * borrowed and must outlive ap. */
int apply_new(struct apply **out, const struct config *cfg,
    struct session *sess, struct state *st, const struct apply_opts *opts,
    struct err *err);

/* Finishes the actions earlier runs left PENDING or SUBMITTED (see
 * above), adopting them into this run.  Returns 0 when the pass ran (see
 * the summary's resumed, abandoned, failed), -1 with err set when it could
 * not (the state file failed). */
int apply_resume(struct apply *ap, struct err *err);

/* Runs the actions of a checked plan (planfile_check()).  Returns 0 when
 * the run ended, even with failed actions (see apply_summary()); -1 with
 * err set when it could not go on (the state file failed, a bad plan). */
int apply_run(struct apply *ap, const struct cJSON *plan, struct err *err);

/* The counts so far.  Borrowed. */
const struct apply_summary *apply_summary(const struct apply *ap);

/* The resources whose live state this apply changed (imports, trainings,
 * deployments), for a refresh: an array of n borrowed names. */
const char *const *apply_touched(const struct apply *ap, size_t *n);

/* Ends the run in the journal ("succeeded", "failed" or "interrupted")
 * and sends the SUMMARY event. */
int apply_finish(struct apply *ap, struct err *err);

/* Frees ap; NULL does nothing. */
void apply_free(struct apply *ap);

/* Checks that a saved plan still describes st and cfg: its state revision
 * is st's current one and its config hash cfg's.  Returns 0, or -1 with
 * err (ERR_CONFLICT) saying which changed: "the state changed since it
 * was made (revision 12, now 14)" or "the configuration changed since it
 * was made". */
int apply_check_fresh(const struct cJSON *plan, const struct config *cfg,
    struct state *st, struct err *err);

#endif
