/* auth.c - keys and Entra ID tokens as credential header lines.
 *
 * Tokens are fetched lazily and shared: callers that ask while a token
 * request is in flight wait on it instead of sending their own.  Every
 * buffer that held a key, a secret or a token is scrubbed with
 * explicit_bzero() before it is freed, since a compiler may drop a plain
 * memset() of memory about to be freed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "buf.h"
#include "http.h"
#include "timeutil.h"

extern char **environ;

#define IMDS_URL "http://169.254.169.254/metadata/identity/oauth2/token"
#define AUTHORITY "https://login.microsoftonline.com"

struct waiter {
	auth_fn cb;
	void *arg;
	struct waiter *next;
};

struct auth {
	struct auth_opts o;
	char *key_env, *key_file, *key_header, *client_id, *tenant_id;
	char *client_secret_env, *authority_host;
	char *line;           /* the header line; scrubbed when replaced */
	long long expires_ms; /* token expiry; 0 for keys */
	int fetching;
	struct waiter *waiters;
	char desc[160];
};

static void
scrub_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
scrub_buf(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_release(b);
}

static long long
now_ms(const struct auth *a)
{
	return a->o.now_ms ? a->o.now_ms(a->o.clock_arg) : timeutil_now_ms();
}

static const char *
resource(const struct auth *a)
{
	return a->o.audience == AUTH_ARM
	    ? "https://management.azure.com"
	    : "https://cognitiveservices.azure.com";
}

static int
dup_opt(const char *s, char **out)
{
	*out = NULL;
	if (s != NULL && (*out = strdup(s)) == NULL)
		return -1;
	return 0;
}

/* A header value must not end the header early or start another. */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
set_line(struct auth *a, const char *name, const char *value, struct err *err)
{
	struct buf b = { .max = 64 * 1024 };

	buf_addstr(&b, name);
	buf_addstr(&b, ": ");
	buf_addstr(&b, value);
	if (buf_check(&b, err, "credential header") != 0) {
		scrub_buf(&b);
		return -1;
	}
	scrub_free(a->line);
	a->line = buf_take(&b);
	return 0;
}

/* Trims trailing white space (a key file usually ends in a newline). */
static void
rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 &&
	    (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
	        s[n - 1] == '\t'))
		s[--n] = '\0';
}

