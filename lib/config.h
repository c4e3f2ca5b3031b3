#ifndef STANDBY_CONFIG_H
#define STANDBY_CONFIG_H

/*
 * config.h - standby.yaml as the desired model that plan, refresh, apply
 * and state read.
 *
 * config_load() parses the file (lib/yamltree.c keeps line/column marks),
 * validates it strictly and collects every problem as a diagnostic.  A
 * loaded config is valid: names are checked against the Azure rules, every
 * reference resolves, and defaults are filled in, so readers need not check
 * again.  Arrays are sorted by name, so iteration order does not depend on
 * the order of the file.  Every object keeps the position of its key in
 * the YAML so later errors can point at it.  Strings are owned by the
 * config; treat everything as read-only.
 */

#include <stddef.h>

#include "diag.h"
#include "err.h"

/* Where an object was declared: 1-based line and column of its key. */
struct config_pos {
	int line, column;
};

enum config_resource_type {
	CONFIG_RESOURCE_LANGUAGE = 1, /* Azure AI Language (authoring API) */
	CONFIG_RESOURCE_OPENAI,       /* Azure OpenAI account (ARM) */
};

enum config_auth_method {
	CONFIG_AUTH_KEY_ENV = 1,        /* key in an environment variable */
	CONFIG_AUTH_KEY_FILE,           /* key in a file (first line) */
	CONFIG_AUTH_CLIENT_CREDENTIALS, /* Entra ID service principal */
	CONFIG_AUTH_MANAGED_IDENTITY,   /* Entra ID via IMDS */
	CONFIG_AUTH_AZURE_CLI,          /* az account get-access-token */
};

struct config_auth {
	enum config_auth_method method;
	char *key_env;           /* KEY_ENV: the variable's name */
	char *key_file;          /* KEY_FILE: as written */
	char *key_file_path;     /* KEY_FILE: resolved against the config's
	                            directory */
	char *tenant_id;         /* CLIENT_CREDENTIALS (required), AZURE_CLI
	                            (optional) */
	char *client_id;         /* CLIENT_CREDENTIALS (required),
	                            MANAGED_IDENTITY (optional: user-assigned) */
	char *client_secret_env; /* CLIENT_CREDENTIALS (required) */
	struct config_pos pos;
};

struct config_resource {
	char *name; /* the key under resources: */
	enum config_resource_type type;
	char *region; /* e.g. "eastus" */
	/* language: required, the custom-subdomain endpoint without a
	 * trailing "/"; openai: optional data-plane endpoint (NULL = read
	 * properties.endpoint from ARM). */
	char *endpoint;
	/* openai: required ARM id of the account; language: optional. */
	char *id;
	char *subscription;   /* parsed from id, or NULL */
	char *resource_group; /* parsed from id, or NULL */
	char *account;        /* last segment of id, or NULL */
	char *api_version;    /* NULL = the client's default */
	struct config_auth auth;
	struct config_pos pos;
};

enum config_project_kind {
	CONFIG_KIND_CONVERSATION = 1,
	CONFIG_KIND_ORCHESTRATION,
	CONFIG_KIND_TEXT_CLASSIFICATION,       /* single label */
	CONFIG_KIND_TEXT_MULTI_CLASSIFICATION, /* multi label */
	CONFIG_KIND_TEXT_NER,
};

enum config_training_mode {
	CONFIG_TRAINING_UNSET = 0, /* text kinds have no training mode */
	CONFIG_TRAINING_STANDARD,
	CONFIG_TRAINING_ADVANCED,
};

enum config_eval_kind {
	CONFIG_EVAL_UNSET = 0, /* the service default (percentage 80/20) */
	CONFIG_EVAL_PERCENTAGE,
	CONFIG_EVAL_MANUAL,
};

struct config_model {
	char *label; /* NULL when the project has no model: section (then
	                plan copies the source's deployed models) */
	enum config_training_mode mode; /* conversation kinds: default
	                                   STANDARD */
	char *config_version;           /* default "latest" */
	enum config_eval_kind eval_kind;
	int training_split, testing_split; /* PERCENTAGE: sum to 100; else
	                                      0 */
	struct config_pos pos;
};

struct config_deployment {
	char *name;  /* deployment name */
	char *model; /* model label it serves */
	struct config_pos pos;
};

struct config_project {
	char *key;  /* the key under projects: */
	char *name; /* the Azure project name: name:, default the key */
	enum config_project_kind kind;
	char *source;      /* resource to export from, or NULL */
	char *assets;      /* JSON file as written, or NULL */
	char *assets_path; /* assets resolved against the config's dir */
	char **replicas;   /* resource names, at least one */
	size_t nreplicas;
	struct config_model model;
	struct config_deployment *deployments; /* sorted by name */
	size_t ndeployments;
	char *storage_container; /* text kinds: required; else NULL */
	char **routes; /* orchestration: keys of projects it routes to */
	size_t nroutes;
	int protect; /* 1: never delete this project's replicas */
	struct config_pos pos;
};

enum config_upgrade {
	CONFIG_UPGRADE_UNSET = 0, /* leave it to the service */
	CONFIG_UPGRADE_ONCE_NEW_DEFAULT,
	CONFIG_UPGRADE_ONCE_EXPIRED,
	CONFIG_UPGRADE_NO_AUTO,
};

