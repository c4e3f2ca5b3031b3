#ifndef STANDBY_BUF_H
#define STANDBY_BUF_H

/*
 * buf.h - growable strings with a size cap and a sticky failure.
 *
 * The cap exists because HTTP bodies come from servers we do not control
 * (curl's dynbuf); the sticky failure (libgit2's git_str) lets a run of
 * appends be checked once with buf_check().
 *
 *	struct buf url = { .max = 8192 };
 *	buf_addstr(&url, base);
 *	buf_addf(&url, "/projects/%s", name);
 *	if (buf_check(&url, err, "building the request URL") != 0)
 *		goto out;
 */

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

struct buf {
	char *data; /* NUL-terminated once anything was added */
	size_t len, cap;
	size_t max; /* an append that would pass this fails; 0 = 64 MiB */
	int failed; /* the first failure sticks; later appends do nothing */
};

/* Appends n bytes of p.  Returns 0, or -1 (and sets failed) when memory
 * runs out or the result would pass max. */
int buf_add(struct buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string. */
int buf_addstr(struct buf *b, const char *s);

/* Appends one byte. */
int buf_addch(struct buf *b, char c);

/* Appends printf-formatted text. */
int buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);

/* Appends s percent-encoded for a URL path segment or query value
 * (RFC 3986 unreserved characters pass through). */
int buf_addurlenc(struct buf *b, const char *s);

/* Appends s as the inside of a JSON string (quotes not included). */
int buf_addjson(struct buf *b, const char *s);

/* Returns 0 if no append failed, else fills err with "what: ..." and
 * returns -1. */
int buf_check(const struct buf *b, struct err *err, const char *what);

/* The contents, or "" when nothing was added.  Borrowed. */
const char *buf_str(const struct buf *b);

/* Empties the buffer but keeps its memory and max; clears failed. */
void buf_reset(struct buf *b);

/* Hands the contents to the caller (free() it) and leaves b empty; never
 * NULL unless memory ran out. */
char *buf_take(struct buf *b);

/* Releases the memory; b may be reused afterwards. */
void buf_release(struct buf *b);

#endif
