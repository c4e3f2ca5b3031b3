#ifndef STANDBY_PLAN_H
#define STANDBY_PLAN_H

/*
 * plan.h - diff the desired model (lib/config) against the state cache
 * (lib/state) and make the plan (PLAN-FORMAT.md), with no network and no
 * I/O: everything plan_build() reads is in its arguments.
 *
 * The rules, per desired project P (Azure name; ids use it) with source S
 * and per replica R, in config order:
 *
 *   - S/P must be in the cache, else the plan fails: "source project 'P'
 *     not found on S (refreshed <when>)".
 *   - import:P@R (create when R/P is missing, else replace), for the first
 *     reason that holds: replica_missing; no replication record although
 *     R/P exists: the fail-over guides' rule decides, so a replica set up
 *     by hand is adopted when its lastModifiedDateTime is not older than
 *     S/P's, else source_changed (for an assets project,
 *     replica_modified_out_of_band, "was not built by standby");
 *     source_changed (the record was built from another
 *     resource, or its source_modified differs from S/P's
 *     lastModifiedDateTime as parsed times, or the snapshot that would be
 *     imported differs from the record's); replica_modified_out_of_band
 *     (R/P's lastModifiedDateTime differs from the record's
 *     replica_modified).  For an assets project (git is the source) the
 *     snapshot is the SHA-256 of the file, given by opts->assets_hash, and
 *     assets_changed replaces source_changed.
 *   - export:P@S (change read), once for every replica, when some import
 *     needs it and no snapshot of P from S has source_modified equal to
 *     S/P's lastModifiedDateTime; with one, the imports use its hash and
 *     there is no export.  Assets projects have no export.
 *   - Labels: the config's model.label; else the labels its deployments
 *     serve; else those of the source models that the source's
 *     deployments serve (deployment modelId -> source model -> label, or
 *     the label part of the modelId).  Deployments: the config's; else
 *     the source's names, each serving its source label, or the config's
 *     label when it has one.
 *   - train:P@R/L (create when the model is missing, else update), for
 *     the first that holds: model_missing; the import runs (model_stale,
 *     re-imported); no trained record (model_stale, not trained by
 *     standby; but an adopted replica's model trained after the project
 *     last changed is current); the trained record's snapshot differs from the
 *     replication record's (model_stale); the model's modelExpirationDate
 *     is within the expiry window (deployment_expiring); a desired
 *     deployment of L has its deploymentExpirationDate within the window
 *     (deployment_expiring: retraining renews it).  Depends on the import.
 *   - deploy:P@R/D (create when missing, else update), for the first that
 *     holds: deployment_missing; deployment_expiring (its own date);
 *     dependency (its train runs); deployment_model_mismatch (its modelId
 *     is not the one of model L on R).  Depends on the train.
 *   - Orchestration: a project with routes: (names of projects) has its
 *     train and deploy actions on R depend on the deploy actions of the
 *     routed projects on R, and its group sorts after theirs.  A route to
 *     an undeclared project is a warning (orchestration_target_undeclared).
 *   - Prune (opts->prune only), on replica resources never used as a
 *     source: deployments of a desired project that are not desired
 *     (delete_deployment); models not desired and served by no kept
 *     deployment (delete_model, after the delete_deployment of any that
 *     served it); projects standby built (a replication record) that are
 *     no longer desired on that resource (delete_project).  Nothing of a
 *     project with protect: true is deleted: a warning (protected_kept)
 *     names what was kept.  Deletes are destructive and come first.
 *   - Targets (opts->targets, project keys or names): only those projects
 *     and the projects they route to, recursively, are planned.
 *   - Stale resources give a warning each (resource_stale, "R could not
 *     be read at <when>; its cached state is from <when>"), and so do
 *     declared resources never refreshed (resource_never_refreshed).
 *   - Azure OpenAI deployments have their own planner (plan_openai.c):
 *     per openai: entry D and account A of its accounts (the primary,
 *     first, before the others): openai_create:N@A when A has no
 *     deployment N (deployment_missing); openai_update:N@A when
 *     openai_deployment_diff finds a difference (the first one's code:
 *     model_changed, sku_changed, capacity_changed, version_changed,
 *     upgrade_option_changed, rai_policy_changed; before/after hold the
 *     changed fields); a field D leaves unset is never a difference.
 *     Fine-tuned D: finetune:K@A (finetune_missing when standby never
 *     trained K on A or A no longer has the model; finetune_data_changed
 *     when the training/validation files' hashes (opts->file_hash) or the
 *     settings differ from the record), then the create/update of N
 *     depends on it and serves "from finetune:K@A".  With --prune:
 *     openai_delete:N@A for a deployment on a declared account that no
 *     openai: entry wants there (not_desired), never one whose name
 *     belongs to a protect: true entry (protected_kept).  Pre-flight of
 *     every create/update against the cached models and usages of the
 *     account's region (openai_preflight): a shortfall fails the plan,
 *     naming region, model and numbers, or with opts->allow_partial is
 *     a preflight_shortfall warning and the actions it concerns are left
 *     out; an account whose models were never read is a
 *     preflight_unchecked warning.  Groups "openai:K" come after every
 *     Language group.
 *
 * Action order: destructive actions first, then by group (routed projects
 * before the orchestrations that route to them, then by name), then the
 * chain position export < import < train < deploy (delete_deployment <
 * delete_model < delete_project), then id; this is a topological order
 * of depends_on.
 *
 * The plan's state.refreshed_at is the oldest last good read among the
 * resources the planned projects use (null when none was ever read).
 * before/after summarise an object as flat scalars; a value the service
 * sets during apply (a new lastModifiedDateTime, a renewed expiry) is
 * "(known after apply)", and one made by an earlier action of the plan
 * names it ("from export:P@S", "from train:P@R/L").
 */

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "snapshot.h"
#include "state.h"

