/*
 * crash.c - crash points for tests: end the process with SIGKILL at a
 * named point so crash-and-resume tests are exact rather than timed.
 */
#include <signal.h>
#include <string.h>

#include "crash.h"

static const char *const points[] = {
	CRASH_BEFORE_SUBMIT,
	CRASH_AFTER_ACCEPT,
	CRASH_POLLING,
	CRASH_AFTER_JOB,
};

int
crash_spec_valid(const char *spec)
{
	const char *colon;
	size_t i, n;

	if (spec == NULL || spec[0] == '\0')
		return 0;
	colon = strchr(spec, ':');
	n = colon ? (size_t)(colon - spec) : strlen(spec);
	if (colon != NULL && colon[1] == '\0')
		return 0;
	for (i = 0; i < sizeof(points) / sizeof(points[0]); i++)
		if (strlen(points[i]) == n && strncmp(points[i], spec, n) == 0)
			return 1;
	return 0;
}

int
crash_matches(const char *spec, const char *point, const char *kind)
{
	const char *colon;
	size_t n;

	if (spec == NULL || point == NULL)
		return 0;
	colon = strchr(spec, ':');
	n = colon ? (size_t)(colon - spec) : strlen(spec);
	if (strlen(point) != n || strncmp(spec, point, n) != 0)
		return 0;
	if (colon == NULL)
		return 1;
	return kind != NULL && strcmp(colon + 1, kind) == 0;
}

void
crash_point(const char *spec, const char *point, const char *kind)
{
	if (crash_matches(spec, point, kind))
		raise(SIGKILL);
}
