#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/pkey.h"
#include "core/vault.h"
#include "util/redact.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * Stored secrets (table `secrets`) and the names the program knows.
 * Plaintext only ever exists in struct mlc_secret; what reaches the store
 * is the nonce, the ciphertext and the key id.
 */

static const char *const names[] = {
    "netsuite.client_id",
    "netsuite.certificate_id",
    "netsuite.private_key",
    "procore.client_id",
    "procore.client_secret",
    "webhook.netsuite_secret",
    "webhook.procore_authorization",
    NULL,
};

const char *const *secret_names(void)
{
	return names;
}

bool secret_name_known(const char *name)
{
	for (size_t i = 0; names[i]; i++)
		if (name && strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* A credential that travels in a form field or header: printable ASCII
 * without spaces (allow_space: a header value such as "Bearer x"). */
static int check_token_text(const char *name, const char *v, size_t len, bool allow_space,
			    size_t min_len, struct mlc_error *err)
{
	if (len < min_len)
		return error_set(err, MLC_EINVAL, "%s must be at least %zu characters long", name,
				 min_len);
	if (len > 4096)
		return error_set(err, MLC_EINVAL, "%s is longer than 4096 bytes", name);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c < 0x21 || c > 0x7e) {
			if (c == ' ' && allow_space && i > 0 && i + 1 < len)
				continue;
			return error_set(err, MLC_EINVAL,
					 "%s may hold only printable ASCII characters%s (byte %zu "
					 "is not one)",
					 name, allow_space ? "" : " without spaces", i + 1);
		}
	}
	return MLC_OK;
}

int secret_check(const char *name, const char *value, size_t len, struct mlc_error *err)
{
	struct mlc_pkey k;
	int rc;

	if (!secret_name_known(name)) {
		struct mlc_buf list = MLC_BUF_INIT;
		for (size_t i = 0; names[i]; i++)
			buf_addf(&list, "%s%s", i ? ", " : "", names[i]);
		rc = error_set(err, MLC_EINVAL, "unknown secret name '%s'; known names: %s",
			       name ? name : "", list.data);
		buf_release(&list);
		return rc;
	}
	if (strlen(value) != len)
		return error_set(err, MLC_EINVAL, "%s contains a NUL byte", name);
	if (strcmp(name, "netsuite.private_key") == 0) {
		rc = pkey_load_pem(value, len, &k, err);
		pkey_release(&k);
		if (rc < 0)
			return error_prefix(err, "%s: ", name);
		return MLC_OK;
	}
	if (strcmp(name, "webhook.procore_authorization") == 0)
		return check_token_text(name, value, len, true, 16, err);
	if (strcmp(name, "webhook.netsuite_secret") == 0)
		return check_token_text(name, value, len, false, 16, err);
	return check_token_text(name, value, len, false, 1, err);
}

/* The associated data of a stored secret: binds it to its row. */
static void secret_ad(struct mlc_buf *ad, int64_t tenant_id, const char *name)
{
	buf_addf(ad, "mlc.secret.v1");
	buf_addch(ad, '\0');
	buf_addf(ad, "%lld", (long long)tenant_id);
	buf_addch(ad, '\0');
	buf_addstr(ad, name);
}

/* Seals value and writes the row, stamped updated_at. */
static int write_row(struct mlc_store *s, const struct mlc_vault *v, int64_t tenant_id,
		     const char *name, const void *value, size_t len, int64_t updated_at,
		     struct mlc_error *err)
{
	struct mlc_buf ad = MLC_BUF_INIT, box = MLC_BUF_INIT;
	struct mlc_stmt *st = NULL;
	int rc;

	secret_ad(&ad, tenant_id, name);
	rc = vault_seal(v, ad.data, ad.len, value, len, &box, err);
	if (rc < 0)
		goto out;
	rc = store_prepare(
	    s,
	    "INSERT INTO secrets (tenant_id, name, key_id, nonce, ciphertext, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?)"
	    " ON CONFLICT (tenant_id, name) DO UPDATE SET key_id = excluded.key_id,"
	    " nonce = excluded.nonce, ciphertext = excluded.ciphertext,"
	    " updated_at = excluded.updated_at",
	    &st, err);
	if (rc < 0)
		goto out;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, name);
	stmt_bind_text(st, 3, v->key_id);
	stmt_bind_blob(st, 4, box.data, VAULT_NONCE_BYTES);
	stmt_bind_blob(st, 5, box.data + VAULT_NONCE_BYTES, box.len - VAULT_NONCE_BYTES);
	stmt_bind_i64(st, 6, updated_at);
	rc = stmt_step(st, err);
	if (rc > 0)
		rc = MLC_OK;
out:
	stmt_free(st);
	buf_release(&ad);
	buf_release(&box);
	return rc;
}

