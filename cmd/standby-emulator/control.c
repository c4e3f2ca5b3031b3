/*
 * control.c - the control API under /_emulator, for tests: reset, the
 * request log, fault rules, taking a resource down and up, job timing,
 * rate limits, storage containers, and moving the clock (expiry tests).
 * It never seeds projects: tests build state through the real API.
 *
 * Control calls are serialised by emu->ctl_mu, because "down" and "up"
 * stop and start daemons, which must happen without emu->mu held (the
 * daemon's threads may be waiting for it).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

/* A resource, or "arm" for the ARM listener the openai accounts share. */
static struct resource *
find_res(struct emu *emu, const char *name)
{
	size_t i;

	for (i = 0; i < emu->nres; i++)
		if (strcmp(emu->res[i]->name, name) == 0)
			return emu->res[i];
	if (emu->arm != NULL && strcmp(name, "arm") == 0)
		return emu->arm;
	return NULL;
}

static void
ok(struct resp *r, cJSON *o)
{
	if (o == NULL) {
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", 1);
	}
	resp_json(r, 200, o);
	cJSON_Delete(o);
}

static void
copy_containers(char ***dst, size_t *ndst, char **src, size_t n)
{
	size_t i;

	for (i = 0; i < *ndst; i++)
		free((*dst)[i]);
	free(*dst);
	*dst = NULL;
	*ndst = 0;
	if (n == 0 || (*dst = calloc(n, sizeof(**dst))) == NULL)
		return;
	for (i = 0; i < n; i++)
		if (((*dst)[i] = strdup(src[i])) != NULL)
			(*ndst)++;
}

static void
clear_resource(struct resource *res)
{
	size_t i;

	for (i = 0; i < res->nprojects; i++)
		lang_project_free(res->projects[i]);
	free(res->projects);
	res->projects = NULL;
	res->nprojects = 0;
	for (i = 0; i < res->njobs; i++)
		jobs_free(res->jobs[i]);
	free(res->jobs);
	res->jobs = NULL;
	res->njobs = 0;
	rate_release(&res->post);
	rate_release(&res->get);
	reqlog_clear(&res->log);
	copy_containers(&res->containers, &res->ncontainers, res->containers0,
	    res->ncontainers0);
}

void
emu_clear_faults(struct emu *emu)
{
	size_t i;

	for (i = 0; i < emu->nfaults; i++)
		faults_free(emu->faults[i]);
	free(emu->faults);
	emu->faults = NULL;
	emu->nfaults = 0;
}

/* Back to the state at start-up, keeping the ports. */
void
emu_reset(struct emu *emu)
{
	size_t i;

	for (i = 0; i < emu->nres; i++)
		clear_resource(emu->res[i]);
	if (emu->arm != NULL)
		clear_resource(emu->arm);
	aoai_reset(emu);
	emu_clear_faults(emu);
	reqlog_clear(&emu->control_log);
	free(emu->tokens);
	emu->tokens = NULL;
	emu->ntokens = 0;
	emu->clock_offset = 0;
	memcpy(emu->timing, emu->timing_default, sizeof(emu->timing));
	emu->rate_on = emu->rate_on_default;
	emu->rate_post = emu->rate_post_default;
	emu->rate_get = emu->rate_get_default;
}

static int
set_containers(struct resource *res, const cJSON *arr, struct resp *r)
{
	const cJSON *it;
	char **v;
	size_t i, n = 0;

	if (!cJSON_IsArray(arr)) {
		resp_error(r, 400, "InvalidRequest",
		    "want {\"containers\": [\"NAME\", ...]}");
		return -1;
	}
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it)) {
			resp_error(r, 400, "InvalidRequest",
			    "containers must be strings");
			return -1;
		}
		n++;
	}
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return -1;
	n = 0;
	cJSON_ArrayForEach(it, arr) v[n++] = strdup(it->valuestring);
	for (i = 0; i < res->ncontainers; i++)
		free(res->containers[i]);
	free(res->containers);
	res->containers = v;
	res->ncontainers = n;
	return 0;
}

