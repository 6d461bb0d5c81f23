#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "auth/jwt.h"
#include "util/banned.h"

#define JWT_MAX_LIFETIME_S 3600

struct jwt_alg {
	const char *name;
	const char *md; /* digest name for EVP_get_digestbyname */
	int family;     /* EVP_PKEY_RSA or EVP_PKEY_EC */
	int pss;        /* RSASSA-PSS rather than PKCS#1 v1.5 */
	int ec_bytes;   /* size of r and s for ES* */
};

static const struct jwt_alg algs[] = {
    {"PS256", "SHA256", EVP_PKEY_RSA, 1, 0}, {"PS384", "SHA384", EVP_PKEY_RSA, 1, 0},
    {"PS512", "SHA512", EVP_PKEY_RSA, 1, 0}, {"RS256", "SHA256", EVP_PKEY_RSA, 0, 0},
    {"RS384", "SHA384", EVP_PKEY_RSA, 0, 0}, {"RS512", "SHA512", EVP_PKEY_RSA, 0, 0},
    {"ES256", "SHA256", EVP_PKEY_EC, 0, 32}, {"ES384", "SHA384", EVP_PKEY_EC, 0, 48},
    {"ES512", "SHA512", EVP_PKEY_EC, 0, 66},
};

void jwt_b64url(struct mlc_buf *out, const void *data, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);

	buf_grow(out, cap);
	sodium_bin2base64(out->data + out->len, cap, data, n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out->len += strlen(out->data + out->len);
}

static const struct jwt_alg *find_alg(const struct mlc_pkey *key, const char *name,
				      struct mlc_error *err)
{
	int family = EVP_PKEY_get_base_id(key->pkey);

	if (family == EVP_PKEY_RSA_PSS)
		family = EVP_PKEY_RSA;
	if (!name)
		name = key->alg;
	for (size_t i = 0; i < MLC_ARRAY_LEN(algs); i++) {
		if (strcmp(algs[i].name, name) != 0)
			continue;
		/* an EC key signs only with its own curve's algorithm */
		if (algs[i].family != family ||
		    (family == EVP_PKEY_EC && strcmp(name, key->alg) != 0))
			break;
		return &algs[i];
	}
	error_set(err, MLC_EINVAL, "JWT algorithm %s does not fit this %s key (use %s)", name,
		  family == EVP_PKEY_EC ? "EC" : "RSA", key->alg);
	return NULL;
}

/* DER ECDSA-Sig-Value -> JOSE r || s, each n bytes. */
static int ecdsa_der_to_raw(const unsigned char *der, size_t len, int n, struct mlc_buf *out,
			    struct mlc_error *err)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	int rc = MLC_OK;

	if (!sig)
		return error_set(err, MLC_ECRYPTO, "cannot decode the ECDSA signature");
	ECDSA_SIG_get0(sig, &r, &s);
	buf_grow(out, (size_t)n * 2);
	if (BN_bn2binpad(r, (unsigned char *)out->data + out->len, n) != n ||
	    BN_bn2binpad(s, (unsigned char *)out->data + out->len + n, n) != n)
		rc = error_set(err, MLC_ECRYPTO, "ECDSA signature does not fit %d bytes", n);
	else {
		out->len += (size_t)n * 2;
		out->data[out->len] = '\0';
	}
	ECDSA_SIG_free(sig);
	return rc;
}

