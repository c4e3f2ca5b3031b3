/*
 * status.c - failover readiness: the drift report's rows, with what an
 * operator needs to decide where traffic can go (status.h).
 *
 * The findings come from lib/drift unchanged; this module only adds the
 * facts (replication and training records, live deployments, age of
 * data), cache_old (--max-age) and the verdict, so "standby status" says
 * "ready" exactly when "standby drift" says "in sync" (and the cache is
 * recent enough).
 *
 * --max-age judges when standby last read a resource, not how old the
 * data is: a source unchanged for a month is replicated exactly, and its
 * replica is ready; a cache a day old may no longer say the truth.  The
 * data's age (since the source last changed) is shown, not judged.
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "config.h"
#include "drift.h"
#include "planfile.h"
#include "status.h"
#include "status_int.h"
#include "timeutil.h"

struct sctx {
	const struct plan_view *view;
	const struct status_opts *opts;
	int nomem;
};

static void
put_str(struct sctx *s, cJSON *o, const char *k, const char *v)
{
	if ((v == NULL ? cJSON_AddNullToObject(o, k)
	               : cJSON_AddStringToObject(o, k, v)) == NULL)
		s->nomem = 1;
}

static void
put_num(struct sctx *s, cJSON *o, const char *k, long long v)
{
	if (cJSON_AddNumberToObject(o, k, (double)v) == NULL)
		s->nomem = 1;
}

static void
put_time(struct sctx *s, cJSON *o, const char *k, int64_t t)
{
	char when[21];

	if (t <= 0) {
		put_str(s, o, k, NULL);
		return;
	}
	plan_format_time(t, when);
	put_str(s, o, k, when);
}

static const struct state_object *
object(struct sctx *s, enum state_kind kind, const char *res, const char *p,
    const char *name)
{
	size_t i;

	for (i = 0; i < s->view->nobjects; i++) {
		const struct state_object *o = &s->view->objects[i];

		if (o->kind == kind && strcmp(o->resource, res) == 0 &&
		    o->project != NULL && strcmp(o->project, p) == 0 &&
		    (name == NULL || strcmp(o->name, name) == 0))
			return o;
	}
	return NULL;
}

static const struct state_replication *
record(struct sctx *s, const char *res, const char *p)
{
	size_t i;

	for (i = 0; i < s->view->nreplications; i++)
		if (strcmp(s->view->replications[i].replica_resource, res) ==
		        0 &&
		    strcmp(s->view->replications[i].project, p) == 0)
			return &s->view->replications[i];
	return NULL;
}

static const struct state_trained *
trained(struct sctx *s, const char *res, const char *p, const char *label)
{
	size_t i;

	for (i = 0; i < s->view->ntrained; i++)
		if (strcmp(s->view->trained[i].replica_resource, res) == 0 &&
		    strcmp(s->view->trained[i].project, p) == 0 &&
		    strcmp(s->view->trained[i].label, label) == 0)
			return &s->view->trained[i];
	return NULL;
}

const char *
status_verdict(const cJSON *findings)
{
	static const char *const blocking[] = { "unreachable",
		"replica_missing", "source_missing", "model_missing",
		"deployment_missing", "provisioning_failed", NULL };
	const cJSON *f, *days;
	const char *code;
	size_t i;
	int stale = 0;

	cJSON_ArrayForEach(f, findings)
	{
		code = planfile_str(f, "code");
		if (code == NULL)
			code = "";
		for (i = 0; blocking[i] != NULL; i++)
			if (strcmp(code, blocking[i]) == 0)
				return "not_ready";
		days = planfile_get(f, "days_left");
		if (strcmp(code, "expiring") == 0 && cJSON_IsNumber(days) &&
		    days->valuedouble < 0)
			return "not_ready";
		stale = 1;
	}
	return stale ? "stale" : "ready";
}

int
status_verdict_rank(const char *v)
{
	if (v == NULL || strcmp(v, "ready") == 0)
		return 0;
	return strcmp(v, "stale") == 0 ? 1 : 2;
}

static const struct state_resource *
resource(struct sctx *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->view->nresources; i++)
		if (strcmp(s->view->resources[i].name, name) == 0)
			return &s->view->resources[i];
	return NULL;
}

/* Adds cache_old to findings when the row's resource was read longer
 * than --max-age ago (an unreachable one already says so). */
