/*
 * state_live.c - the cache of live objects: what refresh last saw in each
 * resource, and whether the resource could be read.
 *
 * Refresh buffers the objects put and writes them in one short transaction
 * at commit, so no database lock is held while the caller is on the
 * network.  The four kinds share one code path, driven by a table of
 * columns (struct kind_desc), so a field added to struct state_object is
 * one row there and one column in a migration.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "state_int.h"

/* ------------------------------------------------------------------ */
/* Live objects                                                        */

#define FIELD(obj, off) (*(char **)((char *)(obj) + (off)))

struct col {
	const char *sql;   /* column name */
	const char *azure; /* the field's name in Azure's JSON */
	size_t off;        /* in struct state_object */
};

struct kind_desc {
	enum state_kind kind;
	const char *name;
	const char *table;
	const char *project_col; /* SQL for the project column */
	const char *name_col;
	const struct col *cols;
	size_t ncols;
};

#define C(s, a, f)                                                             \
	{                                                                      \
		s, a, offsetof(struct state_object, f)                         \
	}
static const struct col project_cols[] = {
	C("project_kind", "projectKind", project_kind),
	C("language", "language", language),
	C("storage_container", "storageInputContainerName", storage_container),
	C("last_modified", "lastModifiedDateTime", last_modified),
	C("last_trained", "lastTrainedDateTime", last_trained),
	C("last_deployed", "lastDeployedDateTime", last_deployed),
	C("json", "json", json),
};
static const struct col model_cols[] = {
	C("model_id", "modelId", model_id),
	C("last_trained", "lastTrainedDateTime", last_trained),
	C("expiration", "modelExpirationDate", expiration),
	C("training_config_version", "modelTrainingConfigVersion",
	    training_config_version),
	C("json", "json", json),
};
static const struct col deployment_cols[] = {
	C("model_id", "modelId", model_id),
	C("last_deployed", "lastDeployedDateTime", last_deployed),
	C("expiration", "deploymentExpirationDate", expiration),
	C("json", "json", json),
};
static const struct col openai_cols[] = {
	C("json", "json", json),
};
#undef C

#define N(a) (sizeof(a) / sizeof((a)[0]))
static const struct kind_desc kinds[] = {
	{ STATE_PROJECT, "project", "projects", "name", "name", project_cols,
	    N(project_cols) },
	{ STATE_MODEL, "model", "models", "project", "label", model_cols,
	    N(model_cols) },
	{ STATE_DEPLOYMENT, "deployment", "deployments", "project", "name",
	    deployment_cols, N(deployment_cols) },
	{ STATE_OPENAI_DEPLOYMENT, "openai-deployment", "openai_deployments",
	    "NULL", "name", openai_cols, N(openai_cols) },
};

static const struct kind_desc *
desc_of(enum state_kind kind)
{
	size_t i;

	for (i = 0; i < N(kinds); i++)
		if (kinds[i].kind == kind)
			return &kinds[i];
	return NULL;
}

const char *
state_kind_name(enum state_kind kind)
{
	const struct kind_desc *d = desc_of(kind);

	return d != NULL ? d->name : "unknown";
}

int
state_object_address(struct buf *out, const struct state_object *obj)
{
	const char *r = obj->resource ? obj->resource : "";
	const char *p = obj->project ? obj->project : "";
	const char *n = obj->name ? obj->name : "";

	switch (obj->kind) {
	case STATE_PROJECT:
		return buf_addf(out, "%s/%s", r, n);
	case STATE_MODEL:
		return buf_addf(out, "%s/%s/models/%s", r, p, n);
	case STATE_DEPLOYMENT:
		return buf_addf(out, "%s/%s/deployments/%s", r, p, n);
	case STATE_OPENAI_DEPLOYMENT:
		return buf_addf(out, "%s/deployments/%s", r, n);
	}
	return -1;
}

