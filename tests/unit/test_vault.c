#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/store.h"
#include "store_test.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "util/file.h"
#include "util/banned.h"

static void make_vault(struct mlc_vault **v, unsigned char fill)
{
	unsigned char key[VAULT_KEY_BYTES];
	struct mlc_error err = {0};

	memset(key, fill, sizeof(key));
	assert_int_equal(vault_new(key, sizeof(key), v, &err), 0);
}

static void test_seal_round_trip(void **state)
{
	struct mlc_vault *v = NULL;
	struct mlc_buf box = MLC_BUF_INIT;
	struct mlc_secret *out = NULL;
	struct mlc_error err = {0};
	const char *plain = "client-secret-value";

	(void)state;
	make_vault(&v, 1);
	assert_int_equal(vault_seal(v, "ad", 2, plain, strlen(plain), &box, &err), 0);
	assert_int_equal(box.len, VAULT_NONCE_BYTES + strlen(plain) + VAULT_TAG_BYTES);
	assert_null(memmem(box.data, box.len, plain, strlen(plain)));
	assert_int_equal(vault_unseal(v, "ad", 2, box.data, box.len, &out, &err), 0);
	assert_int_equal(out->len, strlen(plain));
	assert_string_equal(out->data, plain);
	secret_free(out);
	buf_release(&box);
	vault_free(v);
}

static void test_seal_failures(void **state)
{
	struct mlc_vault *v = NULL, *w = NULL;
	struct mlc_buf box = MLC_BUF_INIT;
	struct mlc_secret *out = NULL;
	struct mlc_error err = {0};

	(void)state;
	make_vault(&v, 1);
	make_vault(&w, 2);
	assert_string_not_equal(v->key_id, w->key_id);
	assert_int_equal(vault_seal(v, "ad", 2, "hello world", 11, &box, &err), 0);
	/* wrong key */
	assert_int_equal(vault_unseal(w, "ad", 2, box.data, box.len, &out, &err), MLC_ECRYPTO);
	assert_null(out);
	/* wrong associated data */
	assert_int_equal(vault_unseal(v, "ae", 2, box.data, box.len, &out, &err), MLC_ECRYPTO);
	assert_null(out);
	/* tampered ciphertext */
	box.data[VAULT_NONCE_BYTES + 3] ^= 1;
	assert_int_equal(vault_unseal(v, "ad", 2, box.data, box.len, &out, &err), MLC_ECRYPTO);
	assert_null(out);
	/* truncated */
	assert_int_equal(vault_unseal(v, "ad", 2, box.data, 10, &out, &err), MLC_ECRYPTO);
	assert_null(out);
	buf_release(&box);
	vault_free(v);
	vault_free(w);
}

static void test_key_text(void **state)
{
	unsigned char key[VAULT_KEY_BYTES], raw[VAULT_KEY_BYTES];
	char hex[VAULT_KEY_BYTES * 2 + 1], b64[64];
	struct mlc_error err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(i * 7 + 3);
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	assert_int_equal(vault_parse_key_text(hex, key, &err), 0);
	assert_memory_equal(key, raw, sizeof(raw));
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
	memset(key, 0, sizeof(key));
	assert_int_equal(vault_parse_key_text(b64, key, &err), 0);
	assert_memory_equal(key, raw, sizeof(raw));
	assert_int_equal(vault_parse_key_text("abc", key, &err), MLC_ECONFIG);
	assert_non_null(strstr(err.msg, "64 hex digits"));
	hex[10] = 'z';
	assert_int_equal(vault_parse_key_text(hex, key, &err), MLC_ECONFIG);
}

