/*
 * confighash.c - the canonical form of a loaded configuration and its
 * SHA-256: every field that means something, in a fixed order, so that
 * comments, layout and key order never change the hash a plan records.
 */
#include "buf.h"
#include "config_int.h"
#include "sha256.h"

/* --- canonical form and hash ----------------------------------------- */

/* "key": (keys are plain words: no escaping, and no printf per field). */
static void
canon_key(struct buf *b, const char *key)
{
	buf_addch(b, '"');
	buf_addstr(b, key);
	buf_addstr(b, "\":");
}

static void
canon_str(struct buf *b, const char *key, const char *v)
{
	canon_key(b, key);
	if (v == NULL) {
		buf_addstr(b, "null,");
		return;
	}
	buf_addch(b, '"');
	buf_addjson(b, v);
	buf_addstr(b, "\",");
}

static void
canon_list(struct buf *b, const char *key, char **v, size_t n)
{
	size_t i;

	canon_key(b, key);
	buf_addch(b, '[');
	for (i = 0; i < n; i++) {
		buf_addstr(b, i ? ",\"" : "\"");
		buf_addjson(b, v[i]);
		buf_addch(b, '"');
	}
	buf_addstr(b, "],");
}

/* Every field that means something, in a fixed order, no positions and
 * no resolved paths: comments, layout and key order do not change it. */
static void
canonical(const struct config *cfg, struct buf *b)
{
	const struct config_settings *s = &cfg->settings;
	size_t i, j;

	buf_addf(b, "{\"version\":%d,\"resources\":[", cfg->version);
	for (i = 0; i < cfg->nresources; i++) {
		const struct config_resource *r = &cfg->resources[i];

		buf_addstr(b, i ? ",{" : "{");
		canon_str(b, "name", r->name);
		canon_str(b, "type", config_resource_type_name(r->type));
		canon_str(b, "region", r->region);
		canon_str(b, "endpoint", r->endpoint);
		canon_str(b, "id", r->id);
		canon_str(b, "api_version", r->api_version);
		canon_str(b, "auth", config_auth_method_name(r->auth.method));
		canon_str(b, "key_env", r->auth.key_env);
		canon_str(b, "key_file", r->auth.key_file);
		canon_str(b, "tenant_id", r->auth.tenant_id);
		canon_str(b, "client_id", r->auth.client_id);
		canon_str(b, "client_secret_env", r->auth.client_secret_env);
		buf_addstr(b, "\"end\":1}");
	}
	buf_addstr(b, "],\"projects\":[");
	for (i = 0; i < cfg->nprojects; i++) {
		const struct config_project *p = &cfg->projects[i];

		buf_addstr(b, i ? ",{" : "{");
		canon_str(b, "key", p->key);
		canon_str(b, "name", p->name);
		canon_str(b, "kind", config_kind_name(p->kind));
		canon_str(b, "source", p->source);
		canon_str(b, "assets", p->assets);
		canon_list(b, "replicas", p->replicas, p->nreplicas);
		canon_str(b, "label", p->model.label);
		canon_str(b, "mode", config_training_mode_name(p->model.mode));
		canon_str(b, "tcv", p->model.config_version);
		buf_addf(b, "\"eval\":[%d,%d,%d],", (int)p->model.eval_kind,
		    p->model.training_split, p->model.testing_split);
		buf_addstr(b, "\"deployments\":[");
		for (j = 0; j < p->ndeployments; j++) {
			buf_addstr(b, j ? ",{" : "{");
			canon_str(b, "name", p->deployments[j].name);
			canon_str(b, "model", p->deployments[j].model);
			buf_addstr(b, "\"end\":1}");
		}
		buf_addstr(b, "],");
		canon_str(b, "storage_container", p->storage_container);
		canon_list(b, "routes", p->routes, p->nroutes);
		buf_addf(b, "\"protect\":%d}", p->protect);
	}
	buf_addstr(b, "],\"openai\":[");
	for (i = 0; i < cfg->nopenai; i++) {
		const struct config_openai *o = &cfg->openai[i];
		const struct config_finetune *ft = o->fine_tune;

		buf_addstr(b, i ? ",{" : "{");
		canon_str(b, "key", o->key);
		canon_str(b, "name", o->name);
		canon_str(b, "format", o->model_format);
		canon_str(b, "model", o->model_name);
		canon_str(b, "version", o->model_version);
		canon_str(b, "sku", o->sku_name);
		buf_addf(b, "\"capacity\":%d,", o->sku_capacity);
		canon_str(b, "upgrade", config_upgrade_name(o->upgrade));
		canon_str(b, "rai", o->rai_policy);
		canon_list(b, "on", o->on, o->non);
		if (ft != NULL) {
			buf_addstr(b, "\"fine_tune\":{");
			canon_str(b, "base", ft->base_model);
			canon_str(b, "training", ft->training_file);
			canon_str(b, "validation", ft->validation_file);
			canon_str(b, "suffix", ft->suffix);
			buf_addf(b,
			    "\"hp\":[%d,%d,%.17g],\"seed\":", ft->n_epochs,
			    ft->batch_size, ft->learning_rate_multiplier);
			if (ft->has_seed)
				buf_addf(b, "%lld},", ft->seed);
			else
				buf_addstr(b, "null},");
		}
		buf_addf(b, "\"protect\":%d}", o->protect);
	}
	buf_addstr(b, "],\"settings\":{");
	canon_str(b, "state", s->state);
	canon_str(b, "arm", s->arm_endpoint);
	canon_str(b, "authority", s->authority_host);
	buf_addf(b, "\"n\":[%d,%d,%d,%lld,%lld,%lld,%lld]}}", s->parallelism,
	    s->get_per_minute, s->post_per_minute, s->connect_timeout_s,
	    s->request_timeout_s, s->job_timeout_s, s->expiry_window_s);
}

int
config_hash(struct config *cfg, struct err *err)
{
	struct buf b = { 0 };
	int rc = -1;

	canonical(cfg, &b);
	if (buf_check(&b, err, "hashing the configuration") != 0)
		goto out;
	if (sha256_digest(b.data, b.len, cfg->hash) != 0) {
		err_set(err, ERR_NOMEM, "cannot compute SHA-256");
		goto out;
	}
	sha256_hex(cfg->hash, cfg->hash_hex);
	rc = 0;
out:
	buf_release(&b);
	return rc;
}
