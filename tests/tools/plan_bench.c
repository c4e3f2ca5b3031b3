/*
 * plan_bench.c - how long "standby plan --refresh=false" takes, and how
 * much memory, for many replicas: NPROJECTS projects on one source, each
 * replicated to NREPLICAS resources (50 x 100 = 5,000 replicas by
 * default).  Half the replicas are in sync; the other half are missing, so
 * the plan has thousands of actions.  The state file is filled through
 * lib/state in a temporary directory, then timed: loading the cache,
 * planning, and writing the canonical JSON.  Prints the times and the peak
 * RSS (getrusage).
 *
 * Usage: plan_bench [NPROJECTS [NREPLICAS [DIR]]]
 * With DIR (an existing directory), the configuration (standby.yaml,
 * whose settings.state names state.db) and the state file are left there,
 * so "standby plan --refresh=false" can be timed on them too.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "plan.h"
#include "planfile.h"
#include "snapshot.h"
#include "state.h"

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int
die(const char *what, const struct err *err)
{
	fprintf(stderr, "plan_bench: %s: %s\n", what, err ? err->msg : "");
	return 1;
}

static int
write_config(const char *path, int np, int nr)
{
	FILE *fp = fopen(path, "w");
	int i, j;

	if (fp == NULL)
		return -1;
	fprintf(fp,
	    "version: 1\nsettings: { state: state.db }\n"
	    "resources:\n  src: { type: language, "
	    "region: eastus, endpoint: https://src.invalid, auth: { "
	    "key_env: K } }\n");
	for (j = 0; j < nr; j++)
		fprintf(fp,
		    "  r%03d: { type: language, region: westus2, endpoint: "
		    "https://r%03d.invalid, auth: { key_env: K } }\n",
		    j, j);
	fprintf(fp, "projects:\n");
	for (i = 0; i < np; i++) {
		fprintf(fp,
		    "  P%03d:\n    kind: conversation\n    source: src\n"
		    "    model: { label: v1 }\n"
		    "    deployments: { production: v1 }\n    replicas: [",
		    i);
		for (j = 0; j < nr; j++)
			fprintf(fp, "%sr%03d", j ? ", " : "", j);
		fprintf(fp, "]\n");
	}
	return fclose(fp);
}

static int
put(struct state_refresh *r, enum state_kind k, const char *proj,
    const char *name, const char *model_id, struct err *err)
{
	struct state_object o = { 0 };

	o.kind = k;
	o.project = (char *)proj;
	o.name = (char *)name;
	o.project_kind = k == STATE_PROJECT ? (char *)"Conversation" : NULL;
	o.last_modified = (char *)"2026-11-01T09:00:00Z";
	o.model_id = (char *)model_id;
	o.expiration = (char *)"2027-12-01";
	return state_refresh_put(r, &o, err);
}

static int
fill(struct state *st, int np, int nr, struct err *err)
{
	struct state_replication rec = { 0 };
	struct state_trained tr = { 0 };
	struct snapshot_meta m = { 0 };
	struct state_refresh *r = NULL;
	char proj[16], res[16], hashes[1000][SNAPSHOT_HASH_SIZE];
	int i, j;

	if (np > 1000)
		return -1;
	if (state_refresh_begin(st, &r, "src", err) != 0)
		return -1;
	for (i = 0; i < np; i++) {
		snprintf(proj, sizeof(proj), "P%03d", i);
		if (put(r, STATE_PROJECT, proj, proj, NULL, err) != 0 ||
		    put(r, STATE_MODEL, proj, "v1", "v1-1", err) != 0 ||
		    put(r, STATE_DEPLOYMENT, proj, "production", "v1-1", err) !=
		        0)
			return -1;
	}
	if (state_refresh_commit(r, NULL, err) != 0)
		return -1;
	for (i = 0; i < np; i++) {
		snprintf(proj, sizeof(proj), "P%03d", i);
		m.project = proj;
		m.source_resource = (char *)"src";
		m.source_modified = (char *)"2026-11-01T09:00:00Z";
		if (snapshot_put(
		        st, &m, proj, strlen(proj), hashes[i], NULL, err) != 0)
			return -1;
	}
	for (j = 0; j < nr; j++) {
		snprintf(res, sizeof(res), "r%03d", j);
		if (state_refresh_begin(st, &r, res, err) != 0)
			return -1;
		/* Even replicas are in sync; odd ones are missing. */
		for (i = 0; j % 2 == 0 && i < np; i++) {
			snprintf(proj, sizeof(proj), "P%03d", i);
			if (put(r, STATE_PROJECT, proj, proj, NULL, err) != 0 ||
			    put(r, STATE_MODEL, proj, "v1", "v1-2", err) != 0 ||
			    put(r, STATE_DEPLOYMENT, proj, "production", "v1-2",
			        err) != 0)
				return -1;
		}
		if (state_refresh_commit(r, NULL, err) != 0)
			return -1;
		for (i = 0; j % 2 == 0 && i < np; i++) {
			snprintf(proj, sizeof(proj), "P%03d", i);
			rec.replica_resource = res;
			rec.project = proj;
			rec.source_resource = (char *)"src";
			rec.snapshot = hashes[i];
			rec.source_modified = (char *)"2026-11-01T09:00:00Z";
			rec.replica_modified = (char *)"2026-11-01T09:00:00Z";
			tr.replica_resource = res;
			tr.project = proj;
			tr.label = (char *)"v1";
			tr.snapshot = hashes[i];
			if (state_put_replication(st, &rec, err) != 0 ||
			    state_put_trained(st, &tr, err) != 0)
				return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int np = argc > 1 ? atoi(argv[1]) : 50;
	int nr = argc > 2 ? atoi(argv[2]) : 100;
	char dir[] = "/tmp/plan_bench.XXXXXX", cfgpath[256], dbpath[256];
	struct diag_list diags = { 0 };
	struct plan_cache cache;
	struct plan_opts o = { 0 };
	struct config *cfg = NULL;
	struct state *st = NULL;
	struct err err = { 0 };
	struct buf out = { 0 };
	struct timespec t0;
	struct rusage ru;
	cJSON *plan = NULL;
	double t_fill, t_load, t_plan, t_write;
	struct planfile_summary sum;
	const char *keep = argc > 3 ? argv[3] : NULL;

	if (np < 1 || nr < 1 || (keep == NULL && mkdtemp(dir) == NULL))
		return die("bad arguments or no temporary directory", NULL);
	snprintf(
	    cfgpath, sizeof(cfgpath), "%s/standby.yaml", keep ? keep : dir);
	snprintf(dbpath, sizeof(dbpath), "%s/state.db", keep ? keep : dir);
	if (write_config(cfgpath, np, nr) != 0)
		return die("cannot write the config", NULL);
	if (config_load(&cfg, cfgpath, &diags, &err) != 0)
		return die("config", &err);
	diag_list_release(&diags);
	if (state_open(&st, dbpath, STATE_OPEN_CREATE, &err) != 0)
		return die("state", &err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (fill(st, np, nr, &err) != 0)
		return die("filling the state", &err);
	t_fill = ms_since(&t0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (plan_cache_load(&cache, st, &err) != 0)
		return die("loading the cache", &err);
	t_load = ms_since(&t0);
	o.expiry_window_s = 30 * 86400;
	o.now = 1795428000;
	o.standby_version = "bench";
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (plan_build(&plan, cfg, &cache.view, &o, &err) != 0)
		return die("planning", &err);
	t_plan = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (planfile_write(plan, &out, &err) != 0)
		return die("writing", &err);
	t_write = ms_since(&t0);
	planfile_summary(plan, &sum);
	getrusage(RUSAGE_SELF, &ru);

	printf("plan from cache: %d replicas (%d projects x %d resources), "
	       "%lld actions, %zu bytes of JSON\n",
	    np * nr, np, nr, sum.total, out.len);
	printf("  fill state (not timed as planning): %.0f ms\n", t_fill);
	printf("  load cache: %.1f ms\n  plan_build: %.1f ms\n"
	       "  planfile_write: %.1f ms\n  total: %.1f ms\n",
	    t_load, t_plan, t_write, t_load + t_plan + t_write);
	printf("  peak RSS: %ld KiB\n", ru.ru_maxrss);

	cJSON_Delete(plan);
	buf_release(&out);
	plan_cache_release(&cache);
	state_close(st);
	config_free(cfg);
	if (keep != NULL)
		return 0;
	unlink(cfgpath);
	unlink(dbpath);
	snprintf(dbpath, sizeof(dbpath), "%s/state.db-wal", dir);
	unlink(dbpath);
	snprintf(dbpath, sizeof(dbpath), "%s/state.db-shm", dir);
	unlink(dbpath);
	rmdir(dir);
	return 0;
}
