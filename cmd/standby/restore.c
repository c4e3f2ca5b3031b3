/*
 * restore.c - "standby restore PROJECT --to RESOURCE": import a snapshot,
 * train and deploy it as the configuration says, through the apply
 * executor: the plan is shown and confirmed, every job journaled, and a
 * killed restore is finished by the next restore (or apply).
 *
 * Order: lock, resolve the snapshot (a bad id fails before any request),
 * finish what an interrupted run left, refresh the target resource, plan
 * (lib/backup.h leaves out what is already done from this snapshot),
 * confirm, run, refresh what changed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "apply.h"
#include "backup.h"
#include "cmd.h"
#include "config.h"
#include "planfile.h"
#include "render.h"
#include "session.h"
#include "snapshot.h"
#include "state.h"

#ifndef STANDBY_VERSION
#define STANDBY_VERSION "0.0.0"
#endif

/* The snapshot to restore: the one id names, or the project's newest. */
static int
pick_snapshot(struct cli *cli, struct state *st, const char *project,
    const char *id, struct snapshot_meta *out)
{
	struct snapshot_list list = { 0 };
	struct err err = { 0 };

	if (id != NULL) {
		if (snapshot_find(st, id, out, &err) != 0) {
			if (err.code == ERR_NOTFOUND)
				cli_errorf(cli,
				    "--snapshot: no snapshot '%s' in %s "
				    "(see 'standby snapshots %s')",
				    id, state_path(st), project);
			else
				cli_errorf(cli, "--snapshot: %s", err.msg);
			return -1;
		}
		return 0;
	}
	if (snapshot_list(st, project, &list, &err) != 0) {
		cli_error(cli, &err);
		return -1;
	}
	if (list.n == 0) {
		cli_errorf(cli,
		    "no snapshot of %s in %s: nothing to restore from "
		    "(run 'standby backup' while the source exists)",
		    project, state_path(st));
		return -1;
	}
	*out = list.v[0];
	memset(&list.v[0], 0, sizeof(list.v[0]));
	snapshot_list_release(&list);
	return 0;
}

/* Shows the plan and asks; 1 to go on, 0 when refused. */
static int
confirm(struct cli *cli, const cJSON *plan, int auto_approve)
{
	struct render_opts ro = { 0 };
	struct planfile_summary sum;
	struct buf text = { 0 };
	struct err err = { 0 };
	char line[64];

	planfile_summary(plan, &sum);
	ro.color = cli->color;
	if (render_plan(plan, RENDER_TEXT, &ro, &text, &err) != 0) {
		cli_error(cli, &err);
		return 0;
	}
	fputs(buf_str(&text), cli->out);
	fflush(cli->out);
	buf_release(&text);
	if (auto_approve || sum.total == 0)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		cli_errorf(cli,
		    "restore needs a confirmation and stdin is not a "
		    "terminal: run it with --auto-approve");
		return 0;
	}
	fprintf(cli->errs,
	    "\nRestore with these %lld actions? Only 'yes' is accepted: ",
	    sum.total);
	fflush(cli->errs);
	if (fgets(line, sizeof(line), stdin) == NULL ||
	    strcmp(line, "yes\n") != 0) {
		cli_errorf(cli, "restore cancelled; nothing was changed");
		return 0;
	}
	return 1;
}

static int
parse_wait(struct cli *cli, const char *s, long *ms)
{
	long long sec;
	char *end;
	long v;

	if (strlen(s) > 2 && strcmp(s + strlen(s) - 2, "ms") == 0) {
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno == 0 && end == s + strlen(s) - 2 && v >= 0) {
			*ms = v;
			return 0;
		}
	} else if (config_parse_duration(s, &sec) == 0 && sec >= 0 &&
	    sec < 1000000) {
		*ms = (long)sec * 1000;
		return 0;
	}
	cli_errorf(cli, "--recheck-wait: '%s' is not a duration (e.g. 30s)", s);
	return -1;
}

