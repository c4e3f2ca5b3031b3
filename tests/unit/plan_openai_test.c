/*
 * plan_openai_test.c - the Azure OpenAI planner, table-driven: each case
 * is a standby.yaml, the deployments cached per account, the region
 * catalogues, fine-tuned records and options, and the actions the plan
 * must give in order ("id change reason"), its warnings, or the error it
 * must fail with.  Every plan is also checked with planfile_check() and
 * for being serialised the same twice.
 */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "plan.h"
#include "planfile.h"
#include "state.h"
#include "t.h"

#define ACCT(n)                                                                \
	"/subscriptions/s1/resourceGroups/rg/providers/"                       \
	"Microsoft.CognitiveServices/accounts/" n
#define RES                                                                    \
	"version: 1\n"                                                         \
	"resources:\n"                                                         \
	"  aoai-east: { type: openai, region: eastus, id: " ACCT(              \
	    "aoai-east") ", auth: { entra: azure-cli } }\n"                    \
	                 "  aoai-west: { type: openai, region: westus2, "      \
	                 "id: " ACCT(                                          \
	                     "aoai-west") ", auth: { entra: azure-cli } }\n"

#define CHAT(extra)                                                            \
	"openai:\n"                                                            \
	"  chat:\n"                                                            \
	"    model: { name: gpt-4o, version: \"2024-08-06\" }\n"               \
	"    sku: { name: GlobalStandard, capacity: 100 }\n"                   \
	"    accounts: [aoai-east, aoai-west]\n" extra

static const char Y_CHAT[] = RES CHAT("");
static const char Y_CHAT_OPTS[] =
    RES CHAT("    version_upgrade: NoAutoUpgrade\n"
             "    rai_policy: Strict\n");
static const char Y_UNVERSIONED[] =
    RES "openai:\n"
        "  chat:\n"
        "    model: { name: gpt-4o }\n"
        "    sku: { name: GlobalStandard, capacity: 100 }\n"
        "    accounts: [aoai-east, aoai-west]\n";
static const char Y_PROTECT_EAST[] =
    RES "openai:\n"
        "  chat:\n"
        "    model: { name: gpt-4o, version: \"2024-08-06\" }\n"
        "    sku: { name: GlobalStandard, capacity: 100 }\n"
        "    accounts: [aoai-east]\n"
        "    protect: true\n";
static const char Y_WEST_FIRST[] =
    RES "openai:\n"
        "  chat:\n"
        "    model: { name: gpt-4o, version: \"2024-08-06\" }\n"
        "    sku: { name: GlobalStandard, capacity: 100 }\n"
        "    accounts: [aoai-west, aoai-east]\n";
#define BOT(extra)                                                             \
	"openai:\n"                                                            \
	"  bot:\n"                                                             \
	"    name: support\n"                                                  \
	"    fine_tune:\n"                                                     \
	"      base_model: gpt-4o-mini-2024-07-18\n"                           \
	"      training_file: train.jsonl\n"                                   \
	"      validation_file: valid.jsonl\n" extra                           \
	"    sku: { name: Standard, capacity: 10 }\n"                          \
	"    accounts: [aoai-east, aoai-west]\n"
static const char Y_BOT[] =
    RES BOT("      hyperparameters: { n_epochs: 3 }\n      seed: 42\n");
static const char Y_BOT_EPOCHS[] =
    RES BOT("      hyperparameters: { n_epochs: 4 }\n      seed: 42\n");

/* ------------------------------------------------------------------ */
/* The cache                                                           */

/* A deployment as ARM returns it, server defaults filled in. */
static char *
dep(const char *name, const char *model, const char *version, const char *sku,
    int cap, const char *upgrade, const char *rai)
{
	struct buf b = { 0 };

	buf_addf(&b,
	    "{\"id\":\"" ACCT(
	        "x") "/deployments/%s\",\"name\":\"%s\","
	             "\"sku\":{\"name\":\"%s\",\"capacity\":%d},\"properties\":"
	             "{"
	             "\"model\":{\"format\":\"OpenAI\",\"name\":\"%s\","
	             "\"version\":\"%s\"},\"versionUpgradeOption\":\"%s\","
	             "\"raiPolicyName\":\"%s\",\"provisioningState\":"
	             "\"Succeeded\"}}",
	    name, name, sku, cap, model, version,
	    upgrade ? upgrade : "OnceNewDefaultVersionAvailable",
	    rai ? rai : "Microsoft.DefaultV2");
	return buf_take(&b);
}