int secret_set(struct mlc_store *s, const struct mlc_vault *v, int64_t tenant_id, const char *name,
	       const void *value, size_t len, struct mlc_error *err)
{
	int64_t foreign = 0;
	int rc;

	/* a wrong master key must not start a second, silent key in the table */
	rc = vault_count_foreign(s, v->key_id, &foreign, err);
	if (rc < 0)
		return rc;
	if (foreign > 0)
		return error_set(
		    err, MLC_ECRYPTO,
		    "the stored secrets are sealed under another master key than the "
		    "one in use (%s): point master_key_file (or %s) at the database's "
		    "key before saving secrets (after an interrupted 'keys rotate', run "
		    "it again to finish)",
		    v->key_id, VAULT_ENV_KEY);
	return write_row(s, v, tenant_id, name, value, len, time_now_ms(), err);
}

/* Opens one row's ciphertext; the error says whether the key or the row
 * is at fault. */
static int open_row(const struct mlc_vault *v, int64_t tenant_id, const char *name,
		    const char *key_id, const void *nonce, size_t nonce_len, const void *ct,
		    size_t ct_len, struct mlc_secret **out, struct mlc_error *err)
{
	struct mlc_buf ad = MLC_BUF_INIT, box = MLC_BUF_INIT;
	int rc;

	*out = NULL;
	if (!key_id || strcmp(key_id, v->key_id) != 0) {
		rc =
		    error_set(err, MLC_ECRYPTO,
			      "secret '%s' was saved under master key %s, but the "
			      "master key in use is %s: point master_key_file (or %s) at the key "
			      "it was saved with (after an interrupted 'keys rotate', run it again "
			      "to finish)",
			      name, key_id ? key_id : "?", v->key_id, VAULT_ENV_KEY);
		goto out;
	}
	if (nonce_len != VAULT_NONCE_BYTES) {
		rc = error_set(err, MLC_ECRYPTO, "secret '%s' is damaged (bad nonce)", name);
		goto out;
	}
	secret_ad(&ad, tenant_id, name);
	buf_add(&box, nonce, nonce_len);
	buf_add(&box, ct, ct_len);
	rc = vault_unseal(v, ad.data, ad.len, box.data, box.len, out, err);
	if (rc < 0)
		rc = error_set(err, MLC_ECRYPTO,
			       "secret '%s' does not open under master key %s, "
			       "which sealed it: the stored row is damaged or was altered; set it "
			       "again with 'ml-connector secret set'",
			       name, v->key_id);
out:
	buf_release(&ad);
	buf_release(&box);
	return rc;
}

int secret_get(struct mlc_store *s, const struct mlc_vault *v, int64_t tenant_id, const char *name,
	       struct mlc_secret **out, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	const void *nonce, *ct;
	size_t nn = 0, cn = 0;
	int rc;

	*out = NULL;
	rc = store_prepare(s,
			   "SELECT key_id, nonce, ciphertext FROM secrets WHERE tenant_id = ? AND "
			   "name = ?",
			   &st, err);
	if (rc < 0)
		goto out;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, name);
	rc = stmt_step(st, err);
	if (rc < 0)
		goto out;
	if (rc == 0) {
		rc =
		    error_set(err, MLC_ENOTFOUND,
			      "secret '%s' is not set: add it with 'ml-connector secret set TENANT "
			      "%s'",
			      name, name);
		goto out;
	}
	nonce = stmt_col_blob(st, 1, &nn);
	ct = stmt_col_blob(st, 2, &cn);
	rc = open_row(v, tenant_id, name, stmt_col_text(st, 0), nonce, nn, ct, cn, out, err);
	/* an opened secret is never logged, for the life of the process
	 * (webhook secrets in serve included: issue 21, item 10) */
	if (rc == MLC_OK)
		redact_register_lasting((*out)->data);
out:
	stmt_free(st);
	return rc;
}

int secret_remove(struct mlc_store *s, int64_t tenant_id, const char *name, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	rc = store_prepare(s, "DELETE FROM secrets WHERE tenant_id = ? AND name = ?", &st, err);
	if (rc < 0)
		goto out;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, name);
	rc = stmt_step(st, err);
	if (rc < 0)
		goto out;
	rc = store_changes(s) > 0 ? MLC_OK
				  : error_set(err, MLC_ENOTFOUND, "secret '%s' is not set", name);
out:
	stmt_free(st);
	return rc;
}

int secret_list(struct mlc_store *s, int64_t tenant_id, struct mlc_secret_info **out, size_t *n,
		struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	struct mlc_secret_info *list = NULL;
	size_t count = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_prepare(s,
			   "SELECT name, key_id, updated_at FROM secrets WHERE tenant_id = ? "
			   "ORDER BY name",
			   &st, err);
	if (rc < 0)
		goto out;
	stmt_bind_i64(st, 1, tenant_id);
	while ((rc = stmt_step(st, err)) == 1) {
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			list = xrealloc(list, cap * sizeof(*list));
		}
		memset(&list[count], 0, sizeof(list[count]));
		list[count].name = stmt_col_dup(st, 0);
		str_copy(list[count].key_id, sizeof(list[count].key_id), stmt_col_text(st, 1));
		list[count].updated_at = stmt_col_i64(st, 2);
		count++;
	}
	if (rc < 0)
		goto out;
	*out = list;
	*n = count;
	list = NULL;
	rc = MLC_OK;
