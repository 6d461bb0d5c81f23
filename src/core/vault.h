#ifndef MLC_VAULT_H
#define MLC_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/store.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The vault: secrets encrypted at rest under the master key.
 *
 * Cipher: XChaCha20-Poly1305 (libsodium AEAD) with a random 24-byte nonce
 * per ciphertext.  The associated data binds a ciphertext to where it
 * belongs (for a stored secret: the tenant id and the secret name), so a
 * ciphertext copied to another row does not open.  Every ciphertext
 * records the key id of the master key that sealed it: the first 8 bytes
 * of BLAKE2b(key), as 16 hex digits.  That lets a wrong master key be
 * told apart from a damaged ciphertext, and lets `keys rotate` prove
 * every row was re-sealed.
 *
 * The master key comes from $MLC_MASTER_KEY (64 hex digits, or base64 of
 * 32 bytes) or else from cfg->master_key_file (exactly 32 raw bytes, not
 * readable by group or others).  It lives in sodium_malloc'd memory that
 * is read-only except while being set, and is wiped by vault_free().
 *
 * Plaintext is handed out as struct mlc_secret: sodium_malloc'd, NUL
 * terminated, wiped and freed by secret_free().
 *
 * A struct mlc_vault is immutable after creation and may be shared by
 * threads.
 */
#define VAULT_KEY_BYTES   32
#define VAULT_KEY_ID_LEN  16 /* hex digits, without the terminator */
#define VAULT_NONCE_BYTES 24
#define VAULT_TAG_BYTES   16
#define VAULT_ENV_KEY     "MLC_MASTER_KEY"

struct mlc_vault {
	unsigned char *key; /* VAULT_KEY_BYTES, sodium_malloc'd, read-only */
	char key_id[VAULT_KEY_ID_LEN + 1];
	bool from_env; /* the key came from $MLC_MASTER_KEY */
};

/* Plaintext of a secret.  data has len bytes plus a terminating NUL. */
struct mlc_secret {
	char *data;
	size_t len;
};

/* A secret's metadata, as `secret list` shows it (no value). */
struct mlc_secret_info {
	char *name;
	char key_id[VAULT_KEY_ID_LEN + 1];
	int64_t updated_at;
};

/*
 * Loads the master key: $MLC_MASTER_KEY when set, else the key file
 * (cfg->master_key_file).  A key read from $MLC_MASTER_KEY is then removed
 * from the environment and its text wiped, so call this once per process
 * and before starting threads that read the environment.  A missing, unreadable, wrongly sized or
 * loosely permitted key fails with a message that names the file and the
 * fix.  Caller frees with vault_free().
 */
int vault_open(const struct mlc_config *cfg, struct mlc_vault **out,
	       struct mlc_error *err) MLC_MUST_CHECK;
/* A vault over the given key bytes (copied). Caller frees with vault_free(). */
int vault_new(const unsigned char *key, size_t len, struct mlc_vault **out,
	      struct mlc_error *err) MLC_MUST_CHECK;
/* Wipes the key and frees v.  Accepts NULL. */
void vault_free(struct mlc_vault *v);

/* Reads a master key file (32 raw bytes, mode without group/other bits)
 * into key, which must hold VAULT_KEY_BYTES. */
int vault_read_key_file(const char *path, unsigned char *key, struct mlc_error *err) MLC_MUST_CHECK;
/* Parses a key in hex (64 digits) or base64 (standard or url-safe) text. */
int vault_parse_key_text(const char *text, unsigned char *key,
			 struct mlc_error *err) MLC_MUST_CHECK;
/* The key id of key (VAULT_KEY_BYTES) into out (VAULT_KEY_ID_LEN + 1). */
void vault_key_id(const unsigned char *key, char *out);

/*
 * Seals n bytes of plaintext with associated data ad (ad_len bytes).
 * Appends nonce || ciphertext+tag to out.
 */
int vault_seal(const struct mlc_vault *v, const void *ad, size_t ad_len, const void *plain,
	       size_t n, struct mlc_buf *out, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Opens what vault_seal() appended.  On success *out is a new secret
 * (caller frees with secret_free()).  A wrong key, wrong ad or tampered
 * box fails with MLC_ECRYPTO and never yields bytes.
 */
int vault_unseal(const struct mlc_vault *v, const void *ad, size_t ad_len, const void *box,
		 size_t box_len, struct mlc_secret **out, struct mlc_error *err) MLC_MUST_CHECK;

/* A new secret holding a copy of n bytes (NUL added).  Never NULL. */
struct mlc_secret *secret_new(const void *data, size_t n);
/* Wipes and frees s.  Accepts NULL. */
void secret_free(struct mlc_secret *s);

/*
 * Secret names the program knows, and their validation: each names what
 * it holds ("netsuite.private_key" must be a PEM RSA key of >= 3072 bits
 * or an EC key on P-256/384/521).  secret_check() fails with a message
 * listing the known names for an unknown one.
 */
bool secret_name_known(const char *name);
int secret_check(const char *name, const char *value, size_t len,
		 struct mlc_error *err) MLC_MUST_CHECK;
/* The known names, NULL-terminated. */
const char *const *secret_names(void);

/* Stored secrets of one tenant (table `secrets`).  secret_set() refuses
 * (MLC_ECRYPTO) while any stored secret is sealed under another master
 * key: one database, one key. */
int secret_set(struct mlc_store *s, const struct mlc_vault *v, int64_t tenant_id, const char *name,
	       const void *value, size_t len, struct mlc_error *err) MLC_MUST_CHECK;
/* MLC_ENOTFOUND when absent; MLC_ECRYPTO (with the reason: sealed under
 * another master key, or damaged) when it does not open. */
int secret_get(struct mlc_store *s, const struct mlc_vault *v, int64_t tenant_id, const char *name,
	       struct mlc_secret **out, struct mlc_error *err) MLC_MUST_CHECK;
int secret_remove(struct mlc_store *s, int64_t tenant_id, const char *name,
		  struct mlc_error *err) MLC_MUST_CHECK;
/* Caller frees with secret_info_free(). Ordered by name. */
int secret_list(struct mlc_store *s, int64_t tenant_id, struct mlc_secret_info **out, size_t *n,
		struct mlc_error *err) MLC_MUST_CHECK;
void secret_info_free(struct mlc_secret_info *list, size_t n);
/*
 * The version of a tenant's stored secrets: a fingerprint of every row's
 * name and nonce (each seal draws a fresh nonce), so any secret_set,
 * secret_remove or re-seal gives another value, whichever process made
 * it.  Holders of decrypted credentials (auth/auth_pool.h) compare it to
 * know theirs are stale.
 */
int secret_version(struct mlc_store *s, int64_t tenant_id, uint64_t *out,
		   struct mlc_error *err) MLC_MUST_CHECK;

/*
 * Re-seals every stored secret (all tenants) from old_v to new_v in one
 * transaction: either every row is under the new key or none is.  A row
 * that old_v cannot open aborts the whole rotation.  *count gets the
 * number of rows re-sealed.
 */
int vault_reseal_all(struct mlc_store *s, const struct mlc_vault *old_v,
		     const struct mlc_vault *new_v, size_t *count,
		     struct mlc_error *err) MLC_MUST_CHECK;
/* Number of stored secrets sealed under a key other than key_id. */
int vault_count_foreign(struct mlc_store *s, const char *key_id, int64_t *count,
			struct mlc_error *err) MLC_MUST_CHECK;

#endif
