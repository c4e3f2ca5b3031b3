/*
 * auth.c - who may call a resource: its key (Ocp-Apim-Subscription-Key for
 * Language, api-key for an openai account's data plane), or a bearer token
 * from the emulator's own token endpoint, which speaks the Entra ID
 * client-credentials flow (form fields grant_type, client_id,
 * client_secret, scope) at /{tenant}/oauth2/v2.0/token.  A token carries
 * its audience: the cognitiveservices scope for the data planes, the
 * management scope for the ARM listener, which takes nothing else.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* OpenSSL's ERR_STATE typedef collides with lib/err.h's ERR_STATE. */
#define ERR_STATE OSSL_ERR_STATE
#include <openssl/crypto.h>

#undef ERR_STATE

#include "emu.h"

#define SCOPE "https://cognitiveservices.azure.com/.default"
#define MGMT_SCOPE "https://management.azure.com/.default"
#define MAX_TOKENS 10000

/* Constant-time comparison, so the emulator does not teach clients bad
 * habits by example. */
static int
same(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

enum tok {
	TOK_UNKNOWN,
	TOK_VALID,
	TOK_EXPIRED,
	TOK_AUDIENCE /* valid, for the other audience */
};

static enum tok
token_check(struct emu *emu, const char *t, int mgmt)
{
	double now = emu_now(emu);
	size_t i;

	for (i = 0; i < emu->ntokens; i++) {
		if (!same(emu->tokens[i].value, t))
			continue;
		if (emu->tokens[i].expires <= now)
			return TOK_EXPIRED;
		return emu->tokens[i].mgmt == mgmt ? TOK_VALID : TOK_AUDIENCE;
	}
	return TOK_UNKNOWN;
}

static int
token_valid(struct emu *emu, const char *t, int mgmt)
{
	return token_check(emu, t, mgmt) == TOK_VALID;
}

/* ARM: bearer tokens for management.azure.com only, with ARM's codes. */
static int
arm_auth(struct emu *emu, const struct req *rq, struct resp *r)
{
	const char *az = emu_header(rq, "authorization");

	if (az == NULL) {
		resp_error(r, 401, "AuthenticationFailed",
		    "Authentication failed. The 'Authorization' header is "
		    "missing.");
		return -1;
	}
	if (strncasecmp(az, "Bearer ", 7) != 0) {
		resp_error(r, 401, "AuthenticationFailed",
		    "Authentication failed. The 'Authorization' header is "
		    "provided in an invalid format.");
		return -1;
	}
	switch (token_check(emu, az + 7, 1)) {
	case TOK_VALID:
		return 0;
	case TOK_EXPIRED:
		resp_error(r, 401, "ExpiredAuthenticationToken",
		    "The access token expiry UTC time is earlier than current "
		    "UTC time.");
		break;
	case TOK_AUDIENCE:
		resp_error(r, 401, "InvalidAuthenticationTokenAudience",
		    "The access token has been obtained for wrong audience or "
		    "resource 'https://cognitiveservices.azure.com'. It should "
		    "exactly match with one of the allowed audiences "
		    "'https://management.azure.com/'.");
		break;
	default:
		resp_error(r, 401, "InvalidAuthenticationToken",
		    "The access token is invalid.");
		break;
	}
	resp_header(r, "WWW-Authenticate",
	    "Bearer authorization_uri=\"https://login.microsoftonline.com/\", "
	    "error=\"invalid_token\"");
	return -1;
}

/* An openai account's data plane: api-key, or a cognitiveservices token. */
static int
openai_auth(
    struct emu *emu, struct resource *res, const struct req *rq, struct resp *r)
{
	const char *key = emu_header(rq, "api-key");
	const char *az = emu_header(rq, "authorization");

	if (key != NULL && same(key, res->key))
		return 0;
	if (az != NULL && strncasecmp(az, "Bearer ", 7) == 0 &&
	    token_valid(emu, az + 7, 0))
		return 0;
	resp_error(r, 401, "unauthorized",
	    "Access denied due to invalid subscription key or wrong API "
	    "endpoint. Make sure to provide a valid key for an active "
	    "subscription and use a correct regional API endpoint for your "
	    "resource.");
	return -1;
}

int
auth_check(
    struct emu *emu, struct resource *res, const struct req *rq, struct resp *r)
{
	const char *key = emu_header(rq, "ocp-apim-subscription-key");
	const char *az = emu_header(rq, "authorization");

	if (res->type == EMU_RES_ARM)
		return arm_auth(emu, rq, r);
	if (res->type == EMU_RES_OPENAI)
		return openai_auth(emu, res, rq, r);
	if (key != NULL && same(key, res->key))
		return 0;
	if (az != NULL && strncasecmp(az, "Bearer ", 7) == 0 &&
	    token_valid(emu, az + 7, 0))
		return 0;
	if (key == NULL && az == NULL)
		resp_error(r, 401, "Unauthorized",
		    "Access denied due to missing subscription key or token. "
		    "Make sure to include a subscription key or a bearer token "
		    "when making requests to an API.");
	else
		resp_error(r, 401, "Unauthorized",
		    "Access denied due to invalid subscription key, invalid or "
		    "expired token, or wrong API endpoint.");
	return -1;
}

int
auth_add_client(struct emu *emu, const char *spec, struct err *err)
{
	const char *eq = strchr(spec, '=');
	struct client *c;

	if (eq == NULL || eq == spec || eq[1] == '\0')
		return err_set(err, ERR_SPEC,
		    "--client: want ID=SECRET, got '%.*s'",
		    (int)(eq ? eq - spec : (long)strlen(spec)), spec);
	c = realloc(emu->clients, (emu->nclients + 1) * sizeof(*c));
	if (c == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	emu->clients = c;
	c = &emu->clients[emu->nclients];
	c->id = strndup(spec, (size_t)(eq - spec));
	c->secret = strdup(eq + 1);
	if (c->id == NULL || c->secret == NULL) {
		free(c->id);
		free(c->secret);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	emu->nclients++;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes one application/x-www-form-urlencoded field of body. */
static char *
form_field(const char *body, size_t len, const char *name)
{
	size_t nl = strlen(name), i = 0;

	while (i < len) {
		size_t end = i;

		while (end < len && body[end] != '&')
			end++;
		if (end - i > nl && strncmp(body + i, name, nl) == 0 &&
		    body[i + nl] == '=') {
			struct buf v = { .max = 8192 };
			size_t k;

			for (k = i + nl + 1; k < end; k++) {
				int hi, lo;

				if (body[k] == '+')
					buf_addch(&v, ' ');
				else if (body[k] == '%' && k + 2 < end + 1 &&
				    (hi = hexval(body[k + 1])) >= 0 &&
				    (lo = hexval(body[k + 2])) >= 0) {
					buf_addch(&v, (char)(hi * 16 + lo));
					k += 2;
				} else
					buf_addch(&v, body[k]);
			}
			if (v.failed) {
				buf_release(&v);
				return NULL;
			}
			return v.data ? buf_take(&v) : strdup("");
		}
		i = end + 1;
	}
	return NULL;
}

static void
aad_error(struct resp *r, int status, const char *code, const char *desc)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error", code);
	cJSON_AddStringToObject(o, "error_description", desc);
	resp_json(r, status, o);
	cJSON_Delete(o);
}

void
auth_token_endpoint(struct emu *emu, const struct req *rq, struct resp *r)
{
	char *grant = NULL, *id = NULL, *secret = NULL, *scope = NULL;
	const char *ct = emu_header(rq, "content-type");
	struct token *t;
	cJSON *o = NULL;
	size_t i, keep;
	double now = emu_now(emu);
	int ok = 0;

	if (strcmp(rq->method, "POST") != 0) {
		aad_error(r, 405, "invalid_request",
		    "AADSTS900561: The endpoint only accepts POST requests.");
		return;
	}
	if (ct == NULL ||
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
		aad_error(r, 400, "invalid_request",
		    "AADSTS900144: The request body must be "
		    "application/x-www-form-urlencoded.");
		return;
	}
	grant = form_field(rq->body, rq->body_len, "grant_type");
	id = form_field(rq->body, rq->body_len, "client_id");
	secret = form_field(rq->body, rq->body_len, "client_secret");
	scope = form_field(rq->body, rq->body_len, "scope");
	if (grant == NULL || strcmp(grant, "client_credentials") != 0) {
		aad_error(r, 400, "unsupported_grant_type",
		    "AADSTS70003: grant_type must be client_credentials.");
		goto out;
	}
	if (id == NULL || secret == NULL) {
		aad_error(r, 400, "invalid_request",
		    "AADSTS900144: client_id and client_secret are required.");
		goto out;
	}
	for (i = 0; i < emu->nclients; i++)
		if (strcmp(emu->clients[i].id, id) == 0 &&
		    same(emu->clients[i].secret, secret))
			ok = 1;
	if (!ok) {
		aad_error(r, 401, "invalid_client",
		    "AADSTS7000215: Invalid client secret provided, or unknown "
		    "client id.");
		goto out;
	}
	if (scope == NULL ||
	    (strcmp(scope, SCOPE) != 0 && strcmp(scope, MGMT_SCOPE) != 0)) {
		aad_error(r, 400, "invalid_scope",
		    "AADSTS70011: The provided scope is not valid; want "
		    "https://cognitiveservices.azure.com/.default or "
		    "https://management.azure.com/.default.");
		goto out;
	}
	/* Drop expired tokens; when still full, drop the oldest. */
	for (i = keep = 0; i < emu->ntokens; i++)
		if (emu->tokens[i].expires > now)
			emu->tokens[keep++] = emu->tokens[i];
	emu->ntokens = keep;
	if (emu->ntokens >= MAX_TOKENS) {
		memmove(emu->tokens, emu->tokens + 1,
		    (emu->ntokens - 1) * sizeof(*emu->tokens));
		emu->ntokens--;
	}
	t = realloc(emu->tokens, (emu->ntokens + 1) * sizeof(*t));
	if (t == NULL) {
		aad_error(r, 500, "server_error", "out of memory");
		goto out;
	}
	emu->tokens = t;
	t = &emu->tokens[emu->ntokens++];
	memcpy(t->value, "emu.", 4);
	emu_hex(t->value + 4, 32);
	t->expires = now + (double)emu->token_lifetime;
	t->mgmt = strcmp(scope, MGMT_SCOPE) == 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "token_type", "Bearer");
	cJSON_AddNumberToObject(o, "expires_in", (double)emu->token_lifetime);
	cJSON_AddNumberToObject(
	    o, "ext_expires_in", (double)emu->token_lifetime);
	cJSON_AddStringToObject(o, "access_token", t->value);
	resp_json(r, 200, o);
	resp_header(r, "Cache-Control", "no-store, no-cache");
out:
	cJSON_Delete(o);
	free(grant);
	free(id);
	free(secret);
	free(scope);
}
