/* snapshot_test.c - streamed, content-addressed snapshots in the state
 * file. */

#include <openssl/evp.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrations.h"
#include "snapshot.h"
#include "state.h"
#include "t.h"

#define S(s) ((char *)(s)) /* a literal for a char * field */

static char tmpdir[256];
static char path[512];

static void
fresh_dir(void)
{
	char cmd[600];

	if (tmpdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s/snapshot-test.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/state.db", tmpdir);
}

static struct state *
open_new(void)
{
	struct state *st = NULL;
	struct err err = { 0 };

	fresh_dir();
	if (state_open(&st, path, STATE_OPEN_CREATE, &err) != 0)
		fprintf(stderr, "# %s\n", err.msg);
	return st;
}

static struct snapshot_meta
meta(const char *project)
{
	struct snapshot_meta m;

	memset(&m, 0, sizeof(m));
	m.project = S(project);
	m.kind = S("conversation");
	m.source_resource = S("east");
	m.source_modified = S("2024-01-01T00:00:00Z");
	m.duration_ms = 1234;
	return m;
}

/* Byte i of a generated JSON-like document: records that vary, so that
 * deflate has work to do and a misplaced chunk changes the hash. */
static void
gen(unsigned char *out, size_t off, size_t n)
{
	size_t i;
	uint32_t x;

	for (i = 0; i < n; i++) {
		x = (uint32_t)((off + i) / 64) * 2654435761u;
		out[i] = (off + i) % 64 == 63
		    ? '\n'
		    : (unsigned char)"{\"utterance\": \"book a flight\"}"
		                     "abcdefghijklmnopqrstuvwxyz0123"
		                         [((off + i) + (x >> 28)) % 60];
	}
}

struct compare {
	size_t off;
	int bad;
};

static int
compare_sink(void *arg, const void *p, size_t n, struct err *err)
{
	struct compare *c = arg;
	unsigned char want[65536];
	size_t k;

	(void)err;
	while (n > 0) {
		k = n > sizeof(want) ? sizeof(want) : n;
		gen(want, c->off, k);
		if (memcmp(want, p, k) != 0)
			c->bad = 1;
		c->off += k;
		p = (const unsigned char *)p + k;
		n -= k;
	}
	return 0;
}

static void
test_20mb_export_streams_hashes_round_trips_and_dedupes(void)
{
	const size_t total = 20u << 20;
	struct state *st = open_new();
	struct snapshot_writer *w = NULL;
	struct snapshot_meta m = meta("TravelAgent");
	struct snapshot_list list = { 0 };
	struct compare cmp = { 0, 0 };
	struct err err = { 0 };
	char hash[SNAPSHOT_HASH_SIZE], again[SNAPSHOT_HASH_SIZE], want[65];
	unsigned char chunk[70001], md[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int mdlen = 0;
	size_t off, k, i;
	int created = -1, pass;

	T_OK(st != NULL && ctx != NULL);
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (pass = 0; pass < 2; pass++) {
		T_OK(snapshot_writer_new(&w, st, &m, &err) == 0);
		/* Odd chunk sizes, as a network delivers them. */
		for (off = 0; off < total; off += k) {
			k = (off / 7 % sizeof(chunk)) + 1;
			if (k > total - off)
				k = total - off;
			gen(chunk, off, k);
			if (pass == 0)
				EVP_DigestUpdate(ctx, chunk, k);
			T_OK(snapshot_writer_write(w, chunk, k, &err) == 0);
		}
		T_OK(snapshot_writer_finish(
		         w, pass ? again : hash, &created, &err) == 0);
		T_EQ_INT(created, pass == 0);
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < 32; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	T_EQ_STR(hash, want);
	T_EQ_STR(again, hash);

	T_OK(snapshot_list(st, NULL, &list, &err) == 0);
	T_EQ_INT(list.n, 1);
	T_EQ_STR(list.v[0].hash, hash);
	T_EQ_INT(list.v[0].size, (int64_t)total);
	T_OK(list.v[0].stored_size < (int64_t)total / 2);
	T_EQ_INT(list.v[0].duration_ms, 1234);
	T_EQ_STR(list.v[0].source_modified, "2024-01-01T00:00:00Z");
	snapshot_list_release(&list);

	T_OK(snapshot_read(st, hash, compare_sink, &cmp, &err) == 0);
	T_EQ_INT(cmp.off, total);
	T_EQ_INT(cmp.bad, 0);
	state_close(st);
}

static void
test_small_snapshot_loads_whole_and_to_a_file(void)
{
	static const char doc[] = "{\"projectFileVersion\":\"2023-04-01\"}";
	struct state *st = open_new();
	struct snapshot_meta m = meta("P");
	struct buf b = { 0 };
	struct err err = { 0 };
	char hash[SNAPSHOT_HASH_SIZE], back[128];
	FILE *fp;
	size_t n;

	T_OK(st != NULL);
	T_OK(snapshot_put(st, &m, doc, strlen(doc), hash, NULL, &err) == 0);
	T_OK(snapshot_load(st, hash, &b, &err) == 0);
	T_EQ_STR(buf_str(&b), doc);
	buf_release(&b);
	fp = tmpfile();
	T_OK(fp != NULL);
	T_OK(snapshot_read_file(st, hash, fp, &err) == 0);
	rewind(fp);
	n = fread(back, 1, sizeof(back) - 1, fp);
	back[n] = '\0';
	fclose(fp);
	T_EQ_STR(back, doc);
	/* A cap on the buffer is honoured. */
	b.max = 8;
	T_EQ_INT(snapshot_load(st, hash, &b, &err), -1);
	buf_release(&b);
	T_EQ_INT(snapshot_load(st, "00", &b, &err), -1);
	T_EQ_INT(err.code, ERR_NOTFOUND);
	state_close(st);
}

/* Reads r to its end in pieces of at most step bytes into out. */
static int
read_all(struct snapshot_reader *r, char *out, size_t cap, size_t step,
    size_t *total, struct err *err)
{
	size_t got;

	*total = 0;
	for (;;) {
		if (snapshot_reader_read(r, out + *total,
		        cap - *total < step ? cap - *total : step, &got,
		        err) != 0)
			return -1;
		if (got == 0)
			return 0;
		*total += got;
	}
}

static void
test_reader_streams_in_pieces_and_rewinds(void)
{
	struct state *st = open_new();
	struct snapshot_meta m = meta("P");
	struct snapshot_reader *r = NULL;
	struct err err = { 0 };
	char hash[SNAPSHOT_HASH_SIZE];
	static char doc[300000], back[300001];
	size_t i, n = 0;

	T_OK(st != NULL);
	for (i = 0; i < sizeof(doc); i++)
		doc[i] = (char)('a' + (i * 7919 >> 5) % 26);
	T_OK(snapshot_put(st, &m, doc, sizeof(doc), hash, NULL, &err) == 0);
	T_OK(snapshot_reader_open(&r, st, hash, &err) == 0);
	T_EQ_INT(snapshot_reader_size(r), (int)sizeof(doc));
	/* Odd pieces cross every chunk boundary. */
	T_OK(read_all(r, back, sizeof(back), 777, &n, &err) == 0);
	T_EQ_INT(n, sizeof(doc));
	T_OK(memcmp(back, doc, sizeof(doc)) == 0);
	/* Half way, then back to the start: the same bytes again. */
	T_OK(snapshot_reader_rewind(r, &err) == 0);
	T_OK(snapshot_reader_read(r, back, 1000, &n, &err) == 0);
	T_EQ_INT(n, 1000);
	T_OK(snapshot_reader_rewind(r, &err) == 0);
	memset(back, 0, sizeof(back));
	T_OK(read_all(r, back, sizeof(back), 65536, &n, &err) == 0);
	T_EQ_INT(n, sizeof(doc));
	T_OK(memcmp(back, doc, sizeof(doc)) == 0);
	snapshot_reader_free(r);
	T_EQ_INT(snapshot_reader_open(&r, st, hash + 1, &err), -1);
	T_EQ_INT(err.code, ERR_NOTFOUND);
	T_OK(r == NULL);
	state_close(st);
}

static void
test_reader_refuses_the_last_bytes_of_a_damaged_snapshot(void)
{
	struct state *st = open_new();
	struct snapshot_meta m = meta("P");
	struct snapshot_reader *r = NULL;
	struct err err = { 0 };
	char hash[SNAPSHOT_HASH_SIZE], other[SNAPSHOT_HASH_SIZE], sql[300];
	static char doc[4096], back[4096];
	size_t n = 0;

	T_OK(st != NULL);
	memset(doc, 'a', sizeof(doc));
	T_OK(snapshot_put(st, &m, doc, sizeof(doc), hash, NULL, &err) == 0);
	doc[100] = 'b';
	T_OK(snapshot_put(st, &m, doc, sizeof(doc), other, NULL, &err) == 0);
	/* The same size, other bytes: only the hash can tell. */
	snprintf(sql, sizeof(sql),
	    "UPDATE snapshots SET data = (SELECT data FROM snapshots WHERE "
	    "hash = '%s') WHERE hash = '%s'",
	    other, hash);
	T_OK(sqlite3_exec(state_db(st), sql, NULL, NULL, NULL) == SQLITE_OK);
	T_OK(snapshot_reader_open(&r, st, hash, &err) == 0);
	T_EQ_INT(read_all(r, back, sizeof(back), 1000, &n, &err), -1);
	T_EQ_INT(err.code, ERR_STATEFILE);
	T_CONTAINS(err.msg, "does not match its hash");
	/* Everything but the last piece was handed out, never all of it. */
	T_EQ_INT(n, 4000);
	snapshot_reader_free(r);
	/* Cut short: the data ends before the recorded size. */
	snprintf(sql, sizeof(sql),
	    "UPDATE snapshots SET data = substr(data, 1, length(data) - 4) "
	    "WHERE hash = '%s'",
	    other);
	T_OK(sqlite3_exec(state_db(st), sql, NULL, NULL, NULL) == SQLITE_OK);
	T_OK(snapshot_reader_open(&r, st, other, &err) == 0);
	T_EQ_INT(read_all(r, back, sizeof(back), 1000, &n, &err), -1);
	T_EQ_INT(err.code, ERR_STATEFILE);
	snapshot_reader_free(r);
	state_close(st);
}

static void
test_load_sizes_the_buffer_from_the_recorded_size(void)
{
	struct state *st = open_new();
	struct snapshot_meta m = meta("P");
	struct buf b = { .max = (size_t)1 << 30 };
	struct err err = { 0 };
	char hash[SNAPSHOT_HASH_SIZE];
	static char doc[1000000];

	T_OK(st != NULL);
	memset(doc, 'q', sizeof(doc));
	T_OK(snapshot_put(st, &m, doc, sizeof(doc), hash, NULL, &err) == 0);
	T_OK(snapshot_load(st, hash, &b, &err) == 0);
	T_EQ_INT(b.len, sizeof(doc));
	/* Exactly the document and its NUL, not the next power of two. */
	T_EQ_INT(b.cap, sizeof(doc) + 1);
	buf_release(&b);
	state_close(st);
}

static void
test_no_temporary_file_is_left_behind(void)
{
	struct state *st = open_new();
	struct snapshot_writer *w = NULL;
	struct snapshot_meta m = meta("P");
	struct err err = { 0 };
	struct dirent *de;
	DIR *d;
	int others = 0;

	T_OK(st != NULL);
	T_OK(snapshot_writer_new(&w, st, &m, &err) == 0);
	T_OK(snapshot_writer_write(w, "abc", 3, &err) == 0);
	snapshot_writer_free(w); /* abandoned */
	T_OK(snapshot_put(st, &m, "xyz", 3, (char[SNAPSHOT_HASH_SIZE]){ 0 },
	         NULL, &err) == 0);
	d = opendir(tmpdir);
	T_OK(d != NULL);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "state.db", 8) != 0 &&
		    strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			others++;
	closedir(d);
	state_close(st);
	T_EQ_INT(others, 0);
}

static void
test_damaged_snapshot_is_reported(void)
{
	struct state *st = open_new();
	struct snapshot_meta m = meta("P");
	struct buf b = { 0 };
	struct err err = { 0 };
	char hash[SNAPSHOT_HASH_SIZE], sql[256];
	char doc[4096];

	T_OK(st != NULL);
	memset(doc, 'a', sizeof(doc));
	T_OK(snapshot_put(st, &m, doc, sizeof(doc), hash, NULL, &err) == 0);
	/* Same length, other bytes: still deflate data, another content. */
	snprintf(sql, sizeof(sql),
	    "UPDATE snapshots SET data = (SELECT data FROM snapshots WHERE "
	    "hash != '%s') WHERE hash = '%s'",
	    hash, hash);
	T_OK(snapshot_put(st, &m, "b", 1, (char[SNAPSHOT_HASH_SIZE]){ 0 }, NULL,
	         &err) == 0);
	T_OK(sqlite3_exec(state_db(st), sql, NULL, NULL, NULL) == SQLITE_OK);
	T_EQ_INT(snapshot_load(st, hash, &b, &err), -1);
	T_EQ_INT(err.code, ERR_STATEFILE);
	T_CONTAINS(err.msg, "is corrupt");
	buf_release(&b);
	/* Not deflate data at all. */
	snprintf(sql, sizeof(sql),
	    "UPDATE snapshots SET data = x'00112233445566' WHERE hash = '%s'",
	    hash);
	T_OK(sqlite3_exec(state_db(st), sql, NULL, NULL, NULL) == SQLITE_OK);
	T_EQ_INT(snapshot_load(st, hash, &b, &err), -1);
	T_EQ_INT(err.code, ERR_STATEFILE);
	buf_release(&b);
	state_close(st);
}

static void
test_find_by_prefix(void)
{
	struct state *st = open_new();
	struct snapshot_meta m = meta("P"), got;
	struct err err = { 0 };
	char hash[SNAPSHOT_HASH_SIZE], prefix[13], sql[512];

	T_OK(st != NULL);
	T_OK(snapshot_put(st, &m, "one", 3, hash, NULL, &err) == 0);
	memcpy(prefix, hash, 12);
	prefix[12] = '\0';
	T_OK(snapshot_find(st, prefix, &got, &err) == 0);
	T_EQ_STR(got.hash, hash);
	T_EQ_STR(got.project, "P");
	snapshot_meta_release(&got);
	/* Upper case is accepted. */
	prefix[0] = prefix[0] >= 'a' ? (char)(prefix[0] - 32) : prefix[0];
	T_OK(snapshot_find(st, prefix, &got, &err) == 0);
	snapshot_meta_release(&got);
	T_EQ_INT(snapshot_find(st, "abc", &got, &err), -1);
	T_EQ_INT(err.code, ERR_SPEC);
	T_EQ_INT(snapshot_find(st, "zzzz", &got, &err), -1);
	T_EQ_INT(err.code, ERR_SPEC);
	/* Two rows sharing a prefix. */
	snprintf(sql, sizeof(sql),
	    "INSERT INTO snapshots (hash, project, taken_at, size, "
	    "stored_size, data) VALUES ('%.4s%060d', 'P', 1, 0, 0, x''), "
	    "('%.4s%059d1', 'P', 1, 0, 0, x'')",
	    hash, 0, hash, 0);
	T_OK(sqlite3_exec(state_db(st), sql, NULL, NULL, NULL) == SQLITE_OK);
	memcpy(prefix, hash, 4);
	prefix[4] = '\0';
	T_EQ_INT(snapshot_find(st, prefix, &got, &err), -1);
	T_CONTAINS(err.msg, "ambiguous");
	state_close(st);
}

static void
test_prune_keeps_newest_and_referenced(void)
{
	struct state *st = open_new();
	struct snapshot_meta p = meta("P"), q = meta("Q");
	struct snapshot_list list = { 0 }, pruned = { 0 };
	struct state_replication rec = { 0 };
	struct err err = { 0 };
	char h[4][SNAPSHOT_HASH_SIZE], hq[SNAPSHOT_HASH_SIZE];
	const char *docs[4] = { "p0", "p1", "p2", "p3" };
	int i;

	T_OK(st != NULL);
	for (i = 0; i < 4; i++)
		T_OK(snapshot_put(st, &p, docs[i], 2, h[i], NULL, &err) == 0);
	T_OK(snapshot_put(st, &q, "q0", 2, hq, NULL, &err) == 0);
	rec.replica_resource = S("west");
	rec.project = S("P");
	rec.snapshot = h[0];
	T_OK(state_put_replication(st, &rec, &err) == 0);

	T_OK(snapshot_prune(st, NULL, 1, &pruned, &err) == 0);
	T_EQ_INT(pruned.n, 2);
	T_EQ_STR(pruned.v[0].hash, h[2]);
	T_EQ_STR(pruned.v[1].hash, h[1]);
	snapshot_list_release(&pruned);
	T_OK(snapshot_list(st, "P", &list, &err) == 0);
	T_EQ_INT(list.n, 2);
	T_EQ_STR(list.v[0].hash, h[3]);
	T_EQ_STR(list.v[1].hash, h[0]);
	snapshot_list_release(&list);
	T_OK(snapshot_list(st, "Q", &list, &err) == 0);
	T_EQ_INT(list.n, 1);
	snapshot_list_release(&list);

	T_OK(snapshot_prune(st, "Q", 0, NULL, &err) == 0);
	T_OK(snapshot_list(st, NULL, &list, &err) == 0);
	T_EQ_INT(list.n, 2);
	snapshot_list_release(&list);
	T_EQ_INT(snapshot_prune(st, NULL, -1, NULL, &err), -1);
	state_close(st);
}

static void
test_content_seen_again_is_newest_and_kept(void)
{
	struct state *st = open_new();
	struct snapshot_meta p = meta("P");
	struct snapshot_list list = { 0 }, pruned = { 0 };
	struct err err = { 0 };
	char a[SNAPSHOT_HASH_SIZE], b[SNAPSHOT_HASH_SIZE];
	char again[SNAPSHOT_HASH_SIZE];
	int created = -1;

	T_OK(st != NULL);
	/* A, then B, then A again, all within the same second. */
	T_OK(snapshot_put(st, &p, "AAAA", 4, a, &created, &err) == 0);
	T_EQ_INT(created, 1);
	T_OK(snapshot_put(st, &p, "BBBB", 4, b, &created, &err) == 0);
	T_OK(snapshot_list(st, "P", &list, &err) == 0);
	T_EQ_STR(list.v[0].hash, b);
	snapshot_list_release(&list);
	T_OK(snapshot_put(st, &p, "AAAA", 4, again, &created, &err) == 0);
	T_EQ_INT(created, 0);
	T_EQ_STR(again, a);
	T_OK(snapshot_list(st, "P", &list, &err) == 0);
	T_EQ_INT(list.n, 2);
	T_EQ_STR(list.v[0].hash, a);
	T_OK(list.v[0].seen_at >= list.v[0].taken_at);
	snapshot_list_release(&list);
	/* --keep 1 keeps what the source holds now, not the first taken. */
	T_OK(snapshot_prune(st, "P", 1, &pruned, &err) == 0);
	T_EQ_INT(pruned.n, 1);
	T_EQ_STR(pruned.v[0].hash, b);
	snapshot_list_release(&pruned);
	state_close(st);
}

/* A state file written by a standby before 003_backup: its snapshots
 * get seen_at from taken_at, and "newest" keeps its old meaning. */
static void
test_migration_003_backfills_last_seen(void)
{
	struct state *st = NULL;
	struct snapshot_list list = { 0 };
	struct err err = { 0 };
	sqlite3 *db = NULL;
	char sql[512];
	int i;

	fresh_dir();
	T_OK(sqlite3_open(path, &db) == SQLITE_OK);
	for (i = 0; state_migrations[i].version != 0 &&
	     state_migrations[i].version < 3;
	     i++)
		T_OK(sqlite3_exec(db, state_migrations[i].sql, NULL, NULL,
		         NULL) == SQLITE_OK);
	snprintf(sql, sizeof(sql),
	    "PRAGMA application_id = %d; PRAGMA user_version = 2; "
	    "INSERT INTO snapshots (hash, project, taken_at, size, "
	    "stored_size, data) VALUES ('%064d', 'P', 200, 0, 0, x''), "
	    "('%063d1', 'P', 100, 0, 0, x'')",
	    STATE_APPLICATION_ID, 0, 0);
	T_OK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	if (state_open(&st, path, 0, &err) != 0)
		fprintf(stderr, "# %s\n", err.msg);
	T_OK(st != NULL);
	T_OK(snapshot_list(st, "P", &list, &err) == 0);
	T_EQ_INT(list.n, 2);
	T_EQ_INT(list.v[0].taken_at, 200);
	T_EQ_INT(list.v[0].seen_at, 200);
	T_EQ_INT(list.v[1].seen_at, 100);
	snapshot_list_release(&list);
	/* Ranked as taken, so later stores and re-stores go after them. */
	T_OK(sqlite3_exec(state_db(st),
	         "CREATE TEMP TABLE t AS SELECT group_concat(seen_seq) AS s "
	         "FROM (SELECT seen_seq FROM snapshots ORDER BY taken_at)",
	         NULL, NULL, NULL) == SQLITE_OK);
	{
		sqlite3_stmt *q = NULL;

		T_OK(sqlite3_prepare_v2(state_db(st), "SELECT s FROM t", -1, &q,
		         NULL) == SQLITE_OK);
		T_OK(sqlite3_step(q) == SQLITE_ROW);
		T_EQ_STR((const char *)sqlite3_column_text(q, 0), "1,2");
		sqlite3_finalize(q);
	}
	state_close(st);
}

int
main(void)
{
	T_RUN(test_20mb_export_streams_hashes_round_trips_and_dedupes);
	T_RUN(test_small_snapshot_loads_whole_and_to_a_file);
	T_RUN(test_reader_streams_in_pieces_and_rewinds);
	T_RUN(test_reader_refuses_the_last_bytes_of_a_damaged_snapshot);
	T_RUN(test_load_sizes_the_buffer_from_the_recorded_size);
	T_RUN(test_no_temporary_file_is_left_behind);
	T_RUN(test_damaged_snapshot_is_reported);
	T_RUN(test_find_by_prefix);
	T_RUN(test_prune_keeps_newest_and_referenced);
	T_RUN(test_content_seen_again_is_newest_and_kept);
	T_RUN(test_migration_003_backfills_last_seen);
	fresh_dir();
	rmdir(tmpdir);
	return t_done();
}
