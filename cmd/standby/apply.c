/*
 * apply.c - "standby apply": take the lock, finish what an interrupted
 * apply left, then run a plan (made now from the configuration, shown and
 * confirmed, or a saved one, refused when stale), printing progress as
 * text lines or one JSON event per line, and refresh what it changed.
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
#include "cmd.h"
#include "config.h"
#include "crash.h"
#include "plan.h"
#include "planfile.h"
#include "refresh.h"
#include "render.h"
#include "session.h"
#include "sha256.h"
#include "state.h"

#ifndef STANDBY_VERSION
#define STANDBY_VERSION "0.0.0"
#endif

struct printer {
	struct cli *cli;
	int json;
};

static void
fmt_elapsed(long long ms, char *out, size_t size)
{
	long long s = ms / 1000;

	if (s >= 60)
		snprintf(out, size, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(out, size, "%lld.%llds", s, (ms % 1000) / 100);
}

static void
json_event(struct printer *p, const struct apply_event *ev)
{
	static const char *const names[] = { "", "start", "progress",
		"heartbeat", "end", "summary" };
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "event", names[ev->type]);
	if (ev->type == APPLY_EVENT_SUMMARY) {
		const struct apply_summary *sm = ev->summary;

		cJSON_AddStringToObject(o, "run", sm->run_id);
		cJSON_AddNumberToObject(o, "total", (double)sm->total);
		cJSON_AddNumberToObject(o, "succeeded", (double)sm->succeeded);
		cJSON_AddNumberToObject(o, "failed", (double)sm->failed);
		cJSON_AddNumberToObject(o, "skipped", (double)sm->skipped);
		cJSON_AddNumberToObject(o, "not_run", (double)sm->not_run);
		cJSON_AddNumberToObject(o, "resumed", (double)sm->resumed);
		cJSON_AddNumberToObject(o, "abandoned", (double)sm->abandoned);
		cJSON_AddBoolToObject(o, "interrupted", sm->interrupted);
	} else {
		cJSON_AddStringToObject(o, "action", ev->action);
		cJSON_AddStringToObject(o, "kind", ev->kind);
		cJSON_AddStringToObject(o, "target", ev->target);
		cJSON_AddBoolToObject(o, "resumed", ev->resumed);
		if (ev->outcome != NULL)
			cJSON_AddStringToObject(o, "outcome", ev->outcome);
		if (ev->percent >= 0)
			cJSON_AddNumberToObject(o, "percent", ev->percent);
		cJSON_AddNumberToObject(
		    o, "elapsed_ms", (double)ev->elapsed_ms);
		if (ev->detail != NULL)
			cJSON_AddStringToObject(o, "detail", ev->detail);
		if (ev->error != NULL)
			cJSON_AddStringToObject(o, "error", ev->error);
		cJSON_AddNumberToObject(o, "done", (double)ev->done);
		cJSON_AddNumberToObject(o, "total", (double)ev->total);
	}
	s = cJSON_PrintUnformatted(o);
	if (s != NULL)
		fprintf(p->cli->out, "%s\n", s);
	cJSON_free(s);
	cJSON_Delete(o);
}

static void
on_event(void *arg, const struct apply_event *ev)
{
	struct printer *p = arg;
	FILE *out = p->cli->out;
	char el[32];

	if (p->json) {
		json_event(p, ev);
		fflush(out);
		return;
	}
	fmt_elapsed(ev->elapsed_ms, el, sizeof(el));
	switch (ev->type) {
	case APPLY_EVENT_START:
		fprintf(out, "[%zu/%zu] %s %s\n", ev->done, ev->total,
		    ev->resumed ? "resuming" : "starting", ev->action);
		break;
	case APPLY_EVENT_PROGRESS:
		fprintf(out, "[%zu/%zu] %s: %d%% (%s)\n", ev->done, ev->total,
		    ev->action, ev->percent, el);
		break;
	case APPLY_EVENT_HEARTBEAT:
		fprintf(out, "[%zu/%zu] %s: still running (%s elapsed)\n",
		    ev->done, ev->total, ev->action, el);
		break;
	case APPLY_EVENT_END:
		if (strcmp(ev->outcome, "succeeded") == 0)
			fprintf(out, "[%zu/%zu] %s: done in %s%s%s\n", ev->done,
			    ev->total, ev->action, el, ev->detail ? ": " : "",
			    ev->detail ? ev->detail : "");
		else
			fprintf(out, "[%zu/%zu] %s: %s: %s\n", ev->done,
			    ev->total, ev->action, ev->outcome,
			    ev->error ? ev->error : "unknown error");
		break;
	case APPLY_EVENT_SUMMARY:
		if (ev->summary->resumed || ev->summary->abandoned)
			fprintf(out,
			    "Resumed from an interrupted apply: %zu finished, "
			    "%zu left for the plan to redo.\n",
			    ev->summary->resumed, ev->summary->abandoned);
		fprintf(out,
		    "Apply %s: %zu succeeded, %zu failed, %zu skipped "
		    "because a dependency failed%s.\n",
		    ev->summary->interrupted  ? "interrupted"
		        : ev->summary->failed ? "failed"
		                              : "complete",
		    ev->summary->succeeded, ev->summary->failed,
		    ev->summary->skipped,
		    ev->summary->interrupted
		        ? "; jobs in flight are picked up by the next apply"
		        : "");
		break;
	}
	fflush(out);
}

/* Refreshes every declared resource (only NULL) or the ones named, so the
 * plan (or the next one) sees live state. */
