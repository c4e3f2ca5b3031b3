/* openai_test.c - Azure OpenAI: every spec example parsed, the canonical
 * PUT body, the drift diff (server defaults are not drift), each kind of
 * pre-flight shortfall, and the client against an in-process server
 * (clear quota errors, one write per account, paths). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arm.h"
#include "armsrv.h"
#include "auth.h"
#include "config.h"
#include "http.h"
#include "openai.h"
#include "t.h"

/* The body of an example's response, parsed; the caller deletes root. */
static const cJSON *
example(const char *name, const char *status, cJSON **root)
{
	char path[256], *text;
	const cJSON *b;

	snprintf(path, sizeof(path), "tests/fixtures/openai/%s", name);
	text = srv_slurp(path);
	*root = text ? cJSON_Parse(text) : NULL;
	free(text);
	b = cJSON_GetObjectItem(
	    cJSON_GetObjectItem(
	        cJSON_GetObjectItem(*root, "responses"), status),
	    "body");
	return b;
}

static void
test_parses_deployment_examples(void)
{
	static const struct {
		const char *file, *status, *name, *model, *sku, *state;
		int cap;
	} ex[] = {
		{ "PutDeployment.json", "200", "deploymentName", "ada",
		    "Standard", "Succeeded", 1 },
		{ "PutDeployment.json", "201", "deploymentName", "ada",
		    "Standard", "Accepted", 1 },
		{ "GetDeployment.json", "200", "deploymentName", "ada",
		    "Standard", "Succeeded", 1 },
		{ "UpdateDeployment.json", "200", "deploymentName", "ada",
		    "Standard", "Succeeded", 1 },
		{ "PutDeploymentWithSpeculativeDecoding.json", "201",
		    "deploymentName", "FW-Qwen3-14B",
		    "GlobalProvisionedManaged", "Accepted", 80 },
	};
	struct openai_deployment d;
	struct err err = { 0 };
	cJSON *root;

	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		const cJSON *b = example(ex[i].file, ex[i].status, &root);

		T_OK(b != NULL);
		T_OK(openai_deployment_parse(b, "deployment", &d, &err) == 0);
		T_EQ_STR(d.name, ex[i].name);
		T_EQ_STR(d.model_name, ex[i].model);
		T_EQ_STR(d.sku_name, ex[i].sku);
		T_EQ_INT(d.sku_capacity, ex[i].cap);
		T_EQ_STR(d.provisioning_state, ex[i].state);
		T_OK(d.rai_policy_name == NULL);
		openai_deployment_release(&d);
		cJSON_Delete(root);
	}
}

static void
test_parses_lists_account_models_usages(void)
{
	struct openai_deployments l;
	struct openai_account acct;
	struct openai_models m;
	struct openai_usages u;
	struct err err = { 0 };
	cJSON *root;

	T_OK(openai_deployments_parse(
	         example("ListDeployments.json", "200", &root), &l, &err) == 0);
	T_EQ_INT(l.n, 1);
	T_EQ_STR(l.v[0].model_version, "1");
	T_EQ_STR(l.v[0].deployment_state, "Running");
	openai_deployments_release(&l);
	cJSON_Delete(root);

	T_OK(openai_account_parse(
	         example("GetAccount.json", "200", &root), &acct, &err) == 0);
	T_EQ_STR(acct.location, "westus");
	T_EQ_STR(acct.endpoint,
	    "https://westus.api.cognitive.microsoft.com/emotion/v1.0");
	T_EQ_STR(acct.provisioning_state, "Succeeded");
	openai_account_release(&acct);
	cJSON_Delete(root);

	T_OK(openai_models_parse(
	         example("ListLocationModels.json", "200", &root), &m, &err) ==
	    0);
	T_EQ_INT(m.n, 6);
	T_EQ_STR(m.v[2].name, "gpt-35-turbo");
	T_EQ_STR(m.v[2].lifecycle_status, "Deprecated");
	T_EQ_INT(m.v[2].nskus, 2);
	T_EQ_INT(m.v[2].skus[0].minimum, -1);
	T_EQ_INT(m.v[2].skus[0].maximum, 1000000);
	T_EQ_STR(m.v[5].skus[0].usage_name, "OpenAI.Standard.GPT4o");
	T_EQ_INT(m.v[5].skus[1].step, 50);
	T_EQ_INT(m.v[5].fine_tune, 1); /* finetuneCapabilities.fineTune */
	T_EQ_INT(m.v[3].fine_tune, 0);
	T_EQ_INT(m.v[1].is_default_version, 1);
	T_EQ_STR(m.v[4].format, "Meta");
	openai_models_release(&m);
	cJSON_Delete(root);

	T_OK(
	    openai_models_parse(example("ListAccountModels.json", "200", &root),
	        &m, &err) == 0);
	T_EQ_INT(m.n, 6);
	T_EQ_STR(m.v[0].name, "ada.1");
	T_EQ_INT(m.v[0].fine_tune, 1);
	openai_models_release(&m);
	cJSON_Delete(root);

	T_OK(openai_usages_parse(
	         example("ListUsages.json", "200", &root), &u, &err) == 0);
	T_EQ_INT(u.n, 1);
	T_EQ_STR(u.v[0].name, "AccountCount");
	T_OK(u.v[0].limit == 200 && u.v[0].current_value == 3);
	openai_usages_release(&u);
	cJSON_Delete(root);
}