static int sign(const struct mlc_pkey *key, const struct jwt_alg *alg, const char *input,
		size_t len, struct mlc_buf *sig, struct mlc_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	size_t dlen = 0;
	int rc;

	if (!md) {
		rc = error_set(err, MLC_ENOMEM, "out of memory signing the JWT");
		goto out;
	}
	if (EVP_DigestSignInit_ex(md, &pctx, alg->md, NULL, NULL, key->pkey, NULL) != 1 ||
	    (alg->pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
			  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) ||
	    EVP_DigestSign(md, NULL, &dlen, (const unsigned char *)input, len) != 1) {
		rc = error_set(err, MLC_ECRYPTO, "cannot sign the JWT with %s: %s", alg->name,
			       ERR_reason_error_string(ERR_peek_last_error()));
		goto out;
	}
	der = OPENSSL_malloc(dlen);
	if (!der || EVP_DigestSign(md, der, &dlen, (const unsigned char *)input, len) != 1) {
		rc = error_set(err, MLC_ECRYPTO, "cannot sign the JWT with %s", alg->name);
		goto out;
	}
	if (alg->family == EVP_PKEY_EC)
		rc = ecdsa_der_to_raw(der, dlen, alg->ec_bytes, sig, err);
	else {
		buf_add(sig, der, dlen);
		rc = MLC_OK;
	}
out:
	ERR_clear_error();
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	return rc;
}

int jwt_sign_assertion(const struct mlc_pkey *key, const struct mlc_jwt_claims *c,
		       struct mlc_secret **out, struct mlc_error *err)
{
	const struct jwt_alg *alg;
	json_t *header = NULL, *claims = NULL, *scope = NULL;
	char *htext = NULL, *ctext = NULL;
	unsigned char jti_raw[16];
	char jti[33];
	struct mlc_buf jws = MLC_BUF_INIT, sig = MLC_BUF_INIT;
	int64_t lifetime = c->lifetime_s ? c->lifetime_s : JWT_MAX_LIFETIME_S;
	int rc;

	*out = NULL;
	if (!key->pkey || !c->kid || !c->iss || !c->aud) {
		rc = error_set(err, MLC_EINVAL, "JWT needs a key, kid, iss and aud");
		goto out;
	}
	if (lifetime < 1 || lifetime > JWT_MAX_LIFETIME_S) {
		rc = error_set(err, MLC_EINVAL, "JWT lifetime must be 1..%d seconds, not %lld",
			       JWT_MAX_LIFETIME_S, (long long)lifetime);
		goto out;
	}
	alg = find_alg(key, c->alg, err);
	if (!alg) {
		rc = MLC_EINVAL;
		goto out;
	}
	if (c->scope && !json_is_array(c->scope)) {
		rc = error_set(err, MLC_EINVAL, "JWT scope must be an array of strings");
		goto out;
	}
	scope = c->scope ? json_deep_copy(c->scope) : json_pack("[s]", "rest_webservices");
	randombytes_buf(jti_raw, sizeof(jti_raw));
	sodium_bin2hex(jti, sizeof(jti), jti_raw, sizeof(jti_raw));
	header = json_pack("{s:s, s:s, s:s}", "alg", alg->name, "typ", "JWT", "kid", c->kid);
	claims = json_pack("{s:s, s:O, s:s, s:I, s:I, s:s}", "iss", c->iss, "scope", scope, "aud",
			   c->aud, "iat", (json_int_t)c->iat, "exp",
			   (json_int_t)(c->iat + lifetime), "jti", jti);
	if (header && claims)
		htext = json_dumps(header, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (htext)
		ctext = json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!htext || !ctext) {
		rc = error_set(err, MLC_EINVAL, "cannot build the JWT (invalid UTF-8 in an id?)");
		goto out;
	}
	jwt_b64url(&jws, htext, strlen(htext));
	buf_addch(&jws, '.');
	jwt_b64url(&jws, ctext, strlen(ctext));
	rc = sign(key, alg, jws.data, jws.len, &sig, err);
	if (rc < 0)
		goto out;
	buf_addch(&jws, '.');
	jwt_b64url(&jws, sig.data, sig.len);
	*out = secret_new(jws.data, jws.len);
	rc = MLC_OK;
out:
	free(htext);
	free(ctext);
	json_decref(header);
	json_decref(claims);
	json_decref(scope);
	buf_release_wipe(&jws);
	buf_release(&sig);
	return rc;
}
