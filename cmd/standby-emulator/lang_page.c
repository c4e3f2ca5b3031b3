/*
 * lang_page.c - helpers shared by the Language handlers: list paging
 * (top, skip, maxpagesize and an absolute nextLink that keeps the
 * api-version, as reference section 2.1 asks of an emulator), URL path
 * encoding, and parsing a JSON request body into the service's 400s.
 */

#include <stdlib.h>
#include <string.h>

#include "emu.h"

/* Parses a non-negative int32 query parameter; -1 if absent. */
static int
query_int(const struct req *rq, const char *name, long *out, struct resp *r)
{
	const char *s = emu_query(rq, name);
	char *end;
	long v;

	*out = -1;
	if (s == NULL)
		return 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 2147483647L) {
		resp_error(r, 400, "InvalidArgument",
		    "query parameter '%s' must be a non-negative integer, got "
		    "'%s'",
		    name, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Answers a list call from all of items (taken), honouring top, skip
 * and maxpagesize, with an absolute nextLink that carries api-version. */
void
lang_page(struct resp *r, const struct req *rq, const char *ver, cJSON *items)
{
	long top, skip, ps, total = cJSON_GetArraySize(items), n, i;
	cJSON *o = NULL, *val;

	if (query_int(rq, "top", &top, r) != 0 ||
	    query_int(rq, "skip", &skip, r) != 0 ||
	    query_int(rq, "maxpagesize", &ps, r) != 0)
		goto out;
	if (skip < 0)
		skip = 0;
	if (ps <= 0)
		ps = 50;
	n = total - skip;
	if (n < 0)
		n = 0;
	if (top >= 0 && n > top)
		n = top;
	if (n > ps)
		n = ps;
	o = cJSON_CreateObject();
	val = cJSON_AddArrayToObject(o, "value");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(val,
		    cJSON_Duplicate(
		        cJSON_GetArrayItem(items, (int)(skip + i)), 1));
	if (skip + n < total && (top < 0 || n < top)) {
		struct buf u = { .max = 8192 };

		buf_addf(&u, "%s", rq->base);
		lang_addurlpath(&u, rq->path);
		buf_addf(&u, "?api-version=%s", ver);
		if (top >= 0)
			buf_addf(&u, "&top=%ld", top - n);
		buf_addf(&u, "&skip=%ld", skip + n);
		if (emu_query(rq, "maxpagesize") != NULL)
			buf_addf(&u, "&maxpagesize=%ld", ps);
		if (emu_query(rq, "projectKind") != NULL) {
			buf_addstr(&u, "&projectKind=");
			buf_addurlenc(&u, emu_query(rq, "projectKind"));
		}
		cJSON_AddStringToObject(o, "nextLink", buf_str(&u));
		buf_release(&u);
	} else {
		cJSON_AddNullToObject(o, "nextLink");
	}
	resp_json(r, 200, o);
out:
	cJSON_Delete(o);
	cJSON_Delete(items);
}

void
lang_addurlpath(struct buf *b, const char *path)
{
	const char *s = path, *slash;

	while (*s != '\0') {
		slash = strchr(s, '/');
		if (slash == s) {
			buf_addch(b, '/');
			s++;
			continue;
		}
		{
			size_t n = slash ? (size_t)(slash - s) : strlen(s);
			char *seg = strndup(s, n);

			if (seg != NULL) {
				/* keep ':' readable, as in ":export" */
				const char *c;

				for (c = seg; *c != '\0'; c++) {
					if (*c == ':')
						buf_addch(b, ':');
					else {
						char one[2] = { *c, '\0' };

						buf_addurlenc(b, one);
					}
				}
				free(seg);
			}
			s += n;
		}
	}
}

cJSON *
lang_parse_body(const struct req *rq, struct resp *r)
{
	const char *end = NULL;
	cJSON *doc;

	if (rq->body_len == 0) {
		resp_error(
		    r, 400, "InvalidRequest", "the request body is empty");
		return NULL;
	}
	doc = cJSON_ParseWithLengthOpts(rq->body, rq->body_len, &end, 0);
	if (doc == NULL) {
		resp_error(r, 400, "InvalidRequestBodyFormat",
		    "the request body is not valid JSON (at byte %ld)",
		    end ? (long)(end - rq->body) : 0L);
		return NULL;
	}
	if (!cJSON_IsObject(doc)) {
		resp_error(r, 400, "InvalidRequestBodyFormat",
		    "the request body must be a JSON object");
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}
