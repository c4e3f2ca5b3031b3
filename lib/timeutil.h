#ifndef STANDBY_TIMEUTIL_H
#define STANDBY_TIMEUTIL_H

/*
 * timeutil.h - the timestamps Azure sends, read leniently: RFC 3339
 * date-times with "Z" or a numeric offset, any number of fraction digits
 * (the services send up to 7), and plain "YYYY-MM-DD" dates.
 */

/* Parses s into seconds since the epoch (UTC; fractions dropped).  A
 * date alone means its midnight UTC.  Returns 0, or -1 when s is not one
 * of the accepted forms (nothing is written to *out then). */
int timeutil_parse(const char *s, long long *out);

/* Seconds since the epoch of a UTC civil time; no range checks. */
long long timeutil_from_civil(
    int year, int mon, int day, int hour, int min, int sec);

/* The wall clock in milliseconds since the epoch. */
long long timeutil_now_ms(void);

/* A monotonic clock in milliseconds, for deadlines and backoff. */
long long timeutil_mono_ms(void);

#endif
