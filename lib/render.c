/*
 * render.c - text and markdown renderings of a plan, from its JSON only.
 *
 * Both renderings walk the same model: the actions of the checked plan,
 * split into groups (the action's "group", in order of first appearance,
 * which the plan's own order makes stable).  Plan strings come from
 * standby.yaml and from Azure, so they are treated as hostile: control
 * characters never reach a terminal, and markdown gets every character
 * that could open a tag, a table cell, a link or a mention escaped.
 *
 * The markdown budget is met by building every block separately and then
 * choosing whole blocks, never by cutting the finished page, so a cut
 * can never fall inside a table row, a callout or a code block.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "planfile.h"
#include "render.h"

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_RED "\033[31m"
#define ANSI_YELLOW "\033[33m"

/* Indexed by enum planfile_change. */
static const struct {
	const char *sym;   /* text, right-aligned in 3 columns */
	const char *color; /* ANSI colour of the text symbol */
	const char *diff;  /* markdown diff block: GitHub colours +, - and ! */
	const char *verb;  /* "3 to create" */
} changes[PLANFILE_NCHANGES] = {
	{ "+", "\033[32m", "+", "to create" },
	{ "~", "\033[33m", "!", "to update" },
	{ "\xc2\xb1", "\033[35m", "-/+", "to replace" },
	{ "-", "\033[31m", "-", "to delete" },
	{ "<=", "\033[36m", " <=", NULL },
};

/* Longest name shown in markdown, in bytes; longer ones end in "...". */
#define MD_NAME_MAX 200

struct group {
	const char *name;
	const cJSON **acts;
	size_t n, cap;
	long long count[PLANFILE_NCHANGES];
};

struct groups {
	struct group *g;
	size_t n, cap;
};

static void
groups_release(struct groups *gs)
{
	size_t i;

	for (i = 0; i < gs->n; i++)
		free(gs->g[i].acts);
	free(gs->g);
}

/* Puts the actions of plan (all, or only the non-destructive ones) into
 * groups, in order of first appearance. */
static int
groups_build(struct groups *gs, const cJSON *plan, int all, struct err *err)
{
	const cJSON *a;
	struct group *g;
	const char *name;
	size_t i;

	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		if (!all && planfile_action_destructive(a))
			continue;
		name = planfile_str(a, "group");
		/* Plans hold actions of one group together, so the last group
		 * is almost always the one. */
		for (i = gs->n; i > 0; i--)
			if (strcmp(gs->g[i - 1].name, name) == 0)
				break;
		if (i == 0) {
			if (gs->n == gs->cap) {
				size_t cap = gs->cap ? gs->cap * 2 : 16;
				struct group *ng =
				    realloc(gs->g, cap * sizeof(*ng));
				if (ng == NULL)
					goto nomem;
				gs->g = ng;
				gs->cap = cap;
			}
			memset(&gs->g[gs->n], 0, sizeof(gs->g[0]));
			gs->g[gs->n].name = name;
			i = ++gs->n;
		}
		g = &gs->g[i - 1];
		if (g->n == g->cap) {
			size_t cap = g->cap ? g->cap * 2 : 8;
			const cJSON **na = realloc(g->acts, cap * sizeof(*na));
			if (na == NULL)
				goto nomem;
			g->acts = na;
			g->cap = cap;
		}
		g->acts[g->n++] = a;
		g->count[planfile_action_change(a)]++;
	}
	return 0;
nomem:
	return err_set(err, ERR_NOMEM, "out of memory rendering the plan");
}

/* "3 to create, 1 to update, 2 exports": the non-zero counts; or with
 * zeros, "3 to create, 0 to update, 0 to replace, 0 to delete (2
 * exports)" as Terraform's last line. */
