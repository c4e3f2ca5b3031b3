/*
 * config.c - standby.yaml into the desired model, validated strictly.
 *
 * Validation never stops at the first problem: each check reports into a
 * diagnostic list and parsing goes on with what is usable, so one run shows
 * every mistake.  Cross-references (sources, replicas, routes, accounts,
 * names claimed twice on one resource) are checked in a second pass, once
 * every object is known.  Values that could be secrets are never copied
 * into a message.
 *
 * This file is the loader and the document's top level (resources, auth,
 * settings); yamlget.c reads typed values, config_check.c checks values
 * and references, config_project.c and config_openai.c parse the two kinds
 * of replicated object, confighash.c hashes the result.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "config_int.h"

#define MAX_CONFIG_BYTES (4u << 20)

/* --- auth ------------------------------------------------------------ */

static const char *const auth_keys[] = { "key_env", "key_file", "entra",
	"tenant_id", "client_id", "client_secret_env", NULL };
static const char *const entra_names[] = { "client-credentials",
	"managed-identity", "azure-cli", NULL };

static void
parse_auth(struct ctx *c, ynode *rmap, ynode *rkey, const char *rpath,
    struct config_resource *r)
{
	struct config_auth *a = &r->auth;
	ynode *map, *v, *kv;
	char *path;
	int n = 0, e;

	map = yamlget_field(c, rmap, rkey, rpath, "auth", 1);
	if (map == NULL)
		return;
	if ((path = yamlget_join(c, rpath, "auth")) == NULL)
		return;
	a->pos.line = map->line;
	a->pos.column = map->column;
	if (yamlget_check_keys(c, map, path, auth_keys) != 0)
		goto out;
	n = (yamltree_get(map, "key_env") != NULL) +
	    (yamltree_get(map, "key_file") != NULL) +
	    (yamltree_get(map, "entra") != NULL);
	if (n != 1) {
		ERR_AT(c, map, path, "%s",
		    n == 0 ? "needs one of key_env, key_file or entra"
		           : "give only one of key_env, key_file and entra");
		goto out;
	}
	if (yamlget_str(c, map, NULL, path, "key_env", 0, &a->key_env, &kv) ==
	        0 &&
	    a->key_env != NULL) {
		a->method = CONFIG_AUTH_KEY_ENV;
		if (!config_valid_env_name(a->key_env)) {
			char *p = yamlget_join(c, path, "key_env");
			/* It may be the key itself: do not echo it. */
			ERR_AT(c, kv, p,
			    "must be the name of an environment "
			    "variable (letters, digits, '_'), "
			    "not the key itself");
			free(p);
		}
	}
	if (yamlget_str(
	        c, map, NULL, path, "key_file", 0, &a->key_file, NULL) == 0 &&
	    a->key_file != NULL) {
		a->method = CONFIG_AUTH_KEY_FILE;
		a->key_file_path = config_resolve(c, a->key_file);
	}
	if (yamlget_enum(c, map, NULL, path, "entra", 0, entra_names, &e, &v) ==
	        0 &&
	    v != NULL)
		a->method = (enum config_auth_method)(
		    CONFIG_AUTH_CLIENT_CREDENTIALS + e);
	yamlget_str(c, map, NULL, path, "tenant_id", 0, &a->tenant_id, NULL);
	yamlget_str(c, map, NULL, path, "client_id", 0, &a->client_id, NULL);
	yamlget_str(c, map, NULL, path, "client_secret_env", 0,
	    &a->client_secret_env, &kv);
	if (a->client_secret_env != NULL &&
	    !config_valid_env_name(a->client_secret_env)) {
		char *p = yamlget_join(c, path, "client_secret_env");

		ERR_AT(c, kv, p,
		    "must be the name of an environment variable "
		    "(letters, digits, '_'), not the secret "
		    "itself");
		free(p);
	}
	if (a->method == CONFIG_AUTH_CLIENT_CREDENTIALS) {
		if (a->tenant_id == NULL)
			ERR_AT(c, map, path,
			    "entra: client-credentials needs "
			    "tenant_id");
		if (a->client_id == NULL)
			ERR_AT(c, map, path,
			    "entra: client-credentials needs "
			    "client_id");
		if (a->client_secret_env == NULL)
			ERR_AT(c, map, path,
			    "entra: client-credentials needs "
			    "client_secret_env");
	} else if (a->client_secret_env != NULL ||
	    (a->tenant_id != NULL && a->method != CONFIG_AUTH_AZURE_CLI) ||
	    (a->client_id != NULL &&
	        a->method != CONFIG_AUTH_MANAGED_IDENTITY)) {
		ERR_AT(c, map, path,
		    "tenant_id, client_id and client_secret_env belong with "
		    "entra: client-credentials (client_id also with "
		    "managed-identity, tenant_id with azure-cli)");
	}
	if (r->type == CONFIG_RESOURCE_OPENAI &&
	    (a->method == CONFIG_AUTH_KEY_ENV ||
	        a->method == CONFIG_AUTH_KEY_FILE))
		ERR_AT(c, map, path,
		    "an openai resource needs entra auth: its deployments are "
		    "managed through Azure Resource Manager, which takes no "
		    "keys");
out:
	free(path);
}