/* A fine-tuned model, trained in each account from the same files. */
struct config_finetune {
	char *base_model;                /* e.g. "gpt-4o-mini-2024-07-18" */
	char *training_file;             /* as written */
	char *training_path;             /* resolved against the config's dir */
	char *validation_file;           /* as written, or NULL */
	char *validation_path;           /* resolved, or NULL */
	int n_epochs;                    /* 0 = auto */
	int batch_size;                  /* 0 = auto */
	double learning_rate_multiplier; /* 0 = auto */
	int has_seed;
	long long seed;
	char *suffix; /* NULL or up to 40 of [A-Za-z0-9_-] */
	struct config_pos pos;
};

/* One Azure OpenAI deployment that must exist on every account in on[]. */
struct config_openai {
	char *key;           /* the key under openai: */
	char *name;          /* deployment name: name:, default the key */
	char *model_format;  /* default "OpenAI" */
	char *model_name;    /* NULL for a fine-tuned deployment */
	char *model_version; /* NULL = the service default; fine-tuned: "1" */
	char *sku_name;      /* e.g. "GlobalStandard", "ProvisionedManaged" */
	int sku_capacity;    /* >= 1: K TPM, or PTUs for provisioned SKUs */
	enum config_upgrade upgrade;
	char *rai_policy; /* NULL = the service default */
	char **on;        /* accounts: openai resource names, at least one */
	size_t non;
	struct config_finetune *fine_tune; /* NULL unless fine-tuned */
	int protect;
	struct config_pos pos;
};

struct config_settings {
	char *state;      /* as written, or NULL */
	char *state_path; /* resolved; default ".standby/state.db" beside
	                     the config */
	int parallelism;  /* default 4 */
	int connections_per_host;    /* default 32; not in the hash: it
	                                changes how fast, never what */
	int get_per_minute;          /* per resource, default 100 */
	int post_per_minute;         /* per resource, default 10 */
	long long connect_timeout_s; /* default 10 */
	long long request_timeout_s; /* default 120 */
	long long job_timeout_s;     /* default 3600 */
	long long expiry_window_s;   /* default 30 days */
	char *arm_endpoint;   /* default "https://management.azure.com" */
	char *authority_host; /* default "https://login.microsoftonline.com" */
	struct config_pos pos;
};

struct config {
	char *path;  /* as given to config_load() */
	char *dir;   /* its directory, for relative paths */
	int version; /* the file's version: (1) */
	struct config_resource *resources; /* sorted by name */
	size_t nresources;
	struct config_project *projects; /* sorted by key */
	size_t nprojects;
	struct config_openai *openai; /* sorted by key */
	size_t nopenai;
	struct config_settings settings;
	unsigned char hash[32]; /* SHA-256 of the canonical model */
	char hash_hex[65];      /* the same in lower-case hex */
};

/* Loads and validates the file at path.  Every problem found is appended
 * to diags (errors and warnings, sorted).  Returns 0 with *out set when
 * there is no error (warnings allowed); otherwise -1, *out NULL, and err
 * says why (ERR_SPEC "N errors" when diagnostics were added, ERR_IO when
 * the file could not be read, ERR_NOMEM). */
int config_load(struct config **out, const char *path, struct diag_list *diags,
    struct err *err);

/* The same for data already in memory; name stands in for the file name
 * in diagnostics and is the base for relative paths (its directory). */
int config_load_buffer(struct config **out, const char *name, const char *data,
    size_t len, struct diag_list *diags, struct err *err);

/* Releases everything; NULL does nothing. */
void config_free(struct config *cfg);

/* Lookups by name (resources), key (projects, openai); NULL if absent.
 * Borrowed from cfg. */
const struct config_resource *config_resource_find(
    const struct config *cfg, const char *name);
const struct config_project *config_project_find(
    const struct config *cfg, const char *key);
const struct config_openai *config_openai_find(
    const struct config *cfg, const char *key);

/* "conversation", "orchestration", "text-classification",
 * "text-multi-classification", "text-ner": the spelling in standby.yaml. */
const char *config_kind_name(enum config_project_kind kind);

/* The Azure projectKind: "Conversation", "Orchestration",
 * "CustomSingleLabelClassification", "CustomMultiLabelClassification",
 * "CustomEntityRecognition". */
const char *config_kind_azure(enum config_project_kind kind);

/* The authoring API family: "analyze-conversations" or "analyze-text". */
const char *config_kind_family(enum config_project_kind kind);

/* 1 for the three custom text kinds, else 0. */
int config_kind_is_text(enum config_project_kind kind);

/* "language" or "openai". */
const char *config_resource_type_name(enum config_resource_type type);

/* "key_env", "key_file", "client-credentials", "managed-identity",
 * "azure-cli". */
const char *config_auth_method_name(enum config_auth_method method);

/* "standard" / "advanced", or NULL when unset. */
const char *config_training_mode_name(enum config_training_mode mode);

/* The ARM value: "OnceNewDefaultVersionAvailable",
 * "OnceCurrentVersionExpired", "NoAutoUpgrade", or NULL when unset. */
const char *config_upgrade_name(enum config_upgrade upgrade);

/* Parses a duration such as "30s", "10m", "2h", "30d" (a bare number is
 * seconds) into *seconds.  Returns 0, or -1 when s is not one. */
int config_parse_duration(const char *s, long long *seconds);

/* 1 when s is a valid Language project, model or deployment name: 1-50
 * of letters, digits, '_', '.', '-'. */
int config_valid_name(const char *s);

/* 1 when s is a valid Azure OpenAI account name: 2-64 characters matching
 * ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$. */
int config_valid_account_name(const char *s);

#endif
