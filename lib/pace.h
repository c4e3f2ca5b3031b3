#ifndef STANDBY_PACE_H
#define STANDBY_PACE_H

/*
 * pace.h - token buckets that keep a client inside a service's request
 * rate.  Pure: every function takes the current time in milliseconds (any
 * monotonic origin), so tests drive them with a fake clock.
 *
 * A bucket holds up to burst tokens and gains per_min tokens a minute; a
 * request takes one.  pace_throttle() is the answer to a 429: it halves
 * the rate (down to 1/64 of it), empties the bucket, and holds every
 * token back for the Retry-After the service gave.  The rate doubles back
 * once per PACE_RECOVER_MS without another 429.
 */

/* How long a slow-down lasts before the rate doubles back. */
#define PACE_RECOVER_MS 60000LL
/* 429s closer together than this are one signal: requests already in
 * flight when the first came must not halve the rate again. */
#define PACE_THROTTLE_GAP_MS 2000LL
/* The slowest a bucket gets: 1/PACE_MIN_FACTOR of its rate. */
#define PACE_MIN_FACTOR 64.0

struct pace {
	double per_min;          /* configured tokens a minute; 0 = unlimited */
	double burst;            /* bucket size, at least 1 */
	double tokens;           /* may be fractional */
	double factor;           /* 1, halved on each throttle */
	long long last_ms;       /* when tokens were last counted */
	long long hold_until_ms; /* no token before this (Retry-After) */
	long long slow_until_ms; /* when factor next doubles back */
	long long throttled_ms;  /* last halving; -1 = never */
};

/* Sets p up full (burst tokens) at now_ms.  per_min <= 0 means unlimited;
 * burst < 1 counts as 1. */
void pace_init(struct pace *p, double per_min, double burst, long long now_ms);

/* Sets p up so that at most n requests start in any 60-second window:
 * a burst of n/10 (at least 1) and a rate of n minus the burst.  Below
 * 2 a minute the window can hold one more. */
void pace_init_window(struct pace *p, double n, long long now_ms);

/* Takes a token: returns 0 when one was taken, else how many ms until
 * one may be (always > 0; nothing was taken). */
long long pace_take(struct pace *p, long long now_ms);

/* What pace_take() would answer, without taking anything. */
long long pace_wait(const struct pace *p, long long now_ms);

/* A 429 arrived at now_ms: halve the rate (unless the last halving was
 * under PACE_THROTTLE_GAP_MS ago), empty the bucket, and give out no token
 * for retry_after_ms (0 = no hold). */
void pace_throttle(struct pace *p, long long now_ms, long long retry_after_ms);

/* The rate in effect at now_ms, in tokens a minute. */
double pace_rate(const struct pace *p, long long now_ms);

#endif