static char *
strndup_or_null(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int
state_parse_address(struct state_object *obj, const char *addr, struct err *err)
{
	const char *seg[4];
	size_t len[4], nseg = 0;
	const char *s = addr, *slash;
	char *parts[4] = { NULL, NULL, NULL, NULL };
	size_t i;

	memset(obj, 0, sizeof(*obj));
	for (;;) {
		slash = strchr(s, '/');
		if (nseg == N(seg))
			goto bad;
		seg[nseg] = s;
		len[nseg] = slash ? (size_t)(slash - s) : strlen(s);
		if (len[nseg] == 0)
			goto bad;
		nseg++;
		if (slash == NULL)
			break;
		s = slash + 1;
	}
	for (i = 0; i < nseg; i++)
		if ((parts[i] = strndup_or_null(seg[i], len[i])) == NULL) {
			err_set(err, ERR_NOMEM, "out of memory");
			goto fail;
		}
	obj->resource = parts[0];
	parts[0] = NULL;
	if (nseg == 2) {
		obj->kind = STATE_PROJECT;
		obj->project = parts[1];
		obj->name = strdup(parts[1]);
		parts[1] = NULL;
		if (obj->name == NULL) {
			err_set(err, ERR_NOMEM, "out of memory");
			goto fail;
		}
	} else if (nseg == 3 && strcmp(parts[1], "deployments") == 0) {
		obj->kind = STATE_OPENAI_DEPLOYMENT;
		obj->name = parts[2];
		parts[2] = NULL;
	} else if (nseg == 4 &&
	    (strcmp(parts[2], "models") == 0 ||
	        strcmp(parts[2], "deployments") == 0)) {
		obj->kind = parts[2][0] == 'm' ? STATE_MODEL : STATE_DEPLOYMENT;
		obj->project = parts[1];
		obj->name = parts[3];
		parts[1] = parts[3] = NULL;
	} else {
		goto bad;
	}
	for (i = 0; i < N(parts); i++)
		free(parts[i]);
	return 0;
bad:
	err_set(err, ERR_SPEC,
	    "'%s' is not an object address (RESOURCE/PROJECT, "
	    "RESOURCE/PROJECT/models/LABEL, RESOURCE/PROJECT/deployments/NAME "
	    "or RESOURCE/deployments/NAME)",
	    addr);
fail:
	for (i = 0; i < N(parts); i++)
		free(parts[i]);
	state_object_release(obj);
	return -1;
}

void
state_object_release(struct state_object *obj)
{
	if (obj == NULL)
		return;
	free(obj->resource);
	free(obj->project);
	free(obj->name);
	free(obj->project_kind);
	free(obj->language);
	free(obj->storage_container);
	free(obj->last_modified);
	free(obj->last_trained);
	free(obj->last_deployed);
	free(obj->model_id);
	free(obj->expiration);
	free(obj->training_config_version);
	free(obj->json);
	memset(obj, 0, sizeof(*obj));
}

void
state_objects_release(struct state_objects *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++)
		state_object_release(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* Grows a vector of elements of size sz by one zeroed element. */
static void *
vec_push(void **v, size_t *n, size_t sz)
{
	char *p = realloc(*v, (*n + 1) * sz);

	if (p == NULL)
		return NULL;
	*v = p;
	memset(p + *n * sz, 0, sz);
	return p + (*n)++ * sz;
}

/* SELECT resource, project, name, cols..., refreshed_at FROM the kind's
 * table [WHERE resource = ?1] [AND project = ?2 AND name = ?3]. */
static int
select_sql(
    struct buf *sql, const struct kind_desc *d, int by_resource, int by_key)
{
	size_t i;

	buf_addf(sql, "SELECT resource, %s, %s", d->project_col, d->name_col);
	for (i = 0; i < d->ncols; i++)
		buf_addf(sql, ", %s", d->cols[i].sql);
	buf_addf(sql, ", refreshed_at FROM %s", d->table);
	if (by_resource)
		buf_addstr(sql, " WHERE resource = ?1");
	if (by_key) {
		if (d->kind != STATE_PROJECT &&
		    d->kind != STATE_OPENAI_DEPLOYMENT)
			buf_addstr(sql, " AND project = ?2");
		buf_addf(sql, " AND %s = ?3", d->name_col);
	}
	return sql->failed ? -1 : 0;
}

static int
read_row(sqlite3_stmt *stmt, const struct kind_desc *d, struct state_object *o)
{
	size_t i;
	int c = 0;

	o->kind = d->kind;
	if (state_coldup(stmt, c++, &o->resource) != 0 ||
	    state_coldup(stmt, c++, &o->project) != 0 ||
	    state_coldup(stmt, c++, &o->name) != 0)
		return -1;
	for (i = 0; i < d->ncols; i++)
		if (state_coldup(stmt, c++, &FIELD(o, d->cols[i].off)) != 0)
			return -1;
	o->refreshed_at = sqlite3_column_int64(stmt, c);
	return 0;
}

/* Appends the kind's rows (of one resource when not NULL) to out. */
static int
load_kind(struct state *st, const struct kind_desc *d, const char *resource,
    struct state_objects *out, struct err *err)
{
	struct buf sql = { 0 };
	sqlite3_stmt *stmt = NULL;
	struct state_object *o;
	int rc = -1, step;

	if (select_sql(&sql, d, resource != NULL, 0) != 0) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (state_prepare(st, &stmt, buf_str(&sql), err) != 0)
		goto out;
	if (resource != NULL)
		state_bind_text(stmt, 1, resource);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		o = vec_push((void **)&out->v, &out->n, sizeof(*o));
		if (o == NULL || read_row(stmt, d, o) != 0) {
			err_set(err, ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading live objects");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	buf_release(&sql);
	return rc;
}

static int
cmp_object(const void *pa, const void *pb)
{
	const struct state_object *a = pa, *b = pb;
	int c;

	if ((c = state_strcmp(a->resource, b->resource)) != 0)
		return c;
	if ((c = state_strcmp(a->project, b->project)) != 0)
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return state_strcmp(a->name, b->name);
}

int
state_list_objects(struct state *st, const char *resource, enum state_kind kind,
    struct state_objects *out, struct err *err)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < N(kinds); i++) {
		if (kind != 0 && kinds[i].kind != kind)
			continue;
		if (load_kind(st, &kinds[i], resource, out, err) != 0) {
			state_objects_release(out);
			return -1;
		}
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), cmp_object);
	return 0;
}

int
state_get_object(struct state *st, enum state_kind kind, const char *resource,
    const char *project, const char *name, struct state_object *out,
    struct err *err)
{
	const struct kind_desc *d = desc_of(kind);
	struct buf sql = { 0 };
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	memset(out, 0, sizeof(*out));
	if (d == NULL)
		return err_set(
		    err, ERR_SPEC, "unknown object kind %d", (int)kind);
	if (select_sql(&sql, d, 1, 1) != 0) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (state_prepare(st, &stmt, buf_str(&sql), err) != 0)
		goto out;
	state_bind_text(stmt, 1, resource);
	state_bind_text(stmt, 2, project);
	state_bind_text(stmt, 3, name);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		struct state_object key = { .kind = kind };
		struct buf addr = { 0 };

		key.resource = (char *)resource;
		key.project = (char *)project;
		key.name = (char *)name;
		state_object_address(&addr, &key);
		err_set(err, ERR_NOTFOUND, "no %s '%s' in the state file",
		    d->name, buf_str(&addr));
		buf_release(&addr);
		goto out;
	}
	if (step != SQLITE_ROW) {
		state_sqlerr(st, err, "reading live objects");
		goto out;
	}
	if (read_row(stmt, d, out) != 0) {
		err_set(err, ERR_NOMEM, "out of memory");
		state_object_release(out);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	buf_release(&sql);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Resources                                                           */

static int
read_resource(sqlite3_stmt *stmt, struct state_resource *r)
{
	memset(r, 0, sizeof(*r));
	if (state_coldup(stmt, 0, &r->name) != 0 ||
	    state_coldup(stmt, 3, &r->stale_error) != 0)
		return -1;
	r->refreshed_at = sqlite3_column_int64(stmt, 1);
	r->stale_since = sqlite3_column_int64(stmt, 2);
	return 0;
}

int
state_list_resources(
    struct state *st, struct state_resources *out, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct state_resource *r;
	int rc = -1, step;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt,
	        "SELECT name, refreshed_at, stale_since, stale_error "
	        "FROM resources ORDER BY name",
	        err) != 0)
		return -1;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		r = vec_push((void **)&out->v, &out->n, sizeof(*r));
		if (r == NULL || read_resource(stmt, r) != 0) {
			err_set(err, ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading resources");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (rc != 0)
		state_resources_release(out);
	return rc;
}

int
state_get_resource(struct state *st, const char *name,
    struct state_resource *out, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	memset(out, 0, sizeof(*out));
	if (state_prepare(st, &stmt,
	        "SELECT name, refreshed_at, stale_since, stale_error "
	        "FROM resources WHERE name = ?1",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, name);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		err_set(err, ERR_NOTFOUND, "resource '%s' was never refreshed",
		    name);
		goto out;
	}
	if (step != SQLITE_ROW) {
		state_sqlerr(st, err, "reading resources");
		goto out;
	}
	if (read_resource(stmt, out) != 0) {
		state_resource_release(out);
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

void
state_resource_release(struct state_resource *res)
{
	if (res == NULL)
		return;
	free(res->name);
	free(res->stale_error);
	memset(res, 0, sizeof(*res));
}

void
state_resources_release(struct state_resources *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++)
		state_resource_release(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

void
state_changes_release(struct state_changes *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++) {
		free(list->v[i].resource);
		free(list->v[i].project);
		free(list->v[i].name);
		free(list->v[i].fields);
	}
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* ------------------------------------------------------------------ */
/* Refresh                                                             */

struct state_refresh {
	struct state *st;
	char *resource;
	struct state_objects objs;       /* in the order put */
	struct state_openai_catalog cat; /* .resource NULL: none put */
};

int
state_refresh_begin(struct state *st, struct state_refresh **out,
    const char *resource, struct err *err)
{
	struct state_refresh *r;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->resource = strdup(resource)) == NULL) {
		free(r);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	r->st = st;
	*out = r;
	return 0;
}

static int
dupfield(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = strdup(src);
	return *dst == NULL ? -1 : 0;
}

int
state_refresh_put(
    struct state_refresh *r, const struct state_object *obj, struct err *err)
{
	const struct kind_desc *d = desc_of(obj->kind);
	struct state_object *o;
	size_t i;

	if (d == NULL)
		return err_set(
		    err, ERR_SPEC, "unknown object kind %d", (int)obj->kind);
	if (obj->name == NULL ||
	    (d->kind != STATE_PROJECT && d->kind != STATE_OPENAI_DEPLOYMENT &&
	        obj->project == NULL))
		return err_set(err, ERR_SPEC, "a %s needs a %s", d->name,
		    obj->name == NULL ? "name" : "project");
	o = vec_push((void **)&r->objs.v, &r->objs.n, sizeof(*o));
	if (o == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	o->kind = obj->kind;
	if (dupfield(&o->resource, r->resource) != 0 ||
	    dupfield(&o->name, obj->name) != 0 ||
	    dupfield(&o->project,
	        d->kind == STATE_PROJECT                 ? obj->name
	            : d->kind == STATE_OPENAI_DEPLOYMENT ? NULL
	                                                 : obj->project) != 0)
		goto nomem;
	for (i = 0; i < d->ncols; i++)
		if (dupfield(&FIELD(o, d->cols[i].off),
		        FIELD(obj, d->cols[i].off)) != 0)
			goto nomem;
	return 0;
nomem:
	state_object_release(o);
	r->objs.n--;
	return err_set(err, ERR_NOMEM, "out of memory");
}

void
state_refresh_abort(struct state_refresh *r)
{
	if (r == NULL)
		return;
	state_objects_release(&r->objs);
	state_openai_catalog_release(&r->cat);
	free(r->resource);
	free(r);
}

int
state_refresh_put_openai_catalog(struct state_refresh *r,
    const struct state_openai_catalog *rec, struct err *err)
{
	struct state_openai_catalog c = { 0 };

	if ((c.resource = strdup(r->resource)) == NULL ||
	    (rec->region != NULL && (c.region = strdup(rec->region)) == NULL) ||
	    (rec->models != NULL && (c.models = strdup(rec->models)) == NULL) ||
	    (rec->usages != NULL && (c.usages = strdup(rec->usages)) == NULL) ||
	    (rec->finetunes != NULL &&
	        (c.finetunes = strdup(rec->finetunes)) == NULL)) {
		state_openai_catalog_release(&c);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	state_openai_catalog_release(&r->cat);
	r->cat = c;
	return 0;
}

/* Orders by kind, project, name, then by the order put (the index kept in
 * refreshed_at while sorting), so the last put of a key can win. */
static int
cmp_key(const void *pa, const void *pb)
{
	const struct state_object *a = pa, *b = pb;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = state_strcmp(a->project, b->project)) != 0)
		return c;
	if ((c = state_strcmp(a->name, b->name)) != 0)
		return c;
	return (a->refreshed_at > b->refreshed_at) -
	    (a->refreshed_at < b->refreshed_at);
}

static int
same_key(const struct state_object *a, const struct state_object *b)
{
	return a->kind == b->kind &&
	    state_strcmp(a->project, b->project) == 0 &&
	    state_strcmp(a->name, b->name) == 0;
}

static int
add_change(struct state_changes *changes, enum state_change_type type,
    const struct state_object *o, const char *fields)
{
	struct state_change *c;

	if (changes == NULL)
		return 0;
	c = vec_push((void **)&changes->v, &changes->n, sizeof(*c));
	if (c == NULL)
		return -1;
	c->type = type;
	c->kind = o->kind;
	if (dupfield(&c->resource, o->resource) != 0 ||
	    dupfield(&c->project, o->project) != 0 ||
	    dupfield(&c->name, o->name) != 0 ||
	    dupfield(&c->fields, fields) != 0)
		return -1;
	return 0;
}

static int
bind_key(sqlite3_stmt *stmt, const struct state_object *o, int first)
{
	state_bind_text(stmt, first, o->resource);
	if (o->kind == STATE_MODEL || o->kind == STATE_DEPLOYMENT) {
		state_bind_text(stmt, first + 1, o->project);
		state_bind_text(stmt, first + 2, o->name);
		return first + 3;
	}
	state_bind_text(stmt, first + 1, o->name);
	return first + 2;
}

/* Writes one row: INSERT (old NULL), UPDATE, or DELETE (o NULL). */
static int
write_row(struct state *st, const struct kind_desc *d,
    const struct state_object *o, const struct state_object *old, int64_t now,
    struct err *err)
{
	int two = d->kind == STATE_MODEL || d->kind == STATE_DEPLOYMENT;
	const char *keys = two ? "resource = ? AND project = ? AND %s = ?"
	                       : "resource = ? AND %s = ?";
	struct buf sql = { 0 };
	sqlite3_stmt *stmt = NULL;
	size_t i;
	int rc = -1, n = 1;

	if (o == NULL) {
		buf_addf(&sql, "DELETE FROM %s WHERE ", d->table);
		buf_addf(&sql, keys, d->name_col);
	} else if (old == NULL) {
		buf_addf(&sql, "INSERT INTO %s (", d->table);
		for (i = 0; i < d->ncols; i++)
			buf_addf(&sql, "%s, ", d->cols[i].sql);
		buf_addf(&sql, "refreshed_at, resource, %s%s) VALUES (",
		    two ? "project, " : "", d->name_col);
		for (i = 0; i < d->ncols + (two ? 4 : 3); i++)
			buf_addstr(&sql, i ? ", ?" : "?");
		buf_addch(&sql, ')');
	} else {
		buf_addf(&sql, "UPDATE %s SET ", d->table);
		for (i = 0; i < d->ncols; i++)
			buf_addf(&sql, "%s = ?, ", d->cols[i].sql);
		buf_addstr(&sql, "refreshed_at = ? WHERE ");
		buf_addf(&sql, keys, d->name_col);
	}
	if (sql.failed) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (state_prepare(st, &stmt, buf_str(&sql), err) != 0)
		goto out;
	if (o != NULL) {
		for (i = 0; i < d->ncols; i++)
			state_bind_text(stmt, n++, FIELD(o, d->cols[i].off));
		sqlite3_bind_int64(stmt, n++, now);
	}
	bind_key(stmt, o != NULL ? o : old, n);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_sqlerr(st, err, "writing live objects");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	buf_release(&sql);
	return rc;
}

/* The Azure names of the fields that differ, comma-separated. */
static int
diff_fields(struct buf *out, const struct kind_desc *d,
    const struct state_object *a, const struct state_object *b)
{
	size_t i;

	for (i = 0; i < d->ncols; i++)
		if (state_strcmp(FIELD(a, d->cols[i].off),
		        FIELD(b, d->cols[i].off)) != 0) {
			if (out->len > 0)
				buf_addch(out, ',');
			buf_addstr(out, d->cols[i].azure);
		}
	return out->failed ? -1 : 0;
}

/* Makes one kind's rows of the resource equal to puts[0..n). */
static int
replace_kind(struct state *st, const struct kind_desc *d, const char *resource,
    struct state_object *puts, size_t n, int64_t now,
    struct state_changes *changes, int *changed, struct err *err)
{
	struct state_objects old = { 0 };
	struct buf fields = { 0 };
	size_t i = 0, j = 0;
	int c, rc = -1;

	if (load_kind(st, d, resource, &old, err) != 0)
		goto out;
	for (j = 0; j < old.n; j++)
		old.v[j].refreshed_at = 0;
	if (old.n > 1)
		qsort(old.v, old.n, sizeof(old.v[0]), cmp_key);
	j = 0;
	while (i < n || j < old.n) {
		if (i == n)
			c = 1;
		else if (j == old.n)
			c = -1;
		else {
			c = state_strcmp(puts[i].project, old.v[j].project);
			if (c == 0)
				c = state_strcmp(puts[i].name, old.v[j].name);
		}
		buf_reset(&fields);
		if (c < 0) {
			if (write_row(st, d, &puts[i], NULL, now, err) != 0)
				goto out;
			if (add_change(changes, STATE_ADDED, &puts[i], NULL))
				goto nomem;
			*changed = 1;
			i++;
		} else if (c > 0) {
			if (write_row(st, d, NULL, &old.v[j], now, err) != 0)
				goto out;
			if (add_change(changes, STATE_REMOVED, &old.v[j], NULL))
				goto nomem;
			*changed = 1;
			j++;
		} else {
			if (diff_fields(&fields, d, &puts[i], &old.v[j]) != 0)
				goto nomem;
			if (write_row(st, d, &puts[i], &old.v[j], now, err) !=
			    0)
				goto out;
			if (fields.len > 0) {
				if (add_change(changes, STATE_MODIFIED,
				        &puts[i], buf_str(&fields)))
					goto nomem;
				*changed = 1;
			}
			i++;
			j++;
		}
	}
	rc = 0;
	goto out;
nomem:
	err_set(err, ERR_NOMEM, "out of memory");
out:
	state_objects_release(&old);
	buf_release(&fields);
	return rc;
}

/* Upserts the resource row as freshly read; sets *was_stale. */
static int
mark_fresh(struct state *st, const char *resource, int64_t now, int *was_stale,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	*was_stale = 0;
	if (state_prepare(st, &stmt,
	        "SELECT stale_since IS NOT NULL FROM resources WHERE name = ?1",
	        err) != 0)
		return -1;
	state_bind_text(stmt, 1, resource);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW)
		*was_stale = sqlite3_column_int(stmt, 0);
	else if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading resources");
		goto out;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (state_prepare(st, &stmt,
	        "INSERT INTO resources (name, refreshed_at) VALUES (?1, ?2) "
	        "ON CONFLICT (name) DO UPDATE SET refreshed_at = ?2, "
	        "stale_since = NULL, stale_error = NULL",
	        err) != 0)
		goto out;
	state_bind_text(stmt, 1, resource);
	sqlite3_bind_int64(stmt, 2, now);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_sqlerr(st, err, "writing resources");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

int
state_refresh_commit(
    struct state_refresh *r, struct state_changes *changes, struct err *err)
{
	struct state *st = r->st;
	struct state_object *v = r->objs.v;
	int64_t now = state_now();
	size_t i, k, n, start;
	int changed = 0, was_stale, rc = -1;

	/* Sort by key keeping the order put, then keep each key's last. */
	for (i = 0; i < r->objs.n; i++)
		v[i].refreshed_at = (int64_t)i;
	if (r->objs.n > 1)
		qsort(v, r->objs.n, sizeof(v[0]), cmp_key);
	for (i = 0, n = 0; i < r->objs.n; i++) {
		if (i + 1 < r->objs.n && same_key(&v[i], &v[i + 1])) {
			state_object_release(&v[i]);
			continue;
		}
		if (n != i) {
			v[n] = v[i];
			memset(&v[i], 0, sizeof(v[i]));
		}
		n++;
	}
	r->objs.n = n;

	if (state_begin(st, err) != 0)
		goto out;
	for (k = 0, i = 0; k < N(kinds); k++) {
		start = i;
		while (i < n && v[i].kind == kinds[k].kind)
			i++;
		if (replace_kind(st, &kinds[k], r->resource, v + start,
		        i - start, now, changes, &changed, err) != 0)
			goto fail;
	}
	if (r->cat.resource != NULL) {
		int cat_changed;

		if (state_openai_catalog_write(
		        st, &r->cat, &cat_changed, err) != 0)
			goto fail;
		changed |= cat_changed;
	}
	if (mark_fresh(st, r->resource, now, &was_stale, err) != 0)
		goto fail;
	if ((changed || was_stale) && state_bump_revision(st, err) != 0)
		goto fail;
	if (state_commit(st, err) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	state_rollback(st);
	err_wrap(err, "refreshing '%s'", r->resource);
out:
	state_refresh_abort(r);
	return rc;
}

int
state_mark_stale(
    struct state *st, const char *resource, const char *why, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int64_t now = state_now();
	int rc = -1, was_fresh = 1, step;

	if (state_begin(st, err) != 0)
		return -1;
	if (state_prepare(st, &stmt,
	        "SELECT stale_since IS NULL FROM resources WHERE name = ?1",
	        err) != 0)
		goto out;
	state_bind_text(stmt, 1, resource);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW)
		was_fresh = sqlite3_column_int(stmt, 0);
	else if (step != SQLITE_DONE) {
		state_sqlerr(st, err, "reading resources");
		goto out;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (state_prepare(st, &stmt,
	        "INSERT INTO resources (name, refreshed_at, stale_since, "
	        "stale_error) VALUES (?1, 0, ?2, ?3) "
	        "ON CONFLICT (name) DO UPDATE SET "
	        "stale_since = coalesce(stale_since, ?2), stale_error = ?3",
	        err) != 0)
		goto out;
	state_bind_text(stmt, 1, resource);
	sqlite3_bind_int64(stmt, 2, now);
	state_bind_text(stmt, 3, why);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_sqlerr(st, err, "writing resources");
		goto out;
	}
	if (was_fresh && state_bump_revision(st, err) != 0)
		goto out;
	if (state_commit(st, err) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (rc != 0)
		state_rollback(st);
	return rc;
}
