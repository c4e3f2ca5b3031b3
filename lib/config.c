/*
 * config.c - standby.yaml into the desired model, validated strictly.
 *
 * Validation never stops at the first problem: each check reports into a
 * diagnostic list and parsing goes on with what is usable, so one run shows
 * every mistake.  Cross-references (sources, replicas, routes, accounts,
 * names claimed twice on one resource) are checked in a second pass, once
 * every object is known.  Values that could be secrets are never copied
 * into a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "config.h"
#include "sha256.h"
#include "yamltree.h"

#define MAX_CONFIG_BYTES (4u << 20)
#define MAX_ASSETS_BYTES (64u << 20)

typedef const struct yamltree_node ynode;

struct ctx {
	const char *file;
	struct diag_list *diags;
	struct config *cfg;
	int nomem;
};

/* --- messages ------------------------------------------------------ */

static void report(struct ctx *c, int line, int column, const char *path,
    enum diag_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
report(struct ctx *c, int line, int column, const char *path,
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

#define ERR_AT(c, n, path, ...)                                                \
	report((c), (n)->line, (n)->column, (path), DIAG_ERROR, __VA_ARGS__)
#define WARN_AT(c, n, path, ...)                                               \
	report((c), (n)->line, (n)->column, (path), DIAG_WARNING, __VA_ARGS__)

/* A user string cut to fit a message, at a UTF-8 character boundary. */
struct shown {
	char s[72];
};

static struct shown
show(const char *v)
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

static char *
join(struct ctx *c, const char *parent, const char *key)
{
	struct buf b = { .max = 4096 };
	char *s;

	if (parent != NULL && parent[0] != '\0') {
		buf_addstr(&b, parent);
		buf_addch(&b, '.');
	}
	buf_addstr(&b, show(key).s);
	if (b.failed || (s = buf_take(&b)) == NULL) {
		buf_release(&b);
		c->nomem = 1;
		return NULL;
	}
	return s;
}

static char *
join_index(struct ctx *c, const char *parent, size_t i)
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

static char *
dup_str(struct ctx *c, const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		c->nomem = 1;
	return d;
}

/* --- scalars --------------------------------------------------------- */

static int
is_null(ynode *n)
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

static const char *
describe(ynode *n)
{
	long long ll;

	if (n->type == YAMLTREE_MAP)
		return "a mapping";
	if (n->type == YAMLTREE_SEQ)
		return "a list";
	if (is_null(n))
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
static const char *
closest(const char *s, const char *const *cands)
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
	return v != NULL && v->type == YAMLTREE_SCALAR && !is_null(v);
}

struct keyref {
	ynode *key;
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
static void
check_dups(struct ctx *c, ynode *map, const char *path)
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
			    describe(map->items[i]));
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
		p = join(c, path, refs[i].key->value);
		ERR_AT(c, refs[i].key, p,
		    "duplicate key '%s' (first at line %d, column %d)",
		    show(refs[i].key->value).s, refs[i - 1].key->line,
		    refs[i - 1].key->column);
		free(p);
	}
	free(refs);
}

/* Is the key at index i the first of its name in map? */
static int
first_of_name(ynode *map, size_t i)
{
	size_t j;

	if (map->items[i]->type != YAMLTREE_SCALAR)
		return 0;
	for (j = 0; j < i; j += 2)
		if (map->items[j]->type == YAMLTREE_SCALAR &&
		    strcmp(map->items[j]->value, map->items[i]->value) == 0)
			return 0;
	return 1;
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
			p = join(c, path, n->items[i]->value);
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
static int
check_keys(
    struct ctx *c, ynode *map, const char *path, const char *const *allowed)
{
	const char *const *a;
	const char *hint;
	ynode *k;
	size_t i;
	char *p;

	if (map->type != YAMLTREE_MAP) {
		ERR_AT(
		    c, map, path, "expected a mapping, got %s", describe(map));
		return -1;
	}
	check_dups(c, map, path);
	for (i = 0; i + 1 < map->n; i += 2) {
		k = map->items[i];
		if (k->type != YAMLTREE_SCALAR)
			continue;
		p = join(c, path, k->value);
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
			hint = closest(k->value, allowed);
			if (hint != NULL)
				ERR_AT(c, k, p,
				    "unknown key '%s'; did you mean '%s'?",
				    show(k->value).s, hint);
			else
				ERR_AT(c, k, p, "unknown key '%s'",
				    show(k->value).s);
			scan_secrets(c, map->items[i + 1], p);
		}
		free(p);
	}
	return 0;
}

/* --- typed getters ---------------------------------------------------- */

/* The value under key, or NULL (missing, or null).  Reports "missing
 * required field" at where when required. */
static ynode *
field(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required)
{
	ynode *v = yamltree_get(map, key);

	if (is_null(v)) {
		if (required)
			ERR_AT(
			    c, where, path, "missing required field '%s'", key);
		return NULL;
	}
	return v;
}

static int
get_str(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, char **out, ynode **node)
{
	ynode *v = field(c, map, where, path, key, required);
	char *p;

	if (node != NULL)
		*node = NULL;
	if (v == NULL)
		return required ? -1 : 0;
	if (v->type != YAMLTREE_SCALAR) {
		p = join(c, path, key);
		ERR_AT(c, v, p, "expected a string, got %s", describe(v));
		free(p);
		return -1;
	}
	if (strlen(v->value) != v->len) {
		p = join(c, path, key);
		ERR_AT(c, v, p, "strings must not contain NUL characters");
		free(p);
		return -1;
	}
	if (node != NULL)
		*node = v;
	*out = dup_str(c, v->value);
	return *out == NULL ? -1 : 0;
}

static int
get_int(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, long long min, long long max, long long *out)
{
	ynode *v = field(c, map, where, path, key, required);
	long long ll;
	char *p;
	int rc = -1;

	if (v == NULL)
		return required ? -1 : 0;
	p = join(c, path, key);
	if (v->type != YAMLTREE_SCALAR || v->quoted ||
	    parse_ll(v->value, &ll) != 0)
		ERR_AT(c, v, p, "expected an integer, got %s", describe(v));
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

static int
get_bool(struct ctx *c, ynode *map, const char *path, const char *key, int *out)
{
	ynode *v = field(c, map, NULL, path, key, 0);
	char *p;

	if (v == NULL)
		return 0;
	if (v->type == YAMLTREE_SCALAR && !v->quoted &&
	    (strcmp(v->value, "true") == 0 || strcmp(v->value, "false") == 0)) {
		*out = v->value[0] == 't';
		return 0;
	}
	p = join(c, path, key);
	ERR_AT(c, v, p, "expected true or false, got %s", describe(v));
	free(p);
	return -1;
}

static int
get_duration(struct ctx *c, ynode *map, const char *path, const char *key,
    long long *out)
{
	ynode *v = field(c, map, NULL, path, key, 0);
	long long s;
	char *p;

	if (v == NULL)
		return 0;
	p = join(c, path, key);
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
static int
get_enum(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, const char *const *names, int *out,
    ynode **node)
{
	ynode *v = field(c, map, where, path, key, required);
	const char *hint;
	struct buf b = { .max = 1024 };
	char *p;
	int i;

	if (node != NULL)
		*node = v;
	if (v == NULL)
		return required ? -1 : 0;
	p = join(c, path, key);
	if (v->type != YAMLTREE_SCALAR) {
		ERR_AT(c, v, p, "expected a string, got %s", describe(v));
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
	hint = closest(v->value, names);
	if (hint != NULL)
		ERR_AT(c, v, p, "'%s' is not one of %s; did you mean '%s'?",
		    show(v->value).s, buf_str(&b), hint);
	else
		ERR_AT(c, v, p, "'%s' is not one of %s", show(v->value).s,
		    buf_str(&b));
	buf_release(&b);
	free(p);
	return -1;
}

/* A list of strings.  *out and *n are left empty on error. */
static int
get_str_list(struct ctx *c, ynode *map, ynode *where, const char *path,
    const char *key, int required, char ***out, size_t *n, ynode ***nodes)
{
	ynode *v = field(c, map, where, path, key, required);
	char *p, *ip;
	size_t i;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (nodes != NULL)
		*nodes = NULL;
	if (v == NULL)
		return required ? -1 : 0;
	p = join(c, path, key);
	if (v->type != YAMLTREE_SEQ) {
		ERR_AT(c, v, p, "expected a list, got %s", describe(v));
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
		    is_null(v->items[i])) {
			ip = join_index(c, p, i);
			ERR_AT(c, v->items[i], ip, "expected a string, got %s",
			    describe(v->items[i]));
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
			if (((*out)[i] = dup_str(c, v->items[i]->value)) ==
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

/* --- names and values ------------------------------------------------ */

static int
name_chars(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		        s[i] == '.' || s[i] == '-'))
			return 0;
	}
	return i >= 1 && i <= max;
}

int
config_valid_name(const char *s)
{
	return name_chars(s, 50);
}

int
config_valid_account_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && n <= 64 && name_chars(s, 64) && s[0] != '_' &&
	    s[0] != '.' && s[0] != '-';
}

int
config_parse_duration(const char *s, long long *seconds)
{
	long long v = 0, mult = 1;
	size_t i = 0;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > 100000000LL)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	switch (s[i]) {
	case '\0':
		i--; /* a bare number: seconds */
		break;
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -1;
	}
	if (s[i + 1] != '\0')
		return -1;
	*seconds = v * mult;
	return 0;
}

static void
check_name(
    struct ctx *c, ynode *at, const char *path, const char *what, const char *s)
{
	if (strlen(s) > 50)
		ERR_AT(c, at, path,
		    "%s '%s' is longer than 50 characters (%zu)", what,
		    show(s).s, strlen(s));
	else if (!config_valid_name(s))
		ERR_AT(c, at, path,
		    "%s '%s' may hold only letters, digits, '_', '.' and '-'",
		    what, show(s).s);
}

/* Blob container names: 3-63 of a-z, 0-9, '-', starting with a letter or
 * digit, no "--". */
static int
valid_container(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 3 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
		if (s[i] == '-' && s[i + 1] == '-')
			return 0;
	}
	return 1;
}

