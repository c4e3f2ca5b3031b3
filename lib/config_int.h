#ifndef STANDBY_CONFIG_INT_H
#define STANDBY_CONFIG_INT_H

/*
 * config_int.h - what lib/config.c (the loader) shares with the files it
 * is split into: yamlget.c (typed getters with diagnostics),
 * config_check.c (names, values and cross-references), config_project.c,
 * config_openai.c and confighash.c.  Not for other modules: they use
 * config.h.
 */

#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "yamltree.h"

typedef const struct yamltree_node ynode;

/* One load: where diagnostics go and the model being filled.  nomem is
 * set when memory ran out; the load then fails with ERR_NOMEM. */
struct ctx {
	const char *file;
	struct diag_list *diags;
	struct config *cfg;
	int nomem;
};

/* ---- yamlget.c ---------------------------------------------------------- */

/* Adds a diagnostic at line:column, path (dotted, "" for the root). */
void yamlget_report(struct ctx *c, int line, int column, const char *path,
    enum diag_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#define ERR_AT(c, n, path, ...)                                                \
	yamlget_report(                                                        \
	    (c), (n)->line, (n)->column, (path), DIAG_ERROR, __VA_ARGS__)
#define WARN_AT(c, n, path, ...)                                               \
	yamlget_report(                                                        \
	    (c), (n)->line, (n)->column, (path), DIAG_WARNING, __VA_ARGS__)

/* A user string cut to fit a message, at a UTF-8 character boundary. */
struct shown {
	char s[72];
};
struct shown yamlget_show(const char *v);

/* "parent.key" and "parent[i]" (key shown cut); NULL when memory ran out
 * (c->nomem set).  The caller frees. */
char *yamlget_join(struct ctx *c, const char *parent, const char *key);
char *yamlget_join_index(struct ctx *c, const char *parent, size_t i);

/* strdup that sets c->nomem on failure; NULL for NULL. */
char *yamlget_dup(struct ctx *c, const char *s);

/* 1 for a missing node or an unquoted null ("", ~, null). */
int yamlget_is_null(ynode *n);

/* "a mapping", "a list", "null", "a number", "a boolean" or "a string". */
const char *yamlget_describe(ynode *n);

/* The closest of cands (NULL-terminated) to s, or NULL if none is close. */
const char *yamlget_closest(const char *s, const char *const *cands);

/* Reports keys that are not scalars and keys given twice. */
void yamlget_check_dups(struct ctx *c, ynode *map, const char *path);

/* Is the key at index i the first of its name in map?  map must have
 * been through yamlget_check_dups. */
int yamlget_first_of_name(ynode *map, size_t i);

/* Checks a mapping's keys against allowed (NULL-terminated): unknown keys
 * (with a suggestion), duplicates, inline secrets.  Returns 0 when map is
 * a mapping, -1 (reported) otherwise. */
int yamlget_check_keys(
    struct ctx *c, ynode *map, const char *path, const char *const *allowed);

/* The value under key, or NULL (missing, or null).  Reports "missing
 * required field" at where when required. */
ynode *yamlget_field(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required);

/* Typed getters: 0 when the value is there and right or absent and
 * optional, -1 (reported) otherwise.  *node, when asked for, is the value's
 * node (for later messages). */
int yamlget_str(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, char **out, ynode **node);
int yamlget_int(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, long long min, long long max,
    long long *out);
int yamlget_bool(
    struct ctx *c, ynode *map, const char *path, const char *key, int *out);
int yamlget_duration(struct ctx *c, ynode *map, const char *path,
    const char *key, long long *out);
/* An enum: *out is the index in names (NULL-terminated) of the value. */
int yamlget_enum(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, const char *const *names, int *out,
    ynode **node);
/* A list of strings.  *out and *n are left empty on error. */
int yamlget_str_list(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, char ***out, size_t *n, ynode ***nodes);

/* ---- config_check.c ----------------------------------------------------- */

/* 1 when s is 1-max letters, digits, '_', '.' or '-'. */
int config_name_chars(const char *s, size_t max);

/* Reports a project, model or deployment name that Azure would refuse. */
void config_check_name(struct ctx *c, ynode *at, const char *path,
    const char *what, const char *s);

/* Blob container names: 3-63 of a-z, 0-9, '-', no "--". */
int config_valid_container(const char *s);
int config_valid_env_name(const char *s);
int config_valid_region(const char *s);

/* https://host[:port][/], or http:// on loopback; a trailing '/' is cut
 * off url.  The URL is never echoed. */
void config_check_url(struct ctx *c, ynode *at, const char *path, char *url);

/* p resolved against the configuration's directory unless absolute;
 * NULL when memory ran out.  The caller frees. */
char *config_resolve(struct ctx *c, const char *p);

/* Reports (and returns -1) unless resolved is a readable regular file. */
int config_check_file(struct ctx *c, ynode *at, const char *path,
    const char *what, const char *resolved);

/* Second-pass checks, once every object is known: references to
 * resources, routes of orchestrations, names claimed twice on one
 * resource. */
void config_check_project_refs(struct ctx *c, ynode *map, const char *path,
    const struct config_project *pr);
void config_check_openai_refs(
    struct ctx *c, ynode *map, const char *path, const struct config_openai *o);
void config_check_routes(struct ctx *c, ynode *projects);
void config_check_claims(struct ctx *c);

/* ---- config_project.c, config_openai.c, confighash.c -------------------- */

/* Fill one entry of projects: or openai: from its key and mapping. */
void config_parse_project(struct ctx *c, ynode *key, ynode *map,
    const char *path, struct config_project *pr);
void config_parse_openai(struct ctx *c, ynode *key, ynode *map,
    const char *path, struct config_openai *o);

/* Fills cfg->hash and hash_hex from the canonical form of cfg. */
int config_hash(struct config *cfg, struct err *err);

#endif