#define MODELS_GPT                                                             \
	"{\"kind\":\"OpenAI\",\"skuName\":\"S0\",\"model\":{\"format\":"       \
	"\"OpenAI\",\"name\":\"gpt-4o\",\"version\":\"2024-08-06\","           \
	"\"isDefaultVersion\":true,\"lifecycleStatus\":\"GenerallyAvailable"   \
	"\",\"skus\":[{\"name\":\"GlobalStandard\",\"usageName\":"             \
	"\"OpenAI.GlobalStandard.gpt-4o\",\"capacity\":{\"minimum\":1,"        \
	"\"maximum\":1000,\"step\":1,\"default\":10}},{\"name\":"              \
	"\"Standard\",\"usageName\":\"OpenAI.Standard.gpt-4o\","               \
	"\"capacity\":{\"minimum\":1,\"maximum\":1000,\"step\":1,"             \
	"\"default\":10}}]}},"                                                 \
	"{\"kind\":\"OpenAI\",\"skuName\":\"S0\",\"model\":{\"format\":"       \
	"\"OpenAI\",\"name\":\"gpt-4o\",\"version\":\"2024-11-20\","           \
	"\"isDefaultVersion\":false,\"skus\":[{\"name\":\"GlobalStandard\""    \
	",\"usageName\":\"OpenAI.GlobalStandard.gpt-4o\",\"capacity\":{"       \
	"\"minimum\":1,\"maximum\":1000,\"step\":1,\"default\":10}}]}}"
#define MODELS_MINI(ft)                                                        \
	"{\"kind\":\"OpenAI\",\"skuName\":\"S0\",\"model\":{\"format\":"       \
	"\"OpenAI\",\"name\":\"gpt-4o-mini\",\"version\":\"2024-07-18\","      \
	"\"capabilities\":{\"fineTune\":\"" ft "\"},\"skus\":[{\"name\":"      \
	"\"Standard\",\"usageName\":\"OpenAI.Standard.gpt-4o-mini\","          \
	"\"capacity\":{\"minimum\":1,\"maximum\":100,\"step\":1,"              \
	"\"default\":1}}]}}"

static const char M_ALL[] = "[" MODELS_GPT "," MODELS_MINI("true") "]";
static const char M_NO_FT[] = "[" MODELS_GPT "," MODELS_MINI("false") "]";
static const char M_NO_GPT[] = "[" MODELS_MINI("true") "]";

static char *
usages(int current, int limit)
{
	struct buf b = { 0 };

	buf_addf(&b,
	    "[{\"name\":{\"value\":\"OpenAI.GlobalStandard.gpt-4o\","
	    "\"localizedValue\":\"Tokens Per Minute (thousands) - gpt-4o\"},"
	    "\"unit\":\"Count\",\"currentValue\":%d,\"limit\":%d}]",
	    current, limit);
	return buf_take(&b);
}

#define MAXN 16

struct live {
	const char *account;
	char *json; /* from dep(); freed by the case */
};

struct cat {
	const char *account;
	const char *region;
	const char *models; /* NULL: not read */
	char *usages;       /* from usages(); NULL: not read */
	const char *jobs;   /* NULL: not read */
};

struct rec {
	const char *account, *key, *model;
	int from_first; /* hashes of the first plan's finetune after (a
	                   settings_hash given here wins) */
	const char *data_hash, *settings_hash;
};

struct tcase {
	const char *name;
	const char *yaml;
	struct live live[MAXN];
	struct cat cats[4];
	int prune, allow_partial;
	const char *train_hash; /* what the file hash gives train.jsonl */
	struct rec recs[4];
	const char *want;        /* "id change reason" lines joined by "\n" */
	const char *warnings;    /* codes joined by " " */
	const char *err;         /* substring of the error */
	const char *json_has[4]; /* substrings of the plan JSON */
};

/* ------------------------------------------------------------------ */
/* Running a case                                                      */

static char tmpdir[] = "/tmp/plan_openai_test.XXXXXX";

struct hashes {
	const char *train;
};

