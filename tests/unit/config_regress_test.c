/*
 * config_regress_test.c - replays every input kept in
 * tests/fuzz/regress/config/ (crashes the fuzzer once found, and hand-made
 * hostile inputs) through the loader; under "make asan" a regression is a
 * sanitizer failure.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "t.h"

#define DIR_PATH "tests/fuzz/regress/config"

static int
load_file(const char *path, struct buf *b)
{
	char chunk[8192];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(b, chunk, n);
	fclose(fp);
	return b->failed ? -1 : 0;
}

static void
test_regressions_load_without_crashing(void)
{
	struct dirent *de;
	DIR *d = opendir(DIR_PATH);
	int n = 0;

	T_OK(d != NULL);
	while ((de = readdir(d)) != NULL) {
		struct buf path = { 0 }, data = { 0 };
		struct diag_list diags = { 0 };
		struct config *cfg = NULL;
		struct err err = { 0 };
		int rc;

		if (de->d_name[0] == '.')
			continue;
		buf_addf(&path, "%s/%s", DIR_PATH, de->d_name);
		if (load_file(buf_str(&path), &data) != 0) {
			buf_release(&path);
			continue;
		}
		rc = config_load_buffer(&cfg, de->d_name,
		    data.data ? data.data : "", data.len, &diags, &err);
		/* Each either loads cleanly or says why. */
		if (rc == 0 && diags.nerrors != 0)
			T_FAIL_AT("%s loaded with errors", de->d_name);
		if (rc != 0 && diags.nerrors == 0 && err.code != ERR_NOMEM)
			T_FAIL_AT("%s failed without a diagnostic", de->d_name);
		config_free(cfg);
		diag_list_release(&diags);
		buf_release(&data);
		buf_release(&path);
		n++;
	}
	closedir(d);
	T_OK(n > 0);
}

int
main(void)
{
	T_RUN(test_regressions_load_without_crashing);
	return t_done();
}
