#ifndef STANDBY_STATUS_INT_H
#define STANDBY_STATUS_INT_H

/* status_int.h - what the status modules share (not for callers). */

#include "buf.h"

struct cJSON;

/* Appends the text (md 0) or markdown (md 1) table of the document's
 * OpenAI deployments, nothing when it has none. */
void status_render_openai(struct buf *b, const struct cJSON *st, int md);

/* Appends s for a terminal (control characters as \xNN) or markdown
 * (escaped; md 1); NULL as "-". */
void status_add_text(struct buf *b, const char *s, int md);

#endif
