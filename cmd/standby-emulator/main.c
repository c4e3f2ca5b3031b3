/*
 * main.c - standby-emulator: a local stand-in for the Azure Language
 * authoring service and Azure OpenAI.  Parses the command line, starts one
 * listener per resource plus the control listener (and the ARM listener
 * when there are openai accounts), writes the endpoints file once all
 * are up (atomically, so a waiting test never reads half of it), and
 * waits for SIGTERM or SIGINT to shut down cleanly.
 */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "emu.h"

#define TENANT "emulator-tenant"

static const char usage[] =
    "usage: standby-emulator --resource language|openai:NAME@REGION\n"
    "         [--resource ...] [--endpoints-file FILE] [--key NAME=KEY]\n"
    "         [--subscription ID] [--resource-group NAME] [--tls]\n"
    "         [--cert FILE --cert-key FILE [--cacert FILE]]\n"
    "         [--job-time KIND=DURATION ...] [--rate-limits on|off]\n"
    "         [--rate-limit-post N] [--rate-limit-get N]\n"
    "         [--container NAME=CONTAINER ...] [--client ID=SECRET ...]\n"
    "         [--token-lifetime SECONDS] [--retry-after SECONDS]\n"
    "         [--log-size N]\n"
    "KIND is export, import, train, deploy, delete, swap, deployment,\n"
    "finetune, file or all; DURATION\n"
    "is like 500ms, 2s, or manual:N (one step per N status polls).\n";

static struct resource *
find_res(struct emu *emu, const char *name)
{
	size_t i;

	for (i = 0; i < emu->nres; i++)
		if (strcmp(emu->res[i]->name, name) == 0)
			return emu->res[i];
	return NULL;
}

static int
ident_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= EMU_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		        s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

/* "language:NAME@REGION"; the type prefix leaves room for "openai:". */
static int
add_resource(struct emu *emu, const char *spec, struct err *err)
{
	const char *colon = strchr(spec, ':'), *at;
	struct resource *res, **v;
	enum emu_res_type type;

	if (colon == NULL || (at = strchr(colon, '@')) == NULL)
		return err_set(err, ERR_SPEC,
		    "--resource '%s': want TYPE:NAME@REGION", spec);
	if ((size_t)(colon - spec) == 8 && strncmp(spec, "language", 8) == 0)
		type = EMU_RES_LANGUAGE;
	else if ((size_t)(colon - spec) == 6 && strncmp(spec, "openai", 6) == 0)
		type = EMU_RES_OPENAI;
	else
		return err_set(err, ERR_SPEC,
		    "--resource '%s': unknown type '%.*s' (supported: "
		    "language, openai)",
		    spec, (int)(colon - spec), spec);
	if (at - colon - 1 == 3 && strncmp(colon + 1, "arm", 3) == 0)
		return err_set(err, ERR_SPEC,
		    "--resource '%s': the name 'arm' is the ARM listener's",
		    spec);
	if (!ident_ok(colon + 1, (size_t)(at - colon - 1)) ||
	    !ident_ok(at + 1, strlen(at + 1)))
		return err_set(err, ERR_SPEC,
		    "--resource '%s': NAME and REGION must be letters, "
		    "digits, '-', '_' or '.'",
		    spec);
	res = calloc(1, sizeof(*res));
	v = realloc(emu->res, (emu->nres + 1) * sizeof(*v));
	if (res == NULL || v == NULL) {
		free(res);
		if (v != NULL)
			emu->res = v;
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	emu->res = v;
	res->type = type;
	res->emu = emu;
	snprintf(res->name, sizeof(res->name), "%.*s", (int)(at - colon - 1),
	    colon + 1);
	snprintf(res->region, sizeof(res->region), "%s", at + 1);
	if (find_res(emu, res->name) != NULL) {
		free(res);
		return err_set(err, ERR_SPEC, "--resource: '%.*s' given twice",
		    (int)(at - colon - 1), colon + 1);
	}
	snprintf(res->key, sizeof(res->key), "key-%s", res->name);
	reqlog_init(&res->log, emu->log_cap);
	emu->res[emu->nres++] = res;
	return 0;
}

/* NAME=VALUE for an existing resource. */
static struct resource *
named(struct emu *emu, const char *opt, const char *spec, const char **val,
    struct err *err)
{
	const char *eq = strchr(spec, '=');
	struct resource *res;
	char name[EMU_NAME_MAX];

	if (eq == NULL || eq == spec || eq[1] == '\0' ||
	    (size_t)(eq - spec) >= sizeof(name)) {
		err_set(err, ERR_SPEC, "%s '%s': want NAME=VALUE", opt, spec);
		return NULL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - spec), spec);
	res = find_res(emu, name);
	if (res == NULL)
		err_set(err, ERR_SPEC,
		    "%s: no resource named '%s' (give --resource first)", opt,
		    name);
	*val = eq + 1;
	return res;
}

