/*
 * statefill.c - writes a state file from a small script, through lib/state,
 * so end-to-end tests have a state with data before refresh exists.
 *
 * Usage: statefill STATE_FILE SCRIPT
 * One command a line; '#' starts a comment; values hold no spaces:
 *	refresh RESOURCE                 start replacing a resource
 *	project NAME [field=value ...]   (Azure field names)
 *	model PROJECT LABEL [field=value ...]
 *	deployment PROJECT NAME [field=value ...]
 *	openai NAME [json=...]
 *	commit                           print the changes, one a line
 *	stale RESOURCE WHY...
 *	snapshot PROJECT SOURCE FILE [SOURCE_MODIFIED]
 *	                                 store FILE, print its hash
 *	replication REPLICA PROJECT SOURCE HASH [SOURCE_MODIFIED
 *	    [REPLICA_MODIFIED]]
 *	trained REPLICA PROJECT LABEL HASH
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "state.h"

static const struct {
	const char *name;
	size_t off;
} fields[] = {
	{ "projectKind", offsetof(struct state_object, project_kind) },
	{ "language", offsetof(struct state_object, language) },
	{ "storageInputContainerName",
	    offsetof(struct state_object, storage_container) },
	{ "lastModifiedDateTime",
	    offsetof(struct state_object, last_modified) },
	{ "lastTrainedDateTime", offsetof(struct state_object, last_trained) },
	{ "lastDeployedDateTime",
	    offsetof(struct state_object, last_deployed) },
	{ "modelId", offsetof(struct state_object, model_id) },
	{ "expiration", offsetof(struct state_object, expiration) },
	{ "modelTrainingConfigVersion",
	    offsetof(struct state_object, training_config_version) },
	{ "json", offsetof(struct state_object, json) },
};

static int
set_fields(struct state_object *o, char **tok, int n)
{
	char *eq;
	size_t i;
	int k;

	for (k = 0; k < n; k++) {
		eq = strchr(tok[k], '=');
		if (eq == NULL)
			return -1;
		*eq = '\0';
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(fields[i].name, tok[k]) == 0)
				break;
		if (i == sizeof(fields) / sizeof(fields[0]))
			return -1;
		*(char **)((char *)o + fields[i].off) = eq + 1;
	}
	return 0;
}

static int
load_file(const char *p, struct buf *b)
{
	char chunk[4096];
	FILE *fp = fopen(p, "rb");
	size_t n;

	if (fp == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(b, chunk, n);
	fclose(fp);
	return b->failed ? -1 : 0;
}

static int
run_line(
    struct state *st, struct state_refresh **r, char *line, struct err *err)
{
	char *tok[32], *save = NULL;
	struct state_object o;
	int n = 0;

	for (tok[0] = strtok_r(line, " \t\n", &save); tok[n] != NULL && n < 31;)
		tok[++n] = strtok_r(NULL, " \t\n", &save);
	if (n == 0 || tok[0][0] == '#')
		return 0;
	memset(&o, 0, sizeof(o));
	if (strcmp(tok[0], "refresh") == 0 && n == 2)
		return state_refresh_begin(st, r, tok[1], err);
	if (strcmp(tok[0], "commit") == 0 && *r != NULL) {
		struct state_changes ch = { 0 };
		struct buf addr = { 0 };
		size_t i;
		int rc = state_refresh_commit(*r, &ch, err);

		*r = NULL;
		for (i = 0; rc == 0 && i < ch.n; i++) {
			struct state_object k = { .kind = ch.v[i].kind };

			k.resource = ch.v[i].resource;
			k.project = ch.v[i].project;
			k.name = ch.v[i].name;
			buf_reset(&addr);
			state_object_address(&addr, &k);
			printf("%s %s%s%s\n",
			    ch.v[i].type == STATE_ADDED         ? "+"
			        : ch.v[i].type == STATE_REMOVED ? "-"
			                                        : "~",
			    buf_str(&addr), ch.v[i].fields ? " " : "",
			    ch.v[i].fields ? ch.v[i].fields : "");
		}
		buf_release(&addr);
		state_changes_release(&ch);
		return rc;
	}
	if (strcmp(tok[0], "stale") == 0 && n >= 3) {
		struct buf why = { 0 };
		int k, rc;

		for (k = 2; k < n; k++)
			buf_addf(&why, "%s%s", k > 2 ? " " : "", tok[k]);
		rc = state_mark_stale(st, tok[1], buf_str(&why), err);
		buf_release(&why);
		return rc;
	}
	if (strcmp(tok[0], "snapshot") == 0 && (n == 4 || n == 5)) {
		struct snapshot_meta m;
		struct buf data = { 0 };
		char hash[SNAPSHOT_HASH_SIZE];
		int rc;

		memset(&m, 0, sizeof(m));
		m.project = tok[1];
		m.source_resource = tok[2];
		m.source_modified = n == 5 ? tok[4] : NULL;
		if (load_file(tok[3], &data) != 0) {
			buf_release(&data);
			return err_set(err, ERR_IO, "cannot read '%s'", tok[3]);
		}
		rc = snapshot_put(st, &m, data.data ? data.data : "", data.len,
		    hash, NULL, err);
		if (rc == 0)
			printf("%s\n", hash);
		buf_release(&data);
		return rc;
	}
	if (strcmp(tok[0], "replication") == 0 && n >= 5 && n <= 7) {
		struct state_replication rec = { 0 };

		rec.replica_resource = tok[1];
		rec.project = tok[2];
		rec.source_resource = tok[3];
		rec.snapshot = tok[4];
		rec.source_modified = n >= 6 ? tok[5] : NULL;
		rec.replica_modified = n >= 7 ? tok[6] : NULL;
		return state_put_replication(st, &rec, err);
	}
	if (strcmp(tok[0], "trained") == 0 && n == 5) {
		struct state_trained rec = { 0 };

		rec.replica_resource = tok[1];
		rec.project = tok[2];
		rec.label = tok[3];
		rec.snapshot = tok[4];
		return state_put_trained(st, &rec, err);
	}
	if (*r == NULL)
		return err_set(err, ERR_SPEC, "'%s' outside refresh", tok[0]);
	if (strcmp(tok[0], "project") == 0 && n >= 2) {
		o.kind = STATE_PROJECT;
		o.name = tok[1];
		if (set_fields(&o, tok + 2, n - 2) != 0)
			return err_set(err, ERR_SPEC, "bad field");
	} else if ((strcmp(tok[0], "model") == 0 ||
	               strcmp(tok[0], "deployment") == 0) &&
	    n >= 3) {
		o.kind = tok[0][0] == 'm' ? STATE_MODEL : STATE_DEPLOYMENT;
		o.project = tok[1];
		o.name = tok[2];
		if (set_fields(&o, tok + 3, n - 3) != 0)
			return err_set(err, ERR_SPEC, "bad field");
	} else if (strcmp(tok[0], "openai") == 0 && n >= 2) {
		o.kind = STATE_OPENAI_DEPLOYMENT;
		o.name = tok[1];
		if (set_fields(&o, tok + 2, n - 2) != 0)
			return err_set(err, ERR_SPEC, "bad field");
	} else {
		return err_set(err, ERR_SPEC, "unknown command '%s'", tok[0]);
	}
	return state_refresh_put(*r, &o, err);
}

int
main(int argc, char **argv)
{
	struct state *st = NULL;
	struct state_refresh *r = NULL;
	struct err err = { 0 };
	char line[8192];
	FILE *fp;
	int lineno = 0, rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: statefill STATE_FILE SCRIPT\n");
		return 2;
	}
	fp = fopen(argv[2], "r");
	if (fp == NULL) {
		perror(argv[2]);
		return 1;
	}
	if (state_open(&st, argv[1], STATE_OPEN_CREATE, &err) != 0) {
		fprintf(stderr, "statefill: %s\n", err.msg);
		goto out;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (run_line(st, &r, line, &err) != 0) {
			fprintf(stderr, "statefill: %s:%d: %s\n", argv[2],
			    lineno, err.msg);
			goto out;
		}
	}
	rc = 0;
out:
	state_refresh_abort(r);
	state_close(st);
	fclose(fp);
	return rc;
}
