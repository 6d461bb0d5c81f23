#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/console_users.h"
#include "util/digest.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

static const char *const role_names[] = {NULL, "viewer", "operator", "admin"};

int console_role_parse(const char *text, enum console_role *role, struct mlc_error *err)
{
	for (int r = CONSOLE_VIEWER; r <= CONSOLE_ADMIN; r++)
		if (text && !strcmp(text, role_names[r])) {
			*role = (enum console_role)r;
			return MLC_OK;
		}
	return error_set(err, MLC_EINVAL, "role '%s' is not one of viewer, operator, admin",
			 text ? text : "");
}

const char *console_role_name(enum console_role role)
{
	if (role < CONSOLE_VIEWER || role > CONSOLE_ADMIN)
		return "none";
	return role_names[role];
}

bool console_role_allows(enum console_role role, enum console_role needed)
{
	return role >= needed && role <= CONSOLE_ADMIN;
}

static void random_hex(char out[CONSOLE_TOKEN_HEX])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, CONSOLE_TOKEN_HEX, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

int console_user_add(struct mlc_store *st, const char *name, enum console_role role,
		     const char *password, struct mlc_error *err)
{
	char hash[crypto_pwhash_STRBYTES];
	struct mlc_stmt *s = NULL;
	int rc;

	if (sodium_init() < 0)
		return error_set(err, MLC_ECRYPTO, "libsodium did not initialise");
	if (!name || !*name || strlen(name) > 63 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-@") != strlen(name))
		return error_set(err, MLC_EINVAL,
				 "a user name is 1 to 63 letters, digits or . _ - @");
	if (!password || strlen(password) < 8)
		return error_set(err, MLC_EINVAL, "a password has at least 8 characters");
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return error_set(err, MLC_ENOMEM, "cannot hash the password (out of memory)");
	rc = store_prepare(st,
			   "INSERT INTO console_users (name, role, pw_hash, created_at) "
			   "VALUES (?, ?, ?, ?)",
			   &s, err);
	if (rc < 0)
		goto out;
	stmt_bind_text(s, 1, name);
	stmt_bind_text(s, 2, console_role_name(role));
	stmt_bind_text(s, 3, hash);
	stmt_bind_i64(s, 4, time_now_ms());
	rc = stmt_step(s, err);
	if (rc == MLC_EEXIST)
		rc = error_set(err, MLC_EEXIST, "user '%s' already exists", name);
	else if (rc > 0)
		rc = MLC_OK;
out:
	stmt_free(s);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int console_user_remove(struct mlc_store *st, const char *name, struct mlc_error *err)
{
	struct mlc_stmt *s = NULL;
	int rc = store_begin(st, err);

	if (rc < 0)
		return rc;
	rc = store_prepare(st,
			   "DELETE FROM console_sessions WHERE user_id IN "
			   "(SELECT id FROM console_users WHERE name = ?)",
			   &s, err);
	if (rc == MLC_OK) {
		stmt_bind_text(s, 1, name);
		rc = stmt_step(s, err);
		stmt_free(s);
		s = NULL;
	}
	if (rc >= 0)
		rc = store_prepare(st, "DELETE FROM console_users WHERE name = ?", &s, err);
	if (rc >= 0) {
		stmt_bind_text(s, 1, name);
		rc = stmt_step(s, err);
	}
	if (rc >= 0 && store_changes(st) == 0)
		rc = error_set(err, MLC_ENOTFOUND, "no user '%s'", name);
	stmt_free(s);
	if (rc < 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

int console_user_list(struct mlc_store *st, json_t **out, struct mlc_error *err)
{
	struct mlc_stmt *s = NULL;
	int rc;

	*out = json_array();
	rc = store_prepare(st, "SELECT name, role, created_at FROM console_users ORDER BY name", &s,
			   err);
	while (rc >= 0 && (rc = stmt_step(s, err)) == 1) {
		char at[MLC_TIME_FMT_MAX];
		time_format_rfc3339(stmt_col_i64(s, 2), at);
		json_array_append_new(*out,
				      json_pack("{s:s, s:s, s:s}", "name", stmt_col_text(s, 0),
						"role", stmt_col_text(s, 1), "created_at", at));
	}
	stmt_free(s);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return MLC_OK;
}

/* A hash of a password nobody knows, verified against when the name is
 * unknown so that an unknown name takes as long as a wrong password. */
static int dummy_verify(const char *password)
{
	static char dummy[crypto_pwhash_STRBYTES];
	static int ready;
	char pw[CONSOLE_TOKEN_HEX];

	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		random_hex(pw);
		if (crypto_pwhash_str(dummy, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
			return -1;
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	return crypto_pwhash_str_verify(dummy, password, strlen(password));
}

int console_user_verify(struct mlc_store *st, const char *name, const char *password,
			struct console_identity *id, struct mlc_error *err)
{
	struct mlc_stmt *s = NULL;
	int rc;
	bool ok = false;

	memset(id, 0, sizeof(*id));
	if (sodium_init() < 0)
		return error_set(err, MLC_ECRYPTO, "libsodium did not initialise");
	rc = store_prepare(st, "SELECT id, role, pw_hash FROM console_users WHERE name = ?", &s,
			   err);
	if (rc < 0)
		return rc;
	stmt_bind_text(s, 1, name ? name : "");
	rc = stmt_step(s, err);
	if (rc == 1 && password) {
		const char *hash = stmt_col_text(s, 2);
		ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
		if (ok && console_role_parse(stmt_col_text(s, 1), &id->role, err) < 0)
			ok = false;
		id->user_id = stmt_col_i64(s, 0);
		snprintf(id->name, sizeof(id->name), "%s", name);
	} else if (rc == 0 && password) {
		(void)dummy_verify(password);
	}
	stmt_free(s);
	if (rc < 0)
		return rc;
	if (!ok) {
		memset(id, 0, sizeof(*id));
		return error_set(err, MLC_EAUTH, "wrong user name or password");
	}
	return MLC_OK;
}

int console_session_open(struct mlc_store *st, int64_t user_id, int64_t ttl_ms,
			 char token[CONSOLE_TOKEN_HEX], char csrf[CONSOLE_TOKEN_HEX],
			 struct mlc_error *err)
{
	char hash[MLC_DIGEST_HEX];
	struct mlc_stmt *s = NULL;
	int64_t now = time_now_ms();
	int rc;

	if (sodium_init() < 0)
		return error_set(err, MLC_ECRYPTO, "libsodium did not initialise");
	random_hex(token);
	random_hex(csrf);
	digest_bytes(token, strlen(token), hash);
	rc = store_prepare(st,
			   "INSERT INTO console_sessions (token_hash, user_id, csrf, created_at, "
			   "expires_at) VALUES (?, ?, ?, ?, ?)",
			   &s, err);
	if (rc < 0)
		return rc;
	stmt_bind_text(s, 1, hash);
	stmt_bind_i64(s, 2, user_id);
	stmt_bind_text(s, 3, csrf);
	stmt_bind_i64(s, 4, now);
	stmt_bind_i64(s, 5, now + ttl_ms);
	rc = stmt_step(s, err);
	stmt_free(s);
	/* expired sessions go as new ones come */
	if (rc >= 0 && store_prepare(st, "DELETE FROM console_sessions WHERE expires_at < ?", &s,
				     err) == MLC_OK) {
		stmt_bind_i64(s, 1, now);
		rc = stmt_step(s, err);
		stmt_free(s);
	}
	return rc < 0 ? rc : MLC_OK;
}

int console_session_get(struct mlc_store *st, const char *token, struct console_identity *id,
			struct mlc_error *err)
{
	char hash[MLC_DIGEST_HEX];
	struct mlc_stmt *s = NULL;
	int rc;

	memset(id, 0, sizeof(*id));
	if (!token || strlen(token) != CONSOLE_TOKEN_HEX - 1)
		return error_set(err, MLC_EAUTH, "not logged in");
	digest_bytes(token, strlen(token), hash);
	rc = store_prepare(st,
			   "SELECT u.id, u.name, u.role, s.csrf FROM console_sessions s "
			   "JOIN console_users u ON u.id = s.user_id "
			   "WHERE s.token_hash = ? AND s.expires_at > ?",
			   &s, err);
	if (rc < 0)
		return rc;
	stmt_bind_text(s, 1, hash);
	stmt_bind_i64(s, 2, time_now_ms());
	rc = stmt_step(s, err);
	if (rc == 1) {
		id->user_id = stmt_col_i64(s, 0);
		snprintf(id->name, sizeof(id->name), "%s", stmt_col_text(s, 1));
		snprintf(id->csrf, sizeof(id->csrf), "%s", stmt_col_text(s, 3));
		rc = console_role_parse(stmt_col_text(s, 2), &id->role, err);
	} else if (rc == 0) {
		rc = error_set(err, MLC_EAUTH, "not logged in");
	}
	stmt_free(s);
	if (rc < 0)
		memset(id, 0, sizeof(*id));
	return rc < 0 ? rc : MLC_OK;
}

int console_session_close(struct mlc_store *st, const char *token, struct mlc_error *err)
{
	char hash[MLC_DIGEST_HEX];
	struct mlc_stmt *s = NULL;
	int rc;

	if (!token)
		return MLC_OK;
	digest_bytes(token, strlen(token), hash);
	rc = store_prepare(st, "DELETE FROM console_sessions WHERE token_hash = ?", &s, err);
	if (rc < 0)
		return rc;
	stmt_bind_text(s, 1, hash);
	rc = stmt_step(s, err);
	stmt_free(s);
	return rc < 0 ? rc : MLC_OK;
}