static int
valid_env_name(const char *s)
{
	size_t i;

	if (s[0] == '\0' || (s[0] >= '0' && s[0] <= '9') || strlen(s) > 128)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int
valid_region(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return i >= 2 && i <= 40;
}

/* https://host[:port][/], or http:// on loopback (the emulator).  The URL
 * is never echoed: it could carry credentials. */
static void
check_url(struct ctx *c, ynode *at, const char *path, char *url)
{
	const char *host, *end;
	size_t n;

	if (strncmp(url, "https://", 8) == 0) {
		host = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		host = url + 7;
		if (strncmp(host, "127.0.0.1", 9) != 0 &&
		    strncmp(host, "localhost", 9) != 0 &&
		    strncmp(host, "[::1]", 5) != 0) {
			ERR_AT(c, at, path,
			    "must use https:// (http:// is "
			    "allowed only on loopback)");
			return;
		}
	} else {
		ERR_AT(c, at, path, "must be an https:// URL");
		return;
	}
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)) != NULL) {
		ERR_AT(c, at, path, "must not hold credentials; use auth");
		return;
	}
	if (end == host || host[0] == ':') {
		ERR_AT(c, at, path, "has no host");
		return;
	}
	if (*end == '?' || *end == '#' || (*end == '/' && end[1] != '\0')) {
		ERR_AT(c, at, path,
		    "must be the bare endpoint: no path, query or fragment");
		return;
	}
	n = strlen(url);
	if (n > 0 && url[n - 1] == '/')
		url[n - 1] = '\0';
}

/* Resolves p against dir unless it is absolute. */
static char *
resolve(struct ctx *c, const char *p)
{
	struct buf b = { .max = 8192 };
	char *s;

	if (p[0] == '/' || strcmp(c->cfg->dir, ".") == 0)
		return dup_str(c, p);
	buf_addf(&b, "%s/%s", c->cfg->dir, p);
	if (b.failed || (s = buf_take(&b)) == NULL) {
		buf_release(&b);
		c->nomem = 1;
		return NULL;
	}
	return s;
}

