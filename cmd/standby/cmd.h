#ifndef STANDBY_CMD_H
#define STANDBY_CMD_H

/*
 * cmd.h - subcommands describe themselves as data (tmux's cmd-*.c).  A new
 * subcommand is one file, one extern name and one row in main.c's table.
 */

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* Global flags and output streams; main() owns it. */
struct cli {
	FILE *out;              /* results (plans, reports) */
	FILE *errs;             /* diagnostics and progress */
	int verbose;            /* -v count */
	int quiet;              /* -q */
	int color;              /* 1 when colour is allowed on out */
	const char *state_path; /* --state, or NULL for the default */
	const char *cacert;     /* --cacert */
	int insecure;           /* --insecure (loopback only) */
	volatile sig_atomic_t *interrupted; /* set by SIGINT/SIGTERM */
};

struct cmd {
	const char *name;
	const char *usage;   /* "plan [-f FILE] [-o plan.json]" */
	const char *summary; /* one line for "standby help" */
	const char *help;    /* the options, one per line, for "help CMD" */
	int (*run)(struct cli *cli, int argc, char **argv); /* exit status */
};

/* Exit statuses shared by every command (DESIGN.md). */
enum {
	EXIT_OK = 0,      /* succeeded, nothing to do */
	EXIT_ERROR = 1,   /* failed, or invalid input */
	EXIT_CHANGES = 2, /* succeeded and there are changes / drift */
};

/* Prints "standby: <msg>" on cli->errs. */
void cli_error(struct cli *cli, const struct err *err);

/* Prints "standby: " and a formatted message on cli->errs. */
void cli_errorf(struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints the usage of cmd on cli->errs and returns EXIT_ERROR: the answer
 * to an unknown option or a missing argument. */
int cli_usage(struct cli *cli, const struct cmd *cmd);

/* Loads the configuration at path, printing its diagnostics; returns 0,
 * or -1 after printing why. */
struct config;
int cli_load_config(struct cli *cli, const char *path, struct config **out);

/* Opens the state file (--state, or the config's) with state_open's
 * flags; returns 0, or -1 after printing why. */
struct state;
int cli_open_state(
    struct cli *cli, const struct config *cfg, int flags, struct state **out);

/* Makes the session of API clients, logging to cli->errs by -v/-q;
 * returns 0, or -1 after printing why. */
struct session;
int cli_session(
    struct cli *cli, const struct config *cfg, struct session **out);

/* Formats Unix seconds as ISO 8601 UTC ("never" for 0). */
void cli_format_time(long long t, char *out, size_t size);

extern const struct cmd cmd_apply;
extern const struct cmd cmd_force_unlock;
/* For drift and status (cmd/standby/drift.c). */
#include <stdint.h>
struct buf;
struct config_project;
/* The report's clock: SOURCE_DATE_EPOCH when set, else now; -1 after
 * printing why. */
int cli_now(struct cli *cli, int64_t *now);
/* Refreshes every declared resource; one that cannot be read is reported
 * on errs ("...: why; then (last read ...)", then NULL = no clause) and
 * left marked stale.  Returns 0, or -1 after printing why. */
int cli_refresh_all(struct cli *cli, const struct config *cfg, struct state *st,
    const char *then);
/* Writes data to path through a temporary file and rename(); -1 after
 * printing why. */
int cli_write_file(struct cli *cli, const char *path, const struct buf *data);
/* --expiry-window and --refresh values; -1 after printing why. */
int cli_parse_window(struct cli *cli, const char *s, long long *secs);
int cli_parse_refresh(struct cli *cli, const char *s, int *out);

/* For backup and restore (cmd/standby/backup.c). */
struct apply_event;
struct apply_summary;
struct cli_run_printer {
	struct cli *cli;
	const char *what; /* "Backup", "Restore": the summary's first word */
};
/* apply_event_fn printing progress lines; arg is a cli_run_printer. */
void cli_run_event(void *arg, const struct apply_event *ev);
/* STANDBY_CRASH_AT, checked (NULL when unset); -1 after printing why. */
int cli_crash_at(struct cli *cli, const char **out);
/* 0, 1 when an action failed, 128+N when signal N interrupted. */
int cli_exit_code(struct cli *cli, const struct apply_summary *sum);
/* Refreshes the n named resources; -1 after printing why. */
int cli_refresh_some(struct cli *cli, const struct config *cfg,
    struct session *sess, struct state *st, const char *const *names, size_t n);
/* Takes the apply lock for operation (failing at once when held); -1
 * after printing why. */
int cli_lock(struct cli *cli, struct state *st, const char *operation);
extern const struct cmd cmd_backup;
extern const struct cmd cmd_restore;
extern const struct cmd cmd_snapshots;

extern const struct cmd cmd_drift;
extern const struct cmd cmd_status;
extern const struct cmd cmd_plan;
extern const struct cmd cmd_refresh;
extern const struct cmd cmd_validate;
extern const struct cmd cmd_show;
extern const struct cmd cmd_state;

#endif
