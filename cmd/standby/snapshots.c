/*
 * snapshots.c - "standby snapshots [PROJECT]" lists the backups in the
 * state file; "standby snapshots export ID [-o FILE]" writes one out as
 * the exported-project document the Language :import API takes.
 *
 * Read-only: no lock, no network, and a missing state file is an empty
 * one.  The export writes the snapshot's exact bytes (so `sha256sum` of
 * the file is its id), after checking they are an import-ready document.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backup.h"
#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "snapshot.h"
#include "state.h"

/* Opens the state file read-only: --state, else the config's.  Returns 1
 * when it does not exist yet, 0 when open, -1 after printing why. */
static int
open_ro(struct cli *cli, const char *file, struct state **st)
{
	struct config *cfg = NULL;
	struct err err = { 0 };
	const char *path = cli->state_path;
	int rc = -1;

	*st = NULL;
	if (path == NULL) {
		if (cli_load_config(cli, file, &cfg) != 0)
			return -1;
		path = cfg->settings.state_path;
	}
	if (state_open(st, path, 0, &err) == 0) {
		rc = 0;
	} else if (err.code == ERR_NOTFOUND) {
		rc = 1;
	} else {
		cli_error(cli, &err);
	}
	config_free(cfg);
	return rc;
}

static void
add_time(cJSON *o, const char *key, long long t)
{
	char s[32];

	cli_format_time(t, s, sizeof(s));
	cJSON_AddStringToObject(o, key, s);
}

static void
add_nstr(cJSON *o, const char *key, const char *v)
{
	if (v == NULL)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, v);
}

static int
list_json(struct cli *cli, const struct snapshot_list *l)
{
	cJSON *doc = cJSON_CreateObject(), *arr, *o;
	char *s = NULL, id[13];
	size_t i;
	int rc = EXIT_ERROR;

	/* The format: schema/snapshots.schema.json. */
	if (doc == NULL ||
	    cJSON_AddNumberToObject(doc, "format_version", 1) == NULL ||
	    (arr = cJSON_AddArrayToObject(doc, "snapshots")) == NULL)
		goto out;
	for (i = 0; i < l->n; i++) {
		const struct snapshot_meta *m = &l->v[i];

		if ((o = cJSON_CreateObject()) == NULL)
			goto out;
		cJSON_AddItemToArray(arr, o);
		snprintf(id, sizeof(id), "%.12s", m->hash);
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "hash", m->hash);
		add_nstr(o, "project", m->project);
		add_nstr(o, "kind", m->kind);
		add_nstr(o, "source_resource", m->source_resource);
		add_nstr(o, "source_modified", m->source_modified);
		add_time(o, "taken_at", m->taken_at);
		add_time(o, "last_seen_at", m->seen_at);
		cJSON_AddNumberToObject(o, "export_ms", (double)m->duration_ms);
		cJSON_AddNumberToObject(o, "size", (double)m->size);
		cJSON_AddNumberToObject(
		    o, "stored_size", (double)m->stored_size);
	}
	if ((s = cJSON_Print(doc)) == NULL)
		goto out;
	fprintf(cli->out, "%s\n", s);
	rc = EXIT_OK;
out:
	if (rc != EXIT_OK)
		cli_errorf(cli, "out of memory");
	cJSON_free(s);
	cJSON_Delete(doc);
	return rc;
}

static void
list_text(struct cli *cli, const struct snapshot_list *l)
{
	char t[32];
	size_t i;

	if (l->n == 0) {
		fprintf(cli->out, "No snapshots.\n");
		return;
	}
	fprintf(cli->out, "%-12s  %-20s  %-14s  %-20s  %10s  %10s\n", "ID",
	    "PROJECT", "SOURCE", "LAST SEEN", "SIZE", "STORED");
	for (i = 0; i < l->n; i++) {
		const struct snapshot_meta *m = &l->v[i];

		cli_format_time(m->seen_at, t, sizeof(t));
		fprintf(cli->out,
		    "%.12s  %-20s  %-14s  %-20s  %10lld  %10lld\n", m->hash,
		    m->project ? m->project : "-",
		    m->source_resource ? m->source_resource : "-", t,
		    (long long)m->size, (long long)m->stored_size);
	}
}