static void
cache_age(struct sctx *s, cJSON *row, cJSON *findings)
{
	const struct state_resource *r =
	    resource(s, planfile_str(row, "resource"));
	const cJSON *f;
	struct buf msg = { .max = 1024 };
	cJSON *o;
	long long age;

	put_time(s, row, "checked_at", r != NULL ? r->refreshed_at : 0);
	if (s->opts->max_age_s <= 0 || r == NULL || r->refreshed_at <= 0)
		return;
	cJSON_ArrayForEach(f, findings)
	{
		if (strcmp(planfile_str(f, "code"), "unreachable") == 0)
			return;
	}
	age = s->opts->now - r->refreshed_at;
	if (age <= s->opts->max_age_s)
		return;
	buf_addf(&msg,
	    "%s was last read %lld s ago, more than --max-age (%lld s): "
	    "run standby refresh",
	    r->name, age, s->opts->max_age_s);
	if (msg.failed || (o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(findings, o)) {
		s->nomem = 1;
		buf_release(&msg);
		return;
	}
	put_str(s, o, "code", "cache_old");
	put_str(s, o, "message", buf_str(&msg));
	put_str(s, o, "object", r->name);
	put_num(s, o, "age_seconds", age);
	buf_release(&msg);
}

/* The facts of one row: records, models, deployments, age of data. */
static void
row_facts(struct sctx *s, cJSON *row)
{
	const char *P = planfile_str(row, "project");
	const char *R = planfile_str(row, "resource");
	const char *role = planfile_str(row, "role");
	const struct state_replication *rec = record(s, R, P);
	const struct state_object *po = object(s, STATE_PROJECT, R, P, P);
	const struct state_trained *tr;
	const char *as_of = NULL;
	cJSON *o, *arr, *m;
	long long t;
	size_t i;

	if (rec != NULL) {
		if ((o = cJSON_AddObjectToObject(row, "last_replicated")) ==
		    NULL) {
			s->nomem = 1;
			return;
		}
		put_time(s, o, "at", rec->imported_at);
		put_str(s, o, "from", rec->source_resource);
		put_str(s, o, "snapshot", rec->snapshot);
		put_str(s, o, "source_modified", rec->source_modified);
		as_of = rec->source_modified;
	} else {
		put_str(s, row, "last_replicated", NULL);
		if (po != NULL)
			as_of = po->last_modified;
	}
	if (strcmp(role, "source") == 0 && po != NULL)
		as_of = po->last_modified;
	put_str(s, row, "data_as_of", as_of);
	if (as_of != NULL && timeutil_parse(as_of, &t) == 0)
		put_num(s, row, "data_age_seconds",
		    s->opts->now > t ? s->opts->now - t : 0);
	else
		put_str(s, row, "data_age_seconds", NULL);
	if ((arr = cJSON_AddArrayToObject(row, "models")) == NULL) {
		s->nomem = 1;
		return;
	}
	for (i = 0; i < s->view->nobjects; i++) {
		const struct state_object *x = &s->view->objects[i];

		if (x->kind != STATE_MODEL || strcmp(x->resource, R) != 0 ||
		    strcmp(x->project, P) != 0)
			continue;
		if ((m = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, m)) {
			cJSON_Delete(m);
			s->nomem = 1;
			return;
		}
		tr = trained(s, R, P, x->name);
		put_str(s, m, "label", x->name);
		put_str(s, m, "last_trained", x->last_trained);
		put_str(s, m, "snapshot", tr != NULL ? tr->snapshot : NULL);
		put_str(s, m, "expires", x->expiration);
	}
	if ((arr = cJSON_AddArrayToObject(row, "deployments")) == NULL) {
		s->nomem = 1;
		return;
	}
	for (i = 0; i < s->view->nobjects; i++) {
		const struct state_object *x = &s->view->objects[i];

		if (x->kind != STATE_DEPLOYMENT ||
		    strcmp(x->resource, R) != 0 || strcmp(x->project, P) != 0)
			continue;
		if ((m = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, m)) {
			cJSON_Delete(m);
			s->nomem = 1;
			return;
		}
		put_str(s, m, "name", x->name);
		put_str(s, m, "model_id", x->model_id);
		put_str(s, m, "last_deployed", x->last_deployed);
		put_str(s, m, "expires", x->expiration);
	}
}

/* Adds name to the array of strings arr unless it is there. */
static void
add_unique(struct sctx *s, cJSON *arr, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		if (strcmp(it->valuestring, name) == 0)
			return;
	}
	if (!cJSON_AddItemToArray(arr, cJSON_CreateString(name)))
		s->nomem = 1;
}

