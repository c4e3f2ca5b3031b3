/*
 * common.c - what several commands do the same way: load the
 * configuration (printing its diagnostics), open the state file beside it,
 * and make the session of API clients with a log that respects -v/-q.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "http.h"
#include "refresh.h"
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
			cli_errorf(
			    cli, "%s is not valid; nothing was done", path);
	}
	buf_release(&text);
	diag_list_release(&diags);
	return rc;
}

int
cli_open_state(
    struct cli *cli, const struct config *cfg, int flags, struct state **out)
{
	const char *path =
	    cli->state_path ? cli->state_path : cfg->settings.state_path;
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

int
cli_now(struct cli *cli, int64_t *now)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (s == NULL || s[0] == '\0') {
		*now = (int64_t)time(NULL);
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0) {
		cli_errorf(cli,
		    "SOURCE_DATE_EPOCH: '%s' is not a number of "
		    "seconds",
		    s);
		return -1;
	}
	*now = v;
	return 0;
}

int
cli_write_file(struct cli *cli, const char *path, const struct buf *data)
{
	struct buf tmp = { 0 };
	FILE *fp = NULL;
	int rc = -1;

	buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if (tmp.failed)
		goto fail;
	if ((fp = fopen(buf_str(&tmp), "w")) == NULL)
		goto fail;
	if (fwrite(data->data ? data->data : "", 1, data->len, fp) !=
	        data->len ||
	    fflush(fp) != 0)
		goto fail;
	if (fclose(fp) != 0) {
		fp = NULL;
		goto fail;
	}
	fp = NULL;
	if (rename(buf_str(&tmp), path) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	cli_errorf(cli, "cannot write '%s': %s", path, strerror(errno));
	if (tmp.data != NULL)
		remove(buf_str(&tmp));
out:
	if (fp != NULL)
		fclose(fp);
	buf_release(&tmp);
	return rc;
}

int
cli_parse_window(struct cli *cli, const char *s, long long *secs)
{
	if (config_parse_duration(s, secs) != 0 || *secs < 0) {
		cli_errorf(cli,
		    "--expiry-window: '%s' is not a duration such as 30d, "
		    "12h or 90m",
		    s);
		return -1;
	}
	return 0;
}

int
cli_parse_refresh(struct cli *cli, const char *s, int *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0 ||
	    strcmp(s, "yes") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0 ||
	    strcmp(s, "no") == 0)
		*out = 0;
	else {
		cli_errorf(
		    cli, "--refresh: expected true or false, got '%s'", s);
		return -1;
	}
	return 0;
}

int
cli_refresh_all(struct cli *cli, const struct config *cfg, struct state *st,
    const char *then)
{
	struct refresh_report report = { 0 };
	struct refresh_opts ro = { 0 };
	struct session *sess = NULL;
	struct err err = { 0 };
	char when[32];
	size_t i;
	int rc = -1;

	if (cli_session(cli, cfg, &sess) != 0)
		goto out;
	if (refresh_run(cfg, sess, st, &ro, &report, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	for (i = 0; i < report.n; i++) {
		const struct refresh_resource *r = &report.v[i];

		if (r->ok)
			continue;
		cli_format_time(r->last_good, when, sizeof(when));
		cli_errorf(cli, "%s could not be read: %s%s%s (last read %s)",
		    r->name, r->error ? r->error : "unknown error",
		    then ? "; " : "", then ? then : "", when);
	}
	rc = 0;
out:
	refresh_report_release(&report);
	session_free(sess);
	return rc;
}
