/* auth_test.c - keys from the environment and files, the readable-file
 * warning, token caching on a fake clock with a fake fetcher, token
 * response parsing, and the Azure CLI through a fake "az" on PATH.  No
 * network: the HTTP token methods are covered end to end against the
 * emulator (tests/e2e/1xx). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "t.h"

static char tmp[] = "/tmp/standby-auth-XXXXXX";
static long long now;
static int fetches;
static char logged[1024];

static long long
clock_fn(void *arg)
{
	(void)arg;
	return now;
}

static void
log_fn(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level == AUTH_LOG_WARN)
		snprintf(logged, sizeof(logged), "%s", msg);
}

static int
fake_fetch(void *arg, char **token, long long *expires_ms, struct err *err)
{
	(void)arg;
	(void)err;
	fetches++;
	*token = strdup(fetches == 1 ? "tok-one" : "tok-two");
	*expires_ms = now + 3600 * 1000;
	return 0;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
	chmod(path, mode);
}

static void
test_key_from_env(void)
{
	struct auth_opts o = { .method = AUTH_KEY_ENV, .key_env = "T_KEY" };
	struct auth *a = NULL;
	struct err err = { 0 };
	const char *h = NULL;

	setenv("T_KEY", "s3cret-key\n", 1);
	T_OK(auth_new(&a, &o, &err) == 0);
	T_OK(auth_header(a, NULL, &h, &err) == 0);
	T_EQ_STR(h, "Ocp-Apim-Subscription-Key: s3cret-key");
	T_EQ_INT(auth_is_token(a), 0);
	auth_invalidate(a); /* keys stay */
	T_OK(auth_header(a, NULL, &h, &err) == 0);
	auth_free(a);
	o.key_header = "api-key";
	T_OK(auth_new(&a, &o, &err) == 0);
	T_OK(auth_header(a, NULL, &h, &err) == 0);
	T_EQ_STR(h, "api-key: s3cret-key");
	auth_free(a);
}

static void
test_key_env_errors_name_the_variable(void)
{
	struct auth_opts o = { .method = AUTH_KEY_ENV, .key_env = "T_NOPE" };
	struct auth *a = NULL;
	struct err err = { 0 };

	unsetenv("T_NOPE");
	T_OK(auth_new(&a, &o, &err) != 0);
	T_CONTAINS(err.msg, "environment variable T_NOPE is not set");
	T_OK(a == NULL);
	setenv("T_NOPE", " \n", 1);
	T_OK(auth_new(&a, &o, &err) != 0);
	T_CONTAINS(err.msg, "T_NOPE is empty");
	setenv("T_NOPE", "abc\r\nX-Evil: 1", 1);
	T_OK(auth_new(&a, &o, &err) != 0);
	T_CONTAINS(err.msg, "T_NOPE holds control characters");
	T_OK(strstr(err.msg, "abc") == NULL);
	T_OK(strstr(err.msg, "Evil") == NULL);
}

static void
test_key_file_and_permission_warning(void)
{
	char path[256];
	struct auth_opts o = { .method = AUTH_KEY_FILE, .log = log_fn };
	struct auth *a = NULL;
	struct err err = { 0 };
	const char *h = NULL;

	snprintf(path, sizeof(path), "%s/key", tmp);
	o.key_file = path;
	write_file(path, "file-key\n", 0600);
	logged[0] = '\0';
	T_OK(auth_new(&a, &o, &err) == 0);
	T_OK(auth_header(a, NULL, &h, &err) == 0);
	T_EQ_STR(h, "Ocp-Apim-Subscription-Key: file-key");
	T_EQ_STR(logged, "");
	auth_free(a);
	chmod(path, 0644);
	T_OK(auth_new(&a, &o, &err) == 0);
	T_CONTAINS(logged, "is readable by group or others");
	T_CONTAINS(logged, path);
	T_OK(strstr(logged, "file-key") == NULL);
	auth_free(a);
}

static void
test_key_file_errors_name_the_file(void)
{
	char path[256];
	struct auth_opts o = { .method = AUTH_KEY_FILE };
	struct auth *a = NULL;
	struct err err = { 0 };

	snprintf(path, sizeof(path), "%s/missing", tmp);
	o.key_file = path;
	T_OK(auth_new(&a, &o, &err) != 0);
	T_CONTAINS(err.msg, "cannot open key file");
	T_CONTAINS(err.msg, path);
	snprintf(path, sizeof(path), "%s/empty", tmp);
	write_file(path, "\n", 0600);
	T_OK(auth_new(&a, &o, &err) != 0);
	T_CONTAINS(err.msg, "is empty");
	snprintf(path, sizeof(path), "%s/twolines", tmp);
	write_file(path, "line-one\nline-two\n", 0600);
	T_OK(auth_new(&a, &o, &err) != 0);
	T_CONTAINS(err.msg, "more than one line");
	T_OK(strstr(err.msg, "line-one") == NULL);
}

