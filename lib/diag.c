/*
 * diag.c - a list of diagnostics about an input file.  Messages are built
 * here once with vsnprintf into a bounded buffer, so a huge key name cannot
 * make one diagnostic huge.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

int
diag_add(struct diag_list *list, const char *file, int line, int column,
    const char *path, enum diag_severity severity, const char *fmt, ...)
{
	char msg[1024];
	struct diag *d, *nv;
	size_t ncap;
	va_list ap;

	if (list->n == list->cap) {
		ncap = list->cap ? list->cap * 2 : 16;
		nv = realloc(list->v, ncap * sizeof(*nv));
		if (nv == NULL) {
			list->nomem = 1;
			return -1;
		}
		list->v = nv;
		list->cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d = &list->v[list->n];
	d->file = strdup(file ? file : "");
	d->path = strdup(path ? path : "");
	d->message = strdup(msg);
	if (d->file == NULL || d->path == NULL || d->message == NULL) {
		free(d->file);
		free(d->path);
		free(d->message);
		list->nomem = 1;
		return -1;
	}
	d->line = line;
	d->column = column;
	d->severity = severity;
	list->n++;
	if (severity == DIAG_ERROR)
		list->nerrors++;
	else
		list->nwarnings++;
	return 0;
}

static int
cmp_diag(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;
	int c;

	if ((c = strcmp(a->file, b->file)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	if (a->severity != b->severity)
		return a->severity < b->severity ? -1 : 1;
	return strcmp(a->message, b->message);
}

void
diag_sort(struct diag_list *list)
{
	size_t i, j;

	if (list->n < 2)
		return;
	qsort(list->v, list->n, sizeof(list->v[0]), cmp_diag);
	for (i = 1, j = 0; i < list->n; i++) {
		if (cmp_diag(&list->v[i], &list->v[j]) == 0 &&
		    strcmp(list->v[i].path, list->v[j].path) == 0) {
			if (list->v[i].severity == DIAG_ERROR)
				list->nerrors--;
			else
				list->nwarnings--;
			free(list->v[i].file);
			free(list->v[i].path);
			free(list->v[i].message);
			continue;
		}
		list->v[++j] = list->v[i];
	}
	list->n = j + 1;
}

void
diag_list_release(struct diag_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		free(list->v[i].file);
		free(list->v[i].path);
		free(list->v[i].message);
	}
	free(list->v);
	memset(list, 0, sizeof(*list));
}

const char *
diag_severity_name(enum diag_severity severity)
{
	return severity == DIAG_ERROR ? "error" : "warning";
}

int
diag_format_text(const struct diag_list *list, struct buf *out, struct err *err)
{
	const struct diag *d;
	size_t i;

	for (i = 0; i < list->n; i++) {
		d = &list->v[i];
		buf_addf(out, "%s:%d:%d: %s: ", d->file, d->line, d->column,
		    diag_severity_name(d->severity));
		if (d->path[0] != '\0')
			buf_addf(out, "%s: ", d->path);
		buf_addf(out, "%s\n", d->message);
	}
	return buf_check(out, err, "formatting diagnostics");
}

int
diag_format_json(const struct diag_list *list, struct buf *out, struct err *err)
{
	const struct diag *d;
	size_t i;

	buf_addch(out, '[');
	for (i = 0; i < list->n; i++) {
		d = &list->v[i];
		buf_addstr(out, i ? ",\n {\"file\":\"" : "\n {\"file\":\"");
		buf_addjson(out, d->file);
		buf_addf(out, "\",\"line\":%d,\"column\":%d,\"path\":\"",
		    d->line, d->column);
		buf_addjson(out, d->path);
		buf_addf(out, "\",\"severity\":\"%s\",\"message\":\"",
		    diag_severity_name(d->severity));
		buf_addjson(out, d->message);
		buf_addstr(out, "\"}");
	}
	buf_addstr(out, list->n ? "\n]\n" : "]\n");
	return buf_check(out, err, "formatting diagnostics");
}
