/*
 * drift_render.c - the drift report as text (terminals, CI logs),
 * markdown (an issue or a job summary) or JSON (the artifact).  Every
 * rendering is made from the report JSON only, so a saved report renders
 * the same as a fresh one.
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "drift.h"
#include "planfile.h"

int
drift_format_parse(enum drift_format *out, const char *name, struct err *err)
{
	if (strcmp(name, "text") == 0)
		*out = DRIFT_TEXT;
	else if (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0)
		*out = DRIFT_MARKDOWN;
	else if (strcmp(name, "json") == 0)
		*out = DRIFT_JSON;
	else
		return err_set(err, ERR_SPEC,
		    "unknown format '%s' (text, markdown or json)", name);
	return 0;
}

static long long
num(const cJSON *o, const char *key)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(n) ? (long long)n->valuedouble : 0;
}

/* Text from the report, with control characters shown as \xNN so that a
 * hostile name cannot move the cursor. */
static void
add_safe(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_addstr(b, "-");
		return;
	}
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			buf_addf(b, "\\x%02x", (unsigned char)*s);
		else
			buf_addch(b, *s);
	}
}

/* Markdown-safe: HTML, table pipes, mentions and emphasis escaped. */
static void
add_md(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_addstr(b, "-");
		return;
	}
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<':
			buf_addstr(b, "&lt;");
			break;
		case '>':
			buf_addstr(b, "&gt;");
			break;
		case '&':
			buf_addstr(b, "&amp;");
			break;
		case '|':
		case '@':
		case '*':
		case '_':
		case '`':
		case '[':
		case ']':
		case '\\':
			buf_addch(b, '\\');
			buf_addch(b, *s);
			break;
		case '\n':
		case '\r':
			buf_addch(b, ' ');
			break;
		default:
			if ((unsigned char)*s >= 0x20)
				buf_addch(b, *s);
		}
	}
}

