/*
 * config_openai.c - Azure OpenAI deployments in standby.yaml: a base
 * model or a fine-tune (training files checked, hyperparameters bounded),
 * the SKU (named without case, as the docs do) and the accounts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_int.h"

/* --- Azure OpenAI deployments ---------------------------------------- */

static const char *const openai_keys[] = { "name", "model", "fine_tune", "sku",
	"version_upgrade", "rai_policy", "accounts", "protect", NULL };
static const char *const omodel_keys[] = { "name", "version", "format", NULL };
static const char *const sku_keys[] = { "name", "capacity", NULL };
static const char *const sku_names[] = { "Standard", "GlobalStandard",
	"DataZoneStandard", "ProvisionedManaged", "GlobalProvisionedManaged",
	"DataZoneProvisionedManaged", "GlobalBatch", "DataZoneBatch", NULL };
static const char *const upgrade_names[] = { "OnceNewDefaultVersionAvailable",
	"OnceCurrentVersionExpired", "NoAutoUpgrade", NULL };
static const char *const ft_keys[] = { "base_model", "training_file",
	"validation_file", "hyperparameters", "seed", "suffix", NULL };
static const char *const hyper_keys[] = { "n_epochs", "batch_size",
	"learning_rate_multiplier", NULL };

static int
valid_suffix(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		        s[i] == '-'))
			return 0;
	return i >= 1 && i <= 40;
}

static void
parse_finetune(struct ctx *c, ynode *omap, ynode *okey, const char *opath,
    struct config_openai *o)
{
	struct config_finetune *ft;
	ynode *map, *hp, *v;
	char *path, *hpath = NULL, *p;
	long long ll;

	if ((map = yamlget_field(c, omap, okey, opath, "fine_tune", 0)) == NULL)
		return;
	if ((path = yamlget_join(c, opath, "fine_tune")) == NULL)
		return;
	if (yamlget_check_keys(c, map, path, ft_keys) != 0)
		goto out;
	if ((ft = o->fine_tune = calloc(1, sizeof(*ft))) == NULL) {
		c->nomem = 1;
		goto out;
	}
	ft->pos.line = map->line;
	ft->pos.column = map->column;
	yamlget_str(c, map, okey, path, "base_model", 1, &ft->base_model, NULL);
	if (yamlget_str(c, map, okey, path, "training_file", 1,
	        &ft->training_file, &v) == 0) {
		ft->training_path = config_resolve(c, ft->training_file);
		p = yamlget_join(c, path, "training_file");
		if (ft->training_path != NULL)
			config_check_file(
			    c, v, p, "training file", ft->training_path);
		free(p);
	}
	if (yamlget_str(c, map, NULL, path, "validation_file", 0,
	        &ft->validation_file, &v) == 0 &&
	    ft->validation_file != NULL) {
		ft->validation_path = config_resolve(c, ft->validation_file);
		p = yamlget_join(c, path, "validation_file");
		if (ft->validation_path != NULL)
			config_check_file(
			    c, v, p, "validation file", ft->validation_path);
		free(p);
	}
	if (yamlget_int(c, map, NULL, path, "seed", 0, 0, 2147483647LL, &ll) ==
	        0 &&
	    yamltree_get(map, "seed") != NULL &&
	    !yamlget_is_null(yamltree_get(map, "seed"))) {
		ft->has_seed = 1;
		ft->seed = ll;
	}
	if (yamlget_str(c, map, NULL, path, "suffix", 0, &ft->suffix, &v) ==
	        0 &&
	    ft->suffix != NULL && !valid_suffix(ft->suffix)) {
		p = yamlget_join(c, path, "suffix");
		ERR_AT(c, v, p,
		    "suffix must be 1-40 of letters, digits, '-' "
		    "and '_'");
		free(p);
	}
	if ((hp = yamlget_field(c, map, NULL, path, "hyperparameters", 0)) ==
	    NULL)
		goto out;
	if ((hpath = yamlget_join(c, path, "hyperparameters")) == NULL ||
	    yamlget_check_keys(c, hp, hpath, hyper_keys) != 0)
		goto out;
	if (yamlget_int(c, hp, NULL, hpath, "n_epochs", 0, 1, 50, &ll) == 0 &&
	    yamltree_get(hp, "n_epochs") != NULL)
		ft->n_epochs = (int)ll;
	if (yamlget_int(c, hp, NULL, hpath, "batch_size", 0, 1, 256, &ll) ==
	        0 &&
	    yamltree_get(hp, "batch_size") != NULL)
		ft->batch_size = (int)ll;
	if ((v = yamlget_field(
	         c, hp, NULL, hpath, "learning_rate_multiplier", 0)) != NULL) {
		char *end;
		double d = 0;

		p = yamlget_join(c, hpath, "learning_rate_multiplier");
		if (v->type == YAMLTREE_SCALAR && !v->quoted) {
			errno = 0;
			d = strtod(v->value, &end);
			if (errno != 0 || *end != '\0' || end == v->value)
				d = 0;
		}
		if (!(d > 0 && d <= 10))
			ERR_AT(c, v, p,
			    "expected a number above 0 and at most "
			    "10");
		else
			ft->learning_rate_multiplier = d;
		free(p);
	}
out:
	free(hpath);
	free(path);
}

