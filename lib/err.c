/* err.c - filling struct err.  Messages are truncated, never overflowed:
 * an error about a huge input must not become a second error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int
err_set(struct err *err, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
err_errno(struct err *err, const char *what)
{
	int saved = errno;

	return err_set(err, ERR_IO, "%s: %s", what, strerror(saved));
}

int
err_wrap(struct err *err, const char *fmt, ...)
{
	char prefix[256], old[sizeof(err->msg)];
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation is fine: the context comes first and matters most. */
	err->msg[0] = '\0';
	strncat(err->msg, prefix, sizeof(err->msg) - 1);
	strncat(err->msg, ": ", sizeof(err->msg) - 1 - strlen(err->msg));
	strncat(err->msg, old, sizeof(err->msg) - 1 - strlen(err->msg));
	if (err->code == ERR_NONE)
		err->code = ERR_IO;
	return -1;
}

void
err_clear(struct err *err)
{
	if (err == NULL)
		return;
	err->code = ERR_NONE;
	err->msg[0] = '\0';
}
