/* buf_test.c - growable strings: caps, sticky failure, encoders. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "t.h"

static void
test_empty_buffer_reads_as_empty_string(void)
{
	struct buf b = { 0 };

	T_EQ_STR(buf_str(&b), "");
	T_EQ_INT(b.len, 0);
}

static void
test_appends_concatenate(void)
{
	struct buf b = { 0 };

	buf_addstr(&b, "projects/");
	buf_addf(&b, "%s-%d", "p", 7);
	buf_addch(&b, '!');
	T_EQ_STR(buf_str(&b), "projects/p-7!");
	T_EQ_INT(b.len, 13);
	buf_release(&b);
}

static void
test_cap_fails_and_failure_sticks(void)
{
	struct buf b = { .max = 8 };
	struct err err = { 0 };

	T_EQ_INT(buf_addstr(&b, "1234567"), 0);
	T_EQ_INT(buf_addstr(&b, "89"), -1);
	/* later appends that would fit do nothing: the failure sticks */
	T_EQ_INT(buf_addstr(&b, ""), -1);
	T_EQ_STR(buf_str(&b), "1234567");
	T_EQ_INT(buf_check(&b, &err, "reading the body"), -1);
	T_CONTAINS(err.msg, "reading the body");
	T_CONTAINS(err.msg, "8 bytes");
	buf_release(&b);
}

static void
test_reset_clears_failure_and_keeps_cap(void)
{
	struct buf b = { .max = 4 };

	buf_addstr(&b, "toolong");
	T_OK(b.failed);
	buf_reset(&b);
	T_OK(!b.failed);
	T_EQ_INT(buf_addstr(&b, "abcd"), 0);
	T_EQ_INT(buf_addstr(&b, "e"), -1);
	buf_release(&b);
}

static void
test_url_encoding_keeps_unreserved(void)
{
	struct buf b = { 0 };

	buf_addurlenc(&b, "Travel Agent/ü~._-");
	T_EQ_STR(buf_str(&b), "Travel%20Agent%2F%C3%BC~._-");
	buf_release(&b);
}

static void
test_json_escaping(void)
{
	struct buf b = { 0 };

	buf_addjson(&b, "a\"b\\c\n\x01");
	T_EQ_STR(buf_str(&b), "a\\\"b\\\\c\\n\\u0001");
	buf_release(&b);
}

static void
test_take_hands_over_and_empties(void)
{
	struct buf b = { 0 };
	char *s;

	s = buf_take(&b);
	T_EQ_STR(s, "");
	free(s);
	buf_addstr(&b, "x");
	s = buf_take(&b);
	T_EQ_STR(s, "x");
	T_OK(b.data == NULL);
	T_EQ_INT(b.len, 0);
	free(s);
}

static void
test_err_wrap_prepends_context(void)
{
	struct err err = { 0 };

	err_set(&err, ERR_SPEC, "unknown key '%s'", "prot");
	err_wrap(&err, "loading '%s'", "web.yaml");
	T_EQ_STR(err.msg, "loading 'web.yaml': unknown key 'prot'");
	T_EQ_INT(err.code, ERR_SPEC);
}

int
main(void)
{
	T_RUN(test_empty_buffer_reads_as_empty_string);
	T_RUN(test_appends_concatenate);
	T_RUN(test_cap_fails_and_failure_sticks);
	T_RUN(test_reset_clears_failure_and_keeps_cap);
	T_RUN(test_url_encoding_keeps_unreserved);
	T_RUN(test_json_escaping);
	T_RUN(test_take_hands_over_and_empties);
	T_RUN(test_err_wrap_prepends_context);
	return t_done();
}
