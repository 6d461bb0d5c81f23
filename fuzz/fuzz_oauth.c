/* libFuzzer target: token endpoint answers as auth/oauth.c reads them
 * (access_token, expires_in as number or string, error and
 * error_description for the diagnosis of a refusal), for NetSuite (JWT
 * client assertion) and Procore (client credentials).  The answer comes
 * from a loopback server; the tenant, its secrets and a throwaway EC key
 * live in an in-memory store made at start.
 *
 * First input byte: bit 0 the system, bits 1-2 the status (200, 400, 401,
 * 403: the answers the token upstream does not retry); the rest: the body. */
#include <stdbool.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "auth/oauth.h"
#include "core/store.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "fuzz_common.h"
#include "fuzz_http.h"
#include "util/buf.h"
#include "util/log.h"

static struct mlc_store *store;
static struct mlc_vault *vault;
static struct mlc_tenant tenant;

static void put_secret(const char *name, const void *v, size_t len)
{
	if (secret_set(store, vault, tenant.id, name, v, len, NULL) != 0)
		abort();
}

static void start(void)
{
	unsigned char key[VAULT_KEY_BYTES];
	struct mlc_tenant_changes c;
	char url[64];
	EVP_PKEY *k;
	BIO *bio;
	char *pem;
	long n;
	FILE *devnull;

	if (sodium_init() < 0)
		abort();
	/* logs on (to nowhere): the log paths read what the endpoint said */
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	log_setup(MLC_LOG_DEBUG, MLC_LOG_LOGFMT, devnull);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", fuzz_http_start());
	memset(key, 7, sizeof(key));
	if (vault_new(key, sizeof(key), &vault, NULL) != 0 ||
	    store_open("sqlite::memory:", &store, NULL) != 0)
		abort();
	memset(&c, 0, sizeof(c));
	c.procore_company_id = 8;
	c.netsuite_account = "1234567";
	c.netsuite_url = url;
	c.procore_auth_url = url;
	if (tenant_add(store, "fuzz", &c, NULL) != 0 ||
	    tenant_get(store, "fuzz", &tenant, NULL) != 0)
		abort();
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	bio = BIO_new(BIO_s_mem());
	if (!k || !bio || !PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL))
		abort();
	n = BIO_get_mem_data(bio, &pem);
	put_secret("netsuite.private_key", pem, (size_t)n);
	put_secret("netsuite.client_id", "ns-client", 9);
	put_secret("netsuite.certificate_id", "cert-1", 6);
	put_secret("procore.client_id", "pc-client", 9);
	put_secret("procore.client_secret", "pc-secret-value", 15);
	BIO_free(bio);
	EVP_PKEY_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned statuses[] = {200, 400, 401, 403};
	static bool ready;
	struct mlc_oauth_opts o;
	struct mlc_oauth *a = NULL;
	struct mlc_buf tok = MLC_BUF_INIT;
	struct mlc_error err = {0};

	if (!ready) {
		start();
		ready = true;
	}
	if (size < 1)
		return 0;
	fuzz_http_set(statuses[(data[0] >> 1) & 3], data + 1, size - 1);
	memset(&o, 0, sizeof(o));
	o.store = store;
	o.vault = vault;
	o.tenant = &tenant;
	o.timeout_ms = 5000;
	/* a new provider each time: no cached token, no back-off after a refusal */
	if (oauth_new(data[0] & 1 ? MLC_OAUTH_PROCORE : MLC_OAUTH_NETSUITE, &o, &a, NULL) != 0)
		abort();
	if (oauth_token(a, &tok, &err) == 0) {
		if (!tok.len || statuses[(data[0] >> 1) & 3] != 200)
			abort(); /* a token only from a 200 */
	} else if (!err.msg[0]) {
		abort(); /* a refusal always says why */
	}
	buf_release_wipe(&tok);
	oauth_free(a);
	return 0;
}
