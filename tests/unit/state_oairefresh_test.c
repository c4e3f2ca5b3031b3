/* state_oairefresh_test.c - an Azure OpenAI account's catalogue rides in
 * the refresh of its deployments: stored with them in one commit, never
 * when the refresh is abandoned, and a revision bump only when it
 * changed. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "t.h"

static char dir[256], path[300];

static struct state *
open_fresh(void)
{
	struct state *st = NULL;
	struct err err = { 0 };

	snprintf(dir, sizeof(dir), "%s/oairefresh-test.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/state.db", dir);
	if (state_open(&st, path, STATE_OPEN_CREATE, &err) != 0)
		return NULL;
	return st;
}

static void
close_fresh(struct state *st)
{
	state_close(st);
	unlink(path);
	rmdir(dir);
}

/* One refresh of account "east" with a deployment and a catalogue. */
static int
refresh(struct state *st, const char *usages, int commit)
{
	struct state_refresh *r = NULL;
	struct state_object o = { 0 };
	struct state_openai_catalog c = { 0 };
	struct err err = { 0 };
	char name[] = "chat", json[] = "{\"name\":\"chat\"}";
	char res[] = "ignored", region[] = "eastus", models[] = "[]";
	char u[32];

	snprintf(u, sizeof(u), "%s", usages);
	o.kind = STATE_OPENAI_DEPLOYMENT;
	o.name = name;
	o.json = json;
	c.resource = res;
	c.region = region;
	c.models = models;
	c.usages = u;
	if (state_refresh_begin(st, &r, "east", &err) != 0 ||
	    state_refresh_put(r, &o, &err) != 0 ||
	    state_refresh_put_openai_catalog(r, &c, &err) != 0)
		return -1;
	if (!commit) {
		state_refresh_abort(r);
		return 0;
	}
	return state_refresh_commit(r, NULL, &err);
}

static void
test_catalogue_is_committed_with_the_deployments(void)
{
	struct state *st = open_fresh();
	struct state_openai_catalogs l = { 0 };
	struct err err = { 0 };
	int64_t r1, r2, r3;

	T_OK(st != NULL);
	T_OK(refresh(st, "[1]", 0) == 0);
	T_OK(state_list_openai_catalogs(st, &l, &err) == 0);
	T_EQ_INT(l.n, 0);
	T_OK(refresh(st, "[1]", 1) == 0);
	T_OK(state_list_openai_catalogs(st, &l, &err) == 0);
	T_EQ_INT(l.n, 1);
	T_EQ_STR(l.v[0].resource, "east");
	T_EQ_STR(l.v[0].region, "eastus");
	T_EQ_STR(l.v[0].usages, "[1]");
	T_EQ_STR(l.v[0].finetunes, NULL);
	state_openai_catalogs_release(&l);
	T_OK(state_revision(st, &r1, &err) == 0);
	T_OK(refresh(st, "[1]", 1) == 0);
	T_OK(state_revision(st, &r2, &err) == 0);
	T_EQ_INT(r2, r1);
	T_OK(refresh(st, "[2]", 1) == 0);
	T_OK(state_revision(st, &r3, &err) == 0);
	T_EQ_INT(r3, r1 + 1);
	close_fresh(st);
}

int
main(void)
{
	T_RUN(test_catalogue_is_committed_with_the_deployments);
	return t_done();
}
