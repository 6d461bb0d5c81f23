#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "auth/jwt.h"
#include "auth/pkey.h"
#include "util/banned.h"

/* Generates a key and loads it through the PEM path the program uses. */
static int load_generated(EVP_PKEY *k, struct mlc_pkey *out, struct mlc_error *err)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long n;
	int rc;

	assert_non_null(k);
	assert_int_equal(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(bio, &pem);
	rc = pkey_load_pem(pem, (size_t)n, out, err);
	BIO_free(bio);
	EVP_PKEY_free(k);
	return rc;
}

static void b64url_decode(const char *s, size_t n, struct mlc_buf *out)
{
	size_t len = 0;

	buf_grow(out, n);
	assert_int_equal(sodium_base642bin((unsigned char *)out->data, n + 1, s, n, NULL, &len,
					   NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
			 0);
	out->len = len;
	out->data[len] = '\0';
}

/* Splits a compact JWS and checks header, claims and signature. */
static void verify(const char *jws, const struct mlc_pkey *key, const char *alg, int64_t iat,
		   int64_t lifetime)
{
	const char *d1 = strchr(jws, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	struct mlc_buf h = MLC_BUF_INIT, c = MLC_BUF_INIT, sig = MLC_BUF_INIT, der = MLC_BUF_INIT;
	json_t *hj, *cj;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	const char *mdname = strstr(alg, "256")   ? "SHA256"
			     : strstr(alg, "384") ? "SHA384"
						  : "SHA512";

	assert_non_null(d2);
	b64url_decode(jws, (size_t)(d1 - jws), &h);
	b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &c);
	b64url_decode(d2 + 1, strlen(d2 + 1), &sig);
	hj = json_loads(h.data, 0, NULL);
	cj = json_loads(c.data, 0, NULL);
	assert_non_null(hj);
	assert_non_null(cj);
	assert_string_equal(json_string_value(json_object_get(hj, "alg")), alg);
	assert_string_equal(json_string_value(json_object_get(hj, "typ")), "JWT");
	assert_string_equal(json_string_value(json_object_get(hj, "kid")), "cert-123");
	assert_string_equal(json_string_value(json_object_get(cj, "iss")), "client-abc");
	assert_string_equal(
	    json_string_value(json_object_get(cj, "aud")),
	    "https://x.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token");
	assert_string_equal(json_string_value(json_array_get(json_object_get(cj, "scope"), 0)),
			    "rest_webservices");
	assert_int_equal(json_integer_value(json_object_get(cj, "iat")), iat);
	assert_int_equal(json_integer_value(json_object_get(cj, "exp")) - iat, lifetime);
	assert_true(lifetime <= 3600);
	assert_int_equal(strlen(json_string_value(json_object_get(cj, "jti"))), 32);

	if (alg[0] == 'E') {
		/* JOSE r || s back to DER for OpenSSL */
		ECDSA_SIG *es = ECDSA_SIG_new();
		size_t half = sig.len / 2;
		unsigned char *p = NULL;
		int n;
		assert_int_equal(half, strcmp(alg, "ES256") == 0   ? 32
				       : strcmp(alg, "ES384") == 0 ? 48
								   : 66);
		ECDSA_SIG_set0(es, BN_bin2bn((unsigned char *)sig.data, (int)half, NULL),
			       BN_bin2bn((unsigned char *)sig.data + half, (int)half, NULL));
		n = i2d_ECDSA_SIG(es, &p);
		buf_add(&der, p, (size_t)n);
		OPENSSL_free(p);
		ECDSA_SIG_free(es);
	} else {
		buf_add(&der, sig.data, sig.len);
	}
	assert_int_equal(EVP_DigestVerifyInit_ex(md, &pctx, mdname, NULL, NULL, key->pkey, NULL),
			 1);
	if (alg[0] == 'P') {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
	}
	assert_int_equal(EVP_DigestVerify(md, (unsigned char *)der.data, der.len,
					  (const unsigned char *)jws, (size_t)(d2 - jws)),
			 1);
	EVP_MD_CTX_free(md);
	json_decref(hj);
	json_decref(cj);
	buf_release(&h);
	buf_release(&c);
	buf_release(&sig);
	buf_release(&der);
}

static struct mlc_jwt_claims claims(void)
{
	struct mlc_jwt_claims c = {0};

	c.kid = "cert-123";
	c.iss = "client-abc";
	c.aud = "https://x.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token";
	c.iat = 1795000000;
	return c;
}

static void test_ps256(void **state)
{
	struct mlc_pkey k;
	struct mlc_error err = {0};
	struct mlc_secret *jws = NULL;
	struct mlc_jwt_claims c = claims();

	(void)state;
	assert_int_equal(
	    load_generated(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072), &k, &err), 0);
	assert_string_equal(k.alg, "PS256");
	assert_int_equal(jwt_sign_assertion(&k, &c, &jws, &err), 0);
	verify(jws->data, &k, "PS256", c.iat, 3600);
	secret_free(jws);
	/* RS256 only on request (ping's diagnosis), and it verifies too */
	c.alg = "RS256";
	assert_int_equal(jwt_sign_assertion(&k, &c, &jws, &err), 0);
	verify(jws->data, &k, "RS256", c.iat, 3600);
	secret_free(jws);
	c.alg = "ES256";
	assert_int_equal(jwt_sign_assertion(&k, &c, &jws, &err), MLC_EINVAL);
	assert_null(jws);
	c.alg = NULL;
	c.lifetime_s = 3601;
	assert_int_equal(jwt_sign_assertion(&k, &c, &jws, &err), MLC_EINVAL);
	c.lifetime_s = 600;
	assert_int_equal(jwt_sign_assertion(&k, &c, &jws, &err), 0);
	verify(jws->data, &k, "PS256", c.iat, 600);
	secret_free(jws);
	pkey_release(&k);
}

static void test_es(void **state)
{
	static const char *const curves[] = {"P-256", "P-384", "P-521"};
	static const char *const want[] = {"ES256", "ES384", "ES512"};
	struct mlc_error err = {0};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct mlc_pkey k;
		struct mlc_secret *jws = NULL;
		struct mlc_jwt_claims c = claims();
		assert_int_equal(
		    load_generated(EVP_PKEY_Q_keygen(NULL, NULL, "EC", curves[i]), &k, &err), 0);
		assert_string_equal(k.alg, want[i]);
		/* many signatures: r or s with leading zero bytes must be padded */
		for (int j = 0; j < 20; j++) {
			assert_int_equal(jwt_sign_assertion(&k, &c, &jws, &err), 0);
			verify(jws->data, &k, want[i], c.iat, 3600);
			secret_free(jws);
		}
		c.alg = i == 0 ? "ES384" : "ES256";
		assert_int_equal(jwt_sign_assertion(&k, &c, &jws, &err), MLC_EINVAL);
		pkey_release(&k);
	}
}

static void test_rejected_keys(void **state)
{
	struct mlc_pkey k;
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(
	    load_generated(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048), &k, &err),
	    MLC_EINVAL);
	assert_non_null(strstr(err.msg, "2048 bits"));
	assert_int_equal(load_generated(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1"), &k, &err),
			 MLC_EINVAL);
	assert_int_equal(load_generated(EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), &k, &err),
			 MLC_EINVAL);
	assert_int_equal(pkey_load_pem("garbage", 7, &k, &err), MLC_EINVAL);
	assert_non_null(strstr(err.msg, "PEM"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ps256),
	    cmocka_unit_test(test_es),
	    cmocka_unit_test(test_rejected_keys),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
