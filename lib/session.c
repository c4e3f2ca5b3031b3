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
#include "http.h"
#include "language.h"
#include "session.h"

struct session_res {
	const struct config_resource *res;
	struct auth *auth;
	struct language *lang;
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
		auth_free(s->v[i].auth);
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

int
session_auth(struct session *s, const char *name, struct auth **out,
    struct err *err)
{
	const struct config_auth *ca;
	struct auth_opts ao = { 0 };
	struct session_res *r;

	*out = NULL;
	if ((r = find(s, name, err)) == NULL)
		return -1;
	if (r->auth != NULL) {
		*out = r->auth;
		return 0;
	}
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
	ao.audience = r->res->type == CONFIG_RESOURCE_OPENAI ? AUTH_ARM
							     : AUTH_COGNITIVE;
	ao.log = s->opts.log;
	ao.log_arg = s->opts.log_arg;
	if (auth_new(&r->auth, &ao, err) != 0)
		return err_wrap(err, "resource '%s'", name);
	*out = r->auth;
	return 0;
}

int
session_language(struct session *s, const char *name, struct language **out,
    struct err *err)
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
