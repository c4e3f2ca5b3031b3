/*
 * refresh.c - "standby refresh": read the live state of every declared
 * resource into the state file and say what changed since last time.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "refresh.h"
#include "session.h"
#include "state.h"

static const char *
change_sym(enum state_change_type t)
{
	switch (t) {
	case STATE_ADDED:
		return "+";
	case STATE_REMOVED:
		return "-";
	default:
		return "~";
	}
}

static void
print_report(
    struct cli *cli, const struct config *cfg, const struct refresh_report *r)
{
	char when[32], since[32];
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct refresh_resource *rr = &r->v[i];

		if (rr->ok) {
			const struct config_resource *res =
			    config_resource_find(cfg, rr->name);
			const char *what =
			    res != NULL && res->type == CONFIG_RESOURCE_OPENAI
			    ? "deployment"
			    : "project";

			fprintf(cli->out, "%s: %zu %s%s\n", rr->name,
			    rr->nprojects, what, rr->nprojects == 1 ? "" : "s");
			continue;
		}
		cli_format_time(rr->last_good, when, sizeof(when));
		cli_format_time(rr->stale_since, since, sizeof(since));
		fprintf(cli->out,
		    "%s: could not be read: %s\n"
		    "  cached state kept from the last good read (%s); "
		    "failing since %s\n",
		    rr->name, rr->error ? rr->error : "unknown error", when,
		    since);
	}
	if (r->changes.n == 0) {
		fprintf(cli->out, "No changes since the last refresh.\n");
		return;
	}
	fprintf(cli->out, "\nChanges since the last refresh:\n");
	for (i = 0; i < r->changes.n; i++) {
		const struct state_change *c = &r->changes.v[i];

		if (c->kind == STATE_OPENAI_DEPLOYMENT) {
			/* The address "state show" takes. */
			fprintf(cli->out, "  %s %s %s/deployments/%s",
			    change_sym(c->type), state_kind_name(c->kind),
			    c->resource, c->name);
			if (c->type == STATE_MODIFIED && c->fields != NULL)
				fprintf(cli->out, " (%s)", c->fields);
			fputc('\n', cli->out);
			continue;
		}
		fprintf(cli->out, "  %s %s %s/%s%s%s", change_sym(c->type),
		    state_kind_name(c->kind), c->resource,
		    c->project ? c->project : c->name,
		    c->kind == STATE_PROJECT ? "" : "/",
		    c->kind == STATE_PROJECT ? "" : c->name);
		if (c->type == STATE_MODIFIED && c->fields != NULL)
			fprintf(cli->out, " (%s)", c->fields);
		fputc('\n', cli->out);
	}
}

static int
refresh_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "standby.yaml";
	const char **only = NULL;
	struct refresh_opts ro = { 0 };
	struct refresh_report report = { 0 };
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct session *sess = NULL;
	struct err err = { 0 };
	int c, rc = EXIT_ERROR;

	only = calloc((size_t)argc + 1, sizeof(*only));
	if (only == NULL)
		return EXIT_ERROR;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'o':
			only[ro.nonly++] = optarg;
			break;
		default:
			free(only);
			return cli_usage(cli, &cmd_refresh);
		}
	}
	if (optind != argc) {
		free(only);
		return cli_usage(cli, &cmd_refresh);
	}
	ro.only = only;
	if (cli_load_config(cli, file, &cfg) != 0 ||
	    cli_open_state(cli, cfg, STATE_OPEN_CREATE, &st) != 0 ||
	    cli_session(cli, cfg, &sess) != 0)
		goto out;
	if (refresh_run(cfg, sess, st, &ro, &report, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	print_report(cli, cfg, &report);
	rc = report.nfailed ? EXIT_ERROR : EXIT_OK;
out:
	refresh_report_release(&report);
	session_free(sess);
	state_close(st);
	config_free(cfg);
	free(only);
	return rc;
}

const struct cmd cmd_refresh = {
	.name = "refresh",
	.usage = "refresh [-f FILE] [--only RESOURCE ...]",
	.summary = "read the live state of every resource into the state file",
	.help =
	    "  -f, --file FILE      the configuration (default "
	    "standby.yaml)\n"
	    "      --only RESOURCE  read only this resource (repeatable)\n"
	    "\nA resource that cannot be read is reported and its cached "
	    "state kept.\nExit status: 0 every resource read, 1 otherwise.\n",
	.run = refresh_main,
};
