/*
 * plan_filehash.c - the SHA-256 of a fine-tune's data file, for plan's
 * retrain decision (plan_file_hash_fn).  The whole file is read: the
 * service takes training files up to 512 MB, and libcrypto is wrapped
 * one-shot (lib/sha256.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "plan.h"
#include "sha256.h"

/* Azure OpenAI's limit on a fine-tuning file. */
#define FILE_MAX (512u << 20)

int
plan_hash_file(
    void *arg, const char *path, char hex[SNAPSHOT_HASH_SIZE], struct err *err)
{
	struct buf data = { .max = FILE_MAX };
	unsigned char digest[32];
	char chunk[8192];
	size_t n;
	FILE *fp;
	int rc = -1;

	(void)arg;
	if ((fp = fopen(path, "rb")) == NULL)
		return err_set(
		    err, ERR_IO, "cannot read '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&data, chunk, n);
	if (ferror(fp)) {
		err_set(
		    err, ERR_IO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (buf_check(&data, err, "reading a fine-tuning file") != 0) {
		err_wrap(err, "'%s'", path);
		goto out;
	}
	if (sha256_digest(data.data ? data.data : "", data.len, digest) != 0) {
		err_set(err, ERR_IO, "cannot hash '%s'", path);
		goto out;
	}
	sha256_hex(digest, hex);
	rc = 0;
out:
	fclose(fp);
	buf_release(&data);
	return rc;
}
