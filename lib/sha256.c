/* sha256.c - SHA-256 via libcrypto's one-shot EVP_Digest. */
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