static int
check_file(struct ctx *c, ynode *at, const char *path, const char *what,
    const char *resolved)
{
	struct stat st;

	if (stat(resolved, &st) != 0) {
		ERR_AT(c, at, path, "cannot read %s '%s': %s", what,
		    show(at->value).s, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		ERR_AT(c, at, path, "%s '%s' is not a regular file", what,
		    show(at->value).s);
		return -1;
	}
	return 0;
}

/* --- auth ------------------------------------------------------------ */

static const char *const auth_keys[] = { "key_env", "key_file", "entra",
	"tenant_id", "client_id", "client_secret_env", NULL };
static const char *const entra_names[] = { "client-credentials",
	"managed-identity", "azure-cli", NULL };

static void
parse_auth(struct ctx *c, ynode *rmap, ynode *rkey, const char *rpath,
    struct config_resource *r)
{
	struct config_auth *a = &r->auth;
	ynode *map, *v, *kv;
	char *path;
	int n = 0, e;

	map = field(c, rmap, rkey, rpath, "auth", 1);
	if (map == NULL)
		return;
	if ((path = join(c, rpath, "auth")) == NULL)
		return;
	a->pos.line = map->line;
	a->pos.column = map->column;
	if (check_keys(c, map, path, auth_keys) != 0)
		goto out;
	n = (yamltree_get(map, "key_env") != NULL) +
	    (yamltree_get(map, "key_file") != NULL) +
	    (yamltree_get(map, "entra") != NULL);
	if (n != 1) {
		ERR_AT(c, map, path, "%s",
		    n == 0 ? "needs one of key_env, key_file or entra"
		           : "give only one of key_env, key_file and entra");
		goto out;
	}
	if (get_str(c, map, NULL, path, "key_env", 0, &a->key_env, &kv) == 0 &&
	    a->key_env != NULL) {
		a->method = CONFIG_AUTH_KEY_ENV;
		if (!valid_env_name(a->key_env)) {
			char *p = join(c, path, "key_env");
			/* It may be the key itself: do not echo it. */
			ERR_AT(c, kv, p,
			    "must be the name of an environment "
			    "variable (letters, digits, '_'), "
			    "not the key itself");
			free(p);
		}
	}
	if (get_str(c, map, NULL, path, "key_file", 0, &a->key_file, NULL) ==
	        0 &&
	    a->key_file != NULL) {
		a->method = CONFIG_AUTH_KEY_FILE;
		a->key_file_path = resolve(c, a->key_file);
	}
	if (get_enum(c, map, NULL, path, "entra", 0, entra_names, &e, &v) ==
	        0 &&
	    v != NULL)
		a->method = (enum config_auth_method)(
		    CONFIG_AUTH_CLIENT_CREDENTIALS + e);
	get_str(c, map, NULL, path, "tenant_id", 0, &a->tenant_id, NULL);
	get_str(c, map, NULL, path, "client_id", 0, &a->client_id, NULL);
	get_str(c, map, NULL, path, "client_secret_env", 0,
	    &a->client_secret_env, &kv);
	if (a->client_secret_env != NULL &&
	    !valid_env_name(a->client_secret_env)) {
		char *p = join(c, path, "client_secret_env");

		ERR_AT(c, kv, p,
		    "must be the name of an environment variable "
		    "(letters, digits, '_'), not the secret "
		    "itself");
		free(p);
	}
	if (a->method == CONFIG_AUTH_CLIENT_CREDENTIALS) {
		if (a->tenant_id == NULL)
			ERR_AT(c, map, path,
			    "entra: client-credentials needs "
			    "tenant_id");
		if (a->client_id == NULL)
			ERR_AT(c, map, path,
			    "entra: client-credentials needs "
			    "client_id");
		if (a->client_secret_env == NULL)
			ERR_AT(c, map, path,
			    "entra: client-credentials needs "
			    "client_secret_env");
	} else if (a->client_secret_env != NULL ||
	    (a->tenant_id != NULL && a->method != CONFIG_AUTH_AZURE_CLI) ||
	    (a->client_id != NULL &&
	        a->method != CONFIG_AUTH_MANAGED_IDENTITY)) {
		ERR_AT(c, map, path,
		    "tenant_id, client_id and client_secret_env belong with "
		    "entra: client-credentials (client_id also with "
		    "managed-identity, tenant_id with azure-cli)");
	}
	if (r->type == CONFIG_RESOURCE_OPENAI &&
	    (a->method == CONFIG_AUTH_KEY_ENV ||
	        a->method == CONFIG_AUTH_KEY_FILE))
		ERR_AT(c, map, path,
		    "an openai resource needs entra auth: its deployments are "
		    "managed through Azure Resource Manager, which takes no "
		    "keys");
out:
	free(path);
}

/* --- resources ------------------------------------------------------- */

static const char *const resource_keys[] = { "type", "region", "endpoint", "id",
	"api_version", "auth", NULL };
static const char *const type_names[] = { "language", "openai", NULL };

/* /subscriptions/S/resourceGroups/G/providers/Microsoft.CognitiveServices/
 * accounts/A */
static void
parse_arm_id(
    struct ctx *c, ynode *at, const char *path, struct config_resource *r)
{
	static const char *const fixed[] = { "subscriptions", NULL,
		"resourceGroups", NULL, "providers",
		"Microsoft.CognitiveServices", "accounts", NULL };
	char *copy, *seg, *save = NULL, *parts[8];
	size_t n = 0, i;
	int ok = 1;

	if ((copy = dup_str(c, r->id)) == NULL)
		return;
	if (copy[0] != '/')
		ok = 0;
	for (seg = strtok_r(copy, "/", &save); ok && seg != NULL;
	     seg = strtok_r(NULL, "/", &save)) {
		if (n == 8) {
			ok = 0;
			break;
		}
		parts[n++] = seg;
	}
	for (i = 0; ok && i < n; i++)
		if (fixed[i] != NULL && strcasecmp(parts[i], fixed[i]) != 0)
			ok = 0;
	if (!ok || n != 8) {
		ERR_AT(c, at, path,
		    "expected an ARM id /subscriptions/<id>/resourceGroups/"
		    "<group>/providers/Microsoft.CognitiveServices/accounts/"
		    "<name>");
		free(copy);
		return;
	}
	r->subscription = dup_str(c, parts[1]);
	r->resource_group = dup_str(c, parts[3]);
	r->account = dup_str(c, parts[7]);
	if (r->account != NULL && !config_valid_account_name(r->account))
		ERR_AT(c, at, path,
		    "account name '%s' must be 2-64 characters, start with a "
		    "letter or digit, and hold only letters, digits, '_', "
		    "'.' and '-'",
		    show(r->account).s);
	free(copy);
}

static void
parse_resource(struct ctx *c, ynode *key, ynode *map, const char *path,
    struct config_resource *r)
{
	ynode *v;
	int t;

	r->pos.line = key->line;
	r->pos.column = key->column;
	if ((r->name = dup_str(c, key->value)) == NULL)
		return;
	if (!name_chars(r->name, 64))
		ERR_AT(c, key, path,
		    "resource name '%s' must be 1-64 letters, "
		    "digits, '_', '.' or '-'",
		    show(r->name).s);
	if (check_keys(c, map, path, resource_keys) != 0)
		return;
	if (get_enum(c, map, key, path, "type", 1, type_names, &t, NULL) == 0)
		r->type = (enum config_resource_type)(t + 1);
	if (get_str(c, map, key, path, "region", 1, &r->region, &v) == 0 &&
	    !valid_region(r->region)) {
		char *p = join(c, path, "region");
		ERR_AT(c, v, p,
		    "region '%s' should be an Azure region name "
		    "such as eastus or westeurope",
		    show(r->region).s);
		free(p);
	}
	if (get_str(c, map, key, path, "endpoint",
	        r->type == CONFIG_RESOURCE_LANGUAGE, &r->endpoint, &v) == 0 &&
	    r->endpoint != NULL) {
		char *p = join(c, path, "endpoint");
		check_url(c, v, p, r->endpoint);
		free(p);
	}
	if (get_str(c, map, key, path, "id", r->type == CONFIG_RESOURCE_OPENAI,
	        &r->id, &v) == 0 &&
	    r->id != NULL) {
		char *p = join(c, path, "id");
		parse_arm_id(c, v, p, r);
		free(p);
	}
	get_str(c, map, key, path, "api_version", 0, &r->api_version, NULL);
	parse_auth(c, map, key, path, r);
}

/* --- projects -------------------------------------------------------- */

static const char *const project_keys[] = { "name", "kind", "source", "assets",
	"replicas", "model", "deployments", "storage_container", "routes",
	"protect", NULL };
static const char *const kind_names[] = { "conversation", "orchestration",
	"text-classification", "text-multi-classification", "text-ner", NULL };
static const char *const model_keys[] = { "label", "mode",
	"training_config_version", "evaluation", NULL };
static const char *const mode_names[] = { "standard", "advanced", NULL };
static const char *const eval_keys[] = { "kind", "training_split",
	"testing_split", NULL };
static const char *const eval_names[] = { "percentage", "manual", NULL };

static void
parse_model(struct ctx *c, ynode *pmap, ynode *pkey, const char *ppath,
    struct config_project *pr)
{
	struct config_model *m = &pr->model;
	ynode *map, *ev, *v;
	char *path, *epath = NULL;
	long long tr = 0, te = 0;
	int i;

	if ((map = field(c, pmap, pkey, ppath, "model", 0)) == NULL)
		return;
	if ((path = join(c, ppath, "model")) == NULL)
		return;
	m->pos.line = map->line;
	m->pos.column = map->column;
	if (check_keys(c, map, path, model_keys) != 0)
		goto out;
	if (get_str(c, map, pkey, path, "label", 1, &m->label, &v) == 0) {
		char *p = join(c, path, "label");
		check_name(c, v, p, "model label", m->label);
		free(p);
	}
	if (get_enum(c, map, NULL, path, "mode", 0, mode_names, &i, &v) == 0 &&
	    v != NULL) {
		m->mode = (enum config_training_mode)(i + 1);
		if (config_kind_is_text(pr->kind)) {
			char *p = join(c, path, "mode");
			ERR_AT(c, v, p, "text projects have no training mode");
			free(p);
		}
	}
	if (m->mode == CONFIG_TRAINING_UNSET && !config_kind_is_text(pr->kind))
		m->mode = CONFIG_TRAINING_STANDARD;
	get_str(c, map, NULL, path, "training_config_version", 0,
	    &m->config_version, NULL);
	if (m->config_version == NULL)
		m->config_version = dup_str(c, "latest");
	if ((ev = field(c, map, NULL, path, "evaluation", 0)) == NULL)
		goto out;
	if ((epath = join(c, path, "evaluation")) == NULL ||
	    check_keys(c, ev, epath, eval_keys) != 0)
		goto out;
	if (get_enum(c, ev, NULL, epath, "kind", 0, eval_names, &i, &v) == 0 &&
	    v != NULL)
		m->eval_kind = (enum config_eval_kind)(i + 1);
	get_int(c, ev, NULL, epath, "training_split", 0, 1, 99, &tr);
	get_int(c, ev, NULL, epath, "testing_split", 0, 1, 99, &te);
	if (tr != 0 || te != 0) {
		if (m->eval_kind == CONFIG_EVAL_MANUAL) {
			ERR_AT(c, ev, epath,
			    "splits apply only to kind "
			    "percentage; manual uses each "
			    "item's dataset");
		} else if (tr + te != 100) {
			ERR_AT(c, ev, epath,
			    "training_split and testing_split must add up to "
			    "100, got %lld + %lld",
			    tr, te);
		} else {
			m->eval_kind = CONFIG_EVAL_PERCENTAGE;
			m->training_split = (int)tr;
			m->testing_split = (int)te;
		}
	}
out:
	free(epath);
	free(path);
}

static void
parse_deployments(
    struct ctx *c, ynode *pmap, const char *ppath, struct config_project *pr)
{
	ynode *map, *k, *v;
	char *path, *p;
	size_t i;

	if ((map = field(c, pmap, NULL, ppath, "deployments", 0)) == NULL)
		return;
	if ((path = join(c, ppath, "deployments")) == NULL)
		return;
	if (map->type != YAMLTREE_MAP) {
		ERR_AT(c, map, path,
		    "expected a mapping of deployment name to model label, got "
		    "%s",
		    describe(map));
		goto out;
	}
	check_dups(c, map, path);
	pr->deployments = calloc(map->n / 2 + 1, sizeof(*pr->deployments));
	if (pr->deployments == NULL) {
		c->nomem = 1;
		goto out;
	}
	for (i = 0; i + 1 < map->n; i += 2) {
		k = map->items[i];
		v = map->items[i + 1];
		if (!first_of_name(map, i))
			continue;
		if ((p = join(c, path, k->value)) == NULL)
			break;
		check_name(c, k, p, "deployment name", k->value);
		if (v->type != YAMLTREE_SCALAR || is_null(v)) {
			ERR_AT(c, v, p, "expected a model label, got %s",
			    describe(v));
		} else {
			struct config_deployment *d =
			    &pr->deployments[pr->ndeployments++];

			d->name = dup_str(c, k->value);
			d->model = dup_str(c, v->value);
			d->pos.line = k->line;
			d->pos.column = k->column;
			if (d->model != NULL) {
				check_name(c, v, p, "model label", d->model);
				if (pr->model.label != NULL &&
				    strcmp(pr->model.label, d->model) != 0)
					ERR_AT(c, v, p,
					    "deployment serves model '%s' but "
					    "the project's model is '%s'",
					    show(d->model).s,
					    show(pr->model.label).s);
			}
		}
		free(p);
	}
out:
	free(path);
}

/* The assets file must be an exported project of the declared kind. */
static void
check_assets(
    struct ctx *c, ynode *at, const char *path, struct config_project *pr)
{
	struct buf b = { .max = MAX_ASSETS_BYTES };
	cJSON *doc = NULL;
	const cJSON *assets, *kind, *intents, *it;
	char chunk[8192];
	size_t n;
	FILE *fp;

	if (check_file(c, at, path, "assets file", pr->assets_path) != 0)
		return;
	if ((fp = fopen(pr->assets_path, "rb")) == NULL) {
		ERR_AT(c, at, path, "cannot read assets file '%s': %s",
		    show(pr->assets).s, strerror(errno));
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	if (b.failed) {
		ERR_AT(c, at, path, "assets file '%s' is too large",
		    show(pr->assets).s);
		goto out;
	}
	doc = cJSON_ParseWithLength(buf_str(&b), b.len);
	if (doc == NULL || !cJSON_IsObject(doc)) {
		ERR_AT(c, at, path,
		    "assets file '%s' is not a JSON object (an exported "
		    "project)",
		    show(pr->assets).s);
		goto out;
	}
	assets = cJSON_GetObjectItemCaseSensitive(doc, "assets");
	kind = cJSON_GetObjectItemCaseSensitive(assets, "projectKind");
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "metadata")))
		ERR_AT(c, at, path, "assets file '%s' has no metadata object",
		    show(pr->assets).s);
	if (cJSON_IsString(kind) && pr->kind != 0 &&
	    strcasecmp(kind->valuestring, config_kind_azure(pr->kind)) != 0)
		ERR_AT(c, at, path,
		    "assets file '%s' holds a %s project, but kind is %s",
		    show(pr->assets).s, show(kind->valuestring).s,
		    config_kind_name(pr->kind));
	if (pr->kind != CONFIG_KIND_ORCHESTRATION || pr->nroutes > 0)
		goto out;
	/* Without routes:, the targets come from the assets' intents. */
	intents = cJSON_GetObjectItemCaseSensitive(assets, "intents");
	cJSON_ArrayForEach(it, intents)
	{
		const cJSON *o, *co, *pn;
		char **nr;

		o = cJSON_GetObjectItemCaseSensitive(it, "orchestration");
		co = cJSON_GetObjectItemCaseSensitive(
		    o, "conversationOrchestration");
		pn = cJSON_GetObjectItemCaseSensitive(co, "projectName");
		if (!cJSON_IsString(pn) || pr->nroutes >= 500)
			continue;
		nr = realloc(pr->routes, (pr->nroutes + 1) * sizeof(*nr));
		if (nr == NULL) {
			c->nomem = 1;
			break;
		}
		pr->routes = nr;
		if ((nr[pr->nroutes] = dup_str(c, pn->valuestring)) == NULL)
			break;
		pr->nroutes++;
	}
