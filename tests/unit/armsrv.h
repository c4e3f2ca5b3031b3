#ifndef STANDBY_ARMSRV_H
#define STANDBY_ARMSRV_H

/*
 * armsrv.h - an in-process libmicrohttpd server on 127.0.0.1 (port 0) for
 * the ARM, OpenAI and fine-tuning unit tests.  Each test passes a handler
 * that sees every request (under a lock, so it may keep state) and fills
 * the reply; the server logs what it received.  Header-only, like t.h.
 */
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SRV_MAXREQ 256

struct sreq {
	char method[8];
	char path[512]; /* with the query */
	char auth[160]; /* Authorization or api-key, as received */
	char ctype[160];
	char body[16384];
	size_t body_len;
};

struct sresp {
	int status;
	char body[16384];
	const char *ctype; /* default application/json when body is set */
	char hname[4][64], hvalue[4][512];
	int nh;
};

struct srv;
typedef void (*srv_fn)(struct srv *s, const struct sreq *rq, struct sresp *out);

struct srv {
	struct MHD_Daemon *d;
	int port;
	char base[64]; /* "http://127.0.0.1:PORT" */
	pthread_mutex_t mu;
	srv_fn fn;
	void *arg;
	int nreq;
	struct sreq log[SRV_MAXREQ];
	int state[16]; /* for handlers */
};

struct srv_ctx {
	char body[16384];
	size_t len;
};

static inline void
srv_header(struct sresp *r, const char *name, const char *fmt, const char *v)
{
	if (r->nh >= 4)
		return;
	snprintf(r->hname[r->nh], sizeof(r->hname[0]), "%s", name);
	snprintf(r->hvalue[r->nh], sizeof(r->hvalue[0]), fmt, v);
	r->nh++;
}

static inline enum MHD_Result
srv_handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ctxp)
{
	struct srv *s = cls;
	struct srv_ctx *x = *ctxp;
	struct MHD_Response *r;
	struct sreq *rq;
	struct sresp *out;
	const char *v;
	enum MHD_Result ret;
	int i;

	(void)version;
	if (x == NULL) {
		*ctxp = calloc(1, sizeof(*x));
		return MHD_YES;
	}
	if (*upload_size > 0) {
		size_t k = *upload_size;

		if (k > sizeof(x->body) - x->len - 1)
			k = sizeof(x->body) - x->len - 1;
		memcpy(x->body + x->len, upload, k);
		x->len += k;
		*upload_size = 0;
		return MHD_YES;
	}
	rq = calloc(1, sizeof(*rq));
	out = calloc(1, sizeof(*out));
	snprintf(rq->method, sizeof(rq->method), "%s", method);
	snprintf(rq->path, sizeof(rq->path), "%s", url);
	{
		/* Rebuild the query (MHD splits it off). */
		const char *av = MHD_lookup_connection_value(
		    c, MHD_GET_ARGUMENT_KIND, "api-version");

		if (av != NULL) {
			size_t n = strlen(rq->path);

			snprintf(rq->path + n, sizeof(rq->path) - n,
			    "?api-version=%s", av);
		}
	}
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (v == NULL)
		v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "api-key");
	snprintf(rq->auth, sizeof(rq->auth), "%s", v ? v : "");
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	snprintf(rq->ctype, sizeof(rq->ctype), "%s", v ? v : "");
	memcpy(rq->body, x->body, x->len);
	rq->body_len = x->len;
	out->status = 200;
	pthread_mutex_lock(&s->mu);
	if (s->nreq < SRV_MAXREQ)
		s->log[s->nreq] = *rq;
	s->nreq++;
	s->fn(s, rq, out);
	pthread_mutex_unlock(&s->mu);
	r = MHD_create_response_from_buffer(
	    strlen(out->body), out->body, MHD_RESPMEM_MUST_COPY);
	if (out->body[0] != '\0')
		MHD_add_response_header(r, "Content-Type",
		    out->ctype ? out->ctype : "application/json");
	for (i = 0; i < out->nh; i++)
		MHD_add_response_header(r, out->hname[i], out->hvalue[i]);
	ret = MHD_queue_response(c, (unsigned)out->status, r);
	MHD_destroy_response(r);
	free(rq);
	free(out);
	return ret;
}

static inline void
srv_completed(void *cls, struct MHD_Connection *c, void **ctxp,
    enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)c;
	(void)code;
	free(*ctxp);
	*ctxp = NULL;
}

static inline struct srv *
srv_start(srv_fn fn)
{
	struct srv *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;

	pthread_mutex_init(&s->mu, NULL);
	s->fn = fn;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
	    NULL, NULL, srv_handle, s, MHD_OPTION_SOCK_ADDR, &sa,
	    MHD_OPTION_NOTIFY_COMPLETED, srv_completed, s,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	if (s->d == NULL) {
		free(s);
		return NULL;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info->port;
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
	return s;
}

static inline void
srv_stop(struct srv *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* Reads a whole file (fixtures); NULL on failure.  The caller frees. */
static inline char *
srv_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1)) != NULL) {
		if (fread(p, 1, (size_t)n, f) != (size_t)n) {
			free(p);
			p = NULL;
		} else {
			p[n] = '\0';
		}
	}
	fclose(f);
	return p;
}

#endif
