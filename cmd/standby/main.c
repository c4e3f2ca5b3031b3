/*
 * main.c - the standby front end: global flags, the command table, and the
 * only place that prints errors or exits.  Everything that decides lives
 * in lib/.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

#ifndef STANDBY_VERSION
#define STANDBY_VERSION "0.0.0"
#endif

static volatile sig_atomic_t interrupted;

/* One row per subcommand, in the order "standby help" lists them. */
static const struct cmd *const commands[] = {
	&cmd_apply,
	&cmd_backup,
	&cmd_drift,
	&cmd_force_unlock,
	&cmd_plan,
	&cmd_refresh,
	&cmd_restore,
	&cmd_show,
	&cmd_snapshots,
	&cmd_state,
	&cmd_status,
	&cmd_validate,
	NULL,
};

void
cli_error(struct cli *cli, const struct err *err)
{
	fprintf(cli->errs, "standby: %s\n", err->msg);
}

void
cli_errorf(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fputs("standby: ", cli->errs);
	va_start(ap, fmt);
	vfprintf(cli->errs, fmt, ap);
	va_end(ap);
	fputc('\n', cli->errs);
}

int
cli_usage(struct cli *cli, const struct cmd *cmd)
{
	fprintf(cli->errs, "usage: standby %s\n", cmd->usage);
	fprintf(
	    cli->errs, "Run 'standby help %s' for the options.\n", cmd->name);
	return EXIT_ERROR;
}

static void
on_signal(int sig)
{
	interrupted = sig;
}

static const struct cmd *
find_command(const char *name)
{
	size_t i;

	for (i = 0; commands[i] != NULL; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp,
	    "usage: standby [--state FILE] [--cacert FILE] [--insecure] "
	    "[--no-color] [-v] [-q]\n"
	    "               <command> [<args>]\n\n"
	    "Keep Azure AI Language projects and Azure OpenAI deployments "
	    "ready in a second region.\n\nCommands:\n");
	for (i = 0; commands[i] != NULL; i++)
		fprintf(fp, "  %-14s %s\n", commands[i]->name,
		    commands[i]->summary);
	fprintf(fp,
	    "\nRun 'standby help <command>' for one command's "
	    "options.\n");
}

static int
help(struct cli *cli, int argc, char **argv)
{
	const struct cmd *cmd;

	if (argc < 2) {
		usage(cli->out);
		return EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (cmd == NULL) {
		cli_errorf(cli, "'%s' is not a standby command", argv[1]);
		return EXIT_ERROR;
	}
	fprintf(
	    cli->out, "usage: standby %s\n\n%s\n", cmd->usage, cmd->summary);
	if (cmd->help != NULL && cmd->help[0] != '\0')
		fprintf(cli->out, "\n%s", cmd->help);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "state", required_argument, NULL, 's' },
		{ "cacert", required_argument, NULL, 'c' },
		{ "insecure", no_argument, NULL, 'k' },
		{ "no-color", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	struct sigaction sa;
	const struct cmd *cmd;
	const char *nc;
	int c, rc;

	cli.out = stdout;
	cli.errs = stderr;
	cli.interrupted = &interrupted;
	nc = getenv("NO_COLOR");
	cli.color = isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0');

	/* "+" stops at the first non-option: the rest is the command's. */
	while ((c = getopt_long(argc, argv, "+hVvq", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("standby %s\n", STANDBY_VERSION);
			return EXIT_OK;
		case 's':
			cli.state_path = optarg;
			break;
		case 'c':
			cli.cacert = optarg;
			break;
		case 'k':
			cli.insecure = 1;
			break;
		case 'n':
			cli.color = 0;
			break;
		case 'v':
			cli.verbose++;
			break;
		case 'q':
			cli.quiet = 1;
			break;
		default:
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (strcmp(argv[0], "help") == 0)
		return help(&cli, argc, argv);
	cmd = find_command(argv[0]);
	if (cmd == NULL) {
		cli_errorf(&cli,
		    "'%s' is not a standby command; see 'standby "
		    "--help'",
		    argv[0]);
		return EXIT_ERROR;
	}
	/* "standby CMD --help" is "standby help CMD" for every command, also
	 * those whose first argument is a subcommand. */
	if (argc >= 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		char *hv[] = { argv[1], argv[0], NULL };

		return help(&cli, 2, hv);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		cli_errorf(&cli, "cannot initialise libcurl");
		return EXIT_ERROR;
	}
	/* Commands parse with getopt_long from their own argv[0]. */
	optind = 0;
	rc = cmd->run(&cli, argc, argv);
	curl_global_cleanup();
	return rc;
}