static void
test_token_cached_until_shortly_before_expiry(void)
{
	struct auth_opts o = { .method = AUTH_CLIENT_SECRET,
		.now_ms = clock_fn,
		.fetch = fake_fetch };
	struct auth *a = NULL;
	struct err err = { 0 };
	const char *h = NULL;

	now = 1000000;
	fetches = 0;
	T_OK(auth_new(&a, &o, &err) == 0);
	T_EQ_INT(auth_is_token(a), 1);
	T_OK(auth_header(a, NULL, &h, &err) == 0);
	T_EQ_STR(h, "Authorization: Bearer tok-one");
	now += 3600 * 1000 - 300 * 1000 - 1; /* 5 min + 1 ms before expiry */
	T_OK(auth_header(a, NULL, &h, &err) == 0);
	T_EQ_INT(fetches, 1);
	now += 1;
	T_OK(auth_header(a, NULL, &h, &err) == 0);
	T_EQ_INT(fetches, 2);
	T_EQ_STR(h, "Authorization: Bearer tok-two");
	auth_invalidate(a); /* after a 401 */
	T_OK(auth_header(a, NULL, &h, &err) == 0);
	T_EQ_INT(fetches, 3);
	auth_free(a);
}

static void
test_client_secret_needs_its_variables(void)
{
	struct auth_opts o = { .method = AUTH_CLIENT_SECRET };
	struct auth *a = NULL;
	struct err err = { 0 };

	setenv("AZURE_TENANT_ID", "t", 1);
	unsetenv("AZURE_CLIENT_ID");
	setenv("AZURE_CLIENT_SECRET", "very-secret", 1);
	T_OK(auth_new(&a, &o, &err) != 0);
	T_CONTAINS(err.msg, "AZURE_CLIENT_ID");
	T_OK(strstr(err.msg, "very-secret") == NULL);
	unsetenv("AZURE_CLIENT_SECRET");
}

static void
test_token_responses_of_each_source(void)
{
	struct err err = { 0 };
	char *tok = NULL;
	long long exp = 0;

	/* Entra client credentials: expires_in as a number. */
	T_OK(
	    auth_parse_token("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
	                     "\"ext_expires_in\":3599,\"access_token\":\"e1\"}",
	        1000, &tok, &exp, &err) == 0);
	T_EQ_STR(tok, "e1");
	T_EQ_INT(exp, 1000 + 3599000);
	free(tok);
	/* IMDS: strings, expires_on wins. */
	T_OK(auth_parse_token(
	         "{\"access_token\":\"m1\",\"expires_in\":\"86399\","
	         "\"expires_on\":\"1700000000\",\"resource\":\"r\","
	         "\"token_type\":\"Bearer\"}",
	         0, &tok, &exp, &err) == 0);
	T_EQ_STR(tok, "m1");
	T_EQ_INT(exp, 1700000000000LL);
	free(tok);
	/* Azure CLI, newer: expires_on as a number. */
	T_OK(auth_parse_token("{\"accessToken\":\"c1\",\"expiresOn\":"
	                      "\"2023-11-14 22:13:20.000000\",\"expires_on\":"
	                      "1700000000,\"tokenType\":\"Bearer\"}",
	         0, &tok, &exp, &err) == 0);
	T_EQ_STR(tok, "c1");
	T_EQ_INT(exp, 1700000000000LL);
	free(tok);
	/* Azure CLI, older: expiresOn in local time. */
	setenv("TZ", "UTC", 1);
	T_OK(auth_parse_token("{\"accessToken\":\"c2\",\"expiresOn\":"
	                      "\"2023-11-14 22:13:20.123456\"}",
	         0, &tok, &exp, &err) == 0);
	T_EQ_INT(exp, 1700000000000LL);
	free(tok);
}