static void
add_duration(struct buf *b, long long s)
{
	if (s >= 86400)
		buf_addf(b, "%lldd %lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		buf_addf(b, "%lldh %lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		buf_addf(b, "%lldm", s / 60);
	else
		buf_addf(b, "%llds", s);
}

int
drift_summary_line(const cJSON *report, struct buf *out)
{
	const cJSON *sum = planfile_get(report, "summary");
	const cJSON *by = planfile_get(sum, "by_code"), *it;
	long long n = num(sum, "units"), ok = num(sum, "in_sync");
	int first = 1;

	if (!drift_has_drift(report)) {
		buf_addf(out, "No drift: %lld row%s in sync.\n", n,
		    n == 1 ? "" : "s");
		return 0;
	}
	buf_addf(
	    out, "Drift: %lld of %lld row%s (", n - ok, n, n == 1 ? "" : "s");
	cJSON_ArrayForEach(it, by)
	{
		buf_addf(out, "%s%lld %s", first ? "" : ", ",
		    (long long)it->valuedouble, it->string);
		first = 0;
	}
	buf_addstr(out, ").\n");
	return 0;
}

static const char *
status_word(const char *status)
{
	if (strcmp(status, "in_sync") == 0)
		return "ok";
	if (strcmp(status, "unreachable") == 0)
		return "DOWN";
	return "DRIFT";
}

static void
render_text(const cJSON *r, struct buf *b)
{
	const cJSON *u, *f;
	const char *st;

	buf_addstr(b, "Drift of ");
	add_safe(b, planfile_str(planfile_get(r, "config"), "path"));
	buf_addf(b, " at %s%s\n\n", planfile_str(r, "created_at"),
	    cJSON_IsTrue(planfile_get(r, "deep")) ? " (deep: snapshot hashes)"
	                                          : "");
	cJSON_ArrayForEach(u, planfile_get(r, "units"))
	{
		st = planfile_str(u, "status");
		buf_addf(b, "  %-5s ", status_word(st));
		add_safe(b, planfile_str(u, "project"));
		buf_addstr(b, "  ");
		add_safe(b, planfile_str(u, "resource"));
		buf_addstr(b, " (");
		add_safe(b, planfile_str(u, "region"));
		buf_addf(b, ", %s)", planfile_str(u, "role"));
		if (strcmp(st, "in_sync") == 0)
			buf_addstr(b, "  in sync");
		buf_addch(b, '\n');
		cJSON_ArrayForEach(f, planfile_get(u, "findings"))
		{
			buf_addf(b, "        %s: ", planfile_str(f, "code"));
			add_safe(b, planfile_str(f, "message"));
			if (planfile_get(f, "exposure_seconds") != NULL) {
				buf_addstr(b, " (behind for ");
				add_duration(b, num(f, "exposure_seconds"));
				buf_addch(b, ')');
			}
			buf_addch(b, '\n');
		}
	}
	buf_addch(b, '\n');
	drift_summary_line(r, b);
}

static void
render_markdown(const cJSON *r, struct buf *b)
{
	const cJSON *u, *f, *sum = planfile_get(r, "summary");
	const char *st;
	int first;

	if (drift_has_drift(r))
		buf_addf(b, "## standby drift: %lld of %lld rows drifted\n\n",
		    num(sum, "units") - num(sum, "in_sync"), num(sum, "units"));
	else
		buf_addf(b, "## standby drift: all %lld rows in sync\n\n",
		    num(sum, "units"));
	buf_addstr(b, "Configuration `");
	add_md(b, planfile_str(planfile_get(r, "config"), "path"));
	buf_addf(b, "`, checked at %s%s.\n\n", planfile_str(r, "created_at"),
	    cJSON_IsTrue(planfile_get(r, "deep")) ? " by snapshot hashes" : "");
	buf_addstr(b,
	    "| project | region | resource | role | status | "
	    "findings |\n|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(u, planfile_get(r, "units"))
	{
		st = planfile_str(u, "status");
		buf_addstr(b, "| ");
		add_md(b, planfile_str(u, "project"));
		buf_addstr(b, " | ");
		add_md(b, planfile_str(u, "region"));
		buf_addstr(b, " | ");
		add_md(b, planfile_str(u, "resource"));
		buf_addf(b, " | %s | %s | ", planfile_str(u, "role"),
		    strcmp(st, "in_sync") == 0           ? "✅ in sync"
		        : strcmp(st, "unreachable") == 0 ? "⛔ unreachable"
		                                         : "⚠️ drift");
		first = 1;
		cJSON_ArrayForEach(f, planfile_get(u, "findings"))
		{
			buf_addf(b, "%s%s", first ? "" : ", ",
			    planfile_str(f, "code"));
			first = 0;
		}
		buf_addstr(b, first ? "- |\n" : " |\n");
	}
	if (drift_has_drift(r)) {
		buf_addstr(b, "\n### Findings\n\n");
		cJSON_ArrayForEach(u, planfile_get(r, "units"))
		{
			cJSON_ArrayForEach(f, planfile_get(u, "findings"))
			{
				buf_addstr(b, "- **");
				add_md(b, planfile_str(u, "project"));
				buf_addstr(b, "** on ");
				add_md(b, planfile_str(u, "resource"));
				buf_addf(b, ": `%s` ", planfile_str(f, "code"));
				add_md(b, planfile_str(f, "message"));
				if (planfile_get(f, "exposure_seconds") !=
				    NULL) {
					buf_addstr(b, " (behind for ");
					add_duration(
					    b, num(f, "exposure_seconds"));
					buf_addch(b, ')');
				}
				buf_addch(b, '\n');
			}
		}
	}
	buf_addch(b, '\n');
}

int
drift_render(const cJSON *report, enum drift_format fmt, struct buf *out,
    struct err *err)
{
	char *s;

	switch (fmt) {
	case DRIFT_TEXT:
		render_text(report, out);
		break;
	case DRIFT_MARKDOWN:
		render_markdown(report, out);
		break;
	case DRIFT_JSON:
		if ((s = cJSON_Print(report)) == NULL)
			return err_set(
			    err, ERR_NOMEM, "out of memory writing the report");
		buf_addstr(out, s);
		buf_addch(out, '\n');
		cJSON_free(s);
		break;
	}
	return buf_check(out, err, "rendering the drift report");
}