static void
test_parse_errors_name_the_path(void)
{
	struct openai_deployment d;
	struct openai_models m;
	struct err err = { 0 };
	cJSON *j =
	    cJSON_Parse("{\"name\":\"x\",\"sku\":{\"capacity\":\"ten\"}}");

	T_OK(openai_deployment_parse(j, "value[2]", &d, &err) != 0);
	T_EQ_STR(err.msg,
	    "value[2].sku.capacity: expected a non-negative "
	    "integer");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"value\":[{\"model\":{\"name\":\"a\",\"skus\":[{"
	                "\"capacity\":{\"maximum\":true}}]}}]}");
	T_OK(openai_models_parse(j, &m, &err) != 0);
	T_EQ_STR(err.msg,
	    "value[0].model.skus[0].capacity.maximum: expected "
	    "a non-negative integer");
	cJSON_Delete(j);
}

/* ---- desired state ---------------------------------------------------- */

static struct config_openai
desired(void)
{
	struct config_openai d;

	memset(&d, 0, sizeof(d));
	d.key = (char *)"gpt-4o";
	d.name = (char *)"gpt-4o";
	d.model_name = (char *)"gpt-4o";
	d.sku_name = (char *)"Standard";
	d.sku_capacity = 10;
	return d;
}

static void
test_put_body_sends_only_what_the_user_set(void)
{
	struct config_openai d = desired();
	struct buf b = { 0 };
	struct err err = { 0 };

	T_OK(openai_deployment_body(&d, NULL, &b, &err) == 0);
	T_EQ_STR(buf_str(&b),
	    "{\"sku\":{\"name\":\"Standard\",\"capacity\":10},\"properties\":{"
	    "\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o\"}}}");
	buf_reset(&b);
	d.model_version = (char *)"2024-08-06";
	d.upgrade = CONFIG_UPGRADE_NO_AUTO;
	d.rai_policy = (char *)"Strict\"Policy";
	T_OK(openai_deployment_body(&d, NULL, &b, &err) == 0);
	T_EQ_STR(buf_str(&b),
	    "{\"sku\":{\"name\":\"Standard\",\"capacity\":10},\"properties\":{"
	    "\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o\",\"version\":"
	    "\"2024-08-06\"},\"versionUpgradeOption\":\"NoAutoUpgrade\","
	    "\"raiPolicyName\":\"Strict\\\"Policy\"}}");
	/* Fine-tuned: the trained model's id, version "1". */
	buf_reset(&b);
	d = desired();
	d.model_name = NULL;
	T_OK(openai_deployment_body(&d, NULL, &b, &err) != 0);
	T_CONTAINS(err.msg, "no model name");
	T_OK(openai_deployment_body(&d, "gpt-4o-2024-08-06.ft-abc", &b, &err) ==
	    0);
	T_CONTAINS(buf_str(&b),
	    "\"name\":\"gpt-4o-2024-08-06.ft-abc\",\"version\":\"1\"");
	buf_release(&b);
}