/* --- resources ------------------------------------------------------- */

static const char *const resource_keys[] = { "type", "region", "endpoint", "id",
	"api_version", "auth", NULL };
static const char *const type_names[] = { "language", "openai", NULL };

/* /subscriptions/S/resourceGroups/G/providers/Microsoft.CognitiveServices/
 * accounts/A */
static void
parse_arm_id(
    struct ctx *c, ynode *at, const char *path, struct config_resource *r)
{
	static const char *const fixed[] = { "subscriptions", NULL,
		"resourceGroups", NULL, "providers",
		"Microsoft.CognitiveServices", "accounts", NULL };
	char *copy, *seg, *save = NULL, *parts[8];
	size_t n = 0, i;
	int ok = 1;

	if ((copy = yamlget_dup(c, r->id)) == NULL)
		return;
	if (copy[0] != '/')
		ok = 0;
	for (seg = strtok_r(copy, "/", &save); ok && seg != NULL;
	     seg = strtok_r(NULL, "/", &save)) {
		if (n == 8) {
			ok = 0;
			break;
		}
		parts[n++] = seg;
	}
	for (i = 0; ok && i < n; i++)
		if (fixed[i] != NULL && strcasecmp(parts[i], fixed[i]) != 0)
			ok = 0;
	if (!ok || n != 8) {
		ERR_AT(c, at, path,
		    "expected an ARM id /subscriptions/<id>/resourceGroups/"
		    "<group>/providers/Microsoft.CognitiveServices/accounts/"
		    "<name>");
		free(copy);
		return;
	}
	r->subscription = yamlget_dup(c, parts[1]);
	r->resource_group = yamlget_dup(c, parts[3]);
	r->account = yamlget_dup(c, parts[7]);
	if (r->account != NULL && !config_valid_account_name(r->account))
		ERR_AT(c, at, path,
		    "account name '%s' must be 2-64 characters, start with a "
		    "letter or digit, and hold only letters, digits, '_', "
		    "'.' and '-'",
		    yamlget_show(r->account).s);
	free(copy);
}

static void
parse_resource(struct ctx *c, ynode *key, ynode *map, const char *path,
    struct config_resource *r)
{
	ynode *v;
	int t;

	r->pos.line = key->line;
	r->pos.column = key->column;
	if ((r->name = yamlget_dup(c, key->value)) == NULL)
		return;
	if (!config_name_chars(r->name, 64))
		ERR_AT(c, key, path,
		    "resource name '%s' must be 1-64 letters, "
		    "digits, '_', '.' or '-'",
		    yamlget_show(r->name).s);
	if (yamlget_check_keys(c, map, path, resource_keys) != 0)
		return;
	if (yamlget_enum(c, map, key, path, "type", 1, type_names, &t, NULL) ==
	    0)
		r->type = (enum config_resource_type)(t + 1);
	if (yamlget_str(c, map, key, path, "region", 1, &r->region, &v) == 0 &&
	    !config_valid_region(r->region)) {
		char *p = yamlget_join(c, path, "region");
		ERR_AT(c, v, p,
		    "region '%s' should be an Azure region name "
		    "such as eastus or westeurope",
		    yamlget_show(r->region).s);
		free(p);
	}
	if (yamlget_str(c, map, key, path, "endpoint",
	        r->type == CONFIG_RESOURCE_LANGUAGE, &r->endpoint, &v) == 0 &&
	    r->endpoint != NULL) {
		char *p = yamlget_join(c, path, "endpoint");
		config_check_url(c, v, p, r->endpoint);
		free(p);
	}
	if (yamlget_str(c, map, key, path, "id",
	        r->type == CONFIG_RESOURCE_OPENAI, &r->id, &v) == 0 &&
	    r->id != NULL) {
		char *p = yamlget_join(c, path, "id");
		parse_arm_id(c, v, p, r);
		free(p);
	}
	yamlget_str(c, map, key, path, "api_version", 0, &r->api_version, NULL);
	parse_auth(c, map, key, path, r);
}

