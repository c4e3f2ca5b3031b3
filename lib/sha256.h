#ifndef STANDBY_SHA256_H
#define STANDBY_SHA256_H

/*
 * sha256.h - SHA-256 through libcrypto, kept in its own module because
 * OpenSSL's headers declare names (ERR_STATE) that once clashed with err.h.
 */

#include <stddef.h>

/* Hashes n bytes of p into out.  Returns 0, or -1 if libcrypto failed. */
int sha256_digest(const void *p, size_t n, unsigned char out[32]);

/* Hashes the file at path, read in 64 KiB chunks (never whole in
 * memory), into out.  Returns 0; -1 with errno set when it cannot be read,
 * EFBIG when it holds more than max bytes, EIO when libcrypto failed. */
int sha256_file(
    const char *path, unsigned long long max, unsigned char out[32]);

/* Writes the 64 lower-case hex digits of a digest and a NUL into hex. */
void sha256_hex(const unsigned char digest[32], char hex[65]);

#endif
