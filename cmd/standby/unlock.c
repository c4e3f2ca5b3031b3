/*
 * unlock.c - "standby force-unlock LOCK_ID": remove an apply lock left by
 * a process that is gone, for when apply cannot tell by itself (the
 * holder ran on another host).  The id must be given, so an operator
 * never removes a lock they have not looked at.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "config.h"
#include "state.h"

static int
unlock_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "standby.yaml";
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct err err = { 0 };
	int c, rc = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		default:
			return cli_usage(cli, &cmd_force_unlock);
		}
	}
	if (argc - optind != 1)
		return cli_usage(cli, &cmd_force_unlock);
	if (cli_load_config(cli, file, &cfg) != 0 ||
	    cli_open_state(cli, cfg, 0, &st) != 0)
		goto out;
	if (state_force_unlock(st, argv[optind], &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	fprintf(cli->out, "Lock %s removed.\n", argv[optind]);
	rc = EXIT_OK;
out:
	state_close(st);
	config_free(cfg);
	return rc;
}

const struct cmd cmd_force_unlock = {
	.name = "force-unlock",
	.usage = "force-unlock [-f FILE] LOCK_ID",
	.summary = "remove the apply lock of a process that is gone",
	.help = "  -f, --file FILE   the configuration (default standby.yaml)\n"
	        "  LOCK_ID           the id a refused apply printed\n"
	        "\nOnly for a lock whose holder ran on another host: apply "
	        "takes over a dead\nprocess's lock on the same host by "
	        "itself.\n",
	.run = unlock_main,
};
