#ifndef MLC_UTIL_PKEY_H
#define MLC_UTIL_PKEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * A private key for signing JWT client assertions, loaded from PEM
 * (PKCS#8, or the traditional RSA / EC forms; encrypted PEM is refused).
 *
 * Only keys NetSuite accepts load: RSA of at least 3072 bits (signed with
 * PS256) and EC on P-256, P-384 or P-521 (ES256, ES384, ES512).  The
 * message for any other key says what is accepted.
 *
 * Invariant after a successful pkey_load_pem(): pkey is set and alg names
 * the JWT algorithm the key signs with.
 */
struct mlc_pkey {
	EVP_PKEY *pkey;
	const char *alg; /* "PS256", "ES256", "ES384" or "ES512" (static) */
	int bits;        /* RSA modulus or EC field size */
};

int pkey_load_pem(const char *pem, size_t len, struct mlc_pkey *out,
		  struct mlc_error *err) MLC_MUST_CHECK;
/* Frees the key; accepts a zeroed or already released struct. */
void pkey_release(struct mlc_pkey *k);

#endif
