/* config_test.c - the desired model: fields, defaults, lookups, hash,
 * helpers, and diagnostics for bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "t.h"

static const char good[] =
    "version: 1\n"
    "resources:\n"
    "  west: {type: language, region: westus2, endpoint: "
    "\"https://w.cognitiveservices.azure.com/\", auth: {key_env: W}}\n"
    "  east:\n"
    "    type: language\n"
    "    region: eastus\n"
    "    endpoint: https://e.cognitiveservices.azure.com\n"
    "    auth: {entra: client-credentials, tenant_id: t, client_id: c, "
    "client_secret_env: S}\n"
    "  aoai: {type: openai, region: eastus, id: "
    "/subscriptions/sub1/resourceGroups/rg1/providers/"
    "Microsoft.CognitiveServices/accounts/acct1, auth: {entra: "
    "azure-cli}}\n"
    "projects:\n"
    "  Travel:\n"
    "    kind: conversation\n"
    "    source: east\n"
    "    replicas: [west]\n"
    "    model: {label: v7}\n"
    "    deployments: {prod: v7, a-stage: v7}\n"
    "  Docs:\n"
    "    name: DocsAzure\n"
    "    kind: text-ner\n"
    "    source: east\n"
    "    replicas: [west]\n"
    "    storage_container: docs\n"
    "openai:\n"
    "  chat:\n"
    "    model: {name: gpt-4o, version: '2024-08-06'}\n"
    "    sku: {name: globalstandard, capacity: 5}\n"
    "    version_upgrade: NoAutoUpgrade\n"
    "    accounts: [aoai]\n"
    "settings: {parallelism: 3, connections_per_host: 8, timeouts: {job: "
    "2h}, expiry_window: 7d}\n";

static struct config *
load(const char *text, struct diag_list *diags)
{
	struct config *cfg = NULL;
	struct err err = { 0 };

	config_load_buffer(
	    &cfg, "cfg/standby.yaml", text, strlen(text), diags, &err);
	return cfg;
}

static void
test_valid_file_fills_the_model(void)
{
	struct diag_list d = { 0 };
	struct config *cfg = load(good, &d);
	const struct config_resource *r;
	const struct config_project *p;
	const struct config_openai *o;

	T_OK(cfg != NULL);
	T_EQ_INT(d.n, 0);
	T_EQ_INT(cfg->nresources, 3);
	/* sorted by name */
	T_EQ_STR(cfg->resources[0].name, "aoai");
	T_EQ_STR(cfg->resources[2].name, "west");
	r = config_resource_find(cfg, "west");
	T_OK(r != NULL);
	T_EQ_INT(r->type, CONFIG_RESOURCE_LANGUAGE);
	T_EQ_STR(r->endpoint, "https://w.cognitiveservices.azure.com");
	T_EQ_INT(r->auth.method, CONFIG_AUTH_KEY_ENV);
	T_EQ_STR(r->auth.key_env, "W");
	T_EQ_INT(r->pos.line, 3);
	T_EQ_INT(r->pos.column, 3);
	r = config_resource_find(cfg, "aoai");
	T_EQ_STR(r->account, "acct1");
	T_EQ_STR(r->subscription, "sub1");
	T_EQ_STR(r->resource_group, "rg1");
	T_EQ_INT(config_resource_find(cfg, "east")->auth.method,
	    CONFIG_AUTH_CLIENT_CREDENTIALS);
	T_OK(config_resource_find(cfg, "nope") == NULL);
	p = config_project_find(cfg, "Travel");
	T_OK(p != NULL);
	T_EQ_STR(p->name, "Travel");
	T_EQ_INT(p->kind, CONFIG_KIND_CONVERSATION);
	T_EQ_INT(p->model.mode, CONFIG_TRAINING_STANDARD);
	T_EQ_STR(p->model.config_version, "latest");
	T_EQ_INT(p->ndeployments, 2);
	T_EQ_STR(p->deployments[0].name, "a-stage");
	T_EQ_STR(p->deployments[1].model, "v7");
	p = config_project_find(cfg, "Docs");
	T_EQ_STR(p->name, "DocsAzure");
	T_EQ_STR(p->storage_container, "docs");
	T_EQ_INT(p->model.mode, CONFIG_TRAINING_UNSET);
	o = config_openai_find(cfg, "chat");
	T_OK(o != NULL);
	T_EQ_STR(o->sku_name, "GlobalStandard");
	T_EQ_INT(o->sku_capacity, 5);
	T_EQ_STR(o->model_format, "OpenAI");
	T_EQ_STR(config_upgrade_name(o->upgrade), "NoAutoUpgrade");
	T_EQ_INT(o->non, 1);
	T_EQ_INT(cfg->settings.parallelism, 3);
	T_EQ_INT(cfg->settings.connections_per_host, 8);
	T_EQ_INT(cfg->settings.job_timeout_s, 7200);
	T_EQ_INT(cfg->settings.expiry_window_s, 7 * 86400);
	T_EQ_INT(cfg->settings.post_per_minute, 10);
	T_EQ_STR(cfg->settings.state_path, "cfg/.standby/state.db");
	T_EQ_INT(strlen(cfg->hash_hex), 64);
	config_free(cfg);
	diag_list_release(&d);
}

