#ifndef MLC_TEST_NSSIM_TEST_H
#define MLC_TEST_NSSIM_TEST_H

/*
 * Helpers for the NetSuite simulator conformance tests: an in-process
 * sandbox on free loopback ports, JWT assertions signed with EVP (PS256,
 * ES256 and the rejected RS256), and JSON requests with a bearer token.
 * Header-only (static) because CMake builds each test from one file.
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_test.h"
#include "sandbox/nssim.h"
#include "sandbox/sandbox.h"
#include "util/time.h"

struct nst {
	struct mlc_sandbox *sb;
	char dir[64];
	char base[64];
	char token[128];
	char auth[200];
};

static inline void nst_rmrf(const char *dir)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* Signs header.payload with alg using cert's key; returns the JWT (malloc'd). */
static inline char *nst_jwt(struct nssim_cert *cert, const char *alg, const char *kid,
			    json_t *claims)
{
	json_t *hdr = json_pack("{s:s,s:s,s:s}", "typ", "JWT", "alg", alg, "kid", kid);
	char *h = json_dumps(hdr, JSON_COMPACT), *p = json_dumps(claims, JSON_COMPACT);
	char *hb = nsjwt_b64url_encode((unsigned char *)h, strlen(h));
	char *pb = nsjwt_b64url_encode((unsigned char *)p, strlen(p));
	struct mlc_buf in = MLC_BUF_INIT;
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	char *sb64, *out;
	bool ec = strncmp(alg, "ES", 2) == 0;

	buf_addf(&in, "%s.%s", hb, pb);
	EVP_DigestSignInit(mctx, &pctx, EVP_sha256(), NULL, cert->key);
	if (strcmp(alg, "PS256") == 0) {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
	}
	EVP_DigestSign(mctx, sig, &siglen, (unsigned char *)in.data, in.len);
	if (ec) {
		/* DER ECDSA-Sig-Value -> JOSE r || s */
		const unsigned char *d = sig;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &d, (long)siglen);
		unsigned char raw[64];
		BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
		BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
		ECDSA_SIG_free(es);
		sb64 = nsjwt_b64url_encode(raw, 64);
	} else {
		sb64 = nsjwt_b64url_encode(sig, siglen);
	}
	buf_addf(&in, ".%s", sb64);
	out = buf_detach(&in, NULL);
	EVP_MD_CTX_free(mctx);
	free(sb64);
	free(hb);
	free(pb);
	free(h);
	free(p);
	json_decref(hdr);
	return out;
}

static inline json_t *nst_claims(struct nst *t, int64_t iat, int64_t exp)
{
	char aud[128];

	snprintf(aud, sizeof(aud), "%s/services/rest/auth/oauth2/v1/token", t->base);
	return json_pack("{s:s,s:[s],s:s,s:I,s:I}", "iss", t->sb->nssim->client_id, "scope",
			 "rest_webservices", "aud", aud, "iat", (json_int_t)iat, "exp",
			 (json_int_t)exp);
}

/* POSTs an assertion to the token endpoint; fills out with the body. */
static inline long nst_token_post(struct nst *t, const char *jwt, struct mlc_buf *out)
{
	char url[128];
	struct mlc_buf form = MLC_BUF_INIT;
	const char *hdrs[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
	long st;

	snprintf(url, sizeof(url), "%s/services/rest/auth/oauth2/v1/token", t->base);
	buf_addf(
	    &form,
	    "grant_type=client_credentials&client_assertion_type=urn%%3Aietf%%3Aparams%%3Aoauth"
	    "%%3Aclient-assertion-type%%3Ajwt-bearer&client_assertion=%s",
	    jwt);
	st = ht_request("POST", url, form.data, hdrs, out);
	buf_release(&form);
	return st;
}

static inline int64_t nst_now(struct nst *t)
{
	return sandbox_now_ms(t->sb) / 1000;
}

/* Gets a bearer token with the EC certificate (ES256). */
static inline void nst_login(struct nst *t)
{
	json_t *c = nst_claims(t, nst_now(t), nst_now(t) + 3000);
	char *jwt = nst_jwt(&t->sb->nssim->certs[1], "ES256", t->sb->nssim->certs[1].kid, c);
	struct mlc_buf out = MLC_BUF_INIT;
	json_t *j;

	if (nst_token_post(t, jwt, &out) != 200) {
		fprintf(stderr, "login failed: %s\n", out.data);
		abort();
	}
	j = json_loads(out.data, 0, NULL);
	snprintf(t->token, sizeof(t->token), "%s",
		 json_string_value(json_object_get(j, "access_token")));
	snprintf(t->auth, sizeof(t->auth), "Authorization: Bearer %s", t->token);
	json_decref(j);
	json_decref(c);
	free(jwt);
	buf_release(&out);
}

/* An authorised request to path (relative to the base URL).  *body_out
 * gets the parsed JSON reply (or NULL); returns the HTTP status. */
static inline long nst_req(struct nst *t, const char *method, const char *path, const char *body,
			   json_t **body_out)
{
	char url[1024];
	struct mlc_buf out = MLC_BUF_INIT;
	const char *hdrs[] = {t->auth, "Content-Type: application/json", "Prefer: transient", NULL};
	long st;

	snprintf(url, sizeof(url), "%s%s", t->base, path);
	st = ht_request(method, url, body, hdrs, &out);
	if (body_out)
		*body_out = out.len ? json_loads(out.data, 0, NULL) : NULL;
	buf_release(&out);
	return st;
}

/* SuiteQL helper: runs q with the query string qs ("limit=5&offset=0"). */
static inline long nst_suiteql(struct nst *t, const char *qs, const char *q, json_t **out)
{
	char path[256];
	json_t *b = json_pack("{s:s}", "q", q);
	char *body = json_dumps(b, JSON_COMPACT);
	long st;

	snprintf(path, sizeof(path), "/services/rest/query/v1/suiteql%s%s", qs ? "?" : "",
		 qs ? qs : "");
	st = nst_req(t, "POST", path, body, out);
	free(body);
	json_decref(b);
	return st;
}

/* The first o:errorDetails entry's field, or "". */
static inline const char *nst_err(json_t *body, const char *field)
{
	const char *s = json_string_value(
	    json_object_get(json_array_get(json_object_get(body, "o:errorDetails"), 0), field));
	return s ? s : "";
}

#endif
