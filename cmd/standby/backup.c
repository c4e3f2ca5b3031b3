/*
 * backup.c - "standby backup": fresh exports of every source project,
 * stored as snapshots in the state file, and --keep N pruning.
 *
 * The exports run as a plan of export actions through the apply
 * executor (lib/backup.h): the same pacing, journal and client as apply.
 * Backup takes the apply lock, because it writes the state file, but
 * does not finish an interrupted apply: that is apply's job, and a
 * scheduled backup must not start trainings or deployments.  Also here:
 * the progress printer that restore shares.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "apply.h"
#include "backup.h"
#include "cmd.h"
#include "config.h"
#include "crash.h"
#include "planfile.h"
#include "refresh.h"
#include "session.h"
#include "snapshot.h"
#include "state.h"

#ifndef STANDBY_VERSION
#define STANDBY_VERSION "0.0.0"
#endif

void
cli_run_event(void *arg, const struct apply_event *ev)
{
	struct cli_run_printer *p = arg;
	FILE *out = p->cli->out;
	const struct apply_summary *s = ev->summary;

	switch (ev->type) {
	case APPLY_EVENT_START:
		fprintf(out, "[%zu/%zu] %s %s\n", ev->done, ev->total,
		    ev->resumed ? "resuming" : "starting", ev->action);
		break;
	case APPLY_EVENT_PROGRESS:
		fprintf(out, "[%zu/%zu] %s: %d%%\n", ev->done, ev->total,
		    ev->action, ev->percent);
		break;
	case APPLY_EVENT_HEARTBEAT:
		fprintf(out, "[%zu/%zu] %s: still running (%llds elapsed)\n",
		    ev->done, ev->total, ev->action, ev->elapsed_ms / 1000);
		break;
	case APPLY_EVENT_END:
		if (strcmp(ev->outcome, "succeeded") == 0)
			fprintf(out, "[%zu/%zu] %s: done%s%s\n", ev->done,
			    ev->total, ev->action, ev->detail ? ": " : "",
			    ev->detail ? ev->detail : "");
		else
			fprintf(out, "[%zu/%zu] %s: %s: %s\n", ev->done,
			    ev->total, ev->action, ev->outcome,
			    ev->error ? ev->error : "unknown error");
		break;
	case APPLY_EVENT_SUMMARY:
		if (s->resumed || s->abandoned)
			fprintf(out,
			    "Resumed from an interrupted run: %zu finished, "
			    "%zu left for the next plan to redo.\n",
			    s->resumed, s->abandoned);
		fprintf(out,
		    "%s %s: %zu succeeded, %zu failed, %zu skipped because a "
		    "dependency failed%s.\n",
		    p->what,
		    s->interrupted  ? "interrupted"
		        : s->failed ? "failed"
		                    : "complete",
		    s->succeeded, s->failed, s->skipped,
		    s->interrupted ? "; jobs in flight are picked up by the "
		                     "next run"
		                   : "");
		break;
	}
	fflush(out);
}

int
cli_crash_at(struct cli *cli, const char **out)
{
	const char *s = getenv("STANDBY_CRASH_AT");

	*out = NULL;
	if (s == NULL || s[0] == '\0')
		return 0;
	if (!crash_spec_valid(s)) {
		cli_errorf(cli,
		    "STANDBY_CRASH_AT='%s' is not a crash point "
		    "(before-submit, after-accept, polling, after-job, "
		    "optionally ':KIND')",
		    s);
		return -1;
	}
	*out = s;
	return 0;
}

int
cli_exit_code(struct cli *cli, const struct apply_summary *sum)
{
	if (sum->interrupted && cli->interrupted && *cli->interrupted)
		return 128 + (int)*cli->interrupted;
	return sum->failed > 0 || sum->interrupted ? EXIT_ERROR : EXIT_OK;
}

/* Refreshes the named resources, reporting those that cannot be read. */
int
cli_refresh_some(struct cli *cli, const struct config *cfg,
    struct session *sess, struct state *st, const char *const *names, size_t n)
{
	struct refresh_opts ro = { 0 };
	struct refresh_report rep = { 0 };
	struct err err = { 0 };
	size_t i;

	ro.only = names;
	ro.nonly = n;
	if (refresh_run(cfg, sess, st, &ro, &rep, &err) != 0) {
		cli_error(cli, &err);
		return -1;
	}
	for (i = 0; i < rep.n; i++)
		if (!rep.v[i].ok)
			cli_errorf(cli, "warning: %s could not be read: %s",
			    rep.v[i].name,
			    rep.v[i].error ? rep.v[i].error : "unknown error");
	refresh_report_release(&rep);
	return 0;
}

int
cli_lock(struct cli *cli, struct state *st, const char *operation)
{
	struct state_lock held, replaced;
	struct err err = { 0 };

	memset(&replaced, 0, sizeof(replaced));
	if (state_lock_acquire(st, operation, 0, cli->interrupted, &held,
	        &replaced, &err) != 0) {
		cli_error(cli, &err);
		return -1;
	}
	if (replaced.id[0] != '\0')
		cli_errorf(cli,
		    "note: took over the lock of pid %ld on %s (%s), which no "
		    "longer runs",
		    replaced.pid, replaced.host, replaced.operation);
	return 0;
}

