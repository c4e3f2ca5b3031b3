#ifndef STANDBY_YAMLTREE_H
#define STANDBY_YAMLTREE_H

/*
 * yamltree.h - a YAML document as a small tree of nodes that keep their
 * line and column, built from libyaml's events.  Untrusted input is
 * bounded: size, nesting depth, and the number of nodes and scalar bytes
 * after alias expansion (so a "billion laughs" file is refused, not
 * expanded).  The input must be UTF-8 and hold exactly one document.
 */

#include <stddef.h>

#include "diag.h"
#include "err.h"

enum yamltree_type {
	YAMLTREE_SCALAR = 1,
	YAMLTREE_SEQ,
	YAMLTREE_MAP,
};

struct yamltree_node {
	enum yamltree_type type;
	int line, column; /* 1-based start of the node (column in chars) */
	int quoted;       /* scalar: 1 unless written plain (or tagged !!str) */
	char *tag;        /* explicit tag as resolved by libyaml, or NULL */
	char *value;      /* scalar: NUL-terminated (may hold NULs: see len) */
	size_t len;       /* scalar: bytes in value */
	/* SEQ: n items.  MAP: n = 2 * pairs, keys at even, values at odd
	 * indexes, in file order (duplicates are kept: callers check). */
	struct yamltree_node **items;
	size_t n;
	size_t count;  /* nodes in this subtree, itself included */
	size_t bytes;  /* scalar bytes in this subtree */
	size_t height; /* 1 for a scalar */
	int dup; /* a map's key: an earlier key of the map has its name (set
	            by yamlget_check_dups) */
};

struct yamltree_limits {
	size_t max_bytes;        /* input size; 0 = 4 MiB */
	size_t max_depth;        /* nesting; 0 = 64 */
	size_t max_nodes;        /* after alias expansion; 0 = 100 000 */
	size_t max_scalar_bytes; /* after alias expansion; 0 = 16 MiB */
};

/* Parses data as one YAML document.  Problems (not UTF-8 with the line and
 * column of the first bad byte, syntax errors, limits, several documents,
 * undefined aliases) are appended to diags under the name file.  Returns
 * 0 with *out set (NULL for an empty stream), or -1 with *out NULL: err is
 * ERR_SPEC when diagnostics were added, ERR_NOMEM otherwise. */
int yamltree_parse(struct yamltree_node **out, const char *file,
    const char *data, size_t len, const struct yamltree_limits *limits,
    struct diag_list *diags, struct err *err);

/* Checks that data is UTF-8 (no overlong forms, surrogates or code points
 * past U+10FFFF).  Returns 0, or -1 with *line and *column (1-based) of
 * the first bad byte. */
int yamltree_check_utf8(const char *data, size_t len, int *line, int *column);

/* For a MAP: the value of the first key equal to key, or NULL. */
const struct yamltree_node *yamltree_get(
    const struct yamltree_node *map, const char *key);

/* Releases a tree; NULL does nothing. */
void yamltree_free(struct yamltree_node *node);

#endif
