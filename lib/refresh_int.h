#ifndef STANDBY_REFRESH_INT_H
#define STANDBY_REFRESH_INT_H

/*
 * refresh_int.h - what refresh.c (Language resources and the run) and
 * refresh_openai.c (Azure OpenAI accounts) share.
 */

#include "refresh.h"

struct config;
struct config_resource;
struct session;
struct roai;

/* Ends one resource's read: failed NULL means it was read and stored
 * (out->ok = 1); otherwise out gets the error and the stale times, and
 * the resource is marked stale in st.  Tells opts->progress. */
void refresh_conclude(struct state *st, const char *name,
    const struct err *failed, struct refresh_resource *out,
    const struct refresh_opts *opts);

/* Starts reading openai account res: its deployments (ARM, every page),
 * its region's models and usages, and, when an openai: entry of cfg
 * fine-tunes on it, its fine-tuning jobs (data plane); all are stored
 * in one transaction when every read succeeded.  out is filled when the
 * read ends (refresh_openai_done); changes gets the deployment changes.
 * Returns 0 (a failure to start is the account's, reported through
 * out), or -1 when memory runs out. */
int refresh_openai_start(struct roai **rp, const struct config *cfg,
    const struct config_resource *res, struct session *sess, struct state *st,
    const struct refresh_opts *opts, struct refresh_resource *out,
    struct state_changes *changes, struct err *err);

/* 1 once the account's read has ended (stored or failed). */
int refresh_openai_done(const struct roai *r);

/* Runs the account's clients' due timers; ms until the next, -1 none. */
long refresh_openai_tick(struct roai *r);

/* Frees r (a read still in flight is abandoned: only after its HTTP
 * client stopped, or when nothing is in flight).  NULL does nothing. */
void refresh_openai_free(struct roai *r);

#endif