/* The matrix: per project, per region, the worst verdict. */
static cJSON *
matrix(struct sctx *s, const cJSON *rows, cJSON *regions, cJSON *projects)
{
	cJSON *mx = cJSON_CreateArray(), *line, *cell;
	const cJSON *p, *r, *row;
	const char *v, *best;

	cJSON_ArrayForEach(row, rows)
	{
		add_unique(s, projects, planfile_str(row, "project"));
		add_unique(s, regions, planfile_str(row, "region"));
	}
	cJSON_ArrayForEach(p, projects)
	{
		if ((line = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(mx, line)) {
			cJSON_Delete(line);
			s->nomem = 1;
			break;
		}
		put_str(s, line, "project", p->valuestring);
		if ((cell = cJSON_AddObjectToObject(line, "regions")) == NULL) {
			s->nomem = 1;
			break;
		}
		cJSON_ArrayForEach(r, regions)
		{
			best = NULL;
			cJSON_ArrayForEach(row, rows)
			{
				if (strcmp(planfile_str(row, "project"),
				        p->valuestring) != 0 ||
				    strcmp(planfile_str(row, "region"),
				        r->valuestring) != 0)
					continue;
				v = planfile_str(row, "verdict");
				if (best == NULL ||
				    status_verdict_rank(v) >
				        status_verdict_rank(best))
					best = v;
			}
			put_str(s, cell, r->valuestring, best);
		}
	}
	return mx;
}

/* Counts the verdicts of the OpenAI endpoints into n. */
static void
count_openai(const cJSON *oai, long long n[3])
{
	const cJSON *d, *e;

	cJSON_ArrayForEach(d, oai)
	{
		cJSON_ArrayForEach(e, planfile_get(d, "endpoints"))
		    n[status_verdict_rank(planfile_str(e, "verdict"))]++;
	}
}

int
status_build(cJSON **out, const struct config *cfg,
    const struct plan_view *view, const struct status_opts *opts,
    struct err *err)
{
	struct drift_opts dopts = { 0 };
	struct sctx s = { view, opts, 0 };
	struct config lang;
	cJSON *report = NULL, *doc = NULL, *rows = NULL, *row, *sub = NULL;
	cJSON *regions = NULL, *projects = NULL, *oai = NULL, *f;
	long long n[3] = { 0, 0, 0 };
	const char *v;

	*out = NULL;
	dopts.now = opts->now;
	dopts.expiry_window_s = opts->expiry_window_s;
	dopts.standby_version = opts->standby_version;
	dopts.assets_hash = opts->assets_hash;
	dopts.assets_arg = opts->assets_arg;
	/* drift reports Language projects; OpenAI deployments are judged
	 * here (status_openai.c), so the plan drift makes leaves them out:
	 * their pre-flight and fine-tune hashes are no business of status. */
	lang = *cfg;
	lang.openai = NULL;
	lang.nopenai = 0;
	if (drift_build(&report, &lang, view, &dopts, err) != 0)
		return -1;
	if (status_openai_build(&oai, cfg, view, opts, err) != 0)
		goto fail;
	if ((doc = cJSON_CreateObject()) == NULL)
		goto nomem;
	put_num(&s, doc, "format_version", STATUS_FORMAT_VERSION);
	put_str(&s, doc, "standby_version",
	    planfile_str(report, "standby_version"));
	if (!cJSON_AddItemToObject(doc, "config",
	        cJSON_Duplicate(planfile_get(report, "config"), 1)))
		goto nomem;
	put_str(&s, doc, "created_at", planfile_str(report, "created_at"));
	put_num(&s, doc, "expiry_window_seconds", opts->expiry_window_s);
	if (opts->max_age_s > 0)
		put_num(&s, doc, "max_age_seconds", opts->max_age_s);
	else
		put_str(&s, doc, "max_age_seconds", NULL);
	/* The rows: the drift units, taken over, with facts and verdict. */
	rows = cJSON_DetachItemFromObjectCaseSensitive(report, "units");
	if (rows == NULL)
		goto nomem;
	cJSON_ArrayForEach(row, rows)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(row, "status");
		f = cJSON_DetachItemFromObjectCaseSensitive(row, "findings");
		if (f == NULL && (f = cJSON_CreateArray()) == NULL)
			goto nomem;
		cache_age(&s, row, f);
		v = status_verdict(f);
		n[status_verdict_rank(v)]++;
		put_str(&s, row, "verdict", v);
		row_facts(&s, row);
		if (!cJSON_AddItemToObject(row, "findings", f)) {
			cJSON_Delete(f);
			goto nomem;
		}
	}
	count_openai(oai, n);
	if ((regions = cJSON_CreateArray()) == NULL ||
	    (projects = cJSON_CreateArray()) == NULL)
		goto nomem;
	if ((sub = matrix(&s, rows, regions, projects)) == NULL)
		goto nomem;
	if ((f = cJSON_AddObjectToObject(doc, "summary")) == NULL)
		goto nomem;
	put_num(&s, f, "ready", n[0]);
	put_num(&s, f, "stale", n[1]);
	put_num(&s, f, "not_ready", n[2]);
	put_str(&s, doc, "verdict",
	    n[2] > 0       ? "not_ready"
	        : n[1] > 0 ? "stale"
	                   : "ready");
	cJSON_AddItemToObject(doc, "regions", regions);
	cJSON_AddItemToObject(doc, "projects", projects);
	cJSON_AddItemToObject(doc, "matrix", sub);
	regions = projects = sub = NULL;
	cJSON_AddItemToObject(
	    doc, "resources", cJSON_DetachItemFromObject(report, "resources"));
	cJSON_AddItemToObject(doc, "rows", rows);
	cJSON_AddItemToObject(doc, "openai", oai);
	rows = oai = NULL;
	if (s.nomem)
		goto nomem;
	cJSON_Delete(report);
	*out = doc;
	return 0;
nomem:
	err_set(err, ERR_NOMEM, "out of memory making the status");
fail:
	cJSON_Delete(sub);
	cJSON_Delete(rows);
	cJSON_Delete(oai);
	cJSON_Delete(regions);
	cJSON_Delete(projects);
	cJSON_Delete(report);
	cJSON_Delete(doc);
	return -1;
}

