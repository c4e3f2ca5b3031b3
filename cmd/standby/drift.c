/*
 * drift.c - "standby drift": refresh, then report per project and region
 * how the live state differs from standby.yaml (lib/drift).  Read-only:
 * it sends no request that changes Azure (--deep adds POST :export, which
 * reads a project) and never takes the apply lock, so it may run while an
 * apply does.  The refresh updates the state cache, as "standby refresh"
 * would.
 *
 * Also here: what drift and status share (the clock, the refresh of
 * every resource, writing a report file).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "drift.h"
#include "plan.h"
#include "refresh.h"
#include "session.h"
#include "sha256.h"
#include "state.h"

#define ASSETS_MAX (64u << 20)

/* Writes text to the terminal, or to path with the summary line on the
 * terminal. */
static int
emit(struct cli *cli, const char *path, const struct buf *text,
    const struct buf *summary)
{
	const struct buf *b = path != NULL ? summary : text;

	if (path != NULL && cli_write_file(cli, path, text) != 0)
		return -1;
	if (fwrite(b->data ? b->data : "", 1, b->len, cli->out) != b->len ||
	    fflush(cli->out) != 0) {
		cli_errorf(cli, "cannot write the report to stdout");
		return -1;
	}
	return 0;
}

static int
drift_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "expiry-window", required_argument, NULL, 'w' },
		{ "deep", no_argument, NULL, 'D' },
		{ "refresh", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "standby.yaml", *out_path = NULL, *window = NULL;
	enum drift_format fmt = DRIFT_TEXT;
	struct drift_opts dopts = { 0 };
	struct drift_deep deep = { 0 };
	struct plan_cache cache = { 0 };
	struct session *sess = NULL;
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct buf text = { 0 }, summary = { 0 };
	struct err err = { 0 };
	cJSON *report = NULL;
	int c, deep_on = 0, refresh = 1, rc = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'F':
			if (drift_format_parse(&fmt, optarg, &err) != 0) {
				cli_error(cli, &err);
				return EXIT_ERROR;
			}
			break;
		case 'w':
			window = optarg;
			break;
		case 'D':
			deep_on = 1;
			break;
		case 'r':
			if (cli_parse_refresh(cli, optarg, &refresh) != 0)
				return EXIT_ERROR;
			break;
		case 'h':
			fprintf(cli->out, "usage: standby %s\n\n%s",
			    cmd_drift.usage, cmd_drift.help);
			return EXIT_OK;
		default:
			return cli_usage(cli, &cmd_drift);
		}
	}
	if (optind != argc)
		return cli_usage(cli, &cmd_drift);
	if (cli_now(cli, &dopts.now) != 0 ||
	    cli_load_config(cli, file, &cfg) != 0)
		goto out;
	dopts.expiry_window_s = cfg->settings.expiry_window_s;
	if (window != NULL &&
	    cli_parse_window(cli, window, &dopts.expiry_window_s) != 0)
		goto out;
	dopts.standby_version = STANDBY_VERSION;
	dopts.assets_hash = plan_hash_assets;
	dopts.file_hash = plan_hash_file;
	if (cli_open_state(cli, cfg, refresh ? STATE_OPEN_CREATE : 0, &st) !=
	        0 ||
	    (refresh && cli_refresh_all(cli, cfg, st, NULL) != 0))
		goto out;
	if (plan_cache_load(&cache, st, &err) != 0)
		goto fail;
	if (deep_on) {
		if (cli_session(cli, cfg, &sess) != 0)
			goto out;
		if (drift_deep_export(
		        cfg, sess, st, &cache.view, &deep, &err) != 0)
			goto fail;
		/* The view again, with the snapshots just stored. */
		plan_cache_release(&cache);
		if (plan_cache_load(&cache, st, &err) != 0)
			goto fail;
		dopts.deep = &deep;
	}
	if (drift_build(&report, cfg, &cache.view, &dopts, &err) != 0 ||
	    drift_render(report, fmt, &text, &err) != 0 ||
	    drift_summary_line(report, &summary) != 0)
		goto fail;
	if (emit(cli, out_path, &text, &summary) != 0)
		goto out;
	rc = drift_has_drift(report) ? EXIT_CHANGES : EXIT_OK;
	goto out;
fail:
	cli_error(cli, &err);
out:
	cJSON_Delete(report);
	drift_deep_release(&deep);
	session_free(sess);
	plan_cache_release(&cache);
	state_close(st);
	config_free(cfg);
	buf_release(&text);
	buf_release(&summary);
	return rc;
}

const struct cmd cmd_drift = {
	.name = "drift",
	.usage = "drift [-f FILE] [--format text|markdown|json] [-o FILE] "
	         "[--expiry-window DURATION] [--deep] [--refresh=false]",
	.summary = "report how live state has drifted from standby.yaml "
	           "(read-only)",
	.help =
	    "  -f, --file FILE          the configuration (default "
	    "standby.yaml)\n"
	    "      --format FMT         text (default), markdown or json "
	    "(schema/drift.schema.json)\n"
	    "  -o, --output FILE        write the report to FILE (a CI "
	    "artifact) and print only its summary\n"
	    "      --expiry-window DUR  report what expires within DUR "
	    "(default: settings.expiry_window, 30d)\n"
	    "      --deep               export the sources (POST :export, "
	    "which changes nothing) and compare\n"
	    "                           snapshot hashes instead of "
	    "timestamps\n"
	    "      --refresh=false      report from the state cache without "
	    "reading Azure\n"
	    "\nReports per project and region: in sync, source ahead of the "
	    "replica (and for how long),\n"
	    "replica changed by hand, model or deployment missing or "
	    "different, expiring, unreachable.\n"
	    "Never changes Azure and never takes the apply lock.\n"
	    "Exit status: 0 in sync, 1 error, 2 drift.\n",
	.run = drift_main,
};