/* --- settings -------------------------------------------------------- */

static const char *const settings_keys[] = { "state", "parallelism",
	"connections_per_host", "rate_limits", "timeouts", "expiry_window",
	"arm_endpoint", "authority_host", NULL };
static const char *const rate_keys[] = { "get_per_minute", "post_per_minute",
	NULL };
static const char *const timeout_keys[] = { "connect", "request", "job", NULL };

static void
parse_settings(struct ctx *c, ynode *root)
{
	struct config_settings *s = &c->cfg->settings;
	ynode *map, *sub, *v;
	long long ll;
	char *p;

	s->parallelism = 4;
	s->connections_per_host = 32;
	s->get_per_minute = 100;
	s->post_per_minute = 10;
	s->connect_timeout_s = 10;
	s->request_timeout_s = 120;
	s->job_timeout_s = 3600;
	s->expiry_window_s = 30 * 86400;
	map = yamlget_field(c, root, NULL, "", "settings", 0);
	if (map != NULL &&
	    yamlget_check_keys(c, map, "settings", settings_keys) == 0) {
		s->pos.line = map->line;
		s->pos.column = map->column;
		yamlget_str(
		    c, map, NULL, "settings", "state", 0, &s->state, NULL);
		if (yamlget_int(c, map, NULL, "settings", "parallelism", 0, 1,
		        1000, &ll) == 0 &&
		    yamltree_get(map, "parallelism") != NULL)
			s->parallelism = (int)ll;
		if (yamlget_int(c, map, NULL, "settings",
		        "connections_per_host", 0, 1, 256, &ll) == 0 &&
		    yamltree_get(map, "connections_per_host") != NULL)
			s->connections_per_host = (int)ll;
		sub = yamlget_field(c, map, NULL, "settings", "rate_limits", 0);
		if (sub != NULL &&
		    yamlget_check_keys(
		        c, sub, "settings.rate_limits", rate_keys) == 0) {
			if (yamlget_int(c, sub, NULL, "settings.rate_limits",
			        "get_per_minute", 0, 1, 100000, &ll) == 0 &&
			    yamltree_get(sub, "get_per_minute") != NULL)
				s->get_per_minute = (int)ll;
			if (yamlget_int(c, sub, NULL, "settings.rate_limits",
			        "post_per_minute", 0, 1, 100000, &ll) == 0 &&
			    yamltree_get(sub, "post_per_minute") != NULL)
				s->post_per_minute = (int)ll;
		}
		sub = yamlget_field(c, map, NULL, "settings", "timeouts", 0);
		if (sub != NULL &&
		    yamlget_check_keys(
		        c, sub, "settings.timeouts", timeout_keys) == 0) {
			yamlget_duration(c, sub, "settings.timeouts", "connect",
			    &s->connect_timeout_s);
			yamlget_duration(c, sub, "settings.timeouts", "request",
			    &s->request_timeout_s);
			yamlget_duration(c, sub, "settings.timeouts", "job",
			    &s->job_timeout_s);
		}
		yamlget_duration(
		    c, map, "settings", "expiry_window", &s->expiry_window_s);
		if (yamlget_str(c, map, NULL, "settings", "arm_endpoint", 0,
		        &s->arm_endpoint, &v) == 0 &&
		    s->arm_endpoint != NULL) {
			p = yamlget_join(c, "settings", "arm_endpoint");
			config_check_url(c, v, p, s->arm_endpoint);
			free(p);
		}
		if (yamlget_str(c, map, NULL, "settings", "authority_host", 0,
		        &s->authority_host, &v) == 0 &&
		    s->authority_host != NULL) {
			p = yamlget_join(c, "settings", "authority_host");
			config_check_url(c, v, p, s->authority_host);
			free(p);
		}
	}
	if (s->arm_endpoint == NULL)
		s->arm_endpoint =
		    yamlget_dup(c, "https://management.azure.com");
	if (s->authority_host == NULL)
		s->authority_host =
		    yamlget_dup(c, "https://login.microsoftonline.com");
	s->state_path =
	    config_resolve(c, s->state ? s->state : ".standby/state.db");
}

