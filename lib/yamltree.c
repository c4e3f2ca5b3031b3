/*
 * yamltree.c - libyaml events into a tree with marks.
 *
 * libyaml's own document loader is not used: it expands nothing but keeps
 * aliases as shared nodes and has no limits, and we need to charge every
 * expanded alias against a budget before copying it.  Aliases are copied
 * (not shared) so that the tree stays a tree and one free() per node
 * suffices; the budgets make the copy cost bounded.
 */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yamltree.h"

#define DEFAULT_MAX_BYTES (4u << 20)
#define DEFAULT_MAX_DEPTH 64
#define DEFAULT_MAX_NODES 100000
#define DEFAULT_MAX_SCALAR_BYTES (16u << 20)

struct anchor {
	char *name;
	struct yamltree_node *node; /* borrowed from the tree */
};

struct builder {
	const char *file;
	struct yamltree_limits lim;
	struct diag_list *diags;
	struct yamltree_node **stack; /* open collections */
	size_t depth, stack_cap;
	struct anchor *anchors;
	size_t nanchors, anchors_cap;
	size_t nodes, bytes; /* totals so far, expansions included */
	struct yamltree_node *root;
	int ndocs;
	int failed; /* a diagnostic was added */
	int nomem;
};

int
yamltree_check_utf8(const char *data, size_t len, int *line, int *column)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0, n, k;
	unsigned int cp, min;
	int ln = 1, col = 1;

	while (i < len) {
		if (p[i] < 0x80) {
			n = 1;
			cp = p[i];
			min = 0;
		} else if ((p[i] & 0xe0) == 0xc0) {
			n = 2;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 3;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 4;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else {
			goto bad;
		}
		if (len - i < n)
			goto bad;
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		if (cp == '\n') {
			ln++;
			col = 1;
		} else {
			col++;
		}
		i += n;
	}
	return 0;
bad:
	*line = ln;
	*column = col;
	return -1;
}

static struct yamltree_node *
node_new(struct builder *b, enum yamltree_type type, const yaml_mark_t *m)
{
	struct yamltree_node *n;

	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		b->nomem = 1;
		return NULL;
	}
	n->type = type;
	n->line = (int)m->line + 1;
	n->column = (int)m->column + 1;
	n->count = 1;
	n->height = 1;
	return n;
}

void
yamltree_free(struct yamltree_node *node)
{
	size_t i;

	if (node == NULL)
		return;
	for (i = 0; i < node->n; i++)
		yamltree_free(node->items[i]);
	free(node->items);
	free(node->value);
	free(node->tag);
	free(node);
}

static struct yamltree_node *
node_copy(const struct yamltree_node *src)
{
	struct yamltree_node *n;
	size_t i;

	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	*n = *src;
	n->items = NULL;
	n->value = NULL;
	n->tag = NULL;
	n->n = 0;
	if (src->tag != NULL && (n->tag = strdup(src->tag)) == NULL)
		goto fail;
	if (src->value != NULL) {
		n->value = malloc(src->len + 1);
		if (n->value == NULL)
			goto fail;
		memcpy(n->value, src->value, src->len + 1);
	}
	if (src->n > 0) {
		n->items = calloc(src->n, sizeof(*n->items));
		if (n->items == NULL)
			goto fail;
		for (i = 0; i < src->n; i++) {
			n->items[i] = node_copy(src->items[i]);
			if (n->items[i] == NULL)
				goto fail;
			n->n++;
		}
	}
	return n;
fail:
	yamltree_free(n);
	return NULL;
}

static void
problem(struct builder *b, const yaml_mark_t *m, const char *msg)
{
	if (diag_add(b->diags, b->file, (int)m->line + 1, (int)m->column + 1,
	        NULL, DIAG_ERROR, "%s", msg) != 0)
		b->nomem = 1;
	b->failed = 1;
}

static int
add_anchor(
    struct builder *b, const unsigned char *name, struct yamltree_node *node)
{
	struct anchor *na;
	size_t ncap;

	if (b->nanchors == b->anchors_cap) {
		ncap = b->anchors_cap ? b->anchors_cap * 2 : 8;
		na = realloc(b->anchors, ncap * sizeof(*na));
		if (na == NULL)
			goto nomem;
		b->anchors = na;
		b->anchors_cap = ncap;
	}
	b->anchors[b->nanchors].name = strdup((const char *)name);
	if (b->anchors[b->nanchors].name == NULL)
		goto nomem;
	b->anchors[b->nanchors].node = node;
	b->nanchors++;
	return 0;
nomem:
	b->nomem = 1;
	return -1;
}

