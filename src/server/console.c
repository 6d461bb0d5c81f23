/*
 * The web console's frame: static files, login, logout, the session and
 * CSRF checks every API handler starts with, and the login rate limiter
 * (server/console.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/audit.h"
#include "core/tenant.h"
#include "flows/session.h"
#include "server/console.h"
#include "server/console_assets.h"
#include "server/serve.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

#define COOKIE_NAME "mlc_session"

/* Static files: /console is index.html; anything else by its name. */
static void serve_asset(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	const char *name = http_request_param(req, "*");
	(void)arg;

	if (!name || !*name)
		name = "index.html";
	for (const struct console_asset *a = console_assets; a->name; a++) {
		if (strcmp(a->name, name))
			continue;
		resp->status = 200;
		free(resp->content_type);
		resp->content_type = xstrdup(a->type);
		buf_add(&resp->body, a->data, a->len);
		/* everything the page runs is its own: no inline script, no
		 * other origin, no framing */
		http_response_header(resp, "Content-Security-Policy",
				     "default-src 'self'; img-src 'self' data:; "
				     "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
		http_response_header(resp, "X-Content-Type-Options", "nosniff");
		http_response_header(resp, "Referrer-Policy", "no-referrer");
		http_response_header(resp, "Cache-Control", "no-cache");
		return;
	}
	http_response_error(resp, 404, "not_found", "no such console file");
}

/* /console without the slash: to the page. */
static void redirect_console(struct mlc_http_request *req, struct mlc_http_response *resp,
			     void *arg)
{
	(void)req;
	(void)arg;
	resp->status = 302;
	http_response_header(resp, "Location", "/console/");
}

/* The value of cookie name in the Cookie header, copied into out. */
static bool cookie_value(const struct mlc_http_request *req, const char *name, char *out,
			 size_t cap)
{
	const char *h = http_request_header(req, "Cookie");
	size_t nlen = strlen(name);

	while (h && *h) {
		while (*h == ' ' || *h == ';')
			h++;
		if (!strncmp(h, name, nlen) && h[nlen] == '=') {
			const char *v = h + nlen + 1;
			size_t len = strcspn(v, ";");
			if (len >= cap)
				return false;
			memcpy(out, v, len);
			out[len] = '\0';
			return true;
		}
		h = strchr(h, ';');
	}
	return false;
}

bool console_authorize(struct mlc_console *c, struct mlc_http_request *req,
		       struct mlc_http_response *resp, enum console_role needed,
		       struct console_identity *id, struct mlc_store **st)
{
	struct mlc_error err = {0};
	char token[CONSOLE_TOKEN_HEX + 1];
	const char *csrf;
	bool write = strcmp(req->method, "GET") && strcmp(req->method, "HEAD");

	*st = serve_store(c->sv, &err);
	if (!*st) {
		http_response_error(resp, 503, "unavailable", "the store is unavailable");
		return false;
	}
	if (!cookie_value(req, COOKIE_NAME, token, sizeof(token)) ||
	    console_session_get(*st, token, id, &err) < 0) {
		http_response_error(resp, 401, "unauthorized", "log in first");
		return false;
	}
	if (write) {
		csrf = http_request_header(req, "X-CSRF-Token");
		if (!csrf || strlen(csrf) != strlen(id->csrf) ||
		    sodium_memcmp(csrf, id->csrf, strlen(id->csrf)) != 0) {
			log_warn("console: write refused without a valid CSRF token", "user",
				 id->name, "path", req->path);
			http_response_error(resp, 403, "csrf", "missing or wrong X-CSRF-Token");
			return false;
		}
	}
	if (!console_role_allows(id->role, needed)) {
		http_response_error(resp, 403, "forbidden", "%s needs the %s role; %s is %s",
				    req->path, console_role_name(needed), id->name,
				    console_role_name(id->role));
		return false;
	}
	return true;
}

bool console_tenant(struct mlc_store *st, struct mlc_http_request *req,
		    struct mlc_http_response *resp, int64_t *tenant_id, char **name)
{
	struct mlc_tenant t;
	struct mlc_error err = {0};
	const char *want = http_request_param(req, "tenant");

	if (!want || tenant_get(st, want, &t, &err) < 0) {
		http_response_error(resp, 404, "not_found", "no tenant '%s'", want ? want : "");
		return false;
	}
	*tenant_id = t.id;
	if (name)
		*name = xstrdup(t.name);
	tenant_release(&t);
	return true;
}

void console_audit(struct mlc_store *st, int64_t tenant_id, const struct console_identity *id,
		   const struct mlc_http_request *req, const char *action, const char *target,
		   const char *result, const char *error)
{
	char who[96], what[256];
	struct mlc_error err = {0};
	struct mlc_audit_rec r = {0};

	snprintf(who, sizeof(who), "user:%s", id->name);
	snprintf(what, sizeof(what), "%s %s (console, %s)", req->method, req->path,
		 console_role_name(id->role));
	r.tenant_id = tenant_id;
	r.flow = "console";
	r.entity = "console";
	r.action = action;
	r.source_ref = who;
	r.target_ref = target;
	r.request_summary = what;
	r.result = result;
	r.error = error;
	r.attempt = 1;
	if (audit_write(st, &r, &err) < 0)
		log_error("console: cannot write the audit row", "user", id->name, "action", action,
			  "error", err.msg);
}

/* Counts one attempt under key; false when the window's limit is spent
 * (*retry_s: seconds until the window ends).  count_it false only asks. */
static bool limit_take(struct mlc_console *c, const char *key, int limit, bool count_it,
		       int64_t *retry_s)
{
	int64_t now = time_now_ms();
	struct console_limit_slot *slot = NULL, *oldest = &c->slots[0];
	bool ok;

	pthread_mutex_lock(&c->lock);
	for (int i = 0; i < CONSOLE_LIMIT_SLOTS; i++) {
		struct console_limit_slot *s = &c->slots[i];
		if (s->key[0] && now - s->window_start >= CONSOLE_LOGIN_WINDOW_MS)
			s->key[0] = '\0';
		if (s->key[0] && !strcmp(s->key, key))
			slot = s;
		if (s->window_start < oldest->window_start || !s->key[0])
			if (oldest->key[0])
				oldest = s;
	}
	if (!slot) {
		/* full: the oldest window gives way */
		slot = oldest;
		snprintf(slot->key, sizeof(slot->key), "%s", key);
		slot->window_start = now;
		slot->count = 0;
	}
	ok = slot->count < limit;
	if (ok && count_it)
		slot->count++;
	*retry_s = (slot->window_start + CONSOLE_LOGIN_WINDOW_MS - now + 999) / 1000;
	pthread_mutex_unlock(&c->lock);
	return ok;
}

static void too_many(struct mlc_http_response *resp, int64_t retry_s, const char *why)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", (long long)retry_s);
	http_response_header(resp, "Retry-After", v);
	http_response_error(resp, 429, "rate_limited", "%s; try again in %lld s", why,
			    (long long)retry_s);
}

