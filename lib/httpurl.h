#ifndef STANDBY_HTTPURL_H
#define STANDBY_HTTPURL_H

/*
 * httpurl.h - URL rules shared by the HTTP client and anyone who shows a
 * URL: loopback detection, origins, and redaction for logs and errors.
 */

#include "buf.h"

/* The longest URL the client sends. */
#define HTTPURL_MAX 8192

/* 1 when host (as a URL names it: "127.0.0.1", "[::1]", "localhost") is
 * a loopback host: 127.0.0.0/8, ::1 or localhost. */
int httpurl_host_is_loopback(const char *host);

/* 1 when url parses and its host is loopback; 0 otherwise (NULL too). */
int httpurl_is_loopback(const char *url);

/* The scheme and host of url, each the caller's (free()).  Returns 0, or
 * -1 (both NULL) when url does not parse or memory runs out. */
int httpurl_split(const char *url, char **scheme, char **host);

/* "scheme://host:port" of url, lower-cased, with the scheme's default
 * port filled in, so that equal strings mean the same origin.  The
 * caller's (free()); NULL when url does not parse. */
char *httpurl_origin(const char *url);

/* Appends url to b without user info or fragment, with every query value
 * other than api-version replaced by REDACTED: SAS signatures and codes
 * travel in queries.  A URL that does not parse appends "(invalid URL)". */
void httpurl_add_redacted(struct buf *b, const char *url);

/* httpurl_add_redacted() into a new string, the caller's (free()); NULL
 * only when memory runs out. */
char *httpurl_redacted(const char *url);

#endif
