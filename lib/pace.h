#ifndef STANDBY_PACE_H
#define STANDBY_PACE_H

/*
 * pace.h - keeps a client inside a service's request limit, read the way
 * the service counts it: at most n requests in any sliding 60-second
 * window.  A request may start when fewer than n were started in the
 * last 60 s; else it waits until the n-th last of them is 60 s old.  So
 * n requests go at once, and the next n as the first ones leave the
 * window (a token bucket with a smaller burst spread them out for
 * nothing).  Pure: every function takes the current time in milliseconds
 * (any monotonic origin), so tests drive them with a fake clock.
 *
 * pace_throttle() is the answer to a 429: it halves the window's count
 * (down to 1/64 of it, at least 1) and holds every request back for the
 * Retry-After the service gave.  The count doubles back once per
 * PACE_RECOVER_MS without another 429.
 *
 * pace_take_background() is for requests that may wait (job polls, which
 * a service that says Retry-After: 0 invites back at once): they never
 * take the last PACE_BG_RESERVE of a window, which stays for the reads
 * and writes that move work forward; they may spend the first
 * PACE_BG_BURST of their share at once (a short run is never slowed), and
 * the rest evenly until the oldest start leaves the window.  So polls
 * slow down smoothly as the window fills, instead of spending it in a
 * second and then waiting out the minute.
 */

#include <stddef.h>

/* How long a slow-down lasts before the count doubles back. */
#define PACE_RECOVER_MS 60000LL
/* 429s closer together than this are one signal: requests already in
 * flight when the first came must not halve the count again. */
#define PACE_THROTTLE_GAP_MS 2000LL
/* The slowest a window gets: 1/PACE_MIN_FACTOR of its count. */
#define PACE_MIN_FACTOR 64.0
/* The window the service counts requests in. */
#define PACE_WINDOW_MS 60000LL
/* The part of a window background requests leave to the others. */
#define PACE_BG_RESERVE 0.2
/* The part of their share background requests may spend at once. */
#define PACE_BG_BURST 0.25

struct pace {
	double per_min;          /* configured count a window; 0 = unlimited */
	double factor;           /* 1, halved on each throttle */
	long long *sent;         /* ring of start times, oldest first */
	size_t cap, head, n;     /* of sent */
	long long hold_until_ms; /* nothing starts before this (Retry-After) */
	long long slow_until_ms; /* when factor next doubles back */
	long long throttled_ms;  /* last halving; -1 = never */
	long long bg_last_ms;    /* last background start; -1 = never */
};

/* Sets p up, empty, at now_ms: at most n requests start in any 60-second
 * window (n <= 0: unlimited).  Below 1 a minute, one request in every
 * 60/n seconds.  Release it with pace_release(). */
void pace_init_window(struct pace *p, double n, long long now_ms);

/* Frees what p holds; p may be set up again. */
void pace_release(struct pace *p);

/* Starts a request at now_ms: returns 0 when it may go (it is counted),
 * else how many ms until one may (always > 0; nothing was counted). */
long long pace_take(struct pace *p, long long now_ms);

/* pace_take() for a request that may wait (see above): 0 when it may go
 * (it is counted), else how many ms until it may try again. */
long long pace_take_background(struct pace *p, long long now_ms);

/* What pace_take() would answer, without counting anything. */
long long pace_wait(const struct pace *p, long long now_ms);

/* A 429 arrived at now_ms: halve the count (unless the last halving was
 * under PACE_THROTTLE_GAP_MS ago), and let nothing start for
 * retry_after_ms (0 = no hold). */
void pace_throttle(struct pace *p, long long now_ms, long long retry_after_ms);

/* The rate in effect at now_ms, in requests a minute. */
double pace_rate(const struct pace *p, long long now_ms);

#endif