void
config_parse_openai(struct ctx *c, ynode *key, ynode *map, const char *path,
    struct config_openai *o)
{
	ynode *v, *m, *sku;
	char *p, *mpath = NULL, *spath = NULL;
	long long cap;
	int i;

	o->pos.line = key->line;
	o->pos.column = key->column;
	if ((o->key = yamlget_dup(c, key->value)) == NULL)
		return;
	if (yamlget_check_keys(c, map, path, openai_keys) != 0)
		return;
	if (yamlget_str(c, map, key, path, "name", 0, &o->name, &v) == 0 &&
	    o->name != NULL) {
		p = yamlget_join(c, path, "name");
		if (!config_name_chars(o->name, 64))
			ERR_AT(c, v, p,
			    "deployment name '%s' must be 1-64 "
			    "letters, digits, '_', '.' or '-'",
			    yamlget_show(o->name).s);
		free(p);
	} else if (o->name == NULL) {
		o->name = yamlget_dup(c, o->key);
		if (o->name != NULL && !config_name_chars(o->name, 64))
			ERR_AT(c, key, path,
			    "deployment name '%s' must be "
			    "1-64 letters, digits, '_', '.' "
			    "or '-'",
			    yamlget_show(o->name).s);
	}
	m = yamlget_field(c, map, NULL, path, "model", 0);
	if (m != NULL && yamltree_get(map, "fine_tune") != NULL)
		ERR_AT(c, m, path, "give model or fine_tune, not both");
	else if (m == NULL &&
	    yamlget_field(c, map, NULL, path, "fine_tune", 0) == NULL)
		ERR_AT(c, key, path, "needs model (a base model) or fine_tune");
	if (m != NULL && (mpath = yamlget_join(c, path, "model")) != NULL &&
	    yamlget_check_keys(c, m, mpath, omodel_keys) == 0) {
		yamlget_str(c, m, key, mpath, "name", 1, &o->model_name, NULL);
		yamlget_str(
		    c, m, NULL, mpath, "version", 0, &o->model_version, NULL);
		yamlget_str(
		    c, m, NULL, mpath, "format", 0, &o->model_format, NULL);
	}
	parse_finetune(c, map, key, path, o);
	if (o->fine_tune != NULL && o->model_version == NULL)
		o->model_version = yamlget_dup(c, "1");
	if (o->model_format == NULL)
		o->model_format = yamlget_dup(c, "OpenAI");
	sku = yamlget_field(c, map, key, path, "sku", 1);
	if (sku != NULL && (spath = yamlget_join(c, path, "sku")) != NULL &&
	    yamlget_check_keys(c, sku, spath, sku_keys) == 0) {
		/* Docs send "standard": compare without case, keep ours. */
		v = yamlget_field(c, sku, key, spath, "name", 1);
		if (v != NULL && v->type == YAMLTREE_SCALAR) {
			for (i = 0; sku_names[i] != NULL; i++)
				if (strcasecmp(sku_names[i], v->value) == 0)
					o->sku_name =
					    yamlget_dup(c, sku_names[i]);
		}
		if (v != NULL && o->sku_name == NULL)
			yamlget_enum(
			    c, sku, key, spath, "name", 1, sku_names, &i, NULL);
		if (yamlget_int(c, sku, key, spath, "capacity", 1, 1, 1000000,
		        &cap) == 0)
			o->sku_capacity = (int)cap;
	}
	if (yamlget_enum(c, map, NULL, path, "version_upgrade", 0,
	        upgrade_names, &i, &v) == 0 &&
	    v != NULL)
		o->upgrade = (enum config_upgrade)(i + 1);
	yamlget_str(c, map, NULL, path, "rai_policy", 0, &o->rai_policy, NULL);
	yamlget_str_list(
	    c, map, key, path, "accounts", 1, &o->on, &o->non, NULL);
	yamlget_bool(c, map, path, "protect", &o->protect);
	free(spath);
	free(mpath);
}

const char *
config_upgrade_name(enum config_upgrade upgrade)
{
	if (upgrade < CONFIG_UPGRADE_ONCE_NEW_DEFAULT ||
	    upgrade > CONFIG_UPGRADE_NO_AUTO)
		return NULL;
	return upgrade_names[upgrade - 1];
}
