/* langops.c - the Language authoring operations, one function each: the
 * URL and body of the request, then a call (language.c) that delivers the
 * parsed answer to the callback. */
#include <stdlib.h>
#include <string.h>

#include "langjson.h"
#include "language_int.h"

static int
get_op_paged(struct language *lc, enum kind kind, enum language_family family,
    const char *project, const char *suffix, const char *query,
    language_page_fn page, anyfn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 }, q = { .max = 2048 };
	struct call *c;

	if (query != NULL)
		buf_addstr(&q, query);
	if (lc->o.page_size > 0 && kind != K_PROJECT && kind != K_MODEL &&
	    kind != K_DEPLOYMENT)
		buf_addf(&q, "&maxpagesize=%d", lc->o.page_size);
	language_url(lc, family, project, suffix, q.data, &url);
	buf_release(&q);
	if ((c = language_call_new(lc, kind, "GET", &url, err)) == NULL) {
		buf_release(&url);
		return -1;
	}
	buf_release(&url);
	c->fn = cb;
	c->page = page;
	c->arg = arg;
	return language_call_start(c, err);
}

static int
get_op(struct language *lc, enum kind kind, enum language_family family,
    const char *project, const char *suffix, const char *query, anyfn cb,
    void *arg, struct err *err)
{
	return get_op_paged(
	    lc, kind, family, project, suffix, query, NULL, cb, arg, err);
}

/* A path segment "/models/{label}" with the name encoded. */
static int
seg(struct buf *b, const char *pre, const char *name, const char *post)
{
	buf_addstr(b, pre);
	if (name != NULL)
		buf_addurlenc(b, name);
	if (post != NULL)
		buf_addstr(b, post);
	return b->failed ? -1 : 0;
}

static int
need_name(const char *what, const char *v, struct err *err)
{
	if (v == NULL || v[0] == '\0')
		return err_set(err, ERR_SPEC, "language: no %s name", what);
	return 0;
}

int
language_list_projects(struct language *lc, enum language_family family,
    language_projects_fn cb, void *arg, struct err *err)
{
	return get_op(
	    lc, K_PROJECTS, family, NULL, NULL, NULL, (anyfn)cb, arg, err);
}

int
language_list_projects_paged(struct language *lc, enum language_family family,
    language_page_fn page, language_projects_fn cb, void *arg, struct err *err)
{
	return get_op_paged(lc, K_PROJECTS, family, NULL, NULL, NULL, page,
	    (anyfn)cb, arg, err);
}

int
language_get_project(struct language *lc, enum language_family family,
    const char *project, language_project_fn cb, void *arg, struct err *err)
{
	if (need_name("project", project, err) != 0)
		return -1;
	return get_op(
	    lc, K_PROJECT, family, project, NULL, NULL, (anyfn)cb, arg, err);
}

int
language_list_models(struct language *lc, enum language_family family,
    const char *project, language_models_fn cb, void *arg, struct err *err)
{
	if (need_name("project", project, err) != 0)
		return -1;
	return get_op(lc, K_MODELS, family, project, "/models", NULL, (anyfn)cb,
	    arg, err);
}

int
language_get_model(struct language *lc, enum language_family family,
    const char *project, const char *label, language_model_fn cb, void *arg,
    struct err *err)
{
	struct buf s = { .max = 1024 };
	int rc;

	if (need_name("project", project, err) != 0 ||
	    need_name("model", label, err) != 0)
		return -1;
	seg(&s, "/models/", label, NULL);
	rc = get_op(lc, K_MODEL, family, project, buf_str(&s), NULL, (anyfn)cb,
	    arg, err);
	buf_release(&s);
	return rc;
}

int
language_list_deployments(struct language *lc, enum language_family family,
    const char *project, language_deployments_fn cb, void *arg, struct err *err)
{
	if (need_name("project", project, err) != 0)
		return -1;
	return get_op(lc, K_DEPLOYMENTS, family, project, "/deployments", NULL,
	    (anyfn)cb, arg, err);
}