/* --- the document ---------------------------------------------------- */

static const char *const top_keys[] = { "version", "resources", "projects",
	"openai", "settings", NULL };

/* A mapping of names to mappings: resources, projects, openai. */
static ynode *
named_map(struct ctx *c, ynode *root, const char *key, int required)
{
	ynode *map = yamlget_field(c, root, root, "", key, required);

	if (map == NULL)
		return NULL;
	if (map->type != YAMLTREE_MAP) {
		ERR_AT(c, map, key, "expected a mapping of names, got %s",
		    yamlget_describe(map));
		return NULL;
	}
	yamlget_check_dups(c, map, key);
	return map;
}

static void
parse_root(struct ctx *c, ynode *root)
{
	struct config *cfg = c->cfg;
	ynode *res, *prj, *oai, *k, *v;
	long long ver;
	size_t i;
	char *p;

	if (root == NULL ||
	    (root->type == YAMLTREE_SCALAR && yamlget_is_null(root))) {
		yamlget_report(c, 1, 1, "", DIAG_ERROR,
		    "the file is empty; it needs at least version and "
		    "resources");
		return;
	}
	if (yamlget_check_keys(c, root, "", top_keys) != 0)
		return;
	if (yamlget_int(c, root, root, "", "version", 1, 0, 1000, &ver) == 0) {
		cfg->version = (int)ver;
		if (ver != 1) {
			v = yamltree_get(root, "version");
			ERR_AT(c, v, "version",
			    "unsupported version %lld; this standby reads "
			    "version 1",
			    ver);
		}
	}
	res = named_map(c, root, "resources", 1);
	prj = named_map(c, root, "projects", 0);
	oai = named_map(c, root, "openai", 0);
	if (res != NULL &&
	    (cfg->resources =
	            calloc(res->n / 2 + 1, sizeof(*cfg->resources))) == NULL)
		goto nomem;
	if (prj != NULL &&
	    (cfg->projects = calloc(prj->n / 2 + 1, sizeof(*cfg->projects))) ==
	        NULL)
		goto nomem;
	if (oai != NULL &&
	    (cfg->openai = calloc(oai->n / 2 + 1, sizeof(*cfg->openai))) ==
	        NULL)
		goto nomem;
	for (i = 0; res != NULL && i + 1 < res->n && !c->nomem; i += 2) {
		k = res->items[i];
		if (!yamlget_first_of_name(res, i) ||
		    (p = yamlget_join(c, "resources", k->value)) == NULL)
			continue;
		parse_resource(c, k, res->items[i + 1], p,
		    &cfg->resources[cfg->nresources++]);
		free(p);
	}
	for (i = 0; prj != NULL && i + 1 < prj->n && !c->nomem; i += 2) {
		struct config_project *pr;

		k = prj->items[i];
		if (!yamlget_first_of_name(prj, i) ||
		    (p = yamlget_join(c, "projects", k->value)) == NULL)
			continue;
		pr = &cfg->projects[cfg->nprojects++];
		config_parse_project(c, k, prj->items[i + 1], p, pr);
		if (prj->items[i + 1]->type == YAMLTREE_MAP)
			config_check_project_refs(c, prj->items[i + 1], p, pr);
		free(p);
	}
	for (i = 0; oai != NULL && i + 1 < oai->n && !c->nomem; i += 2) {
		struct config_openai *o;

		k = oai->items[i];
		if (!yamlget_first_of_name(oai, i) ||
		    (p = yamlget_join(c, "openai", k->value)) == NULL)
			continue;
		o = &cfg->openai[cfg->nopenai++];
		config_parse_openai(c, k, oai->items[i + 1], p, o);
		if (oai->items[i + 1]->type == YAMLTREE_MAP)
			config_check_openai_refs(c, oai->items[i + 1], p, o);
		free(p);
	}
	parse_settings(c, root);
	if (prj != NULL)
		config_check_routes(c, prj);
	config_check_claims(c);
	return;
nomem:
	c->nomem = 1;
}

