/* pace_test.c - token buckets driven by a fake clock (plain numbers). */
#include "pace.h"
#include "t.h"

static void
test_burst_then_the_next_request_waits_for_a_token(void)
{
	struct pace p;
	int i;

	pace_init(&p, 60, 3, 1000);
	for (i = 0; i < 3; i++)
		T_EQ_INT(pace_take(&p, 1000), 0);
	/* 60 a minute = one a second: the 4th waits a full second. */
	T_EQ_INT(pace_take(&p, 1000), 1000);
	T_EQ_INT(pace_take(&p, 1400), 600);
	T_EQ_INT(pace_take(&p, 2000), 0);
	T_EQ_INT(pace_take(&p, 2000), 1000);
}

static void
test_wait_does_not_take(void)
{
	struct pace p;

	pace_init(&p, 60, 1, 0);
	T_EQ_INT(pace_wait(&p, 0), 0);
	T_EQ_INT(pace_wait(&p, 0), 0);
	T_EQ_INT(pace_take(&p, 0), 0);
	T_EQ_INT(pace_wait(&p, 250), 750);
}

static void
test_tokens_never_exceed_the_burst(void)
{
	struct pace p;
	int i;

	pace_init(&p, 60, 2, 0);
	T_EQ_INT(pace_take(&p, 0), 0);
	T_EQ_INT(pace_take(&p, 0), 0);
	/* An hour idle refills only up to the burst. */
	for (i = 0; i < 2; i++)
		T_EQ_INT(pace_take(&p, 3600000), 0);
	T_OK(pace_take(&p, 3600000) > 0);
}

static void
test_throttle_halves_the_rate_and_empties_the_bucket(void)
{
	struct pace p;

	pace_init(&p, 60, 5, 0);
	T_EQ_INT(pace_take(&p, 0), 0);
	pace_throttle(&p, 0, 0);
	T_OK(pace_rate(&p, 0) > 29.9 && pace_rate(&p, 0) < 30.1);
	/* 30 a minute: a token every 2 s, none left from the burst. */
	T_EQ_INT(pace_take(&p, 0), 2000);
	T_EQ_INT(pace_take(&p, 2000), 0);
	pace_throttle(&p, 2000, 0);
	T_EQ_INT(pace_take(&p, 2000), 4000);
}

static void
test_a_burst_of_429s_halves_the_rate_once(void)
{
	struct pace p;
	int i;

	pace_init(&p, 60, 5, 0);
	/* Six requests in flight all come back 429 at about once. */
	for (i = 0; i < 6; i++)
		pace_throttle(&p, 100 + i * 10, 0);
	T_OK(pace_rate(&p, 200) > 29.9 && pace_rate(&p, 200) < 30.1);
	pace_throttle(&p, 100 + PACE_THROTTLE_GAP_MS, 0);
	T_OK(pace_rate(&p, 3000) > 14.9 && pace_rate(&p, 3000) < 15.1);
}

static void
test_throttle_holds_tokens_for_retry_after(void)
{
	struct pace p;

	pace_init(&p, 600, 10, 0);
	pace_throttle(&p, 0, 5000);
	T_EQ_INT(pace_take(&p, 100), 4900);
	/* After the hold, the slowed rate has refilled the bucket. */
	T_EQ_INT(pace_take(&p, 5000), 0);
}

static void
test_rate_recovers_after_a_quiet_minute(void)
{
	struct pace p;

	pace_init(&p, 60, 1, 0);
	pace_throttle(&p, 0, 0);
	pace_throttle(&p, PACE_THROTTLE_GAP_MS, 0);
	T_OK(pace_rate(&p, PACE_THROTTLE_GAP_MS) < 15.1);
	T_OK(pace_rate(&p, PACE_THROTTLE_GAP_MS + PACE_RECOVER_MS + 1) > 29.9);
	T_OK(pace_rate(&p, PACE_THROTTLE_GAP_MS + PACE_RECOVER_MS + 1) < 30.1);
	T_OK(pace_rate(&p, PACE_THROTTLE_GAP_MS + 2 * PACE_RECOVER_MS + 1) >
	    59.9);
	T_OK(pace_rate(&p, 10 * PACE_RECOVER_MS) < 60.1);
}

static void
test_rate_never_falls_below_the_floor(void)
{
	struct pace p;
	int i;

	pace_init(&p, 64, 1, 0);
	for (i = 0; i < 20; i++)
		pace_throttle(&p, i * PACE_THROTTLE_GAP_MS, 0);
	T_OK(pace_rate(&p, 40000) > 0.99 && pace_rate(&p, 40000) < 1.01);
}

static void
test_window_init_keeps_n_per_minute_in_any_window(void)
{
	struct pace p;
	long long t, starts[64];
	int n = 0, i, j, most = 0, in;

	/* 10 POST a minute: simulate two minutes of eager senders. */
	pace_init_window(&p, 10, 0);
	for (t = 0; t < 120000 && n < 64; t++)
		if (pace_take(&p, t) == 0)
			starts[n++] = t;
	for (i = 0; i < n; i++) {
		in = 0;
		for (j = i; j < n && starts[j] < starts[i] + 60000; j++)
			in++;
		if (in > most)
			most = in;
	}
	T_OK(most <= 10);
	T_OK(most >= 9);
	T_OK(n >= 18);
}

static void
test_unlimited_never_waits(void)
{
	struct pace p;
	int i;

	pace_init(&p, 0, 1, 0);
	for (i = 0; i < 1000; i++)
		T_EQ_INT(pace_take(&p, 0), 0);
}

int
main(void)
{
	T_RUN(test_burst_then_the_next_request_waits_for_a_token);
	T_RUN(test_wait_does_not_take);
	T_RUN(test_tokens_never_exceed_the_burst);
	T_RUN(test_throttle_halves_the_rate_and_empties_the_bucket);
	T_RUN(test_a_burst_of_429s_halves_the_rate_once);
	T_RUN(test_throttle_holds_tokens_for_retry_after);
	T_RUN(test_rate_recovers_after_a_quiet_minute);
	T_RUN(test_rate_never_falls_below_the_floor);
	T_RUN(test_window_init_keeps_n_per_minute_in_any_window);
	T_RUN(test_unlimited_never_waits);
	return t_done();
}