struct cJSON;
struct config;
struct config_project;

/* A read-only view of the state cache: plain arrays in any order, all
 * borrowed.  plan_cache fills one from a state file; tests fill it by
 * hand. */
struct plan_view {
	int64_t revision;
	const struct state_resource *resources; /* refreshed_at, stale */
	size_t nresources;
	const struct state_object *objects; /* live Language objects */
	size_t nobjects;
	const struct state_replication *replications;
	size_t nreplications;
	const struct state_trained *trained;
	size_t ntrained;
	const struct snapshot_meta *snapshots; /* metadata only */
	size_t nsnapshots;
	/* Azure OpenAI: per account, the region's models and usages and
	 * the account's fine-tuning jobs as refreshed; and the fine-tuned
	 * models standby trained.  Their deployments are objects of kind
	 * STATE_OPENAI_DEPLOYMENT (json: the ARM deployment resource). */
	const struct state_openai_catalog *oai_catalogs;
	size_t noai_catalogs;
	const struct state_finetuned *finetuned;
	size_t nfinetuned;
};

/* Computes the SHA-256 (64 lower-case hex digits and a NUL) of an assets
 * project's file into hex; returns 0, or -1 with err set. */
typedef int (*plan_assets_hash_fn)(void *arg,
    const struct config_project *project, char hex[SNAPSHOT_HASH_SIZE],
    struct err *err);

/* Computes the SHA-256 (64 lower-case hex digits and a NUL) of the file at
 * path (a fine-tune's training or validation file) into hex; returns 0,
 * or -1 with err set. */
typedef int (*plan_file_hash_fn)(
    void *arg, const char *path, char hex[SNAPSHOT_HASH_SIZE], struct err *err);

/* A plan_file_hash_fn over the file system (arg unused): ERR_IO naming
 * the path when it cannot be read or passes 512 MB. */
int plan_hash_file(
    void *arg, const char *path, char hex[SNAPSHOT_HASH_SIZE], struct err *err);

/* A plan_assets_hash_fn over the file system (arg unused): ERR_IO naming
 * the assets file when it cannot be read or passes 64 MB. */
int plan_hash_assets(void *arg, const struct config_project *p,
    char hex[SNAPSHOT_HASH_SIZE], struct err *err);

struct plan_opts {
	int prune;                  /* --prune */
	const char *const *targets; /* --target values; NULL/0 = all */
	size_t ntargets;
	long long expiry_window_s;   /* deployment_expiring window */
	int64_t now;                 /* Unix seconds: created_at and expiry */
	int refreshed;               /* 1 if refresh ran just before */
	const char *standby_version; /* NULL = "0.0.0" */
	plan_assets_hash_fn assets_hash; /* required for assets projects */
	void *assets_arg;
	/* --allow-partial: an OpenAI pre-flight shortfall is a warning
	 * (preflight_shortfall) and the affected actions are left out,
	 * instead of a plan error. */
	int allow_partial;
	plan_file_hash_fn file_hash; /* required for fine-tuned deployments */
	void *file_hash_arg;
	/* 1: a source project missing from the cache is a warning
	 * (source_missing) and the project is left out, instead of failing
	 * the plan (for standby drift and status, which report it). */
	int missing_source_ok;
};

/* Builds the plan of cfg against view.  On success *out is a plan
 * document that passes planfile_check() (free it with cJSON_Delete());
 * on failure *out is NULL and err says why: ERR_SPEC for a plan that
 * cannot be made (an unknown target, a source project missing from the
 * cache, an assets hash that failed), ERR_NOMEM. */
int plan_build(struct cJSON **out, const struct config *cfg,
    const struct plan_view *view, const struct plan_opts *opts,
    struct err *err);

/* The state cache read into memory, owning what its view points to. */
struct plan_cache {
	struct plan_view view;
	struct state_resources resources;
	struct state_objects objects;
	struct state_replications replications;
	struct state_trained *trained;
	size_t ntrained;
	struct snapshot_list snapshots;
	struct state_openai_catalogs oai_catalogs;
	struct state_finetuneds finetuned;
};

/* Reads, from st, the revision, the resources, every live object, the
 * replication records, the trained-model records of the live models and
 * the snapshots' metadata, and points c->view at them.  On failure c is
 * left empty. */
int plan_cache_load(struct plan_cache *c, struct state *st, struct err *err);

/* Releases what plan_cache_load read and zeroes c. */
void plan_cache_release(struct plan_cache *c);

/* Parses an Azure time ("2026-11-20T08:00:00Z", with optional fraction
 * and offset) or date ("2027-01-01", midnight UTC) into Unix seconds and
 * nanoseconds.  Returns 0, or -1 when s is neither. */
int plan_parse_time(const char *s, int64_t *sec, long *nsec);

/* Formats Unix seconds as "2026-11-23T10:05:00Z" (21 bytes with NUL). */
void plan_format_time(int64_t t, char out[21]);

#endif
