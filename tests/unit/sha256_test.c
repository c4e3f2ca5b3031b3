/*
 * sha256_test.c - one-shot and streamed SHA-256 agree, on known vectors
 * and across chunk boundaries; file errors are told apart; plan's file
 * hashers name the file and its limit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "plan.h"
#include "sha256.h"
#include "t.h"

static char dir[] = "/tmp/sha256_test.XXXXXX";
static char path[64];

static void
put(const void *data, size_t n)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL || fwrite(data, 1, n, fp) != n || fclose(fp) != 0)
		abort();
}

static void
test_known_vectors(void)
{
	unsigned char d[32];
	char hex[65];

	put("abc", 3);
	T_OK(sha256_file(path, 3, d) == 0);
	sha256_hex(d, hex);
	T_EQ_STR(hex,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	put("", 0);
	T_OK(sha256_file(path, 0, d) == 0);
	sha256_hex(d, hex);
	T_EQ_STR(hex,
	    "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

static void
test_streamed_equals_one_shot(void)
{
	/* Sizes around the 64 KiB chunk: the boundary cases of a loop. */
	static const size_t sizes[] = { 1, 65535, 65536, 65537, 200000 };
	unsigned char a[32], b[32];
	unsigned char *data;
	size_t i, k;

	data = malloc(200000);
	if (data == NULL)
		abort();
	for (k = 0; k < 200000; k++)
		data[k] = (unsigned char)(k * 7 + (k >> 9));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		put(data, sizes[i]);
		T_OK(sha256_file(path, sizes[i], b) == 0);
		T_OK(sha256_digest(data, sizes[i], a) == 0);
		T_OK(memcmp(a, b, 32) == 0);
	}
	free(data);
}

static void
test_errors(void)
{
	unsigned char d[32];
	char missing[80];

	put("0123456789", 10);
	errno = 0;
	T_OK(sha256_file(path, 9, d) == -1);
	T_EQ_INT(errno, EFBIG);
	snprintf(missing, sizeof(missing), "%s/none", dir);
	errno = 0;
	T_OK(sha256_file(missing, 100, d) == -1);
	T_EQ_INT(errno, ENOENT);
	T_OK(sha256_file(dir, 100, d) == -1); /* a directory: EISDIR */
	T_OK(errno != 0);
}

static void
test_plan_hashers(void)
{
	struct config_project p = { 0 };
	struct err err = { 0 };
	char hex[SNAPSHOT_HASH_SIZE], missing[80];

	put("abc", 3);
	T_OK(plan_hash_file(NULL, path, hex, &err) == 0);
	T_EQ_STR(hex,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	p.assets_path = path;
	T_OK(plan_hash_assets(NULL, &p, hex, &err) == 0);
	T_EQ_STR(hex,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	snprintf(missing, sizeof(missing), "%s/none.json", dir);
	p.assets_path = missing;
	T_OK(plan_hash_assets(NULL, &p, hex, &err) == -1);
	T_CONTAINS(err.msg, "cannot read assets file");
	T_CONTAINS(err.msg, "none.json");
	T_OK(plan_hash_file(NULL, missing, hex, &err) == -1);
	T_CONTAINS(err.msg, "cannot read fine-tuning file");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/f", dir);
	T_RUN(test_known_vectors);
	T_RUN(test_streamed_equals_one_shot);
	T_RUN(test_errors);
	T_RUN(test_plan_hashers);
	unlink(path);
	rmdir(dir);
	return t_done();
}
