/*
 * status_html.c - the status as one self-contained HTML page: what an
 * operator opens (or a CI job publishes) during an incident.  No script,
 * no font, no image, no external stylesheet: it must render from a file
 * on a laptop whose network is the thing that failed.  Colours carry the
 * verdict, and the words say it too, for those who cannot tell them
 * apart.
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "planfile.h"
#include "status.h"

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;"
    "margin:24px;color:#1f2328;background:#fff}"
    "h1{font-size:22px;margin:0 0 4px}"
    "p.meta{color:#59636e;margin:0 0 16px}"
    "table.matrix{border-collapse:collapse;margin:0 0 24px}"
    "table.matrix th,table.matrix td{border:2px solid #fff;padding:14px "
    "22px;text-align:center;font-size:16px}"
    "table.matrix th{background:#eaeef2}"
    "td.ready{background:#1a7f37;color:#fff}"
    "td.stale{background:#bf8700;color:#fff}"
    "td.not_ready{background:#cf222e;color:#fff}"
    "td.none{background:#f6f8fa;color:#8c959f}"
    "ul.summary{list-style:none;padding:0;display:flex;gap:16px}"
    "ul.summary li{padding:6px 12px;border-radius:6px;font-weight:600}"
    "li.ready{background:#dafbe1}li.stale{background:#fff8c5}"
    "li.not_ready{background:#ffebe9}"
    "section{border:1px solid #d0d7de;border-left-width:8px;"
    "border-radius:6px;padding:8px 16px;margin:0 0 12px}"
    "section.ready{border-left-color:#1a7f37}"
    "section.stale{border-left-color:#bf8700}"
    "section.not_ready{border-left-color:#cf222e}"
    "section h2{font-size:16px;margin:6px 0}"
    "dl{display:grid;grid-template-columns:160px 1fr;gap:4px 12px;"
    "margin:0}dt{color:#59636e}dd{margin:0}"
    "code{font-size:13px}ul.findings{margin:6px 0}"
    "td small{font-size:12px;opacity:.9}"
    "table.oai td{text-align:left;font-size:14px}"
    "table.oai td.ready,table.oai td.stale,table.oai td.not_ready"
    "{text-align:center}";

static void
esc(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_addstr(b, "&mdash;");
		return;
	}
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_addstr(b, "&amp;");
			break;
		case '<':
			buf_addstr(b, "&lt;");
			break;
		case '>':
			buf_addstr(b, "&gt;");
			break;
		case '"':
			buf_addstr(b, "&quot;");
			break;
		case '\'':
			buf_addstr(b, "&#39;");
			break;
		default:
			if ((unsigned char)*s >= 0x20 && *s != 0x7f)
				buf_addch(b, *s);
		}
	}
}

/* The verdict as a CSS class: one of a fixed set, never document text. */
static const char *
vclass(const char *v)
{
	if (v == NULL)
		return "none";
	if (strcmp(v, "ready") == 0)
		return "ready";
	if (strcmp(v, "stale") == 0)
		return "stale";
	return "not_ready";
}

static const char *
vwords(const char *v)
{
	if (v == NULL)
		return "&mdash;";
	if (strcmp(v, "ready") == 0)
		return "ready";
	if (strcmp(v, "stale") == 0)
		return "stale";
	return "not ready";
}

static long long
num(const cJSON *o, const char *k)
{
	const cJSON *n = planfile_get(o, k);

	return cJSON_IsNumber(n) ? (long long)n->valuedouble : 0;
}