static int
add_container(struct resource *res, const char *c, struct err *err)
{
	char **v =
	    realloc(res->containers, (res->ncontainers + 1) * sizeof(*v));

	if (v == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	res->containers = v;
	if ((v[res->ncontainers] = strdup(c)) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	res->ncontainers++;
	return 0;
}

static int
job_time(struct emu *emu, const char *spec, struct err *err)
{
	const char *eq = strchr(spec, '=');
	struct job_timing t;
	char kind[16];
	int k;

	if (eq == NULL || (size_t)(eq - spec) >= sizeof(kind))
		return err_set(
		    err, ERR_SPEC, "--job-time '%s': want KIND=DURATION", spec);
	snprintf(kind, sizeof(kind), "%.*s", (int)(eq - spec), spec);
	if (emu_parse_duration(eq + 1, &t) != 0)
		return err_set(err, ERR_SPEC,
		    "--job-time '%s': bad duration (500ms, 2s, manual:N)",
		    spec);
	if (strcmp(kind, "all") == 0) {
		for (k = 0; k < JOB_NKINDS; k++)
			emu->timing[k] = t;
		return 0;
	}
	if ((k = jobs_kind_parse(kind)) < 0)
		return err_set(err, ERR_SPEC,
		    "--job-time: unknown kind '%s' (export, import, train, "
		    "deploy, delete, swap, deployment, finetune, file, all)",
		    kind);
	emu->timing[k] = t;
	return 0;
}

static int
number(const char *opt, const char *s, long lo, long hi, long *out,
    struct err *err)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return err_set(err, ERR_SPEC,
		    "%s '%s': want a number from %ld to %ld", opt, s, lo, hi);
	*out = v;
	return 0;
}

static int
write_endpoints(struct emu *emu, const char *path, struct err *err)
{
	cJSON *o = cJSON_CreateObject(), *rs;
	const char *scheme = emu->tls ? "https" : "http";
	struct buf u = { .max = 4096 }, tmp = { .max = 8192 };
	char *text = NULL;
	FILE *fp = NULL;
	size_t i;
	int rc = -1;

	rs = cJSON_AddObjectToObject(o, "resources");
	for (i = 0; i < emu->nres; i++) {
		struct resource *res = emu->res[i];
		cJSON *e = cJSON_AddObjectToObject(rs, res->name);

		buf_reset(&u);
		buf_addf(&u, "%s://127.0.0.1:%u", scheme, res->port);
		cJSON_AddStringToObject(e, "endpoint", buf_str(&u));
		cJSON_AddStringToObject(e, "region", res->region);
		cJSON_AddStringToObject(e, "type",
		    res->type == EMU_RES_OPENAI ? "openai" : "language");
		cJSON_AddStringToObject(e, "key", res->key);
		if (res->type == EMU_RES_OPENAI)
			aoai_endpoints(emu, res, e);
	}
	if (emu->arm != NULL) {
		buf_reset(&u);
		buf_addf(&u, "%s://127.0.0.1:%u", scheme, emu->arm->port);
		cJSON_AddStringToObject(o, "arm", buf_str(&u));
		cJSON_AddStringToObject(o, "subscription", emu->subscription);
		cJSON_AddStringToObject(
		    o, "resource_group", emu->resource_group);
	}
	buf_reset(&u);
	buf_addf(&u, "%s://127.0.0.1:%u/_emulator", scheme, emu->control_port);
	cJSON_AddStringToObject(o, "control", buf_str(&u));
	buf_reset(&u);
	buf_addf(&u, "%s://127.0.0.1:%u/%s/oauth2/v2.0/token", scheme,
	    emu->control_port, TENANT);
	cJSON_AddStringToObject(o, "token_endpoint", buf_str(&u));
	buf_reset(&u);
	buf_addf(&u, "%s://127.0.0.1:%u", scheme, emu->control_port);
	cJSON_AddStringToObject(o, "authority", buf_str(&u));
	cJSON_AddStringToObject(o, "tenant", TENANT);
	if (emu->cacert_path[0] != '\0')
		cJSON_AddStringToObject(o, "cacert", emu->cacert_path);
	else
		cJSON_AddNullToObject(o, "cacert");
	text = cJSON_Print(o);
	if (text == NULL || buf_check(&u, err, "endpoints") != 0) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (path == NULL) {
		printf("%s\n", text);
		fflush(stdout);
		rc = 0;
		goto out;
	}
	buf_addf(&tmp, "%s.tmp", path);
	fp = fopen(buf_str(&tmp), "w");
	if (fp == NULL || fprintf(fp, "%s\n", text) < 0 || fclose(fp) != 0) {
		fp = NULL;
		err_errno(err, buf_str(&tmp));
		goto out;
	}
	fp = NULL;
	if (rename(buf_str(&tmp), path) != 0) {
		err_errno(err, path);
		goto out;
	}
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	cJSON_free(text);
	cJSON_Delete(o);
	buf_release(&u);
	buf_release(&tmp);
	return rc;
}

static void
emu_free(struct emu *emu)
{
	size_t i, k;

	for (i = 0; i < emu->nres; i++) {
		struct resource *res = emu->res[i];

		for (k = 0; k < res->ncontainers0; k++)
			free(res->containers0[k]);
		free(res->containers0);
		res->ncontainers0 = 0;
	}
	emu_reset(emu);
	aoai_free(emu);
	for (i = 0; i < emu->nres; i++) {
		reqlog_release(&emu->res[i]->log);
		free(emu->res[i]);
	}
	free(emu->res);
	reqlog_release(&emu->control_log);
	for (i = 0; i < emu->nclients; i++) {
		free(emu->clients[i].id);
		free(emu->clients[i].secret);
	}
	free(emu->clients);
	free(emu->cert_pem);
	free(emu->key_pem);
	pthread_mutex_destroy(&emu->mu);
	pthread_mutex_destroy(&emu->ctl_mu);
	pthread_cond_destroy(&emu->cond);
}

static void
defaults(struct emu *emu)
{
	static const long ms[JOB_NKINDS] = { 200, 300, 1000, 500, 200, 200, 500,
		1000, 200 };
	int k;
	double now;

	pthread_mutex_init(&emu->mu, NULL);
	pthread_mutex_init(&emu->ctl_mu, NULL);
	pthread_cond_init(&emu->cond, NULL);
	for (k = 0; k < JOB_NKINDS; k++)
		emu->timing[k].ms = ms[k];
	emu->rate_on = 1;
	emu->rate_post = 10;
	emu->rate_get = 100;
	emu->retry_after = 1;
	emu->token_lifetime = 3600;
	emu->log_cap = 2000;
	snprintf(emu->subscription, sizeof(emu->subscription),
	    "00000000-0000-0000-0000-000000000000");
	snprintf(
	    emu->resource_group, sizeof(emu->resource_group), "rg-emulator");
	now = emu_now(emu);
	emu->boot_date = (double)((long long)now / 86400 * 86400);
}

enum {
	O_RESOURCE = 256,
	O_KEY,
	O_TLS,
	O_CERT,
	O_CERTKEY,
	O_CACERT,
	O_ENDPOINTS,
	O_JOBTIME,
	O_RATE,
	O_RATEPOST,
	O_RATEGET,
	O_CONTAINER,
	O_CLIENT,
	O_TOKENLIFE,
	O_RETRY,
	O_LOGSIZE,
	O_SUBSCRIPTION,
	O_RESGROUP,
	O_HELP
};

static const struct option longopts[] = {
	{ "resource", required_argument, NULL, O_RESOURCE },
	{ "key", required_argument, NULL, O_KEY },
	{ "tls", no_argument, NULL, O_TLS },
	{ "cert", required_argument, NULL, O_CERT },
	{ "cert-key", required_argument, NULL, O_CERTKEY },
	{ "cacert", required_argument, NULL, O_CACERT },
	{ "endpoints-file", required_argument, NULL, O_ENDPOINTS },
	{ "job-time", required_argument, NULL, O_JOBTIME },
	{ "rate-limits", required_argument, NULL, O_RATE },
	{ "rate-limit-post", required_argument, NULL, O_RATEPOST },
	{ "rate-limit-get", required_argument, NULL, O_RATEGET },
	{ "container", required_argument, NULL, O_CONTAINER },
	{ "client", required_argument, NULL, O_CLIENT },
	{ "token-lifetime", required_argument, NULL, O_TOKENLIFE },
	{ "retry-after", required_argument, NULL, O_RETRY },
	{ "log-size", required_argument, NULL, O_LOGSIZE },
	{ "subscription", required_argument, NULL, O_SUBSCRIPTION },
	{ "resource-group", required_argument, NULL, O_RESGROUP },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

/* The options that name a resource come after all --resource flags are
 * known, so they are applied in a second pass. */
static int
parse(struct emu *emu, int argc, char **argv, const char **endpoints,
    const char **cert, const char **certkey, const char **cacert,
    struct err *err)
{
	int c, pass;
	long n;
	const char *val;
	struct resource *res;

	for (pass = 0; pass < 2; pass++) {
		optind = 1;
		while (
		    (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
			if (c == '?')
				return err_set(err, ERR_SPEC, "bad option");
			if (c == O_HELP)
				return 1;
			if (pass == 0) {
				if (c == O_RESOURCE &&
				    add_resource(emu, optarg, err) != 0)
					return -1;
				if (c == O_LOGSIZE &&
				    number("--log-size", optarg, 1, 1000000, &n,
				        err) == 0)
					emu->log_cap = (size_t)n;
				else if (c == O_LOGSIZE)
					return -1;
				continue;
			}
			switch (c) {
			case O_KEY:
				if ((res = named(emu, "--key", optarg, &val,
				         err)) == NULL)
					return -1;
				snprintf(res->key, sizeof(res->key), "%s", val);
				break;
			case O_CONTAINER:
				if ((res = named(emu, "--container", optarg,
				         &val, err)) == NULL ||
				    add_container(res, val, err) != 0)
					return -1;
				break;
			case O_TLS:
				emu->tls = 1;
				break;
			case O_CERT:
				*cert = optarg;
				break;
			case O_CERTKEY:
				*certkey = optarg;
				break;
			case O_CACERT:
				*cacert = optarg;
				break;
			case O_ENDPOINTS:
				*endpoints = optarg;
				break;
			case O_JOBTIME:
				if (job_time(emu, optarg, err) != 0)
					return -1;
				break;
			case O_RATE:
				if (strcmp(optarg, "on") &&
				    strcmp(optarg, "off"))
					return err_set(err, ERR_SPEC,
					    "--rate-limits: want on or off");
				emu->rate_on = strcmp(optarg, "on") == 0;
				break;
			case O_RATEPOST:
			case O_RATEGET:
				if (number(c == O_RATEPOST ? "--rate-limit-post"
				                           : "--rate-limit-get",
				        optarg, 1, 1000000000, &n, err) != 0)
					return -1;
				*(c == O_RATEPOST ? &emu->rate_post
				                  : &emu->rate_get) = n;
				break;
			case O_SUBSCRIPTION:
			case O_RESGROUP:
				if (!ident_ok(optarg, strlen(optarg)))
					return err_set(err, ERR_SPEC,
					    "%s '%s': letters, digits, '-', "
					    "'_' or '.'",
					    c == O_SUBSCRIPTION
					        ? "--subscription"
					        : "--resource-group",
					    optarg);
				if (c == O_SUBSCRIPTION)
					snprintf(emu->subscription,
					    sizeof(emu->subscription), "%s",
					    optarg);
				else
					snprintf(emu->resource_group,
					    sizeof(emu->resource_group), "%s",
					    optarg);
				break;
			case O_CLIENT:
				if (auth_add_client(emu, optarg, err) != 0)
					return -1;
				break;
			case O_TOKENLIFE:
				if (number("--token-lifetime", optarg, 1,
				        86400 * 365, &n, err) != 0)
					return -1;
				emu->token_lifetime = n;
				break;
			case O_RETRY:
				if (number("--retry-after", optarg, 0, 3600, &n,
				        err) != 0)
					return -1;
				emu->retry_after = (int)n;
				break;
			default:
				break;
			}
		}
	}
	if (optind != argc)
		return err_set(
		    err, ERR_SPEC, "unexpected argument '%s'", argv[optind]);
	if (emu->nres == 0)
		return err_set(err, ERR_SPEC, "give at least one --resource");
	if ((*cert == NULL) != (*certkey == NULL))
		return err_set(
		    err, ERR_SPEC, "--cert and --cert-key go together");
	return 0;
}

int
main(int argc, char **argv)
{
	struct emu emu;
	struct err err = { 0 };
	const char *endpoints = NULL, *cert = NULL, *certkey = NULL;
	const char *cacert = NULL;
	sigset_t set;
	size_t i;
	int sig, rc = 1;

	memset(&emu, 0, sizeof(emu));
	defaults(&emu);
	reqlog_init(&emu.control_log, emu.log_cap);
	switch (parse(
	    &emu, argc, argv, &endpoints, &cert, &certkey, &cacert, &err)) {
	case 0:
		break;
	case 1:
		fputs(usage, stdout);
		rc = 0;
		goto out;
	default:
		fprintf(stderr, "standby-emulator: %s\n%s", err.msg, usage);
		goto out;
	}
	if (emu.nclients == 0 &&
	    auth_add_client(&emu, "emulator-client=emulator-secret", &err))
		goto fail;
	memcpy(emu.timing_default, emu.timing, sizeof(emu.timing));
	/* --log-size may follow the --resource flags: size the rings now. */
	reqlog_release(&emu.control_log);
	reqlog_init(&emu.control_log, emu.log_cap);
	for (i = 0; i < emu.nres; i++) {
		reqlog_release(&emu.res[i]->log);
		reqlog_init(&emu.res[i]->log, emu.log_cap);
	}
	for (i = 0; i < emu.nres; i++) {
		/* what reset restores */
		emu.res[i]->containers0 = emu.res[i]->containers;
		emu.res[i]->ncontainers0 = emu.res[i]->ncontainers;
		emu.res[i]->containers = NULL;
		emu.res[i]->ncontainers = 0;
	}
	if (aoai_init(&emu, &err) != 0)
		goto fail;
	emu.rate_on_default = emu.rate_on;
	emu.rate_post_default = emu.rate_post;
	emu.rate_get_default = emu.rate_get;
	emu_reset(&emu);
	if (cert != NULL) {
		emu.tls = 1;
		if (tls_load_cert(&emu, cert, certkey, &err) != 0)
			goto fail;
		snprintf(emu.cacert_path, sizeof(emu.cacert_path), "%s",
		    cacert ? cacert : cert);
	} else if (emu.tls) {
		if (endpoints == NULL) {
			err_set(&err, ERR_SPEC,
			    "--tls needs --endpoints-file (the CA is written "
			    "beside it)");
			goto fail;
		}
		snprintf(emu.cacert_path, sizeof(emu.cacert_path), "%s.ca.pem",
		    endpoints);
		if (tls_make_cert(&emu, &err) != 0)
			goto fail;
	}
	if (emu.tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		err_set(&err, ERR_IO, "this libmicrohttpd has no TLS support");
		goto fail;
	}
	/* Threads started from here on inherit the blocked signals, so
	 * only sigwait() below sees SIGTERM. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (server_start_control(&emu, &err) != 0)
		goto fail;
	for (i = 0; i < emu.nres; i++)
		if (server_start_resource(&emu, emu.res[i], &err) != 0)
			goto fail;
	if (emu.arm != NULL && server_start_resource(&emu, emu.arm, &err) != 0)
		goto fail;
	if (write_endpoints(&emu, endpoints, &err) != 0)
		goto fail;
	sigwait(&set, &sig);
	rc = 0;
	goto stop;
fail:
	fprintf(stderr, "standby-emulator: %s\n", err.msg);
stop:
	pthread_mutex_lock(&emu.mu);
	emu.stopping = 1;
	pthread_cond_broadcast(&emu.cond);
	pthread_mutex_unlock(&emu.mu);
	for (i = 0; i < emu.nres; i++)
		server_stop_resource(emu.res[i]);
	if (emu.arm != NULL)
		server_stop_resource(emu.arm);
	server_stop_control(&emu);
out:
	emu_free(&emu);
	return rc;
}
