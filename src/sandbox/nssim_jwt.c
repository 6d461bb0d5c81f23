#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "sandbox/nssim.h"
#include "util/str.h"
#include "util/banned.h"

/*
 * OAuth 2.0 client credentials with a signed JWT assertion, as NetSuite's
 * M2M integration (docs/reference/netsuite.md, "Auth"): PS256/384/512 and ES256/384/512
 * accepted, RS256 rejected, kid = certificate id, iss = client id, aud =
 * the token URL, exp - iat <= 3600.  Tokens are opaque random strings kept
 * in the _token table until they expire (no refresh token).
 *
 * Error mapping (the body is only {"error": token}, as NetSuite sends):
 *   400 invalid_request  malformed form or JWT, wrong grant/assertion type
 *   401 invalid_client   unknown kid, unacceptable alg, bad signature, wrong iss
 *   400 invalid_grant    wrong aud, bad scope, expired, iat in the future,
 *                        exp - iat > 3600
 */

static const char b64url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *nsjwt_b64url_encode(const unsigned char *data, size_t n)
{
	struct mlc_buf b = MLC_BUF_INIT;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
		buf_addch(&b, b64url_chars[v >> 18 & 63]);
		buf_addch(&b, b64url_chars[v >> 12 & 63]);
		buf_addch(&b, b64url_chars[v >> 6 & 63]);
		buf_addch(&b, b64url_chars[v & 63]);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)data[i] << 16;
		buf_addch(&b, b64url_chars[v >> 18 & 63]);
		buf_addch(&b, b64url_chars[v >> 12 & 63]);
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
		buf_addch(&b, b64url_chars[v >> 18 & 63]);
		buf_addch(&b, b64url_chars[v >> 12 & 63]);
		buf_addch(&b, b64url_chars[v >> 6 & 63]);
	}
	return buf_detach(&b, NULL);
}

static int b64val(char c)
{
	const char *p = c ? strchr(b64url_chars, c) : NULL;
	return p ? (int)(p - b64url_chars) : -1;
}

unsigned char *nsjwt_b64url_decode(const char *s, size_t len, size_t *out_n)
{
	unsigned char *out;
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	while (len && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return NULL;
	out = xmalloc(len * 3 / 4 + 3);
	for (size_t i = 0; i < len; i++) {
		int v = b64val(s[i]);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	out[n] = '\0';
	*out_n = n;
	return out;
}

/* Certificate id: base64url of the SHA-256 of the public key (43 chars,
 * the look of NetSuite's ids, stable across restarts). */
static int cert_kid(EVP_PKEY *key, char *out, size_t n)
{
	unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH];
	int len = i2d_PUBKEY(key, &der);
	char *b;

	if (len <= 0)
		return MLC_ECRYPTO;
	SHA256(der, (size_t)len, md);
	OPENSSL_free(der);
	b = nsjwt_b64url_encode(md, sizeof(md));
	str_copy(out, n, b);
	free(b);
	return MLC_OK;
}

static int write_key(EVP_PKEY *key, const char *path, struct mlc_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FILE *f;
	int ok;

	if (fd < 0)
		return error_set(err, MLC_EIO, "%s: %s", path, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return error_set(err, MLC_EIO, "%s: %s", path, strerror(errno));
	}
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) != 0 || !ok)
		return error_set(err, MLC_EIO, "%s: cannot write the private key", path);
	return MLC_OK;
}

