#ifndef MLC_CONSOLE_USERS_H
#define MLC_CONSOLE_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Local users and sessions of the web console (issue 23).
 *
 * A user has a unique name, a role and an argon2id password hash
 * (libsodium crypto_pwhash_str, interactive limits); the password itself
 * is never stored or logged.  Roles are ordered: a viewer reads; an
 * operator also replays and resolves; an admin also edits mappings and
 * users (console_role_allows).
 *
 * A session is a random 256-bit token (the cookie) and a random CSRF
 * token; the store keeps the BLAKE2b hash of the cookie, never the cookie,
 * and the CSRF token (it is sent to the page anyway).  Removing a user
 * ends their sessions.
 */

enum console_role { CONSOLE_VIEWER = 1, CONSOLE_OPERATOR = 2, CONSOLE_ADMIN = 3 };

/* Hex of 32 random bytes and the terminator. */
#define CONSOLE_TOKEN_HEX 65

/* A session's user, as a request handler sees it. */
struct console_identity {
	int64_t user_id;
	char name[64];
	enum console_role role;
	char csrf[CONSOLE_TOKEN_HEX];
};

/* "viewer", "operator", "admin" -> the role; MLC_EINVAL otherwise. */
int console_role_parse(const char *text, enum console_role *role,
		       struct mlc_error *err) MLC_MUST_CHECK;
const char *console_role_name(enum console_role role);
/* True when role may do what needs at least `needed`. */
bool console_role_allows(enum console_role role, enum console_role needed);

/* Adds a user (MLC_EEXIST when the name is taken, MLC_EINVAL for an empty
 * or over-long name or a password under 8 characters). */
int console_user_add(struct mlc_store *st, const char *name, enum console_role role,
		     const char *password, struct mlc_error *err) MLC_MUST_CHECK;
/* Removes a user and their sessions (MLC_ENOTFOUND when there is none). */
int console_user_remove(struct mlc_store *st, const char *name,
			struct mlc_error *err) MLC_MUST_CHECK;
/* [{name, role, created_at}] by name.  Caller decrefs *out. */
int console_user_list(struct mlc_store *st, json_t **out, struct mlc_error *err) MLC_MUST_CHECK;
/*
 * Checks a name and password.  MLC_EAUTH, with the same message, for an
 * unknown user and a wrong password (an unknown name costs one hash
 * verification too, so timing does not tell them apart).  On success fills
 * id (csrf left empty).
 */
int console_user_verify(struct mlc_store *st, const char *name, const char *password,
			struct console_identity *id, struct mlc_error *err) MLC_MUST_CHECK;

/* Opens a session for user_id lasting ttl_ms: token (the cookie) and csrf
 * get fresh random hex. */
int console_session_open(struct mlc_store *st, int64_t user_id, int64_t ttl_ms,
			 char token[CONSOLE_TOKEN_HEX], char csrf[CONSOLE_TOKEN_HEX],
			 struct mlc_error *err) MLC_MUST_CHECK;
/* The live session of a cookie: MLC_EAUTH when unknown or expired. */
int console_session_get(struct mlc_store *st, const char *token, struct console_identity *id,
			struct mlc_error *err) MLC_MUST_CHECK;
/* Ends a session (no error when there is none). */
int console_session_close(struct mlc_store *st, const char *token,
			  struct mlc_error *err) MLC_MUST_CHECK;

#endif