int
status_summary_line(const cJSON *st, struct buf *out)
{
	const cJSON *sum = planfile_get(st, "summary");

	return buf_addf(out,
	    "Failover readiness: %lld ready, %lld stale, %lld not ready.\n",
	    (long long)cJSON_GetNumberValue(planfile_get(sum, "ready")),
	    (long long)cJSON_GetNumberValue(planfile_get(sum, "stale")),
	    (long long)cJSON_GetNumberValue(planfile_get(sum, "not_ready")));
}

int
status_all_ready(const cJSON *status)
{
	const cJSON *sum = planfile_get(status, "summary");
	const cJSON *st = planfile_get(sum, "stale");
	const cJSON *nr = planfile_get(sum, "not_ready");

	return cJSON_IsNumber(st) && cJSON_IsNumber(nr) &&
	    st->valuedouble == 0 && nr->valuedouble == 0;
}

/* ------------------------------------------------------------------ */
/* Text and markdown                                                   */

int
status_format_parse(enum status_format *out, const char *name, struct err *err)
{
	if (strcmp(name, "text") == 0)
		*out = STATUS_TEXT;
	else if (strcmp(name, "json") == 0)
		*out = STATUS_JSON;
	else if (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0)
		*out = STATUS_MARKDOWN;
	else if (strcmp(name, "html") == 0)
		*out = STATUS_HTML;
	else
		return err_set(err, ERR_SPEC,
		    "unknown format '%s' (text, json, markdown or html)", name);
	return 0;
}