static void
age(struct buf *b, const cJSON *row)
{
	const cJSON *a = planfile_get(row, "data_age_seconds");
	long long s;

	if (!cJSON_IsNumber(a)) {
		buf_addstr(b, "unknown");
		return;
	}
	s = (long long)a->valuedouble;
	if (s >= 86400)
		buf_addf(b, "%lld d %lld h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		buf_addf(b, "%lld h %lld min", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		buf_addf(b, "%lld min", s / 60);
	else
		buf_addf(b, "%lld s", s);
}

static void
details(struct buf *b, const cJSON *row)
{
	const cJSON *rec = planfile_get(row, "last_replicated"), *it;
	const char *v = planfile_str(row, "verdict");
	int first;

	buf_addf(b, "<section class=\"%s\"><h2>", vclass(v));
	esc(b, planfile_str(row, "project"));
	buf_addstr(b, " on ");
	esc(b, planfile_str(row, "resource"));
	buf_addstr(b, " (");
	esc(b, planfile_str(row, "region"));
	buf_addstr(b, ", ");
	esc(b, planfile_str(row, "role"));
	buf_addf(
	    b, ") &mdash; %s</h2><dl><dt>Last replicated</dt><dd>", vwords(v));
	if (cJSON_IsObject(rec)) {
		esc(b, planfile_str(rec, "at"));
		buf_addstr(b, " from ");
		esc(b, planfile_str(rec, "from"));
		buf_addstr(b, ", snapshot <code>");
		esc(b, planfile_str(rec, "snapshot"));
		buf_addstr(b, "</code> (source as of ");
		esc(b, planfile_str(rec, "source_modified"));
		buf_addstr(b, ")");
	} else {
		buf_addstr(b,
		    strcmp(planfile_str(row, "role"), "source") == 0
		        ? "the source"
		        : "never by standby");
	}
	buf_addstr(b, "</dd><dt>Models</dt><dd>");
	first = 1;
	cJSON_ArrayForEach(it, planfile_get(row, "models"))
	{
		buf_addstr(b, first ? "" : "<br>");
		esc(b, planfile_str(it, "label"));
		buf_addstr(b, " trained ");
		esc(b, planfile_str(it, "last_trained"));
		if (planfile_str(it, "snapshot") != NULL) {
			buf_addstr(b, " from snapshot <code>");
			esc(b, planfile_str(it, "snapshot"));
			buf_addstr(b, "</code>");
		}
		if (planfile_str(it, "expires") != NULL) {
			buf_addstr(b, ", expires ");
			esc(b, planfile_str(it, "expires"));
		}
		first = 0;
	}
	buf_addstr(b, first ? "none" : "");
	buf_addstr(b, "</dd><dt>Deployments live</dt><dd>");
	first = 1;
	cJSON_ArrayForEach(it, planfile_get(row, "deployments"))
	{
		buf_addstr(b, first ? "" : "<br>");
		esc(b, planfile_str(it, "name"));
		buf_addstr(b, " &rarr; <code>");
		esc(b, planfile_str(it, "model_id"));
		buf_addstr(b, "</code>");
		if (planfile_str(it, "expires") != NULL) {
			buf_addstr(b, ", expires ");
			esc(b, planfile_str(it, "expires"));
		}
		first = 0;
	}
	buf_addstr(b, first ? "none" : "");
	buf_addstr(b, "</dd><dt>Age of data</dt><dd>");
	age(b, row);
	if (planfile_str(row, "data_as_of") != NULL) {
		buf_addstr(b, " (as of ");
		esc(b, planfile_str(row, "data_as_of"));
		buf_addstr(b, ")");
	}
	buf_addstr(b, "</dd><dt>Last read</dt><dd>");
	esc(b, planfile_str(row, "checked_at"));
	buf_addstr(b, "</dd></dl>");
	first = 1;
	cJSON_ArrayForEach(it, planfile_get(row, "findings"))
	{
		buf_addstr(b, first ? "<ul class=\"findings\">" : "");
		buf_addstr(b, "<li><code>");
		esc(b, planfile_str(it, "code"));
		buf_addstr(b, "</code> ");
		esc(b, planfile_str(it, "message"));
		buf_addstr(b, "</li>");
		first = 0;
	}
	buf_addstr(b, first ? "</section>\n" : "</ul></section>\n");
}

/* Under a matrix cell, the distinct finding codes of the rows of
 * project in region: why it is not ready, at a glance. */
static void
reasons(struct buf *b, const cJSON *st, const char *project, const char *region)
{
	const cJSON *row, *f, *g, *row2;
	int first = 1, dup;

	cJSON_ArrayForEach(row, planfile_get(st, "rows"))
	{
		if (strcmp(planfile_str(row, "project"), project) != 0 ||
		    strcmp(planfile_str(row, "region"), region) != 0)
			continue;
		cJSON_ArrayForEach(f, planfile_get(row, "findings"))
		{
			/* once per code in this cell */
			dup = 0;
			cJSON_ArrayForEach(row2, planfile_get(st, "rows"))
			{
				if (row2 == row)
					break;
				if (strcmp(planfile_str(row2, "project"),
				        project) != 0 ||
				    strcmp(planfile_str(row2, "region"),
				        region) != 0)
					continue;
				cJSON_ArrayForEach(
				    g, planfile_get(row2, "findings"))
				{
					dup |=
					    strcmp(planfile_str(g, "code"),
					        planfile_str(f, "code")) == 0;
				}
			}
			for (g = planfile_get(row, "findings")->child; g != f;
			     g = g->next)
				dup |= strcmp(planfile_str(g, "code"),
				           planfile_str(f, "code")) == 0;
			if (dup)
				continue;
			buf_addstr(b, first ? "<br><small>" : ", ");
			esc(b, planfile_str(f, "code"));
			first = 0;
		}
	}
	if (!first)
		buf_addstr(b, "</small>");
}

/* The OpenAI deployments: one table row per endpoint, in failover
 * order, the verdict cell coloured. */
static void
openai(struct buf *b, const cJSON *st)
{
	const cJSON *oai = planfile_get(st, "openai"), *d, *e, *f, *m, *sku;
	const char *v;

	if (cJSON_GetArraySize(oai) == 0)
		return;
	buf_addstr(b,
	    "<h2>Azure OpenAI deployments</h2><p class=\"meta\">Endpoints "
	    "in failover order, primary first.</p>\n<table "
	    "class=\"matrix oai\"><tr><th>deployment</th><th>#</th>"
	    "<th>resource</th><th>region</th><th>endpoint</th><th>live</th>"
	    "<th>verdict</th></tr>\n");
	cJSON_ArrayForEach(d, oai)
	{
		cJSON_ArrayForEach(e, planfile_get(d, "endpoints"))
		{
			m = planfile_get(e, "model");
			sku = planfile_get(e, "sku");
			v = planfile_str(e, "verdict");
			buf_addstr(b, "<tr><th>");
			esc(b, planfile_str(d, "name"));
			buf_addf(b, "</th><td>%lld (%s)</td><td>",
			    num(e, "order"),
			    num(e, "order") == 1 ? "primary" : "secondary");
			esc(b, planfile_str(e, "resource"));
			buf_addstr(b, "</td><td>");
			esc(b, planfile_str(e, "region"));
			buf_addstr(b, "</td><td><code>");
			esc(b, planfile_str(e, "endpoint"));
			buf_addstr(b, "</code></td><td>");
			if (cJSON_IsTrue(planfile_get(e, "present"))) {
				esc(b, planfile_str(e, "provisioning_state"));
				buf_addstr(b, ", ");
				esc(b, planfile_str(sku, "name"));
				if (cJSON_IsNumber(
				        planfile_get(sku, "capacity")))
					buf_addf(
					    b, " %lld", num(sku, "capacity"));
				buf_addstr(b, ", ");
				esc(b, planfile_str(m, "name"));
				buf_addch(b, ' ');
				esc(b, planfile_str(m, "version"));
			} else {
				buf_addstr(b, "absent");
			}
			cJSON_ArrayForEach(f, planfile_get(e, "findings"))
			{
				buf_addstr(b, "<br><code>");
				esc(b, planfile_str(f, "code"));
				buf_addstr(b, "</code> ");
				esc(b, planfile_str(f, "message"));
			}
			buf_addf(b, "</td><td class=\"%s\">%s</td></tr>\n",
			    vclass(v), vwords(v));
		}
	}
	buf_addstr(b, "</table>\n");
}

int
status_render_html(const cJSON *st, struct buf *b, struct err *err)
{
	const cJSON *sum = planfile_get(st, "summary"), *r, *line, *row;
	const char *v;

	buf_addstr(b,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><title>standby status</title><style>");
	buf_addstr(b, css);
	buf_addstr(b,
	    "</style></head><body>\n<h1>Failover readiness</h1>"
	    "<p class=\"meta\">");
	esc(b, planfile_str(planfile_get(st, "config"), "path"));
	buf_addstr(b, " at ");
	esc(b, planfile_str(st, "created_at"));
	buf_addf(b,
	    "</p>\n<ul class=\"summary\"><li class=\"ready\">%lld ready</li>"
	    "<li class=\"stale\">%lld stale</li><li class=\"not_ready\">%lld "
	    "not ready</li></ul>\n",
	    num(sum, "ready"), num(sum, "stale"), num(sum, "not_ready"));
	buf_addstr(b, "<table class=\"matrix\"><tr><th>project</th>");
	cJSON_ArrayForEach(r, planfile_get(st, "regions"))
	{
		buf_addstr(b, "<th>");
		esc(b, r->valuestring);
		buf_addstr(b, "</th>");
	}
	buf_addstr(b, "</tr>\n");
	cJSON_ArrayForEach(line, planfile_get(st, "matrix"))
	{
		buf_addstr(b, "<tr><th>");
		esc(b, planfile_str(line, "project"));
		buf_addstr(b, "</th>");
		cJSON_ArrayForEach(r, planfile_get(line, "regions"))
		{
			v = cJSON_IsString(r) ? r->valuestring : NULL;
			buf_addf(
			    b, "<td class=\"%s\">%s", vclass(v), vwords(v));
			reasons(
			    b, st, planfile_str(line, "project"), r->string);
			buf_addstr(b, "</td>");
		}
		buf_addstr(b, "</tr>\n");
	}
	buf_addstr(b, "</table>\n");
	openai(b, st);
	if (cJSON_GetArraySize(planfile_get(st, "rows")) > 0)
		buf_addstr(b, "<h2>Details</h2>\n");
	cJSON_ArrayForEach(row, planfile_get(st, "rows")) details(b, row);
	buf_addstr(b, "</body></html>\n");
	return buf_check(b, err, "rendering the status page");
}
