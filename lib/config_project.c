/*
 * config_project.c - Language projects in standby.yaml: kind, source or
 * assets (an exported project checked against the kind), replicas,
 * model, deployments, storage container and routes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "config_int.h"

#define MAX_ASSETS_BYTES (64u << 20)

/* --- projects -------------------------------------------------------- */

static const char *const project_keys[] = { "name", "kind", "source", "assets",
	"replicas", "model", "deployments", "storage_container", "routes",
	"protect", NULL };
static const char *const kind_names[] = { "conversation", "orchestration",
	"text-classification", "text-multi-classification", "text-ner", NULL };
static const char *const model_keys[] = { "label", "mode",
	"training_config_version", "evaluation", NULL };
static const char *const mode_names[] = { "standard", "advanced", NULL };
static const char *const eval_keys[] = { "kind", "training_split",
	"testing_split", NULL };
static const char *const eval_names[] = { "percentage", "manual", NULL };

static void
parse_model(struct ctx *c, ynode *pmap, ynode *pkey, const char *ppath,
    struct config_project *pr)
{
	struct config_model *m = &pr->model;
	ynode *map, *ev, *v;
	char *path, *epath = NULL;
	long long tr = 0, te = 0;
	int i;

	if ((map = yamlget_field(c, pmap, pkey, ppath, "model", 0)) == NULL)
		return;
	if ((path = yamlget_join(c, ppath, "model")) == NULL)
		return;
	m->pos.line = map->line;
	m->pos.column = map->column;
	if (yamlget_check_keys(c, map, path, model_keys) != 0)
		goto out;
	if (yamlget_str(c, map, pkey, path, "label", 1, &m->label, &v) == 0) {
		char *p = yamlget_join(c, path, "label");
		config_check_name(c, v, p, "model label", m->label);
		free(p);
	}
	if (yamlget_enum(c, map, NULL, path, "mode", 0, mode_names, &i, &v) ==
	        0 &&
	    v != NULL) {
		m->mode = (enum config_training_mode)(i + 1);
		if (config_kind_is_text(pr->kind)) {
			char *p = yamlget_join(c, path, "mode");
			ERR_AT(c, v, p, "text projects have no training mode");
			free(p);
		}
	}
	if (m->mode == CONFIG_TRAINING_UNSET && !config_kind_is_text(pr->kind))
		m->mode = CONFIG_TRAINING_STANDARD;
	yamlget_str(c, map, NULL, path, "training_config_version", 0,
	    &m->config_version, NULL);
	if (m->config_version == NULL)
		m->config_version = yamlget_dup(c, "latest");
	if ((ev = yamlget_field(c, map, NULL, path, "evaluation", 0)) == NULL)
		goto out;
	if ((epath = yamlget_join(c, path, "evaluation")) == NULL ||
	    yamlget_check_keys(c, ev, epath, eval_keys) != 0)
		goto out;
	if (yamlget_enum(c, ev, NULL, epath, "kind", 0, eval_names, &i, &v) ==
	        0 &&
	    v != NULL)
		m->eval_kind = (enum config_eval_kind)(i + 1);
	yamlget_int(c, ev, NULL, epath, "training_split", 0, 1, 99, &tr);
	yamlget_int(c, ev, NULL, epath, "testing_split", 0, 1, 99, &te);
	if (tr != 0 || te != 0) {
		if (m->eval_kind == CONFIG_EVAL_MANUAL) {
			ERR_AT(c, ev, epath,
			    "splits apply only to kind "
			    "percentage; manual uses each "
			    "item's dataset");
		} else if (tr + te != 100) {
			ERR_AT(c, ev, epath,
			    "training_split and testing_split must add up to "
			    "100, got %lld + %lld",
			    tr, te);
		} else {
			m->eval_kind = CONFIG_EVAL_PERCENTAGE;
			m->training_split = (int)tr;
			m->testing_split = (int)te;
		}
	}
out:
	free(epath);
	free(path);
}

static void
parse_deployments(
    struct ctx *c, ynode *pmap, const char *ppath, struct config_project *pr)
{
	ynode *map, *k, *v;
	char *path, *p;
	size_t i;