static void
test_hash_ignores_layout_but_not_values(void)
{
	struct diag_list d = { 0 };
	struct config *a = load(good, &d), *b = NULL, *c = NULL;
	char *copy = malloc(sizeof(good) + 64), *p;

	T_OK(a != NULL && copy != NULL);
	/* Same model: a comment and different key order. */
	memcpy(copy, "# hello\n", 8);
	memcpy(copy + 8, good, sizeof(good));
	b = load(copy, &d);
	T_OK(b != NULL);
	T_EQ_STR(a->hash_hex, b->hash_hex);
	p = strstr(copy, "capacity: 5");
	T_OK(p != NULL);
	p[10] = '6';
	c = load(copy, &d);
	T_OK(c != NULL);
	T_OK(strcmp(a->hash_hex, c->hash_hex) != 0);
	config_free(a);
	config_free(b);
	config_free(c);
	free(copy);
	diag_list_release(&d);
}

static void
test_connections_per_host(void)
{
	struct diag_list d = { 0 };
	struct config *a, *b = NULL, *cfg = NULL;
	struct err err = { 0 };
	char *copy = strdup(good), *p;

	T_OK(copy != NULL);
	a = load(good, &d);
	T_OK(a != NULL);
	/* How fast is not what: the hash (and so a saved plan) stays. */
	p = strstr(copy, "connections_per_host: 8");
	T_OK(p != NULL);
	memcpy(p, "connections_per_host: 9", 23);
	b = load(copy, &d);
	T_OK(b != NULL);
	T_EQ_INT(b->settings.connections_per_host, 9);
	T_EQ_STR(a->hash_hex, b->hash_hex);
	/* Out of range: an error naming the key and line. */
	memcpy(p, "connections_per_host: 0", 23);
	T_EQ_INT(
	    config_load_buffer(&cfg, "f.yaml", copy, strlen(copy), &d, &err),
	    -1);
	T_OK(cfg == NULL);
	T_OK(d.nerrors >= 1);
	T_EQ_STR(d.v[d.n - 1].path, "settings.connections_per_host");
	/* Absent: 32. */
	p = strstr(copy, "settings:");
	T_OK(p != NULL);
	*p = '\0';
	cfg = load(copy, &d);
	T_OK(cfg != NULL);
	T_EQ_INT(cfg->settings.connections_per_host, 32);
	config_free(cfg);
	config_free(a);
	config_free(b);
	free(copy);
	diag_list_release(&d);
}

static void
test_a_project_name_is_claimed_once_per_resource(void)
{
	struct diag_list d = { 0 };
	struct config *cfg = NULL;
	struct err err = { 0 };
	const char *text =
	    "version: 1\n"
	    "resources:\n"
	    "  east: {type: language, region: eastus, endpoint: "
	    "https://e.example, auth: {key_env: E}}\n"
	    "  west: {type: language, region: westus, endpoint: "
	    "https://w.example, auth: {key_env: W}}\n"
	    "  north: {type: language, region: northeurope, endpoint: "
	    "https://n.example, auth: {key_env: N}}\n"
	    "projects:\n"
	    "  A: {name: Travel, kind: conversation, source: east, replicas: "
	    "[west]}\n"
	    "  B: {name: Alpha, kind: conversation, source: east, replicas: "
	    "[west]}\n"
	    "  C: {name: Travel, kind: conversation, source: north, replicas: "
	    "[west]}\n"
	    "  D: {name: Travel2, kind: conversation, source: north, replicas: "
	    "[west]}\n";

	T_EQ_INT(
	    config_load_buffer(&cfg, "f.yaml", text, strlen(text), &d, &err),
	    -1);
	T_EQ_INT(d.nerrors, 1);
	T_EQ_STR(d.v[0].path, "projects.C");
	T_EQ_INT(d.v[0].line, 9);
	T_CONTAINS(d.v[0].message,
	    "project name 'Travel' on resource 'west' is already claimed by "
	    "projects.A (line 7)");
	diag_list_release(&d);
}

static void
test_every_problem_is_reported_sorted(void)
{
	struct diag_list d = { 0 };
	struct config *cfg;
	struct err err = { 0 };
	const char *bad =
	    "version: 1\n"
	    "resources:\n"
	    "  x: {type: lang, region: eastus, endpoint: "
	    "https://x.example, auth: {key_env: X}}\n"
	    "projects:\n"
	    "  P: {kind: conversation, source: y, replicas: [x]}\n"
	    "bogus: 1\n";
	size_t i;

	T_EQ_INT(
	    config_load_buffer(&cfg, "f.yaml", bad, strlen(bad), &d, &err), -1);
	T_OK(cfg == NULL);
	T_EQ_INT(err.code, ERR_SPEC);
	T_EQ_INT(d.nerrors, 3);
	for (i = 1; i < d.n; i++)
		T_OK(d.v[i - 1].line <= d.v[i].line);
	T_EQ_INT(d.v[0].line, 3);
	T_EQ_STR(d.v[0].path, "resources.x.type");
	T_EQ_STR(d.v[1].path, "projects.P.source");
	T_EQ_INT(d.v[2].line, 6);
	T_CONTAINS(d.v[2].message, "unknown key 'bogus'");
	diag_list_release(&d);
}

