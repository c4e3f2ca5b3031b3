/*
 * plan.c - "standby plan": refresh the state cache (unless told not to),
 * diff it against standby.yaml with lib/plan, save the canonical JSON
 * (-o) and print a rendering.  The command does the I/O lib/plan must not:
 * it hashes the assets files, reads the clock (or SOURCE_DATE_EPOCH, so
 * that CI gets byte-identical plans) and talks to Azure through refresh.
 *
 * A resource that refresh cannot read does not stop the plan: its cached
 * state is used and the plan carries a resource_stale warning, as a
 * Terraform user would expect from a partial outage of a second region.
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
#include "plan.h"
#include "planfile.h"
#include "refresh.h"
#include "render.h"
#include "session.h"
#include "sha256.h"
#include "state.h"

#define MAX_TARGETS 256

/* Writes data to path through a temporary file and rename(), so a reader
 * never sees half a plan. */
static int
write_atomic(const char *path, const struct buf *data, struct err *err)
{
	struct buf tmp = { 0 };
	FILE *fp = NULL;
	int rc = -1;

	buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if (buf_check(&tmp, err, "naming the plan file") != 0)
		return -1;
	if ((fp = fopen(buf_str(&tmp), "w")) == NULL) {
		err_set(err, ERR_IO, "cannot write '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	if (fwrite(data->data, 1, data->len, fp) != data->len ||
	    fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		err_set(err, ERR_IO, "cannot write '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		err_set(err, ERR_IO, "cannot write '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	fp = NULL;
	if (rename(buf_str(&tmp), path) != 0) {
		err_set(err, ERR_IO, "cannot write '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	if (rc != 0)
		remove(buf_str(&tmp));
	buf_release(&tmp);
	return rc;
}

/* Says how old the cache is when the plan did not refresh it. */
static void
cache_age(struct cli *cli, const cJSON *plan, int64_t now)
{
	const char *at =
	    planfile_str(planfile_get(plan, "state"), "refreshed_at");
	int64_t t;
	long ns;
	long long age;

	if (cli->quiet)
		return;
	if (at == NULL || plan_parse_time(at, &t, &ns) != 0) {
		cli_errorf(cli,
		    "not refreshed (--refresh=false), and the "
		    "state cache was never refreshed: live state "
		    "is unknown");
		return;
	}
	age = (long long)(now - t);
	if (age < 0)
		age = 0;
	if (age < 120)
		cli_errorf(cli,
		    "not refreshed (--refresh=false); planning "
		    "from the state cache as read at %s (%lld "
		    "seconds ago)",
		    at, age);
	else if (age < 2 * 3600)
		cli_errorf(cli,
		    "not refreshed (--refresh=false); planning "
		    "from the state cache as read at %s (%lld "
		    "minutes ago)",
		    at, age / 60);
	else if (age < 2 * 86400)
		cli_errorf(cli,
		    "not refreshed (--refresh=false); planning "
		    "from the state cache as read at %s (%lld "
		    "hours ago)",
		    at, age / 3600);
	else
		cli_errorf(cli,
		    "not refreshed (--refresh=false); planning "
		    "from the state cache as read at %s (%lld days "
		    "ago)",
		    at, age / 86400);
}

static int
plan_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "detailed-exitcode", no_argument, NULL, 'd' },
		{ "target", required_argument, NULL, 't' },
		{ "prune", no_argument, NULL, 'p' },
		{ "allow-partial", no_argument, NULL, 'a' },
		{ "refresh", required_argument, NULL, 'r' },
		{ "expiry-window", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "standby.yaml", *out_path = NULL, *window = NULL;
	const char *targets[MAX_TARGETS];
	enum render_format fmt = RENDER_TEXT;
	struct render_opts ro = { 0 };
	struct plan_opts po = { 0 };
	struct plan_cache cache = { 0 };
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct buf json = { 0 }, text = { 0 };
	struct err err = { 0 };
	cJSON *plan = NULL;
	int c, detailed = 0, refresh = 1, rc = EXIT_ERROR;
	long long secs;

	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'F':
			if (render_format_parse(&fmt, optarg, &err) != 0) {
				cli_error(cli, &err);
				return EXIT_ERROR;
			}
			break;
		case 'd':
			detailed = 1;
			break;
		case 't':
			if (po.ntargets == MAX_TARGETS) {
				cli_errorf(cli, "too many --target options");
				return EXIT_ERROR;
			}
			targets[po.ntargets++] = optarg;
			break;
		case 'p':
			po.prune = 1;
			break;
		case 'a':
			po.allow_partial = 1;
			break;
		case 'r':
			if (cli_parse_refresh(cli, optarg, &refresh) != 0)
				return EXIT_ERROR;
			break;
		case 'w':
			window = optarg;
			break;
		case 'h':
			fprintf(cli->out, "usage: standby %s\n\n%s",
			    cmd_plan.usage, cmd_plan.help);
			return EXIT_OK;
		default:
			return cli_usage(cli, &cmd_plan);
		}
	}
	if (optind != argc)
		return cli_usage(cli, &cmd_plan);
	po.targets = targets;
	po.refreshed = refresh;
	po.standby_version = STANDBY_VERSION;
	po.assets_hash = plan_hash_assets;
	po.file_hash = plan_hash_file;
	if (cli_now(cli, &po.now) != 0)
		return EXIT_ERROR;

	if (cli_load_config(cli, file, &cfg) != 0)
		goto out;
	po.expiry_window_s = cfg->settings.expiry_window_s;
	if (window != NULL) {
		if (config_parse_duration(window, &secs) != 0 || secs < 0) {
			cli_errorf(cli,
			    "--expiry-window: '%s' is not a "
			    "duration such as 30d, 12h or 90m",
			    window);
			goto out;
		}
		po.expiry_window_s = secs;
	}
	if (cli_open_state(cli, cfg, refresh ? STATE_OPEN_CREATE : 0, &st) !=
	    0) {
		if (!refresh)
			cli_errorf(cli,
			    "run 'standby refresh' first, or plan "
			    "without --refresh=false");
		goto out;
	}
	if (refresh &&
	    cli_refresh_all(cli, cfg, st, "planning from its cached state") !=
	        0)
		goto out;
	if (plan_cache_load(&cache, st, &err) != 0 ||
	    plan_build(&plan, cfg, &cache.view, &po, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (!refresh)
		cache_age(cli, plan, po.now);
	if (out_path != NULL) {
		if (planfile_write(plan, &json, &err) != 0 ||
		    write_atomic(out_path, &json, &err) != 0) {
			cli_error(cli, &err);
			goto out;
		}
	}
	ro.color = cli->color;
	ro.plan_path = out_path;
	if (render_plan(plan, fmt, &ro, &text, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (fwrite(text.data != NULL ? text.data : "", 1, text.len, cli->out) !=
	        text.len ||
	    fflush(cli->out) != 0) {
		cli_errorf(cli, "cannot write the plan to stdout");
		goto out;
	}
	rc = detailed && planfile_has_changes(plan) ? EXIT_CHANGES : EXIT_OK;
out:
	cJSON_Delete(plan);
	plan_cache_release(&cache);
	state_close(st);
	config_free(cfg);
	buf_release(&json);
	buf_release(&text);
	return rc;
}

const struct cmd cmd_plan = {
	.name = "plan",
	.usage = "plan [-f FILE] [-o plan.json] [--format text|markdown|json] "
	         "[--detailed-exitcode] [--target PROJECT ...] [--prune] "
	         "[--allow-partial] "
	         "[--refresh=false] [--expiry-window DURATION]",
	.summary = "show what apply would change, and why",
	.help =
	    "  -f, --file FILE            the configuration (default "
	    "standby.yaml)\n"
	    "  -o, --out FILE             also save the plan as JSON, for "
	    "'standby apply FILE'\n"
	    "      --format FMT           text (default), markdown "
	    "(pull-request comments) or json\n"
	    "      --detailed-exitcode    exit 2 when there are changes, 0 "
	    "when there are none\n"
	    "      --target PROJECT       plan only this project and those it "
	    "routes to (repeatable)\n"
	    "      --prune                delete live objects that "
	    "standby.yaml no longer lists\n"
	    "                             (never those of protect: true "
	    "projects)\n"
	    "      --allow-partial        an Azure OpenAI pre-flight "
	    "shortfall (model, SKU or\n"
	    "                             quota missing in a region) is a "
	    "warning and leaves\n"
	    "                             those deployments out, instead of "
	    "an error\n"
	    "      --refresh=false        plan from the state cache without "
	    "reading Azure\n"
	    "      --expiry-window DUR    redeploy what expires within DUR "
	    "(default: settings.expiry_window, 30d)\n"
	    "\nSOURCE_DATE_EPOCH, when set, is the plan's created_at and the "
	    "time expiries are measured from.\n"
	    "Exit status: 0 success, 1 error, 2 success with changes "
	    "(--detailed-exitcode).\n",
	.run = plan_main,
};