out:
	cJSON_Delete(doc);
	buf_release(&b);
}

static void
parse_project(struct ctx *c, ynode *key, ynode *map, const char *path,
    struct config_project *pr)
{
	ynode *v, *src, *assets;
	char *p;
	int k;

	pr->pos.line = key->line;
	pr->pos.column = key->column;
	if ((pr->key = dup_str(c, key->value)) == NULL)
		return;
	if (check_keys(c, map, path, project_keys) != 0)
		return;
	if (get_str(c, map, key, path, "name", 0, &pr->name, &v) == 0 &&
	    pr->name != NULL) {
		p = join(c, path, "name");
		check_name(c, v, p, "project name", pr->name);
		free(p);
	} else if (pr->name == NULL) {
		pr->name = dup_str(c, pr->key);
		if (pr->name != NULL)
			check_name(c, key, path, "project name", pr->name);
	}
	if (get_enum(c, map, key, path, "kind", 1, kind_names, &k, NULL) == 0)
		pr->kind = (enum config_project_kind)(k + 1);
	src = field(c, map, NULL, path, "source", 0);
	assets = field(c, map, NULL, path, "assets", 0);
	if (src != NULL && assets != NULL)
		ERR_AT(c, assets, path, "give source or assets, not both");
	else if (src == NULL && assets == NULL)
		ERR_AT(c, key, path,
		    "needs source (a resource to export from) "
		    "or assets (a JSON file in the repository)");
	get_str(c, map, NULL, path, "source", 0, &pr->source, NULL);
	get_str_list(c, map, key, path, "replicas", 1, &pr->replicas,
	    &pr->nreplicas, NULL);
	get_str_list(
	    c, map, NULL, path, "routes", 0, &pr->routes, &pr->nroutes, NULL);
	if ((v = yamltree_get(map, "routes")) != NULL &&
	    pr->kind != CONFIG_KIND_ORCHESTRATION && pr->kind != 0) {
		p = join(c, path, "routes");
		ERR_AT(c, v, p, "only orchestration projects have routes");
		free(p);
	}
	if (get_str(c, map, NULL, path, "assets", 0, &pr->assets, &v) == 0 &&
	    pr->assets != NULL) {
		pr->assets_path = resolve(c, pr->assets);
		p = join(c, path, "assets");
		if (pr->assets_path != NULL && src == NULL)
			check_assets(c, v, p, pr);
		free(p);
	}
	parse_model(c, map, key, path, pr);
	parse_deployments(c, map, path, pr);
	get_str(c, map, NULL, path, "storage_container", 0,
	    &pr->storage_container, &v);
	p = join(c, path, "storage_container");
	if (pr->storage_container != NULL) {
		if (pr->kind != 0 && !config_kind_is_text(pr->kind))
			ERR_AT(c, v, p,
			    "only text projects have a storage "
			    "container");
		else if (!valid_container(pr->storage_container))
			ERR_AT(c, v, p,
			    "container name '%s' must be 3-63 lower-case "
			    "letters, digits and single hyphens",
			    show(pr->storage_container).s);
	} else if (config_kind_is_text(pr->kind)) {
		ERR_AT(c, key, path,
		    "missing required field "
		    "'storage_container' (text projects read "
		    "their documents from it)");
	}
	free(p);
	get_bool(c, map, path, "protect", &pr->protect);
}

/* --- Azure OpenAI deployments ---------------------------------------- */

static const char *const openai_keys[] = { "name", "model", "fine_tune", "sku",
	"version_upgrade", "rai_policy", "accounts", "protect", NULL };
static const char *const omodel_keys[] = { "name", "version", "format", NULL };
static const char *const sku_keys[] = { "name", "capacity", NULL };
static const char *const sku_names[] = { "Standard", "GlobalStandard",
	"DataZoneStandard", "ProvisionedManaged", "GlobalProvisionedManaged",
	"DataZoneProvisionedManaged", "GlobalBatch", "DataZoneBatch", NULL };
static const char *const upgrade_names[] = { "OnceNewDefaultVersionAvailable",
	"OnceCurrentVersionExpired", "NoAutoUpgrade", NULL };
static const char *const ft_keys[] = { "base_model", "training_file",
	"validation_file", "hyperparameters", "seed", "suffix", NULL };
static const char *const hyper_keys[] = { "n_epochs", "batch_size",
	"learning_rate_multiplier", NULL };

static int
valid_suffix(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		        s[i] == '-'))
			return 0;
	return i >= 1 && i <= 40;
}

static void
parse_finetune(struct ctx *c, ynode *omap, ynode *okey, const char *opath,
    struct config_openai *o)
{
	struct config_finetune *ft;
	ynode *map, *hp, *v;
	char *path, *hpath = NULL, *p;
	long long ll;

	if ((map = field(c, omap, okey, opath, "fine_tune", 0)) == NULL)
		return;
	if ((path = join(c, opath, "fine_tune")) == NULL)
		return;
	if (check_keys(c, map, path, ft_keys) != 0)
		goto out;
	if ((ft = o->fine_tune = calloc(1, sizeof(*ft))) == NULL) {
		c->nomem = 1;
		goto out;
	}
	ft->pos.line = map->line;
	ft->pos.column = map->column;
	get_str(c, map, okey, path, "base_model", 1, &ft->base_model, NULL);
	if (get_str(c, map, okey, path, "training_file", 1, &ft->training_file,
	        &v) == 0) {
		ft->training_path = resolve(c, ft->training_file);
		p = join(c, path, "training_file");
		if (ft->training_path != NULL)
			check_file(c, v, p, "training file", ft->training_path);
		free(p);
	}
	if (get_str(c, map, NULL, path, "validation_file", 0,
	        &ft->validation_file, &v) == 0 &&
	    ft->validation_file != NULL) {
		ft->validation_path = resolve(c, ft->validation_file);
		p = join(c, path, "validation_file");
		if (ft->validation_path != NULL)
			check_file(
			    c, v, p, "validation file", ft->validation_path);
		free(p);
	}
	if (get_int(c, map, NULL, path, "seed", 0, 0, 2147483647LL, &ll) == 0 &&
	    yamltree_get(map, "seed") != NULL &&
	    !is_null(yamltree_get(map, "seed"))) {
		ft->has_seed = 1;
		ft->seed = ll;
	}
	if (get_str(c, map, NULL, path, "suffix", 0, &ft->suffix, &v) == 0 &&
	    ft->suffix != NULL && !valid_suffix(ft->suffix)) {
		p = join(c, path, "suffix");
		ERR_AT(c, v, p,
		    "suffix must be 1-40 of letters, digits, '-' "
		    "and '_'");
		free(p);
	}
	if ((hp = field(c, map, NULL, path, "hyperparameters", 0)) == NULL)
		goto out;
	if ((hpath = join(c, path, "hyperparameters")) == NULL ||
	    check_keys(c, hp, hpath, hyper_keys) != 0)
		goto out;
	if (get_int(c, hp, NULL, hpath, "n_epochs", 0, 1, 50, &ll) == 0 &&
	    yamltree_get(hp, "n_epochs") != NULL)
		ft->n_epochs = (int)ll;
	if (get_int(c, hp, NULL, hpath, "batch_size", 0, 1, 256, &ll) == 0 &&
	    yamltree_get(hp, "batch_size") != NULL)
		ft->batch_size = (int)ll;
	if ((v = field(c, hp, NULL, hpath, "learning_rate_multiplier", 0)) !=
	    NULL) {
		char *end;
		double d = 0;

		p = join(c, hpath, "learning_rate_multiplier");
		if (v->type == YAMLTREE_SCALAR && !v->quoted) {
			errno = 0;
			d = strtod(v->value, &end);
			if (errno != 0 || *end != '\0' || end == v->value)
				d = 0;
		}
		if (!(d > 0 && d <= 10))
			ERR_AT(c, v, p,
			    "expected a number above 0 and at most "
			    "10");
		else
			ft->learning_rate_multiplier = d;
		free(p);
	}
out:
	free(hpath);
	free(path);
}

