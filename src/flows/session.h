#ifndef MLC_SESSION_H
#define MLC_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth_pool.h"
#include "auth/oauth.h"
#include "auth/token.h"
#include "core/store.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "netsuite/netsuite.h"
#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Everything a flow needs to talk to one tenant's two systems: the
 * tenant, both token providers and both adapters' transports.  Opening a
 * session reads the tenant's credentials from the vault once; it makes no
 * network call (tokens are fetched on first use).  With a pool
 * (auth/auth_pool.h) the providers are the pool's, keyed by the tenant's
 * current credentials.
 *
 * Not owned: store, vault and the shared token cache.  A session may be
 * used by several threads at once for API calls (the adapters are
 * thread-safe), but the store handle is one connection: flows that run
 * on worker threads open their own store and pass it per call.
 */
struct mlc_session {
	struct mlc_store *store;
	const struct mlc_vault *vault;
	struct mlc_tenant tenant;
	struct mlc_oauth *ns_auth;
	struct mlc_oauth *pc_auth;
	bool owns_auth; /* false when the providers come from a pool */
	struct mlc_netsuite *ns;
	struct mlc_procore *pc;
	mlc_clock_fn clock; /* the clock of the token schedules (NULL: wall clock) */
	void *clock_arg;
};

struct mlc_session_opts {
	struct mlc_store *store;
	const struct mlc_vault *vault;
	struct mlc_token_shared *shared; /* NULL: in-process token cache */
	struct mlc_auth_pool *pool;      /* NULL: the session owns its providers */
	const char *tenant;
	bool need_netsuite, need_procore;
	/* Optional, 0 / NULL: the adapters' defaults and the process clock. */
	int timeout_ms;   /* per call */
	int max_attempts; /* per call */
	mlc_clock_fn clock;
	void *clock_arg;
};

int session_open(const struct mlc_session_opts *o, struct mlc_session **out,
		 struct mlc_error *err) MLC_MUST_CHECK;
void session_free(struct mlc_session *s);
/* A tenant setting as text / integer / bool with a default:
 * session_setting_str(s, "costs.mode", "per-document") reads
 * settings.costs.mode. */
const char *session_setting_str(const struct mlc_session *s, const char *path, const char *def);
int64_t session_setting_int(const struct mlc_session *s, const char *path, int64_t def);
bool session_setting_bool(const struct mlc_session *s, const char *path, bool def);

#endif