static void
job_time(struct emu *emu, const cJSON *body, struct resp *r)
{
	struct job_timing t[JOB_NKINDS];
	const cJSON *it;
	cJSON *o;
	int k;
	char s[32];

	memcpy(t, emu->timing, sizeof(t));
	cJSON_ArrayForEach(it, body)
	{
		k = jobs_kind_parse(it->string);
		if (k < 0 && strcmp(it->string, "all") != 0) {
			resp_error(r, 400, "InvalidRequest",
			    "unknown job kind '%s' (export, import, train, "
			    "deploy, delete, swap, deployment, finetune, "
			    "file, all)",
			    it->string);
			return;
		}
		if (!cJSON_IsString(it) ||
		    emu_parse_duration(it->valuestring, &t[k < 0 ? 0 : k]) !=
		        0) {
			resp_error(r, 400, "InvalidRequest",
			    "%s: want a duration like \"500ms\", \"2s\" or "
			    "\"manual:N\"",
			    it->string);
			return;
		}
		if (k < 0) {
			for (k = 1; k < JOB_NKINDS; k++)
				t[k] = t[0];
		}
	}
	memcpy(emu->timing, t, sizeof(t));
	o = cJSON_CreateObject();
	for (k = 0; k < JOB_NKINDS; k++) {
		if (t[k].polls > 0)
			snprintf(s, sizeof(s), "manual:%d", t[k].polls);
		else
			snprintf(s, sizeof(s), "%ldms", t[k].ms);
		cJSON_AddStringToObject(o, jobs_kind_name(k), s);
	}
	ok(r, o);
}

static void
rate_limits(struct emu *emu, const cJSON *body, struct resp *r)
{
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(body, "enabled");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(body, "post");
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(body, "get");
	cJSON *o;
	size_t i;

	if ((en && !cJSON_IsBool(en)) ||
	    (p && (!cJSON_IsNumber(p) || p->valuedouble < 1)) ||
	    (g && (!cJSON_IsNumber(g) || g->valuedouble < 1))) {
		resp_error(r, 400, "InvalidRequest",
		    "want {\"enabled\": bool, \"post\": N, \"get\": N}");
		return;
	}
	if (en)
		emu->rate_on = cJSON_IsTrue(en);
	if (p)
		emu->rate_post = (long)p->valuedouble;
	if (g)
		emu->rate_get = (long)g->valuedouble;
	for (i = 0; i < emu->nres; i++) {
		rate_release(&emu->res[i]->post);
		rate_release(&emu->res[i]->get);
	}
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "enabled", emu->rate_on);
	cJSON_AddNumberToObject(o, "post", (double)emu->rate_post);
	cJSON_AddNumberToObject(o, "get", (double)emu->rate_get);
	ok(r, o);
}

static void
faults(struct emu *emu, const struct req *rq, struct resp *r, const cJSON *body,
    const char *id)
{
	cJSON *o;
	size_t i;

	if (strcmp(rq->method, "GET") == 0 && id == NULL) {
		o = cJSON_CreateArray();
		for (i = 0; i < emu->nfaults; i++)
			cJSON_AddItemToArray(o, faults_json(emu->faults[i]));
		ok(r, o);
	} else if (strcmp(rq->method, "POST") == 0 && id == NULL) {
		struct buf why = { .max = 1024 };
		struct fault *f = NULL, **v;

		if (faults_parse(emu, body, &f, &why) != 0) {
			resp_error(
			    r, 400, "InvalidRequest", "%s", buf_str(&why));
			buf_release(&why);
			return;
		}
		buf_release(&why);
		v = realloc(emu->faults, (emu->nfaults + 1) * sizeof(*v));
		if (v == NULL) {
			faults_free(f);
			resp_error(r, 500, "InternalServerError", "no memory");
			return;
		}
		emu->faults = v;
		emu->faults[emu->nfaults++] = f;
		ok(r, faults_json(f));
		r->status = 201;
	} else if (strcmp(rq->method, "DELETE") == 0 && id == NULL) {
		emu_clear_faults(emu);
		ok(r, NULL);
	} else if (strcmp(rq->method, "DELETE") == 0) {
		long want = strtol(id, NULL, 10);

		for (i = 0; i < emu->nfaults; i++) {
			if (emu->faults[i]->id == want) {
				faults_free(emu->faults[i]);
				memmove(emu->faults + i, emu->faults + i + 1,
				    (emu->nfaults - i - 1) *
				        sizeof(*emu->faults));
				emu->nfaults--;
				ok(r, NULL);
				return;
			}
		}
		resp_error(r, 404, "NotFound", "no fault rule %s", id);
	} else {
		resp_error(r, 405, "InvalidRequest", "method not allowed");
	}
}

