/*
 * common.c - what several commands do the same way: load the
 * configuration (printing its diagnostics), open the state file beside it,
 * and make the session of API clients with a log that respects -v/-q.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "http.h"
#include "session.h"
#include "state.h"

int
cli_load_config(struct cli *cli, const char *path, struct config **out)
{
	struct diag_list diags = { 0 };
	struct buf text = { 0 };
	struct err err = { 0 };
	int rc;

	rc = config_load(out, path, &diags, &err);
	diag_sort(&diags);
	if (diags.n > 0 && diag_format_text(&diags, &text, &err) == 0)
		fputs(buf_str(&text), cli->errs);
	if (rc != 0) {
		if (err.code != ERR_SPEC || diags.n == 0)
			cli_error(cli, &err);
		else
			cli_errorf(cli, "%s is not valid; nothing was done",
			    path);
	}
	buf_release(&text);
	diag_list_release(&diags);
	return rc;
}

int
cli_open_state(struct cli *cli, const struct config *cfg, int flags,
    struct state **out)
{
	const char *path = cli->state_path ? cli->state_path
					   : cfg->settings.state_path;
	struct err err = { 0 };

	if (state_open(out, path, flags, &err) != 0) {
		cli_error(cli, &err);
		return -1;
	}
	return 0;
}

static void
session_log(void *arg, int level, const char *msg)
{
	struct cli *cli = arg;

	/* Warnings always; retries with -v; every request with -vv. */
	if (cli->quiet && level > HTTP_LOG_WARN)
		return;
	if (level <= HTTP_LOG_WARN || level <= cli->verbose + 1)
		fprintf(cli->errs, "standby: %s\n", msg);
}

int
cli_session(struct cli *cli, const struct config *cfg, struct session **out)
{
	struct session_opts so = { 0 };
	struct err err = { 0 };
	const char *env;

	so.cacert = cli->cacert;
	so.insecure = cli->insecure;
	so.interrupted = cli->interrupted;
	so.log = session_log;
	so.log_arg = cli;
	/* For the emulator, whose jobs take milliseconds: the first wait of
	 * an Azure OpenAI poll that has no Retry-After. */
	if ((env = getenv("STANDBY_OAI_POLL_MS")) != NULL)
		so.oai_poll_initial_ms = strtol(env, NULL, 10);
	if (session_new(out, cfg, &so, &err) != 0) {
		cli_error(cli, &err);
		return -1;
	}
	return 0;
}

void
cli_format_time(long long t, char *out, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL) {
		snprintf(out, size, "never");
		return;
	}
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
