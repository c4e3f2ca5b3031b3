/*
 * yamlget.c - typed reads of a lib/yamltree document for config: strings,
 * integers, booleans, durations, enums and lists, each reporting a wrong
 * type, a missing field, an unknown or duplicate key, or an inline secret
 * at its file:line:column with the dotted path, into the diagnostic list.
 * Nothing stops at the first problem; a getter that fails leaves its
 * output alone so parsing goes on with what is usable.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config_int.h"

void
yamlget_report(struct ctx *c, int line, int column, const char *path,
    enum diag_severity sev, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag_add(c->diags, c->file, line, column, path, sev, "%s", msg) !=
	    0)
		c->nomem = 1;
}

struct shown
yamlget_show(const char *v)
{
	struct shown out;
	size_t n = strlen(v), max = 60;

	if (n <= max) {
		memcpy(out.s, v, n + 1);
		return out;
	}
	while (max > 0 && ((unsigned char)v[max] & 0xc0) == 0x80)
		max--;
	memcpy(out.s, v, max);
	memcpy(out.s + max, "...", 4);
	return out;
}

char *
yamlget_join(struct ctx *c, const char *parent, const char *key)
{
	struct buf b = { .max = 4096 };
	char *s;

	if (parent != NULL && parent[0] != '\0') {
		buf_addstr(&b, parent);
		buf_addch(&b, '.');
	}
	buf_addstr(&b, yamlget_show(key).s);
	if (b.failed || (s = buf_take(&b)) == NULL) {
		buf_release(&b);
		c->nomem = 1;
		return NULL;
	}
	return s;
}

char *
yamlget_join_index(struct ctx *c, const char *parent, size_t i)
{
	struct buf b = { .max = 4096 };
	char *s;

	buf_addf(&b, "%s[%zu]", parent, i);
	if (b.failed || (s = buf_take(&b)) == NULL) {
		buf_release(&b);
		c->nomem = 1;
		return NULL;
	}
	return s;
}

char *
yamlget_dup(struct ctx *c, const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		c->nomem = 1;
	return d;
}

/* --- scalars --------------------------------------------------------- */