static void
requests(struct emu *emu, const struct req *rq, struct resp *r)
{
	const char *name = emu_query(rq, "resource");
	cJSON *arr;
	size_t i;

	if (strcmp(rq->method, "DELETE") == 0) {
		for (i = 0; i < emu->nres; i++)
			reqlog_clear(&emu->res[i]->log);
		if (emu->arm != NULL)
			reqlog_clear(&emu->arm->log);
		reqlog_clear(&emu->control_log);
		ok(r, NULL);
		return;
	}
	arr = cJSON_CreateArray();
	if (name != NULL && strcmp(name, "_control") == 0) {
		reqlog_dump(&emu->control_log, arr);
	} else if (name != NULL) {
		struct resource *res = find_res(emu, name);

		if (res == NULL) {
			cJSON_Delete(arr);
			resp_error(
			    r, 404, "NotFound", "no resource '%s'", name);
			return;
		}
		reqlog_dump(&res->log, arr);
	} else {
		for (i = 0; i < emu->nres; i++)
			reqlog_dump(&emu->res[i]->log, arr);
		if (emu->arm != NULL)
			reqlog_dump(&emu->arm->log, arr);
		reqlog_dump(&emu->control_log, arr);
	}
	ok(r, arr);
}

static void
clock_call(
    struct emu *emu, const struct req *rq, const cJSON *body, struct resp *r)
{
	cJSON *o;
	char now[40];

	if (strcmp(rq->method, "POST") == 0) {
		const cJSON *d = cJSON_GetObjectItem(body, "advance_days");
		const cJSON *s = cJSON_GetObjectItem(body, "advance_seconds");

		if ((d && !cJSON_IsNumber(d)) || (s && !cJSON_IsNumber(s)) ||
		    (!d && !s)) {
			resp_error(r, 400, "InvalidRequest",
			    "want {\"advance_days\": N} or "
			    "{\"advance_seconds\": N}");
			return;
		}
		emu->clock_offset +=
		    (d ? d->valuedouble * 86400 : 0) + (s ? s->valuedouble : 0);
	}
	o = cJSON_CreateObject();
	emu_fmt_time(emu_now(emu), now);
	cJSON_AddStringToObject(o, "now", now);
	cJSON_AddNumberToObject(o, "offset_seconds", emu->clock_offset);
	ok(r, o);
}

/* PUT .../resources/R/projects/P/deployments/D/expiration and
 * .../models/L/expiration: moves an expiry date for expiry tests. */
static void
expiration(
    struct emu *emu, char **seg, size_t n, const cJSON *body, struct resp *r)
{
	struct resource *res = find_res(emu, seg[1]);
	struct project *p = res ? lang_find(res, seg[3]) : NULL;
	const char *date =
	    cJSON_GetStringValue(cJSON_GetObjectItem(body, "date"));
	double t;

	(void)n;
	if (p == NULL) {
		resp_error(r, 404, "NotFound", "no such resource or project");
		return;
	}
	if (date == NULL || emu_parse_date(date, &t) != 0) {
		resp_error(r, 400, "InvalidRequest",
		    "want {\"date\": \"YYYY-MM-DD\"}");
		return;
	}
	if (strcmp(seg[4], "deployments") == 0) {
		struct deployment *d = lang_find_dep(p, seg[5]);

		if (d == NULL) {
			resp_error(r, 404, "NotFound", "no such deployment");
			return;
		}
		snprintf(d->expiration, sizeof(d->expiration), "%s", date);
	} else {
		struct model *m = lang_find_model(p, seg[5]);

		if (m == NULL) {
			resp_error(r, 404, "NotFound", "no such model");
			return;
		}
		snprintf(m->expiration, sizeof(m->expiration), "%s", date);
	}
	ok(r, NULL);
}

static void
down_up(struct emu *emu, struct resource *res, int down, struct resp *r)
{
	struct err err = { 0 };

	pthread_mutex_lock(&emu->mu);
	if (res->down == down) {
		pthread_mutex_unlock(&emu->mu);
		ok(r, NULL);
		return;
	}
	if (down) {
		res->down = 1;
		pthread_cond_broadcast(&emu->cond);
		pthread_mutex_unlock(&emu->mu);
		server_stop_resource(res);
		ok(r, NULL);
		return;
	}
	pthread_mutex_unlock(&emu->mu);
	if (server_start_resource(emu, res, &err) != 0) {
		resp_error(r, 500, "InternalServerError", "%s", err.msg);
		return;
	}
	pthread_mutex_lock(&emu->mu);
	res->down = 0;
	pthread_mutex_unlock(&emu->mu);
	ok(r, NULL);
}

static void
summary(struct emu *emu, struct resp *r)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	size_t i;

	arr = cJSON_AddArrayToObject(o, "resources");
	for (i = 0; i < emu->nres; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "name", emu->res[i]->name);
		cJSON_AddStringToObject(e, "region", emu->res[i]->region);
		cJSON_AddNumberToObject(e, "port", emu->res[i]->port);
		cJSON_AddBoolToObject(e, "down", emu->res[i]->down);
		cJSON_AddNumberToObject(
		    e, "projects", (double)emu->res[i]->nprojects);
		cJSON_AddItemToArray(arr, e);
	}
	ok(r, o);
}