/* --- sorting, lookups, names ----------------------------------------- */

static int
cmp_resource(const void *a, const void *b)
{
	return strcmp(((const struct config_resource *)a)->name,
	    ((const struct config_resource *)b)->name);
}

static int
cmp_project(const void *a, const void *b)
{
	return strcmp(((const struct config_project *)a)->key,
	    ((const struct config_project *)b)->key);
}

static int
cmp_openai(const void *a, const void *b)
{
	return strcmp(((const struct config_openai *)a)->key,
	    ((const struct config_openai *)b)->key);
}

static int
cmp_deployment(const void *a, const void *b)
{
	return strcmp(((const struct config_deployment *)a)->name,
	    ((const struct config_deployment *)b)->name);
}

static void
sort_model(struct config *cfg)
{
	size_t i;

	if (cfg->nresources > 1)
		qsort(cfg->resources, cfg->nresources, sizeof(*cfg->resources),
		    cmp_resource);
	if (cfg->nprojects > 1)
		qsort(cfg->projects, cfg->nprojects, sizeof(*cfg->projects),
		    cmp_project);
	if (cfg->nopenai > 1)
		qsort(cfg->openai, cfg->nopenai, sizeof(*cfg->openai),
		    cmp_openai);
	for (i = 0; i < cfg->nprojects; i++)
		if (cfg->projects[i].ndeployments > 1)
			qsort(cfg->projects[i].deployments,
			    cfg->projects[i].ndeployments,
			    sizeof(*cfg->projects[i].deployments),
			    cmp_deployment);
}

const struct config_resource *
config_resource_find(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nresources; i++)
		if (cfg->resources[i].name != NULL &&
		    strcmp(cfg->resources[i].name, name) == 0)
			return &cfg->resources[i];
	return NULL;
}

const struct config_project *
config_project_find(const struct config *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->nprojects; i++)
		if (strcmp(cfg->projects[i].key, key) == 0)
			return &cfg->projects[i];
	return NULL;
}

const struct config_openai *
config_openai_find(const struct config *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->nopenai; i++)
		if (strcmp(cfg->openai[i].key, key) == 0)
			return &cfg->openai[i];
	return NULL;
}

const char *
config_resource_type_name(enum config_resource_type type)
{
	if (type == CONFIG_RESOURCE_LANGUAGE)
		return "language";
	if (type == CONFIG_RESOURCE_OPENAI)
		return "openai";
	return NULL;
}

const char *
config_auth_method_name(enum config_auth_method method)
{
	static const char *const names[] = { "key_env", "key_file",
		"client-credentials", "managed-identity", "azure-cli" };

	if (method < CONFIG_AUTH_KEY_ENV || method > CONFIG_AUTH_AZURE_CLI)
		return NULL;
	return names[method - 1];
}

const char *
config_training_mode_name(enum config_training_mode mode)
{
	if (mode == CONFIG_TRAINING_STANDARD)
		return "standard";
	if (mode == CONFIG_TRAINING_ADVANCED)
		return "advanced";
	return NULL;
}

