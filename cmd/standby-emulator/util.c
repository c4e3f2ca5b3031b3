/*
 * util.c - clocks, ids and small parsers.  The emulator clock is the real
 * clock plus an offset the control API can move, so expiry can be tested
 * without waiting; job timing uses the monotonic clock and never moves.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* OpenSSL's ERR_STATE typedef collides with lib/err.h's ERR_STATE. */
#define ERR_STATE OSSL_ERR_STATE
#include <openssl/rand.h>

#undef ERR_STATE

#include "emu.h"

double
emu_now(const struct emu *emu)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9 + emu->clock_offset;
}

double
emu_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ISO-8601 UTC with seven fraction digits, as the service's examples show
 * ("2022-04-18T15:47:49.4334381Z"); the fraction makes two updates within
 * one second still compare different. */
void
emu_fmt_time(double t, char out[40])
{
	time_t s = (time_t)t;
	struct tm tm;
	long frac = (long)((t - (double)s) * 1e7);
	char day[24];

	if (frac < 0)
		frac = 0;
	if (frac > 9999999)
		frac = 9999999;
	gmtime_r(&s, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%07ldZ", day, frac);
}

void
emu_fmt_date(double t, char out[16])
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

int
emu_parse_date(const char *s, double *out)
{
	struct tm tm;
	int y, m, d, n = 0;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    s[n] != '\0' || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = (double)timegm(&tm);
	return 0;
}

void
emu_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[64];
	size_t i;

	if (nbytes > sizeof(b))
		nbytes = sizeof(b);
	if (RAND_bytes(b, (int)nbytes) != 1)
		memset(b, 0x5a, nbytes);
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * nbytes] = '\0';
}

void
emu_uuid(char out[37])
{
	char h[33];

	emu_hex(h, 16);
	h[12] = '4';
	h[16] = "89ab"[h[16] % 4];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16,
	    h + 20);
}

/* "{guid}_{ticks}": the ticks are .NET ticks of today's midnight UTC, as
 * in the service's examples.  Clients must treat the id as opaque. */
void
emu_job_id(const struct emu *emu, char out[96])
{
	char u[37];
	long long day = (long long)emu_now(emu) / 86400 * 86400;
	long long ticks = (day + 62135596800LL) * 10000000LL;

	emu_uuid(u);
	snprintf(out, 96, "%s_%lld", u, ticks);
}

/* Project, model and deployment names: letters, digits, '_', '.', '-', at
 * most 50 characters (the service limits page). */
int
emu_valid_name(const char *s)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++, n++) {
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' &&
		    *s != '-')
			return 0;
	}
	return n <= 50;
}

/* "250ms", "2s", "1.5s", "0", "manual:N" (one step per N polls). */
int
emu_parse_duration(const char *s, struct job_timing *out)
{
	char *end;
	double v;

	if (strncmp(s, "manual:", 7) == 0) {
		long n = strtol(s + 7, &end, 10);

		if (end == s + 7 || *end != '\0' || n < 1 || n > 1000000)
			return -1;
		out->ms = 0;
		out->polls = (int)n;
		return 0;
	}
	v = strtod(s, &end);
	if (end == s || v < 0 || v > 86400000)
		return -1;
	if (strcmp(end, "ms") == 0)
		;
	else if (strcmp(end, "s") == 0)
		v *= 1000;
	else if (*end == '\0' && v == 0)
		;
	else
		return -1;
	out->ms = (long)v;
	out->polls = 0;
	return 0;
}

const char *
emu_query(const struct req *rq, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rq->query, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *
emu_header(const struct req *rq, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(rq->headers, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

size_t
emu_utf16_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (; *p != '\0'; p++) {
		if ((*p & 0xc0) == 0x80)
			continue; /* continuation byte */
		n += (*p >= 0xf0) ? 2 : 1;
	}
	return n;
}