out:
	secret_info_free(list, count);
	stmt_free(st);
	return rc;
}

void secret_info_free(struct mlc_secret_info *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free(list[i].name);
	free(list);
}

/* One row read for re-sealing; the plaintext is opened only when written. */
struct reseal_row {
	int64_t tenant_id;
	char *name;
	char *key_id;
	int64_t updated_at;
	struct mlc_buf nonce, ct;
};

static void reseal_rows_free(struct reseal_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].name);
		free(rows[i].key_id);
		buf_release(&rows[i].nonce);
		buf_release(&rows[i].ct);
	}
	free(rows);
}

int vault_reseal_all(struct mlc_store *s, const struct mlc_vault *old_v,
		     const struct mlc_vault *new_v, size_t *count, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	struct reseal_row *rows = NULL;
	size_t n = 0, cap = 0;
	bool in_tx = false;
	int rc;

	*count = 0;
	rc = store_begin(s, err);
	if (rc < 0)
		goto out;
	in_tx = true;
	rc = store_prepare(
	    s, "SELECT tenant_id, name, key_id, nonce, ciphertext, updated_at FROM secrets", &st,
	    err);
	if (rc < 0)
		goto out;
	while ((rc = stmt_step(st, err)) == 1) {
		const void *p;
		size_t len = 0;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		memset(&rows[n], 0, sizeof(rows[n]));
		buf_init(&rows[n].nonce);
		buf_init(&rows[n].ct);
		rows[n].tenant_id = stmt_col_i64(st, 0);
		rows[n].name = stmt_col_dup(st, 1);
		rows[n].key_id = stmt_col_dup(st, 2);
		p = stmt_col_blob(st, 3, &len);
		buf_add(&rows[n].nonce, p, len);
		p = stmt_col_blob(st, 4, &len);
		buf_add(&rows[n].ct, p, len);
		rows[n].updated_at = stmt_col_i64(st, 5);
		n++;
	}
	stmt_free(st);
	st = NULL;
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct mlc_secret *plain = NULL;
		rc = open_row(old_v, rows[i].tenant_id, rows[i].name, rows[i].key_id,
			      rows[i].nonce.data, rows[i].nonce.len, rows[i].ct.data,
			      rows[i].ct.len, &plain, err);
		if (rc == MLC_OK)
			redact_register_lasting(plain->data);
		if (rc == MLC_OK)
			/* the value did not change: keep its update time */
			rc = write_row(s, new_v, rows[i].tenant_id, rows[i].name, plain->data,
				       plain->len, rows[i].updated_at, err);
		secret_free(plain);
		if (rc < 0) {
			error_prefix(err, "tenant id %lld: ", (long long)rows[i].tenant_id);
			goto out;
		}
	}
	rc = store_commit(s, err);
	if (rc < 0)
		goto out;
	in_tx = false;
	*count = n;
out:
	if (in_tx)
		store_rollback(s);
	stmt_free(st);
	reseal_rows_free(rows, n);
	return rc;
}

int vault_count_foreign(struct mlc_store *s, const char *key_id, int64_t *count,
			struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	*count = 0;
	rc = store_prepare(s, "SELECT COUNT(*) FROM secrets WHERE key_id <> ?", &st, err);
	if (rc < 0)
		goto out;
	stmt_bind_text(st, 1, key_id);
	rc = stmt_step(st, err);
	if (rc == 1) {
		*count = stmt_col_i64(st, 0);
		rc = MLC_OK;
	}
out:
	stmt_free(st);
	return rc;
}

/* FNV-1a, 64 bits, over n bytes. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int secret_version(struct mlc_store *s, int64_t tenant_id, uint64_t *out, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	uint64_t h = 0xcbf29ce484222325ULL;
	int rc;

	*out = 0;
	rc = store_prepare(s, "SELECT name, nonce FROM secrets WHERE tenant_id = ? ORDER BY name",
			   &st, err);
	if (rc < 0)
		goto out;
	stmt_bind_i64(st, 1, tenant_id);
	while ((rc = stmt_step(st, err)) == 1) {
		const char *name = stmt_col_text(st, 0);
		size_t n = 0;
		const void *nonce = stmt_col_blob(st, 1, &n);
		h = fnv1a(h, name ? name : "", name ? strlen(name) + 1 : 1);
		h = fnv1a(h, nonce, nonce ? n : 0);
	}
	if (rc < 0)
		goto out;
	*out = h;
	rc = MLC_OK;
out:
	stmt_free(st);
	return rc;
}
