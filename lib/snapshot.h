#ifndef STANDBY_SNAPSHOT_H
#define STANDBY_SNAPSHOT_H

/*
 * snapshot.h - content-addressed backups of exported projects, kept in the
 * state file.
 *
 * A snapshot is the exact bytes of an export (the project's JSON),
 * addressed by their SHA-256 (64 lowercase hex digits), stored deflated
 * (zlib) with metadata.  The same content stored twice is one snapshot:
 * the first metadata is kept, and seen_at (and the order of "newest")
 * moves to the time of the latest export that produced it.  Exports can be
 * large, so the writer hashes and deflates as chunks arrive, spooling into a
 * 0600 temporary file in the state file's directory, and the reader inflates
 * chunk by chunk; neither holds the document in memory.  Reading checks the
 * hash.
 */

#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "http.h"
#include "state.h"

#define SNAPSHOT_HASH_SIZE 65 /* 64 hex digits and a NUL */

struct snapshot_meta {
	char hash[SNAPSHOT_HASH_SIZE]; /* set by the module */
	char *project;                 /* the project's name */
	char *kind;                    /* the config's kind ("conversation") */
	char *source_resource;         /* exported from */
	char *source_modified;         /* the source's lastModifiedDateTime */
	int64_t taken_at;              /* set by the module: first stored */
	int64_t size;        /* set by the module: bytes of the export */
	int64_t stored_size; /* set by the module: bytes deflated */
	int64_t duration_ms; /* how long the export took (caller's) */
	int64_t seen_at;     /* set by the module: last stored or re-stored */
};

struct snapshot_list {
	struct snapshot_meta *v;
	size_t n;
};

struct snapshot_writer;

/* Starts a snapshot with the caller's metadata (copied; the module sets
 * hash, taken_at, size and stored_size).  Creates a temporary file beside
 * the state file. */
int snapshot_writer_new(struct snapshot_writer **out, struct state *st,
    const struct snapshot_meta *meta, struct err *err);

/* Adds the next n bytes of the export. */
int snapshot_writer_write(
    struct snapshot_writer *w, const void *p, size_t n, struct err *err);

/* Ends the export: stores the snapshot unless one with the same hash
 * exists (then *created is 0; created may be NULL), fills hash, removes
 * the temporary file and frees w whatever happens. */
int snapshot_writer_finish(struct snapshot_writer *w,
    char hash[SNAPSHOT_HASH_SIZE], int *created, struct err *err);

/* Discards an unfinished snapshot and its temporary file.  NULL does
 * nothing. */
void snapshot_writer_free(struct snapshot_writer *w);

/* Stores a snapshot held in memory (a convenience over the writer). */
int snapshot_put(struct state *st, const struct snapshot_meta *meta,
    const void *data, size_t len, char hash[SNAPSHOT_HASH_SIZE], int *created,
    struct err *err);

/* Called with each inflated chunk, in order; returns 0 to go on, or -1
 * (after filling err) to stop. */
typedef int (*snapshot_sink)(
    void *arg, const void *p, size_t n, struct err *err);

/* Streams the snapshot with this full hash to sink.  Fails (ERR_STATEFILE)
 * when the stored data does not inflate to bytes with that hash, which
 * the sink then has partly seen.  ERR_NOTFOUND for an unknown hash. */
int snapshot_read(struct state *st, const char *hash, snapshot_sink sink,
    void *arg, struct err *err);

/* Streams the snapshot to fp. */
int snapshot_read_file(
    struct state *st, const char *hash, FILE *fp, struct err *err);

/* Appends the whole snapshot to out (whose max applies). */
int snapshot_load(
    struct state *st, const char *hash, struct buf *out, struct err *err);

/* A pull-style reader of one snapshot, for uploads: it inflates on demand
 * and holds only a chunk of the deflated data and zlib's window, never
 * the document.  The hash is checked as the last byte is read: that
 * read fails (ERR_STATEFILE) instead of returning the final bytes of a
 * damaged snapshot, as does a read past data that ends early.  The
 * reader keeps st borrowed and opens no handle between calls. */
struct snapshot_reader;

/* Opens the snapshot with this full hash.  ERR_NOTFOUND for an unknown
 * hash.  *out is the caller's (snapshot_reader_free). */
int snapshot_reader_open(struct snapshot_reader **out, struct state *st,
    const char *hash, struct err *err);

/* The snapshot's recorded size: the bytes the reads produce in all. */
int64_t snapshot_reader_size(const struct snapshot_reader *r);

/* Puts the next bytes, up to cap, at dst and sets *got (0 at the end).
 * Returns 0, or -1 with err set. */
int snapshot_reader_read(struct snapshot_reader *r, void *dst, size_t cap,
    size_t *got, struct err *err);

/* Starts again from the first byte. */
int snapshot_reader_rewind(struct snapshot_reader *r, struct err *err);

/* Frees r; NULL does nothing. */
void snapshot_reader_free(struct snapshot_reader *r);

/* Fills src to stream r as an HTTP request body (lib/http.h):
 * src->release(src->arg) frees r, so whoever takes src over owns r. */
void snapshot_reader_body(struct snapshot_reader *r, struct http_body_src *src);

/* Finds the snapshot whose hash starts with prefix (at least 4 hex
 * digits).  ERR_NOTFOUND when none does, ERR_SPEC when the prefix is not
 * hex or too short, or when several match ("ambiguous"). */
int snapshot_find(struct state *st, const char *prefix,
    struct snapshot_meta *out, struct err *err);

/* Lists snapshots, newest first (the one an export last produced, even
 * when its bytes were first stored long ago); project NULL lists all. */
int snapshot_list(struct state *st, const char *project,
    struct snapshot_list *out, struct err *err);

/* Deletes, per project (or only for project when not NULL), all but the
 * keep newest snapshots, sparing any that a replication record or a
 * trained-model record still names (a replica may need to be compared to,
 * or rebuilt from, what it was built from).  Appends what was deleted to
 * pruned (may be NULL). */
int snapshot_prune(struct state *st, const char *project, int keep,
    struct snapshot_list *pruned, struct err *err);

void snapshot_meta_release(struct snapshot_meta *m);
void snapshot_list_release(struct snapshot_list *list);

#endif
