/*
 * tls.c - the emulator's certificates.  With --tls it makes a throw-away
 * CA and a server certificate for 127.0.0.1 and localhost signed by it,
 * and writes the CA to a file, so clients run with verification on, as
 * they must against Azure.  EC P-256 keeps start-up fast.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OpenSSL's ERR_STATE typedef collides with lib/err.h's ERR_STATE. */
#define ERR_STATE OSSL_ERR_STATE
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#undef ERR_STATE

#include "emu.h"

static EVP_PKEY *
new_key(void)
{
	return EVP_EC_gen("P-256");
}

static int
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return 0;
}

static X509 *
new_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, int ca)
{
	X509 *x = X509_new();
	X509_NAME *name;
	BIGNUM *bn = NULL;

	if (x == NULL)
		return NULL;
	X509_set_version(x, 2);
	{
		char hex[33];

		emu_hex(hex, 15);
		if (BN_hex2bn(&bn, hex) == 0 ||
		    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
			goto fail;
	}
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 60L * 60 * 24 * 825);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"standby-emulator", -1, -1, 0);
	X509_NAME_add_entry_by_txt(
	    name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	if (ca) {
		if (add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") ||
		    add_ext(
		        x, x, NID_key_usage, "critical,keyCertSign,cRLSign") ||
		    add_ext(x, x, NID_subject_key_identifier, "hash"))
			goto fail;
	} else {
		if (add_ext(x, issuer, NID_basic_constraints, "CA:FALSE") ||
		    add_ext(x, issuer, NID_key_usage,
		        "critical,digitalSignature,keyEncipherment") ||
		    add_ext(x, issuer, NID_ext_key_usage, "serverAuth") ||
		    add_ext(x, issuer, NID_subject_alt_name,
		        "IP:127.0.0.1,DNS:localhost") ||
		    add_ext(x, issuer, NID_authority_key_identifier,
		        "keyid:always"))
			goto fail;
	}
	if (X509_sign(x, ikey ? ikey : key, EVP_sha256()) == 0)
		goto fail;
	BN_free(bn);
	return x;
fail:
	BN_free(bn);
	X509_free(x);
	return NULL;
}

static char *
pem_of(X509 *x, EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (b == NULL)
		return NULL;
	if ((x && PEM_write_bio_X509(b, x)) ||
	    (k && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))) {
		n = BIO_get_mem_data(b, &data);
		out = strndup(data, (size_t)n);
	}
	BIO_free(b);
	return out;
}

int
tls_make_cert(struct emu *emu, struct err *err)
{
	EVP_PKEY *cakey = NULL, *key = NULL;
	X509 *ca = NULL, *cert = NULL;
	char *capem = NULL, *tmp = NULL;
	FILE *fp = NULL;
	size_t n;
	int rc = -1;

	cakey = new_key();
	key = new_key();
	if (cakey == NULL || key == NULL) {
		err_set(err, ERR_IO, "cannot generate TLS keys");
		goto out;
	}
	ca = new_cert(cakey, "standby-emulator test CA", NULL, NULL, 1);
	cert = ca ? new_cert(key, "127.0.0.1", ca, cakey, 0) : NULL;
	if (cert == NULL) {
		err_set(err, ERR_IO, "cannot make the TLS certificates");
		goto out;
	}
	emu->cert_pem = pem_of(cert, NULL);
	emu->key_pem = pem_of(NULL, key);
	capem = pem_of(ca, NULL);
	if (emu->cert_pem == NULL || emu->key_pem == NULL || capem == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	n = strlen(emu->cacert_path) + 8;
	tmp = malloc(n);
	if (tmp == NULL) {
		err_set(err, ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(tmp, n, "%s.tmp", emu->cacert_path);
	fp = fopen(tmp, "w");
	if (fp == NULL || fputs(capem, fp) == EOF || fclose(fp) != 0) {
		fp = NULL;
		err_errno(err, tmp);
		goto out;
	}
	fp = NULL;
	if (rename(tmp, emu->cacert_path) != 0) {
		err_errno(err, emu->cacert_path);
		goto out;
	}
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	free(tmp);
	free(capem);
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	return rc;
}

static char *
slurp(const char *path, struct err *err)
{
	FILE *fp = fopen(path, "r");
	struct buf b = { .max = 1 << 20 };
	char chunk[4096];
	size_t n;

	if (fp == NULL) {
		err_errno(err, path);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	if (buf_check(&b, err, path) != 0 || b.len == 0) {
		if (b.len == 0)
			err_set(err, ERR_IO, "%s: empty file", path);
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b);
}

int
tls_load_cert(
    struct emu *emu, const char *cert, const char *key, struct err *err)
{
	emu->cert_pem = slurp(cert, err);
	if (emu->cert_pem == NULL)
		return -1;
	emu->key_pem = slurp(key, err);
	return emu->key_pem ? 0 : -1;
}
