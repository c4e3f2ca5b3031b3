#ifndef STANDBY_PLAN_INT_H
#define STANDBY_PLAN_INT_H

/*
 * plan_int.h - what lib/plan.c (the driver: indexes of the cache, the
 * action list, ordering, the JSON) shares with the planners of each kind
 * of object (plan_language.c; an Azure OpenAI planner joins them in the
 * issue "Azure OpenAI deployments across regions").  Not a public header.
 */

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "plan.h"
#include "planfile.h"
#include "state.h"

struct cJSON;

/* Chain positions: the order of actions within a group. */
enum {
	PLAN_POS_EXPORT = 0,
	PLAN_POS_IMPORT,
	PLAN_POS_TRAIN,
	PLAN_POS_DEPLOY,
};

/* One action while the plan is made.  Strings other than id, group and
 * message are borrowed from the config or the view. */
struct plan_act {
	char *id;
	const char *kind;
	enum planfile_change change;
	char *group;
	const char *type; /* "language" (set by plan_add) or "openai" */
	const char *resource, *region;
	/* language targets */
	const char *project, *project_kind, *deployment, *model, *source;
	/* openai targets (with deployment and source) */
	const char *model_name, *model_version, *sku;
	long long capacity; /* -1: null */
	char **deps;
	size_t ndeps, capdeps;
	const char *code;
	char *message;
	struct cJSON *before, *after; /* NULL: JSON null */
	int destructive;
	int pos;     /* chain position within the group */
	int rank;    /* group rank: routed projects first */
	int dropped; /* left out after all (pre-flight with
	                --allow-partial): removed before ordering */
};

/* The deploy actions of one project on one replica, for the
 * orchestrations that route to it. */
struct plan_unit {
	size_t *deploys; /* indexes into ctx->acts */
	size_t ndeploys;
};

struct plan_ctx {
	const struct config *cfg;
	const struct plan_view *view;
	const struct plan_opts *opts;
	struct err *err;

	/* Sorted indexes of the view. */
	const struct state_object **objs; /* resource, project, kind, name */
	size_t nobjs;
	const struct state_replication **reps; /* replica, project */
	const struct state_trained **trained;  /* replica, project, label */
	const struct snapshot_meta **snaps; /* project, source, newest first */
	const struct state_resource **res;  /* name */

	struct plan_act *acts;
	size_t nacts, capacts;
	struct cJSON *warnings;

	unsigned char *selected;     /* per config project: planned */
	unsigned char *oai_selected; /* per config openai entry: planned */
	int *rank;                   /* per config project */
	struct plan_unit **units;    /* per config project, per replica */
	size_t *order;               /* config projects, by rank then name */

	char **pool; /* strings made while planning, freed at the end */
	size_t npool, cappool;
	int nomem;
};

/* Builds the sorted indexes of c->view (plan_view.c). */
int plan_index_view(struct plan_ctx *c);

/* Lookups in the view; NULL when absent. */
const struct state_object *plan_object(struct plan_ctx *c, enum state_kind k,
    const char *resource, const char *project, const char *name);
/* The objects of one kind of resource/project: *n of them from *first. */
const struct state_object *const *plan_objects(struct plan_ctx *c,
    enum state_kind k, const char *resource, const char *project, size_t *n);
const struct state_replication *plan_replication(
    struct plan_ctx *c, const char *replica, const char *project);
const struct state_trained *plan_trained(struct plan_ctx *c,
    const char *replica, const char *project, const char *label);
const struct state_resource *plan_resource(
    struct plan_ctx *c, const char *name);
/* The newest snapshot of project from source whose source_modified is the
 * same time as modified. */
const struct snapshot_meta *plan_snapshot(struct plan_ctx *c,
    const char *project, const char *source, const char *modified);

/* The config project whose Azure name (or else key) is name, or NULL. */
const struct config_project *plan_project_named(
    const struct config *cfg, const char *name);

/* Compares two Azure times as times (as strings when one does not
 * parse); NULL sorts first. */
int plan_time_cmp(const char *a, const char *b);

/* 1 when the date or time s is within the expiry window of now (or
 * past). */
int plan_expiring(struct plan_ctx *c, const char *s);

/* "30 days", "12 hours", "90 seconds": the expiry window in words. */
const char *plan_window_words(struct plan_ctx *c);

/* A formatted string kept until the plan is made; NULL when memory ran
 * out (c->nomem is then set). */
char *plan_strf(struct plan_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Adds an action (kind is a static string; the printf-style id is
 * formatted) and returns its index, or (size_t)-1 when memory ran out. */
size_t plan_add(struct plan_ctx *c, const char *kind,
    enum planfile_change change, const char *group, int pos, const char *fmt,
    ...) __attribute__((format(printf, 6, 7)));

/* Makes action i depend on action j (once). */
void plan_depend(struct plan_ctx *c, size_t i, size_t j);

/* Sets the reason of action i. */
void plan_reason(struct plan_ctx *c, size_t i, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Adds a warning. */
void plan_warn(struct plan_ctx *c, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* New flat objects for before/after, and setters that accept NULL values
 * (stored as JSON null).  The object keeps key without a copy: pass a
 * literal. */
struct cJSON *plan_obj(struct plan_ctx *c);
void plan_set_str(
    struct plan_ctx *c, struct cJSON *o, const char *key, const char *v);

/* The Language planner: export, import, train, deploy of every selected
 * project, then the deletes of --prune. */
int plan_language(struct plan_ctx *c);

/* The Azure OpenAI planner (plan_openai.c): finetune, openai_create,
 * openai_update of every selected openai: entry on each of its accounts,
 * the openai_delete of --prune, then the pre-flight. */
int plan_openai(struct plan_ctx *c);

/* The config openai: entry whose key or deployment name is name, or
 * NULL. */
const struct config_openai *plan_openai_named(
    const struct config *cfg, const char *name);

#endif
