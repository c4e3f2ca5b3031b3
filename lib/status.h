#ifndef STANDBY_STATUS_H
#define STANDBY_STATUS_H

/*
 * status.h - failover readiness per project and region, for an operator
 * during an incident (schema/status.schema.json): when each replica was
 * last replicated and from which snapshot, which snapshot its models were
 * trained from, the deployments live, how old its data is, and a verdict.
 *
 * The findings of a Language row are lib/drift's (so status and drift
 * never disagree), plus one of status's own:
 *   cache_old  the row's resource was last read longer ago than
 *              opts.max_age_s (--max-age, default 24h): what status
 *              says of it may no longer hold ("standby refresh").
 * The verdict of a row (status_verdict) is
 *   not_ready  it cannot take traffic: its resource is unreachable, the
 *              project, a desired model or deployment is missing, or a
 *              model or deployment has expired (findings unreachable,
 *              replica_missing, source_missing, model_missing,
 *              deployment_missing, provisioning_failed, or expiring
 *              with days_left < 0);
 *   stale      it can, but serves older or other data than wanted, or
 *              standby's knowledge of it is old (any other finding:
 *              source_ahead, replica_modified, model_stale,
 *              deployment_mismatch, expiring soon, cache_old, and the
 *              OpenAI differences below);
 *   ready      no finding.
 * A cell of the region x project matrix is the worst verdict of the rows
 * of that project in that region.
 *
 * Azure OpenAI ("openai" in the document): per openai: entry of the
 * config, its endpoints in failover order (the order of accounts:, the
 * first being the primary), each with the live deployment as the cache
 * holds it (present, provisioning state, SKU and capacity, model and
 * version) and a verdict from its findings: unreachable (the account
 * could not be read, or never was), deployment_missing,
 * provisioning_failed (Failed, Canceled, Disabled) are not_ready;
 * provisioning (any other state than Succeeded), the differences of
 * openai_deployment_diff (model_changed, sku_changed, capacity_changed,
 * version_changed, upgrade_option_changed, rai_policy_changed; a field
 * the config leaves unset is none) and cache_old are stale.  A
 * fine-tuned deployment is compared with the model standby trained on
 * that account (state_finetuned), and only by its settings without one.
 * The summary counts Language rows and OpenAI endpoints together.
 */

#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "plan.h"

struct cJSON;
struct config;

#define STATUS_FORMAT_VERSION 1

struct status_opts {
	int64_t now;
	long long expiry_window_s;
	long long max_age_s; /* cache_old past this; 0 = no limit */
	const char *standby_version;
	plan_assets_hash_fn assets_hash;
	void *assets_arg;
};

/* Builds the status document of cfg against view.  *out is the
 * caller's (cJSON_Delete()); on failure NULL and err set (as
 * drift_build). */
int status_build(struct cJSON **out, const struct config *cfg,
    const struct plan_view *view, const struct status_opts *opts,
    struct err *err);

enum status_format {
	STATUS_TEXT = 0,
	STATUS_JSON,
	STATUS_MARKDOWN,
	STATUS_HTML,
};

/* "text", "json", "markdown" (or "md"), "html"; -1 with err otherwise. */
int status_format_parse(
    enum status_format *out, const char *name, struct err *err);

/* Appends a rendering of the status document to out.  text and
 * markdown: the matrix (projects down, regions across), then a table of
 * the rows with their details.  json: the document.  html: see
 * status_render_html. */
int status_render(const struct cJSON *status, enum status_format fmt,
    struct buf *out, struct err *err);

/* One self-contained HTML page (inline CSS, no script, no external
 * resource): the region x project matrix with each cell coloured by its
 * verdict (ready green, stale amber, not ready red), then one section per
 * row with its details.  Every string from the document is escaped. */
int status_render_html(
    const struct cJSON *status, struct buf *out, struct err *err);

/* Appends the one-line summary ("Failover readiness: 2 ready, 1 stale,
 * 0 not ready.\n"), for the terminal when the document went to a file. */
int status_summary_line(const struct cJSON *status, struct buf *out);

/* 1 when every row and OpenAI endpoint is ready (exit status 0), else 0
 * (exit status 2). */
int status_all_ready(const struct cJSON *status);

/* The verdict of an array of findings ({code, days_left?}): "ready",
 * "stale" or "not_ready" (static strings), by the rules above. */
const char *status_verdict(const struct cJSON *findings);

/* 0, 1, 2 for "ready", "stale", "not_ready": the order of "worst". */
int status_verdict_rank(const char *verdict);

/* The "openai" array of the status document: see above.  *out is the
 * caller's; on failure NULL and err set (ERR_NOMEM). */
int status_openai_build(struct cJSON **out, const struct config *cfg,
    const struct plan_view *view, const struct status_opts *opts,
    struct err *err);

#endif