static void
add_counts(struct buf *b, const long long *count, int zeros)
{
	const char *sep = "";
	int i;

	for (i = 0; i < PLANFILE_READ; i++) {
		if (count[i] == 0 && !zeros)
			continue;
		buf_addf(b, "%s%lld %s", sep, count[i], changes[i].verb);
		sep = ", ";
	}
	if (count[PLANFILE_READ] == 0)
		return;
	if (zeros)
		buf_addf(b, " (%lld export%s)", count[PLANFILE_READ],
		    count[PLANFILE_READ] == 1 ? "" : "s");
	else
		buf_addf(b, "%s%lld export%s", sep, count[PLANFILE_READ],
		    count[PLANFILE_READ] == 1 ? "" : "s");
}

/* Splits an id "<kind>:<name>@<resource>[/<sub>]" into what it acts on:
 * "<name>[/<sub>]". */
static void
add_what(struct buf *b, const char *id)
{
	const char *name = strchr(id, ':') + 1, *at = strchr(name, '@');
	const char *sub = strchr(at, '/');

	buf_add(b, name, (size_t)(at - name));
	if (sub != NULL)
		buf_addstr(b, sub);
}

/* --- text ------------------------------------------------------------ */

/* Appends s with control characters as \xNN, so a plan cannot move the
 * cursor or recolour the terminal. */
static void
add_clean(struct buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			buf_addf(b, "\\x%02x", *p);
		else
			buf_addch(b, (char)*p);
	}
}

/* A scalar as JSON, with every control character escaped (buf_addjson
 * lets DEL through). */
static void
add_scalar(struct buf *b, const cJSON *v)
{
	const unsigned char *p;

	if (v == NULL || cJSON_IsNull(v)) {
		buf_addstr(b, "null");
	} else if (cJSON_IsTrue(v)) {
		buf_addstr(b, "true");
	} else if (cJSON_IsFalse(v)) {
		buf_addstr(b, "false");
	} else if (cJSON_IsNumber(v)) {
		buf_addf(b, "%lld", (long long)v->valuedouble);
	} else {
		buf_addch(b, '"');
		for (p = (const unsigned char *)v->valuestring; *p != '\0';
		     p++) {
			if (*p == 0x7f)
				buf_addstr(b, "\\u007f");
			else {
				char one[2] = { (char)*p, '\0' };
				buf_addjson(b, one);
			}
		}
		buf_addch(b, '"');
	}
}

static int
scalar_equal(const cJSON *a, const cJSON *b)
{
	int an = a == NULL || cJSON_IsNull(a),
	    bn = b == NULL || cJSON_IsNull(b);

	if (an || bn)
		return an && bn;
	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble;
	return 1;
}

/* The attribute lines of an action, each prefixed by pre: every key of
 * after for a new object ("key: value"), every key of before for a
 * removed one ("key: value -> null"), else the changed keys ("key: before
 * -> after") and a count of the unchanged ones. */
static void
add_attrs(struct buf *b, const cJSON *a, const char *pre)
{
	const cJSON *before = planfile_get(a, "before");
	const cJSON *after = planfile_get(a, "after"), *c;
	int hidden = 0;

	if (cJSON_IsObject(before) && cJSON_IsObject(after)) {
		for (c = before->child; c != NULL; c = c->next) {
			const cJSON *n = planfile_get(after, c->string);

			if (scalar_equal(c, n)) {
				hidden++;
				continue;
			}
			buf_addstr(b, pre);
			add_clean(b, c->string);
			buf_addstr(b, ": ");
			add_scalar(b, c);
			buf_addstr(b, " -> ");
			add_scalar(b, n);
			buf_addch(b, '\n');
		}
		for (c = after->child; c != NULL; c = c->next) {
			if (planfile_get(before, c->string) != NULL ||
			    cJSON_IsNull(c))
				continue;
			buf_addstr(b, pre);
			add_clean(b, c->string);
			buf_addstr(b, ": null -> ");
			add_scalar(b, c);
			buf_addch(b, '\n');
		}
		if (hidden > 0)
			buf_addf(b, "%s# (%d unchanged attribute%s hidden)\n",
			    pre, hidden, hidden == 1 ? "" : "s");
		return;
	}
	c = cJSON_IsObject(after)    ? after->child
	    : cJSON_IsObject(before) ? before->child
	                             : NULL;
	for (; c != NULL; c = c->next) {
		buf_addstr(b, pre);
		add_clean(b, c->string);
		buf_addstr(b, ": ");
		add_scalar(b, c);
		if (!cJSON_IsObject(after))
			buf_addstr(b, " -> null");
		buf_addch(b, '\n');
	}
}

