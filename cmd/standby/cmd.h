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
	FILE *out;	/* results (plans, reports) */
	FILE *errs;	/* diagnostics and progress */
	int verbose;	/* -v count */
	int quiet;	/* -q */
	int color;	/* 1 when colour is allowed on out */
	const char *state_path; /* --state, or NULL for the default */
	const char *cacert;	/* --cacert */
	int insecure;		/* --insecure (loopback only) */
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
	EXIT_OK = 0,	  /* succeeded, nothing to do */
	EXIT_ERROR = 1,	  /* failed, or invalid input */
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
int cli_open_state(struct cli *cli, const struct config *cfg, int flags,
    struct state **out);

/* Makes the session of API clients, logging to cli->errs by -v/-q;
 * returns 0, or -1 after printing why. */
struct session;
int cli_session(struct cli *cli, const struct config *cfg,
    struct session **out);

/* Formats Unix seconds as ISO 8601 UTC ("never" for 0). */
void cli_format_time(long long t, char *out, size_t size);

extern const struct cmd cmd_apply;
extern const struct cmd cmd_force_unlock;
extern const struct cmd cmd_plan;
extern const struct cmd cmd_refresh;
extern const struct cmd cmd_validate;
extern const struct cmd cmd_show;
extern const struct cmd cmd_state;

#endif
