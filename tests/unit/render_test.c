/*
 * render_test.c - the text and markdown renderings: symbols, sections,
 * ordering, escaping, colour, and the markdown size budget (with a
 * generated 500-project plan and pathological names).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planfile.h"
#include "render.h"
#include "t.h"

#define FIX "tests/fixtures/plans/"

static struct err e;

static cJSON *
fixture(const char *name)
{
	char path[256];
	cJSON *p = NULL;

	snprintf(path, sizeof(path), FIX "%s", name);
	if (planfile_load(&p, path, &e) != 0)
		fprintf(stderr, "# %s\n", e.msg);
	return p;
}

/* Renders a fixture; the caller frees the result.  NULL on failure. */
static char *
render(const char *name, enum render_format fmt, int color)
{
	struct render_opts o = { .color = color };
	struct buf out = { 0 };
	cJSON *p = fixture(name);
	int rc;

	if (p == NULL)
		return NULL;
	rc = render_plan(p, fmt, &o, &out, &e);
	cJSON_Delete(p);
	if (rc != 0) {
		fprintf(stderr, "# %s\n", e.msg);
		buf_release(&out);
		return NULL;
	}
	return buf_take(&out);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* Offset of needle in hay, or (size_t)-1. */
static size_t
pos(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p == NULL ? (size_t)-1 : (size_t)(p - hay);
}

/* --- a generated plan: ndel deletes, then nproj projects of 4 actions - */

static cJSON *
gen_action(const char *kind, const char *change, const char *name,
    const char *res, const char *sub, const char *dep, int destructive)
{
	cJSON *a = cJSON_CreateObject(), *t, *r, *d;
	struct buf id = { 0 };

	buf_addf(&id, "%s:%s@%s%s%s", kind, name, res, sub ? "/" : "",
	    sub ? sub : "");
	cJSON_AddStringToObject(a, "id", buf_str(&id));
	cJSON_AddStringToObject(a, "kind", kind);
	cJSON_AddStringToObject(a, "change", change);
	cJSON_AddStringToObject(a, "group", name);
	t = cJSON_AddObjectToObject(a, "target");
	cJSON_AddStringToObject(t, "type", "language");
	cJSON_AddStringToObject(t, "resource", res);
	cJSON_AddStringToObject(
	    t, "region", strcmp(res, "lang-east") == 0 ? "eastus" : "westus2");
	cJSON_AddStringToObject(t, "project", name);
	d = cJSON_AddArrayToObject(a, "depends_on");
	if (dep != NULL)
		cJSON_AddItemToArray(d, cJSON_CreateString(dep));
	r = cJSON_AddObjectToObject(a, "reason");
	cJSON_AddStringToObject(
	    r, "code", destructive ? "not_desired" : "replica_missing");
	cJSON_AddStringToObject(r, "message",
	    "The replica is missing, so it is built from its source");
	if (destructive) {
		cJSON_AddItemToObject(a, "before", cJSON_CreateObject());
		cJSON_AddStringToObject(
		    cJSON_GetObjectItem(a, "before"), "label", "v1");
		cJSON_AddNullToObject(a, "after");
	} else {
		cJSON_AddNullToObject(a, "before");
		cJSON_AddItemToObject(a, "after", cJSON_CreateObject());
		cJSON_AddStringToObject(cJSON_GetObjectItem(a, "after"),
		    "lastModifiedDateTime", "2026-11-20T08:00:00Z");
	}
	cJSON_AddBoolToObject(a, "destructive", destructive);
	buf_release(&id);
	return a;
}

/* A plan of ndel deletes and nproj projects named prefix + number (the
 * name padded to namelen with 'x' when namelen is larger). */
static cJSON *
gen_plan(int nproj, int ndel, const char *prefix, size_t namelen)
{
	cJSON *p = cJSON_CreateObject(), *o, *s, *acts;
	struct buf name = { 0 }, id[3] = { { 0 }, { 0 }, { 0 } };
	int i, k;

	cJSON_AddNumberToObject(p, "format_version", 1);
	cJSON_AddStringToObject(p, "standby_version", "0.1.0");
	o = cJSON_AddObjectToObject(p, "config");
	cJSON_AddStringToObject(o, "path", "standby.yaml");
	cJSON_AddStringToObject(o, "hash",
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	o = cJSON_AddObjectToObject(p, "state");
	cJSON_AddNumberToObject(o, "revision", 7);
	cJSON_AddNullToObject(o, "refreshed_at");
	cJSON_AddStringToObject(p, "created_at", "2026-11-23T10:05:00Z");
	o = cJSON_AddObjectToObject(p, "options");
	cJSON_AddBoolToObject(o, "prune", ndel > 0);
	cJSON_AddArrayToObject(o, "targets");
	cJSON_AddNumberToObject(o, "expiry_window_days", 30);
	cJSON_AddBoolToObject(o, "refreshed", 1);
	s = cJSON_AddObjectToObject(p, "summary");
	cJSON_AddNumberToObject(s, "create", 3 * nproj);
	cJSON_AddNumberToObject(s, "update", 0);
	cJSON_AddNumberToObject(s, "replace", 0);
	cJSON_AddNumberToObject(s, "delete", ndel);
	cJSON_AddNumberToObject(s, "read", nproj);
	cJSON_AddNumberToObject(s, "total", 4 * nproj + ndel);
	cJSON_AddArrayToObject(p, "warnings");
	acts = cJSON_AddArrayToObject(p, "actions");
	for (i = 0; i < ndel; i++) {
		buf_reset(&name);
		buf_addf(&name, "Old%05d", i);
		cJSON_AddItemToArray(acts,
		    gen_action("delete_project", "delete", buf_str(&name),
		        "lang-west", NULL, NULL, 1));
	}
	for (i = 0; i < nproj; i++) {
		buf_reset(&name);
		buf_addf(&name, "%s%04d", prefix, i);
		while (name.len < namelen)
			buf_addch(&name, 'x');
		for (k = 0; k < 3; k++)
			buf_reset(&id[k]);
		buf_addf(&id[0], "export:%s@lang-east", buf_str(&name));
		buf_addf(&id[1], "import:%s@lang-west", buf_str(&name));
		buf_addf(&id[2], "train:%s@lang-west/v1", buf_str(&name));
		cJSON_AddItemToArray(acts,
		    gen_action("export", "read", buf_str(&name), "lang-east",
		        NULL, NULL, 0));
		cJSON_AddItemToArray(acts,
		    gen_action("import", "create", buf_str(&name), "lang-west",
		        NULL, buf_str(&id[0]), 0));
		cJSON_AddItemToArray(acts,
		    gen_action("train", "create", buf_str(&name), "lang-west",
		        "v1", buf_str(&id[1]), 0));
		cJSON_AddItemToArray(acts,
		    gen_action("deploy", "create", buf_str(&name), "lang-west",
		        "production", buf_str(&id[2]), 0));
	}
	buf_release(&name);
	for (k = 0; k < 3; k++)
		buf_release(&id[k]);
	return p;
}

static char *
render_md(const cJSON *p, size_t budget, const char *path)
{
	struct render_opts o = { .markdown_budget = budget, .plan_path = path };
	struct buf out = { 0 };

	if (render_plan(p, RENDER_MARKDOWN, &o, &out, &e) != 0) {
		fprintf(stderr, "# %s\n", e.msg);
		buf_release(&out);
		return NULL;
	}
	return buf_take(&out);
}

/* --- text ------------------------------------------------------------ */

static void
test_text_symbol_per_change(void)
{
	char *s = render("valid-all.json", RENDER_TEXT, 0);

	T_OK(s != NULL);
	T_CONTAINS(s,
	    "\n  + import Booking (lang-west, westus2, from "
	    "lang-east)\n");
	T_CONTAINS(s,
	    "\n  ~ deploy Faq/prod (lang-west, westus2, from "
	    "lang-east)\n");
	T_CONTAINS(s,
	    "\n  \xc2\xb1 import Faq (lang-west, westus2, from "
	    "lang-east)\n");
	T_CONTAINS(s,
	    "\n  - delete_deployment OldBot/staging (lang-west, "
	    "westus2)\n");
	T_CONTAINS(s, "\n <= export Booking (lang-east, eastus)\n");
	T_CONTAINS(s, "\n  ~ openai_update gpt-4o (aoai-west, westus2)\n");
	T_CONTAINS(s,
	    "Symbols: + create, ~ update, \xc2\xb1 replace, - "
	    "delete, <= read (export)\n");
	free(s);
}

static void
test_text_reason_and_changed_attributes(void)
{
	char *s = render("valid-all.json", RENDER_TEXT, 0);

	T_OK(s != NULL);
	T_CONTAINS(s,
	    "  ~ deploy Faq/prod (lang-west, westus2, from "
	    "lang-east)\n      # Deployment prod of Faq on lang-west "
	    "serves model v4, not v5 [deployment_model_mismatch]\n"
	    "      modelLabel: \"v4\" -> \"v5\"\n");
	/* Unchanged keys are counted, not shown. */
	T_CONTAINS(s,
	    "      capacity: 50 -> 100\n      # (1 unchanged "
	    "attribute hidden)\n");
	T_OK(
	    strstr(s, "sku: \"GlobalStandard\" -> \"GlobalStandard\"") == NULL);
	/* A new object lists its attributes, a deleted one ends in null. */
	T_CONTAINS(s, "      epochs: 3\n");
	T_CONTAINS(s, "      capacity: 10 -> null\n");
	free(s);
}

static void
test_text_destructive_first_then_groups_in_order(void)
{
	char *s = render("valid-all.json", RENDER_TEXT, 0);

	T_OK(s != NULL);
	T_OK(pos(s, "Destructive actions (these run first and lose data):") <
	    pos(s, "\nBooking:\n"));
	T_OK(pos(s, "openai_delete gpt-35-turbo") < pos(s, "\nBooking:\n"));
	T_OK(pos(s, "\nBooking:\n") < pos(s, "\nFaq:\n"));
	T_OK(pos(s, "\nFaq:\n") < pos(s, "\nwhisper:\n"));
	/* Deletes are listed once, not again under a group heading. */
	T_EQ_INT(count(s, "delete_project OldBot"), 1);
	T_OK(strstr(s, "\nOldBot:\n") == NULL);
	free(s);
}

static void
test_text_summary_line(void)
{
	char *s = render("valid-all.json", RENDER_TEXT, 0);
	const char *want = "\nPlan: 10 to create, 8 to update, 4 to replace, "
	                   "4 to delete (3 exports).\n";

	T_OK(s != NULL);
	T_OK(strlen(s) > strlen(want));
	T_EQ_STR(s + strlen(s) - strlen(want), want);
	free(s);
	s = render("valid-travel.json", RENDER_TEXT, 0);
	T_OK(s != NULL);
	T_CONTAINS(s,
	    "\nPlan: 2 to create, 1 to update, 1 to replace, 1 to "
	    "delete (1 export).\n");
	free(s);
}

static void
test_text_no_changes(void)
{
	char *s = render("valid-empty.json", RENDER_TEXT, 0);

	T_OK(s != NULL);
	T_CONTAINS(s, "\nNo changes. Live state matches standby.yaml.\n");
	T_CONTAINS(s,
	    "live state never refreshed (not refreshed for this "
	    "plan)");
	T_OK(strstr(s, "Plan:") == NULL);
	T_OK(strstr(s, "Symbols") == NULL);
	free(s);
}

static void
test_text_header_and_warnings(void)
{
	char *s = render("valid-all.json", RENDER_TEXT, 0);

	T_OK(s != NULL);
	T_OK(strncmp(s,
	         "Plan for standby.yaml (config sha256 9f86d081884c, "
	         "state revision 42)\n",
	         strlen("Plan for standby.yaml (config sha256 9f86d081884c, "
	                "state revision 42)\n")) == 0);
	T_CONTAINS(s,
	    "Made 2026-11-23T10:05:00Z by standby 0.1.0; live state "
	    "refreshed 2026-11-23T10:00:00Z; --prune.\n");
	T_CONTAINS(s,
	    "\nWarning: Router routes to Weather, which standby.yaml "
	    "does not declare [orchestration_target_undeclared]\n");
	free(s);
}

static void
test_text_colour_only_when_asked(void)
{
	char *plain = render("valid-all.json", RENDER_TEXT, 0);
	char *color = render("valid-all.json", RENDER_TEXT, 1);

	T_OK(plain != NULL && color != NULL);
	T_OK(strchr(plain, '\033') == NULL);
	T_CONTAINS(color, "  \033[32m+\033[0m import Booking");
	T_CONTAINS(color, "  \033[33m~\033[0m deploy Faq/prod");
	T_CONTAINS(color, "  \033[35m\xc2\xb1\033[0m import Faq");
	T_CONTAINS(color, "  \033[31m-\033[0m delete_project OldBot");
	T_CONTAINS(color, " \033[36m<=\033[0m export Booking");
	T_CONTAINS(color, "\033[1mPlan:\033[0m 10 to create");
	free(plain);
	free(color);
}

static void
test_text_control_characters_cannot_reach_the_terminal(void)
{
	char *s = render("valid-nasty.json", RENDER_TEXT, 0);

	T_OK(s != NULL);
	T_OK(strchr(s, '\033') == NULL);
	T_CONTAINS(s, "\\x1b[31mred\\x1b[0m\\x0anewline [replica_missing]");
	T_CONTAINS(s, "note: \"</details>\\n```\\n# heading\"");
	free(s);
}

/* --- markdown -------------------------------------------------------- */

/* s with the contents of fenced code blocks removed, so checks see only
 * what GitHub interprets as markdown/HTML. */
static char *
outside_code(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	int in = 0;

	while (out != NULL && *s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);

		if (strncmp(s, "```", 3) == 0)
			in = !in;
		else if (!in) {
			memcpy(o, s, n);
			o += n;
		}
		s += n;
	}
	if (out != NULL)
		*o = '\0';
	return out;
}

static void
test_markdown_title_callout_table_and_details(void)
{
	char *s = render("valid-all.json", RENDER_MARKDOWN, 0);

	T_OK(s != NULL);
	T_OK(strncmp(s,
	         "### standby plan: 10 to create, 8 to update, 4 to "
	         "replace, 4 to delete (3 exports)\n",
	         20) == 0);
	T_CONTAINS(s,
	    "> [!CAUTION]\n> **4 destructive actions** run first "
	    "and lose data:\n");
	T_CONTAINS(s,
	    "> - **delete_project** OldBot on lang-west (westus2): "
	    "Project OldBot on lang-west is not in standby.yaml\n");
	T_CONTAINS(s,
	    "> [!WARNING]\n> - Router routes to Weather, which "
	    "standby.yaml does not declare "
	    "(`orchestration_target_undeclared`)\n");
	T_CONTAINS(s, "| Project | Resources | Actions |\n|---|---|---|\n");
	T_CONTAINS(s,
	    "| Faq | lang-east (eastus), lang-west (westus2) | 2 to "
	    "update, 2 to replace, 1 export |\n");
	/* One details block per group, each with a diff block. */
	T_EQ_INT(count(s, "<details><summary>"), 14);
	T_EQ_INT(count(s, "```diff\n"), 14);
	T_EQ_INT(count(s, "</details>"), 14);
	T_CONTAINS(s,
	    "<details><summary><b>Faq</b>: 2 to update, 2 to "
	    "replace, 1 export</summary>\n\n```diff\n");
	free(s);
}

static void
test_markdown_destructive_first(void)
{
	char *s = render("valid-all.json", RENDER_MARKDOWN, 0);

	T_OK(s != NULL);
	T_OK(pos(s, "[!CAUTION]") < pos(s, "| Project |"));
	T_OK(pos(s, "| Project |") < pos(s, "<details>"));
	/* Groups holding deletes come first, as in the plan. */
	T_OK(pos(s, "<b>OldBot</b>") < pos(s, "<b>Booking</b>"));
	T_OK(pos(s, "<b>gpt-35-turbo</b>") < pos(s, "<b>Booking</b>"));
	free(s);
	s = render("valid-nasty.json", RENDER_MARKDOWN, 0);
	T_OK(s != NULL);
	T_OK(strstr(s, "[!CAUTION]") == NULL);
	free(s);
}

static void
test_markdown_diff_lines_use_github_colours(void)
{
	char *s = render("valid-all.json", RENDER_MARKDOWN, 0);

	T_OK(s != NULL);
	T_CONTAINS(s,
	    "\n+ import Booking (lang-west, westus2, from "
	    "lang-east)\n#     Booking does not exist on lang-west "
	    "[replica_missing]\n      snapshot: \"from "
	    "export:Booking@lang-east\"\n");
	T_CONTAINS(s,
	    "\n! deploy Faq/prod (lang-west, westus2, from "
	    "lang-east)\n");
	T_CONTAINS(s,
	    "\n-/+ import Faq (lang-west, westus2, from "
	    "lang-east)\n");
	T_CONTAINS(s, "\n- delete_project OldBot (lang-west, westus2)\n");
	/* '<' at the start of a line would be coloured as a deletion. */
	T_CONTAINS(s, "\n <= export Booking (lang-east, eastus)\n");
	free(s);
}

static void
test_markdown_escapes_hostile_names(void)
{
	char *s = render("valid-nasty.json", RENDER_MARKDOWN, 0), *md;
	const char *row;

	T_OK(s != NULL);
	md = outside_code(s);
	T_OK(md != NULL);
	T_OK(strstr(md, "<script>") == NULL);
	T_OK(strstr(md, "<b>bold") == NULL);
	T_OK(strstr(md, "\033") == NULL);
	T_CONTAINS(md,
	    "| &lt;script&gt;alert&#40;1&#41;&lt;/script&gt; | "
	    "lang-west (westus2) | 1 to create |\n");
	/* A '|' in a name must not add a cell: 4 pipes per row. */
	row = strstr(md, "| a&#124;b&#96;&#96;c |");
	T_OK(row != NULL);
	T_EQ_INT(count(row, "|") >= 4, 1);
	{
		const char *end = strchr(row, '\n');
		size_t pipes = 0;

		for (; row < end; row++)
			pipes += *row == '|';
		T_EQ_INT(pipes, 4);
	}
	T_CONTAINS(md,
	    "<summary><b>&lt;script&gt;alert&#40;1&#41;&lt;/"
	    "script&gt;</b>");
	/* Inside the code block, text is literal but a fence cannot close
	 * early: every line starts with a marker, '#' or spaces. */
	T_EQ_INT(count(s, "\n```"), 4);
	T_CONTAINS(s, "      note: \"</details>\\n```\\n# heading\"\n");
	free(md);
	free(s);
}

static void
test_markdown_no_changes(void)
{
	char *s = render("valid-empty.json", RENDER_MARKDOWN, 0);

	T_OK(s != NULL);
	T_OK(strncmp(s, "### standby plan: no changes\n", 29) == 0);
	T_CONTAINS(s, "\nLive state matches standby.yaml.\n");
	T_OK(strstr(s, "<details>") == NULL);
	T_OK(strstr(s, "| Project |") == NULL);
	free(s);
}

static void
test_markdown_500_projects_stay_within_budget(void)
{
	cJSON *p = gen_plan(500, 0, "Project", 0);
	char *s = render_md(p, 0, "out/plan.json"), *full, *note;
	unsigned shown, more, actions;

	T_OK(s != NULL);
	T_OK(strlen(s) <= RENDER_MARKDOWN_BUDGET);
	/* The whole table fits; groups are cut, whole, after it. */
	T_EQ_INT(count(s, "| Project0"), 500);
	shown = (unsigned)count(s, "<details>");
	T_OK(shown > 5 && shown < 500);
	T_EQ_INT(count(s, "</details>"), shown);
	note = strstr(s, "_... ");
	T_OK(note != NULL);
	T_EQ_INT(
	    sscanf(note, "_... %u more groups (%u actions)", &more, &actions),
	    2);
	T_EQ_INT(more, 500 - shown);
	T_EQ_INT(actions, 4 * more);
	T_CONTAINS(note,
	    "not shown: run `standby show out/plan.json` or see "
	    "the plan artifact._\n");
	T_EQ_INT(note[strlen(note) - 1], '\n');
	T_EQ_INT(strchr(note, '\n')[1], '\0');
	/* Predictable: the cut page is the full page up to a block edge. */
	full = render_md(p, (size_t)1 << 30, NULL);
	T_OK(full != NULL);
	T_OK(strncmp(full, s, (size_t)(note - s)) == 0);
	T_OK(strncmp(note - 12, "</details>\n\n", 12) == 0);
	T_OK(strstr(full, "not shown") == NULL);
	free(full);
	free(s);
	cJSON_Delete(p);
}

static void
test_markdown_budget_is_an_option(void)
{
	cJSON *p = gen_plan(40, 0, "P", 0);
	char *big = render_md(p, 0, NULL), *small = render_md(p, 5000, NULL);

	T_OK(big != NULL && small != NULL);
	T_OK(strstr(big, "not shown") == NULL);
	T_OK(strlen(small) <= 5000);
	T_CONTAINS(small,
	    "not shown: run `standby show plan.json` or see the "
	    "plan artifact._\n");
	free(big);
	free(small);
	T_OK(render_md(p, 100, NULL) == NULL);
	T_EQ_STR(e.msg, "markdown budget 100 is too small (at least 2000)");
	cJSON_Delete(p);
}

static void
test_markdown_long_names_stay_within_budget(void)
{
	cJSON *p = gen_plan(60, 0, "Long|<b>", 3000);
	char *s = render_md(p, 0, NULL), *md;

	T_OK(s != NULL);
	T_OK(strlen(s) <= RENDER_MARKDOWN_BUDGET);
	md = outside_code(s);
	T_OK(md != NULL);
	T_OK(strstr(md, "<b>") != NULL); /* our own <summary><b> */
	T_OK(strstr(md, "Long|") == NULL);
	/* Names are shortened outside code blocks. */
	T_CONTAINS(md, "xxx... | lang-east (eastus), lang-west (westus2) |");
	T_CONTAINS(s, "more groups (");
	free(md);
	free(s);
	cJSON_Delete(p);
}

static void
test_markdown_huge_table_and_destructive_list_are_cut_by_rows(void)
{
	cJSON *p = gen_plan(3000, 2000, "Project", 0);
	char *s = render_md(p, 0, NULL);

	T_OK(s != NULL);
	T_OK(strlen(s) <= RENDER_MARKDOWN_BUDGET);
	T_CONTAINS(s, "> [!CAUTION]\n> **2000 destructive actions**");
	T_CONTAINS(s, "more; see the plan JSON_\n");
	T_CONTAINS(s, "_... 5000 more groups (14000 actions) not shown");
	free(s);
	cJSON_Delete(p);
}

static void
test_markdown_is_reproducible(void)
{
	char *a = render("valid-all.json", RENDER_MARKDOWN, 0);
	char *b = render("valid-all.json", RENDER_MARKDOWN, 0);

	T_OK(a != NULL && b != NULL);
	T_EQ_STR(a, b);
	free(a);
	free(b);
}

/* --- json and the entry points ---------------------------------------- */

static void
test_json_is_the_canonical_serialisation(void)
{
	struct buf want = { 0 };
	cJSON *p = fixture("valid-all.json");
	char *s = render("valid-all.json", RENDER_JSON, 1);

	T_OK(p != NULL && s != NULL);
	T_EQ_INT(planfile_write(p, &want, &e), 0);
	T_EQ_STR(s, buf_str(&want));
	buf_release(&want);
	cJSON_Delete(p);
	free(s);
}

static void
test_invalid_plans_are_not_rendered(void)
{
	struct buf out = { 0 };
	cJSON *p = cJSON_CreateObject();

	T_EQ_INT(render_plan(p, RENDER_TEXT, NULL, &out, &e), -1);
	T_EQ_STR(e.msg, "format_version: missing");
	T_EQ_INT(render_plan(p, RENDER_MARKDOWN, NULL, &out, &e), -1);
	T_EQ_INT(render_plan(p, RENDER_JSON, NULL, &out, &e), -1);
	T_EQ_INT(out.len, 0);
	cJSON_Delete(p);
}

static void
test_format_names(void)
{
	enum render_format f = RENDER_JSON;

	T_EQ_INT(render_format_parse(&f, "text", &e), 0);
	T_EQ_INT(f, RENDER_TEXT);
	T_EQ_INT(render_format_parse(&f, "markdown", &e), 0);
	T_EQ_INT(f, RENDER_MARKDOWN);
	T_EQ_INT(render_format_parse(&f, "md", &e), 0);
	T_EQ_INT(f, RENDER_MARKDOWN);
	T_EQ_INT(render_format_parse(&f, "json", &e), 0);
	T_EQ_INT(f, RENDER_JSON);
	T_EQ_INT(render_format_parse(&f, "yaml", &e), -1);
	T_EQ_STR(e.msg, "unknown format 'yaml' (want text, markdown or json)");
}

int
main(void)
{
	T_RUN(test_text_symbol_per_change);
	T_RUN(test_text_reason_and_changed_attributes);
	T_RUN(test_text_destructive_first_then_groups_in_order);
	T_RUN(test_text_summary_line);
	T_RUN(test_text_no_changes);
	T_RUN(test_text_header_and_warnings);
	T_RUN(test_text_colour_only_when_asked);
	T_RUN(test_text_control_characters_cannot_reach_the_terminal);
	T_RUN(test_markdown_title_callout_table_and_details);
	T_RUN(test_markdown_destructive_first);
	T_RUN(test_markdown_diff_lines_use_github_colours);
	T_RUN(test_markdown_escapes_hostile_names);
	T_RUN(test_markdown_no_changes);
	T_RUN(test_markdown_500_projects_stay_within_budget);
	T_RUN(test_markdown_budget_is_an_option);
	T_RUN(test_markdown_long_names_stay_within_budget);
	T_RUN(test_markdown_huge_table_and_destructive_list_are_cut_by_rows);
	T_RUN(test_markdown_is_reproducible);
	T_RUN(test_json_is_the_canonical_serialisation);
	T_RUN(test_invalid_plans_are_not_rendered);
	T_RUN(test_format_names);
	return t_done();
}
