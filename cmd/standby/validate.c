/*
 * validate.c - "standby validate": load each configuration file and report
 * every problem, as text (file:line:column: severity: path: message) on
 * stderr or as one JSON document on stdout.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "diag.h"

#define MAX_FILES 256

static int
validate_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *files[MAX_FILES], *format = "text";
	struct diag_list diags = { 0 };
	struct buf out = { 0 }, summary = { 0 };
	struct config *cfg;
	struct err err = { 0 };
	size_t nfiles = 0, i;
	int c, json, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (nfiles == MAX_FILES) {
				cli_errorf(cli, "too many files");
				return EXIT_ERROR;
			}
			files[nfiles++] = optarg;
			break;
		case 'F':
			format = optarg;
			break;
		case 'h':
			fprintf(cli->out, "usage: standby %s\n\n%s",
			    cmd_validate.usage, cmd_validate.help);
			return EXIT_OK;
		default:
			return cli_usage(cli, &cmd_validate);
		}
	}
	for (; optind < argc; optind++) {
		if (nfiles == MAX_FILES) {
			cli_errorf(cli, "too many files");
			return EXIT_ERROR;
		}
		files[nfiles++] = argv[optind];
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		cli_errorf(
		    cli, "unknown format '%s'; use text or json", format);
		return cli_usage(cli, &cmd_validate);
	}
	json = format[0] == 'j';
	if (nfiles == 0)
		files[nfiles++] = "standby.yaml";

	buf_addstr(&summary, "[");
	for (i = 0; i < nfiles; i++) {
		err_clear(&err);
		cfg = NULL;
		if (config_load(&cfg, files[i], &diags, &err) != 0) {
			rc = EXIT_ERROR;
			if (err.code != ERR_SPEC) {
				/* No position to give: the file as a whole
				 * (line 0 in JSON). */
				if (json)
					diag_add(&diags, files[i], 0, 0, NULL,
					    DIAG_ERROR, "%s", err.msg);
				else
					cli_error(cli, &err);
			}
		} else if (!json && !cli->quiet) {
			fprintf(cli->out, "%s: valid (config hash %.12s)\n",
			    files[i], cfg->hash_hex);
		}
		buf_addf(&summary, "%s{\"file\":\"", i ? "," : "");
		buf_addjson(&summary, files[i]);
		buf_addf(&summary,
		    "\",\"valid\":%s,\"hash\":", cfg ? "true" : "false");
		if (cfg != NULL)
			buf_addf(&summary, "\"%s\"}", cfg->hash_hex);
		else
			buf_addstr(&summary, "null}");
		config_free(cfg);
	}
	buf_addstr(&summary, "]");
	diag_sort(&diags);
	if (json) {
		buf_addf(&out,
		    "{\"valid\":%s,\"errors\":%zu,\"warnings\":%zu,"
		    "\"files\":%s,\"diagnostics\":",
		    rc == EXIT_OK ? "true" : "false", diags.nerrors,
		    diags.nwarnings, buf_str(&summary));
		if (diag_format_json(&diags, &out, &err) == 0)
			buf_addstr(&out, "}\n");
	} else {
		diag_format_text(&diags, &out, &err);
	}
	if (buf_check(&out, &err, "formatting the report") != 0 ||
	    buf_check(&summary, &err, "formatting the report") != 0) {
		cli_error(cli, &err);
		rc = EXIT_ERROR;
	} else {
		fputs(buf_str(&out), json ? cli->out : cli->errs);
	}
	buf_release(&out);
	buf_release(&summary);
	diag_list_release(&diags);
	return rc;
}

const struct cmd cmd_validate = {
	.name = "validate",
	.usage = "validate [-f FILE]... [--format text|json] [FILE...]",
	.summary = "check standby.yaml files and report every problem",
	.help = "  -f, --file FILE      the configuration (default "
	        "./standby.yaml);\n"
	        "                       repeat it, or name files after the "
	        "options\n"
	        "      --format FORMAT  text (default: file:line:column: ... "
	        "on stderr)\n"
	        "                       or json (one document on stdout)\n"
	        "Exits 0 when every file is valid (warnings allowed), 1 "
	        "otherwise.\n",
	.run = validate_main,
};
