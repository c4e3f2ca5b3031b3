#ifndef STANDBY_OPENAI_H
#define STANDBY_OPENAI_H

/*
 * openai.h - Azure OpenAI on the management plane: accounts, deployments,
 * the models a region offers and the quota it has left, typed.
 *
 * Pure parts (no network): parsers of the ARM bodies, the canonical PUT
 * body for a desired deployment, the drift diff that ignores server
 * defaults, and the pre-flight check that plan runs before anything is
 * applied.
 *
 * Client: one struct openai per account (its ARM id), over lib/arm.
 * Writes to the account go through one lane: at most one in flight, the
 * rest queued in order, and a 409 RequestConflict (another writer) is
 * retried with backoff.  InsufficientQuota and unsupported-model answers
 * become errors that say so in plain words, with the service's message.
 */

#include <stddef.h>

#include "arm.h"
#include "buf.h"
#include "err.h"

struct auth;
struct cJSON;
struct config_openai;
struct http;
struct openai;

/* A deployment as ARM reports it.  Strings are NULL when absent;
 * sku_capacity is -1 when absent. */
struct openai_deployment {
	char *id, *name;
	char *model_format, *model_name, *model_version, *model_source;
	char *sku_name;
	int sku_capacity;
	char *version_upgrade_option, *rai_policy_name, *provisioning_state;
	char *deployment_state; /* newer versions: Running, Paused */
};

struct openai_deployments {
	struct openai_deployment *v;
	size_t n;
};

struct openai_account {
	char *id, *name, *location, *kind, *sku_name, *endpoint,
	    *provisioning_state, *custom_subdomain;
	int disable_local_auth;
};

/* One SKU of a model offered in a region. */
struct openai_model_sku {
	char *name, *usage_name, *deprecation_date;
	long minimum, maximum, step, dflt; /* -1 when absent */
};

/* A model offered in a region (locations/{l}/models, or an account's
 * models).  fine_tune: 1 when the region can fine-tune it. */
struct openai_model {
	char *kind, *format, *name, *version, *lifecycle_status;
	int is_default_version; /* -1 absent */
	int fine_tune;
	struct openai_model_sku *skus;
	size_t nskus;
};

struct openai_models {
	struct openai_model *v;
	size_t n;
};

/* A quota line of a region (locations/{l}/usages). */
struct openai_usage {
	char *name, *localized_name, *unit;
	double current_value, limit;
};

struct openai_usages {
	struct openai_usage *v;
	size_t n;
};

/* ---- parsers ------------------------------------------------------------
 * Each fills *out from j (at JSON path "path" for errors); lenient about
 * unknown and absent optional fields, an error naming the path for a
 * wrong type.  On failure *out is released. */
int openai_deployment_parse(const struct cJSON *j, const char *path,
    struct openai_deployment *out, struct err *err);
/* j: an array of deployments, or a {"value": [...]} page. */
int openai_deployments_parse(
    const struct cJSON *j, struct openai_deployments *out, struct err *err);
int openai_account_parse(
    const struct cJSON *j, struct openai_account *out, struct err *err);
/* j: an array or page of locations/{l}/models items ({kind, skuName,
 * model: {...}}) or of account models (the model itself). */
int openai_models_parse(
    const struct cJSON *j, struct openai_models *out, struct err *err);
int openai_usages_parse(
    const struct cJSON *j, struct openai_usages *out, struct err *err);

/* ---- desired state ------------------------------------------------------ */

/* Appends the PUT body for d: sku {name, capacity} and properties
 * {model {format, name, version}, versionUpgradeOption, raiPolicyName},
 * the last three only when the user set them.  model_name overrides d's
 * (a fine-tuned model's id; then version "1" unless d says otherwise).
 * Nothing else is sent. */
int openai_deployment_body(const struct config_openai *d,
    const char *model_name, struct buf *out, struct err *err);

/* "OnceNewDefaultVersionAvailable", ... or NULL for unset. */
const char *openai_upgrade_name(int config_upgrade);

/* Why a live deployment differs from the desired one. */
enum openai_change {
	OPENAI_CAPACITY_CHANGED = 1,
	OPENAI_VERSION_CHANGED,
	OPENAI_UPGRADE_OPTION_CHANGED,
	OPENAI_RAI_POLICY_CHANGED,
	OPENAI_SKU_CHANGED,
	OPENAI_MODEL_CHANGED, /* format or name: needs a new deployment */
};

struct openai_diff_item {
	enum openai_change change;
	const char *field; /* "sku.capacity", ... (static) */
	char want[128], have[128];
};

struct openai_diff {
	struct openai_diff_item items[8];
	size_t n;
};

/* Compares desired d with live.  A field the user left unset is never
 * drift, whatever the server filled in (raiPolicyName Microsoft.DefaultV2
 * or Microsoft.Default, versionUpgradeOption, model.version).  model_name
 * overrides d's (fine-tuned).  SKU and format names compare without case. */
void openai_deployment_diff(const struct config_openai *d,
    const char *model_name, const struct openai_deployment *live,
    struct openai_diff *out);

/* "capacity_changed", "version_changed", "upgrade_option_changed",
 * "rai_policy_changed", "sku_changed", "model_changed". */
const char *openai_change_name(enum openai_change c);

/* ---- pre-flight --------------------------------------------------------- */

/* One deployment that must exist on one account. */
struct openai_preflight_want {
	const char *account; /* resource name, for messages */
	const char *subscription;
	const char *region;
	const struct config_openai *d;
	int live_capacity; /* of the same deployment now (0 = none): only
	                      the increase needs new quota */
};

