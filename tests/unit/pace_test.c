/* pace_test.c - the sliding-window log driven by a fake clock (plain
 * numbers). */
#include <stdlib.h>

#include "pace.h"
#include "t.h"

static void
test_n_requests_go_at_once_then_the_next_waits_for_the_first(void)
{
	struct pace p;
	int i;

	pace_init_window(&p, 10, 1000);
	for (i = 0; i < 10; i++)
		T_EQ_INT(pace_take(&p, 1000 + i), 0);
	/* The 11th waits until the first (at 1000) is 60 s old. */
	T_EQ_INT(pace_take(&p, 1500), 60000 - 500);
	T_EQ_INT(pace_take(&p, 60999), 1);
	T_EQ_INT(pace_take(&p, 61000), 0);
	/* Then the second, one ms later. */
	T_EQ_INT(pace_take(&p, 61000), 1);
	T_EQ_INT(pace_take(&p, 61001), 0);
	pace_release(&p);
}

static void
test_wait_does_not_count(void)
{
	struct pace p;

	pace_init_window(&p, 1, 0);
	T_EQ_INT(pace_wait(&p, 0), 0);
	T_EQ_INT(pace_wait(&p, 0), 0);
	T_EQ_INT(pace_take(&p, 0), 0);
	T_EQ_INT(pace_wait(&p, 250), 59750);
	pace_release(&p);
}

static void
test_an_idle_hour_gives_only_one_window(void)
{
	struct pace p;
	int i;

	pace_init_window(&p, 3, 0);
	T_EQ_INT(pace_take(&p, 0), 0);
	for (i = 0; i < 3; i++)
		T_EQ_INT(pace_take(&p, 3600000), 0);
	T_EQ_INT(pace_take(&p, 3600000), 60000);
	pace_release(&p);
}

static void
test_throttle_halves_the_count_and_holds_for_retry_after(void)
{
	struct pace p;
	int i;

	pace_init_window(&p, 10, 0);
	for (i = 0; i < 4; i++)
		T_EQ_INT(pace_take(&p, 0), 0);
	pace_throttle(&p, 100, 5000);
	T_OK(pace_rate(&p, 100) > 4.9 && pace_rate(&p, 100) < 5.1);
	/* Nothing before the Retry-After... */
	T_EQ_INT(pace_take(&p, 100), 5000);
	/* ...then one more fits in a window of 5 (4 sent at 0)... */
	T_EQ_INT(pace_take(&p, 5100), 0);
	/* ...and the next waits for the window to move past 0. */
	T_EQ_INT(pace_take(&p, 5100), 60000 - 5100);
	pace_release(&p);
}

static void
test_a_burst_of_429s_halves_the_count_once(void)
{
	struct pace p;

	pace_init_window(&p, 64, 0);
	pace_throttle(&p, 0, 0);
	pace_throttle(&p, 10, 0);
	pace_throttle(&p, PACE_THROTTLE_GAP_MS - 1, 0);
	T_OK(pace_rate(&p, 100) > 31.9 && pace_rate(&p, 100) < 32.1);
	pace_throttle(&p, PACE_THROTTLE_GAP_MS, 0);
	T_OK(pace_rate(&p, PACE_THROTTLE_GAP_MS) < 16.1);
	pace_release(&p);
}

static void
test_count_recovers_after_a_quiet_minute(void)
{
	struct pace p;

	pace_init_window(&p, 40, 0);
	pace_throttle(&p, 0, 0);
	pace_throttle(&p, 5000, 0);
	T_OK(pace_rate(&p, 5000) < 10.1);
	T_OK(pace_rate(&p, 5000 + PACE_RECOVER_MS) > 19.9);
	T_OK(pace_rate(&p, 5000 + 2 * PACE_RECOVER_MS) > 39.9);
	T_OK(pace_rate(&p, 5000 + 9 * PACE_RECOVER_MS) < 40.1);
	pace_release(&p);
}

static void
test_count_never_falls_below_the_floor(void)
{
	struct pace p;
	int i;

	pace_init_window(&p, 640, 0);
	for (i = 0; i < 20; i++)
		pace_throttle(&p, (long long)i * PACE_THROTTLE_GAP_MS, 0);
	T_OK(pace_rate(&p, 40000) > 9.9);
	pace_release(&p);
}

static void
test_under_one_a_minute_spaces_requests_out(void)
{
	struct pace p;

	pace_init_window(&p, 0.5, 0);
	T_EQ_INT(pace_take(&p, 0), 0);
	T_EQ_INT(pace_take(&p, 0), 120000);
	T_EQ_INT(pace_take(&p, 120000), 0);
	pace_release(&p);
}