static int
file_hash(
    void *arg, const char *path, char hex[SNAPSHOT_HASH_SIZE], struct err *err)
{
	const struct hashes *h = arg;
	const char *base = strrchr(path, '/');
	char c;

	(void)err;
	base = base ? base + 1 : path;
	c = strcmp(base, "train.jsonl") == 0 ? h->train[0] : 'b';
	memset(hex, c, 64);
	hex[64] = '\0';
	return 0;
}

static int
load_config(struct config **cfg, const char *yaml, struct err *err)
{
	struct diag_list diags = { 0 };
	struct buf name = { 0 };
	int rc;

	buf_addf(&name, "%s/standby.yaml", tmpdir);
	rc = config_load_buffer(
	    cfg, buf_str(&name), yaml, strlen(yaml), &diags, err);
	if (rc != 0)
		for (size_t i = 0; i < diags.n; i++)
			fprintf(stderr, "# %s\n", diags.v[i].message);
	diag_list_release(&diags);
	buf_release(&name);
	return rc;
}

/* Builds the plan of c, with records rs (hashes from first when asked). */
static int
make_plan(cJSON **out, const struct tcase *tc, const struct config *cfg,
    const cJSON *first, struct err *err)
{
	struct state_object objs[MAXN];
	struct state_openai_catalog cats[4];
	struct state_finetuned recs[4];
	char east[] = "aoai-east", west[] = "aoai-west";
	struct state_resource res[2] = {
		{ .name = east, .refreshed_at = 1795424400 },
		{ .name = west, .refreshed_at = 1795424400 },
	};
	struct hashes h = { tc->train_hash ? tc->train_hash : "a" };
	struct plan_view v = { 0 };
	struct plan_opts o = { 0 };
	size_t i, n = 0, nc = 0, nr = 0;

	memset(objs, 0, sizeof(objs));
	memset(cats, 0, sizeof(cats));
	memset(recs, 0, sizeof(recs));
	for (i = 0; i < MAXN && tc->live[i].account != NULL; i++) {
		cJSON *j = cJSON_Parse(tc->live[i].json);

		objs[n].kind = STATE_OPENAI_DEPLOYMENT;
		objs[n].resource = (char *)tc->live[i].account;
		objs[n].name = strdup(
		    cJSON_GetStringValue(cJSON_GetObjectItem(j, "name")));
		objs[n].json = tc->live[i].json;
		n++;
		cJSON_Delete(j);
	}
	for (i = 0; i < 4 && tc->cats[i].account != NULL; i++) {
		cats[nc].resource = (char *)tc->cats[i].account;
		cats[nc].region = (char *)tc->cats[i].region;
		cats[nc].models = (char *)tc->cats[i].models;
		cats[nc].usages = tc->cats[i].usages;
		cats[nc].finetunes = (char *)tc->cats[i].jobs;
		nc++;
	}
	for (i = 0; i < 4 && tc->recs[i].account != NULL; i++) {
		const struct rec *r = &tc->recs[i];
		struct state_finetuned *f = &recs[nr++];

		f->resource = (char *)r->account;
		f->key = (char *)r->key;
		f->fine_tuned_model = (char *)r->model;
		f->data_hash = (char *)r->data_hash;
		f->settings_hash = (char *)r->settings_hash;
		if (r->from_first && first != NULL) {
			const cJSON *a;

			cJSON_ArrayForEach(a, planfile_actions(first))
			{
				const cJSON *t = planfile_get(a, "target");

				if (strcmp(planfile_str(a, "kind"),
				        "finetune") == 0 &&
				    strcmp(planfile_str(t, "resource"),
				        r->account) == 0) {
					const cJSON *af =
					    planfile_get(a, "after");

					f->data_hash = (char *)planfile_str(
					    af, "data_hash");
					if (r->settings_hash == NULL)
						f->settings_hash =
						    (char *)planfile_str(
						        af, "settings_hash");
				}
			}
		}
	}
	v.revision = 7;
	v.resources = res;
	v.nresources = 2;
	v.objects = objs;
	v.nobjects = n;
	v.oai_catalogs = cats;
	v.noai_catalogs = nc;
	v.finetuned = recs;
	v.nfinetuned = nr;
	o.prune = tc->prune;
	o.allow_partial = tc->allow_partial;
	o.now = 1795428000;
	o.expiry_window_s = 30 * 86400;
	o.file_hash = file_hash;
	o.file_hash_arg = &h;
	i = (size_t)plan_build(out, cfg, &v, &o, err);
	for (size_t k = 0; k < n; k++)
		free(objs[k].name);
	return (int)i;
}