static struct openai_deployment
live_like(void)
{
	struct openai_deployment l;

	memset(&l, 0, sizeof(l));
	l.name = (char *)"gpt-4o";
	l.model_format = (char *)"OpenAI";
	l.model_name = (char *)"gpt-4o";
	l.model_version = (char *)"2024-08-06";
	l.sku_name = (char *)"standard";
	l.sku_capacity = 10;
	l.version_upgrade_option = (char *)"OnceNewDefaultVersionAvailable";
	l.rai_policy_name = (char *)"Microsoft.DefaultV2";
	return l;
}

static void
test_server_defaults_are_not_drift(void)
{
	struct config_openai d = desired();
	struct openai_deployment l = live_like();
	struct openai_diff df;

	openai_deployment_diff(&d, NULL, &l, &df);
	T_EQ_INT(df.n, 0);
	l.rai_policy_name = (char *)"Microsoft.Default";
	l.version_upgrade_option = (char *)"OnceCurrentVersionExpired";
	l.model_version = (char *)"2024-11-20";
	openai_deployment_diff(&d, NULL, &l, &df);
	T_EQ_INT(df.n, 0);
}

static void
test_diff_names_each_change(void)
{
	struct config_openai d = desired();
	struct openai_deployment l = live_like();
	struct openai_diff df;

	d.model_version = (char *)"2024-11-20";
	d.upgrade = CONFIG_UPGRADE_NO_AUTO;
	d.rai_policy = (char *)"strict";
	d.sku_name = (char *)"GlobalStandard";
	d.sku_capacity = 20;
	openai_deployment_diff(&d, NULL, &l, &df);
	T_EQ_INT(df.n, 5);
	T_EQ_STR(openai_change_name(df.items[0].change), "sku_changed");
	T_EQ_STR(openai_change_name(df.items[1].change), "capacity_changed");
	T_EQ_STR(df.items[1].want, "20");
	T_EQ_STR(df.items[1].have, "10");
	T_EQ_STR(openai_change_name(df.items[2].change), "version_changed");
	T_EQ_STR(df.items[2].have, "2024-08-06");
	T_EQ_STR(
	    openai_change_name(df.items[3].change), "upgrade_option_changed");
	T_EQ_STR(openai_change_name(df.items[4].change), "rai_policy_changed");
	T_EQ_STR(df.items[4].have, "Microsoft.DefaultV2");
	d = desired();
	d.model_name = (char *)"gpt-4o-mini";
	openai_deployment_diff(&d, NULL, &l, &df);
	T_EQ_INT(df.n, 1);
	T_EQ_STR(openai_change_name(df.items[0].change), "model_changed");
}

/* ---- pre-flight ------------------------------------------------------- */