/* Property: over random schedules (requests asking at random times,
 * going when pace_take lets them), never more than n starts in any
 * window of 60 s, and a refused request is told exactly when the window
 * frees (so waits are never longer than the rule needs). */
static void
test_random_schedules_never_pass_n_in_any_window(void)
{
	static long long starts[4000];
	struct pace p;
	unsigned seed = 12345;
	int run, n, i, j, k, bad = 0, late = 0;
	long long t, w;

	for (run = 0; run < 40; run++) {
		n = 1 + (int)(rand_r(&seed) % 30);
		pace_init_window(&p, n, 0);
		t = 0;
		k = 0;
		while (k < 400) {
			t += rand_r(&seed) % 3 == 0
			    ? (long long)(rand_r(&seed) % 20000)
			    : (long long)(rand_r(&seed) % 50);
			w = pace_take(&p, t);
			if (w > 0) {
				/* Exactly then the window has room. */
				if (k >= n && starts[k - n] + 60000 != t + w)
					late++;
				t += w;
				w = pace_take(&p, t);
				if (w != 0)
					late++;
			}
			starts[k++] = t;
		}
		/* Sorted: any n+1 consecutive starts span over 60 s. */
		for (i = 0; i + n < k; i++) {
			j = i + n;
			if (starts[j] - starts[i] < 60000)
				bad++;
		}
		pace_release(&p);
	}
	T_EQ_INT(bad, 0);
	T_EQ_INT(late, 0);
}

static void
test_background_spreads_out_and_leaves_the_reserve(void)
{
	struct pace p;
	long long t = 0, last = -1, maxgap = 0, fg = 0, starts[2000];
	int n = 0, i, j, fg_waited = 0;

	/* Greedy polls (Retry-After: 0) for five minutes, and a foreground
	 * request every 5 s. */
	pace_init_window(&p, 100, 0);
	while (t < 300000 && n < 2000) {
		long long w = pace_take_background(&p, t);

		if (t >= fg) {
			fg_waited += pace_take(&p, t) != 0;
			fg += 5000;
		}
		if (w > 0) {
			t += w < 10 ? w : 10;
			continue;
		}
		if (last >= 0 && t - last > maxgap)
			maxgap = t - last;
		last = t;
		starts[n++] = t;
		t += 1;
	}
	/* Never the last fifth of a window... */
	for (i = 0; i < n; i++) {
		for (j = i; j < n && starts[j] < starts[i] + 60000; j++)
			;
		T_OK(j - i <= 80);
	}
	/* ...so a foreground request never waits, */
	T_EQ_INT(fg_waited, 0);
	/* polls never stop for most of a minute, and they had the rest of
	 * the share: 80 a minute less the foreground's 12. */
	T_OK(maxgap <= 3000);
	T_OK(n >= 5 * 60);
	pace_release(&p);
}

static void
test_background_is_not_slowed_while_the_window_is_empty(void)
{
	struct pace p;
	int i;

	pace_init_window(&p, 10000, 0);
	for (i = 0; i < 100; i++)
		T_EQ_INT(pace_take_background(&p, i), 0);
	pace_release(&p);
	pace_init_window(&p, 0, 0);
	for (i = 0; i < 100; i++)
		T_EQ_INT(pace_take_background(&p, 0), 0);
	pace_release(&p);
}

static void
test_unlimited_never_waits(void)
{
	struct pace p;
	int i;

	pace_init_window(&p, 0, 0);
	for (i = 0; i < 1000; i++)
		T_EQ_INT(pace_take(&p, 0), 0);
	pace_throttle(&p, 0, 0);
	T_EQ_INT(pace_take(&p, 0), 0);
	pace_release(&p);
}

int
main(void)
{
	T_RUN(test_n_requests_go_at_once_then_the_next_waits_for_the_first);
	T_RUN(test_wait_does_not_count);
	T_RUN(test_an_idle_hour_gives_only_one_window);
	T_RUN(test_throttle_halves_the_count_and_holds_for_retry_after);
	T_RUN(test_a_burst_of_429s_halves_the_count_once);
	T_RUN(test_count_recovers_after_a_quiet_minute);
	T_RUN(test_count_never_falls_below_the_floor);
	T_RUN(test_under_one_a_minute_spaces_requests_out);
	T_RUN(test_random_schedules_never_pass_n_in_any_window);
	T_RUN(test_unlimited_never_waits);
	T_RUN(test_background_spreads_out_and_leaves_the_reserve);
	T_RUN(test_background_is_not_slowed_while_the_window_is_empty);
	return t_done();
}
