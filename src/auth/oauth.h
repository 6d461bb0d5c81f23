#ifndef MLC_OAUTH_H
#define MLC_OAUTH_H

#include <stdbool.h>

#include "auth/token.h"
#include "core/store.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The two token providers of a tenant, each over a struct mlc_token_cache:
 *
 * NetSuite M2M: signs a JWT client assertion (auth/jwt.h) with the
 *   tenant's netsuite.private_key (kid netsuite.certificate_id, iss
 *   netsuite.client_id) and posts it to
 *   <netsuite url>/services/rest/auth/oauth2/v1/token.  Refreshed before
 *   the token is 55 minutes old: margin settings.netsuite.token_margin_s
 *   (default 300).  Scope settings.netsuite.scope (array or "a,b" string,
 *   default ["rest_webservices"]).  settings.netsuite.jwt_alg overrides
 *   the algorithm (diagnosis only; NetSuite takes PS* and ES*).
 *
 * Procore DMSA: posts procore.client_id / procore.client_secret
 *   (client_credentials) to <procore auth url>/oauth/token.  Refreshed at
 *   min(80 min, expires_in - 10 min): settings.procore.token_max_age_s
 *   (default 4800) and settings.procore.token_margin_s (default 600).
 *
 * Secrets are read from the vault once, at oauth_new(), kept in sodium
 * memory and registered for log redaction.  Failures name the cause and
 * the fix ("NetSuite rejected the JWT: algorithm RS256 is not accepted;
 * ...").  Thread-safe after creation.
 */
enum mlc_oauth_system { MLC_OAUTH_NETSUITE, MLC_OAUTH_PROCORE };

struct mlc_oauth_opts {
	struct mlc_store *store;
	const struct mlc_vault *vault;
	const struct mlc_tenant *tenant;
	struct mlc_token_shared *shared; /* NULL: in process only; not owned */
	mlc_clock_fn clock;              /* NULL: wall clock */
	void *clock_arg;
	int timeout_ms; /* token request timeout; 0: 30 s */
};

struct mlc_oauth;

/* Loads the tenant's credentials for system.  Caller frees with oauth_free(). */
int oauth_new(enum mlc_oauth_system system, const struct mlc_oauth_opts *o, struct mlc_oauth **out,
	      struct mlc_error *err) MLC_MUST_CHECK;
void oauth_free(struct mlc_oauth *a);

/* Appends a valid access token to out (caller wipes it). */
int oauth_token(struct mlc_oauth *a, struct mlc_buf *out, struct mlc_error *err) MLC_MUST_CHECK;
/* The peer answered 401 to token: refresh before the next use. */
void oauth_rejected(struct mlc_oauth *a, const char *token);

/*
 * The HTTP client's auth hook (net/http_client.h mlc_http_auth_fn; arg is
 * the struct mlc_oauth): sets "Bearer <token>".  With force_refresh (the
 * upstream answered 401) it drops the token this thread last used, once,
 * so a burst of 401s for one token causes one refresh.
 */
int oauth_auth_hook(void *arg, struct mlc_buf *header_value, bool force_refresh);

struct mlc_token_cache *oauth_cache(struct mlc_oauth *a);
const char *oauth_token_url(const struct mlc_oauth *a);
/* NetSuite: the JWT algorithm in use ("PS256", ...); Procore: NULL. */
const char *oauth_jwt_alg(const struct mlc_oauth *a);

#endif