static int
print_warnings(struct cli *cli, const cJSON *plan)
{
	const cJSON *w;
	int n = 0;

	cJSON_ArrayForEach(w, planfile_get(plan, "warnings"))
	{
		cli_errorf(cli, "warning: %s", planfile_str(w, "message"));
		n++;
	}
	return n;
}

static int
prune(struct cli *cli, struct state *st, const char *project, int keep)
{
	struct snapshot_list pruned = { 0 };
	struct err err = { 0 };
	char t[32];
	size_t i;

	if (snapshot_prune(st, project, keep, &pruned, &err) != 0) {
		cli_error(cli, &err);
		return -1;
	}
	for (i = 0; i < pruned.n; i++) {
		cli_format_time(pruned.v[i].seen_at, t, sizeof(t));
		fprintf(cli->out,
		    "pruned snapshot %.12s of %s (last seen %s)\n",
		    pruned.v[i].hash, pruned.v[i].project, t);
	}
	snapshot_list_release(&pruned);
	return 0;
}

static int
backup_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "state", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "keep", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "standby.yaml", *only = NULL, **sources = NULL;
	const struct config_project **projects = NULL;
	struct cli_run_printer pr = { 0 };
	struct backup_opts bo = { 0 };
	struct apply_opts ao = { 0 };
	struct plan_cache cache = { 0 };
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct session *sess = NULL;
	struct apply *ap = NULL;
	struct err err = { 0 };
	cJSON *plan = NULL;
	size_t i, j, n = 0, nsources = 0;
	long keep = -1;
	int c, rc = EXIT_ERROR, warned = 0, finished = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 's':
			cli->state_path = optarg;
			break;
		case 'o':
			only = optarg;
			break;
		case 'k':
			errno = 0;
			keep = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    keep < 1 || keep > 1000000) {
				cli_errorf(cli,
				    "--keep: '%s' is not a number of "
				    "snapshots from 1",
				    optarg);
				return EXIT_ERROR;
			}
			break;
		default:
			return cli_usage(cli, &cmd_backup);
		}
	}
	if (optind != argc)
		return cli_usage(cli, &cmd_backup);
	if (cli_load_config(cli, file, &cfg) != 0)
		goto out;
	if (backup_projects(&projects, &n, cfg, only, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if ((sources = calloc(n + 1, sizeof(*sources))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		for (j = 0; j < nsources; j++)
			if (strcmp(sources[j], projects[i]->source) == 0)
				break;
		if (j == nsources)
			sources[nsources++] = projects[i]->source;
	}
	if (cli_crash_at(cli, &ao.crash_at) != 0 ||
	    cli_open_state(cli, cfg, STATE_OPEN_CREATE, &st) != 0 ||
	    cli_lock(cli, st, "backup") != 0 ||
	    cli_session(cli, cfg, &sess) != 0)
		goto out;
	if (nsources > 0 &&
	    cli_refresh_some(cli, cfg, sess, st, sources, nsources) != 0)
		goto out;
	bo.only = only;
	bo.now = (int64_t)time(NULL);
	bo.standby_version = STANDBY_VERSION;
	if (plan_cache_load(&cache, st, &err) != 0 ||
	    backup_plan(&plan, cfg, &cache.view, &bo, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	warned = print_warnings(cli, plan);
	pr.cli = cli;
	pr.what = "Backup";
	ao.parallelism = cfg->settings.parallelism;
	ao.interrupted = cli->interrupted;
	ao.event = cli_run_event;
	ao.event_arg = &pr;
	ao.operation = "backup";
	if (apply_new(&ap, cfg, sess, st, &ao, &err) != 0 ||
	    (planfile_has_changes(plan) && apply_run(ap, plan, &err) != 0) ||
	    apply_finish(ap, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	finished = 1;
	rc = cli_exit_code(cli, apply_summary(ap));
	if (warned && rc == EXIT_OK)
		rc = EXIT_ERROR;
	/* A failed export adds nothing, so pruning after it loses no newer
	 * backup; an interrupted run prunes nothing. */
	if (keep > 0 && !apply_summary(ap)->interrupted)
		for (i = 0; i < n; i++)
			if (prune(cli, st, projects[i]->name, (int)keep) != 0)
				rc = EXIT_ERROR;
out:
	if (!finished && ap != NULL)
		(void)state_run_finish(
		    st, apply_summary(ap)->run_id, "cancelled", &err);
	session_free(sess);
	apply_free(ap);
	plan_cache_release(&cache);
	state_close(st);
	config_free(cfg);
	cJSON_Delete(plan);
	free(projects);
	free(sources);
	return rc;
}

const struct cmd cmd_backup = {
	.name = "backup",
	.usage = "backup [-f FILE] [--state FILE] [--only PROJECT] [--keep N]",
	.summary = "export every source project into a snapshot in the state "
	           "file",
	.help =
	    "  -f, --file FILE      the configuration (default standby.yaml)\n"
	    "      --state FILE     the state file (default: the config's)\n"
	    "      --only PROJECT   back up this project only\n"
	    "      --keep N         then keep the N newest snapshots of each "
	    "project backed up; a snapshot a replica or model was built from "
	    "is never pruned\n"
	    "\nEach export is stored once by content (SHA-256): a project "
	    "that did not change adds no snapshot.\n"
	    "Takes the apply lock.  Exit status: 0 success, 1 a project "
	    "could not be backed up.\n",
	.run = backup_main,
};
