/*
 * pace.c - a sliding-window log per bucket: the start times of the last
 * requests, at most as many as the window admits.  Time is a parameter,
 * never read here: the HTTP client passes its (injectable) clock, tests
 * pass a fake one.  The log is exactly the service's rule, so a client
 * that keeps to it is never refused for its own traffic, and never waits
 * while the service would have taken the request.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pace.h"

void
pace_init_window(struct pace *p, double n, long long now_ms)
{
	memset(p, 0, sizeof(*p));
	p->per_min = n > 0 ? n : 0;
	p->factor = 1;
	p->hold_until_ms = now_ms;
	p->slow_until_ms = now_ms;
	p->throttled_ms = -1;
	p->bg_last_ms = -1;
}

void
pace_release(struct pace *p)
{
	free(p->sent);
	p->sent = NULL;
	p->cap = p->head = p->n = 0;
}

/* Brings factor up to now_ms: it doubles back each quiet period. */
static void
recover(struct pace *p, long long now_ms)
{
	while (p->factor < 1 && now_ms >= p->slow_until_ms) {
		p->factor *= 2;
		if (p->factor > 1)
			p->factor = 1;
		p->slow_until_ms += PACE_RECOVER_MS;
	}
}

/* The count a window admits now, and the window's length. */
static size_t
limit(const struct pace *p, long long *window_ms)
{
	double l = floor(p->per_min * p->factor);

	*window_ms = PACE_WINDOW_MS;
	if (l < 1) {
		/* Under one a window: one per 60/rate seconds. */
		*window_ms = (long long)ceil(
		    (double)PACE_WINDOW_MS / (p->per_min * p->factor));
		return 1;
	}
	return l > 1e9 ? (size_t)1e9 : (size_t)l;
}

static long long
at(const struct pace *p, size_t i)
{
	return p->sent[(p->head + i) % p->cap];
}

/* How many starts are in the window that ends at now_ms; *skip_out gets
 * how many older ones the ring still holds. */
static size_t
in_window(
    const struct pace *p, long long now_ms, long long win, size_t *skip_out)
{
	size_t skip = 0;

	/* Starts that have left the window no longer count. */
	while (skip < p->n && at(p, skip) <= now_ms - win)
		skip++;
	*skip_out = skip;
	return p->n - skip;
}

/* The wait at now_ms in a copy whose factor is current. */
static long long
wait_at(const struct pace *p, long long now_ms)
{
	long long win, oldest;
	size_t lim, n, skip;

	if (p->per_min <= 0)
		return 0;
	if (now_ms < p->hold_until_ms)
		return p->hold_until_ms - now_ms;
	lim = limit(p, &win);
	n = in_window(p, now_ms, win, &skip);
	if (n < lim)
		return 0;
	/* The lim-th last start must leave the window first. */
	oldest = at(p, skip + n - lim);
	return oldest + win - now_ms;
}

/* Makes room for lim entries; 0, or -1 when out of memory. */
static int
grow(struct pace *p, size_t lim)
{
	long long *t;
	size_t i, cap;

	if (lim <= p->cap)
		return 0;
	cap = p->cap ? p->cap : 16;
	while (cap < lim)
		cap *= 2;
	if (cap > lim)
		cap = lim;
	if ((t = malloc(cap * sizeof(*t))) == NULL)
		return -1;
	for (i = 0; i < p->n; i++)
		t[i] = at(p, i);
	free(p->sent);
	p->sent = t;
	p->cap = cap;
	p->head = 0;
	return 0;
}

long long
pace_take(struct pace *p, long long now_ms)
{
	long long w, win;
	size_t lim;

	if (p->per_min <= 0)
		return 0;
	recover(p, now_ms);
	if ((w = wait_at(p, now_ms)) > 0)
		return w;
	lim = limit(p, &win);
	while (p->n > 0 && at(p, 0) <= now_ms - win) {
		p->head = (p->head + 1) % p->cap;
		p->n--;
	}
	if (grow(p, lim) != 0 && p->n >= p->cap)
		return 1000; /* out of memory: stricter, never looser */
	p->sent[(p->head + p->n) % p->cap] = now_ms;
	p->n++;
	return 0;
}

long long
pace_take_background(struct pace *p, long long now_ms)
{
	long long w, win, due;
	size_t lim, used, skip, share;

	if (p->per_min <= 0)
		return 0;
	/* pace_take() below waits for the window itself; here only the
	 * share and the spreading. */
	recover(p, now_ms);
	lim = limit(p, &win);
	used = in_window(p, now_ms, win, &skip);
	share = (size_t)floor((double)lim * (1 - PACE_BG_RESERVE));
	if (share < 1)
		share = 1;
	if (used >= share) {
		/* Only the reserve is left: wait for the oldest start in
		 * the share to leave the window. */
		w = at(p, skip + used - share) + win - now_ms;
		return w > 0 ? w : 1;
	}
	if ((double)used >= floor((double)share * PACE_BG_BURST) &&
	    p->bg_last_ms >= 0) {
		/* Past the burst: what is left of the share is spread
		 * evenly until the oldest start leaves the window and
		 * gives one back. */
		due = p->bg_last_ms +
		    (at(p, skip) + win - now_ms) / (long long)(share - used);
		if (now_ms < due)
			return due - now_ms;
	}
	if ((w = pace_take(p, now_ms)) > 0)
		return w;
	p->bg_last_ms = now_ms;
	return 0;
}

long long
pace_wait(const struct pace *p, long long now_ms)
{
	struct pace copy = *p;

	recover(&copy, now_ms);
	return wait_at(&copy, now_ms);
}

void
pace_throttle(struct pace *p, long long now_ms, long long retry_after_ms)
{
	recover(p, now_ms);
	if (p->throttled_ms < 0 ||
	    now_ms - p->throttled_ms >= PACE_THROTTLE_GAP_MS) {
		p->factor /= 2;
		if (p->factor < 1 / PACE_MIN_FACTOR)
			p->factor = 1 / PACE_MIN_FACTOR;
		p->throttled_ms = now_ms;
	}
	p->slow_until_ms = now_ms + PACE_RECOVER_MS;
	if (retry_after_ms > 0 && now_ms + retry_after_ms > p->hold_until_ms)
		p->hold_until_ms = now_ms + retry_after_ms;
}

double
pace_rate(const struct pace *p, long long now_ms)
{
	struct pace copy = *p;

	recover(&copy, now_ms);
	return copy.per_min * copy.factor;
}