static int
refresh(struct cli *cli, const struct config *cfg, struct session *sess,
    struct state *st, const char *const *only, size_t nonly)
{
	struct refresh_opts ro = { 0 };
	struct refresh_report rep = { 0 };
	struct err err = { 0 };
	size_t i;

	ro.only = only;
	ro.nonly = nonly;
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

static int
make_plan(struct cli *cli, const struct config *cfg, struct state *st,
    int prune, const char *const *targets, size_t ntargets, cJSON **out)
{
	struct plan_cache cache = { 0 };
	struct plan_opts po = { 0 };
	struct err err = { 0 };
	int rc = -1;

	if (plan_cache_load(&cache, st, &err) != 0)
		goto out;
	po.prune = prune;
	po.targets = targets;
	po.ntargets = ntargets;
	po.expiry_window_s = cfg->settings.expiry_window_s;
	po.now = (int64_t)time(NULL);
	po.refreshed = 1;
	po.standby_version = STANDBY_VERSION;
	po.assets_hash = plan_hash_assets;
	po.file_hash = plan_hash_file;
	if (plan_build(out, cfg, &cache.view, &po, &err) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		cli_error(cli, &err);
	plan_cache_release(&cache);
	return rc;
}

/* Shows the plan and asks; returns 1 to go on, 0 when refused. */
static int
confirm(struct cli *cli, const cJSON *plan, int auto_approve, int json)
{
	struct render_opts ro = { 0 };
	struct buf text = { 0 };
	struct planfile_summary sum;
	struct err err = { 0 };
	char line[64];

	planfile_summary(plan, &sum);
	if (json) {
		/* CI logs get the plan's size and provenance as an event. */
		const cJSON *rev =
		    planfile_get(planfile_get(plan, "state"), "revision");

		fprintf(cli->out,
		    "{\"event\":\"plan\",\"actions\":%lld,\"revision\":%lld,"
		    "\"config_hash\":\"%s\"}\n",
		    sum.total,
		    cJSON_IsNumber(rev) ? (long long)rev->valuedouble : -1LL,
		    planfile_str(planfile_get(plan, "config"), "hash"));
	} else {
		ro.color = cli->color;
		if (render_plan(plan, RENDER_TEXT, &ro, &text, &err) != 0) {
			cli_error(cli, &err);
			return 0;
		}
		fputs(buf_str(&text), cli->out);
		buf_release(&text);
	}
	if (auto_approve || sum.total == 0)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		cli_errorf(cli,
		    "apply needs a confirmation and stdin is not a "
		    "terminal: run it with --auto-approve (as in "
		    "CI), or apply a saved plan");
		return 0;
	}
	fprintf(cli->errs,
	    "\nApply these %lld actions? Only 'yes' is accepted: ", sum.total);
	fflush(cli->errs);
	if (fgets(line, sizeof(line), stdin) == NULL ||
	    strcmp(line, "yes\n") != 0) {
		cli_errorf(cli, "apply cancelled; nothing was changed");
		return 0;
	}
	return 1;
}

static int
parse_ms(const char *what, const char *s, long *ms, struct cli *cli)
{
	long long sec;
	char *end;
	double v;

	/* "500ms" for tests; otherwise a config duration ("30s", "2m"). */
	if (strlen(s) > 2 && strcmp(s + strlen(s) - 2, "ms") == 0) {
		errno = 0;
		v = strtod(s, &end);
		if (errno == 0 && end == s + strlen(s) - 2 && v >= 0 &&
		    v < 1e9) {
			*ms = (long)v;
			return 0;
		}
	} else if (config_parse_duration(s, &sec) == 0 && sec >= 0 &&
	    sec < 1000000) {
		*ms = (long)sec * 1000;
		return 0;
	}
	cli_errorf(
	    cli, "%s: '%s' is not a duration (e.g. 30s, 2m, 500ms)", what, s);
	return -1;
}

static int
exit_code(struct cli *cli, const struct apply_summary *sum)
{
	if (sum->interrupted && cli->interrupted && *cli->interrupted)
		return 128 + (int)*cli->interrupted;
	return sum->failed > 0 ? EXIT_ERROR : EXIT_OK;
}

static int
apply_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "auto-approve", no_argument, NULL, 'y' },
		{ "parallelism", required_argument, NULL, 'p' },
		{ "lock-timeout", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'F' },
		{ "recheck-wait", required_argument, NULL, 'r' },
		{ "heartbeat", required_argument, NULL, 'b' },
		{ "prune", no_argument, NULL, 'P' },
		{ "target", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *plan_path = NULL, **targets = NULL;
	struct apply_opts ao = { 0 };
	struct printer pr = { 0 };
	struct state_lock held, replaced;
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct session *sess = NULL;
	struct apply *ap = NULL;
	struct err err = { 0 };
	cJSON *plan = NULL;
	size_t ntargets = 0, ntouched;
	const char *const *touched;
	long lock_ms = 0, v;
	int c, auto_approve = 0, prune = 0, rc = EXIT_ERROR, finished = 0;
	char *end;

	targets = calloc((size_t)argc + 1, sizeof(*targets));
	if (targets == NULL)
		return EXIT_ERROR;
	pr.cli = cli;
	ao.recheck_wait_ms = -1;
	while ((c = getopt_long(argc, argv, "f:yh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'y':
			auto_approve = 1;
			break;
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > 1000) {
				cli_errorf(cli,
				    "--parallelism: '%s' is not a "
				    "number from 1 to 1000",
				    optarg);
				goto out;
			}
			ao.parallelism = (int)v;
			break;
		case 'l':
			if (parse_ms("--lock-timeout", optarg, &lock_ms, cli) !=
			    0)
				goto out;
			break;
		case 'r':
			if (parse_ms("--recheck-wait", optarg,
			        &ao.recheck_wait_ms, cli) != 0)
				goto out;
			break;
		case 'b':
			if (parse_ms("--heartbeat", optarg, &ao.heartbeat_ms,
			        cli) != 0)
				goto out;
			break;
		case 'F':
			if (strcmp(optarg, "json") == 0) {
				pr.json = 1;
			} else if (strcmp(optarg, "text") != 0) {
				cli_errorf(cli,
				    "--format: '%s' is not text or "
				    "json",
				    optarg);
				goto out;
			}
			break;
		case 'P':
			prune = 1;
			break;
		case 't':
			targets[ntargets++] = optarg;
			break;
		default:
			rc = cli_usage(cli, &cmd_apply);
			goto out;
		}
	}
	if (argc - optind > 1) {
		rc = cli_usage(cli, &cmd_apply);
		goto out;
	}
	if (argc - optind == 1)
		plan_path = argv[optind];
	ao.crash_at = getenv("STANDBY_CRASH_AT");
	if (ao.crash_at != NULL && ao.crash_at[0] == '\0')
		ao.crash_at = NULL;
	if (ao.crash_at != NULL && !crash_spec_valid(ao.crash_at)) {
		cli_errorf(cli,
		    "STANDBY_CRASH_AT='%s' is not a crash point "
		    "(before-submit, after-accept, polling, "
		    "after-job, optionally ':KIND')",
		    ao.crash_at);
		goto out;
	}
	if (plan_path != NULL) {
		if (planfile_load(&plan, plan_path, &err) != 0) {
			cli_error(cli, &err);
			goto out;
		}
		if (file == NULL)
			file =
			    planfile_str(planfile_get(plan, "config"), "path");
	}
	if (file == NULL)
		file = "standby.yaml";
	if (cli_load_config(cli, file, &cfg) != 0 ||
	    cli_open_state(cli, cfg, STATE_OPEN_CREATE, &st) != 0)
		goto out;
	memset(&replaced, 0, sizeof(replaced));
	if (state_lock_acquire(st, "apply", (int)lock_ms, cli->interrupted,
	        &held, &replaced, &err) != 0) {
		cli_error(cli, &err);
		if (err.code == ERR_INTERRUPTED)
			rc = 128 + (int)*cli->interrupted;
		goto out;
	}
	if (replaced.id[0] != '\0')
		cli_errorf(cli,
		    "note: took over the lock of pid %ld on %s (%s), which no "
		    "longer runs",
		    replaced.pid, replaced.host, replaced.operation);
	if (plan != NULL && apply_check_fresh(plan, cfg, st, &err) != 0) {
		cli_errorf(cli,
		    "%s is stale: %s; run 'standby plan -o %s' "
		    "again",
		    plan_path, err.msg, plan_path);
		goto out;
	}
	if (cli_session(cli, cfg, &sess) != 0)
		goto out;
	ao.parallelism =
	    ao.parallelism > 0 ? ao.parallelism : cfg->settings.parallelism;
	ao.interrupted = cli->interrupted;
	ao.event = on_event;
	ao.event_arg = &pr;
	if (apply_new(&ap, cfg, sess, st, &ao, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (apply_resume(ap, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (apply_summary(ap)->interrupted)
		goto finish;
	if (plan != NULL &&
	    (apply_summary(ap)->resumed > 0 ||
	        apply_summary(ap)->abandoned > 0)) {
		touched = apply_touched(ap, &ntouched);
		if (ntouched > 0)
			refresh(cli, cfg, sess, st, touched, ntouched);
		cli_errorf(cli,
		    "%s is stale: an interrupted apply was finished "
		    "first; run 'standby plan -o %s' again",
		    plan_path, plan_path);
		if (apply_finish(ap, &err) != 0)
			cli_error(cli, &err);
		finished = 1;
		goto out;
	}
	if (plan == NULL) {
		if (refresh(cli, cfg, sess, st, NULL, 0) != 0 ||
		    make_plan(cli, cfg, st, prune, targets, ntargets, &plan) !=
		        0)
			goto out;
		if (!confirm(cli, plan, auto_approve, pr.json))
			goto out;
	}
	if (!planfile_has_changes(plan)) {
		if (!pr.json && plan_path != NULL)
			fprintf(cli->out, "No changes to apply.\n");
	} else if (apply_run(ap, plan, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (!apply_summary(ap)->interrupted) {
		touched = apply_touched(ap, &ntouched);
		if (ntouched > 0)
			refresh(cli, cfg, sess, st, touched, ntouched);
	}
finish:
	if (apply_finish(ap, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	finished = 1;
	rc = exit_code(cli, apply_summary(ap));
out:
	if (!finished && ap != NULL) {
		/* Refused, cancelled or failed before the end: the run row
		 * must not stay "running". */
		if (apply_summary(ap)->interrupted)
			rc = exit_code(cli, apply_summary(ap));
		(void)state_run_finish(st, apply_summary(ap)->run_id,
		    apply_summary(ap)->interrupted ? "interrupted"
		                                   : "cancelled",
		    &err);
	}
	/* A signal that stopped a prompt, the lock wait or a refresh. */
	if (rc == EXIT_ERROR && cli->interrupted != NULL &&
	    *cli->interrupted != 0)
		rc = 128 + (int)*cli->interrupted;
	/* Requests may still point into ap: stop them first. */
	session_free(sess);
	apply_free(ap);
	state_close(st); /* releases the lock */
	config_free(cfg);
	cJSON_Delete(plan);
	free(targets);
	return rc;
}

const struct cmd cmd_apply = {
	.name = "apply",
	.usage = "apply [-f FILE] [--auto-approve] [--parallelism N] "
	         "[--lock-timeout D] [--format text|json] [PLAN.json]",
	.summary = "run a plan: export, import, train and deploy, resumably",
	.help =
	    "  -f, --file FILE        the configuration (default "
	    "standby.yaml, or the one the saved plan names)\n"
	    "  -y, --auto-approve     do not ask for confirmation (CI)\n"
	    "      --parallelism N    actions in flight (default: the "
	    "config's settings.parallelism)\n"
	    "      --lock-timeout D   wait up to D for another apply to end "
	    "(default: fail at once)\n"
	    "      --format FMT       text (default) or json: one event per "
	    "line\n"
	    "      --recheck-wait D   how long after its intent a resumed, "
	    "unconfirmed request may take to show in live state (default "
	    "60s)\n"
	    "      --heartbeat D      a line per running action this often "
	    "(default 10s)\n"
	    "      --prune            plan deletes of what is not desired\n"
	    "      --target PROJECT   plan only this project (repeatable)\n"
	    "  PLAN.json              apply exactly this saved plan; refused "
	    "when the state or the configuration changed since\n"
	    "\nWithout PLAN.json the plan is made now, shown, and confirmed "
	    "(stdin must be a terminal, or give --auto-approve).\n"
	    "An apply interrupted earlier is finished first: its jobs are "
	    "polled, never started again.\n"
	    "Exit status: 0 success, 1 an action failed or apply refused, "
	    "130/143 interrupted.\n",
	.run = apply_main,
};
