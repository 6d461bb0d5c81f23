#ifndef MLC_AUTH_POOL_H
#define MLC_AUTH_POOL_H

#include "auth/oauth.h"
#include "auth/token.h"
#include "core/vault.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * A process-wide pool of token providers, one pair per tenant, so that
 * every session of a long-running process (serve's workers) shares one
 * token cache per tenant and system: the token endpoint is asked only
 * when a token is due, whatever the number of threads.  Thread-safe.
 *
 * A pair holds decrypted credentials, so it is keyed by what they came
 * from: the tenant's id and creation time (a tenant removed and added
 * again under the same name is another tenant), its update time (URLs)
 * and the version of its stored secrets (core/vault.h secret_version).
 * Every auth_pool_get() reads that version from the store, so a
 * `secret set`, `secret remove`, `tenant set` or `tenant remove` made by
 * any process takes effect on the next session, without a restart.  A
 * stale pair is dropped from the lookup at once and freed with the pool
 * (running sessions may still hold its providers).
 *
 * Not owned: the vault and the shared token cache.
 */
struct mlc_auth_pool;

struct mlc_auth_pool *auth_pool_new(const struct mlc_vault *vault, struct mlc_token_shared *shared);
/* Frees every provider the pool made; no session may use them after. */
void auth_pool_free(struct mlc_auth_pool *p);
/* Drops a tenant's providers from the lookup (by name), whatever their key. */
void auth_pool_forget(struct mlc_auth_pool *p, const char *tenant);
/*
 * The provider of ao->tenant for sys, made on first use with ao (whose
 * store is where the secret version is read).  *out stays owned by the
 * pool: never oauth_free() it.
 */
int auth_pool_get(struct mlc_auth_pool *p, enum mlc_oauth_system sys,
		  const struct mlc_oauth_opts *ao, struct mlc_oauth **out,
		  struct mlc_error *err) MLC_MUST_CHECK;
/* Providers made since the pool was created (tests and metrics). */
long auth_pool_made(struct mlc_auth_pool *p);

#endif