int
yamlget_is_null(ynode *n)
{
	const char *v;

	if (n == NULL)
		return 1;
	if (n->type != YAMLTREE_SCALAR || n->quoted)
		return 0;
	v = n->value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static int
parse_ll(const char *s, long long *out)
{
	char *end;
	long long v;

	if (s[0] == '\0' || s[0] == ' ' || s[0] == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

const char *
yamlget_describe(ynode *n)
{
	long long ll;

	if (n->type == YAMLTREE_MAP)
		return "a mapping";
	if (n->type == YAMLTREE_SEQ)
		return "a list";
	if (yamlget_is_null(n))
		return "null";
	if (n->quoted)
		return "a string";
	if (parse_ll(n->value, &ll) == 0)
		return "a number";
	if (strcmp(n->value, "true") == 0 || strcmp(n->value, "false") == 0)
		return "a boolean";
	return "a string";
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, tmp, best;
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The closest of cands (NULL-terminated) to s, or NULL if none is close. */
const char *
yamlget_closest(const char *s, const char *const *cands)
{
	const char *best = NULL;
	size_t d, bestd = 99, limit;

	limit = strlen(s) <= 4 ? 1 : strlen(s) <= 8 ? 2 : 3;
	for (; *cands != NULL; cands++) {
		d = edit_distance(s, *cands);
		if (d <= limit && d < bestd) {
			bestd = d;
			best = *cands;
		}
	}
	return best;
}

/* --- keys ------------------------------------------------------------ */

static int
ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* A key whose literal value would be a credential. */
static int
secret_key(const char *key)
{
	char low[64];
	size_t i;

	for (i = 0; key[i] != '\0' && i < sizeof(low) - 1; i++)
		low[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] + 32
		                                               : key[i]);
	low[i] = '\0';
	if (ends_with(low, "_env") || ends_with(low, "-env") ||
	    ends_with(low, "_file") || ends_with(low, "-file"))
		return 0;
	return strcmp(low, "key") == 0 || ends_with(low, "_key") ||
	    ends_with(low, "-key") || ends_with(low, "apikey") ||
	    strstr(low, "secret") != NULL || strstr(low, "password") != NULL ||
	    strstr(low, "passwd") != NULL || strstr(low, "token") != NULL ||
	    strstr(low, "connection_string") != NULL;
}

static int
literal(ynode *v)
{
	return v != NULL && v->type == YAMLTREE_SCALAR && !yamlget_is_null(v);
}

struct keyref {
	struct yamltree_node *key; /* the map's own: check_dups marks it */
	size_t index;
};

static int
cmp_keyref(const void *pa, const void *pb)
{
	const struct keyref *a = pa, *b = pb;
	int r = strcmp(a->key->value, b->key->value);

	if (r != 0)
		return r;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Reports keys that are not scalars and keys given twice (an error, not
 * "last wins": the file would mean something other than it says). */
void
yamlget_check_dups(struct ctx *c, ynode *map, const char *path)
{
	struct keyref *refs;
	size_t i, n = 0;
	char *p;

	refs = calloc(map->n / 2 + 1, sizeof(*refs));
	if (refs == NULL) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i + 1 < map->n; i += 2) {
		if (map->items[i]->type != YAMLTREE_SCALAR) {
			ERR_AT(c, map->items[i], path,
			    "keys must be plain strings, not %s",
			    yamlget_describe(map->items[i]));
			continue;
		}
		refs[n].key = map->items[i];
		refs[n].index = i;
		n++;
	}
	qsort(refs, n, sizeof(*refs), cmp_keyref);
	for (i = 1; i < n; i++) {
		if (strcmp(refs[i].key->value, refs[i - 1].key->value) != 0)
			continue;
		refs[i].key->dup = 1;
		p = yamlget_join(c, path, refs[i].key->value);
		ERR_AT(c, refs[i].key, p,
		    "duplicate key '%s' (first at line %d, column %d)",
		    yamlget_show(refs[i].key->value).s, refs[i - 1].key->line,
		    refs[i - 1].key->column);
		free(p);
	}
	free(refs);
}

/* Is the key at index i the first of its name in map?  (Once
 * yamlget_check_dups has marked the others.) */
int
yamlget_first_of_name(ynode *map, size_t i)
{
	return map->items[i]->type == YAMLTREE_SCALAR && !map->items[i]->dup;
}

static void scan_secrets(struct ctx *c, ynode *n, const char *path);

static int
secret_literal(struct ctx *c, ynode *key, ynode *value, const char *path)
{
	if (!secret_key(key->value) || !literal(value))
		return 0;
	ERR_AT(c, value, path,
	    "secrets must not be written inline; use key_env or key_file");
	return 1;
}

/* Secrets hidden under keys we do not know still must not pass. */
static void
scan_secrets(struct ctx *c, ynode *n, const char *path)
{
	size_t i;
	char *p;

	if (n->type != YAMLTREE_MAP && n->type != YAMLTREE_SEQ)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->type == YAMLTREE_MAP && i % 2 == 0) {
			if (n->items[i]->type != YAMLTREE_SCALAR)
				continue;
			p = yamlget_join(c, path, n->items[i]->value);
			if (!secret_literal(c, n->items[i], n->items[i + 1], p))
				scan_secrets(c, n->items[i + 1], p);
			free(p);
			i++;
		} else if (n->type == YAMLTREE_SEQ) {
			scan_secrets(c, n->items[i], path);
		}
	}
}

/* Checks a mapping's keys against allowed (NULL-terminated): unknown keys
 * (with a suggestion), duplicates, inline secrets.  Returns 0 when map is a
 * mapping, -1 (reported) otherwise. */
int
yamlget_check_keys(
    struct ctx *c, ynode *map, const char *path, const char *const *allowed)
{
	const char *const *a;
	const char *hint;
	ynode *k;
	size_t i;
	char *p;

	if (map->type != YAMLTREE_MAP) {
		ERR_AT(c, map, path, "expected a mapping, got %s",
		    yamlget_describe(map));
		return -1;
	}
	yamlget_check_dups(c, map, path);
	for (i = 0; i + 1 < map->n; i += 2) {
		k = map->items[i];
		if (k->type != YAMLTREE_SCALAR)
			continue;
		p = yamlget_join(c, path, k->value);
		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, k->value) == 0)
				break;
		if (*a != NULL) {
			secret_literal(c, k, map->items[i + 1], p);
		} else if (secret_literal(c, k, map->items[i + 1], p)) {
			/* reported; a suggestion would not help */
		} else if (strcmp(k->value, "<<") == 0) {
			ERR_AT(c, k, p,
			    "merge keys (<<) are not supported; "
			    "write the fields out");
		} else {
			hint = yamlget_closest(k->value, allowed);
			if (hint != NULL)
				ERR_AT(c, k, p,
				    "unknown key '%s'; did you mean '%s'?",
				    yamlget_show(k->value).s, hint);
			else
				ERR_AT(c, k, p, "unknown key '%s'",
				    yamlget_show(k->value).s);
			scan_secrets(c, map->items[i + 1], p);
		}
		free(p);
	}
	return 0;
}

