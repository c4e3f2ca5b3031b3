/*
 * faults.c - ordered fault rules for the control API.  A rule matches by
 * method, a POSIX extended regex on the path and the resource name, then
 * is limited by count (first N matches), nth (only the Nth match) and
 * probability.  The first rule that fires wins; rules are evaluated per
 * request, so a retry meets the rules afresh.
 */

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* OpenSSL's ERR_STATE typedef collides with lib/err.h's ERR_STATE. */
#define ERR_STATE OSSL_ERR_STATE
#include <openssl/rand.h>

#undef ERR_STATE

#include "emu.h"

static const char *const action_names[] = { "status", "delay", "truncate",
	"close", "hang", "wrong-content-type", "redirect", "oversized", NULL };

void
faults_free(struct fault *f)
{
	if (f == NULL)
		return;
	if (f->re != NULL) {
		regfree(f->re);
		free(f->re);
	}
	free(f->path_re);
	cJSON_Delete(f->headers);
	free(f->body);
	free(f->location);
	free(f->content_type);
	free(f);
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static const char *
str_item(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
num_item(const cJSON *o, const char *name, double *out, struct buf *why)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (v == NULL)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0) {
		buf_addf(why, "'%s' must be a non-negative number", name);
		return -1;
	}
	*out = v->valuedouble;
	return 0;
}

int
faults_parse(
    struct emu *emu, const cJSON *spec, struct fault **out, struct buf *why)
{
	struct fault *f = NULL;
	const char *s, *action;
	const cJSON *v;
	double d;
	int i, rc = -1;