/* "(lang-west, westus2, from lang-east)" */
static void
add_where(
    struct buf *b, const cJSON *a, void (*add)(struct buf *, const char *))
{
	const cJSON *t = planfile_get(a, "target");
	const char *src = planfile_str(t, "source");

	buf_addch(b, '(');
	add(b, planfile_str(t, "resource"));
	buf_addstr(b, ", ");
	add(b, planfile_str(t, "region"));
	if (src != NULL) {
		buf_addstr(b, ", from ");
		add(b, src);
	}
	buf_addch(b, ')');
}

static void
text_paint(struct buf *b, const struct render_opts *o, const char *color,
    const char *s)
{
	if (o->color)
		buf_addstr(b, color);
	buf_addstr(b, s);
	if (o->color)
		buf_addstr(b, ANSI_RESET);
}

static void
text_action(struct buf *b, const cJSON *a, const struct render_opts *o)
{
	enum planfile_change c = planfile_action_change(a);
	const cJSON *reason = planfile_get(a, "reason");

	buf_addstr(b, strcmp(changes[c].sym, "<=") == 0 ? " " : "  ");
	text_paint(b, o, changes[c].color, changes[c].sym);
	buf_addch(b, ' ');
	buf_addstr(b, planfile_str(a, "kind"));
	buf_addch(b, ' ');
	{
		struct buf what = { 0 };

		add_what(&what, planfile_str(a, "id"));
		add_clean(b, buf_str(&what));
		if (what.failed)
			b->failed = 1;
		buf_release(&what);
	}
	buf_addch(b, ' ');
	add_where(b, a, add_clean);
	buf_addstr(b, "\n      # ");
	add_clean(b, planfile_str(reason, "message"));
	buf_addstr(b, " [");
	add_clean(b, planfile_str(reason, "code"));
	buf_addstr(b, "]\n");
	add_attrs(b, a, "      ");
}

static void
text_header(struct buf *b, const cJSON *plan, const struct render_opts *o)
{
	const cJSON *cfg = planfile_get(plan, "config");
	const cJSON *st = planfile_get(plan, "state");
	const cJSON *opt = planfile_get(plan, "options");
	const cJSON *targets = planfile_get(opt, "targets"), *t;
	const char *refreshed = planfile_str(st, "refreshed_at");

	if (o->color)
		buf_addstr(b, ANSI_BOLD);
	buf_addstr(b, "Plan for ");
	add_clean(b, planfile_str(cfg, "path"));
	if (o->color)
		buf_addstr(b, ANSI_RESET);
	buf_addf(b, " (config sha256 %.12s, state revision %lld)\n",
	    planfile_str(cfg, "hash"),
	    (long long)planfile_get(st, "revision")->valuedouble);
	buf_addstr(b, "Made ");
	add_clean(b, planfile_str(plan, "created_at"));
	buf_addstr(b, " by standby ");
	add_clean(b, planfile_str(plan, "standby_version"));
	buf_addstr(b, "; live state ");
	if (refreshed == NULL) {
		buf_addstr(b, "never refreshed");
	} else {
		buf_addstr(b, "refreshed ");
		add_clean(b, refreshed);
	}
	if (!cJSON_IsTrue(planfile_get(opt, "refreshed")))
		buf_addstr(b, " (not refreshed for this plan)");
	if (cJSON_IsTrue(planfile_get(opt, "prune")))
		buf_addstr(b, "; --prune");
	buf_addstr(b, ".\n");
	if (targets->child != NULL) {
		buf_addstr(b, "Targets:");
		cJSON_ArrayForEach(t, targets)
		{
			buf_addch(b, ' ');
			add_clean(b, t->valuestring);
		}
		buf_addch(b, '\n');
	}
}

