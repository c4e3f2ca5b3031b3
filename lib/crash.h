#ifndef STANDBY_CRASH_H
#define STANDBY_CRASH_H

/*
 * crash.h - named crash points for tests (STANDBY_CRASH_AT).
 *
 * A crash test must stop the process at an exact moment, not after a
 * guessed delay.  The executor calls crash_point() at each named point;
 * when the spec the front end read from the environment names it, the
 * process ends with SIGKILL there, as kill -9 would: no cleanup, no
 * journal write, the lock left behind.
 *
 * A spec is "POINT" or "POINT:KIND" (e.g. "after-accept:import"), where
 * POINT is one of before-submit (the intent is journaled, the request not
 * sent), after-accept (the 202 arrived, the job URL not yet journaled),
 * polling (a job state was read), after-job (the job ended, its outcome
 * not yet journaled).  This is the one place lib/ may end the process,
 * and only when a test asks for it.
 */

/* The points, for messages and checks. */
#define CRASH_BEFORE_SUBMIT "before-submit"
#define CRASH_AFTER_ACCEPT "after-accept"
#define CRASH_POLLING "polling"
#define CRASH_AFTER_JOB "after-job"

/* 1 when spec is a valid crash spec (a known point, optionally ":KIND"
 * with a non-empty kind), else 0.  NULL and "" are not valid. */
int crash_spec_valid(const char *spec);

/* 1 when spec (NULL = none) names point for an action of kind: the point
 * matches and spec has no kind or the same kind. */
int crash_matches(const char *spec, const char *point, const char *kind);

/* Raises SIGKILL when crash_matches(spec, point, kind); returns otherwise. */
void crash_point(const char *spec, const char *point, const char *kind);

#endif
