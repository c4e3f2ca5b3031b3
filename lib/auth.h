#ifndef STANDBY_AUTH_H
#define STANDBY_AUTH_H

/*
 * auth.h - credentials for Azure requests, as a header line for
 * http_req.secret_headers: "Ocp-Apim-Subscription-Key: <key>" for a key
 * (from an environment variable or a file), or "Authorization: Bearer
 * <token>" for an Entra ID token (client credentials, managed identity,
 * or the Azure CLI).  Tokens live in memory only, until shortly before
 * they expire; keys and tokens are scrubbed from memory when replaced or
 * freed.  Errors name the variable, file or method, never a value.
 */

#include "err.h"

struct http;
struct auth;

enum auth_method {
	AUTH_KEY_ENV,          /* key in the environment variable key_env */
	AUTH_KEY_FILE,         /* key in the file key_file */
	AUTH_CLIENT_SECRET,    /* AZURE_TENANT_ID, AZURE_CLIENT_ID,
	                          AZURE_CLIENT_SECRET; AZURE_AUTHORITY_HOST */
	AUTH_MANAGED_IDENTITY, /* IMDS, or IDENTITY_ENDPOINT+IDENTITY_HEADER */
	AUTH_AZURE_CLI,        /* az account get-access-token (az on PATH) */
};

/* Who the token is for. */
enum auth_audience {
	AUTH_COGNITIVE = 0, /* https://cognitiveservices.azure.com */
	AUTH_ARM,           /* https://management.azure.com */
};

/* Level passed to opts.log for a warning (e.g. a readable key file). */
#define AUTH_LOG_WARN 1

struct auth_opts {
	enum auth_method method;
	const char *key_env;    /* AUTH_KEY_ENV */
	const char *key_file;   /* AUTH_KEY_FILE */
	const char *key_header; /* default "Ocp-Apim-Subscription-Key"; the
	                           OpenAI data plane uses "api-key" */
	enum auth_audience audience;
	/* Client credentials: each falls back to its AZURE_* variable
	 * (AZURE_TENANT_ID, AZURE_CLIENT_ID); the secret is read from the
	 * variable client_secret_env names (default AZURE_CLIENT_SECRET).
	 * Managed identity: client_id picks a user-assigned identity. */
	const char *client_id;
	const char *tenant_id;         /* also the Azure CLI's --tenant */
	const char *client_secret_env; /* the variable's name, never a value */
	/* Entra ID authority; AZURE_AUTHORITY_HOST wins when set; NULL =
	 * https://login.microsoftonline.com */
	const char *authority_host;
	long refresh_before_ms; /* renew this long before expiry; 300 000 */
	long cli_timeout_ms;    /* az's time limit, default 60 000 */
	void (*log)(void *arg, int level, const char *msg);
	void *log_arg;
	/* Tests: a wall clock in ms since the epoch (NULL = the real one),
	 * and a token fetcher that replaces the network/az (NULL = real). */
	long long (*now_ms)(void *arg);
	void *clock_arg;
	int (*fetch)(
	    void *arg, char **token, long long *expires_ms, struct err *err);
	void *fetch_arg;
};

/* Creates a credential source.  A key is read now (a group- or
 * world-readable key file is logged as a warning); for client credentials
 * the three variables must be set.  Returns 0, or -1 with err naming the
 * variable or file. */
int auth_new(struct auth **out, const struct auth_opts *opts, struct err *err);

/* Scrubs the key or token and frees a; NULL does nothing.  No fetch may
 * be in flight (run h until idle, or free h first). */
void auth_free(struct auth *a);

/* The header line's receiver: header is borrowed until the next auth
 * call; exactly one of header and err is non-NULL. */
typedef void (*auth_fn)(void *arg, const char *header, const struct err *err);

/* Gets the credential header.  cb runs before auth_get() returns when the
 * credential is at hand (key, cached token, az, test fetcher), otherwise
 * from a later http_run() of h once the token request ends; concurrent
 * callers share one request.  Returns 0, or -1 with err set and cb never
 * called. */
int auth_get(
    struct auth *a, struct http *h, auth_fn cb, void *arg, struct err *err);

/* Blocking form: *out is borrowed from a until the next auth call. */
int auth_header(
    struct auth *a, struct http *h, const char **out, struct err *err);

/* Forgets a cached token (after a 401), so the next auth_get() fetches a
 * new one.  Keys are kept. */
void auth_invalidate(struct auth *a);

/* 1 for the Entra methods (a bearer token that can be renewed). */
int auth_is_token(const struct auth *a);

/* The method's name for messages: "key from LANG_KEY", "azure-cli", ... */
const char *auth_describe(const struct auth *a);

/* Parses a token endpoint's JSON (access_token + expires_on or
 * expires_in, numbers or strings; or the Azure CLI's accessToken +
 * expires_on / expiresOn local time) at now_ms.  *token is the caller's
 * (scrub and free).  Exposed for tests. */
int auth_parse_token(const char *json, long long now_ms, char **token,
    long long *expires_ms, struct err *err);

#endif
