/*
 * planfile.c - the saved plan: strict checking and canonical writing.
 *
 * The shape lives in one set of tables (struct field) that both the
 * checker and the writer walk, so the key order of the canonical JSON and
 * the keys the checker accepts cannot drift apart.  The checker is as
 * strict as schema/plan.schema.json and a little stricter where a schema
 * cannot say it (ids match their kind, depends_on resolves, no cycles,
 * summary counts match): a plan that passes is safe to render and apply.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planfile.h"

/* The value types a key may hold. */
enum ftype {
	F_STR,    /* non-empty string */
	F_NSTR,   /* string or null */
	F_COUNT,  /* integer >= 0 */
	F_NCOUNT, /* integer >= 0 or null */
	F_BOOL,
	F_TIME,    /* RFC 3339 date-time string */
	F_NTIME,   /* the same, or null */
	F_OBJ,     /* object with the keys of sub */
	F_OBJS,    /* array of objects with the keys of sub */
	F_STRS,    /* array of non-empty strings */
	F_SNAP,    /* null or a flat object of scalars, in its own order */
	F_VERSION, /* format_version */
};

struct fieldset;

struct field {
	const char *key;
	enum ftype type;
	int required;
	const struct fieldset *sub; /* F_OBJ, F_OBJS */
};

struct fieldset {
	const struct field *f;
	size_t n; /* at most 64: check_object() keeps a bit per key */
};

#define FIELDSET(a)                                                            \
	{                                                                      \
		a, sizeof(a) / sizeof(a[0])                                    \
	}

static const struct field config_f[] = {
	{ "path", F_STR, 1, NULL },
	{ "hash", F_STR, 1, NULL },
};
static const struct fieldset config_s = FIELDSET(config_f);

static const struct field state_f[] = {
	{ "revision", F_COUNT, 1, NULL },
	{ "refreshed_at", F_NTIME, 1, NULL },
};
static const struct fieldset state_s = FIELDSET(state_f);

static const struct field options_f[] = {
	{ "prune", F_BOOL, 1, NULL },
	{ "targets", F_STRS, 1, NULL },
	{ "expiry_window_days", F_COUNT, 1, NULL },
	{ "refreshed", F_BOOL, 1, NULL },
};
static const struct fieldset options_s = FIELDSET(options_f);

static const struct field summary_f[] = {
	{ "create", F_COUNT, 1, NULL },
	{ "update", F_COUNT, 1, NULL },
	{ "replace", F_COUNT, 1, NULL },
	{ "delete", F_COUNT, 1, NULL },
	{ "read", F_COUNT, 1, NULL },
	{ "total", F_COUNT, 1, NULL },
};
static const struct fieldset summary_s = FIELDSET(summary_f);

static const struct field warning_f[] = {
	{ "code", F_STR, 1, NULL },
	{ "message", F_STR, 1, NULL },
};
static const struct fieldset warning_s = FIELDSET(warning_f);

static const struct field target_f[] = {
	{ "type", F_STR, 1, NULL },
	{ "resource", F_STR, 1, NULL },
	{ "region", F_STR, 1, NULL },
	{ "project", F_NSTR, 0, NULL },
	{ "project_kind", F_NSTR, 0, NULL },
	{ "deployment", F_NSTR, 0, NULL },
	{ "model", F_NSTR, 0, NULL },
	{ "source", F_NSTR, 0, NULL },
	{ "model_name", F_NSTR, 0, NULL },
	{ "model_version", F_NSTR, 0, NULL },
	{ "sku", F_NSTR, 0, NULL },
	{ "capacity", F_NCOUNT, 0, NULL },
};
static const struct fieldset target_s = FIELDSET(target_f);
_Static_assert(sizeof(target_f) / sizeof(target_f[0]) <= 64,
    "check_object() keeps a bit per key");

static const struct field reason_f[] = {
	{ "code", F_STR, 1, NULL },
	{ "message", F_STR, 1, NULL },
};
static const struct fieldset reason_s = FIELDSET(reason_f);

static const struct field action_f[] = {
	{ "id", F_STR, 1, NULL },
	{ "kind", F_STR, 1, NULL },
	{ "change", F_STR, 1, NULL },
	{ "group", F_STR, 1, NULL },
	{ "target", F_OBJ, 1, &target_s },
	{ "depends_on", F_STRS, 1, NULL },
	{ "reason", F_OBJ, 1, &reason_s },
	{ "before", F_SNAP, 1, NULL },
	{ "after", F_SNAP, 1, NULL },
	{ "destructive", F_BOOL, 1, NULL },
};
static const struct fieldset action_s = FIELDSET(action_f);

