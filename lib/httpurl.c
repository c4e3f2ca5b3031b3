/*
 * httpurl.c - the URL rules of the HTTP client: which hosts count as
 * loopback (the only ones where plain http and --insecure are allowed),
 * what origin a URL has (secret headers stay on theirs), and a form of a
 * URL that is safe in logs and errors.  Parsing is libcurl's URL API, the
 * same parser that will send the request, so the two cannot disagree
 * about which host a URL names.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpurl.h"

struct urlparts {
	char *scheme, *host, *port;
};

static void
urlparts_free(struct urlparts *u)
{
	curl_free(u->scheme);
	curl_free(u->host);
	curl_free(u->port);
}

static int
url_parts(const char *url, struct urlparts *u)
{
	CURLU *cu = curl_url();
	int rc = -1;

	memset(u, 0, sizeof(*u));
	if (cu == NULL)
		return -1;
	if (curl_url_set(cu, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(cu, CURLUPART_SCHEME, &u->scheme, 0) != CURLUE_OK ||
	    curl_url_get(cu, CURLUPART_HOST, &u->host, 0) != CURLUE_OK ||
	    curl_url_get(cu, CURLUPART_PORT, &u->port, CURLU_DEFAULT_PORT) !=
	        CURLUE_OK) {
		urlparts_free(u);
		memset(u, 0, sizeof(*u));
		goto out;
	}
	rc = 0;
out:
	curl_url_cleanup(cu);
	return rc;
}

int
httpurl_host_is_loopback(const char *host)
{
	struct in_addr a4;
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0)
		return 1;
	if (strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0)
		return 1;
	if (n > 0 && inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return 0;
}

int
httpurl_is_loopback(const char *url)
{
	struct urlparts u;
	int r;

	if (url == NULL || url_parts(url, &u) != 0)
		return 0;
	r = httpurl_host_is_loopback(u.host);
	urlparts_free(&u);
	return r;
}

int
httpurl_split(const char *url, char **scheme, char **host)
{
	struct urlparts u;

	*scheme = *host = NULL;
	if (url_parts(url, &u) != 0)
		return -1;
	*scheme = strdup(u.scheme);
	*host = strdup(u.host);
	urlparts_free(&u);
	if (*scheme == NULL || *host == NULL) {
		free(*scheme);
		free(*host);
		*scheme = *host = NULL;
		return -1;
	}
	return 0;
}

char *
httpurl_origin(const char *url)
{
	struct urlparts u;
	struct buf b = { .max = HTTPURL_MAX };
	char *p;

	if (url_parts(url, &u) != 0)
		return NULL;
	buf_addf(&b, "%s://%s:%s", u.scheme, u.host, u.port);
	urlparts_free(&u);
	if (b.failed) {
		buf_release(&b);
		return NULL;
	}
	for (p = b.data; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return buf_take(&b);
}

void
httpurl_add_redacted(struct buf *b, const char *url)
{
	CURLU *cu = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *query = NULL;
	const char *p, *amp, *eq;

	if (cu == NULL ||
	    curl_url_set(cu, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(cu, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(cu, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(cu, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		buf_addstr(b, "(invalid URL)");
		goto out;
	}
	curl_url_get(cu, CURLUPART_PORT, &port, 0);
	curl_url_get(cu, CURLUPART_QUERY, &query, 0);
	buf_addf(b, "%s://%s", scheme, host);
	if (port != NULL)
		buf_addf(b, ":%s", port);
	buf_addstr(b, path);
	if (query == NULL)
		goto out;
	buf_addch(b, '?');
	for (p = query; *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		eq = memchr(p, '=', (size_t)(amp - p));
		if (p != query)
			buf_addch(b, '&');
		if (eq == NULL ||
		    ((size_t)(eq - p) == strlen("api-version") &&
		        strncasecmp(p, "api-version", (size_t)(eq - p)) == 0))
			buf_add(b, p, (size_t)(amp - p));
		else {
			buf_add(b, p, (size_t)(eq - p));
			buf_addstr(b, "=REDACTED");
		}
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(cu);
}

char *
httpurl_redacted(const char *url)
{
	struct buf b = { .max = 2 * HTTPURL_MAX };

	httpurl_add_redacted(&b, url);
	return buf_take(&b);
}