static void
test_secret_value_never_in_diagnostics(void)
{
	struct diag_list d = { 0 };
	struct buf out = { 0 };
	struct err err = { 0 };
	const char *bad = "version: 1\nresources:\n"
	                  "  x: {type: language, region: eastus, endpoint: "
	                  "https://x.example, auth: {key_env: X, "
	                  "api_key: TOPSECRET1}}\n"
	                  "  y: {type: language, region: eastus, endpoint: "
	                  "https://u:TOPSECRET2@y.example, auth: {key_env: "
	                  "'TOPSECRET3=='}}\n";

	T_OK(load(bad, &d) == NULL);
	T_EQ_INT(d.nerrors, 3);
	T_EQ_INT(diag_format_text(&d, &out, &err), 0);
	T_EQ_INT(diag_format_json(&d, &out, &err), 0);
	T_CONTAINS(buf_str(&out), "secrets must not be written inline");
	T_OK(strstr(buf_str(&out), "TOPSECRET") == NULL);
	buf_release(&out);
	diag_list_release(&d);
}

static void
test_helpers(void)
{
	long long s;

	T_EQ_STR(config_kind_azure(CONFIG_KIND_TEXT_CLASSIFICATION),
	    "CustomSingleLabelClassification");
	T_EQ_STR(config_kind_azure(CONFIG_KIND_TEXT_MULTI_CLASSIFICATION),
	    "CustomMultiLabelClassification");
	T_EQ_STR(
	    config_kind_azure(CONFIG_KIND_TEXT_NER), "CustomEntityRecognition");
	T_EQ_STR(config_kind_azure(CONFIG_KIND_ORCHESTRATION), "Orchestration");
	T_EQ_STR(config_kind_family(CONFIG_KIND_CONVERSATION),
	    "analyze-conversations");
	T_EQ_STR(config_kind_family(CONFIG_KIND_TEXT_NER), "analyze-text");
	T_EQ_STR(config_kind_name(CONFIG_KIND_TEXT_NER), "text-ner");
	T_OK(config_kind_azure((enum config_project_kind)0) == NULL);
	T_EQ_INT(config_parse_duration("30s", &s), 0);
	T_EQ_INT(s, 30);
	T_EQ_INT(config_parse_duration("10m", &s), 0);
	T_EQ_INT(s, 600);
	T_EQ_INT(config_parse_duration("45", &s), 0);
	T_EQ_INT(s, 45);
	T_EQ_INT(config_parse_duration("1d", &s), 0);
	T_EQ_INT(s, 86400);
	T_EQ_INT(config_parse_duration("1w", &s), -1);
	T_EQ_INT(config_parse_duration("m", &s), -1);
	T_EQ_INT(config_parse_duration("5mm", &s), -1);
	T_EQ_INT(config_valid_name("Travel_Agent.v-2"), 1);
	T_EQ_INT(config_valid_name("has space"), 0);
	T_EQ_INT(config_valid_name(""), 0);
	T_EQ_INT(config_valid_name(
	             "12345678901234567890123456789012345678901234567890"),
	    1);
	T_EQ_INT(config_valid_name(
	             "123456789012345678901234567890123456789012345678901"),
	    0);
	T_EQ_INT(config_valid_account_name("a"), 0);
	T_EQ_INT(config_valid_account_name("ab"), 1);
	T_EQ_INT(config_valid_account_name("_ab"), 0);
	T_EQ_INT(config_valid_account_name("a.b_c-d"), 1);
}

static void
test_empty_and_missing_file(void)
{
	struct diag_list d = { 0 };
	struct config *cfg = NULL;
	struct err err = { 0 };

	T_OK(load("# only a comment\n", &d) == NULL);
	T_EQ_INT(d.nerrors, 1);
	T_CONTAINS(d.v[0].message, "the file is empty");
	T_EQ_INT(config_load(&cfg, "/nonexistent/standby.yaml", &d, &err), -1);
	T_EQ_INT(err.code, ERR_IO);
	T_CONTAINS(err.msg, "cannot open");
	diag_list_release(&d);
}

int
main(void)
{
	T_RUN(test_valid_file_fills_the_model);
	T_RUN(test_hash_ignores_layout_but_not_values);
	T_RUN(test_connections_per_host);
	T_RUN(test_a_project_name_is_claimed_once_per_resource);
	T_RUN(test_every_problem_is_reported_sorted);
	T_RUN(test_secret_value_never_in_diagnostics);
	T_RUN(test_helpers);
	T_RUN(test_empty_and_missing_file);
	return t_done();
}
