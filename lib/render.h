#ifndef STANDBY_RENDER_H
#define STANDBY_RENDER_H

/*
 * render.h - a plan as people read it: text for terminals, markdown for
 * pull-request comments, or the canonical JSON.  Every rendering is made
 * from the plan JSON only (planfile.h), so `standby plan` and `standby
 * show plan.json` print the same thing.
 *
 *	struct render_opts o = { .color = 1 };
 *	if (render_plan(plan, RENDER_TEXT, &o, &out, err) != 0)
 *		return -1;
 */

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct cJSON;

enum render_format {
	RENDER_TEXT = 0,
	RENDER_MARKDOWN,
	RENDER_JSON,
};

/* The markdown size budget when render_opts leaves it 0: GitHub refuses
 * comments over 65,536 characters. */
#define RENDER_MARKDOWN_BUDGET 60000
/* The smallest budget accepted: room for the title, the notes and a few
 * rows. */
#define RENDER_MARKDOWN_MIN_BUDGET 2000

struct render_opts {
	int color;              /* text: ANSI colours (the caller decides from
	                           isatty, NO_COLOR and --no-color) */
	size_t markdown_budget; /* markdown: at most this many bytes; 0 means
	                           RENDER_MARKDOWN_BUDGET */
	const char *plan_path;  /* markdown: the saved plan named in the
	                           truncation note; NULL means "plan.json" */
};

/* Sets *out from a format name: "text", "markdown" (or "md") or "json".
 * Returns -1 with err naming the choices for anything else. */
int render_format_parse(
    enum render_format *out, const char *name, struct err *err);

/* Appends the rendering of plan to out.  The plan is checked first
 * (planfile_check), so a malformed one is an error, never a garbled page.
 * opts may be NULL (no colour, default budget).
 *
 * text: a header, warnings, destructive actions first under their own
 * heading, then the other actions by group, each
 * "  <sym> <kind> <what> (<resource>, <region>[, from <source>])" with a
 * "# <reason> [<code>]" line and the changed attributes
 * ("key: before -> after"); symbols + ~ ± - <= (create, update, replace,
 * delete, read) coloured only when opts->color; control characters in
 * plan strings are shown as \xNN.  It ends with "Plan: 1 to create, 0 to
 * update, 0 to replace, 0 to delete (1 export)." or "No changes. Live
 * state matches <config>.".
 *
 * markdown: a title with the counts, the plan's provenance, a caution
 * callout listing destructive actions, warnings, a summary table (group |
 * resources | actions), then one <details> block per group with a diff
 * code block.  Names are escaped so that HTML, '|' or '@' in them cannot
 * break the page.  Never longer than the budget: when the whole page does
 * not fit, the title, callouts and table are kept (cut row-wise if they
 * alone overflow), whole groups follow in order while they fit, and a
 * last line says "... N more groups (M actions) not shown: run `standby
 * show <plan_path>` or see the plan artifact".  Returns -1 if the budget
 * is under RENDER_MARKDOWN_MIN_BUDGET.
 *
 * json: the canonical serialisation, byte for byte planfile_write(). */
int render_plan(const struct cJSON *plan, enum render_format fmt,
    const struct render_opts *opts, struct buf *out, struct err *err);

#endif
