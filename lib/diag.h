#ifndef STANDBY_DIAG_H
#define STANDBY_DIAG_H

/*
 * diag.h - diagnostics about an input file: a list of {file, line, column,
 * path, severity, message}.  Validation collects every problem in one run
 * instead of stopping at the first; the front end sorts and prints them.
 * lib/ never prints: diag_format_text() and diag_format_json() only fill a
 * buffer.
 */

#include <stddef.h>

#include "buf.h"
#include "err.h"

enum diag_severity {
	DIAG_ERROR = 0,
	DIAG_WARNING,
};

struct diag {
	char *file; /* as given to the loader */
	int line;   /* 1-based; 0 when the problem has no position */
	int column; /* 1-based, in characters */
	char *path; /* key path, e.g. "projects.Travel.replicas[0]"; "" */
	enum diag_severity severity;
	char *message; /* lower case, no final full stop; never a secret */
};

struct diag_list {
	struct diag *v;
	size_t n, cap;
	size_t nerrors, nwarnings;
	int nomem; /* an add ran out of memory: the list is incomplete */
};

/* Appends one diagnostic (file and path are copied; path may be NULL).
 * Returns 0, or -1 when memory ran out (and sets list->nomem). */
int diag_add(struct diag_list *list, const char *file, int line, int column,
    const char *path, enum diag_severity severity, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Sorts by file, line, column, then message; duplicates (same position and
 * message) are dropped. */
void diag_sort(struct diag_list *list);

/* Frees every diagnostic; the list may be reused. */
void diag_list_release(struct diag_list *list);

/* "error" or "warning". */
const char *diag_severity_name(enum diag_severity severity);

/* Appends one line per diagnostic:
 *	file:line:column: error: path: message
 * (": path" is left out when the path is empty).  Returns 0 or -1 with err
 * filled. */
int diag_format_text(
    const struct diag_list *list, struct buf *out, struct err *err);

/* Appends a JSON array of objects {file, line, column, path, severity,
 * message}.  Returns 0 or -1 with err filled. */
int diag_format_json(
    const struct diag_list *list, struct buf *out, struct err *err);

#endif