static void
parse_openai(struct ctx *c, ynode *key, ynode *map, const char *path,
    struct config_openai *o)
{
	ynode *v, *m, *sku;
	char *p, *mpath = NULL, *spath = NULL;
	long long cap;
	int i;

	o->pos.line = key->line;
	o->pos.column = key->column;
	if ((o->key = dup_str(c, key->value)) == NULL)
		return;
	if (check_keys(c, map, path, openai_keys) != 0)
		return;
	if (get_str(c, map, key, path, "name", 0, &o->name, &v) == 0 &&
	    o->name != NULL) {
		p = join(c, path, "name");
		if (!name_chars(o->name, 64))
			ERR_AT(c, v, p,
			    "deployment name '%s' must be 1-64 "
			    "letters, digits, '_', '.' or '-'",
			    show(o->name).s);
		free(p);
	} else if (o->name == NULL) {
		o->name = dup_str(c, o->key);
		if (o->name != NULL && !name_chars(o->name, 64))
			ERR_AT(c, key, path,
			    "deployment name '%s' must be "
			    "1-64 letters, digits, '_', '.' "
			    "or '-'",
			    show(o->name).s);
	}
	m = field(c, map, NULL, path, "model", 0);
	if (m != NULL && yamltree_get(map, "fine_tune") != NULL)
		ERR_AT(c, m, path, "give model or fine_tune, not both");
	else if (m == NULL && field(c, map, NULL, path, "fine_tune", 0) == NULL)
		ERR_AT(c, key, path, "needs model (a base model) or fine_tune");
	if (m != NULL && (mpath = join(c, path, "model")) != NULL &&
	    check_keys(c, m, mpath, omodel_keys) == 0) {
		get_str(c, m, key, mpath, "name", 1, &o->model_name, NULL);
		get_str(
		    c, m, NULL, mpath, "version", 0, &o->model_version, NULL);
		get_str(c, m, NULL, mpath, "format", 0, &o->model_format, NULL);
	}
	parse_finetune(c, map, key, path, o);
	if (o->fine_tune != NULL && o->model_version == NULL)
		o->model_version = dup_str(c, "1");
	if (o->model_format == NULL)
		o->model_format = dup_str(c, "OpenAI");
	sku = field(c, map, key, path, "sku", 1);
	if (sku != NULL && (spath = join(c, path, "sku")) != NULL &&
	    check_keys(c, sku, spath, sku_keys) == 0) {
		/* Docs send "standard": compare without case, keep ours. */
		v = field(c, sku, key, spath, "name", 1);
		if (v != NULL && v->type == YAMLTREE_SCALAR) {
			for (i = 0; sku_names[i] != NULL; i++)
				if (strcasecmp(sku_names[i], v->value) == 0)
					o->sku_name = dup_str(c, sku_names[i]);
		}
		if (v != NULL && o->sku_name == NULL)
			get_enum(
			    c, sku, key, spath, "name", 1, sku_names, &i, NULL);
		if (get_int(c, sku, key, spath, "capacity", 1, 1, 1000000,
		        &cap) == 0)
			o->sku_capacity = (int)cap;
	}
	if (get_enum(c, map, NULL, path, "version_upgrade", 0, upgrade_names,
	        &i, &v) == 0 &&
	    v != NULL)
		o->upgrade = (enum config_upgrade)(i + 1);
	get_str(c, map, NULL, path, "rai_policy", 0, &o->rai_policy, NULL);
	get_str_list(c, map, key, path, "accounts", 1, &o->on, &o->non, NULL);
	get_bool(c, map, path, "protect", &o->protect);
	free(spath);
	free(mpath);
}

/* --- settings -------------------------------------------------------- */

static const char *const settings_keys[] = { "state", "parallelism",
	"rate_limits", "timeouts", "expiry_window", "arm_endpoint",
	"authority_host", NULL };
static const char *const rate_keys[] = { "get_per_minute", "post_per_minute",
	NULL };
static const char *const timeout_keys[] = { "connect", "request", "job", NULL };

static void
parse_settings(struct ctx *c, ynode *root)
{
	struct config_settings *s = &c->cfg->settings;
	ynode *map, *sub, *v;
	long long ll;
	char *p;

	s->parallelism = 4;
	s->get_per_minute = 100;
	s->post_per_minute = 10;
	s->connect_timeout_s = 10;
	s->request_timeout_s = 120;
	s->job_timeout_s = 3600;
	s->expiry_window_s = 30 * 86400;
	map = field(c, root, NULL, "", "settings", 0);
	if (map != NULL && check_keys(c, map, "settings", settings_keys) == 0) {
		s->pos.line = map->line;
		s->pos.column = map->column;
		get_str(c, map, NULL, "settings", "state", 0, &s->state, NULL);
		if (get_int(c, map, NULL, "settings", "parallelism", 0, 1, 256,
		        &ll) == 0 &&
		    yamltree_get(map, "parallelism") != NULL)
			s->parallelism = (int)ll;
		sub = field(c, map, NULL, "settings", "rate_limits", 0);
		if (sub != NULL &&
		    check_keys(c, sub, "settings.rate_limits", rate_keys) ==
		        0) {
			if (get_int(c, sub, NULL, "settings.rate_limits",
			        "get_per_minute", 0, 1, 100000, &ll) == 0 &&
			    yamltree_get(sub, "get_per_minute") != NULL)
				s->get_per_minute = (int)ll;
			if (get_int(c, sub, NULL, "settings.rate_limits",
			        "post_per_minute", 0, 1, 100000, &ll) == 0 &&
			    yamltree_get(sub, "post_per_minute") != NULL)
				s->post_per_minute = (int)ll;
		}
		sub = field(c, map, NULL, "settings", "timeouts", 0);
		if (sub != NULL &&
		    check_keys(c, sub, "settings.timeouts", timeout_keys) ==
		        0) {
			get_duration(c, sub, "settings.timeouts", "connect",
			    &s->connect_timeout_s);
			get_duration(c, sub, "settings.timeouts", "request",
			    &s->request_timeout_s);
			get_duration(c, sub, "settings.timeouts", "job",
			    &s->job_timeout_s);
		}
		get_duration(
		    c, map, "settings", "expiry_window", &s->expiry_window_s);
		if (get_str(c, map, NULL, "settings", "arm_endpoint", 0,
		        &s->arm_endpoint, &v) == 0 &&
		    s->arm_endpoint != NULL) {
			p = join(c, "settings", "arm_endpoint");
			check_url(c, v, p, s->arm_endpoint);
			free(p);
		}
		if (get_str(c, map, NULL, "settings", "authority_host", 0,
		        &s->authority_host, &v) == 0 &&
		    s->authority_host != NULL) {
			p = join(c, "settings", "authority_host");
			check_url(c, v, p, s->authority_host);
			free(p);
		}
	}
	if (s->arm_endpoint == NULL)
		s->arm_endpoint = dup_str(c, "https://management.azure.com");
	if (s->authority_host == NULL)
		s->authority_host =
		    dup_str(c, "https://login.microsoftonline.com");
	s->state_path = resolve(c, s->state ? s->state : ".standby/state.db");
}

/* --- references ------------------------------------------------------ */

static const struct config_resource *
find_resource(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nresources; i++)
		if (cfg->resources[i].name != NULL &&
		    strcmp(cfg->resources[i].name, name) == 0)
			return &cfg->resources[i];
	return NULL;
}

