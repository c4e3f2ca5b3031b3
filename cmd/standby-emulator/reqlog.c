/*
 * reqlog.c - the request log: a bounded ring per listener, so a long
 * benchmark cannot grow the emulator's memory.  Secrets are masked when
 * an entry is made, so they are never stored at all.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emu.h"

void
reqlog_init(struct reqlog *l, size_t cap)
{
	memset(l, 0, sizeof(*l));
	l->cap = cap ? cap : 1;
	l->ring = calloc(l->cap, sizeof(*l->ring));
	if (l->ring == NULL)
		l->cap = 0;
}

void
reqlog_clear(struct reqlog *l)
{
	size_t i;

	for (i = 0; i < l->cap; i++) {
		cJSON_Delete(l->ring[i]);
		l->ring[i] = NULL;
	}
	l->next = l->n = 0;
}

void
reqlog_release(struct reqlog *l)
{
	if (l->ring != NULL)
		reqlog_clear(l);
	free(l->ring);
	memset(l, 0, sizeof(*l));
}

static int
secret_header(const char *name)
{
	static const char *const secret[] = { "ocp-apim-subscription-key",
		"authorization", "api-key", "cookie", "proxy-authorization",
		NULL };
	size_t i;

	for (i = 0; secret[i] != NULL; i++)
		if (strcasecmp(name, secret[i]) == 0)
			return 1;
	return 0;
}

void
reqlog_add(struct emu *emu, struct reqlog *l, const char *resource,
    const struct req *rq, int status, long fault)
{
	cJSON *e, *h, *it;
	char ts[40];

	if (l->cap == 0)
		return;
	e = cJSON_CreateObject();
	if (e == NULL)
		return;
	emu_fmt_time(emu_now(emu), ts);
	cJSON_AddNumberToObject(e, "seq", (double)++emu->log_seq);
	cJSON_AddStringToObject(e, "resource", resource);
	cJSON_AddStringToObject(e, "method", rq->method);
	cJSON_AddStringToObject(e, "path", rq->path);
	cJSON_AddItemToObject(e, "query", cJSON_Duplicate(rq->query, 1));
	h = cJSON_AddObjectToObject(e, "headers");
	cJSON_ArrayForEach(it, rq->headers)
	{
		const char *v = cJSON_IsString(it) ? it->valuestring : "";

		if (!secret_header(it->string))
			cJSON_AddStringToObject(h, it->string, v);
		else if (strncasecmp(v, "Bearer ", 7) == 0)
			cJSON_AddStringToObject(h, it->string, "Bearer ***");
		else
			cJSON_AddStringToObject(h, it->string, "***");
	}
	cJSON_AddNumberToObject(e, "status", status);
	cJSON_AddStringToObject(e, "time", ts);
	if (fault > 0)
		cJSON_AddNumberToObject(e, "fault", (double)fault);
	cJSON_Delete(l->ring[l->next]);
	l->ring[l->next] = e;
	l->next = (l->next + 1) % l->cap;
	if (l->n < l->cap)
		l->n++;
}

void
reqlog_dump(const struct reqlog *l, cJSON *arr)
{
	size_t i, start;

	if (l->cap == 0)
		return;
	start = (l->next + l->cap - l->n) % l->cap;
	for (i = 0; i < l->n; i++) {
		const cJSON *e = l->ring[(start + i) % l->cap];

		if (e != NULL)
			cJSON_AddItemToArray(arr, cJSON_Duplicate(e, 1));
	}
}