static const struct field plan_f[] = {
	{ "format_version", F_VERSION, 1, NULL },
	{ "standby_version", F_STR, 1, NULL },
	{ "config", F_OBJ, 1, &config_s },
	{ "state", F_OBJ, 1, &state_s },
	{ "created_at", F_TIME, 1, NULL },
	{ "options", F_OBJ, 1, &options_s },
	{ "summary", F_OBJ, 1, &summary_s },
	{ "warnings", F_OBJS, 1, &warning_s },
	{ "actions", F_OBJS, 1, &action_s },
};
static const struct fieldset plan_s = FIELDSET(plan_f);

static const char *const kinds[] = {
	"export",
	"import",
	"train",
	"deploy",
	"delete_deployment",
	"delete_model",
	"delete_project",
	"openai_create",
	"openai_update",
	"openai_delete",
	"finetune",
	NULL,
};

/* Indexed by enum planfile_change. */
static const char *const changes[] = {
	"create",
	"update",
	"replace",
	"delete",
	"read",
	NULL,
};

static const char *const reason_codes[] = {
	"replica_missing",
	"source_changed",
	"replica_modified_out_of_band",
	"model_missing",
	"model_stale",
	"deployment_missing",
	"deployment_model_mismatch",
	"deployment_expiring",
	"assets_changed",
	"not_desired",
	"dependency",
	"capacity_changed",
	"version_changed",
	"upgrade_option_changed",
	"rai_policy_changed",
	"sku_changed",
	"finetune_data_changed",
	"finetune_missing",
	"model_changed",
	"backup",
	"restore",
	NULL,
};

static const char *const target_types[] = { "language", "openai", NULL };

/* A JSON path for messages; truncation only shortens a message. */
struct jpath {
	char s[256];
};

/* Appends s to p, silently stopping at the end of the array. */
static void
jpath_add(struct jpath *p, const char *s)
{
	size_t n = strlen(p->s), k = strlen(s);

	if (k > sizeof(p->s) - 1 - n)
		k = sizeof(p->s) - 1 - n;
	memcpy(p->s + n, s, k);
	p->s[n + k] = '\0';
}

/* Puts s at offset n of p (n <= its length), as jpath_add() would after
 * the first n bytes. */
static void
jpath_put(struct jpath *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	if (k > sizeof(p->s) - 1 - n)
		k = sizeof(p->s) - 1 - n;
	memcpy(p->s + n, s, k);
	p->s[n + k] = '\0';
}

static void
jpath_key(struct jpath *out, const char *parent, const char *key)
{
	out->s[0] = '\0';
	jpath_add(out, parent);
	if (parent[0] != '\0')
		jpath_add(out, ".");
	jpath_add(out, key);
}

static void
jpath_index(struct jpath *out, const char *parent, size_t i)
{
	char num[32];
	size_t k = sizeof(num);

	/* "[i]" without snprintf(): every array element gets a path. */
	num[--k] = '\0';
	num[--k] = ']';
	do {
		num[--k] = (char)('0' + i % 10);
		i /= 10;
	} while (i > 0);
	num[--k] = '[';
	out->s[0] = '\0';
	jpath_add(out, parent);
	jpath_add(out, num + k);
}

/* A value quoted for an error message: at most about 60 bytes, control
 * characters as '?', so a hostile plan cannot write to the terminal. */
struct quoted {
	char s[72];
};

static const char *
quote(struct quoted *q, const char *s)
{
	size_t i, n = 0;

	for (i = 0; s[i] != '\0' && n < 60; i++) {
		unsigned char c = (unsigned char)s[i];
		q->s[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (s[i] != '\0') {
		/* Do not cut a UTF-8 sequence in half. */
		while (n > 0 && ((unsigned char)q->s[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)q->s[n - 1] & 0xc0) == 0xc0)
			n--;
		memcpy(q->s + n, "...", 3);
		n += 3;
	}
	q->s[n] = '\0';
	return q->s;
}

static const char *
type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "an invalid value";
}

static int
in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return (int)i;
	return -1;
}

/* 1 if v is a number holding an integer a double represents exactly. */
static int
is_integer(const cJSON *v)
{
	double d;

	if (!cJSON_IsNumber(v))
		return 0;
	d = v->valuedouble;
	return isfinite(d) && floor(d) == d && fabs(d) <= 9007199254740992.0;
}

