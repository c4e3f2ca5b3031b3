/*
 * apply_test.c - the executor without a network: saved-plan freshness,
 * failure and skip propagation through the DAG, the journal rows each
 * outcome leaves, resuming what an earlier run left, and crash points.
 * The actions used here fail or are abandoned before any request, so no
 * server is needed; the request paths are covered by tests/e2e/2*.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "apply.h"
#include "config.h"
#include "crash.h"
#include "diag.h"
#include "planfile.h"
#include "session.h"
#include "state.h"
#include "t.h"

static char tmpdir[256];
static char dbpath[512];

static void
fresh_dir(void)
{
	char cmd[600];

	if (tmpdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s/apply-test.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(dbpath, sizeof(dbpath), "%s/.standby/state.db", tmpdir);
}

static const char config_text[] =
    "version: 1\n"
    "resources:\n"
    "  east: { type: language, region: eastus, endpoint: "
    "\"http://127.0.0.1:9\", auth: { key_env: APPLY_TEST_KEY } }\n"
    "  west: { type: language, region: westus2, endpoint: "
    "\"http://127.0.0.1:9\", auth: { key_env: APPLY_TEST_KEY } }\n"
    "projects:\n"
    "  P:\n"
    "    kind: conversation\n"
    "    source: east\n"
    "    replicas: [west]\n";

static struct config *
load_config(void)
{
	struct diag_list diags = { 0 };
	struct config *cfg = NULL;
	struct err err = { 0 };

	if (config_load_buffer(&cfg, "standby.yaml", config_text,
	        strlen(config_text), &diags, &err) != 0)
		fprintf(stderr, "config: %s\n", err.msg);
	diag_list_release(&diags);
	return cfg;
}

/* A destructive action; kind is one apply does not run, so it fails
 * without a request. */
static void
add_action(cJSON *actions, const char *kind, const char *id, const char *label,
    const char *dep)
{
	cJSON *a = cJSON_CreateObject(), *t, *r, *d;

	cJSON_AddStringToObject(a, "id", id);
	cJSON_AddStringToObject(a, "kind", kind);
	cJSON_AddStringToObject(a, "change", "delete");
	cJSON_AddStringToObject(a, "group", "P");
	t = cJSON_AddObjectToObject(a, "target");
	cJSON_AddStringToObject(t, "type", "language");
	cJSON_AddStringToObject(t, "resource", "west");
	cJSON_AddStringToObject(t, "region", "westus2");
	cJSON_AddStringToObject(t, "project", "P");
	cJSON_AddStringToObject(t, "project_kind", "Conversation");
	cJSON_AddNullToObject(t, "deployment");
	if (label != NULL)
		cJSON_AddStringToObject(t, "model", label);
	else
		cJSON_AddNullToObject(t, "model");
	cJSON_AddNullToObject(t, "source");
	d = cJSON_AddArrayToObject(a, "depends_on");
	if (dep != NULL)
		cJSON_AddItemToArray(d, cJSON_CreateString(dep));
	r = cJSON_AddObjectToObject(a, "reason");
	cJSON_AddStringToObject(r, "code", "not_desired");
	cJSON_AddStringToObject(r, "message", "not in standby.yaml");
	cJSON_AddNullToObject(a, "before");
	cJSON_AddNullToObject(a, "after");
	cJSON_AddBoolToObject(a, "destructive", 1);
	cJSON_AddItemToArray(actions, a);
}

/* Two independent chains: delete_model v1 -> delete_project (skipped
 * when v1 fails), and delete_model v2 alone. */
static cJSON *
make_plan(const struct config *cfg, long long revision)
{
	cJSON *p = cJSON_CreateObject(), *o, *s, *acts;

	cJSON_AddNumberToObject(p, "format_version", 1);
	cJSON_AddStringToObject(p, "standby_version", "0.1.0");
	o = cJSON_AddObjectToObject(p, "config");
	cJSON_AddStringToObject(o, "path", "standby.yaml");
	cJSON_AddStringToObject(o, "hash", cfg->hash_hex);
	o = cJSON_AddObjectToObject(p, "state");
	cJSON_AddNumberToObject(o, "revision", (double)revision);
	cJSON_AddNullToObject(o, "refreshed_at");
	cJSON_AddStringToObject(p, "created_at", "2026-11-23T10:05:00Z");
	o = cJSON_AddObjectToObject(p, "options");
	cJSON_AddBoolToObject(o, "prune", 1);
	cJSON_AddArrayToObject(o, "targets");
	cJSON_AddNumberToObject(o, "expiry_window_days", 30);
	cJSON_AddBoolToObject(o, "refreshed", 1);
	s = cJSON_AddObjectToObject(p, "summary");
	cJSON_AddNumberToObject(s, "create", 0);
	cJSON_AddNumberToObject(s, "update", 0);
	cJSON_AddNumberToObject(s, "replace", 0);
	cJSON_AddNumberToObject(s, "delete", 3);
	cJSON_AddNumberToObject(s, "read", 0);
	cJSON_AddNumberToObject(s, "total", 3);
	cJSON_AddArrayToObject(p, "warnings");
	acts = cJSON_AddArrayToObject(p, "actions");
	add_action(acts, "delete_model", "delete_model:P@west/v1", "v1", NULL);
	add_action(acts, "delete_model", "delete_model:P@west/v2", "v2", NULL);
	add_action(acts, "delete_project", "delete_project:P@west", NULL,
	    "delete_model:P@west/v1");
	return p;
}