int nsjwt_load_keys(struct nssim *ns, struct mlc_error *err)
{
	static const char *const files[NSSIM_CERTS] = {"netsuite_rsa_key.pem",
						       "netsuite_ec_key.pem"};
	int rc = MLC_OK;

	for (int i = 0; i < NSSIM_CERTS && rc == MLC_OK; i++) {
		struct nssim_cert *c = &ns->certs[i];
		FILE *f;

		snprintf(c->key_path, sizeof(c->key_path), "%s/%s", ns->data_dir, files[i]);
		snprintf(c->alg_family, sizeof(c->alg_family), "%s", i == 0 ? "RSA" : "EC");
		f = fopen(c->key_path, "r");
		if (f) {
			c->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
			fclose(f);
			if (!c->key)
				return error_set(err, MLC_ECRYPTO, "%s: not a private key",
						 c->key_path);
		} else {
			c->key = i == 0 ? EVP_RSA_gen(3072) : EVP_EC_gen("P-256");
			if (!c->key)
				return error_set(err, MLC_ECRYPTO, "cannot generate a %s key",
						 c->alg_family);
			rc = write_key(c->key, c->key_path, err);
		}
		if (rc == MLC_OK && cert_kid(c->key, c->kid, sizeof(c->kid)) < 0)
			rc = error_set(err, MLC_ECRYPTO, "cannot derive the certificate id");
	}
	return rc;
}

void nsjwt_free_keys(struct nssim *ns)
{
	for (int i = 0; i < NSSIM_CERTS; i++) {
		EVP_PKEY_free(ns->certs[i].key);
		ns->certs[i].key = NULL;
	}
}

/* Decodes one application/x-www-form-urlencoded value in place. */
static void form_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%' && s[1] && s[2]) {
			char hex[3] = {s[1], s[2], 0};
			char *end;
			long v = strtol(hex, &end, 16);
			if (*end) {
				*o++ = *s;
				continue;
			}
			*o++ = (char)v;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Finds key in a form body; returns a malloc'd decoded value or NULL. */
static char *form_get(const char *form, const char *key)
{
	size_t kl = strlen(key);
	const char *p = form;

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			char *v = xstrndup(p + kl + 1, len - kl - 1);
			form_decode(v);
			return v;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

struct alg_info {
	const char *name;
	const char *family;
	const EVP_MD *(*md)(void);
	int ec_bits; /* field size for ES*, 0 for PS* */
};

static const struct alg_info algs[] = {
    {"PS256", "RSA", EVP_sha256, 0},  {"PS384", "RSA", EVP_sha384, 0},
    {"PS512", "RSA", EVP_sha512, 0},  {"ES256", "EC", EVP_sha256, 256},
    {"ES384", "EC", EVP_sha384, 384}, {"ES512", "EC", EVP_sha512, 521},
};

/* JOSE ECDSA signature (r || s) -> DER for EVP. */
static unsigned char *ecdsa_der(const unsigned char *sig, size_t n, int bits, size_t *der_n)
{
	size_t half = (size_t)(bits + 7) / 8;
	ECDSA_SIG *es = NULL;
	BIGNUM *r, *s;
	unsigned char *der = NULL;
	int len;

	if (n != 2 * half)
		return NULL;
	r = BN_bin2bn(sig, (int)half, NULL);
	s = BN_bin2bn(sig + half, (int)half, NULL);
	es = ECDSA_SIG_new();
	if (!r || !s || !es || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return NULL;
	}
	len = i2d_ECDSA_SIG(es, &der);
	ECDSA_SIG_free(es);
	if (len <= 0)
		return NULL;
	*der_n = (size_t)len;
	return der;
}

static bool verify_sig(const struct alg_info *a, EVP_PKEY *key, const char *signed_part,
		       size_t signed_len, const unsigned char *sig, size_t sig_n)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	bool ok = false;

	if (!mctx)
		return false;
	if (EVP_DigestVerifyInit(mctx, &pctx, a->md(), NULL, key) != 1)
		goto out;
	if (a->ec_bits == 0) {
		if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
			goto out;
		ok = EVP_DigestVerify(mctx, sig, sig_n, (const unsigned char *)signed_part,
				      signed_len) == 1;
	} else {
		size_t der_n = 0;
		if (EVP_PKEY_get_bits(key) != a->ec_bits)
			goto out;
		der = ecdsa_der(sig, sig_n, a->ec_bits, &der_n);
		if (!der)
			goto out;
		ok = EVP_DigestVerify(mctx, der, der_n, (const unsigned char *)signed_part,
				      signed_len) == 1;
	}
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(mctx);
	return ok;
}

