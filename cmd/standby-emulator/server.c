/*
 * server.c - libmicrohttpd glue: one daemon per resource plus the control
 * daemon, request bodies (capped), fault rules, and sending responses.
 *
 * Each daemon runs a thread per connection, so a slow client, a hanging
 * fault or a delay occupies only its own thread; the state behind the
 * handlers is guarded by emu->mu, which is never held while sleeping or
 * while a daemon is being stopped.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "emu.h"

struct conn {
	struct buf body;
	int too_big;
};

/* What a listener serves: a resource, or the control API (res NULL). */
struct listener {
	struct emu *emu;
	struct resource *res;
};

void
resp_header(struct resp *r, const char *name, const char *value)
{
	if (r->headers == NULL)
		r->headers = cJSON_CreateObject();
	if (r->headers == NULL)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(r->headers, name);
	cJSON_AddStringToObject(r->headers, name, value);
}

void
resp_json(struct resp *r, int status, const cJSON *body)
{
	char *s = body ? cJSON_PrintUnformatted(body) : NULL;

	r->status = status;
	buf_reset(&r->body);
	if (s != NULL) {
		buf_addstr(&r->body, s);
		cJSON_free(s);
	}
}

/* The service's error body, {"error": {"code", "message"}}, with the
 * x-ms-error-code header the newer swaggers declare. */
void
resp_error(struct resp *r, int status, const char *code, const char *fmt, ...)
{
	struct buf msg = { .max = 4096 };
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	r->status = status;
	buf_reset(&r->body);
	buf_addstr(&r->body, "{\"error\":{\"code\":\"");
	buf_addjson(&r->body, code);
	buf_addstr(&r->body, "\",\"message\":\"");
	buf_addjson(&r->body, buf_str(&msg));
	buf_addstr(&r->body, "\"}}");
	buf_release(&msg);
	resp_header(r, "x-ms-error-code", code);
}

static enum MHD_Result
add_kv(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	cJSON *obj = cls;
	char lower[256];
	size_t i;

	(void)kind;
	if (key == NULL)
		return MHD_YES;
	if (obj->string != NULL && strcmp(obj->string, "h") == 0) {
		for (i = 0; key[i] != '\0' && i + 1 < sizeof(lower); i++)
			lower[i] = (char)((key[i] >= 'A' && key[i] <= 'Z')
			        ? key[i] + 32
			        : key[i]);
		lower[i] = '\0';
		key = lower;
	}
	if (cJSON_GetObjectItemCaseSensitive(obj, key) == NULL)
		cJSON_AddStringToObject(obj, key, value ? value : "");
	return MHD_YES;
}

struct gen {
	char *data;
	size_t len, limit;
	long oversized; /* > 0: generate that many bytes */
};

static ssize_t
gen_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct gen *g = cls;
	size_t n, i;

	if (g->oversized > 0) {
		if (pos >= (uint64_t)g->oversized)
			return MHD_CONTENT_READER_END_OF_STREAM;
		n = (size_t)((uint64_t)g->oversized - pos);
		if (n > max)
			n = max;
		for (i = 0; i < n; i++)
			out[i] =
			    (pos + i < 10) ? "{\"value\":\""[pos + i] : 'x';
		return (ssize_t)n;
	}
	if (pos >= g->limit)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = g->limit - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(out, g->data + pos, n);
	return (ssize_t)n;
}

static void
gen_free(void *cls)
{
	struct gen *g = cls;

	free(g->data);
	free(g);
}