static void
summarise(const cJSON *plan, struct buf *acts, struct buf *warns)
{
	const cJSON *a, *w;

	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		buf_addf(acts, "%s%s %s %s", acts->len ? "\n" : "",
		    planfile_str(a, "id"), planfile_str(a, "change"),
		    planfile_str(planfile_get(a, "reason"), "code"));
	}
	cJSON_ArrayForEach(w, planfile_get(plan, "warnings"))
	{
		buf_addf(warns, "%s%s", warns->len ? " " : "",
		    planfile_str(w, "code"));
	}
}

static void
run_case(const struct tcase *tc)
{
	struct config *cfg = NULL;
	struct err err = { 0 };
	cJSON *first = NULL, *plan = NULL, *again = NULL;
	struct buf acts = { 0 }, warns = { 0 }, j1 = { 0 }, j2 = { 0 };
	int need_first = 0, rc;
	size_t i;

	for (i = 0; i < 4; i++)
		if (tc->recs[i].from_first)
			need_first = 1;
	if (load_config(&cfg, tc->yaml, &err) != 0) {
		T_FAIL_AT("%s: config: %s", tc->name, err.msg);
		goto out;
	}
	if (need_first) {
		/* The plan before the records: its finetune afters are what
		 * apply records. */
		struct tcase bare = *tc;

		memset(bare.recs, 0, sizeof(bare.recs));
		if (make_plan(&first, &bare, cfg, NULL, &err) != 0) {
			T_FAIL_AT("%s: first plan: %s", tc->name, err.msg);
			goto out;
		}
	}
	rc = make_plan(&plan, tc, cfg, first, &err);
	if (tc->err != NULL) {
		if (rc == 0)
			T_FAIL_AT(
			    "%s: planned, want error '%s'", tc->name, tc->err);
		else if (strstr(err.msg, tc->err) == NULL)
			T_FAIL_AT("%s: error '%s', want '%s'", tc->name,
			    err.msg, tc->err);
		goto out;
	}
	if (rc != 0) {
		T_FAIL_AT("%s: %s", tc->name, err.msg);
		goto out;
	}
	if (planfile_check(plan, &err) != 0) {
		T_FAIL_AT("%s: planfile_check: %s", tc->name, err.msg);
		goto out;
	}
	summarise(plan, &acts, &warns);
	if (strcmp(buf_str(&acts), tc->want ? tc->want : "") != 0)
		T_FAIL_AT("%s: actions\n%s\nwant\n%s", tc->name, buf_str(&acts),
		    tc->want ? tc->want : "");
	if (strcmp(buf_str(&warns), tc->warnings ? tc->warnings : "") != 0)
		T_FAIL_AT("%s: warnings '%s', want '%s'", tc->name,
		    buf_str(&warns), tc->warnings ? tc->warnings : "");
	if (planfile_write(plan, &j1, &err) != 0) {
		T_FAIL_AT("%s: write: %s", tc->name, err.msg);
		goto out;
	}
	for (i = 0; i < 4 && tc->json_has[i] != NULL; i++)
		if (strstr(buf_str(&j1), tc->json_has[i]) == NULL)
			T_FAIL_AT("%s: plan lacks '%s':\n%s", tc->name,
			    tc->json_has[i], buf_str(&j1));
	if (make_plan(&again, tc, cfg, first, &err) != 0 ||
	    planfile_write(again, &j2, &err) != 0 ||
	    strcmp(buf_str(&j1), buf_str(&j2)) != 0)
		T_FAIL_AT("%s: the same input gave another plan", tc->name);
out:
	cJSON_Delete(first);
	cJSON_Delete(plan);
	cJSON_Delete(again);
	buf_release(&acts);
	buf_release(&warns);
	buf_release(&j1);
	buf_release(&j2);
	config_free(cfg);
}

static void
release_case(struct tcase *tc)
{
	size_t i;

	for (i = 0; i < MAXN; i++)
		free(tc->live[i].json);
	for (i = 0; i < 4; i++)
		free(tc->cats[i].usages);
}