#define MAXSEG 8

static void
route(struct emu *emu, const struct req *rq, struct resp *r, char **seg,
    size_t n, const cJSON *body)
{
	const char *m = rq->method;
	struct resource *res;

	if (n == 0 && strcmp(m, "GET") == 0) {
		summary(emu, r);
	} else if (n == 1 && strcmp(seg[0], "reset") == 0 &&
	    strcmp(m, "POST") == 0) {
		emu_reset(emu);
		ok(r, NULL);
	} else if (n == 1 && strcmp(seg[0], "requests") == 0) {
		requests(emu, rq, r);
	} else if (n <= 2 && strcmp(seg[0], "faults") == 0) {
		faults(emu, rq, r, body, n == 2 ? seg[1] : NULL);
	} else if (n == 1 && strcmp(seg[0], "job-time") == 0) {
		if (strcmp(m, "GET") == 0)
			job_time(emu, NULL, r);
		else if (cJSON_IsObject(body))
			job_time(emu, body, r);
		else
			resp_error(r, 400, "InvalidRequest",
			    "want {\"train\": \"2s\", ...}");
	} else if (n == 1 && strcmp(seg[0], "rate-limits") == 0) {
		rate_limits(emu, body, r);
	} else if (n == 1 && strcmp(seg[0], "clock") == 0) {
		clock_call(emu, rq, body, r);
	} else if (aoai_control(emu, rq, r, seg, n, body)) {
		/* regions/R/quota, regions/R/models, arm, resources/N/fail-next
		 */
	} else if (n >= 3 && strcmp(seg[0], "resources") == 0 &&
	    (res = find_res(emu, seg[1])) != NULL) {
		if (n == 3 && strcmp(seg[2], "containers") == 0) {
			if (set_containers(res,
			        cJSON_GetObjectItem(body, "containers"),
			        r) == 0)
				ok(r, NULL);
		} else if (n == 7 && strcmp(seg[2], "projects") == 0 &&
		    (strcmp(seg[4], "deployments") == 0 ||
		        strcmp(seg[4], "models") == 0) &&
		    strcmp(seg[6], "expiration") == 0) {
			expiration(emu, seg, n, body, r);
		} else {
			resp_error(r, 404, "NotFound", "no such control call");
		}
	} else {
		resp_error(r, 404, "NotFound", "no such control call");
	}
}

void
control_handle(struct emu *emu, const struct req *rq, struct resp *r)
{
	char *copy = strdup(rq->path + 10), *seg[MAXSEG], *s, *save = NULL;
	cJSON *body = NULL;
	size_t n = 0;
	struct resource *res;

	if (copy == NULL)
		return;
	for (s = strtok_r(copy, "/", &save); s != NULL && n < MAXSEG;
	     s = strtok_r(NULL, "/", &save))
		seg[n++] = s;
	if (rq->body_len > 0) {
		body = cJSON_ParseWithLength(rq->body, rq->body_len);
		if (body == NULL) {
			resp_error(r, 400, "InvalidRequest",
			    "the control request body is not valid JSON");
			goto out;
		}
	}
	pthread_mutex_lock(&emu->ctl_mu);
	if (n == 3 && strcmp(seg[0], "resources") == 0 &&
	    strcmp(rq->method, "POST") == 0 &&
	    (strcmp(seg[2], "down") == 0 || strcmp(seg[2], "up") == 0)) {
		pthread_mutex_lock(&emu->mu);
		res = find_res(emu, seg[1]);
		pthread_mutex_unlock(&emu->mu);
		if (res == NULL)
			resp_error(
			    r, 404, "NotFound", "no resource '%s'", seg[1]);
		else
			down_up(emu, res, strcmp(seg[2], "down") == 0, r);
	} else if (n == 1 && strcmp(seg[0], "reset") == 0 &&
	    strcmp(rq->method, "POST") == 0) {
		size_t i;

		/* Bring every resource back up, then clear the state. */
		for (i = 0; i < emu->nres; i++)
			if (emu->res[i]->down)
				down_up(emu, emu->res[i], 0, r);
		if (emu->arm != NULL && emu->arm->down)
			down_up(emu, emu->arm, 0, r);
		pthread_mutex_lock(&emu->mu);
		route(emu, rq, r, seg, n, body);
		pthread_mutex_unlock(&emu->mu);
	} else {
		pthread_mutex_lock(&emu->mu);
		route(emu, rq, r, seg, n, body);
		pthread_mutex_unlock(&emu->mu);
	}
	pthread_mutex_unlock(&emu->ctl_mu);
out:
	cJSON_Delete(body);
	free(copy);
}