/* What a region offers: its models and its usages. */
struct openai_preflight_region {
	const char *subscription; /* NULL matches any */
	const char *region;
	const struct openai_models *models;
	const struct openai_usages *usages; /* NULL = quota unknown */
};

enum openai_shortfall_kind {
	OPENAI_SHORT_MODEL = 1,  /* model (format/name) not offered */
	OPENAI_SHORT_VERSION,    /* that version not offered */
	OPENAI_SHORT_SKU,        /* SKU not offered for the model */
	OPENAI_SHORT_DEPRECATED, /* lifecycle Deprecated */
	OPENAI_SHORT_CAPACITY,   /* outside min/max/step */
	OPENAI_SHORT_QUOTA,      /* limit - current < capacity needed */
	OPENAI_SHORT_FINETUNE,   /* region cannot fine-tune the base */
	OPENAI_SHORT_NO_REGION,  /* no models list for the region */
};

struct openai_shortfall {
	enum openai_shortfall_kind kind;
	char *account, *region, *deployment, *model, *version, *sku;
	char *usage_name; /* QUOTA */
	long requested;   /* capacity asked (QUOTA: the total asked in
	                     the region for that usage) */
	long minimum, maximum, step;
	double limit, current; /* QUOTA */
	char *message;         /* one line naming all of the above */
};

struct openai_shortfalls {
	struct openai_shortfall *v;
	size_t n;
};

/* Checks every want against its region: model, version and SKU offered,
 * lifecycle not Deprecated, capacity within the SKU's min/max/step, and
 * quota: for each (subscription, region, usageName) the sum of the
 * increases asked must fit limit - currentValue.  A fine-tuned want is
 * checked for the base model being fine-tunable in the region.  A want
 * whose version is unset matches the region's default version (or any).
 * Appends to out; returns 0, or -1 only when memory runs out. */
int openai_preflight(const struct openai_preflight_want *wants, size_t nwants,
    const struct openai_preflight_region *regions, size_t nregions,
    struct openai_shortfalls *out, struct err *err);

const char *openai_shortfall_name(enum openai_shortfall_kind k);

/* ---- client ------------------------------------------------------------- */

struct openai_opts {
	const char
	    *account_id; /* /subscriptions/../accounts/{name}; required */
	const char *api_version; /* NULL = ARM_DEFAULT_API_VERSION */
	const char *endpoint;    /* ARM; NULL = ARM_DEFAULT_ENDPOINT */
	struct http *http;       /* borrowed */
	struct auth *auth;       /* borrowed: audience AUTH_ARM */
	/* Polling and 409 settings (zero = arm's defaults). */
	const struct arm_opts *arm;
};

int openai_new(
    struct openai **out, const struct openai_opts *o, struct err *err);
void openai_free(struct openai *oc);

/* The client's lib/arm (for arm_run(), arm_tick()); borrowed. */
struct arm *openai_arm(struct openai *oc);

/* A deployment result: d is NULL after a delete, or on failure; code is
 * the service's error code on failure (InsufficientQuota, ...) or NULL.
 * Borrowed for the call (take d's contents to keep them). */
typedef void (*openai_deployment_fn)(void *arg, struct openai_deployment *d,
    const char *code, const struct err *err);
typedef void (*openai_deployments_fn)(
    void *arg, struct openai_deployments *l, const struct err *err);

int openai_deployments_list(
    struct openai *oc, openai_deployments_fn cb, void *arg, struct err *err);
int openai_deployment_get(struct openai *oc, const char *name,
    openai_deployment_fn cb, void *arg, struct err *err);

/* PUT body (from openai_deployment_body()) to deployment name, through
 * the account's lane; started (may be NULL) sees the op to journal. */
int openai_deployment_put(struct openai *oc, const char *name, const char *body,
    arm_started_fn started, openai_deployment_fn cb, void *arg,
    struct err *err);
/* PATCH {"sku": {"name", "capacity"}}: a capacity change. */
int openai_deployment_patch_sku(struct openai *oc, const char *name,
    const char *sku_name, int capacity, arm_started_fn started,
    openai_deployment_fn cb, void *arg, struct err *err);
int openai_deployment_delete(struct openai *oc, const char *name,
    arm_started_fn started, openai_deployment_fn cb, void *arg,
    struct err *err);
/* Polls a journalled op (see arm_op_decode()) in the account's lane. */
int openai_deployment_resume(struct openai *oc, const struct arm_op *op,
    openai_deployment_fn cb, void *arg, struct err *err);

/* ---- blocking forms ----------------------------------------------------- */
int openai_account_get_wait(
    struct openai *oc, struct openai_account *out, struct err *err);
int openai_deployments_list_wait(
    struct openai *oc, struct openai_deployments *out, struct err *err);
int openai_deployment_get_wait(struct openai *oc, const char *name,
    struct openai_deployment *out, struct err *err);
/* method: "PUT" (body required), "PATCH" (body required) or "DELETE".
 * *out (may be NULL) gets the final deployment (zeroed for DELETE). */
int openai_deployment_write_wait(struct openai *oc, const char *method,
    const char *name, const char *body, struct openai_deployment *out,
    struct err *err);
/* locations/{location}/models and /usages of the account's subscription. */
int openai_models_wait(struct openai *oc, const char *location,
    struct openai_models *out, struct err *err);
int openai_usages_wait(struct openai *oc, const char *location,
    struct openai_usages *out, struct err *err);

/* ---- ownership ---------------------------------------------------------- */
void openai_deployment_release(struct openai_deployment *d);
void openai_deployments_release(struct openai_deployments *l);
void openai_account_release(struct openai_account *a);
void openai_models_release(struct openai_models *l);
void openai_usages_release(struct openai_usages *l);
void openai_shortfalls_release(struct openai_shortfalls *l);

#endif