static int
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int cp;
	int n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else {
			return 0;
		}
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), as the schema's pattern. */
static int
is_timestamp(const char *s)
{
	size_t n = strlen(s), i = 19;

	if (n < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2) || s[10] != 'T' ||
	    !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    s[16] != ':' || !digits(s + 17, 2))
		return 0;
	if (s[i] == '.') {
		i++;
		if (!digits(s + i, 1))
			return 0;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (s[i] == 'Z')
		return s[i + 1] == '\0';
	if (s[i] != '+' && s[i] != '-')
		return 0;
	return n - i == 6 && digits(s + i + 1, 2) && s[i + 3] == ':' &&
	    digits(s + i + 4, 2);
}

static int
check_string(const cJSON *v, const char *path, struct err *err)
{
	if (!utf8_valid(v->valuestring))
		return err_set(err, ERR_SPEC, "%s: not valid UTF-8", path);
	return 0;
}

static int check_object(const cJSON *obj, const char *path,
    const struct fieldset *fs, struct err *err);

static int
check_snapshot(const cJSON *v, const char *path, struct err *err)
{
	const cJSON *c, *d;
	struct jpath p;
	struct quoted q;

	if (cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsObject(v))
		return err_set(err, ERR_SPEC,
		    "%s: expected an object or null, got %s", path,
		    type_name(v));
	for (c = v->child; c != NULL; c = c->next) {
		jpath_key(&p, path, c->string);
		if (!utf8_valid(c->string))
			return err_set(
			    err, ERR_SPEC, "%s: key not valid UTF-8", path);
		for (d = v->child; d != c; d = d->next)
			if (strcmp(d->string, c->string) == 0)
				return err_set(err, ERR_SPEC,
				    "%s: duplicate key '%s'", path,
				    quote(&q, c->string));
		if (cJSON_IsString(c)) {
			if (check_string(c, p.s, err) != 0)
				return -1;
		} else if (cJSON_IsNumber(c)) {
			if (!is_integer(c))
				return err_set(err, ERR_SPEC,
				    "%s: expected an integer, got %g", p.s,
				    c->valuedouble);
		} else if (!cJSON_IsBool(c) && !cJSON_IsNull(c)) {
			return err_set(err, ERR_SPEC,
			    "%s: expected a string, integer, boolean or null, "
			    "got %s",
			    p.s, type_name(c));
		}
	}
	return 0;
}

static int
check_value(
    const cJSON *v, const struct field *f, const char *path, struct err *err)
{
	const cJSON *c;
	struct jpath p;
	size_t i;

	switch (f->type) {
	case F_NSTR:
	case F_NTIME:
		if (cJSON_IsNull(v))
			return 0;
		/* FALLTHROUGH */
	case F_STR:
	case F_TIME:
		if (!cJSON_IsString(v))
			return err_set(err, ERR_SPEC,
			    "%s: expected a string%s, got %s", path,
			    f->type == F_NSTR || f->type == F_NTIME ? " or null"
			                                            : "",
			    type_name(v));
		if (check_string(v, path, err) != 0)
			return -1;
		if (f->type == F_STR && v->valuestring[0] == '\0')
			return err_set(
			    err, ERR_SPEC, "%s: must not be empty", path);
		if ((f->type == F_TIME || f->type == F_NTIME) &&
		    !is_timestamp(v->valuestring))
			return err_set(err, ERR_SPEC,
			    "%s: expected an RFC 3339 date-time like "
			    "2026-11-23T10:05:00Z",
			    path);
		return 0;
	case F_NCOUNT:
		if (cJSON_IsNull(v))
			return 0;
		/* FALLTHROUGH */
	case F_COUNT:
		if (!is_integer(v))
			return err_set(err, ERR_SPEC,
			    "%s: expected an integer, got %s", path,
			    type_name(v));
		if (v->valuedouble < 0)
			return err_set(
			    err, ERR_SPEC, "%s: must not be negative", path);
		return 0;
	case F_BOOL:
		if (!cJSON_IsBool(v))
			return err_set(err, ERR_SPEC,
			    "%s: expected a boolean, got %s", path,
			    type_name(v));
		return 0;
	case F_OBJ:
		return check_object(v, path, f->sub, err);
	case F_OBJS:
	case F_STRS:
		if (!cJSON_IsArray(v))
			return err_set(err, ERR_SPEC,
			    "%s: expected an array, got %s", path,
			    type_name(v));
		for (c = v->child, i = 0; c != NULL; c = c->next, i++) {
			jpath_index(&p, path, i);
			if (f->type == F_OBJS) {
				if (check_object(c, p.s, f->sub, err) != 0)
					return -1;
				continue;
			}
			if (!cJSON_IsString(c))
				return err_set(err, ERR_SPEC,
				    "%s: expected a string, got %s", p.s,
				    type_name(c));
			if (check_string(c, p.s, err) != 0)
				return -1;
			if (c->valuestring[0] == '\0')
				return err_set(err, ERR_SPEC,
				    "%s: must not be empty", p.s);
		}
		return 0;
	case F_SNAP:
		return check_snapshot(v, path, err);
	case F_VERSION:
		/* Checked before anything else, by check_version(). */
		return 0;
	}
	return 0;
}

