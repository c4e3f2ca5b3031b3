/*
 * session.c - the clients of one command, made from the configuration.
 *
 * Credentials and Language clients are made lazily: a resource whose key
 * variable is unset fails on its own when first used, and does not stop a
 * command that reads the other resources.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"
#include "finetune.h"
#include "http.h"
#include "language.h"
#include "openai.h"
#include "session.h"

struct session_res {
	const struct config_resource *res;
	struct auth *auth;
	struct language *lang;
	struct openai *oai;
	struct auth *ft_auth; /* openai data plane: cognitiveservices */
	struct finetune *ft;
};

struct session {
	const struct config *cfg;
	struct session_opts opts;
	struct http *http;
	struct session_res *v; /* one per declared resource, config order */
	size_t n;
};

int
session_new(struct session **out, const struct config *cfg,
    const struct session_opts *opts, struct err *err)
{
	struct http_opts ho = { 0 };
	struct session *s = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	s->cfg = cfg;
	if (opts != NULL)
		s->opts = *opts;
	s->n = cfg->nresources;
	s->v = calloc(s->n ? s->n : 1, sizeof(*s->v));
	if (s->v == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < s->n; i++)
		s->v[i].res = &cfg->resources[i];

	ho.cacert = s->opts.cacert;
	ho.insecure = s->opts.insecure;
	ho.connect_timeout_ms = (long)cfg->settings.connect_timeout_s * 1000;
	ho.total_timeout_ms = (long)cfg->settings.request_timeout_s * 1000;
	ho.log = s->opts.log;
	ho.log_arg = s->opts.log_arg;
	ho.interrupted = s->opts.interrupted;
	ho.max_host_connections = cfg->settings.connections_per_host;
	ho.pace_get_per_min = cfg->settings.get_per_minute;
	ho.pace_post_per_min = cfg->settings.post_per_minute;
	if (http_new(&s->http, &ho, err) != 0)
		goto out;
	/* Each resource has its own budget: the service counts per resource. */
	for (i = 0; i < s->n; i++) {
		if (http_pace_set(s->http, s->v[i].res->name,
		        cfg->settings.get_per_minute,
		        cfg->settings.post_per_minute, err) != 0)
			goto out;
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	session_free(s);
	return rc;
}

void
session_free(struct session *s)
{
	size_t i;

	if (s == NULL)
		return;
	/* Transfers end before the clients whose callbacks they would run. */
	http_free(s->http);
	for (i = 0; i < s->n; i++) {
		language_free(s->v[i].lang);
		openai_free(s->v[i].oai);
		finetune_free(s->v[i].ft);
		auth_free(s->v[i].auth);
		auth_free(s->v[i].ft_auth);
	}
	free(s->v);
	free(s);
}

struct http *
session_http(struct session *s)
{
	return s->http;
}

static struct session_res *
find(struct session *s, const char *name, struct err *err)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].res->name, name) == 0)
			return &s->v[i];
	err_set(err, ERR_SPEC, "resource '%s' is not declared", name);
	return NULL;
}

/* Makes a credential of r's method for audience into *out. */
static int
make_auth(struct session *s, struct session_res *r, enum auth_audience audience,
    struct auth **out, struct err *err)
{
	const struct config_auth *ca;
	struct auth_opts ao = { 0 };
	const char *name = r->res->name;

	ca = &r->res->auth;
	switch (ca->method) {
	case CONFIG_AUTH_KEY_ENV:
		ao.method = AUTH_KEY_ENV;
		ao.key_env = ca->key_env;
		break;
	case CONFIG_AUTH_KEY_FILE:
		ao.method = AUTH_KEY_FILE;
		ao.key_file = ca->key_file_path;
		break;
	case CONFIG_AUTH_CLIENT_CREDENTIALS:
		ao.method = AUTH_CLIENT_SECRET;
		ao.tenant_id = ca->tenant_id;
		ao.client_id = ca->client_id;
		ao.client_secret_env = ca->client_secret_env;
		ao.authority_host = s->cfg->settings.authority_host;
		break;
	case CONFIG_AUTH_MANAGED_IDENTITY:
		ao.method = AUTH_MANAGED_IDENTITY;
		ao.client_id = ca->client_id;
		break;
	case CONFIG_AUTH_AZURE_CLI:
		ao.method = AUTH_AZURE_CLI;
		ao.tenant_id = ca->tenant_id;
		break;
	default:
		return err_set(err, ERR_SPEC,
		    "resource '%s' has no usable auth method", name);
	}
	ao.audience = audience;
	/* The OpenAI data plane takes its key as "api-key". */
	if (r->res->type == CONFIG_RESOURCE_OPENAI)
		ao.key_header = "api-key";
	ao.log = s->opts.log;
	ao.log_arg = s->opts.log_arg;
	if (auth_new(out, &ao, err) != 0)
		return err_wrap(err, "resource '%s'", name);
	return 0;
}

