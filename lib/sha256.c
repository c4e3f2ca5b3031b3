/* sha256.c - SHA-256 via libcrypto's EVP interface. */
#include <errno.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "sha256.h"

int
sha256_digest(const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = 0;

	if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) || len != 32)
		return -1;
	return 0;
}

int
sha256_file(const char *path, unsigned long long max, unsigned char out[32])
{
	EVP_MD_CTX *md = NULL;
	unsigned long long total = 0;
	unsigned int len = 0;
	char chunk[65536];
	FILE *fp;
	size_t n;
	int rc = -1, saved = EIO;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		goto out;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		total += n;
		if (total > max) {
			saved = EFBIG;
			goto out;
		}
		if (!EVP_DigestUpdate(md, chunk, n))
			goto out;
	}
	if (ferror(fp)) {
		saved = errno != 0 ? errno : EIO;
		goto out;
	}
	if (!EVP_DigestFinal_ex(md, out, &len) || len != 32)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	fclose(fp);
	if (rc != 0)
		errno = saved;
	return rc;
}

void
sha256_hex(const unsigned char digest[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
}