static int
restore_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "state", required_argument, NULL, 's' },
		{ "to", required_argument, NULL, 't' },
		{ "snapshot", required_argument, NULL, 'S' },
		{ "auto-approve", no_argument, NULL, 'y' },
		{ "recheck-wait", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "standby.yaml", *to = NULL, *id = NULL, *project;
	const struct config_project *cp;
	struct cli_run_printer pr = { 0 };
	struct restore_opts ro = { 0 };
	struct apply_opts ao = { 0 };
	struct plan_cache cache = { 0 };
	struct snapshot_meta snap = { 0 };
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct session *sess = NULL;
	struct apply *ap = NULL;
	struct err err = { 0 };
	cJSON *plan = NULL;
	const char *const *touched;
	size_t ntouched, i;
	int c, rc = EXIT_ERROR, auto_approve = 0, finished = 0;

	ao.recheck_wait_ms = -1;
	while ((c = getopt_long(argc, argv, "f:yh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 's':
			cli->state_path = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'S':
			id = optarg;
			break;
		case 'y':
			auto_approve = 1;
			break;
		case 'r':
			if (parse_wait(cli, optarg, &ao.recheck_wait_ms) != 0)
				return EXIT_ERROR;
			break;
		default:
			return cli_usage(cli, &cmd_restore);
		}
	}
	if (optind + 1 != argc || to == NULL)
		return cli_usage(cli, &cmd_restore);
	project = argv[optind];
	if (cli_load_config(cli, file, &cfg) != 0)
		goto out;
	cp = config_project_find(cfg, project);
	for (i = 0; cp == NULL && i < cfg->nprojects; i++)
		if (strcmp(cfg->projects[i].name, project) == 0)
			cp = &cfg->projects[i];
	if (cp == NULL) {
		cli_errorf(cli, "no project '%s' in %s", project, file);
		goto out;
	}
	if (config_resource_find(cfg, to) == NULL) {
		cli_errorf(cli, "--to: no resource '%s' in %s", to, file);
		goto out;
	}
	if (cli_crash_at(cli, &ao.crash_at) != 0 ||
	    cli_open_state(cli, cfg, STATE_OPEN_CREATE, &st) != 0 ||
	    cli_lock(cli, st, "restore") != 0 ||
	    pick_snapshot(cli, st, cp->name, id, &snap) != 0 ||
	    cli_session(cli, cfg, &sess) != 0)
		goto out;
	pr.cli = cli;
	pr.what = "Restore";
	ao.parallelism = cfg->settings.parallelism;
	ao.interrupted = cli->interrupted;
	ao.event = cli_run_event;
	ao.event_arg = &pr;
	ao.operation = "restore";
	if (apply_new(&ap, cfg, sess, st, &ao, &err) != 0 ||
	    apply_resume(ap, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (apply_summary(ap)->interrupted)
		goto finish;
	if (cli_refresh_some(cli, cfg, sess, st, &to, 1) != 0)
		goto out;
	ro.project = cp->key;
	ro.resource = to;
	ro.snapshot = &snap;
	ro.now = (int64_t)time(NULL);
	ro.standby_version = STANDBY_VERSION;
	if (plan_cache_load(&cache, st, &err) != 0 ||
	    restore_plan(&plan, cfg, &cache.view, &ro, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	fprintf(cli->out, "Restoring %s on %s from snapshot %.12s.\n", cp->name,
	    to, snap.hash);
	if (!confirm(cli, plan, auto_approve))
		goto out;
	if (!planfile_has_changes(plan))
		fprintf(cli->out,
		    "Nothing to restore: %s on %s holds snapshot %.12s, "
		    "trained and deployed as configured.\n",
		    cp->name, to, snap.hash);
	if (planfile_has_changes(plan) && apply_run(ap, plan, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (!apply_summary(ap)->interrupted) {
		touched = apply_touched(ap, &ntouched);
		if (ntouched > 0)
			cli_refresh_some(cli, cfg, sess, st, touched, ntouched);
	}
finish:
	if (apply_finish(ap, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	finished = 1;
	rc = cli_exit_code(cli, apply_summary(ap));
out:
	if (!finished && ap != NULL)
		(void)state_run_finish(st, apply_summary(ap)->run_id,
		    apply_summary(ap)->interrupted ? "interrupted"
		                                   : "cancelled",
		    &err);
	if (rc == EXIT_ERROR && cli->interrupted != NULL &&
	    *cli->interrupted != 0)
		rc = 128 + (int)*cli->interrupted;
	session_free(sess);
	apply_free(ap);
	plan_cache_release(&cache);
	snapshot_meta_release(&snap);
	state_close(st);
	config_free(cfg);
	cJSON_Delete(plan);
	return rc;
}

const struct cmd cmd_restore = {
	.name = "restore",
	.usage = "restore PROJECT --to RESOURCE [-f FILE] [--snapshot ID] "
	         "[--auto-approve]",
	.summary = "rebuild a project from a snapshot: import, train, deploy",
	.help =
	    "  -f, --file FILE       the configuration (default "
	    "standby.yaml)\n"
	    "      --state FILE      the state file (default: the config's)\n"
	    "      --to RESOURCE     the Language resource to rebuild it in "
	    "(its source too)\n"
	    "      --snapshot ID     the snapshot (a unique prefix of its "
	    "hash, 4+ hex digits); default the project's newest\n"
	    "  -y, --auto-approve    do not ask for confirmation\n"
	    "      --recheck-wait D  how long a resumed, unconfirmed request "
	    "may take to show in live state (default 60s)\n"
	    "\nModel labels and deployments are those of the project in the "
	    "configuration.  The plan is shown and confirmed (stdin must be "
	    "a terminal, or give --auto-approve).\n"
	    "A restore interrupted earlier is finished first; running it "
	    "again skips the steps already done from the same snapshot.\n"
	    "Exit status: 0 success, 1 failure, 130/143 interrupted.\n",
	.run = restore_main,
};
