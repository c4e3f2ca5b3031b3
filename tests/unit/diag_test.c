/* diag_test.c - sorting, de-duplication and formatting of diagnostics. */
#include <string.h>

#include "diag.h"
#include "t.h"

static void
test_sorted_by_position_and_formatted(void)
{
	struct diag_list d = { 0 };
	struct buf out = { 0 };
	struct err err = { 0 };

	diag_add(&d, "f.yaml", 9, 2, "b", DIAG_ERROR, "second");
	diag_add(&d, "f.yaml", 3, 7, "", DIAG_WARNING, "first \"q\"");
	diag_add(&d, "f.yaml", 9, 2, "b", DIAG_ERROR, "second");
	diag_sort(&d);
	T_EQ_INT(d.n, 2);
	T_EQ_INT(d.nerrors, 1);
	T_EQ_INT(d.nwarnings, 1);
	T_EQ_INT(d.v[0].line, 3);
	T_EQ_INT(diag_format_text(&d, &out, &err), 0);
	T_EQ_STR(buf_str(&out),
	    "f.yaml:3:7: warning: first \"q\"\n"
	    "f.yaml:9:2: error: b: second\n");
	buf_reset(&out);
	T_EQ_INT(diag_format_json(&d, &out, &err), 0);
	T_CONTAINS(buf_str(&out), "\"message\":\"first \\\"q\\\"\"");
	T_CONTAINS(buf_str(&out),
	    "\"line\":9,\"column\":2,\"path\":\"b\","
	    "\"severity\":\"error\"");
	buf_release(&out);
	diag_list_release(&d);
	T_EQ_INT(d.n, 0);
}

int
main(void)
{
	T_RUN(test_sorted_by_position_and_formatted);
	return t_done();
}