static int
key_from_env(struct auth *a, struct err *err)
{
	const char *v;
	char *key;
	int rc;

	if (a->key_env == NULL || a->key_env[0] == '\0')
		return err_set(err, ERR_SPEC, "auth: no key variable named");
	v = getenv(a->key_env);
	if (v == NULL)
		return err_set(err, ERR_SPEC,
		    "auth: environment variable %s is not set", a->key_env);
	if ((key = strdup(v)) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	rtrim(key);
	if (key[0] == '\0')
		rc = err_set(err, ERR_SPEC,
		    "auth: environment variable %s is empty", a->key_env);
	else if (!printable(key))
		rc = err_set(err, ERR_SPEC,
		    "auth: environment variable %s holds control characters",
		    a->key_env);
	else
		rc = set_line(a, a->key_header, key, err);
	scrub_free(key);
	return rc;
}

static int
key_from_file(struct auth *a, struct err *err)
{
	struct buf b = { .max = 16 * 1024 };
	struct stat st;
	char chunk[512];
	ssize_t n;
	int fd = -1, rc = -1;

	if (a->key_file == NULL || a->key_file[0] == '\0')
		return err_set(err, ERR_SPEC, "auth: no key file named");
	if ((fd = open(a->key_file, O_RDONLY | O_CLOEXEC)) < 0) {
		err_set(err, ERR_IO, "auth: cannot open key file '%s': %s",
		    a->key_file, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		err_set(err, ERR_IO, "auth: cannot stat key file '%s': %s",
		    a->key_file, strerror(errno));
		goto out;
	}
	if ((st.st_mode & 077) != 0 && a->o.log != NULL) {
		char msg[600];

		snprintf(msg, sizeof(msg),
		    "key file '%s' is readable by group or others (mode "
		    "%03o); chmod 600 it",
		    a->key_file, (unsigned)(st.st_mode & 0777));
		a->o.log(a->o.log_arg, AUTH_LOG_WARN, msg);
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	explicit_bzero(chunk, sizeof(chunk));
	if (n < 0) {
		err_set(err, ERR_IO, "auth: cannot read key file '%s': %s",
		    a->key_file, strerror(errno));
		goto out;
	}
	if (b.failed) {
		err_set(err, ERR_SPEC, "auth: key file '%s' is too large",
		    a->key_file);
		goto out;
	}
	buf_addstr(&b, ""); /* NUL-terminate an empty file */
	rtrim(b.data);
	if (b.data[0] == '\0') {
		err_set(
		    err, ERR_SPEC, "auth: key file '%s' is empty", a->key_file);
		goto out;
	}
	if (!printable(b.data)) {
		err_set(err, ERR_SPEC,
		    "auth: key file '%s' holds more than one line or control "
		    "characters",
		    a->key_file);
		goto out;
	}
	rc = set_line(a, a->key_header, b.data, err);
out:
	scrub_buf(&b);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int client_secret_parts(const struct auth *a, const char **tenant,
    const char **client, const char **secret, struct err *err);

static int
need_env(const char *name, struct err *err)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0')
		return err_set(err, ERR_SPEC,
		    "auth: client credentials need %s, which is not set", name);
	return 0;
}

int
auth_new(struct auth **out, const struct auth_opts *opts, struct err *err)
{
	struct auth *a;
	int rc = -1;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	a->o = *opts;
	if (dup_opt(opts->key_env, &a->key_env) != 0 ||
	    dup_opt(opts->key_file, &a->key_file) != 0 ||
	    dup_opt(opts->key_header ? opts->key_header
	                             : "Ocp-Apim-Subscription-Key",
	        &a->key_header) != 0 ||
	    dup_opt(opts->client_id, &a->client_id) != 0 ||
	    dup_opt(opts->tenant_id, &a->tenant_id) != 0 ||
	    dup_opt(opts->client_secret_env, &a->client_secret_env) != 0 ||
	    dup_opt(opts->authority_host, &a->authority_host) != 0) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (a->o.refresh_before_ms <= 0)
		a->o.refresh_before_ms = 300000;
	if (a->o.cli_timeout_ms <= 0)
		a->o.cli_timeout_ms = 60000;
	switch (opts->method) {
	case AUTH_KEY_ENV:
		snprintf(a->desc, sizeof(a->desc), "key from $%.100s",
		    a->key_env ? a->key_env : "");
		if (key_from_env(a, err) != 0)
			goto out;
		break;
	case AUTH_KEY_FILE:
		snprintf(a->desc, sizeof(a->desc), "key from '%.100s'",
		    a->key_file ? a->key_file : "");
		if (key_from_file(a, err) != 0)
			goto out;
		break;
	case AUTH_CLIENT_SECRET:
		snprintf(a->desc, sizeof(a->desc), "client-secret");
		if (opts->fetch == NULL &&
		    client_secret_parts(a, NULL, NULL, NULL, err) != 0)
			goto out;
		break;
	case AUTH_MANAGED_IDENTITY:
		snprintf(a->desc, sizeof(a->desc), "managed-identity");
		break;
	case AUTH_AZURE_CLI:
		snprintf(a->desc, sizeof(a->desc), "azure-cli");
		break;
	default:
		err_set(err, ERR_SPEC, "auth: unknown method %d",
		    (int)opts->method);
		goto out;
	}
	*out = a;
	a = NULL;
	rc = 0;
out:
	auth_free(a);
	return rc;
}

void
auth_free(struct auth *a)
{
	struct waiter *w;

	if (a == NULL)
		return;
	while ((w = a->waiters) != NULL) {
		a->waiters = w->next;
		free(w);
	}
	scrub_free(a->line);
	free(a->key_env);
	free(a->key_file);
	free(a->key_header);
	free(a->client_id);
	free(a->tenant_id);
	free(a->client_secret_env);
	free(a->authority_host);
	explicit_bzero(a, sizeof(*a));
	free(a);
}

int
auth_is_token(const struct auth *a)
{
	return a->o.method != AUTH_KEY_ENV && a->o.method != AUTH_KEY_FILE;
}

const char *
auth_describe(const struct auth *a)
{
	return a->desc;
}

void
auth_invalidate(struct auth *a)
{
	if (auth_is_token(a) && !a->fetching) {
		scrub_free(a->line);
		a->line = NULL;
		a->expires_ms = 0;
	}
}

/* ---- token responses -------------------------------------------------- */

/* A number, or a string holding an integer (IMDS sends strings). */
static int
json_ll(const cJSON *v, long long *out)
{
	char *end;

	if (cJSON_IsNumber(v)) {
		*out = (long long)v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
		errno = 0;
		*out = strtoll(v->valuestring, &end, 10);
		if (errno == 0 && *end == '\0')
			return 0;
	}
	return -1;
}

/* The Azure CLI's expiresOn: "2024-01-01 12:00:00.000000", local time. */
static int
local_time(const char *s, long long *out)
{
	struct tm tm = { 0 };
	int n = 0;

	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
	        &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n == 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	*out = (long long)mktime(&tm);
	return *out == -1 ? -1 : 0;
}

static void
scrub_json(cJSON *j)
{
	cJSON *c;

	if (j == NULL)
		return;
	if (cJSON_IsString(j) && j->valuestring != NULL)
		explicit_bzero(j->valuestring, strlen(j->valuestring));
	for (c = j->child; c != NULL; c = c->next)
		scrub_json(c);
}

int
auth_parse_token(const char *json, long long now, char **token,
    long long *expires_ms, struct err *err)
{
	cJSON *j = NULL;
	const cJSON *t, *on, *in, *e, *d;
	long long v;
	int rc = -1;

	*token = NULL;
	j = cJSON_ParseWithOpts(json, NULL, 0);
	if (!cJSON_IsObject(j)) {
		err_set(err, ERR_HTTP, "token response is not a JSON object");
		goto out;
	}
	t = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	if (t == NULL)
		t = cJSON_GetObjectItemCaseSensitive(j, "accessToken");
	if (!cJSON_IsString(t) || t->valuestring[0] == '\0') {
		e = cJSON_GetObjectItemCaseSensitive(j, "error");
		d = cJSON_GetObjectItemCaseSensitive(j, "error_description");
		if (cJSON_IsString(e))
			err_set(err, ERR_HTTP, "token response: %.60s: %.200s",
			    e->valuestring,
			    cJSON_IsString(d) ? d->valuestring : "");
		else
			err_set(
			    err, ERR_HTTP, "token response lacks access_token");
		goto out;
	}
	if (!printable(t->valuestring)) {
		err_set(err, ERR_HTTP,
		    "token response: access_token holds control characters");
		goto out;
	}
	on = cJSON_GetObjectItemCaseSensitive(j, "expires_on");
	in = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	e = cJSON_GetObjectItemCaseSensitive(j, "expiresOn");
	if (on != NULL && json_ll(on, &v) == 0) {
		*expires_ms = v * 1000;
	} else if (in != NULL && json_ll(in, &v) == 0) {
		*expires_ms = now + v * 1000;
	} else if (cJSON_IsString(e) && local_time(e->valuestring, &v) == 0) {
		*expires_ms = v * 1000;
	} else {
		err_set(err, ERR_HTTP,
		    "token response lacks expires_on and expires_in");
		goto out;
	}
	if ((*token = strdup(t->valuestring)) == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = 0;
out:
	scrub_json(j);
	cJSON_Delete(j);
	return rc;
}

/* ---- fetching ---------------------------------------------------------- */

static int
store_token(struct auth *a, char *token, long long expires_ms, struct err *err)
{
	struct buf b = { .max = 64 * 1024 };
	int rc = -1;

	buf_addstr(&b, "Authorization: Bearer ");
	buf_addstr(&b, token);
	if (buf_check(&b, err, "credential header") == 0) {
		scrub_free(a->line);
		a->line = buf_take(&b);
		a->expires_ms = expires_ms;
		rc = 0;
	}
	scrub_buf(&b);
	scrub_free(token);
	return rc;
}

static int
fresh(const struct auth *a)
{
	if (a->line == NULL)
		return 0;
	if (!auth_is_token(a))
		return 1;
	return now_ms(a) < a->expires_ms - a->o.refresh_before_ms;
}

/* Calls every waiter with the outcome; a waiter may call auth_get()
 * again, so the list is detached first. */
static void
finish(struct auth *a, const struct err *e)
{
	struct waiter *w = a->waiters, *next;

	a->waiters = NULL;
	a->fetching = 0;
	for (; w != NULL; w = next) {
		next = w->next;
		if (e == NULL && a->line != NULL)
			w->cb(w->arg, a->line, NULL);
		else
			w->cb(w->arg, NULL, e);
		free(w);
	}
}

static void
token_done(void *arg, struct http_resp *resp, const struct err *terr)
{
	struct auth *a = arg;
	struct err e = { 0 };
	char *token = NULL;
	long long exp = 0;

	if (terr != NULL) {
		e = *terr;
		err_wrap(&e, "auth: %s token request", a->desc);
		goto out;
	}
	if (auth_parse_token(
	        buf_str(&resp->body), now_ms(a), &token, &exp, &e) != 0) {
		err_wrap(&e, "auth: %s: HTTP %ld", a->desc, resp->status);
		goto out;
	}
	if (resp->status != 200) {
		scrub_free(token);
		err_set(&e, ERR_HTTP, "auth: %s token request: HTTP %ld",
		    a->desc, resp->status);
		goto out;
	}
	if (store_token(a, token, exp, &e) != 0)
		goto out;
out:
	if (resp != NULL && resp->body.data != NULL)
		explicit_bzero(resp->body.data, resp->body.len);
	finish(a, e.code == ERR_NONE ? NULL : &e);
}

/* The tenant, client id and secret of the client-credentials flow: from
 * the options (the configuration) first, else the AZURE_* variables.  An
 * error names what is missing, never a value. */
static int
client_secret_parts(const struct auth *a, const char **tenant,
    const char **client, const char **secret, struct err *err)
{
	const char *senv = a->client_secret_env;
	const char *t = a->tenant_id, *c = a->client_id, *s;

	if (senv == NULL || senv[0] == '\0')
		senv = "AZURE_CLIENT_SECRET";
	if (t == NULL || t[0] == '\0') {
		if (need_env("AZURE_TENANT_ID", err) != 0)
			return -1;
		t = getenv("AZURE_TENANT_ID");
	}
	if (c == NULL || c[0] == '\0') {
		if (need_env("AZURE_CLIENT_ID", err) != 0)
			return -1;
		c = getenv("AZURE_CLIENT_ID");
	}
	if (need_env(senv, err) != 0)
		return -1;
	s = getenv(senv);
	if (tenant != NULL)
		*tenant = t;
	if (client != NULL)
		*client = c;
	if (secret != NULL)
		*secret = s;
	return 0;
}

static int
client_secret_submit(struct auth *a, struct http *h, struct err *err)
{
	struct buf url = { .max = 4096 }, body = { .max = 16384 };
	const char *host = getenv("AZURE_AUTHORITY_HOST");
	const char *tenant, *client, *secret;
	struct http_req req = { 0 };
	size_t n;
	int rc = -1;

	if (client_secret_parts(a, &tenant, &client, &secret, err) != 0)
		return -1;
	if (host == NULL || host[0] == '\0')
		host = a->authority_host;
	if (host == NULL || host[0] == '\0')
		host = AUTHORITY;
	n = strlen(host);
	while (n > 0 && host[n - 1] == '/')
		n--;
	if (strncmp(host, "https://", 8) != 0 &&
	    !(strncmp(host, "http://", 7) == 0 && http_url_is_loopback(host)))
		return err_set(err, ERR_SPEC,
		    "auth: AZURE_AUTHORITY_HOST must be an https URL");
	buf_add(&url, host, n);
	buf_addch(&url, '/');
	buf_addurlenc(&url, tenant);
	buf_addstr(&url, "/oauth2/v2.0/token");
	buf_addstr(&body, "grant_type=client_credentials&client_id=");
	buf_addurlenc(&body, client);
	buf_addstr(&body, "&client_secret=");
	buf_addurlenc(&body, secret);
	buf_addstr(&body, "&scope=");
	buf_addurlenc(&body, resource(a));
	buf_addurlenc(&body, "/.default");
	if (buf_check(&url, err, "token URL") != 0 ||
	    buf_check(&body, err, "token request") != 0)
		goto out;
	req.method = "POST";
	req.url = buf_str(&url);
	req.body = body.data;
	req.body_len = body.len;
	req.content_type = "application/x-www-form-urlencoded";
	req.retry = 1; /* asking for a token twice is harmless */
	rc = http_submit(h, &req, token_done, a, err);
out:
	buf_release(&url);
	scrub_buf(&body);
	return rc;
}

static int
managed_identity_submit(struct auth *a, struct http *h, struct err *err)
{
	const char *ep = getenv("IDENTITY_ENDPOINT");
	const char *ih = getenv("IDENTITY_HEADER");
	const char *imds = getenv("STANDBY_IMDS_ENDPOINT");
	struct buf url = { .max = 4096 }, secret = { .max = 4096 };
	const char *hdrs[] = { "Metadata: true", NULL };
	const char *sec[] = { NULL, NULL };
	struct http_req req = { 0 };
	int appsvc = ep != NULL && ep[0] != '\0' && ih != NULL && ih[0] != '\0';
	int rc = -1;

	/* App Service / Container Apps publish their own endpoint and a
	 * header secret; elsewhere it is IMDS (overridable for tests). */
	if (appsvc) {
		buf_addstr(&url, ep);
		buf_addstr(&url, strchr(ep, '?') ? "&" : "?");
		buf_addstr(&url, "api-version=2019-08-01&resource=");
	} else {
		buf_addstr(&url, imds && imds[0] ? imds : IMDS_URL);
		buf_addstr(&url, "?api-version=2018-02-01&resource=");
	}
	buf_addurlenc(&url, resource(a));
	if (a->client_id != NULL) {
		buf_addstr(&url, "&client_id=");
		buf_addurlenc(&url, a->client_id);
	}
	if (buf_check(&url, err, "identity URL") != 0)
		goto out;
	req.method = "GET";
	req.url = buf_str(&url);
	req.headers = hdrs;
	if (appsvc) {
		if (!printable(ih)) {
			err_set(err, ERR_SPEC,
			    "auth: IDENTITY_HEADER holds control characters");
			goto out;
		}
		buf_addstr(&secret, "X-IDENTITY-HEADER: ");
		buf_addstr(&secret, ih);
		if (buf_check(&secret, err, "identity header") != 0)
			goto out;
		sec[0] = buf_str(&secret);
		req.secret_headers = sec;
	}
	rc = http_submit(h, &req, token_done, a, err);
out:
	buf_release(&url);
	scrub_buf(&secret);
	return rc;
}

/* Runs az with stdin from /dev/null, collecting stdout (the token JSON)
 * and stderr (for the error), within the time limit. */
static int
run_az(struct auth *a, struct buf *out, struct err *err)
{
	char *argv[10];
	int argc = 0, po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status, rc = -1;
	struct buf eb = { .max = 4096 };
	posix_spawn_file_actions_t fa;
	int fa_ok = 0, open_fds;
	long long deadline;
	pid_t pid = -1;
	char chunk[4096];

	argv[argc++] = (char *)"az";
	argv[argc++] = (char *)"account";
	argv[argc++] = (char *)"get-access-token";
	argv[argc++] = (char *)"--output";
	argv[argc++] = (char *)"json";
	argv[argc++] = (char *)"--resource";
	argv[argc++] = (char *)resource(a);
	if (a->tenant_id != NULL) {
		argv[argc++] = (char *)"--tenant";
		argv[argc++] = a->tenant_id;
	}
	argv[argc] = NULL;
	if (pipe(po) != 0 || pipe(pe) != 0) {
		err_errno(err, "auth: azure-cli: pipe");
		goto out;
	}
	if (posix_spawn_file_actions_init(&fa) != 0) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	fa_ok = 1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawn_file_actions_addclose(&fa, po[0]);
	posix_spawn_file_actions_addclose(&fa, pe[0]);
	errno = posix_spawnp(&pid, "az", &fa, NULL, argv, environ);
	if (errno != 0) {
		pid = -1;
		err_set(err, ERR_IO,
		    "auth: azure-cli: cannot run 'az' (is it on PATH?): %s",
		    strerror(errno));
		goto out;
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	deadline = timeutil_mono_ms() + a->o.cli_timeout_ms;
	open_fds = 2;
	while (open_fds > 0) {
		struct pollfd pf[2] = { { po[0], POLLIN, 0 },
			{ pe[0], POLLIN, 0 } };
		long long left = deadline - timeutil_mono_ms();
		int n;

		if (left <= 0) {
			kill(pid, SIGKILL);
			err_set(err, ERR_IO, "auth: azure-cli: az timed out");
			goto out;
		}
		n = poll(pf, 2, (int)(left > 1000 ? 1000 : left));
		if (n < 0 && errno != EINTR) {
			err_errno(err, "auth: azure-cli: poll");
			goto out;
		}
		for (int i = 0; i < 2 && n > 0; i++) {
			ssize_t r;

			if (pf[i].fd < 0 || pf[i].revents == 0)
				continue;
			r = read(pf[i].fd, chunk, sizeof(chunk));
			if (r > 0) {
				buf_add(i == 0 ? out : &eb, chunk, (size_t)r);
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			close(pf[i].fd);
			if (i == 0)
				po[0] = -1;
			else
				pe[0] = -1;
			open_fds--;
		}
	}
	explicit_bzero(chunk, sizeof(chunk));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char line[240] = "";
		const char *s = buf_str(&eb);

		/* az says why on stderr ("Please run 'az login'"); its
		 * first line carries no secret. */
		sscanf(s, "%239[^\n]", line);
		err_set(err, ERR_IO, "auth: azure-cli: az exited with %d%s%s",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		    line[0] ? ": " : "", line);
		goto out;
	}
	if (out->failed) {
		err_set(err, ERR_IO, "auth: azure-cli: az output too large");
		goto out;
	}
	rc = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	buf_release(&eb);
	return rc;
}

/* Fetches synchronously (az or the test fetcher). */
static int
fetch_now(struct auth *a, struct err *err)
{
	struct buf out = { .max = 64 * 1024 };
	char *token = NULL;
	long long exp = 0;
	int rc = -1;

	if (a->o.fetch != NULL) {
		if (a->o.fetch(a->o.fetch_arg, &token, &exp, err) != 0) {
			err_wrap(err, "auth: %s", a->desc);
			goto out;
		}
	} else {
		if (run_az(a, &out, err) != 0)
			goto out;
		buf_addstr(&out, "");
		if (auth_parse_token(
		        buf_str(&out), now_ms(a), &token, &exp, err) != 0) {
			err_wrap(err, "auth: azure-cli");
			goto out;
		}
	}
	rc = store_token(a, token, exp, err);
	token = NULL;
out:
	scrub_free(token);
	scrub_buf(&out);
	return rc;
}

int
auth_get(struct auth *a, struct http *h, auth_fn cb, void *arg, struct err *err)
{
	struct waiter *w;

	if (fresh(a)) {
		cb(arg, a->line, NULL);
		return 0;
	}
	if (!auth_is_token(a))
		return err_set(err, ERR_SPEC, "auth: %s: no key", a->desc);
	if (a->o.fetch != NULL || a->o.method == AUTH_AZURE_CLI) {
		if (fetch_now(a, err) != 0)
			return -1;
		cb(arg, a->line, NULL);
		return 0;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	w->cb = cb;
	w->arg = arg;
	if (!a->fetching) {
		int rc = a->o.method == AUTH_CLIENT_SECRET
		    ? client_secret_submit(a, h, err)
		    : managed_identity_submit(a, h, err);

		if (rc != 0) {
			free(w);
			return -1;
		}
		a->fetching = 1;
	}
	w->next = a->waiters;
	a->waiters = w;
	return 0;
}

struct sync_get {
	int done;
	struct err err;
	const char *line;
};

static void
sync_cb(void *arg, const char *header, const struct err *e)
{
	struct sync_get *s = arg;

	s->done = 1;
	s->line = header;
	if (e != NULL)
		s->err = *e;
}

int
auth_header(struct auth *a, struct http *h, const char **out, struct err *err)
{
	struct sync_get s = { 0 };

	*out = NULL;
	if (auth_get(a, h, sync_cb, &s, err) != 0)
		return -1;
	while (!s.done) {
		int n = http_run(h, 1000, err);

		if (n < 0)
			return -1;
		if (n == 0 && !s.done)
			return err_set(err, ERR_HTTP,
			    "auth: %s: token request vanished", a->desc);
	}
	if (s.line == NULL) {
		if (err != NULL)
			*err = s.err;
		return -1;
	}
	*out = s.line;
	return 0;
}
