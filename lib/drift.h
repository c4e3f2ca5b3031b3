#ifndef STANDBY_DRIFT_H
#define STANDBY_DRIFT_H

/*
 * drift.h - how far the live state (the state cache, just refreshed) has
 * drifted from what standby.yaml wants, per project and region, as a
 * report (schema/drift.schema.json).  Read-only: nothing here changes
 * Azure or takes the apply lock.
 *
 * The rules are lib/plan's: drift_build() makes the plan in memory and
 * turns the reasons of its actions into findings, adding what a plan does
 * not carry:
 *
 *   plan reason                      finding
 *   replica_missing                  replica_missing
 *   source_changed, assets_changed   source_ahead (exposure_seconds = now
 *                                    - the source's lastModifiedDateTime:
 *                                    how long at least the replica has
 *                                    lacked the source's last change)
 *   replica_modified_out_of_band     replica_modified
 *   model_missing, model_stale       the same
 *   deployment_missing               the same
 *   deployment_model_mismatch        deployment_mismatch
 *   deployment_expiring              left out: expiring findings come
 *                                    from the cache, one per model or
 *                                    deployment of the project on the
 *                                    resource (replicas and sources)
 *                                    that expires within the window,
 *                                    with its date and days_left
 *   dependency                       left out (a consequence)
 *   any other code                   passed through as is
 *
 * Consequences are left out so that each finding is a fact: a train or
 * deploy that only follows an import (model_stale "re-imported", and
 * everything after replica_missing) is not reported again.  A resource
 * marked stale in the cache (its last refresh failed) or never read gives
 * "unreachable" on each of its rows, before the findings of its cached
 * state.  A source project missing from the cache gives "source_missing"
 * on its source row (plan_opts.missing_source_ok).
 *
 * Rows ("units"): one per project and replica (role "replica"), and one
 * per project on its source resource (role "source"; assets projects have
 * none).  A unit's status is "in_sync" (no finding), "unreachable" (its
 * resource could not be read) or "drift".  The report's status is
 * "in_sync" when every unit is.
 *
 * Azure OpenAI: one row per openai: entry and account (role
 * "deployment", kind "openai" or "openai-fine-tuned", project = the
 * deployment name), with the OpenAI planner's codes as findings
 * (deployment_missing, capacity_changed, version_changed,
 * upgrade_option_changed, rai_policy_changed, sku_changed, model_changed,
 * finetune_missing; finetune_data_changed becomes finetune_stale), each
 * with "desired" and "live" (the plan action's after and before).  The
 * plan is made without the regions' models and usages: pre-flight is
 * plan's business, and a quota shortfall must not hide a missing
 * deployment.
 *
 * --deep (struct drift_deep): the caller exported the source projects
 * (drift_deep_export); a replica with a replication record is compared by
 * the hash of the source's export against the record's snapshot, one
 * without a record by the content hash of both exports; the hashes decide
 * source_ahead instead of the timestamps.
 */

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "plan.h"
#include "snapshot.h"

struct cJSON;
struct config;
struct session;
struct state;

/* The newest format_version of the drift report. */
#define DRIFT_FORMAT_VERSION 1

/* One project exported by --deep. */
struct drift_export {
	char *resource;                   /* where it was exported from */
	char *project;                    /* the Azure project name */
	char hash[SNAPSHOT_HASH_SIZE];    /* SHA-256 of the export's bytes */
	char content[SNAPSHOT_HASH_SIZE]; /* SHA-256 of its content: the
	                                     JSON less the metadata that
	                                     differs per resource by design
	                                     (storageInputContainerName) */
	char *error; /* the export failed: why (hashes empty) */
};

struct drift_deep {
	struct drift_export *v;
	size_t n;
};

struct drift_opts {
	int64_t now;               /* Unix seconds */
	long long expiry_window_s; /* --expiry-window */
	const char *standby_version;
	plan_assets_hash_fn assets_hash; /* as for plan_build */
	void *assets_arg;
	const struct drift_deep *deep; /* NULL: trust the timestamps */
	plan_file_hash_fn file_hash;   /* as for plan_build (fine-tunes) */
	void *file_hash_arg;
};

/* Builds the drift report of cfg against view.  On success *out is the
 * report (cJSON_Delete() it); on failure *out is NULL and err says why
 * (the plan could not be made: ERR_SPEC; ERR_NOMEM). */
int drift_build(struct cJSON **out, const struct config *cfg,
    const struct plan_view *view, const struct drift_opts *opts,
    struct err *err);

/* 1 when the report found drift (the exit status 2), else 0. */
int drift_has_drift(const struct cJSON *report);

enum drift_format {
	DRIFT_TEXT = 0,
	DRIFT_MARKDOWN,
	DRIFT_JSON,
};

/* Sets *out from "text", "markdown" (or "md") or "json"; -1 with err
 * naming the choices otherwise. */
int drift_format_parse(
    enum drift_format *out, const char *name, struct err *err);

/* Appends the rendering of report to out.  text: one line per unit
 * ("  ok    TravelAgent  west (westus2)  in sync"), its findings indented
 * beneath, then "Drift: N of M ..." or "No drift: ...".  markdown: a
 * title with the counts, a table (project | region | resource | role |
 * status | findings) and the findings' messages; names are escaped.
 * json: the report, 2-space indented, with a trailing newline. */
int drift_render(const struct cJSON *report, enum drift_format fmt,
    struct buf *out, struct err *err);

/* The one-line summary ("No drift: 4 rows in sync." or "Drift: 2 of 4
 * rows (1 source_ahead, 1 expiring)."), for the terminal when the report
 * went to a file. */
int drift_summary_line(const struct cJSON *report, struct buf *out);

/* Exports, for --deep, every source project of cfg that the cache holds
 * on a reachable resource (storing each export as a snapshot in st, with
 * the cached lastModifiedDateTime as its source_modified), and the
 * replicas that have no replication record (hashed in memory only).  An
 * export that fails is recorded with its error, not returned as one.
 * Sends only POST :export and GETs.  Returns -1 only when the state file
 * fails or memory runs out.  The caller owns *out (drift_deep_release). */
int drift_deep_export(const struct config *cfg, struct session *sess,
    struct state *st, const struct plan_view *view, struct drift_deep *out,
    struct err *err);

void drift_deep_release(struct drift_deep *deep);

/* The content hash of an exported project document (see struct
 * drift_export).  ERR_SPEC when data is not a JSON object. */
int drift_content_hash(const char *data, size_t len,
    char hex[SNAPSHOT_HASH_SIZE], struct err *err);

#endif