static bool scope_ok(const json_t *scope)
{
	static const char *const allowed[] = {"restlets", "rest_webservices", "suite_analytics"};
	size_t i, n = 0;
	json_t *v;

	if (json_is_string(scope)) {
		char *dup = xstrdup(json_string_value(scope)), *p = dup, *comma;
		bool ok = true;
		do {
			bool found = false;
			comma = strchr(p, ',');
			if (comma)
				*comma = '\0';
			str_trim(p);
			for (i = 0; i < MLC_ARRAY_LEN(allowed); i++)
				found |= strcmp(p, allowed[i]) == 0;
			ok &= found;
			n++;
			p = comma ? comma + 1 : NULL;
		} while (p);
		free(dup);
		return ok && n > 0;
	}
	if (!json_is_array(scope) || json_array_size(scope) == 0)
		return false;
	json_array_foreach (scope, n, v) {
		bool found = false;
		for (i = 0; i < MLC_ARRAY_LEN(allowed); i++)
			found |= json_is_string(v) && strcmp(json_string_value(v), allowed[i]) == 0;
		if (!found)
			return false;
	}
	return true;
}

#define FAIL(status, code, ...)                                                                    \
	do {                                                                                       \
		rc = (status);                                                                     \
		*error = (code);                                                                   \
		snprintf(detail, detail_n, __VA_ARGS__);                                           \
		goto out;                                                                          \
	} while (0)

