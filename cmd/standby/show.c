/*
 * show.c - "standby show": render a saved plan.  The plan is checked as
 * strictly as apply checks it, so what show prints is what apply would
 * run.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "planfile.h"
#include "render.h"

static int
read_stdin(struct buf *b, struct err *err)
{
	char chunk[8192];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_add(b, chunk, n);
	if (ferror(stdin))
		return err_errno(err, "cannot read the plan from stdin");
	return buf_check(b, err, "reading the plan from stdin");
}

static int
parse_budget(size_t *out, const char *s, struct err *err)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		goto bad;
	*out = (size_t)v;
	return 0;
bad:
	return err_set(err, ERR_SPEC,
	    "--markdown-budget: '%s' is not a number of characters", s);
}

static int
show_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "no-color", no_argument, NULL, 'n' },
		{ "detailed-exitcode", no_argument, NULL, 'd' },
		{ "markdown-budget", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct render_opts ro = { 0 };
	enum render_format fmt = RENDER_TEXT;
	struct buf out = { 0 }, in = { 0 };
	struct err err = { 0 };
	cJSON *plan = NULL;
	int c, detailed = 0, rc = EXIT_ERROR;

	ro.color = cli->color;
	while ((c = getopt_long(argc, argv, "F:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (render_format_parse(&fmt, optarg, &err) != 0) {
				cli_error(cli, &err);
				return EXIT_ERROR;
			}
			break;
		case 'n':
			ro.color = 0;
			break;
		case 'd':
			detailed = 1;
			break;
		case 'b':
			if (parse_budget(&ro.markdown_budget, optarg, &err) !=
			    0) {
				cli_error(cli, &err);
				return EXIT_ERROR;
			}
			break;
		default:
			return cli_usage(cli, &cmd_show);
		}
	}
	if (argc - optind != 1)
		return cli_usage(cli, &cmd_show);
	ro.plan_path = argv[optind];

	if (strcmp(argv[optind], "-") == 0) {
		ro.plan_path = "plan.json";
		if (read_stdin(&in, &err) != 0 ||
		    planfile_parse(
		        &plan, buf_str(&in), in.len, "<stdin>", &err) != 0)
			goto fail;
	} else if (planfile_load(&plan, argv[optind], &err) != 0) {
		goto fail;
	}
	if (render_plan(plan, fmt, &ro, &out, &err) != 0)
		goto fail;
	if (fwrite(out.data != NULL ? out.data : "", 1, out.len, cli->out) !=
	        out.len ||
	    fflush(cli->out) != 0) {
		cli_errorf(cli, "cannot write the plan to stdout");
		goto out;
	}
	rc = detailed && planfile_has_changes(plan) ? EXIT_CHANGES : EXIT_OK;
	goto out;
fail:
	cli_error(cli, &err);
out:
	cJSON_Delete(plan);
	buf_release(&out);
	buf_release(&in);
	return rc;
}

const struct cmd cmd_show = {
	.name = "show",
	.usage = "show [--format text|markdown|json] [--no-color] "
	         "[--detailed-exitcode] [--markdown-budget N] PLAN.json",
	.summary = "render a saved plan (text, markdown or json)",
	.help =
	    "  --format FMT          text (default), markdown (pull-request "
	    "comments) or json (canonical)\n"
	    "  --no-color            no colours (also NO_COLOR, or when "
	    "stdout is not a terminal)\n"
	    "  --detailed-exitcode   exit 2 when the plan has actions, 0 "
	    "when it has none\n"
	    "  --markdown-budget N   markdown: at most N characters "
	    "(default 60000)\n"
	    "  PLAN.json             a plan saved by 'standby plan -o', or "
	    "- for stdin\n",
	.run = show_main,
};