	*out = NULL;
	if (!cJSON_IsObject(spec)) {
		buf_addstr(why, "a fault rule must be a JSON object");
		return -1;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		goto out;
	action = str_item(spec, "action");
	if (action == NULL) {
		buf_addstr(why,
		    "'action' is required (one of status, delay, "
		    "truncate, close, hang, wrong-content-type, "
		    "redirect, oversized)");
		goto out;
	}
	for (i = 0; action_names[i] != NULL; i++)
		if (strcmp(action, action_names[i]) == 0)
			break;
	if (action_names[i] == NULL) {
		buf_addf(why, "unknown action '%s'", action);
		goto out;
	}
	f->action = (enum fault_action)i;
	if ((s = str_item(spec, "method")) != NULL) {
		if (strlen(s) >= sizeof(f->method)) {
			buf_addstr(why, "'method' is too long");
			goto out;
		}
		strcpy(f->method, s);
	}
	if ((s = str_item(spec, "resource")) != NULL) {
		if (strlen(s) >= sizeof(f->resource)) {
			buf_addstr(why, "'resource' is too long");
			goto out;
		}
		strcpy(f->resource, s);
	}
	f->path_re = strdup((s = str_item(spec, "path")) ? s : "");
	if (f->path_re == NULL)
		goto out;
	if (*f->path_re != '\0') {
		char msg[256];
		int e;

		f->re = calloc(1, sizeof(regex_t));
		if (f->re == NULL)
			goto out;
		e = regcomp(f->re, f->path_re, REG_EXTENDED | REG_NOSUB);
		if (e != 0) {
			regerror(e, f->re, msg, sizeof(msg));
			free(f->re);
			f->re = NULL;
			buf_addf(why, "bad 'path' regex: %s", msg);
			goto out;
		}
	}
	d = 0;
	if (num_item(spec, "count", &d, why) != 0)
		goto out;
	f->count = (long)d;
	d = 0;
	if (num_item(spec, "nth", &d, why) != 0)
		goto out;
	f->nth = (long)d;
	d = 0;
	if (num_item(spec, "probability", &d, why) != 0)
		goto out;
	if (d > 1) {
		buf_addstr(why, "'probability' must be between 0 and 1");
		goto out;
	}
	f->probability = d;
	d = 0;
	if (num_item(spec, "status", &d, why) != 0)
		goto out;
	f->status = (int)d;
	if (f->action == FA_STATUS && (f->status < 100 || f->status > 599)) {
		buf_addstr(why, "action 'status' needs 'status' (100-599)");
		goto out;
	}
	d = 0;
	if (num_item(spec, "ms", &d, why) != 0)
		goto out;
	f->ms = (long)d;
	d = f->action == FA_OVERSIZED ? 128.0 * 1024 * 1024 : 0;
	if (num_item(spec, "bytes", &d, why) != 0)
		goto out;
	f->bytes = (long)d;
	v = cJSON_GetObjectItemCaseSensitive(spec, "body");
	if (cJSON_IsString(v))
		f->body = strdup(v->valuestring);
	else if (v != NULL)
		f->body = cJSON_PrintUnformatted(v);
	v = cJSON_GetObjectItemCaseSensitive(spec, "headers");
	if (v != NULL) {
		const cJSON *it;

		if (!cJSON_IsObject(v)) {
			buf_addstr(why, "'headers' must be an object");
			goto out;
		}
		cJSON_ArrayForEach(it, v)
		{
			if (!cJSON_IsString(it)) {
				buf_addf(why, "header '%s' must be a string",
				    it->string);
				goto out;
			}
		}
		f->headers = cJSON_Duplicate(v, 1);
	}
	f->location = dup_or_null(str_item(spec, "location"));
	f->content_type = dup_or_null(str_item(spec, "content_type"));
	if (f->action == FA_REDIRECT && f->location == NULL) {
		buf_addstr(why, "action 'redirect' needs 'location'");
		goto out;
	}
	f->id = ++emu->next_fault_id;
	*out = f;
	f = NULL;
	rc = 0;
out:
	if (rc != 0 && why->len == 0)
		buf_addstr(why, "out of memory");
	faults_free(f);
	return rc;
}

static struct fault *
copy(const struct fault *f)
{
	struct fault *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	*c = *f;
	c->re = NULL;
	c->path_re = dup_or_null(f->path_re);
	c->headers = f->headers ? cJSON_Duplicate(f->headers, 1) : NULL;
	c->body = dup_or_null(f->body);
	c->location = dup_or_null(f->location);
	c->content_type = dup_or_null(f->content_type);
	return c;
}

struct fault *
faults_match(
    struct emu *emu, const char *resource, const char *method, const char *path)
{
	size_t i;

	for (i = 0; i < emu->nfaults; i++) {
		struct fault *f = emu->faults[i];

		if (f->method[0] != '\0' && strcasecmp(f->method, method) != 0)
			continue;
		if (f->resource[0] != '\0' &&
		    strcmp(f->resource, resource) != 0)
			continue;
		if (f->re != NULL && regexec(f->re, path, 0, NULL, 0) != 0)
			continue;
		f->seen++;
		if (f->nth > 0 && f->seen != f->nth)
			continue;
		if (f->count > 0 && f->applied >= f->count)
			continue;
		if (f->probability > 0) {
			unsigned int r;

			if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
				r = 0;
			if ((double)r / 4294967296.0 >= f->probability)
				continue;
		}
		f->applied++;
		return copy(f);
	}
	return NULL;
}

cJSON *
faults_json(const struct fault *f)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)f->id);
	cJSON_AddStringToObject(o, "action", action_names[f->action]);
	cJSON_AddStringToObject(o, "method", f->method);
	cJSON_AddStringToObject(o, "path", f->path_re ? f->path_re : "");
	cJSON_AddStringToObject(o, "resource", f->resource);
	cJSON_AddNumberToObject(o, "count", (double)f->count);
	cJSON_AddNumberToObject(o, "nth", (double)f->nth);
	cJSON_AddNumberToObject(o, "probability", f->probability);
	cJSON_AddNumberToObject(o, "seen", (double)f->seen);
	cJSON_AddNumberToObject(o, "applied", (double)f->applied);
	return o;
}