int
session_auth(
    struct session *s, const char *name, struct auth **out, struct err *err)
{
	struct session_res *r;

	*out = NULL;
	if ((r = find(s, name, err)) == NULL)
		return -1;
	if (r->auth == NULL &&
	    make_auth(s, r,
	        r->res->type == CONFIG_RESOURCE_OPENAI ? AUTH_ARM
	                                               : AUTH_COGNITIVE,
	        &r->auth, err) != 0)
		return -1;
	*out = r->auth;
	return 0;
}

int
session_language(
    struct session *s, const char *name, struct language **out, struct err *err)
{
	struct language_opts lo = { 0 };
	struct session_res *r;
	struct auth *a;

	*out = NULL;
	if ((r = find(s, name, err)) == NULL)
		return -1;
	if (r->lang != NULL) {
		*out = r->lang;
		return 0;
	}
	if (r->res->type != CONFIG_RESOURCE_LANGUAGE)
		return err_set(err, ERR_SPEC,
		    "resource '%s' is not a Language resource", name);
	if (session_auth(s, name, &a, err) != 0)
		return -1;
	lo.endpoint = r->res->endpoint;
	lo.api_version = r->res->api_version;
	lo.text_api_version = NULL; /* text has no newer stable version */
	lo.http = s->http;
	lo.auth = a;
	lo.pace_key = r->res->name;
	lo.poll_timeout_ms = (long)s->cfg->settings.job_timeout_s * 1000;
	if (language_new(&r->lang, &lo, err) != 0)
		return err_wrap(err, "resource '%s'", name);
	*out = r->lang;
	return 0;
}

int
session_openai(
    struct session *s, const char *name, struct openai **out, struct err *err)
{
	struct openai_opts oo = { 0 };
	struct arm_opts ao = { 0 };
	struct session_res *r;
	struct auth *a;

	*out = NULL;
	if ((r = find(s, name, err)) == NULL)
		return -1;
	if (r->oai != NULL) {
		*out = r->oai;
		return 0;
	}
	if (r->res->type != CONFIG_RESOURCE_OPENAI)
		return err_set(err, ERR_SPEC,
		    "resource '%s' is not an Azure OpenAI resource", name);
	if (session_auth(s, name, &a, err) != 0)
		return -1;
	ao.poll_initial_ms = s->opts.oai_poll_initial_ms;
	ao.poll_max_ms = s->opts.oai_poll_initial_ms * 8;
	ao.conflict_base_ms = s->opts.oai_poll_initial_ms;
	ao.pace_key = r->res->name;
	ao.poll_timeout_ms = (long)s->cfg->settings.job_timeout_s * 1000;
	oo.account_id = r->res->id;
	oo.api_version = r->res->api_version;
	oo.endpoint = s->cfg->settings.arm_endpoint;
	oo.http = s->http;
	oo.auth = a;
	oo.arm = &ao;
	if (openai_new(&r->oai, &oo, err) != 0)
		return err_wrap(err, "resource '%s'", name);
	*out = r->oai;
	return 0;
}

int
session_finetune(struct session *s, const char *name, const char *endpoint_hint,
    struct finetune **out, struct err *err)
{
	struct finetune_opts fo = { 0 };
	struct session_res *r;

	*out = NULL;
	if ((r = find(s, name, err)) == NULL)
		return -1;
	if (r->ft != NULL) {
		*out = r->ft;
		return 0;
	}
	if (r->res->type != CONFIG_RESOURCE_OPENAI)
		return err_set(err, ERR_SPEC,
		    "resource '%s' is not an Azure OpenAI resource", name);
	fo.endpoint = r->res->endpoint ? r->res->endpoint : endpoint_hint;
	if (fo.endpoint == NULL)
		return err_set(err, ERR_SPEC,
		    "resource '%s': no data-plane endpoint (set endpoint: or "
		    "refresh the account)",
		    name);
	if (r->ft_auth == NULL &&
	    make_auth(s, r, AUTH_COGNITIVE, &r->ft_auth, err) != 0)
		return -1;
	fo.http = s->http;
	fo.auth = r->ft_auth;
	fo.pace_key = r->res->name;
	fo.poll_initial_ms = s->opts.oai_poll_initial_ms;
	fo.poll_max_ms = s->opts.oai_poll_initial_ms > 0
	    ? s->opts.oai_poll_initial_ms * 8
	    : 0;
	fo.job_timeout_ms = (long)s->cfg->settings.job_timeout_s * 1000;
	if (finetune_new(&r->ft, &fo, err) != 0)
		return err_wrap(err, "resource '%s'", name);
	*out = r->ft;
	return 0;
}