/* --- life cycle ------------------------------------------------------ */

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
config_free(struct config *cfg)
{
	size_t i, j;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nresources; i++) {
		struct config_resource *r = &cfg->resources[i];

		free(r->name);
		free(r->region);
		free(r->endpoint);
		free(r->id);
		free(r->subscription);
		free(r->resource_group);
		free(r->account);
		free(r->api_version);
		free(r->auth.key_env);
		free(r->auth.key_file);
		free(r->auth.key_file_path);
		free(r->auth.tenant_id);
		free(r->auth.client_id);
		free(r->auth.client_secret_env);
	}
	free(cfg->resources);
	for (i = 0; i < cfg->nprojects; i++) {
		struct config_project *p = &cfg->projects[i];

		free(p->key);
		free(p->name);
		free(p->source);
		free(p->assets);
		free(p->assets_path);
		free_list(p->replicas, p->nreplicas);
		free(p->model.label);
		free(p->model.config_version);
		for (j = 0; j < p->ndeployments; j++) {
			free(p->deployments[j].name);
			free(p->deployments[j].model);
		}
		free(p->deployments);
		free(p->storage_container);
		free_list(p->routes, p->nroutes);
	}
	free(cfg->projects);
	for (i = 0; i < cfg->nopenai; i++) {
		struct config_openai *o = &cfg->openai[i];

		free(o->key);
		free(o->name);
		free(o->model_format);
		free(o->model_name);
		free(o->model_version);
		free(o->sku_name);
		free(o->rai_policy);
		free_list(o->on, o->non);
		if (o->fine_tune != NULL) {
			free(o->fine_tune->base_model);
			free(o->fine_tune->training_file);
			free(o->fine_tune->training_path);
			free(o->fine_tune->validation_file);
			free(o->fine_tune->validation_path);
			free(o->fine_tune->suffix);
			free(o->fine_tune);
		}
	}
	free(cfg->openai);
	free(cfg->settings.state);
	free(cfg->settings.state_path);
	free(cfg->settings.arm_endpoint);
	free(cfg->settings.authority_host);
	free(cfg->path);
	free(cfg->dir);
	free(cfg);
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d;

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	if ((d = malloc((size_t)(slash - path) + 1)) == NULL)
		return NULL;
	memcpy(d, path, (size_t)(slash - path));
	d[slash - path] = '\0';
	return d;
}

int
config_load_buffer(struct config **out, const char *name, const char *data,
    size_t len, struct diag_list *diags, struct err *err)
{
	struct yamltree_limits lim = { .max_bytes = MAX_CONFIG_BYTES };
	struct yamltree_node *root = NULL;
	struct config *cfg = NULL;
	struct ctx c;
	size_t before = diags->nerrors;
	int rc = -1;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.file = name;
	c.diags = diags;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL ||
	    (cfg->path = strdup(name)) == NULL ||
	    (cfg->dir = dir_of(name)) == NULL) {
		err_set(err, ERR_NOMEM, "out of memory loading '%s'", name);
		goto out;
	}
	c.cfg = cfg;
	if (yamltree_parse(&root, name, data, len, &lim, diags, err) != 0)
		goto sort;
	parse_root(&c, root);
	if (c.nomem || diags->nomem) {
		err_set(err, ERR_NOMEM, "out of memory loading '%s'", name);
		goto out;
	}
sort:
	diag_sort(diags);
	if (diags->nerrors > before) {
		err_set(err, ERR_SPEC, "%s: %zu error%s", name,
		    diags->nerrors - before,
		    diags->nerrors - before == 1 ? "" : "s");
		goto out;
	}
	if (err->code == ERR_NOMEM)
		goto out;
	sort_model(cfg);
	if (config_hash(cfg, err) != 0)
		goto out;
	*out = cfg;
	cfg = NULL;
	rc = 0;
out:
	yamltree_free(root);
	config_free(cfg);
	return rc;
}

int
config_load(struct config **out, const char *path, struct diag_list *diags,
    struct err *err)
{
	struct buf b = { .max = MAX_CONFIG_BYTES + 1 };
	char chunk[16384];
	ssize_t n;
	int fd, rc = -1;

	*out = NULL;
	if ((fd = open(path, O_RDONLY)) < 0)
		return err_set(
		    err, ERR_IO, "cannot open '%s': %s", path, strerror(errno));
	/* Read at most one byte past the limit: enough to refuse it. */
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(err, ERR_IO, "cannot read '%s': %s", path,
			    strerror(errno));
			goto out;
		}
		if (b.len + (size_t)n > b.max) {
			buf_add(&b, chunk, b.max - b.len);
			break;
		}
		if (buf_add(&b, chunk, (size_t)n) != 0)
			break;
	}
	if (b.failed) {
		err_set(err, ERR_NOMEM, "out of memory reading '%s'", path);
		goto out;
	}
	rc = config_load_buffer(
	    out, path, b.data ? b.data : "", b.len, diags, err);
out:
	close(fd);
	buf_release(&b);
	return rc;
}
