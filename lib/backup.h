#ifndef STANDBY_BACKUP_H
#define STANDBY_BACKUP_H

/*
 * backup.h - backups and restores as plans, so that the apply executor
 * (lib/apply) runs them with its pacing, journal and resume.
 *
 * A backup is a plan of export actions (reason "backup"), one per source
 * project: the executor stores each export as a snapshot (lib/snapshot;
 * the same bytes are stored once).  A restore is a plan that imports one
 * snapshot into one resource and trains and deploys it there as the
 * configuration says (reason "restore"); it works for the source resource
 * too, which is how a deleted or damaged source project is rebuilt.
 *
 * Both are pure: everything they read is in their arguments (the config,
 * a plan_view of the state cache, the snapshot's metadata).
 */

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "plan.h"
#include "snapshot.h"

struct cJSON;
struct config;
struct config_project;

struct backup_opts {
	const char *only;            /* --only: a project key or name */
	int64_t now;                 /* Unix seconds: the plan's created_at */
	const char *standby_version; /* NULL = "0.0.0" */
};

/* Builds the backup plan: export:P@S for every project with a source (or
 * only opts->only), in config order.  A source project missing from the
 * cache is left out with a warning (code source_missing) naming it.  The
 * plan passes planfile_check().  Fails (ERR_SPEC) when opts->only names
 * no project, or one without a source ("git is its backup"). */
int backup_plan(struct cJSON **out, const struct config *cfg,
    const struct plan_view *view, const struct backup_opts *opts,
    struct err *err);

/* The projects a backup covers (opts->only or every project with a
 * source), as borrowed config entries: *n of them in *out (free the array
 * with free()).  Same errors as backup_plan(). */
int backup_projects(const struct config_project ***out, size_t *n,
    const struct config *cfg, const char *only, struct err *err);

struct restore_opts {
	const char *project;  /* a project key or Azure name */
	const char *resource; /* --to: a language resource of the config */
	const struct snapshot_meta *snapshot; /* what to import */
	int64_t now;
	const char *standby_version;
};

/* Builds the restore plan of opts->snapshot into opts->resource:
 * import:P@R (create, or replace when R/P is in the cache), then
 * train:P@R/L for each label of the config's project (model.label and
 * the labels its deployments serve), each after the import, and
 * deploy:P@R/D for each configured deployment, after the train of its
 * label.  A step already done from this very snapshot is left out, so a
 * restore run again after an interruption finishes the rest: the import
 * when the replication record of R/P names the snapshot and R/P's
 * lastModifiedDateTime is the one recorded after that import; a train
 * when, besides, the model exists and its trained record names the
 * snapshot; a deploy when, besides, the deployment serves that model
 * (same modelId) and was deployed after it was trained.  A project with
 * no label gets a warning (no_model) and only the import.  Fails
 * (ERR_SPEC) when the project or resource is not in the config, the
 * resource is not a Language resource, or the snapshot is of another
 * project or kind. */
int restore_plan(struct cJSON **out, const struct config *cfg,
    const struct plan_view *view, const struct restore_opts *opts,
    struct err *err);

/* Checks that data is an import-ready exported project (the body the
 * Language :import API accepts): a JSON object with a string
 * projectFileVersion, a string stringIndexType, an object metadata with
 * a string projectName, and, when present, an object assets with a
 * string projectKind.  Returns 0, or -1 with err (ERR_SPEC) naming the
 * JSON path at fault ("metadata.projectName: missing"). */
int backup_check_import_doc(const char *data, size_t len, struct err *err);

#endif