/* --- typed getters ---------------------------------------------------- */

/* The value under key, or NULL (missing, or null).  Reports "missing
 * required field" at where when required. */
ynode *
yamlget_field(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required)
{
	ynode *v = yamltree_get(map, key);

	if (yamlget_is_null(v)) {
		if (required)
			ERR_AT(
			    c, where, path, "missing required field '%s'", key);
		return NULL;
	}
	return v;
}

int
yamlget_str(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, char **out, ynode **node)
{
	ynode *v = yamlget_field(c, map, where, path, key, required);
	char *p;

	if (node != NULL)
		*node = NULL;
	if (v == NULL)
		return required ? -1 : 0;
	if (v->type != YAMLTREE_SCALAR) {
		p = yamlget_join(c, path, key);
		ERR_AT(
		    c, v, p, "expected a string, got %s", yamlget_describe(v));
		free(p);
		return -1;
	}
	if (strlen(v->value) != v->len) {
		p = yamlget_join(c, path, key);
		ERR_AT(c, v, p, "strings must not contain NUL characters");
		free(p);
		return -1;
	}
	if (node != NULL)
		*node = v;
	*out = yamlget_dup(c, v->value);
	return *out == NULL ? -1 : 0;
}

int
yamlget_int(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, long long min, long long max, long long *out)
{
	ynode *v = yamlget_field(c, map, where, path, key, required);
	long long ll;
	char *p;
	int rc = -1;

	if (v == NULL)
		return required ? -1 : 0;
	p = yamlget_join(c, path, key);
	if (v->type != YAMLTREE_SCALAR || v->quoted ||
	    parse_ll(v->value, &ll) != 0)
		ERR_AT(c, v, p, "expected an integer, got %s",
		    yamlget_describe(v));
	else if (ll < min || ll > max)
		ERR_AT(c, v, p, "must be between %lld and %lld, got %lld", min,
		    max, ll);
	else {
		*out = ll;
		rc = 0;
	}
	free(p);
	return rc;
}

int
yamlget_bool(
    struct ctx *c, ynode *map, const char *path, const char *key, int *out)
{
	ynode *v = yamlget_field(c, map, NULL, path, key, 0);
	char *p;

	if (v == NULL)
		return 0;
	if (v->type == YAMLTREE_SCALAR && !v->quoted &&
	    (strcmp(v->value, "true") == 0 || strcmp(v->value, "false") == 0)) {
		*out = v->value[0] == 't';
		return 0;
	}
	p = yamlget_join(c, path, key);
	ERR_AT(c, v, p, "expected true or false, got %s", yamlget_describe(v));
	free(p);
	return -1;
}

