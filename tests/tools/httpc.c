/*
 * httpc.c - a tiny command-line client over lib/http, for shell tests:
 *
 *	httpc [--cacert F] [--insecure] [-H 'h: v'] [--secret-header 'h: v']
 *	      [-X METHOD] [-d BODY] [--retries N] [--timeout-ms N]
 *	      [--max-body N] [--json] [-v] URL
 *
 * Prints "status: N", "attempts: N", the response headers, a blank line
 * and the body on stdout; the client's log on stderr (-v adds the debug
 * level).  --json parses the body with http_resp_json() and prints
 * "json: ok" or the error.  Exits 0 when a response arrived (any status),
 * 1 on a failure, 2 on bad usage.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "http.h"

#define MAXH 16

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	interrupted = sig;
}

static void
to_stderr(void *arg, int level, const char *msg)
{
	int verbose = *(int *)arg;

	if (level <= HTTP_LOG_INFO || verbose)
		fprintf(stderr, "httpc: %s\n", msg);
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: httpc [--cacert F] [--insecure] [-H 'h: v'] "
	    "[--secret-header 'h: v']\n"
	    "             [-X METHOD] [-d BODY] [--retries N] "
	    "[--timeout-ms N] [--max-body N]\n"
	    "             [--json] [-v] URL\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const char *hdrs[MAXH + 1] = { 0 }, *secrets[MAXH + 1] = { 0 };
	struct http_opts o = { 0 };
	struct http_req req = { .method = "GET" };
	struct http_resp *r = NULL;
	struct http *h = NULL;
	struct err err = { 0 };
	int nh = 0, ns = 0, verbose = 0, json = 0, i, rc = 1;
	cJSON *j = NULL;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--insecure") == 0)
			o.insecure = 1;
		else if (strcmp(a, "-v") == 0)
			verbose = 1;
		else if (strcmp(a, "--json") == 0)
			json = 1;
		else if (a[0] == '-' && v == NULL)
			return usage();
		else if (strcmp(a, "--cacert") == 0)
			o.cacert = argv[++i];
		else if (strcmp(a, "-H") == 0 && nh < MAXH)
			hdrs[nh++] = argv[++i];
		else if (strcmp(a, "--secret-header") == 0 && ns < MAXH)
			secrets[ns++] = argv[++i];
		else if (strcmp(a, "-X") == 0)
			req.method = argv[++i];
		else if (strcmp(a, "-d") == 0) {
			req.body = argv[++i];
			req.body_len = strlen(req.body);
		} else if (strcmp(a, "--retries") == 0)
			o.max_retries =
			    atoi(argv[++i]) == 0 ? -1 : atoi(argv[i]);
		else if (strcmp(a, "--timeout-ms") == 0)
			o.total_timeout_ms = atol(argv[++i]);
		else if (strcmp(a, "--max-body") == 0)
			o.max_body = (size_t)atol(argv[++i]);
		else if (a[0] == '-' || req.url != NULL)
			return usage();
		else
			req.url = a;
	}
	if (req.url == NULL)
		return usage();
	req.headers = hdrs;
	req.secret_headers = secrets;
	o.log = to_stderr;
	o.log_arg = &verbose;
	o.interrupted = &interrupted;
	o.backoff_base_ms = 50;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (http_new(&h, &o, &err) != 0 ||
	    http_do_resp(h, &req, &r, &err) != 0) {
		fprintf(stderr, "httpc: %s\n", err.msg);
		if (r != NULL)
			printf("status: %ld\nattempts: %d\nmaybe_sent: %d\n",
			    r->status, r->attempts, r->maybe_sent);
		goto out;
	}
	printf("status: %ld\nattempts: %d\n", r->status, r->attempts);
	{
		static const char *const names[] = { "content-type", "location",
			"retry-after", "x-test", NULL };
		const char *v;

		for (i = 0; names[i] != NULL; i++)
			if ((v = http_resp_header(r, names[i])) != NULL)
				printf("%s: %s\n", names[i], v);
	}
	printf("\n");
	fwrite(r->body.data ? r->body.data : "", 1, r->body.len, stdout);
	if (r->body.len > 0)
		printf("\n");
	if (json) {
		if (http_resp_json(r, &j, &err) != 0) {
			printf("json: error: %s\n", err.msg);
			goto out;
		}
		printf("json: ok\n");
	}
	rc = 0;
out:
	cJSON_Delete(j);
	http_resp_free(r);
	http_free(h);
	curl_global_cleanup();
	return rc;
}