static int
render_text(const cJSON *plan, const struct render_opts *o, struct buf *b,
    struct err *err)
{
	const cJSON *w, *a;
	struct planfile_summary sum;
	struct groups gs = { 0 };
	size_t i, j, ndestr = 0;
	int used[PLANFILE_NCHANGES] = { 0 };
	const char *sep = "";
	int rc = -1;

	planfile_summary(plan, &sum);
	text_header(b, plan, o);
	cJSON_ArrayForEach(w, planfile_get(plan, "warnings"))
	{
		buf_addch(b, '\n');
		text_paint(b, o, ANSI_BOLD ANSI_YELLOW, "Warning:");
		buf_addch(b, ' ');
		add_clean(b, planfile_str(w, "message"));
		buf_addstr(b, " [");
		add_clean(b, planfile_str(w, "code"));
		buf_addstr(b, "]\n");
	}
	if (sum.total == 0) {
		buf_addch(b, '\n');
		text_paint(b, o, ANSI_BOLD, "No changes.");
		buf_addstr(b, " Live state matches ");
		add_clean(
		    b, planfile_str(planfile_get(plan, "config"), "path"));
		buf_addstr(b, ".\n");
		rc = buf_check(b, err, "rendering the plan");
		goto out;
	}

	/* Terraform's legend, naming only the symbols this plan uses. */
	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		used[planfile_action_change(a)] = 1;
		ndestr += (size_t)planfile_action_destructive(a);
	}
	buf_addstr(b, "\nSymbols:");
	for (i = 0; i < PLANFILE_NCHANGES; i++) {
		if (!used[i])
			continue;
		buf_addstr(b, sep);
		buf_addch(b, ' ');
		text_paint(b, o, changes[i].color, changes[i].sym);
		buf_addf(b, " %s",
		    i == PLANFILE_READ ? "read (export)" : changes[i].verb + 3);
		sep = ",";
	}
	buf_addstr(b, "\n");

	if (ndestr > 0) {
		buf_addch(b, '\n');
		text_paint(b, o, ANSI_BOLD ANSI_RED,
		    "Destructive actions (these run first and lose data):");
		buf_addstr(b, "\n\n");
		cJSON_ArrayForEach(a, planfile_actions(plan))
		{
			if (planfile_action_destructive(a))
				text_action(b, a, o);
		}
	}
	if (groups_build(&gs, plan, 0, err) != 0)
		goto out;
	for (i = 0; i < gs.n; i++) {
		buf_addch(b, '\n');
		if (o->color)
			buf_addstr(b, ANSI_BOLD);
		add_clean(b, gs.g[i].name);
		buf_addch(b, ':');
		if (o->color)
			buf_addstr(b, ANSI_RESET);
		buf_addch(b, '\n');
		for (j = 0; j < gs.g[i].n; j++)
			text_action(b, gs.g[i].acts[j], o);
	}
	buf_addch(b, '\n');
	text_paint(b, o, ANSI_BOLD, "Plan:");
	buf_addch(b, ' ');
	add_counts(b, sum.n, 1);
	buf_addstr(b, ".\n");
	rc = buf_check(b, err, "rendering the plan");
out:
	groups_release(&gs);
	return rc;
}

/* --- markdown -------------------------------------------------------- */

/* Appends s for markdown text, a table cell or an HTML <summary>: control
 * characters become spaces and every character that could start markup
 * (HTML, emphasis, code, links, cells, mentions, issue references) an
 * entity; at most max bytes of s, then "...". */
static void
md_escape(struct buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (; *p != '\0'; p++, n++) {
		if (n >= max && (*p & 0xc0) != 0x80) {
			buf_addstr(b, "...");
			return;
		}
		if (*p < 0x20 || *p == 0x7f)
			buf_addch(b, ' ');
		else if (*p == '<')
			buf_addstr(b, "&lt;");
		else if (*p == '>')
			buf_addstr(b, "&gt;");
		else if (*p == '&')
			buf_addstr(b, "&amp;");
		else if (strchr("\\`*_[]()|~#@!{}\"'$", *p) != NULL)
			buf_addf(b, "&#%d;", *p);
		else
			buf_addch(b, (char)*p);
	}
}