struct rec {
	int starts, ends, failed, skipped, abandoned, summaries;
	char skip_error[512];
};

static void
record(void *arg, const struct apply_event *ev)
{
	struct rec *r = arg;

	switch (ev->type) {
	case APPLY_EVENT_START:
		r->starts++;
		break;
	case APPLY_EVENT_END:
		r->ends++;
		if (strcmp(ev->outcome, "failed") == 0)
			r->failed++;
		else if (strcmp(ev->outcome, "skipped") == 0)
			r->skipped++;
		else if (strcmp(ev->outcome, "abandoned") == 0)
			r->abandoned++;
		if (strcmp(ev->outcome, "skipped") == 0)
			snprintf(r->skip_error, sizeof(r->skip_error), "%s",
			    ev->error);
		break;
	case APPLY_EVENT_SUMMARY:
		r->summaries++;
		break;
	default:
		break;
	}
}

static void
test_fresh_plan_is_accepted_and_stale_ones_refused(void)
{
	struct config *cfg = load_config();
	struct state *st = NULL;
	struct err err = { 0 };
	cJSON *plan;

	fresh_dir();
	T_OK(cfg != NULL);
	T_OK(state_open(&st, dbpath, STATE_OPEN_CREATE, &err) == 0);
	plan = make_plan(cfg, 0);
	T_OK(planfile_check(plan, &err) == 0);
	T_OK(apply_check_fresh(plan, cfg, st, &err) == 0);
	cJSON_Delete(plan);

	plan = make_plan(cfg, 5);
	T_OK(apply_check_fresh(plan, cfg, st, &err) != 0);
	T_EQ_INT(err.code, ERR_CONFLICT);
	T_CONTAINS(err.msg,
	    "the state changed since it was made (revision "
	    "5, now 0)");
	cJSON_Delete(plan);

	plan = make_plan(cfg, 0);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(plan, "config"), "hash",
	    cJSON_CreateString("00000000000000000000000000000000000000000000"
	                       "00000000000000000000"));
	T_OK(apply_check_fresh(plan, cfg, st, &err) != 0);
	T_CONTAINS(err.msg, "the configuration changed");
	cJSON_Delete(plan);
	state_close(st);
	config_free(cfg);
}

static void
test_failure_skips_dependents_and_spares_independent_chains(void)
{
	struct config *cfg = load_config();
	struct apply_opts ao = { 0 };
	struct state_actions list = { 0 };
	struct session *sess = NULL;
	struct state *st = NULL;
	struct apply *ap = NULL;
	struct rec r = { 0 };
	struct err err = { 0 };
	const struct apply_summary *sum;
	cJSON *plan;
	size_t i;
	int nfailed = 0, nskipped = 0;

	fresh_dir();
	T_OK(cfg != NULL);
	T_OK(state_open(&st, dbpath, STATE_OPEN_CREATE, &err) == 0);
	T_OK(session_new(&sess, cfg, NULL, &err) == 0);
	ao.event = record;
	ao.event_arg = &r;
	plan = make_plan(cfg, 0);
	T_OK(apply_new(&ap, cfg, sess, st, &ao, &err) == 0);
	T_OK(apply_run(ap, plan, &err) == 0);
	T_OK(apply_finish(ap, &err) == 0);
	sum = apply_summary(ap);
	T_EQ_INT(sum->total, 3);
	T_EQ_INT(sum->failed, 2);
	T_EQ_INT(sum->skipped, 1);
	T_EQ_INT(sum->succeeded, 0);
	T_EQ_INT(r.starts, 2); /* the skipped one never starts */
	T_EQ_INT(r.ends, 3);
	T_EQ_INT(r.summaries, 1);
	T_CONTAINS(r.skip_error, "dependency delete_model:P@west/v1 failed");

	T_OK(state_journal_list(st, sum->run_id, &list, &err) == 0);
	T_EQ_INT(list.n, 3);
	for (i = 0; i < list.n; i++) {
		if (list.v[i].status == STATE_ACTION_FAILED) {
			nfailed++;
			T_CONTAINS(list.v[i].error, "does not run");
		} else if (list.v[i].status == STATE_ACTION_SKIPPED) {
			nskipped++;
			T_EQ_STR(list.v[i].action, "delete_project:P@west");
		}
	}
	T_EQ_INT(nfailed, 2);
	T_EQ_INT(nskipped, 1);
	state_actions_release(&list);
	apply_free(ap);
	session_free(sess);
	cJSON_Delete(plan);
	state_close(st);
	config_free(cfg);
}

