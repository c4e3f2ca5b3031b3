#ifndef STANDBY_REFRESH_H
#define STANDBY_REFRESH_H

/*
 * refresh.h - read the live state of the declared resources into the
 * state cache.  Refresh never decides anything: it lists what each
 * resource holds (projects, their models and deployments; Azure OpenAI
 * deployments) and replaces the cached rows, all resources at once.  A
 * resource that cannot be read keeps its cached rows, marked stale with
 * the time of the last good read.
 */

#include <signal.h>
#include <stddef.h>

#include "err.h"
#include "state.h"

struct config;
struct session;

struct refresh_opts {
	/* Resource names to read; NULL/0 = every declared resource. */
	const char *const *only;
	size_t nonly;
	/* Called as each resource ends (NULL = nobody listens). */
	void (*progress)(
	    void *arg, const char *resource, int ok, const char *error);
	void *progress_arg;
};

/* How one resource went. */
struct refresh_resource {
	char *name;
	int ok;                /* 1 read and stored; 0 unreachable or failed */
	char *error;           /* why, when !ok (never a secret) */
	size_t nprojects;      /* projects (or OpenAI deployments) seen */
	long long stale_since; /* !ok: when it first failed (Unix s) */
	long long last_good;   /* !ok: the last good read, 0 = never */
};

struct refresh_report {
	struct refresh_resource *v; /* in config order (by name) */
	size_t n;
	size_t nfailed;
	struct state_changes changes; /* what changed, every resource */
};

/* Reads every selected resource of cfg through sess and stores what it
 * saw in st.  Returns 0 when the run completed, even if some resources
 * failed (see report->nfailed); -1 with err set when it could not run at
 * all (an unknown name in opts->only, the state file failing).  The
 * report is the caller's (refresh_report_release). */
int refresh_run(const struct config *cfg, struct session *sess,
    struct state *st, const struct refresh_opts *opts,
    struct refresh_report *report, struct err *err);

void refresh_report_release(struct refresh_report *report);

#endif
