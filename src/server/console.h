#ifndef MLC_CONSOLE_H
#define MLC_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/console_users.h"
#include "core/store.h"
#include "net/http_server.h"
#include "util/compat.h"
#include "util/error.h"

struct mlc_serve;

/*
 * The web console (issue 23): /console (static files built into the
 * binary, server/console_assets.h) and the JSON API under /api/v1, on
 * serve's listener or on console.listen, only when console.enabled.
 *
 * Access: POST /api/v1/login {user, password} checks a local user
 * (core/console_users.h) and sets the session cookie `mlc_session`
 * (HttpOnly, SameSite=Strict, Path=/, Secure with console.secure_cookie)
 * and answers the CSRF token, which every POST, PUT and DELETE must send
 * back in the X-CSRF-Token header.  Login attempts are limited per client
 * address (CONSOLE_LOGIN_PER_CLIENT a window) and per user name
 * (CONSOLE_LOGIN_FAILS_PER_USER failures a window): more get 429 with
 * Retry-After.  Every write is recorded in the tenant's audit trail with
 * the user (flow "console", source_ref "user:NAME").
 */

#define CONSOLE_SESSION_MS           (8LL * 3600 * 1000)
#define CONSOLE_LOGIN_WINDOW_MS      (5LL * 60 * 1000)
#define CONSOLE_LOGIN_PER_CLIENT     20
#define CONSOLE_LOGIN_FAILS_PER_USER 5
#define CONSOLE_LIMIT_SLOTS          256

struct console_limit_slot {
	char key[96]; /* "ip:ADDR" or "user:NAME"; "" unused */
	int64_t window_start;
	int count;
};

struct mlc_console {
	struct mlc_serve *sv;
	bool secure_cookie;
	pthread_mutex_t lock; /* the limiter's slots */
	struct console_limit_slot slots[CONSOLE_LIMIT_SLOTS];
};

/* Registers /console and /api/v1 on http.  Caller frees with
 * console_free() after the server stopped. */
int console_register(struct mlc_serve *sv, struct mlc_http_server *http, struct mlc_console **out,
		     struct mlc_error *err) MLC_MUST_CHECK;
void console_free(struct mlc_console *c);

/*
 * A request's user, checked: a live session (else 401), a role at least
 * needed (else 403) and, for a write (any method but GET and HEAD), the
 * CSRF header (else 403).  Answers the refusal itself and returns false.
 * *st gets the thread's store.
 */
bool console_authorize(struct mlc_console *c, struct mlc_http_request *req,
		       struct mlc_http_response *resp, enum console_role needed,
		       struct console_identity *id, struct mlc_store **st);

/* Records a console action in the tenant's audit trail with the user. */
void console_audit(struct mlc_store *st, int64_t tenant_id, const struct console_identity *id,
		   const struct mlc_http_request *req, const char *action, const char *target,
		   const char *result, const char *error);

/* The tenant named by the {tenant} path parameter; answers 404 itself
 * and returns false when there is none. */
bool console_tenant(struct mlc_store *st, struct mlc_http_request *req,
		    struct mlc_http_response *resp, int64_t *tenant_id, char **name);

/* Opens a flow session for a tenant with serve's vault and token pool.
 * Caller frees with session_free(). */
struct mlc_session;
int console_flow_session(struct mlc_console *c, struct mlc_store *st, const char *tenant,
			 bool need_netsuite, bool need_procore, struct mlc_session **out,
			 struct mlc_error *err) MLC_MUST_CHECK;

/* API route groups (api_*.c); each registers its routes with arg c. */
int api_read_register(struct mlc_console *c, struct mlc_http_server *http,
		      struct mlc_error *err) MLC_MUST_CHECK;
int api_mappings_register(struct mlc_console *c, struct mlc_http_server *http,
			  struct mlc_error *err) MLC_MUST_CHECK;
int api_actions_register(struct mlc_console *c, struct mlc_http_server *http,
			 struct mlc_error *err) MLC_MUST_CHECK;
int api_review_register(struct mlc_console *c, struct mlc_http_server *http,
			struct mlc_error *err) MLC_MUST_CHECK;

#endif
