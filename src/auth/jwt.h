#ifndef MLC_JWT_H
#define MLC_JWT_H

#include <stdint.h>

#include <jansson.h>

#include "util/pkey.h"
#include "core/vault.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The signed JWT client assertion of NetSuite's OAuth 2.0 client
 * credentials (M2M) flow, built and signed with OpenSSL EVP:
 *
 *   header  {"alg", "typ":"JWT", "kid": certificate id}
 *   claims  {"iss": client id, "scope": [...], "aud": token URL,
 *            "iat", "exp", "jti": 128 random bits in hex}
 *
 * alg is the key's (pkey.alg: PS256 for RSA, ES256/384/512 by curve)
 * unless the caller names another that fits the key: PS384/PS512/RS256/
 * RS384/RS512 for RSA keys (RS* exists only so that `ping` can show what
 * NetSuite says about it), ES* only on its own curve.  ECDSA signatures
 * are the JOSE form: raw r || s, each padded to the curve size.
 */
struct mlc_jwt_claims {
	const char *kid;     /* certificate id */
	const char *iss;     /* client id */
	const char *aud;     /* token endpoint URL */
	const json_t *scope; /* JSON array of strings, or NULL: ["rest_webservices"] */
	int64_t iat;         /* issued at, seconds since the epoch */
	int64_t lifetime_s;  /* exp - iat; 0 means 3600; more than 3600 is refused */
	const char *alg;     /* NULL: the key's own algorithm */
};

/* Builds and signs the assertion.  *out is the compact JWS (caller frees
 * with secret_free()). */
int jwt_sign_assertion(const struct mlc_pkey *key, const struct mlc_jwt_claims *c,
		       struct mlc_secret **out, struct mlc_error *err) MLC_MUST_CHECK;

/* base64url without padding of n bytes, appended to out. */
void jwt_b64url(struct mlc_buf *out, const void *data, size_t n);

#endif