static struct yamltree_node *
find_anchor(struct builder *b, const char *name)
{
	size_t i;

	/* The latest definition wins, as YAML says. */
	for (i = b->nanchors; i > 0; i--)
		if (strcmp(b->anchors[i - 1].name, name) == 0)
			return b->anchors[i - 1].node;
	return NULL;
}

/* Hangs a finished node under the open collection (or makes it the root)
 * and charges its size. Takes node. */
static int
attach(struct builder *b, struct yamltree_node *node)
{
	struct yamltree_node *parent, **ni;
	size_t ncap;

	if (b->depth == 0) {
		if (b->root != NULL) {
			yamltree_free(node);
			return 0;
		}
		b->root = node;
		return 0;
	}
	parent = b->stack[b->depth - 1];
	if ((parent->n & (parent->n - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
		ncap = parent->n ? parent->n * 2 : 4;
		ni = realloc(parent->items, ncap * sizeof(*ni));
		if (ni == NULL) {
			yamltree_free(node);
			b->nomem = 1;
			return -1;
		}
		parent->items = ni;
	}
	parent->items[parent->n++] = node;
	return 0;
}

static int
charge(struct builder *b, size_t nodes, size_t bytes, const yaml_mark_t *m)
{
	if (b->nodes + nodes > b->lim.max_nodes || nodes > b->lim.max_nodes) {
		problem(b, m,
		    "too many nodes (aliases expanded); the limit is "
		    "reached, refusing to expand further");
		return -1;
	}
	if (b->bytes + bytes > b->lim.max_scalar_bytes ||
	    bytes > b->lim.max_scalar_bytes) {
		problem(b, m,
		    "too much text once aliases are expanded; "
		    "refusing to expand further");
		return -1;
	}
	b->nodes += nodes;
	b->bytes += bytes;
	return 0;
}

static int
too_deep(struct builder *b, size_t height, const yaml_mark_t *m)
{
	if (b->depth + height > b->lim.max_depth) {
		problem(b, m, "nesting is too deep");
		return 1;
	}
	return 0;
}

static int
on_event(struct builder *b, yaml_event_t *ev)
{
	struct yamltree_node *n = NULL, *src;
	const unsigned char *anchor = NULL, *tag = NULL;
	const yaml_mark_t *m = &ev->start_mark;
	size_t i;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->ndocs > 1) {
			problem(b, m,
			    "only one YAML document is allowed; "
			    "found a second one");
			return -1;
		}
		return 0;
	case YAML_SCALAR_EVENT:
		if (charge(b, 1, ev->data.scalar.length, m) != 0 ||
		    too_deep(b, 1, m))
			return -1;
		if ((n = node_new(b, YAMLTREE_SCALAR, m)) == NULL)
			return -1;
		n->len = ev->data.scalar.length;
		n->bytes = n->len;
		n->value = malloc(n->len + 1);
		if (n->value == NULL)
			goto nomem;
		memcpy(n->value, ev->data.scalar.value, n->len);
		n->value[n->len] = '\0';
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (charge(b, 1, 0, m) != 0 || too_deep(b, 1, m))
			return -1;
		n = node_new(b,
		    ev->type == YAML_SEQUENCE_START_EVENT ? YAMLTREE_SEQ
		                                          : YAMLTREE_MAP,
		    m);
		if (n == NULL)
			return -1;
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			anchor = ev->data.sequence_start.anchor;
			tag = ev->data.sequence_start.tag;
		} else {
			anchor = ev->data.mapping_start.anchor;
			tag = ev->data.mapping_start.tag;
		}
		if (tag != NULL && (n->tag = strdup((const char *)tag)) == NULL)
			goto nomem;
		if (b->depth == b->stack_cap) {
			struct yamltree_node **ns;
			size_t ncap = b->stack_cap ? b->stack_cap * 2 : 16;

			ns = realloc(b->stack, ncap * sizeof(*ns));
			if (ns == NULL)
				goto nomem;
			b->stack = ns;
			b->stack_cap = ncap;
		}
		/* The anchor is registered when the collection ends: an
		 * alias inside it to itself is then undefined, not a loop. */
		if (anchor != NULL) {
			/* Keep the name on the node until the end event. */
			free(n->value);
			n->value = strdup((const char *)anchor);
			if (n->value == NULL)
				goto nomem;
		}
		b->stack[b->depth++] = n;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		n = b->stack[--b->depth];
		for (i = 0; i < n->n; i++) {
			n->count += n->items[i]->count;
			n->bytes += n->items[i]->bytes;
			if (n->items[i]->height + 1 > n->height)
				n->height = n->items[i]->height + 1;
		}
		if (n->value != NULL) {
			if (add_anchor(b, (unsigned char *)n->value, n) != 0) {
				free(n->value);
				n->value = NULL;
				b->depth++; /* still owned by the stack */
				return -1;
			}
			free(n->value);
			n->value = NULL;
		}
		return attach(b, n);
	case YAML_ALIAS_EVENT:
		src = find_anchor(b, (const char *)ev->data.alias.anchor);
		if (src == NULL) {
			problem(b, m, "alias refers to an undefined anchor");
			return -1;
		}
		if (charge(b, src->count, src->bytes, m) != 0 ||
		    too_deep(b, src->height, m))
			return -1;
		if ((n = node_copy(src)) == NULL)
			goto nomem;
		n->line = (int)m->line + 1;
		n->column = (int)m->column + 1;
		return attach(b, n);
	default:
		return 0;
	}
	/* A scalar. */
	if (tag != NULL) {
		if ((n->tag = strdup((const char *)tag)) == NULL)
			goto nomem;
		if (strcmp(n->tag, YAML_STR_TAG) == 0)
			n->quoted = 1;
	}
	if (attach(b, n) != 0)
		return -1;
	if (anchor != NULL && add_anchor(b, anchor, n) != 0)
		return -1;
	return 0;