static void
test_preflight_reports_each_shortfall(void)
{
	struct openai_models m;
	struct openai_usages u;
	struct openai_shortfalls out = { 0 };
	struct config_openai d[8];
	struct openai_preflight_want w[8];
	struct config_finetune ft = { 0 };
	struct err err = { 0 };
	cJSON *r1;
	struct openai_preflight_region reg = {
		.region = "westus", .models = &m, .usages = &u
	};
	cJSON *uj = cJSON_Parse(
	    "{\"value\":[{\"name\":{\"value\":\"OpenAI.Standard.GPT4o\"},"
	    "\"currentValue\":80,\"limit\":100}]}");

	T_OK(openai_models_parse(example("ListLocationModels.json", "200", &r1),
	         &m, &err) == 0);
	T_OK(openai_usages_parse(uj, &u, &err) == 0);
	for (int i = 0; i < 8; i++) {
		d[i] = desired();
		memset(&w[i], 0, sizeof(w[i]));
		w[i].account = "aoai-west";
		w[i].region = "westus";
		w[i].d = &d[i];
	}
	d[0].model_name = (char *)"gpt-5";         /* not offered */
	d[1].model_version = (char *)"2099-01-01"; /* version not offered */
	d[2].model_version = (char *)"2024-05-13"; /* no Standard sku */
	d[3].model_name = (char *)"gpt-35-turbo";  /* Deprecated */
	d[3].model_version = (char *)"0301";
	d[4].model_version = (char *)"2024-08-06"; /* provisioned: step 50 */
	d[4].sku_name = (char *)"provisioned";
	d[4].sku_capacity = 75;
	d[5].model_version = (char *)"2024-08-06"; /* quota: 15 of 20 free */
	d[5].sku_capacity = 15;
	d[6].model_version = (char *)"2024-08-06"; /* + 10 more: 25 > 20 */
	d[6].sku_capacity = 30;
	w[6].live_capacity = 20;
	d[7].model_name = NULL; /* fine-tuned on a base that cannot be */
	d[7].fine_tune = &ft;
	ft.base_model = (char *)"gpt-4o-2024-05-13";
	T_OK(openai_preflight(w, 8, &reg, 1, &out, &err) == 0);
	T_EQ_INT(out.n, 7);
	T_EQ_INT(out.v[0].kind, OPENAI_SHORT_MODEL);
	T_EQ_STR(out.v[0].message,
	    "region westus, account aoai-west, "
	    "deployment gpt-4o: model gpt-5 (OpenAI) "
	    "is not offered");
	T_EQ_INT(out.v[1].kind, OPENAI_SHORT_VERSION);
	T_CONTAINS(out.v[1].message, "gpt-4o version 2099-01-01 is not");
	T_EQ_INT(out.v[2].kind, OPENAI_SHORT_SKU);
	T_CONTAINS(out.v[2].message,
	    "gpt-4o version 2024-05-13 is not offered with sku Standard");
	T_EQ_INT(out.v[3].kind, OPENAI_SHORT_DEPRECATED);
	T_CONTAINS(out.v[3].message, "gpt-35-turbo version 0301 is Deprecated");
	T_EQ_INT(out.v[4].kind, OPENAI_SHORT_CAPACITY);
	T_EQ_INT(out.v[4].requested, 75);
	T_EQ_INT(out.v[4].step, 50);
	T_CONTAINS(out.v[4].message,
	    "capacity 75 of gpt-4o 2024-08-06 sku provisioned is outside "
	    "minimum 50, maximum 2000, step 50");
	T_EQ_INT(out.v[5].kind, OPENAI_SHORT_FINETUNE);
	T_CONTAINS(out.v[5].message,
	    "does not offer fine-tuning of gpt-4o-2024-05-13");
	T_EQ_INT(out.v[6].kind, OPENAI_SHORT_QUOTA);
	T_EQ_INT(out.v[6].requested, 25);
	T_EQ_STR(out.v[6].usage_name, "OpenAI.Standard.GPT4o");
	T_OK(out.v[6].limit == 100 && out.v[6].current == 80);
	T_EQ_STR(out.v[6].region, "westus");
	T_CONTAINS(out.v[6].message,
	    "needs 25 more of quota OpenAI.Standard.GPT4o, but only 20 is "
	    "free (limit 100, in use 80)");
	T_EQ_STR(openai_shortfall_name(out.v[6].kind), "insufficient_quota");
	openai_shortfalls_release(&out);

	/* What fits passes: no shortfall at all. */
	ft.base_model = (char *)"gpt-4o-2024-08-06";
	T_OK(openai_preflight(&w[5], 1, &reg, 1, &out, &err) == 0);
	T_OK(openai_preflight(&w[7], 1, &reg, 1, &out, &err) == 0);
	T_EQ_INT(out.n, 0);
	/* A region with no list read is a shortfall, not a pass. */
	w[5].region = "eastus";
	T_OK(openai_preflight(&w[5], 1, &reg, 1, &out, &err) == 0);
	T_EQ_INT(out.n, 1);
	T_EQ_INT(out.v[0].kind, OPENAI_SHORT_NO_REGION);
	openai_shortfalls_release(&out);
	openai_models_release(&m);
	openai_usages_release(&u);
	cJSON_Delete(r1);
	cJSON_Delete(uj);
}

