#ifndef MLC_TOKEN_INTERNAL_H
#define MLC_TOKEN_INTERNAL_H

#include "auth/token.h"

/*
 * Between token.c (the in-process cache) and token_redis.c (the shared
 * cache).  Not for other callers.
 *
 * A cached token: the token text in sodium memory and its schedule, all
 * in the cache's clock (ms since the epoch).
 */
struct token_entry {
	struct mlc_secret *token;
	int64_t obtained_ms;
	int64_t expires_ms;
	int64_t refresh_ms;
};

void token_entry_release(struct token_entry *e);

/*
 * Each returns 1 for "yes" (found, acquired), 0 for "no", or a negative
 * code when Redis is unavailable (already logged; the caller falls back
 * to the in-process path).  now_ms is the cache clock.
 */
/* Loads the shared token for name if it is still before its refresh time. */
int token_shared_load(struct mlc_token_shared *sh, const char *name, int64_t now_ms,
		      struct token_entry *out);
/* Stores e for name, expiring (in Redis) ttl_ms from now. */
int token_shared_store(struct mlc_token_shared *sh, const char *name, const struct token_entry *e,
		       int64_t ttl_ms);
/* Takes the refresh lock of name for ttl_ms; lock_value (33 bytes) gets
 * the owner's random value for token_shared_unlock(). */
int token_shared_lock(struct mlc_token_shared *sh, const char *name, int64_t ttl_ms,
		      char *lock_value);
void token_shared_unlock(struct mlc_token_shared *sh, const char *name, const char *lock_value);
/* Deletes the shared token for name if it has fingerprint fp (a 401). */
void token_shared_forget(struct mlc_token_shared *sh, const char *name, const unsigned char *fp);
/* True if Redis is currently believed reachable (not in its back-off). */
bool token_shared_up(struct mlc_token_shared *sh);

#endif
