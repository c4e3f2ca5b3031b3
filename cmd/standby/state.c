/*
 * state.c - "standby state list" and "standby state show OBJECT": what the
 * state file holds (the cache of live objects, replication records and
 * snapshots), read-only.  A missing state file is an empty one: these
 * commands never create it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cmd.h"
#include "snapshot.h"
#include "state.h"

static void
when(char *out, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, n, "never");
}

/* Opens the state file named by --state or beside -f's config.  Returns
 * 1 when it does not exist, 0 when opened, -1 on error (printed). */
static int
open_state(struct cli *cli, const char *config, struct state **st)
{
	struct buf path = { 0 };
	struct err err = { 0 };
	int rc = -1;

	*st = NULL;
	if (cli->state_path != NULL)
		buf_addstr(&path, cli->state_path);
	else if (state_default_path(&path, config, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (buf_check(&path, &err, "state path") != 0) {
		cli_error(cli, &err);
		goto out;
	}
	if (state_open(st, buf_str(&path), 0, &err) != 0) {
		if (err.code == ERR_NOTFOUND) {
			if (!cli->quiet)
				cli_errorf(cli,
				    "no state file '%s' yet; run 'standby "
				    "refresh'",
				    buf_str(&path));
			rc = 1;
			goto out;
		}
		cli_error(cli, &err);
		goto out;
	}
	rc = 0;
out:
	buf_release(&path);
	return rc;
}

static void
print_object(FILE *fp, const struct state_object *o)
{
	struct buf addr = { 0 };

	state_object_address(&addr, o);
	fprintf(fp, "%-18s %s", state_kind_name(o->kind), buf_str(&addr));
	if (o->kind == STATE_PROJECT && o->last_modified != NULL)
		fprintf(fp, "  modified %s", o->last_modified);
	if (o->kind == STATE_MODEL && o->last_trained != NULL)
		fprintf(fp, "  trained %s", o->last_trained);
	if (o->kind == STATE_DEPLOYMENT && o->model_id != NULL)
		fprintf(fp, "  -> %s", o->model_id);
	fputc('\n', fp);
	buf_release(&addr);
}

static int
list_all(struct cli *cli, struct state *st)
{
	struct state_resources res = { 0 };
	struct state_objects objs = { 0 };
	struct state_replications reps = { 0 };
	struct snapshot_list snaps = { 0 };
	struct err err = { 0 };
	char t1[32], t2[32];
	size_t i;
	int rc = EXIT_ERROR;

	if (state_list_resources(st, &res, &err) != 0 ||
	    state_list_objects(st, NULL, 0, &objs, &err) != 0 ||
	    state_list_replications(st, &reps, &err) != 0 ||
	    snapshot_list(st, NULL, &snaps, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	for (i = 0; i < res.n; i++) {
		when(t1, sizeof(t1), res.v[i].refreshed_at);
		fprintf(cli->out, "%-18s %s  refreshed %s", "resource",
		    res.v[i].name, t1);
		if (res.v[i].stale_since != 0) {
			when(t2, sizeof(t2), res.v[i].stale_since);
			fprintf(cli->out, "  STALE since %s: %s", t2,
			    res.v[i].stale_error ? res.v[i].stale_error : "");
		}
		fputc('\n', cli->out);
	}
	for (i = 0; i < objs.n; i++)
		print_object(cli->out, &objs.v[i]);
	for (i = 0; i < reps.n; i++) {
		when(t1, sizeof(t1), reps.v[i].imported_at);
		fprintf(cli->out, "%-18s %s/%s  from %s  snapshot %.12s  %s\n",
		    "replica", reps.v[i].replica_resource, reps.v[i].project,
		    reps.v[i].source_resource ? reps.v[i].source_resource : "-",
		    reps.v[i].snapshot ? reps.v[i].snapshot : "-", t1);
	}
	for (i = 0; i < snaps.n; i++) {
		when(t1, sizeof(t1), snaps.v[i].taken_at);
		fprintf(cli->out, "%-18s %.12s  %s  from %s  %lld bytes  %s\n",
		    "snapshot", snaps.v[i].hash, snaps.v[i].project,
		    snaps.v[i].source_resource ? snaps.v[i].source_resource
		                               : "-",
		    (long long)snaps.v[i].size, t1);
	}
	rc = EXIT_OK;
out:
	state_resources_release(&res);
	state_objects_release(&objs);
	state_replications_release(&reps);
	snapshot_list_release(&snaps);
	return rc;
}

static void
field(FILE *fp, const char *name, const char *value)
{
	if (value != NULL)
		fprintf(fp, "%-28s %s\n", name, value);
}

static int
show_object(struct cli *cli, struct state *st, const char *addr)
{
	struct state_object key, o = { 0 };
	struct state_replication rep = { 0 };
	struct err err = { 0 };
	char t[32];
	int rc = EXIT_ERROR;

	if (state_parse_address(&key, addr, &err) != 0) {
		cli_error(cli, &err);
		return EXIT_ERROR;
	}
	if (state_get_object(st, key.kind, key.resource, key.project, key.name,
	        &o, &err) != 0) {
		cli_error(cli, &err);
		goto out;
	}
	field(cli->out, "address", addr);
	field(cli->out, "kind", state_kind_name(o.kind));
	field(cli->out, "resource", o.resource);
	if (o.kind != STATE_PROJECT)
		field(cli->out, "project", o.project);
	field(cli->out,
	    o.kind == STATE_MODEL         ? "label"
	        : o.kind == STATE_PROJECT ? "projectName"
	                                  : "deploymentName",
	    o.name);
	field(cli->out, "projectKind", o.project_kind);
	field(cli->out, "language", o.language);
	field(cli->out, "storageInputContainerName", o.storage_container);
	field(cli->out, "modelId", o.model_id);
	field(cli->out, "lastModifiedDateTime", o.last_modified);
	field(cli->out, "lastTrainedDateTime", o.last_trained);
	field(cli->out, "lastDeployedDateTime", o.last_deployed);
	field(cli->out,
	    o.kind == STATE_MODEL ? "modelExpirationDate"
	                          : "deploymentExpirationDate",
	    o.expiration);
	field(
	    cli->out, "modelTrainingConfigVersion", o.training_config_version);
	when(t, sizeof(t), o.refreshed_at);
	field(cli->out, "refreshed", t);
	if (o.kind == STATE_PROJECT &&
	    state_get_replication(st, o.resource, o.project, &rep, &err) == 0) {
		field(cli->out, "replicated from", rep.source_resource);
		field(cli->out, "snapshot", rep.snapshot);
		field(cli->out, "source lastModifiedDateTime",
		    rep.source_modified);
		field(cli->out, "replica lastModifiedDateTime",
		    rep.replica_modified);
		when(t, sizeof(t), rep.imported_at);
		field(cli->out, "imported", t);
	}
	field(cli->out, "json", o.json);
	rc = EXIT_OK;
out:
	state_replication_release(&rep);
	state_object_release(&o);
	state_object_release(&key);
	return rc;
}

static int
show_resource_or_snapshot(struct cli *cli, struct state *st, const char *name)
{
	struct state_resource r = { 0 };
	struct snapshot_meta m = { 0 };
	struct err err = { 0 };
	char t[32];

	if (state_get_resource(st, name, &r, &err) == 0) {
		field(cli->out, "resource", r.name);
		when(t, sizeof(t), r.refreshed_at);
		field(cli->out, "refreshed", t);
		if (r.stale_since != 0) {
			when(t, sizeof(t), r.stale_since);
			field(cli->out, "stale since", t);
			field(cli->out, "stale because", r.stale_error);
		}
		state_resource_release(&r);
		return EXIT_OK;
	}
	if (err.code != ERR_NOTFOUND) {
		cli_error(cli, &err);
		return EXIT_ERROR;
	}
	if (snapshot_find(st, name, &m, &err) != 0) {
		if (err.code == ERR_SPEC || err.code == ERR_NOTFOUND)
			cli_errorf(cli,
			    "no resource, object or snapshot '%s' in the "
			    "state file",
			    name);
		else
			cli_error(cli, &err);
		return EXIT_ERROR;
	}
	field(cli->out, "snapshot", m.hash);
	field(cli->out, "project", m.project);
	field(cli->out, "kind", m.kind);
	field(cli->out, "source", m.source_resource);
	field(cli->out, "source lastModifiedDateTime", m.source_modified);
	when(t, sizeof(t), m.taken_at);
	field(cli->out, "taken", t);
	fprintf(cli->out, "%-28s %lld\n%-28s %lld\n%-28s %lld\n", "size",
	    (long long)m.size, "stored size", (long long)m.stored_size,
	    "export took (ms)", (long long)m.duration_ms);
	snapshot_meta_release(&m);
	return EXIT_OK;
}

static int
state_main(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = "standby.yaml", *sub;
	struct state *st = NULL;
	int c, rc, opened;

	if (argc < 2)
		return cli_usage(cli, &cmd_state);
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			config = optarg;
			break;
		default:
			return cli_usage(cli, &cmd_state);
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(sub, "list") == 0) {
		if (argc != 0)
			return cli_usage(cli, &cmd_state);
	} else if (strcmp(sub, "show") == 0) {
		if (argc != 1)
			return cli_usage(cli, &cmd_state);
	} else {
		cli_errorf(
		    cli, "'%s' is not a 'state' subcommand (list, show)", sub);
		return EXIT_ERROR;
	}
	opened = open_state(cli, config, &st);
	if (opened < 0)
		return EXIT_ERROR;
	if (opened == 1) /* no file: nothing in it */
		return sub[0] == 'l' ? EXIT_OK : EXIT_ERROR;
	if (sub[0] == 'l')
		rc = list_all(cli, st);
	else if (strchr(argv[0], '/') != NULL)
		rc = show_object(cli, st, argv[0]);
	else
		rc = show_resource_or_snapshot(cli, st, argv[0]);
	state_close(st);
	return rc;
}

const struct cmd cmd_state = {
	.name = "state",
	.usage = "state list [-f FILE] | state show [-f FILE] OBJECT",
	.summary = "show what the state file holds (its cache, records and "
	           "snapshots)",
	.help = "  -f, --file FILE   the config; the state file is "
	        ".standby/state.db beside it\n"
	        "  OBJECT            RESOURCE, RESOURCE/PROJECT,\n"
	        "                    RESOURCE/PROJECT/models/LABEL,\n"
	        "                    RESOURCE/PROJECT/deployments/NAME,\n"
	        "                    RESOURCE/deployments/NAME, or a snapshot "
	        "id (4+ hex digits)\n",
	.run = state_main,
};