/* ---- client over HTTP ------------------------------------------------- */

static struct http *the_http;
static struct auth *the_auth;

static int
fake_fetch(void *arg, char **token, long long *expires_ms, struct err *err)
{
	(void)arg;
	(void)err;
	*token = strdup("openai-test-token");
	*expires_ms = 4102444800000LL;
	return 0;
}

static const char *ACCT = "/subscriptions/sub-1/resourceGroups/rg/providers/"
                          "Microsoft.CognitiveServices/accounts/aoai-west";

static struct openai *
client(struct srv *s, const char *api_version)
{
	struct arm_opts ao = { .poll_initial_ms = 5,
		.poll_max_ms = 10,
		.conflict_base_ms = 5,
		.conflict_max_ms = 10 };
	struct openai_opts o = { .account_id = ACCT,
		.api_version = api_version,
		.endpoint = s->base,
		.http = the_http,
		.auth = the_auth,
		.arm = &ao };
	struct openai *oc = NULL;
	struct err err = { 0 };

	if (openai_new(&oc, &o, &err) != 0)
		fprintf(stderr, "# %s\n", err.msg);
	return oc;
}

/* An account: PUT answers 201 + Azure-AsyncOperation and stays busy for
 * two status reads; a PUT meanwhile is 409 RequestConflict (counted in
 * state[2]); capacity 999 is InsufficientQuota; models and usages. */
static void
h_account(struct srv *s, const struct sreq *rq, struct sresp *o)
{
	if (strcmp(rq->method, "PUT") == 0) {
		if (strstr(rq->body, "\"capacity\":999") != NULL) {
			o->status = 400;
			snprintf(o->body, sizeof(o->body),
			    "{\"error\":{\"code\":\"InsufficientQuota\","
			    "\"message\":\"This operation require 999 new "
			    "capacity in quota Tokens Per Minute (thousands) "
			    "- GPT-4o, which is bigger than the current "
			    "available capacity 20.\"}}");
			return;
		}
		if (s->state[3]) {
			s->state[2]++;
			o->status = 409;
			snprintf(o->body, sizeof(o->body),
			    "{\"error\":{\"code\":\"RequestConflict\","
			    "\"message\":\"busy\"}}");
			return;
		}
		s->state[3] = 1;
		s->state[5] = 0;
		o->status = 201;
		srv_header(o, "Azure-AsyncOperation", "%s/op", s->base);
		return;
	}
	if (strncmp(rq->path, "/op", 3) == 0) {
		int done = ++s->state[5] >= 2;

		if (done)
			s->state[3] = 0;
		snprintf(o->body, sizeof(o->body), "{\"status\":\"%s\"}",
		    done ? "Succeeded" : "InProgress");
		return;
	}
	if (strstr(rq->path, "/locations/westus/models") != NULL) {
		char *t = srv_slurp("tests/fixtures/openai/"
		                    "ListLocationModels.json");
		cJSON *j = cJSON_Parse(t);
		char *b = cJSON_PrintUnformatted(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(
		        cJSON_GetObjectItem(j, "responses"), "200"),
		    "body"));

		snprintf(o->body, sizeof(o->body), "%s", b);
		free(b);
		free(t);
		cJSON_Delete(j);
		return;
	}
	if (strstr(rq->path, "/locations/westus/usages") != NULL) {
		snprintf(o->body, sizeof(o->body),
		    "{\"value\":[{\"name\":{\"value\":\"OpenAI.Standard."
		    "GPT4o\"},\"currentValue\":3,\"limit\":50}]}");
		return;
	}
	snprintf(o->body, sizeof(o->body),
	    "{\"name\":\"gpt-4o\",\"sku\":{\"name\":\"Standard\",\"capacity\":"
	    "10},\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":"
	    "\"gpt-4o\",\"version\":\"2024-08-06\"},\"raiPolicyName\":"
	    "\"Microsoft.DefaultV2\",\"provisioningState\":\"Succeeded\"}}");
}

