#ifndef MLC_TOKEN_H
#define MLC_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vault.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * A cache for one OAuth access token (one tenant, one system), shared by
 * every thread of the process and, through struct mlc_token_shared, by
 * every process that uses the same Redis.
 *
 * Schedule: a token obtained at t with lifetime expires_in is refreshed at
 *   t + min(max_age, expires_in - margin)
 * (token_refresh_at()): NetSuite uses margin 5 min (55 min for its 60 min
 * tokens, margin configurable per tenant), Procore max_age 80 min and
 * margin 10 min.  The schedule comes from expires_in, never a constant.
 *
 * Single flight: when the token is due, one caller refreshes it while the
 * others wait on a condition variable (or, while the old token is still
 * valid for a while, keep using it).  A failed refresh hands the same error
 * to every caller that waited for it.
 *
 * 401: token_cache_invalidate(rejected) drops the token only if it is the
 * one the peer rejected, so fifty threads hit by the same 401 cause one
 * refresh.  Callers retry their call once with the new token.
 *
 * Time comes from an injectable clock (ms since the epoch) so tests can
 * move it.  The fetch function does the provider's work (sign a JWT and
 * post it, or post client credentials) and is called without any lock
 * held.
 *
 * Thread-safe.  A cache is created, used and freed; freeing with callers
 * still inside is a bug.
 */

typedef int64_t (*mlc_clock_fn)(void *arg);

/* What a token endpoint answered. */
struct mlc_token_grant {
	struct mlc_secret *access_token; /* owned by the grant */
	int64_t expires_in_s;
};

/* Gets a new token.  Fills out (the cache takes the token) or returns a
 * negative code with err filled. */
typedef int (*mlc_token_fetch_fn)(void *arg, struct mlc_token_grant *out, struct mlc_error *err);

struct mlc_token_policy {
	int64_t max_age_ms; /* refresh no later than this age; 0: no cap */
	int64_t margin_ms;  /* refresh this long before expiry */
};

struct mlc_token_shared;

struct mlc_token_cache_opts {
	const char *name; /* "netsuite:acme": logs and the Redis key */
	struct mlc_token_policy policy;
	mlc_token_fetch_fn fetch;
	void *fetch_arg;
	mlc_clock_fn clock; /* NULL: time_now_ms() */
	void *clock_arg;
	struct mlc_token_shared *shared; /* NULL: this process only; not owned */
};

struct mlc_token_stats {
	int64_t fetches; /* token endpoint calls made by this cache */
	int64_t fetch_errors;
	int64_t shared_hits;   /* tokens adopted from Redis */
	int64_t invalidations; /* 401s that dropped the current token */
};

struct mlc_token_cache;

/* Caller frees with token_cache_free(). */
struct mlc_token_cache *token_cache_new(const struct mlc_token_cache_opts *o);
void token_cache_free(struct mlc_token_cache *c);

/*
 * Appends a valid access token to out, refreshing first when it is due.
 * The caller wipes out with buf_release_wipe().  The token is registered
 * for log redaction.
 */
int token_cache_get(struct mlc_token_cache *c, struct mlc_buf *out,
		    struct mlc_error *err) MLC_MUST_CHECK;
/* The peer answered 401 to rejected: drop it (if still current) so the
 * next token_cache_get() fetches a new one. */
void token_cache_invalidate(struct mlc_token_cache *c, const char *rejected);
/* The same by fingerprint (for callers that keep no copy of the token). */
#define TOKEN_FP_BYTES 16
void token_cache_invalidate_fp(struct mlc_token_cache *c, const unsigned char *fp);
/* A token's fingerprint (BLAKE2b, TOKEN_FP_BYTES): safe to keep around. */
void token_fingerprint(const char *token, unsigned char *fp);
void token_cache_stats(struct mlc_token_cache *c, struct mlc_token_stats *out);
/* When the current token is due for refresh (0: none cached). */
int64_t token_cache_refresh_at(struct mlc_token_cache *c);

/* The refresh time of a token obtained at obtained_ms (see above).  A
 * lifetime shorter than the margin is refreshed at half its life. */
int64_t token_refresh_at(const struct mlc_token_policy *p, int64_t obtained_ms,
			 int64_t expires_in_s);

/*
 * The Redis side (token_redis.c).  One connection per process, guarded by
 * a mutex; tokens stored sealed by the vault (associated data: the key)
 * with a TTL of their remaining time to refresh; refresh guarded by
 * SET NX PX so that N processes ask the endpoint once.  Redis unreachable:
 * a warning, then the caches carry on in process, trying Redis again a
 * few seconds later.  Caller frees with token_shared_free() after every
 * cache using it.  The program must ignore SIGPIPE (cli_main does): hiredis
 * writes to a socket Redis may have closed.
 */
int token_shared_new(const char *url, const struct mlc_vault *v, struct mlc_token_shared **out,
		     struct mlc_error *err) MLC_MUST_CHECK;
void token_shared_free(struct mlc_token_shared *sh);
/* True when Redis answers PING now (readiness, issue 22); false for NULL. */
bool token_shared_ping(struct mlc_token_shared *sh);

#endif