int
yamlget_duration(struct ctx *c, ynode *map, const char *path, const char *key,
    long long *out)
{
	ynode *v = yamlget_field(c, map, NULL, path, key, 0);
	long long s;
	char *p;

	if (v == NULL)
		return 0;
	p = yamlget_join(c, path, key);
	if (v->type != YAMLTREE_SCALAR ||
	    config_parse_duration(v->value, &s) != 0 || s <= 0) {
		ERR_AT(c, v, p,
		    "expected a positive duration such as 30s, 10m, 2h or 30d");
		free(p);
		return -1;
	}
	*out = s;
	free(p);
	return 0;
}

/* An enum: the index in names (NULL-terminated) of the value, or -1. */
int
yamlget_enum(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, const char *const *names, int *out,
    ynode **node)
{
	ynode *v = yamlget_field(c, map, where, path, key, required);
	const char *hint;
	struct buf b = { .max = 1024 };
	char *p;
	int i;

	if (node != NULL)
		*node = v;
	if (v == NULL)
		return required ? -1 : 0;
	p = yamlget_join(c, path, key);
	if (v->type != YAMLTREE_SCALAR) {
		ERR_AT(
		    c, v, p, "expected a string, got %s", yamlget_describe(v));
		free(p);
		return -1;
	}
	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(names[i], v->value) == 0) {
			*out = i;
			free(p);
			return 0;
		}
	}
	for (i = 0; names[i] != NULL; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", names[i]);
	hint = yamlget_closest(v->value, names);
	if (hint != NULL)
		ERR_AT(c, v, p, "'%s' is not one of %s; did you mean '%s'?",
		    yamlget_show(v->value).s, buf_str(&b), hint);
	else
		ERR_AT(c, v, p, "'%s' is not one of %s",
		    yamlget_show(v->value).s, buf_str(&b));
	buf_release(&b);
	free(p);
	return -1;
}

/* A list of strings.  *out and *n are left empty on error. */
int
yamlget_str_list(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, char ***out, size_t *n, ynode ***nodes)
{
	ynode *v = yamlget_field(c, map, where, path, key, required);
	char *p, *ip;
	size_t i;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (nodes != NULL)
		*nodes = NULL;
	if (v == NULL)
		return required ? -1 : 0;
	p = yamlget_join(c, path, key);
	if (v->type != YAMLTREE_SEQ) {
		ERR_AT(c, v, p, "expected a list, got %s", yamlget_describe(v));
		free(p);
		return -1;
	}
	if (v->n == 0 && required) {
		ERR_AT(c, v, p, "must list at least one entry");
		free(p);
		return -1;
	}
	for (i = 0; i < v->n; i++) {
		if (v->items[i]->type != YAMLTREE_SCALAR ||
		    yamlget_is_null(v->items[i])) {
			ip = yamlget_join_index(c, p, i);
			ERR_AT(c, v->items[i], ip, "expected a string, got %s",
			    yamlget_describe(v->items[i]));
			free(ip);
			rc = -1;
		}
	}
	if (rc == 0 && v->n > 0) {
		*out = calloc(v->n, sizeof(**out));
		if (*out == NULL) {
			c->nomem = 1;
			rc = -1;
		}
		for (i = 0; rc == 0 && i < v->n; i++) {
			if (((*out)[i] = yamlget_dup(c, v->items[i]->value)) ==
			    NULL)
				rc = -1;
			else
				(*n)++;
		}
		if (rc != 0) {
			for (i = 0; i < *n; i++)
				free((*out)[i]);
			free(*out);
			*out = NULL;
			*n = 0;
		} else if (nodes != NULL) {
			*nodes = (ynode **)v->items;
		}
	}
	free(p);
	return rc;
}