struct res {
	int done, failed;
	char code[64];
	struct err e;
	int capacity;
};

static void
on_dep(void *arg, struct openai_deployment *d, const char *code,
    const struct err *e)
{
	struct res *x = arg;

	x->done = 1;
	if (e != NULL) {
		x->failed = 1;
		x->e = *e;
	}
	snprintf(x->code, sizeof(x->code), "%s", code ? code : "");
	x->capacity = d ? d->sku_capacity : -1;
}

static void
test_writes_to_one_account_never_overlap(void)
{
	struct srv *s = srv_start(h_account);
	struct openai *oc = client(s, NULL);
	struct config_openai d = desired();
	struct buf body = { 0 };
	struct res x[3];
	struct err err = { 0 };
	const char *names[] = { "a", "b", "c" };

	memset(x, 0, sizeof(x));
	T_OK(openai_deployment_body(&d, NULL, &body, &err) == 0);
	T_OK(openai_deployment_put(
	         oc, names[0], buf_str(&body), NULL, on_dep, &x[0], &err) == 0);
	T_OK(openai_deployment_patch_sku(
	         oc, names[1], "Standard", 20, NULL, on_dep, &x[1], &err) == 0);
	T_OK(openai_deployment_put(
	         oc, names[2], buf_str(&body), NULL, on_dep, &x[2], &err) == 0);
	while (!x[0].done || !x[1].done || !x[2].done)
		T_OK(arm_run(openai_arm(oc), 10000, &err) == 0);
	for (int i = 0; i < 3; i++)
		T_OK(!x[i].failed);
	T_EQ_INT(x[0].capacity, 10);
	T_EQ_INT(s->state[2], 0);
	T_EQ_STR(s->log[0].method, "PUT");
	T_EQ_STR(s->log[0].path,
	    "/subscriptions/sub-1/resourceGroups/rg/providers/"
	    "Microsoft.CognitiveServices/accounts/aoai-west/deployments/"
	    "a?api-version=2024-10-01");
	T_EQ_STR(s->log[0].body, buf_str(&body));
	buf_release(&body);
	openai_free(oc);
	srv_stop(s);
}

struct started {
	int calls;
	char poll_url[256];
	struct res r;
};

static void
on_started(void *arg, const struct arm_op *op)
{
	struct started *st = arg;

	st->calls++;
	snprintf(st->poll_url, sizeof(st->poll_url), "%s",
	    op->poll_url ? op->poll_url : "");
}

static void
on_started_dep(void *arg, struct openai_deployment *d, const char *code,
    const struct err *e)
{
	struct started *st = arg;

	on_dep(&st->r, d, code, e);
}

/* started gets the caller's arg (apply journals the op through it). */
static void
test_started_sees_the_callers_arg_and_the_op(void)
{
	struct srv *s = srv_start(h_account);
	struct openai *oc = client(s, NULL);
	struct config_openai d = desired();
	struct buf body = { 0 }, want = { 0 };
	struct started st = { 0 };
	struct err err = { 0 };

	T_OK(openai_deployment_body(&d, NULL, &body, &err) == 0);
	T_OK(openai_deployment_put(oc, "a", buf_str(&body), on_started,
	         on_started_dep, &st, &err) == 0);
	while (!st.r.done)
		T_OK(arm_run(openai_arm(oc), 10000, &err) == 0);
	T_OK(!st.r.failed);
	T_EQ_INT(st.calls, 1);
	buf_addf(&want, "%s/op", s->base);
	T_EQ_STR(st.poll_url, buf_str(&want));
	buf_release(&want);
	buf_release(&body);
	openai_free(oc);
	srv_stop(s);
}

