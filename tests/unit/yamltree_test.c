/* yamltree_test.c - marks, limits, UTF-8 checks and aliases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "yamltree.h"

static struct yamltree_node *
parse(const char *s, const struct yamltree_limits *lim, struct diag_list *d)
{
	struct yamltree_node *root = NULL;
	struct err err = { 0 };

	yamltree_parse(&root, "t.yaml", s, strlen(s), lim, d, &err);
	return root;
}

static void
test_marks_are_one_based(void)
{
	struct diag_list d = { 0 };
	struct yamltree_node *r = parse("a: 1\nb:\n  - 'x'\n", NULL, &d);
	const struct yamltree_node *b;

	T_OK(r != NULL);
	T_EQ_INT(r->type, YAMLTREE_MAP);
	b = yamltree_get(r, "b");
	T_OK(b != NULL && b->type == YAMLTREE_SEQ);
	T_EQ_INT(b->items[0]->line, 3);
	T_EQ_INT(b->items[0]->column, 5);
	T_EQ_INT(b->items[0]->quoted, 1);
	T_EQ_INT(yamltree_get(r, "a")->quoted, 0);
	T_OK(yamltree_get(r, "c") == NULL);
	yamltree_free(r);
	diag_list_release(&d);
}

static void
test_alias_bomb_is_refused(void)
{
	struct yamltree_limits lim = { .max_nodes = 1000 };
	struct diag_list d = { 0 };
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	                   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n";

	T_OK(parse(bomb, &lim, &d) == NULL);
	T_EQ_INT(d.nerrors, 1);
	T_EQ_INT(d.v[0].line, 3);
	T_CONTAINS(d.v[0].message, "too many nodes");
	diag_list_release(&d);
}

static void
test_small_aliases_are_expanded(void)
{
	struct diag_list d = { 0 };
	struct yamltree_node *r = parse("a: &x {k: v}\nb: *x\n", NULL, &d);

	T_OK(r != NULL);
	T_EQ_STR(yamltree_get(yamltree_get(r, "b"), "k")->value, "v");
	T_EQ_INT(yamltree_get(r, "b")->line, 2);
	yamltree_free(r);
	diag_list_release(&d);
}

static void
test_depth_limit(void)
{
	struct yamltree_limits lim = { .max_depth = 4 };
	struct diag_list d = { 0 };
	struct yamltree_node *r;

	r = parse("[[[x]]]", &lim, &d);
	T_OK(r != NULL);
	yamltree_free(r);
	T_OK(parse("[[[[x]]]]", &lim, &d) == NULL);
	T_CONTAINS(d.v[0].message, "nesting is too deep");
	T_EQ_INT(d.v[0].column, 5);
	diag_list_release(&d);
}

static void
test_size_limit(void)
{
	struct yamltree_limits lim = { .max_bytes = 8 };
	struct diag_list d = { 0 };

	T_OK(parse("a: 123456789", &lim, &d) == NULL);
	T_CONTAINS(d.v[0].message, "larger than the limit");
	diag_list_release(&d);
}

static void
test_utf8(void)
{
	int line = 0, col = 0;

	T_EQ_INT(yamltree_check_utf8(
	             "caf\xc3\xa9\n\xf0\x9f\x98\x80", 10, &line, &col),
	    0);
	T_EQ_INT(yamltree_check_utf8("ab\ncd\xc0\xaf", 7, &line, &col), -1);
	T_EQ_INT(line, 2);
	T_EQ_INT(col, 3);
	/* a surrogate, and a truncated sequence */
	T_EQ_INT(yamltree_check_utf8("\xed\xa0\x80", 3, &line, &col), -1);
	T_EQ_INT(yamltree_check_utf8("\xe2\x82", 2, &line, &col), -1);
}

static void
test_one_document_only(void)
{
	struct diag_list d = { 0 };

	T_OK(parse("a: 1\n---\nb: 2\n", NULL, &d) == NULL);
	T_EQ_INT(d.v[0].line, 2);
	T_CONTAINS(d.v[0].message, "only one YAML document");
	diag_list_release(&d);
}

static void
test_empty_stream_is_null_root(void)
{
	struct diag_list d = { 0 };
	struct yamltree_node *r = NULL;
	struct err err = { 0 };

	T_EQ_INT(yamltree_parse(&r, "t", "", 0, NULL, &d, &err), 0);
	T_OK(r == NULL);
	T_EQ_INT(d.n, 0);
}

int
main(void)
{
	T_RUN(test_marks_are_one_based);
	T_RUN(test_alias_bomb_is_refused);
	T_RUN(test_small_aliases_are_expanded);
	T_RUN(test_depth_limit);
	T_RUN(test_size_limit);
	T_RUN(test_utf8);
	T_RUN(test_one_document_only);
	T_RUN(test_empty_stream_is_null_root);
	return t_done();
}