int
language_get_deployment(struct language *lc, enum language_family family,
    const char *project, const char *deployment, language_deployment_fn cb,
    void *arg, struct err *err)
{
	struct buf s = { .max = 1024 };
	int rc;

	if (need_name("project", project, err) != 0 ||
	    need_name("deployment", deployment, err) != 0)
		return -1;
	seg(&s, "/deployments/", deployment, NULL);
	rc = get_op(lc, K_DEPLOYMENT, family, project, buf_str(&s), NULL,
	    (anyfn)cb, arg, err);
	buf_release(&s);
	return rc;
}

int
language_list_training_config_versions(struct language *lc,
    enum language_family family, const char *project_kind, language_tcvs_fn cb,
    void *arg, struct err *err)
{
	struct buf q = { .max = 1024 };
	int rc;

	if (project_kind != NULL) {
		buf_addstr(&q, "&projectKind=");
		buf_addurlenc(&q, project_kind);
	}
	rc = get_op(lc, K_TCVS, family, "global", "/training-config-versions",
	    q.data, (anyfn)cb, arg, err);
	buf_release(&q);
	return rc;
}

/* A job start: method on url with an optional JSON body, which the call
 * takes over (body is left empty); or with a streamed body from src,
 * whose arg the call takes over (released on failure too). */
static int
start_op(struct language *lc, const char *method, struct buf *url,
    struct buf *body, const struct http_body_src *src, language_started_fn cb,
    void *arg, struct err *err)
{
	struct call *c = language_call_new(lc, K_START, method, url, err);

	buf_release(url);
	if (c == NULL) {
		buf_release(body);
		if (src != NULL && src->release != NULL)
			src->release(src->arg);
		return -1;
	}
	if (body != NULL && body->data != NULL) {
		if (buf_check(body, err, "building the request body") != 0) {
			buf_release(body);
			language_call_free(c);
			return -1;
		}
		c->body_len = body->len;
		c->body = buf_take(body);
		c->content_type = "application/json";
	} else if (src != NULL) {
		c->src = *src;
		c->has_src = 1;
		c->content_type = "application/json";
	}
	c->fn = (anyfn)cb;
	c->arg = arg;
	return language_call_start(c, err);
}

int
language_export_start(struct language *lc, enum language_family family,
    const char *project, const struct language_export_opts *opts,
    language_started_fn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 }, q = { .max = 2048 };
	static const struct language_export_opts none = { 0 };
	int rc;

	if (need_name("project", project, err) != 0)
		return -1;
	if (opts == NULL)
		opts = &none;
	buf_addstr(&q, "&stringIndexType=");
	buf_addurlenc(&q,
	    opts->string_index_type ? opts->string_index_type
	                            : "Utf16CodeUnit");
	if (opts->asset_kind != NULL) {
		buf_addstr(&q, "&assetKind=");
		buf_addurlenc(&q, opts->asset_kind);
	}
	if (opts->trained_model_label != NULL) {
		buf_addstr(&q, "&trainedModelLabel=");
		buf_addurlenc(&q, opts->trained_model_label);
	}
	language_url(lc, family, project, "/:export", buf_str(&q), &url);
	buf_release(&q);
	rc = start_op(lc, "POST", &url, NULL, NULL, cb, arg, err);
	return rc;
}

int
language_import_start(struct language *lc, enum language_family family,
    const char *project, const char *body, size_t body_len,
    language_started_fn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 }, b = { .max = (size_t)-1 };

	if (need_name("project", project, err) != 0)
		return -1;
	if (body == NULL || body_len == 0)
		return err_set(err, ERR_SPEC, "language: import: empty body");
	/* The caller's body is borrowed only for this call, and the request
	 * may wait for a token: one copy, which the call owns. */
	if (buf_add(&b, body, body_len) != 0)
		return err_set(err, ERR_NOMEM, "out of memory");
	language_url(lc, family, project, "/:import", NULL, &url);
	return start_op(lc, "POST", &url, &b, NULL, cb, arg, err);
}