static void
md_name(struct buf *b, const char *s)
{
	md_escape(b, s, MD_NAME_MAX);
}

/* Inside a fenced code block only control characters and line ends
 * matter: every line we write starts with a symbol, '#' or spaces, so no
 * plan string can close the fence. */
static void
md_code(struct buf *b, const char *s)
{
	add_clean(b, s);
}

/* One action as a line of a diff block, with its reason and attributes. */
static void
md_diff_action(struct buf *b, const cJSON *a)
{
	enum planfile_change c = planfile_action_change(a);
	const cJSON *reason = planfile_get(a, "reason");
	struct buf what = { 0 };

	add_what(&what, planfile_str(a, "id"));
	buf_addstr(b, changes[c].diff);
	buf_addch(b, ' ');
	buf_addstr(b, planfile_str(a, "kind"));
	buf_addch(b, ' ');
	md_code(b, buf_str(&what));
	buf_addch(b, ' ');
	add_where(b, a, md_code);
	buf_addstr(b, "\n#     ");
	md_code(b, planfile_str(reason, "message"));
	buf_addstr(b, " [");
	md_code(b, planfile_str(reason, "code"));
	buf_addstr(b, "]\n");
	add_attrs(b, a, "      ");
	if (what.failed)
		b->failed = 1;
	buf_release(&what);
}

/* One line of the destructive list, inside the caution callout. */
static void
md_destructive_item(struct buf *b, const cJSON *a)
{
	const cJSON *t = planfile_get(a, "target");
	struct buf what = { 0 };

	add_what(&what, planfile_str(a, "id"));
	buf_addstr(b, "> - **");
	buf_addstr(b, planfile_str(a, "kind"));
	buf_addstr(b, "** ");
	md_name(b, buf_str(&what));
	buf_addstr(b, " on ");
	md_name(b, planfile_str(t, "resource"));
	buf_addstr(b, " (");
	md_name(b, planfile_str(t, "region"));
	buf_addstr(b, "): ");
	md_escape(b, planfile_str(planfile_get(a, "reason"), "message"),
	    MD_NAME_MAX * 2);
	buf_addch(b, '\n');
	if (what.failed)
		b->failed = 1;
	buf_release(&what);
}

/* "lang-west (westus2), lang-east (eastus)": each resource once. */
static void
md_resources(struct buf *b, const struct group *g)
{
	const char *res;
	size_t i, j;

	for (i = 0; i < g->n; i++) {
		res = planfile_str(
		    planfile_get(g->acts[i], "target"), "resource");
		for (j = 0; j < i; j++)
			if (strcmp(res,
			        planfile_str(planfile_get(g->acts[j], "target"),
			            "resource")) == 0)
				break;
		if (j < i)
			continue;
		if (i > 0)
			buf_addstr(b, ", ");
		md_name(b, res);
		buf_addstr(b, " (");
		md_name(b,
		    planfile_str(planfile_get(g->acts[i], "target"), "region"));
		buf_addch(b, ')');
	}
}

static void
md_group(struct buf *b, const struct group *g)
{
	size_t i;

	buf_addstr(b, "<details><summary><b>");
	md_name(b, g->name);
	buf_addstr(b, "</b>: ");
	add_counts(b, g->count, 0);
	buf_addstr(b, "</summary>\n\n```diff\n");
	for (i = 0; i < g->n; i++)
		md_diff_action(b, g->acts[i]);
	buf_addstr(b, "```\n\n</details>\n\n");
}

/* A run of blocks that can be cut after any item: a header, items, a
 * line saying how many were cut, and a footer. */
struct section {
	struct buf head, foot;
	struct buf *items;
	size_t n;
	const char *omit_fmt; /* one %zu: the number of items cut */
};

static void
section_release(struct section *s)
{
	size_t i;

	buf_release(&s->head);
	buf_release(&s->foot);
	for (i = 0; i < s->n; i++)
		buf_release(&s->items[i]);
	free(s->items);
}

