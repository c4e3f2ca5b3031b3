#ifndef STANDBY_STATE_INT_H
#define STANDBY_STATE_INT_H

/*
 * state_int.h - what lib/state.c shares with lib/state_journal.c and
 * lib/snapshot.c.  Not for other modules: they use state.h.
 */

#include <sqlite3.h>
#include <stdint.h>

#include "err.h"
#include "state.h"

struct state {
	sqlite3 *db;
	char *path;
	char *dir;                        /* the directory holding path */
	char lock_id[STATE_LOCK_ID_SIZE]; /* the lock we hold, or "" */
};

/* Fills err with "state file 'X': what: sqlite3_errmsg()"; returns -1.
 * The code is ERR_STATEFILE for a corrupt file, ERR_LOCKED when busy, else
 * ERR_IO. */
int state_sqlerr(struct state *st, struct err *err, const char *what);

/* Prepares sql (state_sqlerr on failure). */
int state_prepare(
    struct state *st, sqlite3_stmt **stmt, const char *sql, struct err *err);

/* Runs SQL with no result rows. */
int state_exec(struct state *st, const char *sql, struct err *err);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (the last never fails). */
int state_begin(struct state *st, struct err *err);
int state_commit(struct state *st, struct err *err);
void state_rollback(struct state *st);

/* Makes the next commits durable (PRAGMA synchronous=FULL) or back to
 * NORMAL: FULL around rows that record a remote side effect. */
int state_durable(struct state *st, int on, struct err *err);

/* Adds one to the revision, inside the caller's transaction. */
int state_bump_revision(struct state *st, struct err *err);

/* Copies column i of the current row into *out (NULL for SQL NULL);
 * -1 when memory runs out. */
int state_coldup(sqlite3_stmt *stmt, int i, char **out);

/* Binds s (NULL binds SQL NULL), copied. */
int state_bind_text(sqlite3_stmt *stmt, int i, const char *s);

/* Inserts or replaces an openai catalogue inside the caller's
 * transaction; *changed says whether its contents differ from the row
 * (or there was none).  The caller bumps the revision. */
struct state_openai_catalog;
int state_openai_catalog_write(struct state *st,
    const struct state_openai_catalog *rec, int *changed, struct err *err);

/* The current time in Unix seconds. */
int64_t state_now(void);

/* Fills hex (2 * n + 1 bytes) with n random bytes in hex. */
int state_random_hex(char *hex, size_t n, struct err *err);

/* strcmp that orders NULL before every string. */
int state_strcmp(const char *a, const char *b);

#endif
