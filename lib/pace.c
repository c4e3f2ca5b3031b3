/*
 * pace.c - token buckets.  Time is a parameter, never read here: the HTTP
 * client passes its (injectable) clock, tests pass a fake one.  Tokens are
 * doubles so that slow rates (a few a minute) refill smoothly instead of
 * in whole-token steps.
 */
#include <math.h>

#include "pace.h"

void
pace_init(struct pace *p, double per_min, double burst, long long now_ms)
{
	p->per_min = per_min > 0 ? per_min : 0;
	p->burst = burst >= 1 ? burst : 1;
	p->tokens = p->burst;
	p->factor = 1;
	p->last_ms = now_ms;
	p->hold_until_ms = now_ms;
	p->slow_until_ms = now_ms;
	p->throttled_ms = -1;
}

void
pace_init_window(struct pace *p, double n, long long now_ms)
{
	double burst = n >= 10 ? floor(n / 10) : 1;

	pace_init(p, n > burst ? n - burst : n, burst, now_ms);
}

/* Brings tokens and factor up to now_ms.  The factor only changes at
 * slow_until_ms, so refilling in pieces split there is exact. */
static void
refill(struct pace *p, long long now_ms)
{
	long long t;

	if (p->per_min <= 0)
		return;
	while (p->last_ms < now_ms) {
		t = now_ms;
		if (p->factor < 1 && p->slow_until_ms > p->last_ms &&
		    p->slow_until_ms < t)
			t = p->slow_until_ms;
		p->tokens +=
		    (double)(t - p->last_ms) * p->per_min * p->factor / 60000.0;
		if (p->tokens > p->burst)
			p->tokens = p->burst;
		p->last_ms = t;
		if (p->factor < 1 && t >= p->slow_until_ms) {
			p->factor *= 2;
			if (p->factor > 1)
				p->factor = 1;
			p->slow_until_ms = t + PACE_RECOVER_MS;
		}
	}
}

static long long
wait_for_token(const struct pace *p, long long now_ms)
{
	double need, ms;

	if (p->per_min <= 0)
		return 0;
	if (now_ms < p->hold_until_ms)
		return p->hold_until_ms - now_ms;
	if (p->tokens >= 1)
		return 0;
	need = 1 - p->tokens;
	ms = ceil(need * 60000.0 / (p->per_min * p->factor));
	return ms < 1 ? 1 : (long long)ms;
}

long long
pace_take(struct pace *p, long long now_ms)
{
	long long w;

	refill(p, now_ms);
	w = wait_for_token(p, now_ms);
	if (w == 0 && p->per_min > 0)
		p->tokens -= 1;
	return w;
}

long long
pace_wait(const struct pace *p, long long now_ms)
{
	struct pace copy = *p;

	refill(&copy, now_ms);
	return wait_for_token(&copy, now_ms);
}

void
pace_throttle(struct pace *p, long long now_ms, long long retry_after_ms)
{
	refill(p, now_ms);
	if (p->throttled_ms < 0 ||
	    now_ms - p->throttled_ms >= PACE_THROTTLE_GAP_MS) {
		p->factor /= 2;
		if (p->factor < 1 / PACE_MIN_FACTOR)
			p->factor = 1 / PACE_MIN_FACTOR;
		p->throttled_ms = now_ms;
	}
	p->slow_until_ms = now_ms + PACE_RECOVER_MS;
	if (p->tokens > 0)
		p->tokens = 0;
	if (retry_after_ms > 0 && now_ms + retry_after_ms > p->hold_until_ms)
		p->hold_until_ms = now_ms + retry_after_ms;
}

double
pace_rate(const struct pace *p, long long now_ms)
{
	struct pace copy = *p;

	refill(&copy, now_ms);
	return copy.per_min * copy.factor;
}