/* issue 21 item 16: a key taken from the environment leaves it, its text wiped */
static void test_key_env_forgotten(void **state)
{
	unsigned char raw[VAULT_KEY_BYTES];
	char hex[VAULT_KEY_BYTES * 2 + 1];
	const char *left;
	struct mlc_vault *v = NULL, *want = NULL;
	struct mlc_error err = {0};
	size_t n = sizeof(VAULT_ENV_KEY) + VAULT_KEY_BYTES * 2;
	char *entry;

	(void)state;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	assert_int_equal(setenv(VAULT_ENV_KEY, hex, 1), 0);
	left = getenv(VAULT_ENV_KEY);
	assert_non_null(left);
	entry = (char *)left - sizeof(VAULT_ENV_KEY);
	assert_int_equal(vault_open(NULL, &v, &err), 0);
	assert_true(v->from_env);
	assert_int_equal(vault_new(raw, sizeof(raw), &want, &err), 0);
	assert_string_equal(v->key_id, want->key_id);
	assert_null(getenv(VAULT_ENV_KEY));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(entry[i], 0);
	vault_free(want);
	vault_free(v);
	/* without the variable and without a key file: a clear error */
	assert_int_equal(vault_open(NULL, &v, &err), MLC_ECONFIG);
	assert_non_null(strstr(err.msg, "no master key"));
}

static void test_key_file(void **state)
{
	char dir[] = "/tmp/mlc-test-vault-XXXXXX";
	char path[128];
	unsigned char key[VAULT_KEY_BYTES], raw[VAULT_KEY_BYTES];
	struct mlc_error err = {0};
	struct mlc_config cfg;
	struct mlc_vault *v = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/master.key", dir);
	assert_int_equal(vault_read_key_file(path, key, &err), MLC_ECONFIG);
	assert_non_null(strstr(err.msg, "does not exist"));
	randombytes_buf(raw, sizeof(raw));
	assert_int_equal(file_write_new(path, raw, sizeof(raw), 0600, &err), 0);
	assert_int_equal(vault_read_key_file(path, key, &err), 0);
	assert_memory_equal(key, raw, sizeof(raw));
	memset(&cfg, 0, sizeof(cfg));
	cfg.master_key_file = path;
	unsetenv(VAULT_ENV_KEY);
	assert_int_equal(vault_open(&cfg, &v, &err), 0);
	assert_false(v->from_env);
	vault_free(v);
	chmod(path, 0640);
	assert_int_equal(vault_read_key_file(path, key, &err), MLC_ECONFIG);
	assert_non_null(strstr(err.msg, "chmod 600"));
	unlink(path);
	assert_int_equal(file_write_new(path, raw, 31, 0600, &err), 0);
	assert_int_equal(vault_read_key_file(path, key, &err), MLC_ECONFIG);
	assert_non_null(strstr(err.msg, "exactly 32"));
	unlink(path);
	rmdir(dir);
}

static void open_db(struct mlc_store **s, int64_t *tenant_id)
{
	struct mlc_error err = {0};
	struct mlc_tenant_changes c = {0};
	struct mlc_tenant t;

	assert_int_equal(test_store_open(s, &err), 0);
	c.procore_company_id = 7;
	c.netsuite_account = "1234567";
	assert_int_equal(tenant_add(*s, "acme", &c, &err), 0);
	assert_int_equal(tenant_get(*s, "acme", &t, &err), 0);
	*tenant_id = t.id;
	tenant_release(&t);
}