/* Both catalogues, plenty of quota. */
#define CATS_OK                                                                \
	{                                                                      \
		{ "aoai-east", "eastus", M_ALL, NULL, NULL },                  \
		{                                                              \
			"aoai-west", "westus2", M_ALL, NULL, NULL              \
		}                                                              \
	}

#define SYNC_EAST                                                              \
	dep("chat", "gpt-4o", "2024-08-06", "GlobalStandard", 100, NULL, NULL)
#define SYNC_WEST SYNC_EAST

static void
test_cases(void)
{
	struct tcase cases[] = {
		{ .name = "missing in both regions: two creates, primary first",
		    .yaml = Y_CHAT,
		    .cats = CATS_OK,
		    .want = "openai_create:chat@aoai-east create "
		            "deployment_missing\n"
		            "openai_create:chat@aoai-west create "
		            "deployment_missing",
		    .json_has = { "\"group\": \"openai:chat\"",
		        "\"model_name\": \"gpt-4o\"", "\"capacity\": 100",
		        "\"rai_policy\": \"(known after apply)\"" } },
		{ .name = "the primary is the first account, not the first "
		          "name",
		    .yaml = Y_WEST_FIRST,
		    .cats = CATS_OK,
		    .want = "openai_create:chat@aoai-west create "
		            "deployment_missing\n"
		            "openai_create:chat@aoai-east create "
		            "deployment_missing" },
		{ .name = "in sync, server defaults are not drift",
		    .yaml = Y_CHAT,
		    .cats = CATS_OK,
		    .live = { { "aoai-east", SYNC_EAST },
		        { "aoai-west", SYNC_WEST } } },
		{ .name = "unset version: the server's is not drift",
		    .yaml = Y_UNVERSIONED,
		    .cats = CATS_OK,
		    .live = { { "aoai-east",
		                  dep("chat", "gpt-4o", "2024-11-20",
		                      "GlobalStandard", 100, NULL, NULL) },
		        { "aoai-west", SYNC_WEST } } },
		{ .name = "capacity changed",
		    .yaml = Y_CHAT,
		    .cats = CATS_OK,
		    .live = { { "aoai-east",
		                  dep("chat", "gpt-4o", "2024-08-06",
		                      "GlobalStandard", 50, NULL, NULL) },
		        { "aoai-west", SYNC_WEST } },
		    .want = "openai_update:chat@aoai-east update "
		            "capacity_changed",
		    .json_has = { "\"before\": {\n        \"capacity\": 50",
		        "\"after\": {\n        \"capacity\": 100",
		        "capacity 50 -> 100" } },
		{ .name = "version changed",
		    .yaml = Y_CHAT,
		    .cats = CATS_OK,
		    .live = { { "aoai-east", SYNC_EAST },
		        { "aoai-west",
		            dep("chat", "gpt-4o", "2024-11-20",
		                "GlobalStandard", 100, NULL, NULL) } },
		    .want = "openai_update:chat@aoai-west update "
		            "version_changed",
		    .json_has = { "\"model_version\": \"2024-11-20\"",
		        "\"model_version\": \"2024-08-06\"" } },
		{ .name = "upgrade option and policy set by the user",
		    .yaml = Y_CHAT_OPTS,
		    .cats = CATS_OK,
		    .live = { { "aoai-east", SYNC_EAST },
		        { "aoai-west",
		            dep("chat", "gpt-4o", "2024-08-06",
		                "GlobalStandard", 100, "NoAutoUpgrade",
		                NULL) } },
		    .want = "openai_update:chat@aoai-east update "
		            "upgrade_option_changed\n"
		            "openai_update:chat@aoai-west update "
		            "rai_policy_changed" },
		{ .name = "sku changed",
		    .yaml = Y_CHAT,
		    .cats = CATS_OK,
		    .live = { { "aoai-east",
		                  dep("chat", "gpt-4o", "2024-08-06",
		                      "Standard", 100, NULL, NULL) },
		        { "aoai-west", SYNC_WEST } },
		    .want = "openai_update:chat@aoai-east update sku_changed" },
		{ .name = "another model is a replace",
		    .yaml = Y_CHAT,
		    .cats = CATS_OK,
		    .live = { { "aoai-east",
		                  dep("chat", "gpt-4o-mini", "2024-07-18",
		                      "GlobalStandard", 100, NULL, NULL) },
		        { "aoai-west", SYNC_WEST } },
		    .want = "openai_update:chat@aoai-east replace "
		            "model_changed" },
		{ .name = "undesired deployment kept without --prune",
		    .yaml = Y_CHAT,
		    .cats = CATS_OK,
		    .live = { { "aoai-east", SYNC_EAST },
		        { "aoai-east",
		            dep("old", "gpt-4o", "2024-08-06", "Standard", 5,
		                NULL, NULL) },
		        { "aoai-west", SYNC_WEST } } },
		{ .name = "--prune deletes it, first",
		    .yaml = Y_CHAT,
		    .cats = CATS_OK,
		    .prune = 1,
		    .live = { { "aoai-east",
		                  dep("old", "gpt-4o", "2024-08-06", "Standard",
		                      5, NULL, NULL) },
		        { "aoai-west", SYNC_WEST } },
		    .want = "openai_delete:old@aoai-east delete not_desired\n"
		            "openai_create:chat@aoai-east create "
		            "deployment_missing",
		    .json_has = { "\"destructive\": true" } },
		{ .name = "--prune never deletes a protected entry's",
		    .yaml = Y_PROTECT_EAST,
		    .cats = CATS_OK,
		    .prune = 1,
		    .live = { { "aoai-east", SYNC_EAST },
		        { "aoai-west", SYNC_WEST } },
		    .warnings = "protected_kept" },
		{ .name = "--prune deletes an entry's on an undeclared account",
		    .yaml = RES "openai:\n"
		                "  chat:\n"
		                "    model: { name: gpt-4o, version: "
		                "\"2024-08-06\" }\n"
		                "    sku: { name: GlobalStandard, capacity: "
		                "100 }\n"
		                "    accounts: [aoai-east]\n",
		    .cats = CATS_OK,
		    .prune = 1,
		    .live = { { "aoai-east", SYNC_EAST },
		        { "aoai-west", SYNC_WEST } },
		    .want = "openai_delete:chat@aoai-west delete not_desired",
		    .json_has = { "is not declared for aoai-west" } },
		{ .name = "quota shortfall is a plan error with the numbers",
		    .yaml = Y_CHAT,
		    .cats = { { "aoai-east", "eastus", M_ALL, usages(250, 300),
		                  NULL },
		        { "aoai-west", "westus2", M_ALL, usages(0, 300),
		            NULL } },
		    .err = "region eastus, account aoai-east, deployment chat: "
		           "gpt-4o 2024-08-06 sku GlobalStandard needs 100 "
		           "more of quota OpenAI.GlobalStandard.gpt-4o, but "
		           "only 50 is free (limit 300, in use 250)" },
		{ .name = "--allow-partial: a warning, the rest still planned",
		    .yaml = Y_CHAT,
		    .allow_partial = 1,
		    .cats = { { "aoai-east", "eastus", M_ALL, usages(250, 300),
		                  NULL },
		        { "aoai-west", "westus2", M_ALL, usages(0, 300),
		            NULL } },
		    .want = "openai_create:chat@aoai-west create "
		            "deployment_missing",
		    .warnings = "preflight_shortfall",
		    .json_has = { "only 50 is free (limit 300, in use 250); "
		                  "left out of the plan" } },
		{ .name = "an update needs quota for the increase only",
		    .yaml = Y_CHAT,
		    .cats = { { "aoai-east", "eastus", M_ALL, usages(250, 300),
		                  NULL },
		        { "aoai-west", "westus2", M_ALL, NULL, NULL } },
		    .live = { { "aoai-east",
		                  dep("chat", "gpt-4o", "2024-08-06",
		                      "GlobalStandard", 60, NULL, NULL) },
		        { "aoai-west", SYNC_WEST } },
		    .want = "openai_update:chat@aoai-east update "
		            "capacity_changed" },
		{ .name = "model not offered in the region",
		    .yaml = Y_CHAT,
		    .cats = { { "aoai-east", "eastus", M_ALL, NULL, NULL },
		        { "aoai-west", "westus2", M_NO_GPT, NULL, NULL } },
		    .err = "region westus2, account aoai-west, deployment "
		           "chat: model gpt-4o (OpenAI) is not offered" },
		{ .name = "nothing to change needs no pre-flight",
		    .yaml = Y_CHAT,
		    .cats = { { "aoai-east", "eastus", M_NO_GPT, NULL, NULL },
		        { "aoai-west", "westus2", M_NO_GPT, NULL, NULL } },
		    .live = { { "aoai-east", SYNC_EAST },
		        { "aoai-west", SYNC_WEST } } },
		{ .name = "an account never catalogued is not checked",
		    .yaml = Y_CHAT,
		    .cats = { { "aoai-east", "eastus", M_ALL, NULL, NULL } },
		    .want = "openai_create:chat@aoai-east create "
		            "deployment_missing\n"
		            "openai_create:chat@aoai-west create "
		            "deployment_missing",
		    .warnings = "preflight_unchecked" },
		{ .name = "fine-tune never trained: finetune then create",
		    .yaml = Y_BOT,
		    .cats = CATS_OK,
		    .want = "finetune:bot@aoai-east create finetune_missing\n"
		            "openai_create:support@aoai-east create "
		            "deployment_missing\n"
		            "finetune:bot@aoai-west create finetune_missing\n"
		            "openai_create:support@aoai-west create "
		            "deployment_missing",
		    .json_has = { "\"depends_on\": [\n"
		                  "        \"finetune:bot@aoai-east\"\n",
		        "\"model_name\": \"from finetune:bot@aoai-east\"",
		        "\"training_file_sha256\": \"aaaaaaaa",
		        "\"validation_file_sha256\": \"bbbbbbbb" } },
		{ .name = "fine-tuned, recorded and deployed: nothing",
		    .yaml = Y_BOT,
		    .cats = CATS_OK,
		    .recs = { { "aoai-east", "bot", "ft-east", 1, NULL, NULL },
		        { "aoai-west", "bot", "ft-west", 1, NULL, NULL } },
		    .live = { { "aoai-east",
		                  dep("support", "ft-east", "1", "Standard", 10,
		                      "NoAutoUpgrade", NULL) },
		        { "aoai-west",
		            dep("support", "ft-west", "1", "Standard", 10,
		                "NoAutoUpgrade", NULL) } } },
		{ .name = "fine-tuned and recorded, deployment gone: create",
		    .yaml = Y_BOT,
		    .cats = CATS_OK,
		    .recs = { { "aoai-east", "bot", "ft-east", 1, NULL, NULL },
		        { "aoai-west", "bot", "ft-west", 1, NULL, NULL } },
		    .live = { { "aoai-east",
		        dep("support", "ft-east", "1", "Standard", 10,
		            "NoAutoUpgrade", NULL) } },
		    .want = "openai_create:support@aoai-west create "
		            "deployment_missing",
		    .json_has = { "\"model_name\": \"ft-west\"" } },
		{ .name = "training data changed: retrain and redeploy",
		    .yaml = Y_BOT,
		    .cats = CATS_OK,
		    .train_hash = "c",
		    .recs = { { "aoai-east", "bot", "ft-east", 0,
		                  "00000000000000000000000000000000000000000000"
		                  "00"
		                  "000000000000000000",
		                  "x" },
		        { "aoai-west", "bot", "ft-west", 0,
		            "0000000000000000000000000000000000000000000000"
		            "000000000000000000",
		            "x" } },
		    .live = { { "aoai-east",
		                  dep("support", "ft-east", "1", "Standard", 10,
		                      "NoAutoUpgrade", NULL) },
		        { "aoai-west",
		            dep("support", "ft-west", "1", "Standard", 10,
		                "NoAutoUpgrade", NULL) } },
		    .want =
		        "finetune:bot@aoai-east replace "
		        "finetune_data_changed\n"
		        "openai_update:support@aoai-east update dependency\n"
		        "finetune:bot@aoai-west replace "
		        "finetune_data_changed\n"
		        "openai_update:support@aoai-west update dependency",
		    .json_has = { "the training data of bot changed" } },
		{ .name = "fine-tune settings changed: retrain",
		    .yaml = Y_BOT_EPOCHS,
		    .cats = CATS_OK,
		    .recs = { { "aoai-east", "bot", "ft-east", 1, NULL, "x" } },
		    .want = "finetune:bot@aoai-east replace "
		            "finetune_data_changed\n"
		            "openai_create:support@aoai-east create "
		            "deployment_missing\n"
		            "finetune:bot@aoai-west create finetune_missing\n"
		            "openai_create:support@aoai-west create "
		            "deployment_missing" },
		{ .name = "recorded model gone from the account: retrain",
		    .yaml = Y_BOT,
		    .cats = { { "aoai-east", "eastus", M_ALL, NULL,
		                  "[{\"id\":\"ftjob-1\",\"status\":"
		                  "\"succeeded\",\"fine_tuned_model\":"
		                  "\"ft-other\"}]" },
		        { "aoai-west", "westus2", M_ALL, NULL,
		            "[{\"id\":\"ftjob-2\",\"status\":\"succeeded\","
		            "\"fine_tuned_model\":\"ft-west\"}]" } },
		    .recs = { { "aoai-east", "bot", "ft-east", 1, NULL, NULL },
		        { "aoai-west", "bot", "ft-west", 1, NULL, NULL } },
		    .live = { { "aoai-east",
		                  dep("support", "ft-east", "1", "Standard", 10,
		                      "NoAutoUpgrade", NULL) },
		        { "aoai-west",
		            dep("support", "ft-west", "1", "Standard", 10,
		                "NoAutoUpgrade", NULL) } },
		    .want = "finetune:bot@aoai-east create finetune_missing\n"
		            "openai_update:support@aoai-east update dependency",
		    .json_has = { "ft-east of bot is no longer on "
		                  "aoai-east" } },
		{ .name = "region that cannot fine-tune the base",
		    .yaml = Y_BOT,
		    .cats = { { "aoai-east", "eastus", M_ALL, NULL, NULL },
		        { "aoai-west", "westus2", M_NO_FT, NULL, NULL } },
		    .err = "region westus2, account aoai-west, deployment "
		           "support: the region does not offer fine-tuning of "
		           "gpt-4o-mini-2024-07-18" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int before = t_failed_now;

		t_failed_now = 0;
		run_case(&cases[i]);
		if (t_failed_now)
			fprintf(stderr, "#   case failed: %s\n", cases[i].name);
		t_failed_now |= before;
		release_case(&cases[i]);
	}
}

/* --target names an openai entry: only it is planned; a Language-only
 * target plans no OpenAI action. */
static void
test_target_selects_openai_entries(void)
{
	struct config *cfg = NULL;
	struct err err = { 0 };
	struct plan_view v = { 0 };
	struct plan_opts o = { 0 };
	const char *t1[] = { "support" }, *t2[] = { "nope" };
	cJSON *plan = NULL;
	static const char y[] = RES CHAT("") "  bot:\n"
	                                     "    name: support\n"
	                                     "    model: { name: gpt-4o }\n"
	                                     "    sku: { name: Standard, "
	                                     "capacity: 1 }\n"
	                                     "    accounts: [aoai-east]\n";

	T_OK(load_config(&cfg, y, &err) == 0);
	o.now = 1795428000;
	o.targets = t1;
	o.ntargets = 1;
	T_OK(plan_build(&plan, cfg, &v, &o, &err) == 0);
	T_EQ_INT(cJSON_GetArraySize(planfile_actions(plan)), 1);
	T_EQ_STR(
	    planfile_str(cJSON_GetArrayItem(planfile_actions(plan), 0), "id"),
	    "openai_create:support@aoai-east");
	cJSON_Delete(plan);
	plan = NULL;
	o.targets = t2;
	T_OK(plan_build(&plan, cfg, &v, &o, &err) != 0);
	T_CONTAINS(err.msg, "--target: no project 'nope'");
	config_free(cfg);
}

/* The loader checks that the fine-tune data files exist; the planner
 * reads their hashes through o.file_hash, so their content is unused. */
static int
touch(const char *base)
{
	struct buf p = { 0 };
	FILE *f;

	buf_addf(&p, "%s/%s", tmpdir, base);
	f = fopen(buf_str(&p), "w");
	if (f != NULL) {
		fputs("{\"messages\": []}\n", f);
		fclose(f);
	}
	buf_release(&p);
	return f == NULL ? -1 : 0;
}

static void
untouch(const char *base)
{
	struct buf p = { 0 };

	buf_addf(&p, "%s/%s", tmpdir, base);
	unlink(buf_str(&p));
	buf_release(&p);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	if (touch("train.jsonl") != 0 || touch("valid.jsonl") != 0)
		return 1;
	T_RUN(test_cases);
	T_RUN(test_target_selects_openai_entries);
	untouch("train.jsonl");
	untouch("valid.jsonl");
	rmdir(tmpdir);
	return t_done();
}