static int
export_one(struct cli *cli, struct state *st, const char *id, const char *out)
{
	struct snapshot_meta m = { 0 };
	struct buf data = { .max = (size_t)1 << 30 };
	struct err err = { 0 };
	int rc = EXIT_ERROR;

	if (snapshot_find(st, id, &m, &err) != 0) {
		if (err.code == ERR_NOTFOUND)
			cli_errorf(cli,
			    "no snapshot '%s' in %s (see 'standby "
			    "snapshots')",
			    id, state_path(st));
		else
			cli_error(cli, &err);
		return EXIT_ERROR;
	}
	if (snapshot_load(st, m.hash, &data, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (backup_check_import_doc(data.data, data.len, &err) != 0) {
		cli_errorf(cli,
		    "snapshot %.12s is not an import-ready project: %s", m.hash,
		    err.msg);
		goto out;
	}
	if (out == NULL || strcmp(out, "-") == 0) {
		if (fwrite(data.data, 1, data.len, cli->out) != data.len) {
			cli_errorf(cli, "cannot write the snapshot");
			goto out;
		}
	} else if (cli_write_file(cli, out, &data) != 0) {
		goto out;
	} else if (!cli->quiet) {
		fprintf(cli->errs,
		    "wrote snapshot %.12s of %s (%zu bytes) to "
		    "%s\n",
		    m.hash, m.project, data.len, out);
	}
	rc = EXIT_OK;
out:
	snapshot_meta_release(&m);
	buf_release(&data);
	return rc;
}

static int
snapshots_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "state", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "standby.yaml", *out = NULL, *project = NULL;
	struct snapshot_list list = { 0 };
	struct state *st = NULL;
	struct err err = { 0 };
	int c, json = 0, export = 0, opened, rc = EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 's':
			cli->state_path = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "json") == 0) {
				json = 1;
			} else if (strcmp(optarg, "text") != 0) {
				cli_errorf(cli,
				    "--format: '%s' is not text or json",
				    optarg);
				return EXIT_ERROR;
			}
			break;
		default:
			return cli_usage(cli, &cmd_snapshots);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc >= 1 && strcmp(argv[0], "export") == 0) {
		if (argc != 2)
			return cli_usage(cli, &cmd_snapshots);
		export = 1;
	} else if (argc > 1 || out != NULL) {
		return cli_usage(cli, &cmd_snapshots);
	} else if (argc == 1) {
		project = argv[0];
	}
	opened = open_ro(cli, file, &st);
	if (opened < 0)
		return EXIT_ERROR;
	if (opened == 1) {
		if (export) {
			cli_errorf(cli,
			    "no snapshot '%s': there is no state file yet",
			    argv[1]);
			return EXIT_ERROR;
		}
		return json ? list_json(cli, &list)
		            : (list_text(cli, &list), EXIT_OK);
	}
	if (export) {
		rc = export_one(cli, st, argv[1], out);
		goto out;
	}
	if (snapshot_list(st, project, &list, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (json) {
		rc = list_json(cli, &list);
	} else {
		list_text(cli, &list);
		rc = EXIT_OK;
	}
out:
	snapshot_list_release(&list);
	state_close(st);
	return rc;
}

const struct cmd cmd_snapshots = {
	.name = "snapshots",
	.usage = "snapshots [-f FILE] [--format text|json] [PROJECT] | "
	         "snapshots export ID [-o FILE]",
	.summary = "list the backups in the state file, or write one out for "
	           "import",
	.help =
	    "  -f, --file FILE      the configuration (default standby.yaml)\n"
	    "      --state FILE     the state file (default: the config's)\n"
	    "      --format FMT     text (default) or json\n"
	    "  -o, --output FILE    export: write here (default stdout)\n"
	    "  PROJECT              list only this project's snapshots\n"
	    "  ID                   a snapshot's hash or a unique prefix "
	    "of it (4+ hex digits)\n"
	    "\nNewest first.  The exported document is the snapshot's exact "
	    "bytes: the body the Language :import API accepts.\n",
	.run = snapshots_main,
};