static void
undeclared(struct ctx *c, ynode *at, const char *path, const char *name)
{
	const char **names;
	const char *hint;
	size_t i;

	names = calloc(c->cfg->nresources + 1, sizeof(*names));
	if (names == NULL) {
		c->nomem = 1;
		return;
	}
	for (i = 0; i < c->cfg->nresources; i++)
		names[i] =
		    c->cfg->resources[i].name ? c->cfg->resources[i].name : "";
	hint = closest(name, names);
	if (hint != NULL)
		ERR_AT(c, at, path,
		    "resource '%s' is not declared under resources; did you "
		    "mean '%s'?",
		    show(name).s, hint);
	else
		ERR_AT(c, at, path,
		    "resource '%s' is not declared under resources",
		    show(name).s);
	free(names);
}

/* A reference to a resource that must exist and be of type want. */
static void
check_ref(struct ctx *c, ynode *at, const char *path, const char *name,
    enum config_resource_type want, const char *who)
{
	const struct config_resource *r = find_resource(c->cfg, name);

	if (r == NULL)
		undeclared(c, at, path, name);
	else if (r->type != 0 && r->type != want)
		ERR_AT(c, at, path,
		    "%s cannot live on resource '%s': it is %s "
		    "%s resource, not %s %s resource",
		    who, show(name).s,
		    r->type == CONFIG_RESOURCE_OPENAI ? "an" : "a",
		    config_resource_type_name(r->type),
		    want == CONFIG_RESOURCE_OPENAI ? "an" : "a",
		    config_resource_type_name(want));
}

static void
check_project_refs(struct ctx *c, ynode *map, const char *path,
    const struct config_project *pr)
{
	ynode *v, *list;
	char who[128], *p;
	size_t i, j;

	snprintf(who, sizeof(who), "a %s project",
	    pr->kind ? config_kind_name(pr->kind) : "Language");
	if (pr->source != NULL && (v = yamltree_get(map, "source")) != NULL) {
		p = join(c, path, "source");
		check_ref(c, v, p, pr->source, CONFIG_RESOURCE_LANGUAGE, who);
		free(p);
	}
	list = yamltree_get(map, "replicas");
	if (list == NULL || list->type != YAMLTREE_SEQ ||
	    list->n != pr->nreplicas)
		return;
	for (i = 0; i < pr->nreplicas; i++) {
		char *rp = join(c, path, "replicas");

		p = rp ? join_index(c, rp, i) : NULL;
		free(rp);
		v = list->items[i];
		check_ref(
		    c, v, p, pr->replicas[i], CONFIG_RESOURCE_LANGUAGE, who);
		if (pr->source != NULL &&
		    strcmp(pr->source, pr->replicas[i]) == 0)
			ERR_AT(c, v, p,
			    "a replica cannot be its own source "
			    "'%s'",
			    show(pr->source).s);
		for (j = 0; j < i; j++)
			if (strcmp(pr->replicas[j], pr->replicas[i]) == 0)
				ERR_AT(c, v, p, "replica '%s' is listed twice",
				    show(pr->replicas[i]).s);
		free(p);
	}
}

static void
check_openai_refs(
    struct ctx *c, ynode *map, const char *path, const struct config_openai *o)
{
	ynode *list = yamltree_get(map, "accounts");
	char *p, *lp;
	size_t i, j;

	if (list == NULL || list->type != YAMLTREE_SEQ || list->n != o->non)
		return;
	lp = join(c, path, "accounts");
	for (i = 0; lp != NULL && i < o->non; i++) {
		p = join_index(c, lp, i);
		check_ref(c, list->items[i], p, o->on[i],
		    CONFIG_RESOURCE_OPENAI, "an openai deployment");
		for (j = 0; j < i; j++)
			if (strcmp(o->on[j], o->on[i]) == 0)
				ERR_AT(c, list->items[i], p,
				    "account '%s' is listed twice",
				    show(o->on[i]).s);
		free(p);
	}
	free(lp);
}

static void
check_routes(struct ctx *c, ynode *projects)
{
	const struct config_project *pr, *t;
	ynode *pmap, *list, *at;
	size_t i, j, k;
	char *path, *p;

	for (i = 0; i < c->cfg->nprojects; i++) {
		pr = &c->cfg->projects[i];
		if (pr->kind != CONFIG_KIND_ORCHESTRATION || pr->key == NULL)
			continue;
		pmap = yamltree_get(projects, pr->key);
		list = yamltree_get(pmap, "routes");
		if ((path = join(c, "projects", pr->key)) == NULL)
			return;
		for (j = 0; j < pr->nroutes; j++) {
			at = list != NULL && list->type == YAMLTREE_SEQ &&
			        j < list->n
			    ? list->items[j]
			    : yamltree_get(pmap, "assets");
			if (at == NULL)
				at = projects;
			p = join(c, path, "routes");
			t = NULL;
			for (k = 0; k < c->cfg->nprojects; k++)
				if (c->cfg->projects[k].name != NULL &&
				    strcmp(c->cfg->projects[k].name,
				        pr->routes[j]) == 0)
					t = &c->cfg->projects[k];
			if (t == NULL)
				WARN_AT(c, at, p,
				    "orchestration routes to project '%s', "
				    "which is not declared here: it must "
				    "already exist on every replica before "
				    "this project is trained",
				    show(pr->routes[j]).s);
			else if (t == pr)
				ERR_AT(c, at, p,
				    "an orchestration cannot route to itself");
			else if (t->kind != CONFIG_KIND_CONVERSATION)
				ERR_AT(c, at, p,
				    "orchestration can route only to "
				    "conversation projects; '%s' is %s",
				    show(t->name).s, config_kind_name(t->kind));
			free(p);
		}
		free(path);
	}
}

/* Project names are unique per Language resource, deployment names per
 * OpenAI account: two entries claiming one would overwrite each other. */
static void
check_claims(struct ctx *c)
{
	const struct config *cfg = c->cfg;
	const struct config_project *a, *b;
	const struct config_openai *x, *y;
	size_t i, j, k, l;
	char *p;

	for (i = 0; i < cfg->nprojects; i++) {
		a = &cfg->projects[i];
		for (j = 0; j < i; j++) {
			b = &cfg->projects[j];
			if (a->name == NULL || b->name == NULL ||
			    strcmp(a->name, b->name) != 0)
				continue;
			for (k = 0; k <= a->nreplicas; k++) {
				const char *ra = k < a->nreplicas
				    ? a->replicas[k]
				    : a->source;
				int clash = 0;

				if (ra == NULL)
					continue;
				for (l = 0; l <= b->nreplicas; l++) {
					const char *rb = l < b->nreplicas
					    ? b->replicas[l]
					    : b->source;
					if (rb != NULL && strcmp(ra, rb) == 0)
						clash = 1;
				}
				if (!clash)
					continue;
				char *pp = join(c, "projects", a->key);

				report(c, a->pos.line, a->pos.column, pp,
				    DIAG_ERROR,
				    "project name '%s' on resource '%s' is "
				    "already claimed by projects.%s (line %d)",
				    show(a->name).s, show(ra).s, show(b->key).s,
				    b->pos.line);
				free(pp);
				break;
			}
		}
	}
	for (i = 0; i < cfg->nopenai; i++) {
		x = &cfg->openai[i];
		for (j = 0; j < i; j++) {
			y = &cfg->openai[j];
			if (x->name == NULL || y->name == NULL ||
			    strcmp(x->name, y->name) != 0)
				continue;
			for (k = 0; k < x->non; k++)
				for (l = 0; l < y->non; l++)
					if (strcmp(x->on[k], y->on[l]) == 0)
						goto clash;
			continue;
clash:
			p = join(c, "openai", x->key);
			report(c, x->pos.line, x->pos.column, p, DIAG_ERROR,
			    "deployment name '%s' on account '%s' is already "
			    "claimed by openai.%s (line %d)",
			    show(x->name).s, show(x->on[k]).s, show(y->key).s,
			    y->pos.line);
			free(p);
		}
	}
}

/* --- the document ---------------------------------------------------- */

static const char *const top_keys[] = { "version", "resources", "projects",
	"openai", "settings", NULL };

/* A mapping of names to mappings: resources, projects, openai. */
static ynode *
named_map(struct ctx *c, ynode *root, const char *key, int required)
{
	ynode *map = field(c, root, root, "", key, required);

	if (map == NULL)
		return NULL;
	if (map->type != YAMLTREE_MAP) {
		ERR_AT(c, map, key, "expected a mapping of names, got %s",
		    describe(map));
		return NULL;
	}
	check_dups(c, map, key);
	return map;
}