int
language_import_start_src(struct language *lc, enum language_family family,
    const char *project, const struct http_body_src *src,
    language_started_fn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 };

	if (need_name("project", project, err) != 0 ||
	    (src->len == 0 &&
	        err_set(err, ERR_SPEC, "language: import: empty body"))) {
		if (src->release != NULL)
			src->release(src->arg);
		return -1;
	}
	language_url(lc, family, project, "/:import", NULL, &url);
	return start_op(lc, "POST", &url, NULL, src, cb, arg, err);
}

int
language_train_start(struct language *lc, enum language_family family,
    const char *project, const struct language_train_opts *opts,
    language_started_fn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 }, body = { .max = 4096 };
	int rc = -1;

	if (need_name("project", project, err) != 0)
		return -1;
	if (langjson_train_body(family, opts, &body, err) != 0)
		goto out;
	language_url(lc, family, project, "/:train", NULL, &url);
	rc = start_op(lc, "POST", &url, &body, NULL, cb, arg, err);
out:
	buf_release(&url);
	buf_release(&body);
	return rc;
}

int
language_deploy_start(struct language *lc, enum language_family family,
    const char *project, const char *deployment, const char *model_label,
    language_started_fn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 }, body = { .max = 4096 },
	           s = { .max = 1024 };
	int rc = -1;

	if (need_name("project", project, err) != 0 ||
	    need_name("deployment", deployment, err) != 0 ||
	    langjson_deploy_body(model_label, &body, err) != 0)
		goto out;
	seg(&s, "/deployments/", deployment, NULL);
	language_url(lc, family, project, buf_str(&s), NULL, &url);
	rc = start_op(lc, "PUT", &url, &body, NULL, cb, arg, err);
out:
	buf_release(&url);
	buf_release(&body);
	buf_release(&s);
	return rc;
}

int
language_delete_deployment_start(struct language *lc,
    enum language_family family, const char *project, const char *deployment,
    language_started_fn cb, void *arg, struct err *err)
{
	struct buf url = { .max = 8192 }, s = { .max = 1024 };
	int rc;

	if (need_name("project", project, err) != 0 ||
	    need_name("deployment", deployment, err) != 0)
		return -1;
	seg(&s, "/deployments/", deployment, NULL);
	language_url(lc, family, project, buf_str(&s), NULL, &url);
	buf_release(&s);
	rc = start_op(lc, "DELETE", &url, NULL, NULL, cb, arg, err);
	return rc;
}

int
language_url_op(struct language *lc, enum kind kind, const char *url, anyfn cb,
    void *arg, struct poll *p, struct err *err)
{
	struct buf b = { .max = 8192 };
	struct call *c;

	if (url == NULL || !language_same_origin(lc, url))
		return err_set(err, ERR_SPEC,
		    "language: '%.*s' is not on the endpoint %s",
		    url ? language_url_len(url) : 6, url ? url : "(null)",
		    lc->endpoint);
	buf_addstr(&b, url);
	if ((c = language_call_new(lc, kind, "GET", &b, err)) == NULL) {
		buf_release(&b);
		return -1;
	}
	c->fn = cb;
	c->arg = arg;
	c->poll = p;
	return language_call_start(c, err);
}

int
language_job_get(struct language *lc, const char *job_url, language_job_fn cb,
    void *arg, struct err *err)
{
	return language_url_op(lc, K_JOB, job_url, (anyfn)cb, arg, NULL, err);
}

int
language_export_result(struct language *lc, const char *result_url,
    language_write_fn write, language_done_fn done, void *arg, struct err *err)
{
	struct buf b = { .max = 8192 };
	struct call *c;

	if (result_url == NULL || !language_same_origin(lc, result_url))
		return err_set(err, ERR_SPEC,
		    "language: resultUrl is not on the endpoint %s",
		    lc->endpoint);
	buf_addstr(&b, result_url);
	if ((c = language_call_new(lc, K_RESULT, "GET", &b, err)) == NULL) {
		buf_release(&b);
		return -1;
	}
	c->fn = (anyfn)done;
	c->write = write;
	c->arg = arg;
	return language_call_start(c, err);
}