/* Each member is looked up in fs starting after the previous member's
 * key (plans come in that order, so it is usually the first try), and a
 * bit per key finds duplicates and missing keys without comparing the
 * members with each other. */
static int
check_object(const cJSON *obj, const char *path, const struct fieldset *fs,
    struct err *err)
{
	unsigned long long seen = 0;
	const cJSON *c;
	struct jpath p;
	struct quoted q;
	size_t i, k, hint = 0, plen;

	if (!cJSON_IsObject(obj))
		return err_set(err, ERR_SPEC, "%s: expected an object, got %s",
		    path[0] ? path : "plan", type_name(obj));
	/* "path." once; each member's key goes after it. */
	jpath_key(&p, path, "");
	plen = strlen(p.s);
	for (c = obj->child; c != NULL; c = c->next) {
		jpath_put(&p, plen, c->string);
		for (k = 0; k < fs->n; k++) {
			i = (hint + k) % fs->n;
			if (strcmp(fs->f[i].key, c->string) == 0)
				break;
		}
		if (k == fs->n)
			return err_set(err, ERR_SPEC, "%s%sunknown key '%s'",
			    path, path[0] ? ": " : "", quote(&q, c->string));
		if (seen & (1ULL << i))
			return err_set(err, ERR_SPEC, "%s: duplicate key", p.s);
		seen |= 1ULL << i;
		hint = i + 1;
		if (check_value(c, &fs->f[i], p.s, err) != 0)
			return -1;
	}
	for (i = 0; i < fs->n; i++) {
		if (fs->f[i].required && !(seen & (1ULL << i))) {
			jpath_key(&p, path, fs->f[i].key);
			return err_set(err, ERR_SPEC, "%s: missing", p.s);
		}
	}
	return 0;
}

static int
check_version(const cJSON *plan, struct err *err)
{
	const cJSON *v;

	if (!cJSON_IsObject(plan))
		return err_set(err, ERR_SPEC,
		    "expected a JSON object at the top level, got %s",
		    type_name(plan));
	v = cJSON_GetObjectItemCaseSensitive(plan, "format_version");
	if (v == NULL)
		return err_set(err, ERR_SPEC, "format_version: missing");
	if (!is_integer(v))
		return err_set(err, ERR_SPEC,
		    "format_version: expected an integer, got %s",
		    type_name(v));
	if (v->valuedouble > PLANFILE_FORMAT_VERSION)
		return err_set(err, ERR_SPEC,
		    "format_version %.0f is newer than this standby reads "
		    "(%d); upgrade standby to use this plan",
		    v->valuedouble, PLANFILE_FORMAT_VERSION);
	if (v->valuedouble < PLANFILE_FORMAT_VERSION)
		return err_set(err, ERR_SPEC,
		    "format_version %.0f is not supported (this standby reads "
		    "%d)",
		    v->valuedouble, PLANFILE_FORMAT_VERSION);
	return 0;
}