static struct buf *
section_item(struct section *s)
{
	struct buf *ni = realloc(s->items, (s->n + 1) * sizeof(*ni));

	if (ni == NULL)
		return NULL;
	s->items = ni;
	memset(&s->items[s->n], 0, sizeof(s->items[0]));
	return &s->items[s->n++];
}

static size_t
omit_len(const char *fmt, size_t n)
{
	struct buf t = { 0 };
	size_t len;

	buf_addf(&t, fmt, n);
	len = t.len;
	buf_release(&t);
	return len;
}

static size_t
section_len(const struct section *s)
{
	size_t i, len = 0;

	if (s->n == 0)
		return 0;
	for (i = 0; i < s->n; i++)
		len += s->items[i].len;
	return s->head.len + len + s->foot.len;
}

/* Appends s whole, or (when fit) as many items as fit in room bytes with
 * the cut line; returns the bytes appended. */
static size_t
section_emit(struct buf *b, const struct section *s, size_t room)
{
	size_t start = b->len, i, omit = omit_len(s->omit_fmt, s->n);

	if (s->n == 0)
		return 0;
	if (section_len(s) <= room) {
		buf_add(b, s->head.data, s->head.len);
		for (i = 0; i < s->n; i++)
			buf_add(b, s->items[i].data, s->items[i].len);
		buf_add(b, s->foot.data, s->foot.len);
		return b->len - start;
	}
	if (s->head.len + s->foot.len + omit > room)
		return 0;
	room -= s->head.len + s->foot.len + omit;
	buf_add(b, s->head.data, s->head.len);
	for (i = 0; i < s->n && s->items[i].len <= room; i++) {
		buf_add(b, s->items[i].data, s->items[i].len);
		room -= s->items[i].len;
	}
	buf_addf(b, s->omit_fmt, s->n - i);
	buf_add(b, s->foot.data, s->foot.len);
	return b->len - start;
}

static const char md_note_fmt[] =
    "_... %zu more group%s (%lld action%s) not shown: run `standby show "
    "%s` or see the plan artifact._\n";

static void
md_note(struct buf *b, size_t groups, long long actions, const char *path)
{
	buf_addf(b, md_note_fmt, groups, groups == 1 ? "" : "s", actions,
	    actions == 1 ? "" : "s", path);
}

/* The plan path for the note, inside a code span: no backtick or control
 * character may end it early. */