	if ((map = yamlget_field(c, pmap, NULL, ppath, "deployments", 0)) ==
	    NULL)
		return;
	if ((path = yamlget_join(c, ppath, "deployments")) == NULL)
		return;
	if (map->type != YAMLTREE_MAP) {
		ERR_AT(c, map, path,
		    "expected a mapping of deployment name to model label, got "
		    "%s",
		    yamlget_describe(map));
		goto out;
	}
	yamlget_check_dups(c, map, path);
	pr->deployments = calloc(map->n / 2 + 1, sizeof(*pr->deployments));
	if (pr->deployments == NULL) {
		c->nomem = 1;
		goto out;
	}
	for (i = 0; i + 1 < map->n; i += 2) {
		k = map->items[i];
		v = map->items[i + 1];
		if (!yamlget_first_of_name(map, i))
			continue;
		if ((p = yamlget_join(c, path, k->value)) == NULL)
			break;
		config_check_name(c, k, p, "deployment name", k->value);
		if (v->type != YAMLTREE_SCALAR || yamlget_is_null(v)) {
			ERR_AT(c, v, p, "expected a model label, got %s",
			    yamlget_describe(v));
		} else {
			struct config_deployment *d =
			    &pr->deployments[pr->ndeployments++];

			d->name = yamlget_dup(c, k->value);
			d->model = yamlget_dup(c, v->value);
			d->pos.line = k->line;
			d->pos.column = k->column;
			if (d->model != NULL) {
				config_check_name(
				    c, v, p, "model label", d->model);
				if (pr->model.label != NULL &&
				    strcmp(pr->model.label, d->model) != 0)
					ERR_AT(c, v, p,
					    "deployment serves model '%s' but "
					    "the project's model is '%s'",
					    yamlget_show(d->model).s,
					    yamlget_show(pr->model.label).s);
			}
		}
		free(p);
	}
out:
	free(path);
}

/* The assets file must be an exported project of the declared kind. */
static void
check_assets(
    struct ctx *c, ynode *at, const char *path, struct config_project *pr)
{
	struct buf b = { .max = MAX_ASSETS_BYTES };
	cJSON *doc = NULL;
	const cJSON *assets, *kind, *intents, *it;
	char chunk[8192];
	size_t n;
	FILE *fp;

	if (config_check_file(c, at, path, "assets file", pr->assets_path) != 0)
		return;
	if ((fp = fopen(pr->assets_path, "rb")) == NULL) {
		ERR_AT(c, at, path, "cannot read assets file '%s': %s",
		    yamlget_show(pr->assets).s, strerror(errno));
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	if (b.failed) {
		ERR_AT(c, at, path, "assets file '%s' is too large",
		    yamlget_show(pr->assets).s);
		goto out;
	}
	doc = cJSON_ParseWithLength(buf_str(&b), b.len);
	if (doc == NULL || !cJSON_IsObject(doc)) {
		ERR_AT(c, at, path,
		    "assets file '%s' is not a JSON object (an exported "
		    "project)",
		    yamlget_show(pr->assets).s);
		goto out;
	}
	assets = cJSON_GetObjectItemCaseSensitive(doc, "assets");
	kind = cJSON_GetObjectItemCaseSensitive(assets, "projectKind");
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "metadata")))
		ERR_AT(c, at, path, "assets file '%s' has no metadata object",
		    yamlget_show(pr->assets).s);
	if (cJSON_IsString(kind) && pr->kind != 0 &&
	    strcasecmp(kind->valuestring, config_kind_azure(pr->kind)) != 0)
		ERR_AT(c, at, path,
		    "assets file '%s' holds a %s project, but kind is %s",
		    yamlget_show(pr->assets).s,
		    yamlget_show(kind->valuestring).s,
		    config_kind_name(pr->kind));
	if (pr->kind != CONFIG_KIND_ORCHESTRATION || pr->nroutes > 0)
		goto out;
	/* Without routes:, the targets come from the assets' intents. */
	intents = cJSON_GetObjectItemCaseSensitive(assets, "intents");
	cJSON_ArrayForEach(it, intents)
	{
		const cJSON *o, *co, *pn;
		char **nr;

		o = cJSON_GetObjectItemCaseSensitive(it, "orchestration");
		co = cJSON_GetObjectItemCaseSensitive(
		    o, "conversationOrchestration");
		pn = cJSON_GetObjectItemCaseSensitive(co, "projectName");
		if (!cJSON_IsString(pn) || pr->nroutes >= 500)
			continue;
		nr = realloc(pr->routes, (pr->nroutes + 1) * sizeof(*nr));
		if (nr == NULL) {
			c->nomem = 1;
			break;
		}
		pr->routes = nr;
		if ((nr[pr->nroutes] = yamlget_dup(c, pn->valuestring)) == NULL)
			break;
		pr->nroutes++;
	}
out:
	cJSON_Delete(doc);
	buf_release(&b);
}

void
config_parse_project(struct ctx *c, ynode *key, ynode *map, const char *path,
    struct config_project *pr)
{
	ynode *v, *src, *assets;
	char *p;
	int k;