static int
is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		        (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* id = <kind>:<name>@<resource>[/<sub>]: name without '@', resource
 * without '/' or '@', each non-empty. */
static int
id_matches(const char *id, const char *kind)
{
	size_t k = strlen(kind);
	const char *name, *at, *res;

	if (strncmp(id, kind, k) != 0 || id[k] != ':')
		return 0;
	name = id + k + 1;
	at = strchr(name, '@');
	if (at == NULL || at == name)
		return 0;
	res = at + 1;
	if (*res == '\0' || *res == '/' || *res == '@')
		return 0;
	while (*res != '\0' && *res != '/') {
		if (*res == '@')
			return 0;
		res++;
	}
	return *res == '\0' || res[1] != '\0';
}

struct idx {
	const char *id;
	size_t i;
};

static int
idx_cmp(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

static long
idx_find(const struct idx *ids, size_t n, const char *id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ids[mid].id, id);

		if (c == 0) {
			/* The first of equal ids (there is one: unique). */
			return (long)ids[mid].i;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Checks one action's values beyond their types. */
static int
check_action(const cJSON *a, size_t i, struct err *err)
{
	const char *id = planfile_str(a, "id"), *kind = planfile_str(a, "kind");
	const char *change = planfile_str(a, "change");
	const cJSON *target = planfile_get(a, "target");
	const cJSON *reason = planfile_get(a, "reason");
	struct quoted q;

	if (in_list(kind, kinds) < 0)
		return err_set(err, ERR_SPEC,
		    "actions[%zu].kind: unknown kind "
		    "'%s'",
		    i, quote(&q, kind));
	if (in_list(change, changes) < 0)
		return err_set(err, ERR_SPEC,
		    "actions[%zu].change: unknown change '%s' (want create, "
		    "update, replace, delete or read)",
		    i, quote(&q, change));
	if (!id_matches(id, kind))
		return err_set(err, ERR_SPEC,
		    "actions[%zu].id: '%s' is not '%s:<name>@<resource>"
		    "[/<sub>]'",
		    i, quote(&q, id), kind);
	if (in_list(planfile_str(target, "type"), target_types) < 0)
		return err_set(err, ERR_SPEC,
		    "actions[%zu].target.type: unknown type '%s' (want "
		    "language or openai)",
		    i, quote(&q, planfile_str(target, "type")));
	if (in_list(planfile_str(reason, "code"), reason_codes) < 0)
		return err_set(err, ERR_SPEC,
		    "actions[%zu].reason.code: unknown reason '%s'", i,
		    quote(&q, planfile_str(reason, "code")));
	if (strcmp(change, "delete") == 0 && !planfile_action_destructive(a))
		return err_set(err, ERR_SPEC,
		    "actions[%zu].destructive: must be true for a delete", i);
	return 0;
}

/* Finds a cycle with an iterative depth-first search over the resolved
 * dependencies (dep[off[i] .. off[i+1]) are the indices action i needs)
 * and describes it as "a -> b -> a". */
static int
check_cycles(const cJSON **acts, size_t n, const size_t *off, const size_t *dep,
    struct err *err)
{
	unsigned char *color = NULL; /* 0 new, 1 on the stack, 2 done */
	size_t *stack = NULL, *next = NULL, sp, s, k;
	struct buf msg = { .max = 4096 };
	struct quoted q;
	int rc = -1;

	color = calloc(n + 1, 1);
	stack = calloc(n + 1, sizeof(*stack));
	next = calloc(n + 1, sizeof(*next));
	if (color == NULL || stack == NULL || next == NULL) {
		err_set(err, ERR_NOMEM, "out of memory checking dependencies");
		goto out;
	}
	for (s = 0; s < n; s++) {
		if (color[s] != 0)
			continue;
		sp = 0;
		stack[sp++] = s;
		color[s] = 1;
		next[s] = off[s];
		while (sp > 0) {
			size_t u = stack[sp - 1], v;

			if (next[u] == off[u + 1]) {
				color[u] = 2;
				sp--;
				continue;
			}
			v = dep[next[u]++];
			if (color[v] == 2)
				continue;
			if (color[v] == 0) {
				color[v] = 1;
				next[v] = off[v];
				stack[sp++] = v;
				continue;
			}
			/* v is on the stack: the cycle is v ... u -> v. */
			for (k = 0; stack[k] != v; k++)
				;
			for (; k < sp; k++) {
				buf_addstr(&msg,
				    quote(&q,
				        planfile_str(acts[stack[k]], "id")));
				buf_addstr(&msg, " -> ");
			}
			buf_addstr(
			    &msg, quote(&q, planfile_str(acts[v], "id")));
			err_set(err, ERR_SPEC,
			    "actions[%zu].depends_on[%zu]: dependency cycle: "
			    "%s",
			    u, next[u] - 1 - off[u], buf_str(&msg));
			goto out;
		}
	}
	rc = 0;
out:
	buf_release(&msg);
	free(color);
	free(stack);
	free(next);
	return rc;
}

/* The checks across actions: unique ids, depends_on resolving, no
 * cycles, destructive first, summary counts. */
static int
check_actions(const cJSON *plan, struct err *err)
{
	const cJSON *actions = planfile_get(plan, "actions"), *a, *d;
	const cJSON **acts = NULL;
	struct idx *ids = NULL;
	size_t *off = NULL, *dep = NULL, n, ndep = 0, i, j, nondestr = 0;
	long long count[PLANFILE_NCHANGES] = { 0 };
	int seen_nondestr = 0, rc = -1;
	struct planfile_summary sum;
	struct quoted q;
	long k;

	n = (size_t)cJSON_GetArraySize(actions);
	acts = calloc(n + 1, sizeof(*acts));
	ids = calloc(n + 1, sizeof(*ids));
	off = calloc(n + 1, sizeof(*off));
	if (acts == NULL || ids == NULL || off == NULL) {
		err_set(err, ERR_NOMEM, "out of memory checking actions");
		goto out;
	}
	i = 0;
	cJSON_ArrayForEach(a, actions)
	{
		if (check_action(a, i, err) != 0)
			goto out;
		if (planfile_action_destructive(a)) {
			if (seen_nondestr) {
				err_set(err, ERR_SPEC,
				    "actions[%zu]: destructive action after "
				    "actions[%zu], which is not; destructive "
				    "actions come first",
				    i, nondestr);
				goto out;
			}
		} else if (!seen_nondestr) {
			seen_nondestr = 1;
			nondestr = i;
		}
		count[planfile_action_change(a)]++;
		acts[i] = a;
		ids[i].id = planfile_str(a, "id");
		ids[i].i = i;
		ndep +=
		    (size_t)cJSON_GetArraySize(planfile_get(a, "depends_on"));
		i++;
	}
	qsort(ids, n, sizeof(*ids), idx_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(ids[i - 1].id, ids[i].id) == 0) {
			err_set(err, ERR_SPEC,
			    "actions[%zu].id: duplicate id '%s' (also "
			    "actions[%zu])",
			    ids[i].i, quote(&q, ids[i].id), ids[i - 1].i);
			goto out;
		}

	dep = calloc(ndep + 1, sizeof(*dep));
	if (dep == NULL) {
		err_set(err, ERR_NOMEM, "out of memory checking actions");
		goto out;
	}
	ndep = 0;
	for (i = 0; i < n; i++) {
		off[i] = ndep;
		j = 0;
		cJSON_ArrayForEach(d, planfile_get(acts[i], "depends_on"))
		{
			const cJSON *e;

			for (e = planfile_get(acts[i], "depends_on")->child;
			     e != d; e = e->next)
				if (strcmp(e->valuestring, d->valuestring) == 0)
					break;
			if (e != d) {
				err_set(err, ERR_SPEC,
				    "actions[%zu].depends_on[%zu]: '%s' is "
				    "listed twice",
				    i, j, quote(&q, d->valuestring));
				goto out;
			}
			k = idx_find(ids, n, d->valuestring);
			if (k < 0) {
				err_set(err, ERR_SPEC,
				    "actions[%zu].depends_on[%zu]: unknown "
				    "action '%s'",
				    i, j, quote(&q, d->valuestring));
				goto out;
			}
			dep[ndep++] = (size_t)k;
			j++;
		}
	}
	off[n] = ndep;
	if (check_cycles(acts, n, off, dep, err) != 0)
		goto out;

	planfile_summary(plan, &sum);
	for (i = 0; i < PLANFILE_NCHANGES; i++)
		if (sum.n[i] != count[i]) {
			err_set(err, ERR_SPEC,
			    "summary.%s: is %lld but %lld actions have change "
			    "'%s'",
			    changes[i], sum.n[i], count[i], changes[i]);
			goto out;
		}
	if (sum.total != (long long)n) {
		err_set(err, ERR_SPEC,
		    "summary.total: is %lld but the plan has %zu actions",
		    sum.total, n);
		goto out;
	}
	rc = 0;
out:
	free(acts);
	free(ids);
	free(off);
	free(dep);
	return rc;
}

/* Lower snake case, as the schema's pattern: safe to show verbatim. */
static int
is_code(const char *s)
{
	if (*s < 'a' || *s > 'z')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		        *s == '_'))
			return 0;
	return 1;
}

int
planfile_check(const cJSON *plan, struct err *err)
{
	const cJSON *cfg, *w;
	struct quoted q;
	size_t i = 0;

	if (check_version(plan, err) != 0)
		return -1;
	if (check_object(plan, "", &plan_s, err) != 0)
		return -1;
	cfg = planfile_get(plan, "config");
	if (!is_hex64(planfile_str(cfg, "hash")))
		return err_set(err, ERR_SPEC,
		    "config.hash: expected 64 lower-case hex digits (SHA-256)");
	cJSON_ArrayForEach(w, planfile_get(plan, "warnings"))
	{
		if (!is_code(planfile_str(w, "code")))
			return err_set(err, ERR_SPEC,
			    "warnings[%zu].code: '%s' is not lower_snake_case",
			    i, quote(&q, planfile_str(w, "code")));
		i++;
	}
	return check_actions(plan, err);
}

int
planfile_parse(cJSON **out, const char *text, size_t len, const char *name,
    struct err *err)
{
	const char *end = NULL, *p;
	size_t line = 1, col = 1;
	cJSON *plan;

	*out = NULL;
	if (memchr(text, '\0', len) != NULL)
		return err_set(
		    err, ERR_SPEC, "%s: not a JSON text (NUL byte)", name);
	plan = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (plan == NULL) {
		if (end == NULL || end < text || end > text + len)
			end = text + len;
		for (p = text; p < end; p++) {
			if (*p == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		if (len == 0)
			return err_set(err, ERR_SPEC, "%s: empty file", name);
		return err_set(
		    err, ERR_SPEC, "%s:%zu:%zu: invalid JSON", name, line, col);
	}
	for (p = end; p < text + len; p++)
		if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
			cJSON_Delete(plan);
			return err_set(err, ERR_SPEC,
			    "%s: unexpected text after the JSON value", name);
		}
	if (planfile_check(plan, err) != 0) {
		cJSON_Delete(plan);
		return err_wrap(err, "%s", name);
	}
	*out = plan;
	return 0;
}

int
planfile_load(cJSON **out, const char *path, struct err *err)
{
	struct buf text = { 0 };
	char chunk[8192];
	FILE *fp = NULL;
	size_t n;
	int rc = -1;

	*out = NULL;
	fp = fopen(path, "rb");
	if (fp == NULL) {
		err_errno(err, path);
		err_wrap(err, "cannot open plan");
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&text, chunk, n);
	if (ferror(fp)) {
		err_errno(err, path);
		err_wrap(err, "cannot read plan");
		goto out;
	}
	if (buf_check(&text, err, path) != 0)
		goto out;
	rc = planfile_parse(out, buf_str(&text), text.len, path, err);
out:
	if (fp != NULL)
		fclose(fp);
	buf_release(&text);
	return rc;
}

static void
indent(struct buf *b, int n)
{
	static const char spaces[] = "                                ";
	size_t k;

	while (n > 0) {
		k = (size_t)n < sizeof(spaces) - 1 ? (size_t)n
		                                   : sizeof(spaces) - 1;
		buf_add(b, spaces, k);
		n -= (int)k;
	}
}

/* "%lld" without printf: counts are most of a plan's numbers. */
static void
write_integer(struct buf *b, long long v)
{
	char d[24];
	size_t i = sizeof(d);
	unsigned long long u =
	    v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		d[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		d[--i] = '-';
	buf_add(b, d + i, sizeof(d) - i);
}

static void
write_scalar(struct buf *b, const cJSON *v)
{
	if (cJSON_IsString(v)) {
		buf_addch(b, '"');
		buf_addjson(b, v->valuestring);
		buf_addch(b, '"');
	} else if (cJSON_IsNumber(v)) {
		write_integer(b, (long long)v->valuedouble);
	} else if (cJSON_IsTrue(v)) {
		buf_addstr(b, "true");
	} else if (cJSON_IsFalse(v)) {
		buf_addstr(b, "false");
	} else {
		buf_addstr(b, "null");
	}
}

static void write_object(
    struct buf *b, const cJSON *obj, const struct fieldset *fs, int depth);

static void
write_key(struct buf *b, const char *key, int depth, int *first)
{
	char line[128];
	size_t n = 0, k = strlen(key);

	/* The usual key (plain, short) goes in with one append. */
	if (depth >= 0 && (size_t)depth + k + 6 <= sizeof(line)) {
		const unsigned char *p = (const unsigned char *)key;

		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (*p == '\0') {
			if (!*first)
				line[n++] = ',';
			line[n++] = '\n';
			memset(line + n, ' ', (size_t)depth);
			n += (size_t)depth;
			line[n++] = '"';
			memcpy(line + n, key, k);
			n += k;
			memcpy(line + n, "\": ", 3);
			n += 3;
			*first = 0;
			buf_add(b, line, n);
			return;
		}
	}
	if (*first)
		buf_add(b, "\n", 1);
	else
		buf_add(b, ",\n", 2);
	*first = 0;
	indent(b, depth);
	buf_add(b, "\"", 1);
	buf_addjson(b, key);
	buf_add(b, "\": ", 3);
}

static void
write_value(struct buf *b, const cJSON *v, const struct field *f, int depth)
{
	const cJSON *c;
	int first = 1;

	if (f->type == F_OBJ) {
		write_object(b, v, f->sub, depth);
	} else if (f->type == F_OBJS || f->type == F_STRS) {
		if (v->child == NULL) {
			buf_addstr(b, "[]");
			return;
		}
		buf_addch(b, '[');
		for (c = v->child; c != NULL; c = c->next) {
			buf_addstr(b, first ? "\n" : ",\n");
			first = 0;
			indent(b, depth + 2);
			if (f->type == F_OBJS)
				write_object(b, c, f->sub, depth + 2);
			else
				write_scalar(b, c);
		}
		buf_addch(b, '\n');
		indent(b, depth);
		buf_addch(b, ']');
	} else if (f->type == F_SNAP && cJSON_IsObject(v)) {
		if (v->child == NULL) {
			buf_addstr(b, "{}");
			return;
		}
		buf_addch(b, '{');
		for (c = v->child; c != NULL; c = c->next) {
			write_key(b, c->string, depth + 2, &first);
			write_scalar(b, c);
		}
		buf_addch(b, '\n');
		indent(b, depth);
		buf_addch(b, '}');
	} else {
		write_scalar(b, v);
	}
}

static void
write_object(
    struct buf *b, const cJSON *obj, const struct fieldset *fs, int depth)
{
	const cJSON *v, *next = obj->child;
	size_t i;
	int first = 1;

	buf_addch(b, '{');
	for (i = 0; i < fs->n; i++) {
		/* Plans are built in this key order, so the next member is
		 * usually the one wanted.  The members before it matched
		 * earlier keys, so the first of this name is not among
		 * them. */
		if (next != NULL && next->string != NULL &&
		    strcmp(next->string, fs->f[i].key) == 0) {
			v = next;
			next = next->next;
		} else {
			/* As cJSON_GetObjectItemCaseSensitive(), from next. */
			for (v = next; v != NULL && v->string != NULL &&
			     strcmp(v->string, fs->f[i].key) != 0;
			     v = v->next)
				;
			if (v != NULL && v->string == NULL)
				v = NULL;
		}
		if (v == NULL)
			continue;
		write_key(b, fs->f[i].key, depth + 2, &first);
		write_value(b, v, &fs->f[i], depth + 2);
	}
	if (first) {
		buf_addch(b, '}');
		return;
	}
	buf_addch(b, '\n');
	indent(b, depth);
	buf_addch(b, '}');
}

int
planfile_write(const cJSON *plan, struct buf *out, struct err *err)
{
	if (planfile_check(plan, err) != 0)
		return -1;
	write_object(out, plan, &plan_s, 0);
	buf_addch(out, '\n');
	return buf_check(out, err, "writing the plan");
}

const cJSON *
planfile_get(const cJSON *obj, const char *key)
{
	if (!cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const char *
planfile_str(const cJSON *obj, const char *key)
{
	const cJSON *v = planfile_get(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long
count_of(const cJSON *obj, const char *key)
{
	const cJSON *v = planfile_get(obj, key);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

void
planfile_summary(const cJSON *plan, struct planfile_summary *out)
{
	const cJSON *s = planfile_get(plan, "summary");
	size_t i;

	for (i = 0; i < PLANFILE_NCHANGES; i++)
		out->n[i] = count_of(s, changes[i]);
	out->total = count_of(s, "total");
}

int
planfile_has_changes(const cJSON *plan)
{
	return cJSON_GetArraySize(planfile_actions(plan)) > 0;
}

const cJSON *
planfile_actions(const cJSON *plan)
{
	return planfile_get(plan, "actions");
}

enum planfile_change
planfile_action_change(const cJSON *action)
{
	const char *c = planfile_str(action, "change");
	int i = c != NULL ? in_list(c, changes) : -1;

	return i < 0 ? PLANFILE_READ : (enum planfile_change)i;
}

int
planfile_action_destructive(const cJSON *action)
{
	return cJSON_IsTrue(planfile_get(action, "destructive"));
}

const char *
planfile_change_name(enum planfile_change c)
{
	if ((int)c < 0 || c >= PLANFILE_NCHANGES)
		return NULL;
	return changes[c];
}