static void
test_token_error_responses(void)
{
	struct err err = { 0 };
	char *tok = NULL;
	long long exp = 0;

	T_OK(
	    auth_parse_token("{\"error\":\"invalid_client\",\"error_description"
	                     "\":\"AADSTS7000215: Invalid client secret\"}",
	        0, &tok, &exp, &err) != 0);
	T_CONTAINS(err.msg, "invalid_client: AADSTS7000215");
	T_OK(auth_parse_token(
	         "{\"access_token\":\"x\"}", 0, &tok, &exp, &err) != 0);
	T_CONTAINS(err.msg, "lacks expires_on and expires_in");
	T_OK(strstr(err.msg, "\"x\"") == NULL);
	T_OK(auth_parse_token("not json", 0, &tok, &exp, &err) != 0);
	T_OK(
	    auth_parse_token("{\"access_token\":\"a\\r\\nb\",\"expires_in\":1}",
	        0, &tok, &exp, &err) != 0);
	T_OK(tok == NULL);
}

static void
fake_az(const char *body, int status)
{
	char path[256], script[2048];

	snprintf(path, sizeof(path), "%s/bin/az", tmp);
	snprintf(script, sizeof(script),
	    "#!/bin/sh\n"
	    "echo \"$@\" > '%s/az-args'\n"
	    "cat <<'JSON'\n%s\nJSON\n"
	    "[ %d = 0 ] || echo \"ERROR: Please run 'az login' to setup "
	    "account.\" >&2\n"
	    "exit %d\n",
	    tmp, body, status, status);
	write_file(path, script, 0755);
}

static void
test_azure_cli_through_path(void)
{
	struct auth_opts o = { .method = AUTH_AZURE_CLI,
		.audience = AUTH_ARM,
		.tenant_id = "tenant-1" };
	struct auth *a = NULL;
	struct err err = { 0 };
	const char *h = NULL;
	char args[512] = "", path[256];
	FILE *fp;

	fake_az("{\"accessToken\":\"cli-token\",\"expires_on\":4102444800,"
	        "\"tokenType\":\"Bearer\"}",
	    0);
	T_OK(auth_new(&a, &o, &err) == 0);
	T_OK(auth_header(a, NULL, &h, &err) == 0);
	T_EQ_STR(h, "Authorization: Bearer cli-token");
	snprintf(path, sizeof(path), "%s/az-args", tmp);
	fp = fopen(path, "r");
	T_OK(fp != NULL);
	T_OK(fgets(args, sizeof(args), fp) != NULL);
	fclose(fp);
	T_CONTAINS(args,
	    "account get-access-token --output json --resource "
	    "https://management.azure.com --tenant tenant-1");
	/* Cached: a second call does not run az again. */
	unlink(path);
	T_OK(auth_header(a, NULL, &h, &err) == 0);
	T_OK(access(path, F_OK) != 0);
	auth_free(a);
}

static void
test_azure_cli_failure_says_why(void)
{
	struct auth_opts o = { .method = AUTH_AZURE_CLI };
	struct auth *a = NULL;
	struct err err = { 0 };
	const char *h = NULL;

	fake_az("{}", 1);
	T_OK(auth_new(&a, &o, &err) == 0);
	T_OK(auth_header(a, NULL, &h, &err) != 0);
	T_CONTAINS(err.msg, "az exited with 1: ERROR: Please run 'az login'");
	fake_az("{\"accessToken\":\"leaky\"}", 0);
	T_OK(auth_header(a, NULL, &h, &err) != 0);
	T_CONTAINS(err.msg, "azure-cli");
	T_OK(strstr(err.msg, "leaky") == NULL);
	auth_free(a);
}

int
main(void)
{
	char bin[300], path[4096];
	int rc;

	if (mkdtemp(tmp) == NULL)
		return 1;
	snprintf(bin, sizeof(bin), "%s/bin", tmp);
	mkdir(bin, 0700);
	snprintf(path, sizeof(path), "%s:%s", bin, getenv("PATH"));
	setenv("PATH", path, 1);
	T_RUN(test_key_from_env);
	T_RUN(test_key_env_errors_name_the_variable);
	T_RUN(test_key_file_and_permission_warning);
	T_RUN(test_key_file_errors_name_the_file);
	T_RUN(test_token_cached_until_shortly_before_expiry);
	T_RUN(test_client_secret_needs_its_variables);
	T_RUN(test_token_responses_of_each_source);
	T_RUN(test_token_error_responses);
	T_RUN(test_azure_cli_through_path);
	T_RUN(test_azure_cli_failure_says_why);
	rc = t_done();
	snprintf(path, sizeof(path), "rm -rf '%s'", tmp);
	if (system(path) != 0)
		rc = 1;
	return rc;
}
