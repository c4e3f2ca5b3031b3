/*
 * ratelimit.c - a sliding one-minute window per resource and method, as
 * the service's "10 POST and 100 GET per minute" limits read.  The window
 * keeps the time of each accepted request, so Retry-After can say exactly
 * when the oldest one leaves it.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

void
rate_init(struct ratewin *w, size_t cap)
{
	memset(w, 0, sizeof(*w));
	(void)cap;
}

void
rate_release(struct ratewin *w)
{
	free(w->t);
	memset(w, 0, sizeof(*w));
}

/* Grows the ring to hold at least cap entries, keeping their order. */
static int
grow(struct ratewin *w, size_t cap)
{
	double *t;
	size_t i;

	if (cap <= w->cap)
		return 0;
	t = calloc(cap, sizeof(*t));
	if (t == NULL)
		return -1;
	for (i = 0; i < w->n; i++)
		t[i] = w->t[(w->head + i) % w->cap];
	free(w->t);
	w->t = t;
	w->cap = cap;
	w->head = 0;
	return 0;
}

int
rate_take(struct ratewin *w, long limit, double now)
{
	double wait;

	if (limit <= 0)
		return 60;
	if (grow(w, (size_t)limit) != 0)
		return 0; /* out of memory: let it through */
	while (w->n > 0 && w->t[w->head] <= now - 60.0) {
		w->head = (w->head + 1) % w->cap;
		w->n--;
	}
	if (w->n >= (size_t)limit) {
		wait = ceil(w->t[w->head] + 60.0 - now);
		return wait < 1 ? 1 : (int)wait;
	}
	w->t[(w->head + w->n) % w->cap] = now;
	w->n++;
	return 0;
}
