#ifndef STANDBY_LANGJSON_H
#define STANDBY_LANGJSON_H

/*
 * langjson.h - the JSON of the Language authoring API, both ways: parsers
 * from response bodies into the structs of language.h, and the request
 * bodies the client sends.  Parsers are lenient (unknown fields, absent
 * optional fields, any timestamp form timeutil reads, assignedResources
 * as object or array) but name the JSON path of anything they refuse.
 */

#include "buf.h"
#include "err.h"
#include "language.h"

struct cJSON;

/* Each parser fills *out from j (the object at JSON path "path", used in
 * errors, e.g. "value[3]"); on failure *out is released and zeroed. */
int langjson_project(const struct cJSON *j, const char *path,
    struct language_project *out, struct err *err);
int langjson_model(const struct cJSON *j, const char *path,
    struct language_model *out, struct err *err);
int langjson_deployment(const struct cJSON *j, const char *path,
    struct language_deployment *out, struct err *err);
int langjson_tcv(const struct cJSON *j, const char *path,
    struct language_tcv *out, struct err *err);
int langjson_job(
    const struct cJSON *j, struct language_job *out, struct err *err);

/* Appends the items of a page {"value": [...], "nextLink": ...} to the
 * list; *next_link is the next page's URL (caller frees) or NULL. */
int langjson_projects_page(const struct cJSON *j, struct language_projects *acc,
    char **next_link, struct err *err);
int langjson_models_page(const struct cJSON *j, struct language_models *acc,
    char **next_link, struct err *err);
int langjson_deployments_page(const struct cJSON *j,
    struct language_deployments *acc, char **next_link, struct err *err);
int langjson_tcvs_page(const struct cJSON *j, struct language_tcvs *acc,
    char **next_link, struct err *err);

/* The error body {"error": {"code", "message", "innererror"?}}: points
 * *code and *message (borrowed from j) at the most specific code and the
 * message, or leaves them NULL when j is not that shape. */
void langjson_error(
    const struct cJSON *j, const char **code, const char **message);

/* A JobStatus string, or LANGUAGE_JOB_UNKNOWN. */
enum language_job_status langjson_status(const char *s);

/* Appends the :train body for family. */
int langjson_train_body(enum language_family family,
    const struct language_train_opts *opts, struct buf *out, struct err *err);

/* Appends the deployment PUT body. */
int langjson_deploy_body(
    const char *model_label, struct buf *out, struct err *err);

#endif