static void test_stored_secrets_and_rotation(void **state)
{
	struct mlc_store *s = NULL;
	struct mlc_vault *v = NULL, *w = NULL;
	struct mlc_secret *out = NULL;
	struct mlc_secret_info *list = NULL;
	struct mlc_error err = {0};
	size_t n = 0, count = 0;
	int64_t tid, foreign;

	(void)state;
	open_db(&s, &tid);
	make_vault(&v, 1);
	make_vault(&w, 2);
	assert_int_equal(secret_set(s, v, tid, "procore.client_id", "id-12345", 8, &err), 0);
	assert_int_equal(secret_set(s, v, tid, "procore.client_secret", "sec-67890", 9, &err), 0);
	assert_int_equal(secret_get(s, v, tid, "procore.client_secret", &out, &err), 0);
	assert_string_equal(out->data, "sec-67890");
	secret_free(out);
	assert_int_equal(secret_get(s, v, tid, "netsuite.client_id", &out, &err), MLC_ENOTFOUND);
	/* key id recorded per row */
	assert_int_equal(secret_list(s, tid, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "procore.client_id");
	assert_string_equal(list[0].key_id, v->key_id);
	secret_info_free(list, n);
	/* the wrong master key is named as such */
	assert_int_equal(secret_get(s, w, tid, "procore.client_id", &out, &err), MLC_ECRYPTO);
	assert_null(out);
	assert_non_null(strstr(err.msg, v->key_id));
	/* saving under another key than the table's is refused */
	assert_int_equal(secret_set(s, w, tid, "netsuite.client_id", "x", 1, &err), MLC_ECRYPTO);
	assert_non_null(strstr(err.msg, "another master key"));
	/* a row moved to another name does not open (AD binds the name) */
	assert_int_equal(
	    store_exec(s,
		       "UPDATE secrets SET ciphertext = (SELECT ciphertext FROM secrets"
		       " WHERE name = 'procore.client_id'), nonce = (SELECT nonce FROM"
		       " secrets WHERE name = 'procore.client_id') WHERE name ="
		       " 'procore.client_secret'",
		       &err),
	    0);
	assert_int_equal(secret_get(s, v, tid, "procore.client_secret", &out, &err), MLC_ECRYPTO);
	assert_non_null(strstr(err.msg, "damaged or was altered"));
	assert_int_equal(secret_set(s, v, tid, "procore.client_secret", "sec-67890", 9, &err), 0);
	/* rotation: every secret readable under the new key, none under the old */
	assert_int_equal(vault_reseal_all(s, v, w, &count, &err), 0);
	assert_int_equal(count, 2);
	assert_int_equal(vault_count_foreign(s, w->key_id, &foreign, &err), 0);
	assert_int_equal(foreign, 0);
	assert_int_equal(secret_get(s, w, tid, "procore.client_id", &out, &err), 0);
	assert_string_equal(out->data, "id-12345");
	secret_free(out);
	assert_int_equal(secret_get(s, w, tid, "procore.client_secret", &out, &err), 0);
	assert_string_equal(out->data, "sec-67890");
	secret_free(out);
	assert_int_equal(secret_get(s, v, tid, "procore.client_id", &out, &err), MLC_ECRYPTO);
	/* a rotation from the wrong key changes nothing */
	assert_int_equal(vault_reseal_all(s, v, w, &count, &err), MLC_ECRYPTO);
	assert_int_equal(secret_get(s, w, tid, "procore.client_id", &out, &err), 0);
	secret_free(out);
	assert_int_equal(secret_remove(s, tid, "procore.client_id", &err), 0);
	assert_int_equal(secret_remove(s, tid, "procore.client_id", &err), MLC_ENOTFOUND);
	vault_free(v);
	vault_free(w);
	store_free(s);
}

static void test_secret_check(void **state)
{
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(secret_check("procore.client_id", "abc", 3, &err), 0);
	assert_int_equal(secret_check("procore.client_id", "a b", 3, &err), MLC_EINVAL);
	assert_int_equal(secret_check("procore.client_id", "", 0, &err), MLC_EINVAL);
	assert_int_equal(secret_check("nope", "x", 1, &err), MLC_EINVAL);
	assert_non_null(strstr(err.msg, "netsuite.private_key"));
	assert_int_equal(secret_check("netsuite.private_key", "not pem", 7, &err), MLC_EINVAL);
	assert_int_equal(
	    secret_check("webhook.procore_authorization", "Bearer 0123456789abcdef", 23, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seal_round_trip),
	    cmocka_unit_test(test_seal_failures),
	    cmocka_unit_test(test_key_text),
	    cmocka_unit_test(test_key_env_forgotten),
	    cmocka_unit_test(test_key_file),
	    cmocka_unit_test(test_stored_secrets_and_rotation),
	    cmocka_unit_test(test_secret_check),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