void
status_add_text(struct buf *b, const char *s, int md)
{
	if (s == NULL) {
		buf_addstr(b, "-");
		return;
	}
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			buf_addf(b, md ? " " : "\\x%02x", (unsigned char)*s);
		else if (md && strchr("<>&", *s) != NULL)
			buf_addstr(b,
			    *s == '<'       ? "&lt;"
			        : *s == '>' ? "&gt;"
			                    : "&amp;");
		else if (md && strchr("|@*_`[]\\", *s) != NULL) {
			buf_addch(b, '\\');
			buf_addch(b, *s);
		} else
			buf_addch(b, *s);
	}
}

static void
add_age(struct buf *b, const cJSON *row)
{
	const cJSON *a = planfile_get(row, "data_age_seconds");
	long long s;

	if (!cJSON_IsNumber(a)) {
		buf_addstr(b, "unknown");
		return;
	}
	s = (long long)a->valuedouble;
	if (s >= 86400)
		buf_addf(b, "%lldd %lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		buf_addf(b, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		buf_addf(b, "%lldm", s / 60);
	else
		buf_addf(b, "%llds", s);
}

static const char *
verdict_words(const char *v, int md)
{
	if (v == NULL)
		return "-";
	if (strcmp(v, "ready") == 0)
		return md ? "✅ ready" : "ready";
	if (strcmp(v, "stale") == 0)
		return md ? "⚠️ stale" : "stale";
	return md ? "⛔ not ready" : "NOT READY";
}

/* The details of a row, one "label  value" line each (md: a list). */
static void
row_details(struct buf *b, const cJSON *row, int md)
{
	const char *pre = md ? "- " : "    ";
	const cJSON *rec = planfile_get(row, "last_replicated"), *it;
	int first;

	buf_addf(
	    b, "%s%s", pre, md ? "**last replicated**: " : "last replicated  ");
	if (cJSON_IsObject(rec)) {
		buf_addf(b, "%s from ", planfile_str(rec, "at"));
		status_add_text(b, planfile_str(rec, "from"), md);
		buf_addf(b, ", snapshot %.12s (source as of %s)\n",
		    planfile_str(rec, "snapshot")
		        ? planfile_str(rec, "snapshot")
		        : "none",
		    planfile_str(rec, "source_modified")
		        ? planfile_str(rec, "source_modified")
		        : "unknown");
	} else {
		buf_addstr(b,
		    strcmp(planfile_str(row, "role"), "source") == 0
		        ? "(the source)\n"
		        : "never by standby\n");
	}
	buf_addf(b, "%s%s", pre, md ? "**models**: " : "models           ");
	first = 1;
	cJSON_ArrayForEach(it, planfile_get(row, "models"))
	{
		buf_addstr(b, first ? "" : "; ");
		status_add_text(b, planfile_str(it, "label"), md);
		buf_addf(b, " trained %s",
		    planfile_str(it, "last_trained")
		        ? planfile_str(it, "last_trained")
		        : "unknown");
		if (planfile_str(it, "snapshot") != NULL)
			buf_addf(b, " from snapshot %.12s",
			    planfile_str(it, "snapshot"));
		if (planfile_str(it, "expires") != NULL)
			buf_addf(
			    b, ", expires %s", planfile_str(it, "expires"));
		first = 0;
	}
	buf_addstr(b, first ? "none\n" : "\n");
	buf_addf(b, "%s%s", pre,
	    md ? "**deployments live**: " : "deployments      ");
	first = 1;
	cJSON_ArrayForEach(it, planfile_get(row, "deployments"))
	{
		buf_addstr(b, first ? "" : "; ");
		status_add_text(b, planfile_str(it, "name"), md);
		buf_addstr(b, " -> ");
		status_add_text(b, planfile_str(it, "model_id"), md);
		if (planfile_str(it, "expires") != NULL)
			buf_addf(
			    b, ", expires %s", planfile_str(it, "expires"));
		first = 0;
	}
	buf_addstr(b, first ? "none\n" : "\n");
	buf_addf(
	    b, "%s%s", pre, md ? "**age of data**: " : "age of data      ");
	add_age(b, row);
	if (planfile_str(row, "data_as_of") != NULL)
		buf_addf(b, " (as of %s)", planfile_str(row, "data_as_of"));
	buf_addch(b, '\n');
	buf_addf(b, "%s%s%s\n", pre,
	    md ? "**last read**: " : "last read        ",
	    planfile_str(row, "checked_at") ? planfile_str(row, "checked_at")
	                                    : "never");
	cJSON_ArrayForEach(it, planfile_get(row, "findings"))
	{
		if (md)
			buf_addf(b, "%s`%s`: ", pre, planfile_str(it, "code"));
		else
			buf_addf(b, "%s! %s: ", pre, planfile_str(it, "code"));
		status_add_text(b, planfile_str(it, "message"), md);
		buf_addch(b, '\n');
	}
}

static void
render_matrix(struct buf *b, const cJSON *st, int md)
{
	const cJSON *r, *line;

	buf_addstr(b, md ? "| project |" : "  project             ");
	cJSON_ArrayForEach(r, planfile_get(st, "regions"))
	{
		if (md) {
			buf_addch(b, ' ');
			status_add_text(b, r->valuestring, 1);
			buf_addstr(b, " |");
		} else {
			buf_addf(b, "%-14s", r->valuestring);
		}
	}
	buf_addch(b, '\n');
	if (md) {
		buf_addstr(b, "|---|");
		cJSON_ArrayForEach(r, planfile_get(st, "regions"))
		    buf_addstr(b, "---|");
		buf_addch(b, '\n');
	}
	cJSON_ArrayForEach(line, planfile_get(st, "matrix"))
	{
		if (md) {
			buf_addstr(b, "| ");
			status_add_text(b, planfile_str(line, "project"), 1);
			buf_addstr(b, " |");
		} else {
			buf_addf(b, "  %-20s", planfile_str(line, "project"));
		}
		cJSON_ArrayForEach(r, planfile_get(line, "regions"))
		{
			if (md)
				buf_addf(b, " %s |",
				    verdict_words(r->valuestring, 1));
			else
				buf_addf(b, "%-14s",
				    verdict_words(r->valuestring, 0));
		}
		buf_addch(b, '\n');
	}
}

int
status_render(
    const cJSON *st, enum status_format fmt, struct buf *out, struct err *err)
{
	const cJSON *sum = planfile_get(st, "summary"), *row;
	int md = fmt == STATUS_MARKDOWN;
	char *s;

	if (fmt == STATUS_HTML)
		return status_render_html(st, out, err);
	if (fmt == STATUS_JSON) {
		if ((s = cJSON_Print(st)) == NULL)
			return err_set(err, ERR_NOMEM, "out of memory");
		buf_addstr(out, s);
		buf_addch(out, '\n');
		cJSON_free(s);
		return buf_check(out, err, "rendering the status");
	}
	buf_addstr(out,
	    md ? "## standby status: failover readiness\n\n"
	       : "Failover readiness of ");
	if (md)
		buf_addstr(out, "Configuration ");
	status_add_text(
	    out, planfile_str(planfile_get(st, "config"), "path"), md);
	buf_addf(out, "%s at %s: %lld ready, %lld stale, %lld not ready.\n\n",
	    "", planfile_str(st, "created_at"),
	    (long long)cJSON_GetObjectItem(sum, "ready")->valuedouble,
	    (long long)cJSON_GetObjectItem(sum, "stale")->valuedouble,
	    (long long)cJSON_GetObjectItem(sum, "not_ready")->valuedouble);
	render_matrix(out, st, md);
	cJSON_ArrayForEach(row, planfile_get(st, "rows"))
	{
		buf_addstr(out, md ? "\n### " : "\n");
		status_add_text(out, planfile_str(row, "project"), md);
		buf_addstr(out, " on ");
		status_add_text(out, planfile_str(row, "resource"), md);
		buf_addstr(out, " (");
		status_add_text(out, planfile_str(row, "region"), md);
		buf_addf(out, ", %s): %s\n%s", planfile_str(row, "role"),
		    verdict_words(planfile_str(row, "verdict"), md),
		    md ? "\n" : "");
		row_details(out, row, md);
	}
	status_render_openai(out, st, md);
	return buf_check(out, err, "rendering the status");
}
