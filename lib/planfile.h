#ifndef STANDBY_PLANFILE_H
#define STANDBY_PLANFILE_H

/*
 * planfile.h - the saved plan (PLAN-FORMAT.md, schema/plan.schema.json):
 * load it, check it strictly, write it canonically, and read it.
 *
 * A plan is kept as a cJSON tree; this module is the one place that knows
 * its shape.  Everything that reads a plan (render, show, apply) calls
 * planfile_check() first (planfile_load() does), after which the accessors
 * below never see a missing field or a wrong type.
 *
 *	cJSON *plan = NULL;
 *	if (planfile_load(&plan, "plan.json", err) != 0)
 *		return -1;	// "plan.json: actions[3].depends_on[0]: ..."
 *	cJSON_ArrayForEach(a, planfile_actions(plan))
 *		... planfile_str(a, "id"), planfile_action_change(a) ...
 *	cJSON_Delete(plan);
 */

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct cJSON;

/* The newest format_version this standby reads and writes. */
#define PLANFILE_FORMAT_VERSION 1

/* An action's change, in the order summaries list them. */
enum planfile_change {
	PLANFILE_CREATE = 0, /* +  */
	PLANFILE_UPDATE,     /* ~  */
	PLANFILE_REPLACE,    /* ±  */
	PLANFILE_DELETE,     /* -  */
	PLANFILE_READ,       /* <= (exports) */
	PLANFILE_NCHANGES,
};

/* The "summary" object of a plan. */
struct planfile_summary {
	long long n[PLANFILE_NCHANGES]; /* indexed by enum planfile_change */
	long long total;
};

/* Reads the plan file at path, parses it and checks it with
 * planfile_check().  On success *out is the plan (free it with
 * cJSON_Delete()); on failure *out is NULL and err says what and where,
 * prefixed by path: "plan.json:3:7: invalid JSON",
 * "plan.json: actions[3].kind: unknown kind 'frob'", or "plan.json:
 * format_version 2 is newer than this standby reads (1); ...". */
int planfile_load(struct cJSON **out, const char *path, struct err *err);

/* As planfile_load() for len bytes of text already in memory; name
 * prefixes error messages (e.g. "<stdin>"). */
int planfile_parse(struct cJSON **out, const char *text, size_t len,
    const char *name, struct err *err);

/* Checks that plan follows format_version 1 strictly: format_version
 * first (a newer one is refused with a message saying to upgrade), then
 * every required key with its type, no unknown or duplicate keys, enums
 * (kind, change, reason code, target type), id "<kind>:<name>@<resource>
 * [/<sub>]" with the action's kind, ids unique, depends_on naming ids of
 * this plan, no cycles, summary counts equal to the actions', deletes
 * marked destructive and destructive actions first.  Returns 0, or -1
 * with err naming the JSON path ("actions[3].depends_on[0]: unknown action
 * 'x'"), with no file name. */
int planfile_check(const struct cJSON *plan, struct err *err);

/* Appends the canonical serialisation of plan to out: keys in the order of
 * PLAN-FORMAT.md (before/after keep their own order), 2-space indent,
 * integers only, UTF-8 as is, a trailing newline.  The same plan always
 * gives the same bytes.  The plan is checked first; returns -1 with err
 * set if it is invalid or out fails. */
int planfile_write(const struct cJSON *plan, struct buf *out, struct err *err);

/* The summary counts of a checked plan. */
void planfile_summary(const struct cJSON *plan, struct planfile_summary *out);

/* 1 if a checked plan has any action (apply would do something), else 0:
 * what --detailed-exitcode reports as 2. */
int planfile_has_changes(const struct cJSON *plan);

/* The "actions" array of a checked plan, for cJSON_ArrayForEach().
 * Borrowed from plan. */
const struct cJSON *planfile_actions(const struct cJSON *plan);

/* The string member key of obj (a plan, an action, its target or reason),
 * or NULL when it is absent, null or not a string.  Borrowed. */
const char *planfile_str(const struct cJSON *obj, const char *key);

/* The member key of obj, or NULL; exact (case-sensitive) match.
 * Borrowed. */
const struct cJSON *planfile_get(const struct cJSON *obj, const char *key);

/* The change of a checked action. */
enum planfile_change planfile_action_change(const struct cJSON *action);

/* 1 if a checked action is destructive, else 0. */
int planfile_action_destructive(const struct cJSON *action);

/* The JSON name of a change ("create", ...), or NULL when out of range. */
const char *planfile_change_name(enum planfile_change c);

#endif