static void
test_insufficient_quota_is_a_clear_error(void)
{
	struct srv *s = srv_start(h_account);
	struct openai *oc = client(s, "2026-03-01");
	struct config_openai d = desired();
	struct buf body = { 0 };
	struct res x = { 0 };
	struct err err = { 0 };

	d.sku_capacity = 999;
	T_OK(openai_deployment_body(&d, NULL, &body, &err) == 0);
	T_OK(openai_deployment_put(
	         oc, "gpt-4o", buf_str(&body), NULL, on_dep, &x, &err) == 0);
	while (!x.done)
		T_OK(arm_run(openai_arm(oc), 10000, &err) == 0);
	T_OK(x.failed);
	T_EQ_STR(x.code, "InsufficientQuota");
	T_CONTAINS(x.e.msg,
	    "openai: account aoai-west: deployment gpt-4o: "
	    "insufficient quota");
	T_CONTAINS(x.e.msg, "InsufficientQuota: This operation require 999");
	T_CONTAINS(s->log[0].path, "api-version=2026-03-01");
	buf_release(&body);
	openai_free(oc);
	srv_stop(s);
}

static void
test_models_usages_and_get_over_http(void)
{
	struct srv *s = srv_start(h_account);
	struct openai *oc = client(s, NULL);
	struct openai_models m;
	struct openai_usages u;
	struct openai_deployment d;
	struct err err = { 0 };

	T_OK(openai_models_wait(oc, "westus", &m, &err) == 0);
	T_EQ_INT(m.n, 6);
	T_EQ_STR(s->log[0].path,
	    "/subscriptions/sub-1/providers/"
	    "Microsoft.CognitiveServices/locations/westus/"
	    "models?api-version=2024-10-01");
	T_OK(openai_usages_wait(oc, "westus", &u, &err) == 0);
	T_EQ_INT(u.n, 1);
	T_OK(openai_deployment_get_wait(oc, "gpt-4o", &d, &err) == 0);
	T_EQ_STR(d.rai_policy_name, "Microsoft.DefaultV2");
	T_EQ_STR(s->log[2].auth, "Bearer openai-test-token");
	openai_deployment_release(&d);
	openai_models_release(&m);
	openai_usages_release(&u);
	openai_free(oc);
	srv_stop(s);
}

static void
test_account_id_must_be_an_arm_id(void)
{
	struct openai_opts o = {
		.account_id = "aoai-west", .http = the_http, .auth = the_auth
	};
	struct openai *oc = NULL;
	struct err err = { 0 };

	T_OK(openai_new(&oc, &o, &err) != 0);
	T_CONTAINS(err.msg, "'aoai-west' is not an account id");
}

int
main(void)
{
	struct http_opts ho = { .backoff_base_ms = 5,
		.pace_get_per_min = -1,
		.pace_post_per_min = -1 };
	struct auth_opts ao = { .method = AUTH_CLIENT_SECRET,
		.audience = AUTH_ARM,
		.fetch = fake_fetch };
	struct err err = { 0 };

	T_RUN(test_parses_deployment_examples);
	T_RUN(test_parses_lists_account_models_usages);
	T_RUN(test_parse_errors_name_the_path);
	T_RUN(test_put_body_sends_only_what_the_user_set);
	T_RUN(test_server_defaults_are_not_drift);
	T_RUN(test_diff_names_each_change);
	T_RUN(test_preflight_reports_each_shortfall);
	if (http_new(&the_http, &ho, &err) != 0 ||
	    auth_new(&the_auth, &ao, &err) != 0) {
		fprintf(stderr, "# %s\n", err.msg);
		return 1;
	}
	T_RUN(test_writes_to_one_account_never_overlap);
	T_RUN(test_insufficient_quota_is_a_clear_error);
	T_RUN(test_started_sees_the_callers_arg_and_the_op);
	T_RUN(test_models_usages_and_get_over_http);
	T_RUN(test_account_id_must_be_an_arm_id);
	auth_free(the_auth);
	http_free(the_http);
	return t_done();
}