static void
parse_root(struct ctx *c, ynode *root)
{
	struct config *cfg = c->cfg;
	ynode *res, *prj, *oai, *k, *v;
	long long ver;
	size_t i;
	char *p;

	if (root == NULL || (root->type == YAMLTREE_SCALAR && is_null(root))) {
		report(c, 1, 1, "", DIAG_ERROR,
		    "the file is empty; it needs at least version and "
		    "resources");
		return;
	}
	if (check_keys(c, root, "", top_keys) != 0)
		return;
	if (get_int(c, root, root, "", "version", 1, 0, 1000, &ver) == 0) {
		cfg->version = (int)ver;
		if (ver != 1) {
			v = yamltree_get(root, "version");
			ERR_AT(c, v, "version",
			    "unsupported version %lld; this standby reads "
			    "version 1",
			    ver);
		}
	}
	res = named_map(c, root, "resources", 1);
	prj = named_map(c, root, "projects", 0);
	oai = named_map(c, root, "openai", 0);
	if (res != NULL &&
	    (cfg->resources =
	            calloc(res->n / 2 + 1, sizeof(*cfg->resources))) == NULL)
		goto nomem;
	if (prj != NULL &&
	    (cfg->projects = calloc(prj->n / 2 + 1, sizeof(*cfg->projects))) ==
	        NULL)
		goto nomem;
	if (oai != NULL &&
	    (cfg->openai = calloc(oai->n / 2 + 1, sizeof(*cfg->openai))) ==
	        NULL)
		goto nomem;
	for (i = 0; res != NULL && i + 1 < res->n && !c->nomem; i += 2) {
		k = res->items[i];
		if (!first_of_name(res, i) ||
		    (p = join(c, "resources", k->value)) == NULL)
			continue;
		parse_resource(c, k, res->items[i + 1], p,
		    &cfg->resources[cfg->nresources++]);
		free(p);
	}
	for (i = 0; prj != NULL && i + 1 < prj->n && !c->nomem; i += 2) {
		struct config_project *pr;

		k = prj->items[i];
		if (!first_of_name(prj, i) ||
		    (p = join(c, "projects", k->value)) == NULL)
			continue;
		pr = &cfg->projects[cfg->nprojects++];
		parse_project(c, k, prj->items[i + 1], p, pr);
		if (prj->items[i + 1]->type == YAMLTREE_MAP)
			check_project_refs(c, prj->items[i + 1], p, pr);
		free(p);
	}
	for (i = 0; oai != NULL && i + 1 < oai->n && !c->nomem; i += 2) {
		struct config_openai *o;

		k = oai->items[i];
		if (!first_of_name(oai, i) ||
		    (p = join(c, "openai", k->value)) == NULL)
			continue;
		o = &cfg->openai[cfg->nopenai++];
		parse_openai(c, k, oai->items[i + 1], p, o);
		if (oai->items[i + 1]->type == YAMLTREE_MAP)
			check_openai_refs(c, oai->items[i + 1], p, o);
		free(p);
	}
	parse_settings(c, root);
	if (prj != NULL)
		check_routes(c, prj);
	check_claims(c);
	return;
nomem:
	c->nomem = 1;
}

/* --- canonical form and hash ----------------------------------------- */

static void
canon_str(struct buf *b, const char *key, const char *v)
{
	buf_addf(b, "\"%s\":", key);
	if (v == NULL) {
		buf_addstr(b, "null,");
		return;
	}
	buf_addch(b, '"');
	buf_addjson(b, v);
	buf_addstr(b, "\",");
}

static void
canon_list(struct buf *b, const char *key, char **v, size_t n)
{
	size_t i;

	buf_addf(b, "\"%s\":[", key);
	for (i = 0; i < n; i++) {
		buf_addstr(b, i ? ",\"" : "\"");
		buf_addjson(b, v[i]);
		buf_addch(b, '"');
	}
	buf_addstr(b, "],");
}

/* Every field that means something, in a fixed order, no positions and
 * no resolved paths: comments, layout and key order do not change it. */
static void
canonical(const struct config *cfg, struct buf *b)
{
	const struct config_settings *s = &cfg->settings;
	size_t i, j;

	buf_addf(b, "{\"version\":%d,\"resources\":[", cfg->version);
	for (i = 0; i < cfg->nresources; i++) {
		const struct config_resource *r = &cfg->resources[i];

		buf_addstr(b, i ? ",{" : "{");
		canon_str(b, "name", r->name);
		canon_str(b, "type", config_resource_type_name(r->type));
		canon_str(b, "region", r->region);
		canon_str(b, "endpoint", r->endpoint);
		canon_str(b, "id", r->id);
		canon_str(b, "api_version", r->api_version);
		canon_str(b, "auth", config_auth_method_name(r->auth.method));
		canon_str(b, "key_env", r->auth.key_env);
		canon_str(b, "key_file", r->auth.key_file);
		canon_str(b, "tenant_id", r->auth.tenant_id);
		canon_str(b, "client_id", r->auth.client_id);
		canon_str(b, "client_secret_env", r->auth.client_secret_env);
		buf_addstr(b, "\"end\":1}");
	}
	buf_addstr(b, "],\"projects\":[");
	for (i = 0; i < cfg->nprojects; i++) {
		const struct config_project *p = &cfg->projects[i];

		buf_addstr(b, i ? ",{" : "{");
		canon_str(b, "key", p->key);
		canon_str(b, "name", p->name);
		canon_str(b, "kind", config_kind_name(p->kind));
		canon_str(b, "source", p->source);
		canon_str(b, "assets", p->assets);
		canon_list(b, "replicas", p->replicas, p->nreplicas);
		canon_str(b, "label", p->model.label);
		canon_str(b, "mode", config_training_mode_name(p->model.mode));
		canon_str(b, "tcv", p->model.config_version);
		buf_addf(b, "\"eval\":[%d,%d,%d],", (int)p->model.eval_kind,
		    p->model.training_split, p->model.testing_split);
		buf_addstr(b, "\"deployments\":[");
		for (j = 0; j < p->ndeployments; j++) {
			buf_addstr(b, j ? ",{" : "{");
			canon_str(b, "name", p->deployments[j].name);
			canon_str(b, "model", p->deployments[j].model);
			buf_addstr(b, "\"end\":1}");
		}
		buf_addstr(b, "],");
		canon_str(b, "storage_container", p->storage_container);
		canon_list(b, "routes", p->routes, p->nroutes);
		buf_addf(b, "\"protect\":%d}", p->protect);
	}
	buf_addstr(b, "],\"openai\":[");
	for (i = 0; i < cfg->nopenai; i++) {
		const struct config_openai *o = &cfg->openai[i];
		const struct config_finetune *ft = o->fine_tune;

		buf_addstr(b, i ? ",{" : "{");
		canon_str(b, "key", o->key);
		canon_str(b, "name", o->name);
		canon_str(b, "format", o->model_format);
		canon_str(b, "model", o->model_name);
		canon_str(b, "version", o->model_version);
		canon_str(b, "sku", o->sku_name);
		buf_addf(b, "\"capacity\":%d,", o->sku_capacity);
		canon_str(b, "upgrade", config_upgrade_name(o->upgrade));
		canon_str(b, "rai", o->rai_policy);
		canon_list(b, "on", o->on, o->non);
		if (ft != NULL) {
			buf_addstr(b, "\"fine_tune\":{");
			canon_str(b, "base", ft->base_model);
			canon_str(b, "training", ft->training_file);
			canon_str(b, "validation", ft->validation_file);
			canon_str(b, "suffix", ft->suffix);
			buf_addf(b,
			    "\"hp\":[%d,%d,%.17g],\"seed\":", ft->n_epochs,
			    ft->batch_size, ft->learning_rate_multiplier);
			if (ft->has_seed)
				buf_addf(b, "%lld},", ft->seed);
			else
				buf_addstr(b, "null},");
		}
		buf_addf(b, "\"protect\":%d}", o->protect);
	}
	buf_addstr(b, "],\"settings\":{");
	canon_str(b, "state", s->state);
	canon_str(b, "arm", s->arm_endpoint);
	canon_str(b, "authority", s->authority_host);
	buf_addf(b, "\"n\":[%d,%d,%d,%lld,%lld,%lld,%lld]}}", s->parallelism,
	    s->get_per_minute, s->post_per_minute, s->connect_timeout_s,
	    s->request_timeout_s, s->job_timeout_s, s->expiry_window_s);
}

