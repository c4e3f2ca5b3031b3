/*
 * status.c - "standby status": failover readiness per project and region
 * (lib/status), for an operator during an incident.  Refreshes first (a
 * region that does not answer is what the operator needs to see), unless
 * --refresh=false asks for the cache as last read.  Read-only, like
 * drift: no request that changes Azure, no apply lock.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "plan.h"
#include "state.h"
#include "status.h"

static int
status_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "expiry-window", required_argument, NULL, 'w' },
		{ "max-age", required_argument, NULL, 'm' },
		{ "state", required_argument, NULL, 's' },
		{ "refresh", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "standby.yaml", *out_path = NULL, *window = NULL;
	const char *max_age = "24h";
	enum status_format fmt = STATUS_TEXT;
	struct status_opts so = { 0 };
	struct plan_cache cache = { 0 };
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct buf text = { 0 };
	struct err err = { 0 };
	cJSON *doc = NULL;
	int c, refresh = 1, rc = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'F':
			if (status_format_parse(&fmt, optarg, &err) != 0) {
				cli_error(cli, &err);
				return EXIT_ERROR;
			}
			break;
		case 'w':
			window = optarg;
			break;
		case 'm':
			max_age = optarg;
			break;
		case 's':
			cli->state_path = optarg;
			break;
		case 'r':
			if (cli_parse_refresh(cli, optarg, &refresh) != 0)
				return EXIT_ERROR;
			break;
		case 'h':
			fprintf(cli->out, "usage: standby %s\n\n%s",
			    cmd_status.usage, cmd_status.help);
			return EXIT_OK;
		default:
			return cli_usage(cli, &cmd_status);
		}
	}
	if (optind != argc)
		return cli_usage(cli, &cmd_status);
	if (cli_now(cli, &so.now) != 0 || cli_load_config(cli, file, &cfg) != 0)
		goto out;
	so.expiry_window_s = cfg->settings.expiry_window_s;
	if (window != NULL &&
	    cli_parse_window(cli, window, &so.expiry_window_s) != 0)
		goto out;
	if (config_parse_duration(max_age, &so.max_age_s) != 0 ||
	    so.max_age_s < 0) {
		cli_errorf(cli,
		    "--max-age: '%s' is not a duration such as 24h, 90m or 0 "
		    "(no limit)",
		    max_age);
		goto out;
	}
	so.standby_version = STANDBY_VERSION;
	so.assets_hash = plan_hash_assets;
	if (cli_open_state(cli, cfg, refresh ? STATE_OPEN_CREATE : 0, &st) !=
	        0 ||
	    (refresh && cli_refresh_all(cli, cfg, st, NULL) != 0))
		goto out;
	if (plan_cache_load(&cache, st, &err) != 0 ||
	    status_build(&doc, cfg, &cache.view, &so, &err) != 0 ||
	    status_render(doc, fmt, &text, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (out_path != NULL) {
		if (cli_write_file(cli, out_path, &text) != 0)
			goto out;
		buf_reset(&text);
		if (status_summary_line(doc, &text) != 0 ||
		    fwrite(text.data, 1, text.len, cli->out) != text.len ||
		    fflush(cli->out) != 0) {
			cli_errorf(cli, "cannot write the summary to stdout");
			goto out;
		}
	} else if (fwrite(text.data ? text.data : "", 1, text.len, cli->out) !=
	        text.len ||
	    fflush(cli->out) != 0) {
		cli_errorf(cli, "cannot write the status to stdout");
		goto out;
	}
	rc = status_all_ready(doc) ? EXIT_OK : EXIT_CHANGES;
out:
	cJSON_Delete(doc);
	plan_cache_release(&cache);
	state_close(st);
	config_free(cfg);
	buf_release(&text);
	return rc;
}

const struct cmd cmd_status = {
	.name = "status",
	.usage = "status [-f FILE] [--state FILE] "
	         "[--format text|json|markdown|html] [-o FILE] "
	         "[--max-age DURATION] [--expiry-window DURATION] "
	         "[--refresh=false]",
	.summary = "show which regions are ready to take traffic (read-only)",
	.help =
	    "  -f, --file FILE          the configuration (default "
	    "standby.yaml)\n"
	    "      --state FILE         the state file (default: the "
	    "config's)\n"
	    "      --format FMT         text (default), json "
	    "(schema/status.schema.json), markdown, or html\n"
	    "                           (one self-contained page)\n"
	    "  -o, --output FILE        write to FILE (a CI artifact) and "
	    "print only its summary\n"
	    "      --max-age DUR        a resource last read longer ago is "
	    "stale (default 24h; 0: no limit)\n"
	    "      --expiry-window DUR  what expires within DUR makes a row "
	    "stale (default 30d)\n"
	    "      --refresh=false      from the state cache, without "
	    "reading Azure\n"
	    "\nPer project and region: last replicated (when, from which "
	    "snapshot), the snapshot its\n"
	    "models were trained from, deployments live, age of data, and a "
	    "verdict: ready, stale\n"
	    "(serves older data) or not ready (cannot take traffic).  Azure "
	    "OpenAI deployments are\n"
	    "listed with their endpoints in failover order (accounts: order, "
	    "primary first).\n"
	    "Never changes Azure and never takes the apply lock.\n"
	    "Exit status: 0 all ready, 1 error, 2 something stale or not "
	    "ready.\n",
	.run = status_main,
};
