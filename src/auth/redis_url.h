#ifndef MLC_REDIS_URL_H
#define MLC_REDIS_URL_H

#include <hiredis/hiredis.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * A Redis endpoint from the `redis` setting:
 * redis://[[user]:password@]host[:port][/db].  Shared by the token cache
 * (token_redis.c) and the API budgets (api_budget.c), each with its own
 * connection.  The struct owns its strings; release with
 * redis_url_release() (the password is wiped).
 */
struct redis_url {
	char *host;
	int port; /* 6379 unless given */
	int db;
	char *user;     /* ACL user (Redis 6+), NULL: the default user */
	char *password; /* NULL: none */
};

int redis_url_parse(struct redis_url *u, const char *url, struct mlc_error *err) MLC_MUST_CHECK;
void redis_url_release(struct redis_url *u);
/*
 * Connects with the timeouts given (ms), then AUTH and SELECT as the URL
 * says.  NULL on failure with *why set to a static or context text that
 * stays valid until the next call (never the password).
 */
redisContext *redis_url_connect(const struct redis_url *u, int connect_ms, int command_ms,
				const char **why);

#endif