static int
hash_config(struct config *cfg, struct err *err)
{
	struct buf b = { 0 };
	int rc = -1;

	canonical(cfg, &b);
	if (buf_check(&b, err, "hashing the configuration") != 0)
		goto out;
	if (sha256_digest(b.data, b.len, cfg->hash) != 0) {
		err_set(err, ERR_NOMEM, "cannot compute SHA-256");
		goto out;
	}
	sha256_hex(cfg->hash, cfg->hash_hex);
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

/* --- sorting, lookups, names ----------------------------------------- */

static int
cmp_resource(const void *a, const void *b)
{
	return strcmp(((const struct config_resource *)a)->name,
	    ((const struct config_resource *)b)->name);
}

static int
cmp_project(const void *a, const void *b)
{
	return strcmp(((const struct config_project *)a)->key,
	    ((const struct config_project *)b)->key);
}

static int
cmp_openai(const void *a, const void *b)
{
	return strcmp(((const struct config_openai *)a)->key,
	    ((const struct config_openai *)b)->key);
}

static int
cmp_deployment(const void *a, const void *b)
{
	return strcmp(((const struct config_deployment *)a)->name,
	    ((const struct config_deployment *)b)->name);
}

static void
sort_model(struct config *cfg)
{
	size_t i;

	if (cfg->nresources > 1)
		qsort(cfg->resources, cfg->nresources, sizeof(*cfg->resources),
		    cmp_resource);
	if (cfg->nprojects > 1)
		qsort(cfg->projects, cfg->nprojects, sizeof(*cfg->projects),
		    cmp_project);
	if (cfg->nopenai > 1)
		qsort(cfg->openai, cfg->nopenai, sizeof(*cfg->openai),
		    cmp_openai);
	for (i = 0; i < cfg->nprojects; i++)
		if (cfg->projects[i].ndeployments > 1)
			qsort(cfg->projects[i].deployments,
			    cfg->projects[i].ndeployments,
			    sizeof(*cfg->projects[i].deployments),
			    cmp_deployment);
}

const struct config_resource *
config_resource_find(const struct config *cfg, const char *name)
{
	return find_resource(cfg, name);
}

const struct config_project *
config_project_find(const struct config *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->nprojects; i++)
		if (strcmp(cfg->projects[i].key, key) == 0)
			return &cfg->projects[i];
	return NULL;
}

const struct config_openai *
config_openai_find(const struct config *cfg, const char *key)
{
	size_t i;

	for (i = 0; i < cfg->nopenai; i++)
		if (strcmp(cfg->openai[i].key, key) == 0)
			return &cfg->openai[i];
	return NULL;
}

const char *
config_kind_name(enum config_project_kind kind)
{
	if (kind < CONFIG_KIND_CONVERSATION || kind > CONFIG_KIND_TEXT_NER)
		return NULL;
	return kind_names[kind - 1];
}

const char *
config_kind_azure(enum config_project_kind kind)
{
	static const char *const azure[] = { "Conversation", "Orchestration",
		"CustomSingleLabelClassification",
		"CustomMultiLabelClassification", "CustomEntityRecognition" };

	if (kind < CONFIG_KIND_CONVERSATION || kind > CONFIG_KIND_TEXT_NER)
		return NULL;
	return azure[kind - 1];
}

const char *
config_kind_family(enum config_project_kind kind)
{
	if (kind < CONFIG_KIND_CONVERSATION || kind > CONFIG_KIND_TEXT_NER)
		return NULL;
	return config_kind_is_text(kind) ? "analyze-text"
	                                 : "analyze-conversations";
}

int
config_kind_is_text(enum config_project_kind kind)
{
	return kind == CONFIG_KIND_TEXT_CLASSIFICATION ||
	    kind == CONFIG_KIND_TEXT_MULTI_CLASSIFICATION ||
	    kind == CONFIG_KIND_TEXT_NER;
}

const char *
config_resource_type_name(enum config_resource_type type)
{
	if (type == CONFIG_RESOURCE_LANGUAGE)
		return "language";
	if (type == CONFIG_RESOURCE_OPENAI)
		return "openai";
	return NULL;
}

const char *
config_auth_method_name(enum config_auth_method method)
{
	static const char *const names[] = { "key_env", "key_file",
		"client-credentials", "managed-identity", "azure-cli" };

	if (method < CONFIG_AUTH_KEY_ENV || method > CONFIG_AUTH_AZURE_CLI)
		return NULL;
	return names[method - 1];
}

const char *
config_training_mode_name(enum config_training_mode mode)
{
	if (mode == CONFIG_TRAINING_STANDARD)
		return "standard";
	if (mode == CONFIG_TRAINING_ADVANCED)
		return "advanced";
	return NULL;
}

const char *
config_upgrade_name(enum config_upgrade upgrade)
{
	if (upgrade < CONFIG_UPGRADE_ONCE_NEW_DEFAULT ||
	    upgrade > CONFIG_UPGRADE_NO_AUTO)
		return NULL;
	return upgrade_names[upgrade - 1];
}

/* --- life cycle ------------------------------------------------------ */

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
config_free(struct config *cfg)
{
	size_t i, j;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nresources; i++) {
		struct config_resource *r = &cfg->resources[i];

		free(r->name);
		free(r->region);
		free(r->endpoint);
		free(r->id);
		free(r->subscription);
		free(r->resource_group);
		free(r->account);
		free(r->api_version);
		free(r->auth.key_env);
		free(r->auth.key_file);
		free(r->auth.key_file_path);
		free(r->auth.tenant_id);
		free(r->auth.client_id);
		free(r->auth.client_secret_env);
	}
	free(cfg->resources);
	for (i = 0; i < cfg->nprojects; i++) {
		struct config_project *p = &cfg->projects[i];

		free(p->key);
		free(p->name);
		free(p->source);
		free(p->assets);
		free(p->assets_path);
		free_list(p->replicas, p->nreplicas);
		free(p->model.label);
		free(p->model.config_version);
		for (j = 0; j < p->ndeployments; j++) {
			free(p->deployments[j].name);
			free(p->deployments[j].model);
		}
		free(p->deployments);
		free(p->storage_container);
		free_list(p->routes, p->nroutes);
	}
	free(cfg->projects);
	for (i = 0; i < cfg->nopenai; i++) {
		struct config_openai *o = &cfg->openai[i];

		free(o->key);
		free(o->name);
		free(o->model_format);
		free(o->model_name);
		free(o->model_version);
		free(o->sku_name);
		free(o->rai_policy);
		free_list(o->on, o->non);
		if (o->fine_tune != NULL) {
			free(o->fine_tune->base_model);
			free(o->fine_tune->training_file);
			free(o->fine_tune->training_path);
			free(o->fine_tune->validation_file);
			free(o->fine_tune->validation_path);
			free(o->fine_tune->suffix);
			free(o->fine_tune);
		}
	}
	free(cfg->openai);
	free(cfg->settings.state);
	free(cfg->settings.state_path);
	free(cfg->settings.arm_endpoint);
	free(cfg->settings.authority_host);
	free(cfg->path);
	free(cfg->dir);
	free(cfg);
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d;

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	if ((d = malloc((size_t)(slash - path) + 1)) == NULL)
		return NULL;
	memcpy(d, path, (size_t)(slash - path));
	d[slash - path] = '\0';
	return d;
}

int
config_load_buffer(struct config **out, const char *name, const char *data,
    size_t len, struct diag_list *diags, struct err *err)
{
	struct yamltree_limits lim = { .max_bytes = MAX_CONFIG_BYTES };
	struct yamltree_node *root = NULL;
	struct config *cfg = NULL;
	struct ctx c;
	size_t before = diags->nerrors;
	int rc = -1;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.file = name;
	c.diags = diags;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL ||
	    (cfg->path = strdup(name)) == NULL ||
	    (cfg->dir = dir_of(name)) == NULL) {
		err_set(err, ERR_NOMEM, "out of memory loading '%s'", name);
		goto out;
	}
	c.cfg = cfg;
	if (yamltree_parse(&root, name, data, len, &lim, diags, err) != 0)
		goto sort;
	parse_root(&c, root);
	if (c.nomem || diags->nomem) {
		err_set(err, ERR_NOMEM, "out of memory loading '%s'", name);
		goto out;
	}
sort:
	diag_sort(diags);
	if (diags->nerrors > before) {
		err_set(err, ERR_SPEC, "%s: %zu error%s", name,
		    diags->nerrors - before,
		    diags->nerrors - before == 1 ? "" : "s");
		goto out;
	}
	if (err->code == ERR_NOMEM)
		goto out;
	sort_model(cfg);
	if (hash_config(cfg, err) != 0)
		goto out;
	*out = cfg;
	cfg = NULL;
	rc = 0;
out:
	yamltree_free(root);
	config_free(cfg);
	return rc;
}

int
config_load(struct config **out, const char *path, struct diag_list *diags,
    struct err *err)
{
	struct buf b = { .max = MAX_CONFIG_BYTES + 1 };
	char chunk[16384];
	ssize_t n;
	int fd, rc = -1;

	*out = NULL;
	if ((fd = open(path, O_RDONLY)) < 0)
		return err_set(
		    err, ERR_IO, "cannot open '%s': %s", path, strerror(errno));
	/* Read at most one byte past the limit: enough to refuse it. */
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(err, ERR_IO, "cannot read '%s': %s", path,
			    strerror(errno));
			goto out;
		}
		if (b.len + (size_t)n > b.max) {
			buf_add(&b, chunk, b.max - b.len);
			break;
		}
		if (buf_add(&b, chunk, (size_t)n) != 0)
			break;
	}
	if (b.failed) {
		err_set(err, ERR_NOMEM, "out of memory reading '%s'", path);
		goto out;
	}
	rc = config_load_buffer(
	    out, path, b.data ? b.data : "", b.len, diags, err);
out:
	close(fd);
	buf_release(&b);
	return rc;
}