	pr->pos.line = key->line;
	pr->pos.column = key->column;
	if ((pr->key = yamlget_dup(c, key->value)) == NULL)
		return;
	if (yamlget_check_keys(c, map, path, project_keys) != 0)
		return;
	if (yamlget_str(c, map, key, path, "name", 0, &pr->name, &v) == 0 &&
	    pr->name != NULL) {
		p = yamlget_join(c, path, "name");
		config_check_name(c, v, p, "project name", pr->name);
		free(p);
	} else if (pr->name == NULL) {
		pr->name = yamlget_dup(c, pr->key);
		if (pr->name != NULL)
			config_check_name(
			    c, key, path, "project name", pr->name);
	}
	if (yamlget_enum(c, map, key, path, "kind", 1, kind_names, &k, NULL) ==
	    0)
		pr->kind = (enum config_project_kind)(k + 1);
	src = yamlget_field(c, map, NULL, path, "source", 0);
	assets = yamlget_field(c, map, NULL, path, "assets", 0);
	if (src != NULL && assets != NULL)
		ERR_AT(c, assets, path, "give source or assets, not both");
	else if (src == NULL && assets == NULL)
		ERR_AT(c, key, path,
		    "needs source (a resource to export from) "
		    "or assets (a JSON file in the repository)");
	yamlget_str(c, map, NULL, path, "source", 0, &pr->source, NULL);
	yamlget_str_list(c, map, key, path, "replicas", 1, &pr->replicas,
	    &pr->nreplicas, NULL);
	yamlget_str_list(
	    c, map, NULL, path, "routes", 0, &pr->routes, &pr->nroutes, NULL);
	if ((v = yamltree_get(map, "routes")) != NULL &&
	    pr->kind != CONFIG_KIND_ORCHESTRATION && pr->kind != 0) {
		p = yamlget_join(c, path, "routes");
		ERR_AT(c, v, p, "only orchestration projects have routes");
		free(p);
	}
	if (yamlget_str(c, map, NULL, path, "assets", 0, &pr->assets, &v) ==
	        0 &&
	    pr->assets != NULL) {
		pr->assets_path = config_resolve(c, pr->assets);
		p = yamlget_join(c, path, "assets");
		if (pr->assets_path != NULL && src == NULL)
			check_assets(c, v, p, pr);
		free(p);
	}
	parse_model(c, map, key, path, pr);
	parse_deployments(c, map, path, pr);
	yamlget_str(c, map, NULL, path, "storage_container", 0,
	    &pr->storage_container, &v);
	p = yamlget_join(c, path, "storage_container");
	if (pr->storage_container != NULL) {
		if (pr->kind != 0 && !config_kind_is_text(pr->kind))
			ERR_AT(c, v, p,
			    "only text projects have a storage "
			    "container");
		else if (!config_valid_container(pr->storage_container))
			ERR_AT(c, v, p,
			    "container name '%s' must be 3-63 lower-case "
			    "letters, digits and single hyphens",
			    yamlget_show(pr->storage_container).s);
	} else if (config_kind_is_text(pr->kind)) {
		ERR_AT(c, key, path,
		    "missing required field "
		    "'storage_container' (text projects read "
		    "their documents from it)");
	}
	free(p);
	yamlget_bool(c, map, path, "protect", &pr->protect);
}

const char *
config_kind_name(enum config_project_kind kind)
{
	if (kind < CONFIG_KIND_CONVERSATION || kind > CONFIG_KIND_TEXT_NER)
		return NULL;
	return kind_names[kind - 1];
}

const char *
config_kind_azure(enum config_project_kind kind)
{
	static const char *const azure[] = { "Conversation", "Orchestration",
		"CustomSingleLabelClassification",
		"CustomMultiLabelClassification", "CustomEntityRecognition" };

	if (kind < CONFIG_KIND_CONVERSATION || kind > CONFIG_KIND_TEXT_NER)
		return NULL;
	return azure[kind - 1];
}

const char *
config_kind_family(enum config_project_kind kind)
{
	if (kind < CONFIG_KIND_CONVERSATION || kind > CONFIG_KIND_TEXT_NER)
		return NULL;
	return config_kind_is_text(kind) ? "analyze-text"
	                                 : "analyze-conversations";
}

int
config_kind_is_text(enum config_project_kind kind)
{
	return kind == CONFIG_KIND_TEXT_CLASSIFICATION ||
	    kind == CONFIG_KIND_TEXT_MULTI_CLASSIFICATION ||
	    kind == CONFIG_KIND_TEXT_NER;
}