static enum MHD_Result
send_resp(struct MHD_Connection *c, struct resp *r, const struct fault *f)
{
	struct MHD_Response *mr = NULL;
	const cJSON *it;
	const char *ctype = r->content_type;
	enum MHD_Result ret;
	char id[37];

	if (f != NULL &&
	    (f->action == FA_TRUNCATE || f->action == FA_OVERSIZED)) {
		struct gen *g = calloc(1, sizeof(*g));
		uint64_t total;

		if (g == NULL)
			return MHD_NO;
		if (f->action == FA_OVERSIZED) {
			g->oversized = f->bytes;
			total = (uint64_t)f->bytes;
			ctype = NULL;
		} else {
			g->len = r->body.len;
			g->data = buf_take(&r->body);
			g->limit = (size_t)f->bytes < g->len ? (size_t)f->bytes
			                                     : g->len;
			total = g->len;
		}
		mr = MHD_create_response_from_callback(
		    total, 64 * 1024, gen_read, g, gen_free);
		if (mr == NULL)
			gen_free(g);
	} else {
		mr = MHD_create_response_from_buffer(r->body.len,
		    r->body.len ? r->body.data : (void *)"",
		    MHD_RESPMEM_MUST_COPY);
	}
	if (mr == NULL)
		return MHD_NO;
	if (f != NULL && f->action == FA_CONTENT_TYPE)
		ctype = f->content_type ? f->content_type : "text/html";
	if (r->body.len > 0 || ctype != NULL ||
	    (f != NULL && f->action == FA_OVERSIZED))
		MHD_add_response_header(mr, "Content-Type",
		    ctype ? ctype : "application/json; charset=utf-8");
	emu_uuid(id);
	MHD_add_response_header(mr, "apim-request-id", id);
	MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
	if (r->retry_after >= 0) {
		char ra[32];

		snprintf(ra, sizeof(ra), "%d", r->retry_after);
		MHD_add_response_header(mr, "Retry-After", ra);
	}
	cJSON_ArrayForEach(it, r->headers)
	{
		if (cJSON_IsString(it))
			MHD_add_response_header(
			    mr, it->string, it->valuestring);
	}
	ret = MHD_queue_response(c, (unsigned)r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* Sleeps ms, waking early when the emulator stops or the resource goes
 * down; returns nonzero if woken for that reason.  Called unlocked. */
static int
nap(struct emu *emu, struct resource *res, long ms)
{
	struct timespec until;
	int quit;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&emu->mu);
	while (!(quit = emu->stopping || (res != NULL && res->down))) {
		if (pthread_cond_timedwait(&emu->cond, &emu->mu, &until) ==
		    ETIMEDOUT)
			break;
	}
	quit = emu->stopping || (res != NULL && res->down);
	pthread_mutex_unlock(&emu->mu);
	return quit;
}

static void
handle_resource(
    struct emu *emu, struct resource *res, const struct req *rq, struct resp *r)
{
	jobs_advance(emu, res);
	if (auth_check(emu, res, rq, r) != 0)
		return;
	if (emu->rate_on && res->type == EMU_RES_LANGUAGE) {
		double now = emu_mono();
		int wait = 0;

		if (strcmp(rq->method, "POST") == 0)
			wait = rate_take(&res->post, emu->rate_post, now);
		else if (strcmp(rq->method, "GET") == 0)
			wait = rate_take(&res->get, emu->rate_get, now);
		if (wait > 0) {
			resp_error(r, 429, "TooManyRequests",
			    "rate limit of %ld %s requests per minute "
			    "exceeded; "
			    "retry after %d seconds",
			    strcmp(rq->method, "POST") == 0 ? emu->rate_post
			                                    : emu->rate_get,
			    rq->method, wait);
			r->retry_after = wait;
			return;
		}
	}
	if (res->type == EMU_RES_LANGUAGE)
		lang_handle(emu, res, rq, r);
	else if (res->type == EMU_RES_OPENAI)
		aoai_data_handle(emu, res, rq, r);
	else
		aoai_arm_handle(emu, res, rq, r);
}

static int
is_token_path(const char *p)
{
	const char *s = strchr(p + 1, '/');

	return p[0] == '/' && s != NULL && s > p + 1 &&
	    strcmp(s, "/oauth2/v2.0/token") == 0;
}

static enum MHD_Result
dispatch(struct listener *l, struct MHD_Connection *c, const char *url,
    const char *method, struct conn *cx)
{
	struct emu *emu = l->emu;
	struct resource *res = l->res;
	struct resp r = { .status = 500,
		.body = { .max = EMU_MAX_BODY },
		.retry_after = -1 };
	struct req rq = { .method = method, .path = url };
	struct fault *f = NULL;
	cJSON *q = cJSON_CreateObject(), *h = cJSON_CreateObject();
	char base[64];
	enum MHD_Result ret = MHD_NO;
	int status = 0, is_control;

	if (q == NULL || h == NULL)
		goto out;
	h->string = (char *)"h"; /* tells add_kv to lower-case names */
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_kv, q);
	MHD_get_connection_values(c, MHD_HEADER_KIND, add_kv, h);
	h->string = NULL;
	snprintf(base, sizeof(base), "%s://127.0.0.1:%u",
	    emu->tls ? "https" : "http", res ? res->port : emu->control_port);
	rq.query = q;
	rq.headers = h;
	rq.body = cx->body.len ? cx->body.data : "";
	rq.body_len = cx->body.len;
	rq.base = base;
	is_control = res == NULL && strncmp(url, "/_emulator", 10) == 0 &&
	    (url[10] == '\0' || url[10] == '/');

	if (cx->too_big) {
		resp_error(&r, 413, "InvalidRequest",
		    "request body larger than %u bytes", EMU_MAX_BODY);
		goto send;
	}
	if (is_control) {
		control_handle(emu, &rq, &r);
		ret = send_resp(c, &r, NULL);
		goto out;
	}
	if (res != NULL) {
		pthread_mutex_lock(&emu->mu);
		f = faults_match(emu, res->name, method, url);
		pthread_mutex_unlock(&emu->mu);
	}
	if (f != NULL) {
		switch (f->action) {
		case FA_CLOSE:
			goto log; /* MHD_NO closes without a response */
		case FA_HANG:
			nap(emu, res, f->ms > 0 ? f->ms : 600000);
			goto log;
		case FA_DELAY:
			if (nap(emu, res, f->ms))
				goto log;
			break;
		case FA_STATUS:
			r.status = f->status;
			if (f->body != NULL)
				buf_addstr(&r.body, f->body);
			if (f->content_type != NULL)
				r.content_type = f->content_type;
			goto send;
		case FA_REDIRECT: {
			struct buf loc = { .max = 8192 };
			const char *slash = strstr(f->location, "://");

			buf_addstr(&loc, f->location);
			/* A bare origin gets the original path and query. */
			if (slash == NULL || strchr(slash + 3, '/') == NULL) {
				const cJSON *it;
				char sep = '?';

				buf_addstr(&loc, url);
				cJSON_ArrayForEach(it, q)
				{
					buf_addch(&loc, sep);
					buf_addurlenc(&loc, it->string);
					buf_addch(&loc, '=');
					buf_addurlenc(&loc, it->valuestring);
					sep = '&';
				}
			}
			r.status = f->status ? f->status : 307;
			resp_header(&r, "Location", buf_str(&loc));
			buf_release(&loc);
			goto send;
		}
		default:
			break;
		}
	}
	pthread_mutex_lock(&emu->mu);
	if (res != NULL)
		handle_resource(emu, res, &rq, &r);
	else if (is_token_path(url))
		auth_token_endpoint(emu, &rq, &r);
	else
		resp_error(
		    &r, 404, "NotFound", "no route for %s %s", method, url);
	pthread_mutex_unlock(&emu->mu);
send:
	if (f != NULL && f->headers != NULL) {
		const cJSON *it;

		cJSON_ArrayForEach(it, f->headers)
		    resp_header(&r, it->string, it->valuestring);
	}
	status = r.status;
	ret = send_resp(c, &r, f);
log:
	pthread_mutex_lock(&emu->mu);
	if (res != NULL)
		reqlog_add(
		    emu, &res->log, res->name, &rq, status, f ? f->id : 0);
	else if (!is_control)
		reqlog_add(emu, &emu->control_log, "_control", &rq, status, 0);
	pthread_mutex_unlock(&emu->mu);
out:
	faults_free(f);
	cJSON_Delete(q);
	cJSON_Delete(h);
	cJSON_Delete(r.headers);
	buf_release(&r.body);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct conn *cx = *con_cls;

	(void)version;
	if (cx == NULL) {
		const char *cl;

		cx = calloc(1, sizeof(*cx));
		if (cx == NULL)
			return MHD_NO;
		cx->body.max = EMU_MAX_BODY;
		*con_cls = cx;
		cl = MHD_lookup_connection_value(
		    c, MHD_HEADER_KIND, "Content-Length");
		if (cl != NULL && strtoull(cl, NULL, 10) > EMU_MAX_BODY)
			cx->too_big = 1;
		if (!cx->too_big)
			return MHD_YES;
		/* Refuse at once rather than read 64 MiB we will drop. */
		return dispatch(cls, c, url, method, cx);
	}
	if (*upload_size != 0) {
		if (!cx->too_big &&
		    buf_add(&cx->body, upload, *upload_size) != 0)
			cx->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	return dispatch(cls, c, url, method, cx);
}

static void
on_done(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn *cx = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (cx != NULL) {
		buf_release(&cx->body);
		free(cx);
		*con_cls = NULL;
	}
}

static struct MHD_Daemon *
start(
    struct emu *emu, struct listener *l, unsigned short *port, struct err *err)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(*port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (emu->tls)
		flags |= MHD_USE_TLS;
	d = MHD_start_daemon(flags, *port, NULL, NULL, on_request, l,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
	    emu->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, emu->key_pem,
	    MHD_OPTION_HTTPS_MEM_CERT, emu->cert_pem, MHD_OPTION_END);
	if (d == NULL) {
		err_set(err, ERR_IO, "cannot listen on 127.0.0.1:%u",
		    (unsigned)*port);
		return NULL;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info != NULL)
		*port = info->port;
	return d;
}

/* The listener structs live as long as the emulator: a daemon may be
 * restarted (resource up) while its listener is reused. */
int
server_start_resource(struct emu *emu, struct resource *res, struct err *err)
{
	struct listener *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	l->emu = emu;
	l->res = res;
	res->daemon = start(emu, l, &res->port, err);
	if (res->daemon == NULL) {
		free(l);
		return -1;
	}
	res->listener = l;
	return 0;
}

void
server_stop_resource(struct resource *res)
{
	if (res->daemon != NULL)
		MHD_stop_daemon(res->daemon);
	res->daemon = NULL;
	free(res->listener);
	res->listener = NULL;
}

int
server_start_control(struct emu *emu, struct err *err)
{
	struct listener *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	l->emu = emu;
	emu->control = start(emu, l, &emu->control_port, err);
	if (emu->control == NULL) {
		free(l);
		return -1;
	}
	emu->control_listener = l;
	return 0;
}

void
server_stop_control(struct emu *emu)
{
	if (emu->control != NULL)
		MHD_stop_daemon(emu->control);
	emu->control = NULL;
	free(emu->control_listener);
	emu->control_listener = NULL;
}
