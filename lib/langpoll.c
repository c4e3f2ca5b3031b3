/* langpoll.c - polling a Language job to its end: the pure state machine
 * (language_poll_step) that decides between done, failed and wait, and
 * the loop that runs it with status GETs separated by the client's own
 * timers (language_tick/language_run).  A failed status GET is retried,
 * never answered by starting the job again. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "language_int.h"

void
language_poll_free(struct poll *p)
{
	if (p == NULL)
		return;
	p->lc->pending--;
	free(p->url);
	free(p);
}

void
language_poll_init(
    const struct language *lc, struct language_poll_state *ps, long long now)
{
	memset(ps, 0, sizeof(*ps));
	ps->deadline_ms = now + lc->o.poll_timeout_ms;
	ps->next_ms = lc->o.poll_initial_ms;
}

enum language_poll_verdict
language_poll_step(const struct language *lc, struct language_poll_state *ps,
    const struct language_job *job, const struct err *get_err, long long now,
    long *wait_ms, struct err *err)
{
	long wait;

	*wait_ms = 0;
	if (job == NULL) {
		/* The job is where it was: a failed status GET is retried,
		 * never answered by starting the job again. */
		if (get_err != NULL && get_err->code == ERR_NOTFOUND) {
			*err = *get_err;
			return LANGUAGE_POLL_FAILED;
		}
		if (++ps->failures > lc->o.poll_max_failures) {
			if (get_err != NULL)
				*err = *get_err;
			err_wrap(err, "%d status reads failed in a row",
			    ps->failures);
			return LANGUAGE_POLL_FAILED;
		}
		wait = ps->next_ms;
	} else {
		ps->failures = 0;
		ps->polls++;
		switch (job->status) {
		case LANGUAGE_JOB_SUCCEEDED:
			return LANGUAGE_POLL_DONE;
		case LANGUAGE_JOB_FAILED:
		case LANGUAGE_JOB_CANCELLED:
		case LANGUAGE_JOB_PARTIALLY_COMPLETED:
			err_set(err, ERR_HTTP, "%s%s%s%s%s",
			    job->status_str ? job->status_str : "failed",
			    job->n_errors && job->errors[0].code ? ": " : "",
			    job->n_errors && job->errors[0].code
			        ? job->errors[0].code
			        : "",
			    job->n_errors && job->errors[0].message ? ": " : "",
			    job->n_errors && job->errors[0].message
			        ? job->errors[0].message
			        : "");
			return LANGUAGE_POLL_FAILED;
		default:
			break;
		}
		wait = job->retry_after_ms >= 0
		    ? (job->retry_after_ms > lc->o.retry_after_max_ms
		              ? lc->o.retry_after_max_ms
		              : job->retry_after_ms)
		    : ps->next_ms;
	}
	if (now >= ps->deadline_ms) {
		err_set(err, ERR_HTTP, "still %s at the deadline (%ld s)",
		    job && job->status_str ? job->status_str : "unread",
		    lc->o.poll_timeout_ms / 1000);
		return LANGUAGE_POLL_FAILED;
	}
	if (now + wait > ps->deadline_ms)
		wait = (long)(ps->deadline_ms - now);
	ps->next_ms = ps->next_ms * 2 > lc->o.poll_max_ms ? lc->o.poll_max_ms
	                                                  : ps->next_ms * 2;
	*wait_ms = wait;
	return LANGUAGE_POLL_WAIT;
}

static void
poll_get(struct poll *p)
{
	struct err e = { 0 };

	if (language_url_op(p->lc, K_JOB, p->url, NULL, NULL, p, &e) != 0)
		language_poll_on_job(p, NULL, &e);
}

void
language_poll_on_job(
    struct poll *p, struct language_job *job, const struct err *ge)
{
	struct language *lc = p->lc;
	struct err e = { 0 };
	struct timer *t, **tp;
	long wait;

	switch (language_poll_step(
	    lc, &p->ps, job, ge, language_mono(lc), &wait, &e)) {
	case LANGUAGE_POLL_DONE:
		if (p->progress != NULL)
			p->progress(p->arg, job, NULL);
		p->done(p->arg, NULL);
		language_poll_free(p);
		return;
	case LANGUAGE_POLL_FAILED:
		if (job != NULL && p->progress != NULL)
			p->progress(p->arg, job, NULL);
		err_wrap(
		    &e, "language: job %.*s", language_url_len(p->url), p->url);
		p->done(p->arg, &e);
		language_poll_free(p);
		return;
	case LANGUAGE_POLL_WAIT:
		break;
	}
	if (job != NULL && p->progress != NULL)
		p->progress(p->arg, job, NULL);
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		p->done(p->arg, &e);
		language_poll_free(p);
		return;
	}
	t->due = language_mono(lc) + wait;
	t->poll = p;
	for (tp = &lc->timers; *tp != NULL && (*tp)->due <= t->due;
	     tp = &(*tp)->next)
		;
	t->next = *tp;
	*tp = t;
	/* The timer is the caller's loop's (language_tick): let it run. */
	http_wake(lc->o.http);
}

int
language_poll(struct language *lc, const char *job_url,
    language_job_fn progress, language_done_fn done, void *arg, struct err *err)
{
	struct poll *p;

	if (job_url == NULL || !language_same_origin(lc, job_url))
		return err_set(err, ERR_SPEC,
		    "language: job URL '%.*s' is not on the endpoint %s",
		    job_url ? language_url_len(job_url) : 6,
		    job_url ? job_url : "(null)", lc->endpoint);
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->url = strdup(job_url)) == NULL) {
		free(p);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	p->lc = lc;
	p->progress = progress;
	p->done = done;
	p->arg = arg;
	lc->pending++;
	language_poll_init(lc, &p->ps, language_mono(lc));
	if (language_url_op(lc, K_JOB, p->url, NULL, NULL, p, err) != 0) {
		language_poll_free(p);
		return -1;
	}
	return 0;
}

long
language_tick(struct language *lc)
{
	struct timer *t;
	long long now = language_mono(lc);

	while ((t = lc->timers) != NULL && t->due <= now) {
		lc->timers = t->next;
		poll_get(t->poll);
		free(t);
	}
	if (lc->timers == NULL)
		return -1;
	return (long)(lc->timers->due - now);
}

int
language_run(struct language *lc, long timeout_ms, struct err *err)
{
	long long end = timeout_ms < 0 ? -1 : language_mono(lc) + timeout_ms;
	long next, slice;

	for (;;) {
		next = language_tick(lc);
		if (lc->pending == 0)
			return 0;
		if (end >= 0 && language_mono(lc) >= end)
			return 0;
		slice = next < 0 || next > 1000 ? 1000 : next;
		if (end >= 0 && end - language_mono(lc) < slice)
			slice = (long)(end - language_mono(lc));
		if (next < 0 && http_pending(lc->o.http) == 0)
			return err_set(err, ERR_HTTP,
			    "language: %d operations wait on nothing",
			    lc->pending);
		if (http_pending(lc->o.http) > 0) {
			if (http_run(lc->o.http, slice, err) < 0)
				return -1;
		} else if (slice > 0) {
			struct timespec ts = { slice / 1000,
				(slice % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
}