static void
test_resume_abandons_what_it_cannot_confirm(void)
{
	struct config *cfg = load_config();
	struct apply_opts ao = { 0 };
	struct state_actions left = { 0 };
	struct session *sess = NULL;
	struct state *st = NULL;
	struct apply *ap = NULL;
	struct rec r = { 0 };
	struct err err = { 0 };
	char run[STATE_RUN_ID_SIZE];
	int64_t id1, id2;

	fresh_dir();
	T_OK(cfg != NULL);
	setenv("APPLY_TEST_KEY", "k", 1);
	T_OK(state_open(&st, dbpath, STATE_OPEN_CREATE, &err) == 0);
	/* An earlier run died: an export whose 202 was never seen (safe to
	 * redo: it changes nothing) and an entry with no detail. */
	T_OK(state_run_begin(st, "apply", 0, run, &err) == 0);
	T_OK(state_journal_intent(st, run, "export:P@east", "export", "east/P",
	         "{\"resource\":\"east\",\"project\":\"P\",\"family\":"
	         "\"conversations\"}",
	         &id1, &err) == 0);
	T_OK(state_journal_intent(st, run, "import:P@west", "import", "west/P",
	         NULL, &id2, &err) == 0);
	T_OK(session_new(&sess, cfg, NULL, &err) == 0);
	ao.event = record;
	ao.event_arg = &r;
	T_OK(apply_new(&ap, cfg, sess, st, &ao, &err) == 0);
	T_OK(apply_resume(ap, &err) == 0);
	T_EQ_INT(apply_summary(ap)->abandoned, 2);
	T_EQ_INT(apply_summary(ap)->failed, 0);
	T_EQ_INT(r.abandoned, 2);
	/* Nothing is left for a third run. */
	T_OK(state_journal_unfinished(st, NULL, &left, &err) == 0);
	T_EQ_INT(left.n, 0);
	state_actions_release(&left);
	apply_free(ap);
	session_free(sess);
	state_close(st);
	config_free(cfg);
}

static void
test_interrupted_run_starts_nothing(void)
{
	struct config *cfg = load_config();
	struct apply_opts ao = { 0 };
	struct session *sess = NULL;
	struct state *st = NULL;
	struct apply *ap = NULL;
	struct rec r = { 0 };
	struct err err = { 0 };
	volatile sig_atomic_t stop = SIGTERM;
	cJSON *plan;

	fresh_dir();
	T_OK(cfg != NULL);
	T_OK(state_open(&st, dbpath, STATE_OPEN_CREATE, &err) == 0);
	T_OK(session_new(&sess, cfg, NULL, &err) == 0);
	ao.event = record;
	ao.event_arg = &r;
	ao.interrupted = &stop;
	plan = make_plan(cfg, 0);
	T_OK(apply_new(&ap, cfg, sess, st, &ao, &err) == 0);
	T_OK(apply_run(ap, plan, &err) == 0);
	T_EQ_INT(r.starts, 0);
	T_EQ_INT(apply_summary(ap)->not_run, 3);
	T_OK(apply_summary(ap)->interrupted);
	apply_free(ap);
	session_free(sess);
	cJSON_Delete(plan);
	state_close(st);
	config_free(cfg);
}

static void
test_crash_specs(void)
{
	T_OK(crash_spec_valid("before-submit"));
	T_OK(crash_spec_valid("after-accept:import"));
	T_OK(crash_spec_valid("polling"));
	T_OK(crash_spec_valid("after-job:train"));
	T_OK(!crash_spec_valid("after-accept:"));
	T_OK(!crash_spec_valid("after"));
	T_OK(!crash_spec_valid(""));
	T_OK(!crash_spec_valid(NULL));
	T_OK(crash_matches("after-accept", "after-accept", "deploy"));
	T_OK(crash_matches("after-accept:import", "after-accept", "import"));
	T_OK(!crash_matches("after-accept:import", "after-accept", "train"));
	T_OK(!crash_matches("after-accept:import", "after-job", "import"));
	T_OK(!crash_matches("after", "after-job", "import"));
	T_OK(!crash_matches(NULL, "after-job", "import"));
}

static void
test_crash_point_kills_with_sigkill(void)
{
	pid_t pid;
	int status = 0;

	fflush(NULL);
	pid = fork();
	T_OK(pid >= 0);
	if (pid == 0) {
		crash_point("polling:train", "polling", "import");
		crash_point("polling:train", "polling", "train");
		_exit(0);
	}
	T_OK(waitpid(pid, &status, 0) == pid);
	T_OK(WIFSIGNALED(status));
	T_EQ_INT(WTERMSIG(status), SIGKILL);
}

int
main(void)
{
	T_RUN(test_fresh_plan_is_accepted_and_stale_ones_refused);
	T_RUN(test_failure_skips_dependents_and_spares_independent_chains);
	T_RUN(test_resume_abandons_what_it_cannot_confirm);
	T_RUN(test_interrupted_run_starts_nothing);
	T_RUN(test_crash_specs);
	T_RUN(test_crash_point_kills_with_sigkill);
	fresh_dir(); /* removes the last one */
	if (rmdir(tmpdir) != 0)
		perror(tmpdir);
	return t_done();
}