nomem:
	yamltree_free(n);
	b->nomem = 1;
	return -1;
}

int
yamltree_parse(struct yamltree_node **out, const char *file, const char *data,
    size_t len, const struct yamltree_limits *limits, struct diag_list *diags,
    struct err *err)
{
	struct builder b;
	yaml_parser_t parser;
	yaml_event_t ev;
	yaml_mark_t m0 = { 0, 0, 0 };
	int line, column, done = 0, rc = -1, inited = 0;
	size_t i;
	char msg[300];

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.file = file;
	b.diags = diags;
	if (limits != NULL)
		b.lim = *limits;
	if (b.lim.max_bytes == 0)
		b.lim.max_bytes = DEFAULT_MAX_BYTES;
	if (b.lim.max_depth == 0)
		b.lim.max_depth = DEFAULT_MAX_DEPTH;
	if (b.lim.max_nodes == 0)
		b.lim.max_nodes = DEFAULT_MAX_NODES;
	if (b.lim.max_scalar_bytes == 0)
		b.lim.max_scalar_bytes = DEFAULT_MAX_SCALAR_BYTES;

	if (len > b.lim.max_bytes) {
		snprintf(msg, sizeof(msg),
		    "the file is larger than the limit of %zu bytes",
		    b.lim.max_bytes);
		problem(&b, &m0, msg);
		goto out;
	}
	if (yamltree_check_utf8(data, len, &line, &column) != 0) {
		if (diag_add(diags, file, line, column, NULL, DIAG_ERROR,
		        "the file is not valid UTF-8") != 0)
			b.nomem = 1;
		b.failed = 1;
		goto out;
	}
	if (!yaml_parser_initialize(&parser)) {
		b.nomem = 1;
		goto out;
	}
	inited = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				b.nomem = 1;
			} else {
				snprintf(msg, sizeof(msg),
				    "syntax error: %s%s%s",
				    parser.problem ? parser.problem
				                   : "invalid YAML",
				    parser.context ? " " : "",
				    parser.context ? parser.context : "");
				problem(&b, &parser.problem_mark, msg);
			}
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		if (on_event(&b, &ev) != 0) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	if (!b.failed && !b.nomem && done) {
		*out = b.root;
		b.root = NULL;
		rc = 0;
	}
out:
	if (inited)
		yaml_parser_delete(&parser);
	while (b.depth > 0) {
		struct yamltree_node *n = b.stack[--b.depth];

		free(n->value);
		n->value = NULL;
		yamltree_free(n);
	}
	free(b.stack);
	for (i = 0; i < b.nanchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	yamltree_free(b.root);
	if (rc != 0) {
		if (b.nomem || diags->nomem)
			err_set(
			    err, ERR_NOMEM, "out of memory parsing '%s'", file);
		else
			err_set(err, ERR_SPEC, "'%s' is not valid YAML", file);
	}
	return rc;
}

const struct yamltree_node *
yamltree_get(const struct yamltree_node *map, const char *key)
{
	size_t i;

	if (map == NULL || map->type != YAMLTREE_MAP)
		return NULL;
	for (i = 0; i + 1 < map->n; i += 2)
		if (map->items[i]->type == YAMLTREE_SCALAR &&
		    strcmp(map->items[i]->value, key) == 0)
			return map->items[i + 1];
	return NULL;
}
