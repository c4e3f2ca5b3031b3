/*
 * plan_filehash.c - the hashes plan asks of the file system: the SHA-256
 * of a fine-tune's data file (plan_file_hash_fn, for the retrain
 * decision) and of an assets project's file (plan_assets_hash_fn, the
 * snapshot it would import).  Files are hashed as they are read.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "plan.h"
#include "sha256.h"

/* Azure OpenAI's limit on a fine-tuning file. */
#define FILE_MAX (512ull << 20)
/* What config accepts as an assets file (lib/config_project.c). */
#define ASSETS_MAX (64ull << 20)

static int
hash_path(const char *what, const char *path, unsigned long long max,
    char hex[SNAPSHOT_HASH_SIZE], struct err *err)
{
	unsigned char digest[32];

	if (sha256_file(path, max, digest) != 0) {
		if (errno == EFBIG)
			return err_set(err, ERR_IO,
			    "%s '%s' is larger than %llu MB", what, path,
			    max >> 20);
		return err_set(err, ERR_IO, "cannot read %s '%s': %s", what,
		    path, strerror(errno));
	}
	sha256_hex(digest, hex);
	return 0;
}

int
plan_hash_file(
    void *arg, const char *path, char hex[SNAPSHOT_HASH_SIZE], struct err *err)
{
	(void)arg;
	return hash_path("fine-tuning file", path, FILE_MAX, hex, err);
}

int
plan_hash_assets(void *arg, const struct config_project *p,
    char hex[SNAPSHOT_HASH_SIZE], struct err *err)
{
	(void)arg;
	return hash_path("assets file", p->assets_path, ASSETS_MAX, hex, err);
}
