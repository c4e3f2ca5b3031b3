/*
 * http_resp.c - reading a response: headers, the JSON body (refused,
 * never half-parsed, when truncated) and the status check that turns a
 * service error into a message naming the request.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "http_int.h"

void
http_hdrs_free(struct http_hdr *p)
{
	struct http_hdr *next;

	for (; p != NULL; p = next) {
		next = p->next;
		free(p->name);
		free(p->value);
		free(p);
	}
}

void
http_resp_clear(struct http_resp *r)
{
	buf_release(&r->body);
	free(r->content_type);
	r->content_type = NULL;
	http_hdrs_free(r->hdrs);
	r->hdrs = NULL;
	r->status = 0;
}

/* ---- responses -------------------------------------------------------- */

const char *
http_resp_header(const struct http_resp *resp, const char *name)
{
	const struct http_hdr *p;

	if (resp == NULL)
		return NULL;
	for (p = resp->hdrs; p != NULL; p = p->next)
		if (strcasecmp(p->name, name) == 0)
			return p->value;
	return NULL;
}

static int
is_json_type(const char *ct)
{
	size_t n;
	const char *semi;

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	semi = strchr(ct, ';');
	n = semi ? (size_t)(semi - ct) : strlen(ct);
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	if (n == strlen("application/json") &&
	    strncasecmp(ct, "application/json", n) == 0)
		return 1;
	/* application/problem+json and friends */
	return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	    strncasecmp(ct + n - 5, "+json", 5) == 0;
}

int
http_resp_json(
    const struct http_resp *resp, struct cJSON **out, struct err *err)
{
	const char *url = resp->url ? resp->url : "the response";
	const char *data = buf_str(&resp->body), *end = NULL, *p;
	size_t len = resp->body.len, off, line = 1, col = 1;
	cJSON *j;

	*out = NULL;
	if (!is_json_type(resp->content_type))
		return err_set(err, ERR_HTTP,
		    "%s: expected a JSON body, got content type '%s'", url,
		    resp->content_type ? resp->content_type : "(none)");
	if (len == 0)
		return err_set(
		    err, ERR_HTTP, "%s: empty body, expected JSON", url);
	j = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	if (j != NULL) {
		/* Only whitespace may follow the value; a NUL inside the body
		 * would otherwise hide the rest of it. */
		for (p = end; p < data + len && isspace((unsigned char)*p); p++)
			;
		if (p == data + len) {
			*out = j;
			return 0;
		}
		end = p;
		cJSON_Delete(j);
	}
	if (end == NULL || end < data || end > data + len)
		end = data + len;
	off = (size_t)(end - data);
	for (p = data; p < end; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	return err_set(err, ERR_HTTP,
	    "%s: %s JSON at offset %zu (line %zu, column %zu) of %zu bytes",
	    url, off + 1 >= len ? "truncated or invalid" : "invalid", off, line,
	    col, len);
}

int
http_resp_check(const struct http_resp *resp, struct err *err)
{
	cJSON *j = NULL, *e, *code, *msg;
	struct err ignored;
	enum err_code ec = ERR_HTTP;
	char detail[300] = "", tries[48] = "";

	if (resp->status >= 200 && resp->status < 300)
		return 0;
	if (resp->status == 404)
		ec = ERR_NOTFOUND;
	else if (resp->status == 409 || resp->status == 412)
		ec = ERR_CONFLICT;
	if (http_resp_json(resp, &j, &ignored) == 0 &&
	    (e = cJSON_GetObjectItemCaseSensitive(j, "error")) != NULL) {
		code = cJSON_GetObjectItemCaseSensitive(e, "code");
		msg = cJSON_GetObjectItemCaseSensitive(e, "message");
		snprintf(detail, sizeof(detail), ": %s%s%.200s",
		    cJSON_IsString(code) ? code->valuestring : "",
		    cJSON_IsString(code) && cJSON_IsString(msg) ? ": " : "",
		    cJSON_IsString(msg) ? msg->valuestring : "");
	}
	cJSON_Delete(j);
	if (resp->attempts > 1)
		snprintf(tries, sizeof(tries), " (after %d attempts)",
		    resp->attempts);
	err_set(err, ec, "%s %s: status %ld%s%s",
	    resp->method ? resp->method : "", resp->url ? resp->url : "",
	    resp->status, detail, tries);
	return -1;
}

void
http_resp_free(struct http_resp *resp)
{
	if (resp == NULL)
		return;
	http_resp_clear(resp);
	free(resp->url);
	free(resp);
}
