/* buf_test.c - growable strings: caps, sticky failure, encoders. */
#include <stdio.h>
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

/* The escaping of the old byte-at-a-time writer, as the reference that
 * the run-at-a-time buf_addjson() must match byte for byte. */
static void
ref_json(struct buf *b, const unsigned char *p)
{
	char u[8];

	for (; *p != '\0'; p++) {
		if (*p == '"')
			buf_addstr(b, "\\\"");
		else if (*p == '\\')
			buf_addstr(b, "\\\\");
		else if (*p == '\n')
			buf_addstr(b, "\\n");
		else if (*p == '\r')
			buf_addstr(b, "\\r");
		else if (*p == '\t')
			buf_addstr(b, "\\t");
		else if (*p < 0x20) {
			snprintf(u, sizeof(u), "\\u%04x", *p);
			buf_addstr(b, u);
		} else
			buf_addch(b, (char)*p);
	}
}

static void
test_json_escaping_matches_the_reference_for_every_byte(void)
{
	struct buf got = { 0 }, want = { 0 };
	unsigned char s[600];
	size_t i, n;

	/* Each byte alone, and between plain runs on both sides. */
	for (i = 1; i < 256; i++) {
		s[0] = (unsigned char)i;
		s[1] = '\0';
		buf_reset(&got);
		buf_reset(&want);
		buf_addjson(&got, (const char *)s);
		ref_json(&want, s);
		T_EQ_STR(buf_str(&got), buf_str(&want));
		memcpy(s, "ab", 2);
		s[2] = (unsigned char)i;
		memcpy(s + 3, "cd", 3);
		buf_reset(&got);
		buf_reset(&want);
		buf_addjson(&got, (const char *)s);
		ref_json(&want, s);
		T_EQ_STR(buf_str(&got), buf_str(&want));
	}
	/* A long string mixing runs, escapes, UTF-8 (2, 3 and 4 bytes), DEL
	 * and an invalid byte, which is copied as it is. */
	n = 0;
	while (n + 40 < sizeof(s)) {
		const char *piece =
		    n % 3 ? "plain text run " : "\"q\"\\\x1f\x7f";

		memcpy(s + n, piece, strlen(piece));
		n += strlen(piece);
		memcpy(s + n, "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\xff", 10);
		n += 10;
	}
	s[n] = '\0';
	buf_reset(&got);
	buf_reset(&want);
	T_EQ_INT(buf_addjson(&got, (const char *)s), 0);
	ref_json(&want, s);
	T_EQ_STR(buf_str(&got), buf_str(&want));
	T_EQ_INT(got.len, want.len);
	/* Nothing at all, and only escapes. */
	buf_reset(&got);
	T_EQ_INT(buf_addjson(&got, ""), 0);
	T_EQ_INT(got.len, 0);
	buf_addjson(&got, "\\\"\n");
	T_EQ_STR(buf_str(&got), "\\\\\\\"\\n");
	buf_release(&got);
	buf_release(&want);
}

static void
test_json_escaping_respects_the_cap(void)
{
	struct buf b = { .max = 8 };

	T_EQ_INT(buf_addjson(&b, "abc\n"), 0); /* 5 bytes */
	T_EQ_STR(buf_str(&b), "abc\\n");
	/* A run that would pass the cap fails and sticks. */
	T_EQ_INT(buf_addjson(&b, "defg"), -1);
	T_OK(b.failed);
	T_EQ_INT(buf_addjson(&b, "x"), -1);
	T_EQ_STR(buf_str(&b), "abc\\n");
	buf_release(&b);
}

/* The fast path of buf_add (room left in the allocation) still honours
 * the cap, which is smaller than the allocation here. */
static void
test_cap_holds_when_the_allocation_has_room(void)
{
	struct buf b = { .max = 10 };

	T_EQ_INT(buf_add(&b, "12345", 5), 0);
	T_OK(b.cap > 11);
	T_EQ_INT(buf_add(&b, "67890", 5), 0);
	T_EQ_INT(b.len, 10);
	T_EQ_INT(buf_add(&b, "x", 1), -1);
	T_OK(b.failed);
	T_EQ_STR(buf_str(&b), "1234567890");
	buf_reset(&b);
	T_EQ_INT(buf_add(&b, "", 0), 0);
	T_EQ_STR(buf_str(&b), "");
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
	T_RUN(test_json_escaping_matches_the_reference_for_every_byte);
	T_RUN(test_json_escaping_respects_the_cap);
	T_RUN(test_cap_holds_when_the_allocation_has_room);
	T_RUN(test_take_hands_over_and_empties);
	T_RUN(test_err_wrap_prepends_context);
	return t_done();
}
