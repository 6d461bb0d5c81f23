#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "util/pkey.h"
#include "util/banned.h"

#define ACCEPTED "accepted: RSA of 3072 bits or more, or EC on P-256, P-384 or P-521"

/* Refuses encrypted PEM instead of prompting on the terminal. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	MLC_UNUSED(buf);
	MLC_UNUSED(size);
	MLC_UNUSED(rwflag);
	MLC_UNUSED(u);
	return -1;
}

static const char *ec_alg(const char *group)
{
	if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
		return "ES256";
	if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
		return "ES384";
	if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0)
		return "ES512";
	return NULL;
}

int pkey_load_pem(const char *pem, size_t len, struct mlc_pkey *out, struct mlc_error *err)
{
	BIO *bio = NULL;
	EVP_PKEY *k = NULL;
	char group[64];
	size_t glen = 0;
	int rc, id;

	memset(out, 0, sizeof(*out));
	if (len > (size_t)1 << 20) {
		rc = error_set(err, MLC_EINVAL, "the private key is too large to be a PEM key");
		goto out;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		rc = error_set(err, MLC_ENOMEM, "out of memory reading the private key");
		goto out;
	}
	k = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	ERR_clear_error();
	if (!k) {
		rc = error_set(err, MLC_EINVAL,
			       "the private key is not an unencrypted PEM private key "
			       "(expected '-----BEGIN PRIVATE KEY-----'); " ACCEPTED);
		goto out;
	}
	out->bits = EVP_PKEY_get_bits(k);
	id = EVP_PKEY_get_base_id(k);
	if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) {
		if (out->bits < 3072) {
			rc = error_set(
			    err, MLC_EINVAL,
			    "the private key is RSA of %d bits, too short for NetSuite; " ACCEPTED,
			    out->bits);
			goto out;
		}
		out->alg = "PS256";
	} else if (id == EVP_PKEY_EC) {
		/* out->alg is NULL (memset above) until a curve NetSuite accepts names it */
		if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
						   sizeof(group), &glen))
			out->alg = ec_alg(group);
		if (!out->alg) {
			rc = error_set(
			    err, MLC_EINVAL,
			    "the private key is EC on a curve NetSuite does not accept; " ACCEPTED);
			ERR_clear_error();
			goto out;
		}
	} else {
		rc = error_set(err, MLC_EINVAL, "the private key is of type %s; " ACCEPTED,
			       OBJ_nid2sn(id));
		goto out;
	}
	out->pkey = k;
	k = NULL;
	rc = MLC_OK;
out:
	EVP_PKEY_free(k);
	BIO_free(bio);
	if (rc < 0)
		out->alg = NULL;
	return rc;
}

void pkey_release(struct mlc_pkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}