static char *
note_path(const char *path)
{
	char *s = strdup(path), *p;

	if (s == NULL)
		return NULL;
	if (strlen(s) > MD_NAME_MAX)
		s[MD_NAME_MAX] = '\0';
	for (p = s; *p != '\0'; p++)
		if (*p == '`' || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

static void
md_title(struct buf *b, const cJSON *plan)
{
	const cJSON *cfg = planfile_get(plan, "config");
	const cJSON *st = planfile_get(plan, "state");
	const cJSON *opt = planfile_get(plan, "options");
	const cJSON *t;
	const char *refreshed = planfile_str(st, "refreshed_at");
	struct planfile_summary sum;

	planfile_summary(plan, &sum);
	buf_addstr(b, "### standby plan: ");
	if (sum.total == 0)
		buf_addstr(b, "no changes\n\n");
	else {
		add_counts(b, sum.n, 1);
		buf_addstr(b, "\n\n");
	}
	buf_addstr(b, "Config ");
	md_name(b, planfile_str(cfg, "path"));
	buf_addf(b, " (sha256 %.12s), state revision %lld, ",
	    planfile_str(cfg, "hash"),
	    (long long)planfile_get(st, "revision")->valuedouble);
	if (refreshed == NULL) {
		buf_addstr(b, "never refreshed");
	} else {
		buf_addstr(b, "refreshed ");
		md_name(b, refreshed);
	}
	if (!cJSON_IsTrue(planfile_get(opt, "refreshed")))
		buf_addstr(b, " (not refreshed for this plan)");
	buf_addstr(b, "; made ");
	md_name(b, planfile_str(plan, "created_at"));
	buf_addstr(b, " by standby ");
	md_name(b, planfile_str(plan, "standby_version"));
	if (cJSON_IsTrue(planfile_get(opt, "prune")))
		buf_addstr(b, "; with --prune");
	if (planfile_get(opt, "targets")->child != NULL) {
		buf_addstr(b, "; targets:");
		cJSON_ArrayForEach(t, planfile_get(opt, "targets"))
		{
			buf_addch(b, ' ');
			md_name(b, t->valuestring);
		}
	}
	buf_addstr(b, ".\n\n");
	if (sum.total == 0) {
		buf_addstr(b, "Live state matches ");
		md_name(b, planfile_str(cfg, "path"));
		buf_addstr(b, ".\n\n");
	} else {
		buf_addstr(b,
		    "Symbols in the details: `+` create, `!` update, "
		    "`-/+` replace, `-` delete, `<=` read (export).\n\n");
	}
}

static int
render_markdown(const cJSON *plan, const struct render_opts *o, struct buf *b,
    struct err *err)
{
	struct section sec[3]; /* destructive, warnings, table */
	struct buf title = { 0 }, *blocks = NULL, *it;
	struct groups gs = { 0 };
	const cJSON *a, *w;
	size_t budget, i, ndestr = 0, used, total, start = b->len, note_max;
	long long more_actions = 0;
	char *path = NULL;
	int rc = -1;

	budget =
	    o->markdown_budget ? o->markdown_budget : RENDER_MARKDOWN_BUDGET;
	if (budget < RENDER_MARKDOWN_MIN_BUDGET)
		return err_set(err, ERR_SPEC,
		    "markdown budget %zu is too small (at least %d)", budget,
		    RENDER_MARKDOWN_MIN_BUDGET);
	memset(sec, 0, sizeof(sec));
	path = note_path(o->plan_path != NULL ? o->plan_path : "plan.json");
	if (path == NULL) {
		err_set(err, ERR_NOMEM, "out of memory rendering the plan");
		goto out;
	}
	md_title(&title, plan);

	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		ndestr += (size_t)planfile_action_destructive(a);
	}
	buf_addf(&sec[0].head,
	    "> [!CAUTION]\n> **%zu destructive action%s** run%s first and "
	    "lose%s data:\n>\n",
	    ndestr, ndestr == 1 ? "" : "s", ndestr == 1 ? "s" : "",
	    ndestr == 1 ? "s" : "");
	buf_addstr(&sec[0].foot, "\n");
	sec[0].omit_fmt = "> - _... and %zu more; see the plan JSON_\n";
	cJSON_ArrayForEach(a, planfile_actions(plan))
	{
		if (!planfile_action_destructive(a))
			continue;
		if ((it = section_item(&sec[0])) == NULL)
			goto nomem;
		md_destructive_item(it, a);
	}

	buf_addstr(&sec[1].head, "> [!WARNING]\n");
	buf_addstr(&sec[1].foot, "\n");
	sec[1].omit_fmt = "> - _... and %zu more warnings_\n";
	cJSON_ArrayForEach(w, planfile_get(plan, "warnings"))
	{
		if ((it = section_item(&sec[1])) == NULL)
			goto nomem;
		buf_addstr(it, "> - ");
		md_escape(it, planfile_str(w, "message"), MD_NAME_MAX * 2);
		/* Codes are lower_snake_case (planfile_check). */
		buf_addf(it, " (`%s`)\n", planfile_str(w, "code"));
	}

	if (groups_build(&gs, plan, 1, err) != 0)
		goto out;
	buf_addstr(&sec[2].head,
	    "| Project | Resources | Actions |\n"
	    "|---|---|---|\n");
	buf_addstr(&sec[2].foot, "\n");
	sec[2].omit_fmt = "| _... and %zu more_ | | |\n";
	blocks = calloc(gs.n + 1, sizeof(*blocks));
	if (blocks == NULL)
		goto nomem;
	for (i = 0; i < gs.n; i++) {
		if ((it = section_item(&sec[2])) == NULL)
			goto nomem;
		buf_addstr(it, "| ");
		md_name(it, gs.g[i].name);
		buf_addstr(it, " | ");
		md_resources(it, &gs.g[i]);
		buf_addstr(it, " | ");
		add_counts(it, gs.g[i].count, 0);
		buf_addstr(it, " |\n");
		md_group(&blocks[i], &gs.g[i]);
	}

	total = title.len;
	for (i = 0; i < 3; i++)
		total += section_len(&sec[i]);
	for (i = 0; i < gs.n; i++)
		total += blocks[i].len;
	for (i = 0; i < 3; i++)
		if (buf_check(&sec[i].head, err, "rendering the plan") != 0)
			goto out;
	if (buf_check(&title, err, "rendering the plan") != 0)
		goto out;
	for (i = 0; i < gs.n; i++)
		if (buf_check(&blocks[i], err, "rendering the plan") != 0 ||
		    buf_check(&sec[2].items[i], err, "rendering the plan") != 0)
			goto out;

	/* Room for the note with the largest numbers it could hold. */
	{
		struct buf t = { 0 };
		struct planfile_summary sum;

		planfile_summary(plan, &sum);
		md_note(&t, gs.n, sum.total, path);
		note_max = t.len;
		buf_release(&t);
	}
	if (title.len + note_max > budget) {
		err_set(err, ERR_SPEC,
		    "markdown budget %zu is too small for this plan's title",
		    budget);
		goto out;
	}
	buf_add(b, title.data, title.len);
	if (total <= budget) {
		for (i = 0; i < 3; i++)
			section_emit(b, &sec[i], (size_t)-1);
		for (i = 0; i < gs.n; i++)
			buf_add(b, blocks[i].data, blocks[i].len);
	} else {
		used = title.len;
		for (i = 0; i < 3; i++)
			used +=
			    section_emit(b, &sec[i], budget - used - note_max);
		for (i = 0; i < gs.n; i++) {
			if (used + blocks[i].len + note_max > budget)
				break;
			buf_add(b, blocks[i].data, blocks[i].len);
			used += blocks[i].len;
		}
		if (i < gs.n) {
			size_t shown = i;

			for (; i < gs.n; i++)
				more_actions += (long long)gs.g[i].n;
			md_note(b, gs.n - shown, more_actions, path);
		}
	}
	if (buf_check(b, err, "rendering the plan") != 0)
		goto out;
	if (b->len - start > budget) {
		/* Cannot happen: every block was measured before it was
		 * added.  Refuse rather than post a comment GitHub cuts. */
		err_set(err, ERR_SPEC, "markdown rendering over its budget");
		goto out;
	}
	rc = 0;
	goto out;
nomem:
	err_set(err, ERR_NOMEM, "out of memory rendering the plan");
out:
	for (i = 0; i < 3; i++)
		section_release(&sec[i]);
	if (blocks != NULL)
		for (i = 0; i < gs.n; i++)
			buf_release(&blocks[i]);
	free(blocks);
	buf_release(&title);
	groups_release(&gs);
	free(path);
	return rc;
}

/* --- entry points ---------------------------------------------------- */

int
render_format_parse(enum render_format *out, const char *name, struct err *err)
{
	if (strcmp(name, "text") == 0)
		*out = RENDER_TEXT;
	else if (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0)
		*out = RENDER_MARKDOWN;
	else if (strcmp(name, "json") == 0)
		*out = RENDER_JSON;
	else
		return err_set(err, ERR_SPEC,
		    "unknown format '%s' (want text, markdown or json)", name);
	return 0;
}

int
render_plan(const cJSON *plan, enum render_format fmt,
    const struct render_opts *opts, struct buf *out, struct err *err)
{
	static const struct render_opts defaults = { 0, 0, NULL };
	const struct render_opts *o = opts != NULL ? opts : &defaults;

	if (fmt == RENDER_JSON)
		return planfile_write(plan, out, err);
	if (planfile_check(plan, err) != 0)
		return -1;
	if (fmt == RENDER_MARKDOWN)
		return render_markdown(plan, o, out, err);
	return render_text(plan, o, out, err);
}