static void set_cookie(struct mlc_console *c, struct mlc_http_response *resp, const char *token,
		       int64_t max_age_s)
{
	char v[256];

	snprintf(v, sizeof(v), COOKIE_NAME "=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
		 token, (long long)max_age_s, c->secure_cookie ? "; Secure" : "");
	http_response_header(resp, "Set-Cookie", v);
}

static void api_login(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_console *c = arg;
	struct mlc_error err = {0};
	struct mlc_store *st = serve_store(c->sv, &err);
	json_t *body = http_request_json(req, &err);
	const char *user = jsonx_str(body, "user"), *pw = jsonx_str(body, "password");
	struct console_identity id;
	char ip_key[96], user_key[96], token[CONSOLE_TOKEN_HEX], csrf[CONSOLE_TOKEN_HEX];
	int64_t retry_s = 0;

	if (!st) {
		http_response_error(resp, 503, "unavailable", "the store is unavailable");
		goto out;
	}
	if (!user || !pw) {
		http_response_error(resp, 400, "bad_request", "give {\"user\", \"password\"}");
		goto out;
	}
	snprintf(ip_key, sizeof(ip_key), "ip:%s", req->client_ip);
	snprintf(user_key, sizeof(user_key), "user:%.80s", user);
	if (!limit_take(c, ip_key, CONSOLE_LOGIN_PER_CLIENT, true, &retry_s)) {
		log_warn("console login refused: too many attempts from this client", "client",
			 req->client_ip);
		too_many(resp, retry_s, "too many login attempts from this address");
		goto out;
	}
	if (!limit_take(c, user_key, CONSOLE_LOGIN_FAILS_PER_USER, false, &retry_s)) {
		log_warn("console login refused: too many failures for this user", "user", user,
			 "client", req->client_ip);
		too_many(resp, retry_s, "too many failed logins for this user");
		goto out;
	}
	if (console_user_verify(st, user, pw, &id, &err) < 0) {
		(void)limit_take(c, user_key, CONSOLE_LOGIN_FAILS_PER_USER, true, &retry_s);
		log_warn("console login failed", "user", user, "client", req->client_ip);
		http_response_error(resp, 401, "unauthorized", "wrong user name or password");
		goto out;
	}
	if (console_session_open(st, id.user_id, CONSOLE_SESSION_MS, token, csrf, &err) < 0) {
		http_response_error(resp, 503, "unavailable", "cannot open a session");
		goto out;
	}
	set_cookie(c, resp, token, CONSOLE_SESSION_MS / 1000);
	log_info("console login", "user", id.name, "role", console_role_name(id.role), "client",
		 req->client_ip);
	http_response_json(resp, 200,
			   json_pack("{s:s, s:s, s:s}", "user", id.name, "role",
				     console_role_name(id.role), "csrf", csrf));
	sodium_memzero(token, sizeof(token));
out:
	json_decref(body);
}

