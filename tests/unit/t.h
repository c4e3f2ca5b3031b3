#ifndef STANDBY_T_H
#define STANDBY_T_H

/*
 * t.h - the unit-test harness: a few assertion macros and a runner that
 * prints TAP-like lines ("ok 3 - name", "not ok 4 - name") that
 * tests/run.sh counts.  An assertion that fails ends the current test
 * (return), not the whole file, so one bad case does not hide the rest.
 *
 *	static void
 *	test_empty_buffer_is_empty_string(void)
 *	{
 *		struct buf b = { 0 };
 *		T_EQ_STR(buf_str(&b), "");
 *	}
 *	int main(void) { T_RUN(test_empty_buffer_is_empty_string); return
 *t_done(); }
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failed_now, t_count, t_failures;

#define T_FAIL_AT(...)                                                         \
	do {                                                                   \
		fprintf(stderr, "#   %s:%d: ", __FILE__, __LINE__);            \
		fprintf(stderr, __VA_ARGS__);                                  \
		fputc('\n', stderr);                                           \
		t_failed_now = 1;                                              \
	} while (0)

/* The expression is true; ends the test otherwise. */
#define T_OK(e)                                                                \
	do {                                                                   \
		if (!(e)) {                                                    \
			T_FAIL_AT("expected: %s", #e);                         \
			return;                                                \
		}                                                              \
	} while (0)

/* Two integers are equal. */
#define T_EQ_INT(a, b)                                                         \
	do {                                                                   \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);        \
		if (t_a_ != t_b_) {                                            \
			T_FAIL_AT("%s == %s: got %lld, want %lld", #a, #b,     \
			    t_a_, t_b_);                                       \
			return;                                                \
		}                                                              \
	} while (0)

/* Two strings are equal (NULL equals only NULL). */
#define T_EQ_STR(a, b)                                                         \
	do {                                                                   \
		const char *t_a_ = (a), *t_b_ = (b);                           \
		if ((t_a_ == NULL) != (t_b_ == NULL) ||                        \
		    (t_a_ != NULL && strcmp(t_a_, t_b_) != 0)) {               \
			T_FAIL_AT("%s == %s: got \"%s\", want \"%s\"", #a, #b, \
			    t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");   \
			return;                                                \
		}                                                              \
	} while (0)

/* haystack contains needle. */
#define T_CONTAINS(hay, needle)                                                \
	do {                                                                   \
		const char *t_h_ = (hay), *t_n_ = (needle);                    \
		if (t_h_ == NULL || strstr(t_h_, t_n_) == NULL) {              \
			T_FAIL_AT("%s contains \"%s\": got \"%s\"", #hay,      \
			    t_n_, t_h_ ? t_h_ : "(null)");                     \
			return;                                                \
		}                                                              \
	} while (0)

static void
t_run(const char *name, void (*fn)(void))
{
	t_failed_now = 0;
	fn();
	t_count++;
	if (t_failed_now)
		t_failures++;
	printf("%s %d - %s\n", t_failed_now ? "not ok" : "ok", t_count, name);
	fflush(stdout);
}

#define T_RUN(fn) t_run(#fn, fn)

/* Ends main(): 0 when every test passed. */
static int
t_done(void)
{
	return t_failures ? 1 : 0;
}

#endif