int nsjwt_token_request(struct nssim *ns, const char *form, const char *token_url, char **token,
			const char **error, char *detail, size_t detail_n)
{
	char *grant = form_get(form, "grant_type");
	char *atype = form_get(form, "client_assertion_type");
	char *jwt = form_get(form, "client_assertion");
	unsigned char *hdr_raw = NULL, *pl_raw = NULL, *sig = NULL;
	json_t *hdr = NULL, *pl = NULL, *aud;
	const struct alg_info *alg = NULL;
	struct nssim_cert *cert = NULL;
	const char *dot1, *dot2, *s;
	size_t hn, pn, sn;
	int64_t now = nssim_now_ms(ns) / 1000, iat, exp;
	int rc = 0;

	*token = NULL;
	if (!grant || strcmp(grant, "client_credentials") != 0)
		FAIL(400, "invalid_request", "grant_type must be client_credentials");
	if (!atype || strcmp(atype, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
		FAIL(400, "invalid_request", "client_assertion_type must be jwt-bearer");
	dot1 = jwt ? strchr(jwt, '.') : NULL;
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot2 || strchr(dot2 + 1, '.'))
		FAIL(400, "invalid_request", "client_assertion is not a signed JWT");
	hdr_raw = nsjwt_b64url_decode(jwt, (size_t)(dot1 - jwt), &hn);
	pl_raw = nsjwt_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &pn);
	sig = nsjwt_b64url_decode(dot2 + 1, strlen(dot2 + 1), &sn);
	if (!hdr_raw || !pl_raw || !sig)
		FAIL(400, "invalid_request", "client_assertion is not base64url");
	hdr = json_loadb((const char *)hdr_raw, hn, 0, NULL);
	pl = json_loadb((const char *)pl_raw, pn, 0, NULL);
	if (!json_is_object(hdr) || !json_is_object(pl))
		FAIL(400, "invalid_request", "client_assertion header or claims are not JSON");
	s = json_string_value(json_object_get(hdr, "alg"));
	for (size_t i = 0; s && i < MLC_ARRAY_LEN(algs); i++)
		if (strcmp(algs[i].name, s) == 0)
			alg = &algs[i];
	if (!alg)
		FAIL(401, "invalid_client",
		     "JWT alg '%s' is not accepted (PS256..PS512, ES256..ES512)", s ? s : "");
	s = json_string_value(json_object_get(hdr, "kid"));
	for (int i = 0; s && i < NSSIM_CERTS; i++)
		if (strcmp(ns->certs[i].kid, s) == 0)
			cert = &ns->certs[i];
	if (!cert)
		FAIL(401, "invalid_client", "no certificate with kid '%s'", s ? s : "");
	if (strcmp(cert->alg_family, alg->family) != 0)
		FAIL(401, "invalid_client", "alg %s does not match the %s certificate", alg->name,
		     cert->alg_family);
	if (!verify_sig(alg, cert->key, jwt, (size_t)(dot2 - jwt), sig, sn))
		FAIL(401, "invalid_client", "JWT signature does not verify");
	s = json_string_value(json_object_get(pl, "iss"));
	if (!s || strcmp(s, ns->client_id) != 0)
		FAIL(401, "invalid_client", "iss is not the client id");
	aud = json_object_get(pl, "aud");
	if (json_is_array(aud)) {
		size_t i;
		json_t *v;
		bool found = false;
		json_array_foreach (aud, i, v)
			found |= json_is_string(v) && strcmp(json_string_value(v), token_url) == 0;
		if (!found)
			FAIL(400, "invalid_grant", "aud does not name the token endpoint");
	} else if (!json_is_string(aud) || strcmp(json_string_value(aud), token_url) != 0) {
		FAIL(400, "invalid_grant", "aud is not the token endpoint URL %s", token_url);
	}
	if (!scope_ok(json_object_get(pl, "scope")))
		FAIL(400, "invalid_grant",
		     "scope must be restlets, rest_webservices, suite_analytics");
	if (!json_is_integer(json_object_get(pl, "iat")) ||
	    !json_is_integer(json_object_get(pl, "exp")))
		FAIL(400, "invalid_grant", "iat and exp must be integers");
	iat = json_integer_value(json_object_get(pl, "iat"));
	exp = json_integer_value(json_object_get(pl, "exp"));
	if (exp - iat > 3600 || exp <= iat)
		FAIL(400, "invalid_grant", "exp - iat must be in (0, 3600]");
	if (iat > now + 60)
		FAIL(400, "invalid_grant", "iat is in the future");
	if (exp <= now)
		/* exp and now (s) in the log: scripts/chaos.sh tells an assertion
		 * that was in flight while the clock was moved */
		FAIL(400, "invalid_grant", "the assertion has expired (exp %lld, now %lld)",
		     (long long)exp, (long long)now);
	{
		unsigned char rnd[32];
		char *tok;
		sqlite3_stmt *st = NULL;
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			FAIL(400, "invalid_request", "no randomness");
		tok = nsjwt_b64url_encode(rnd, sizeof(rnd));
		pthread_mutex_lock(&ns->db_lock);
		if (sqlite3_prepare_v2(ns->db, "INSERT INTO _token VALUES (?, ?)", -1, &st, NULL) ==
		    SQLITE_OK) {
			sqlite3_bind_text(st, 1, tok, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2,
					   nssim_now_ms(ns) + (int64_t)ns->cfg.token_ttl * 1000);
			sqlite3_step(st);
		}
		sqlite3_finalize(st);
		pthread_mutex_unlock(&ns->db_lock);
		*token = tok;
	}
out:
	free(grant);
	free(atype);
	free(jwt);
	free(hdr_raw);
	free(pl_raw);
	free(sig);
	json_decref(hdr);
	json_decref(pl);
	return rc;
}

int nsjwt_bearer_ok(struct nssim *ns, const char *authorization)
{
	const char *tok;
	int64_t exp;

	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return -1;
	tok = authorization + 7;
	while (*tok == ' ')
		tok++;
	pthread_mutex_lock(&ns->db_lock);
	exp = nsdb_int(ns->db, "SELECT expires_ms FROM _token WHERE token = ?", tok, -1);
	pthread_mutex_unlock(&ns->db_lock);
	return exp > nssim_now_ms(ns) ? 0 : -1;
}
