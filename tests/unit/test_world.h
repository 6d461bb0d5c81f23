#ifndef MLC_TEST_WORLD_H
#define MLC_TEST_WORLD_H

/*
 * A tenant with every credential in a vault over an in-memory store,
 * pointed at a loopback fake (fake_http.h), for the auth and ping tests.
 * Header-only: each test binary gets its own copy.
 */
#include <openssl/pem.h>

#include "core/store.h"
#include "store_test.h"
#include "core/tenant.h"
#include "core/vault.h"

struct world {
	struct mlc_store *store;
	struct mlc_vault *vault;
	struct mlc_tenant tenant;
};

struct world_opts {
	const char *key_type;     /* "RSA" (3072 bits) or "EC" (P-256) */
	const char *ns_path;      /* NetSuite base path on the fake, e.g. "/ns" */
	const char *pc_auth_path; /* Procore login base path */
	const char *pc_api_path;  /* Procore API base path, NULL: the default host */
	int64_t company;
	const char *jwt_alg; /* settings.netsuite.jwt_alg, or NULL */
};

static inline void world_init(struct world *w, const struct world_opts *o, int port)
{
	unsigned char key[VAULT_KEY_BYTES];
	struct mlc_error err = {0};
	struct mlc_tenant_changes c = {0};
	char ns[128], pa[128], pu[128];
	EVP_PKEY *k = strcmp(o->key_type, "RSA") == 0
			  ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072)
			  : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long n;

	snprintf(ns, sizeof(ns), "http://127.0.0.1:%d%s", port, o->ns_path);
	snprintf(pa, sizeof(pa), "http://127.0.0.1:%d%s", port, o->pc_auth_path);
	snprintf(pu, sizeof(pu), "http://127.0.0.1:%d%s", port,
		 o->pc_api_path ? o->pc_api_path : "");
	memset(key, 7, sizeof(key));
	assert_int_equal(vault_new(key, sizeof(key), &w->vault, &err), 0);
	assert_int_equal(test_store_open(&w->store, &err), 0);
	c.procore_company_id = o->company;
	c.netsuite_account = "1234567";
	c.netsuite_url = ns;
	c.procore_auth_url = pa;
	c.procore_api_url = o->pc_api_path ? pu : NULL;
	assert_int_equal(tenant_add(w->store, "acme", &c, &err), 0);
	assert_int_equal(tenant_get(w->store, "acme", &w->tenant, &err), 0);
	if (o->jwt_alg) {
		json_t *s = json_pack("{s:{s:s}}", "netsuite", "jwt_alg", o->jwt_alg);
		assert_int_equal(tenant_set_settings(w->store, w->tenant.id, s, &err), 0);
		json_decref(s);
		tenant_release(&w->tenant);
		assert_int_equal(tenant_get(w->store, "acme", &w->tenant, &err), 0);
	}
	PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(bio, &pem);
#define SET(name, v, len)                                                                          \
	assert_int_equal(secret_set(w->store, w->vault, w->tenant.id, name, v, len, &err), 0)
	SET("netsuite.private_key", pem, (size_t)n);
	SET("netsuite.client_id", "ns-client", 9);
	SET("netsuite.certificate_id", "cert-1", 6);
	SET("procore.client_id", "pc-client", 9);
	SET("procore.client_secret", "pc-secret-value", 15);
#undef SET
	BIO_free(bio);
	EVP_PKEY_free(k);
}

static inline void world_release(struct world *w)
{
	tenant_release(&w->tenant);
	store_free(w->store);
	vault_free(w->vault);
}

#endif