static void api_logout(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct mlc_console *c = arg;
	struct console_identity id;
	struct mlc_store *st;
	struct mlc_error err = {0};
	char token[CONSOLE_TOKEN_HEX + 1];

	if (!console_authorize(c, req, resp, CONSOLE_VIEWER, &id, &st))
		return;
	if (cookie_value(req, COOKIE_NAME, token, sizeof(token)) &&
	    console_session_close(st, token, &err) < 0)
		log_warn("console logout: cannot end the session", "error", err.msg);
	set_cookie(c, resp, "", 0);
	log_info("console logout", "user", id.name);
	http_response_json(resp, 200, json_pack("{s:b}", "ok", 1));
}

/* Who is logged in, with the CSRF token (the page reloads and asks). */
static void whoami(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	struct console_identity id;
	struct mlc_store *st;

	if (!console_authorize(arg, req, resp, CONSOLE_VIEWER, &id, &st))
		return;
	http_response_json(resp, 200,
			   json_pack("{s:s, s:s, s:s}", "user", id.name, "role",
				     console_role_name(id.role), "csrf", id.csrf));
}

int console_flow_session(struct mlc_console *c, struct mlc_store *st, const char *tenant,
			 bool need_netsuite, bool need_procore, struct mlc_session **out,
			 struct mlc_error *err)
{
	struct mlc_session_opts so = {0};

	so.store = st;
	so.vault = c->sv->vault;
	so.shared = c->sv->shared;
	so.pool = c->sv->pool;
	so.tenant = tenant;
	so.need_netsuite = need_netsuite;
	so.need_procore = need_procore;
	return session_open(&so, out, err);
}

int console_register(struct mlc_serve *sv, struct mlc_http_server *http, struct mlc_console **out,
		     struct mlc_error *err)
{
	struct mlc_console *c = xcalloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (sodium_init() < 0) {
		free(c);
		return error_set(err, MLC_ECRYPTO, "libsodium did not initialise");
	}
	c->sv = sv;
	c->secure_cookie = sv->cfg->console_secure_cookie;
	pthread_mutex_init(&c->lock, NULL);
	rc = http_server_route(http, "GET", "/console", redirect_console, c);
	if (rc >= 0)
		rc = http_server_route(http, "GET", "/console/*", serve_asset, c);
	if (rc >= 0)
		rc = http_server_route(http, "POST", "/api/v1/login", api_login, c);
	if (rc >= 0)
		rc = http_server_route(http, "POST", "/api/v1/logout", api_logout, c);
	if (rc >= 0)
		rc = http_server_route(http, "GET", "/api/v1/me", whoami, c);
	if (rc >= 0)
		rc = api_read_register(c, http, err);
	if (rc >= 0)
		rc = api_mappings_register(c, http, err);
	if (rc >= 0)
		rc = api_actions_register(c, http, err);
	if (rc >= 0)
		rc = api_review_register(c, http, err);
	if (rc < 0) {
		console_free(c);
		return err->code ? rc : error_set(err, rc, "cannot register the console's routes");
	}
	*out = c;
	return MLC_OK;
}

void console_free(struct mlc_console *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}
