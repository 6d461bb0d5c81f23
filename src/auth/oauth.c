#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/jwt.h"
#include "auth/oauth.h"
#include "util/pkey.h"
#include "net/http_client.h"
#include "util/log.h"
#include "util/num.h"
#include "util/redact.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

#define MIN_MS        (60 * 1000LL)
#define NS_TOKEN_PATH "/services/rest/auth/oauth2/v1/token"
#define PC_TOKEN_PATH "/oauth/token"
/* The assertion only has to live until NetSuite reads it. */
#define ASSERTION_LIFETIME_S 300

struct mlc_oauth {
	enum mlc_oauth_system system;
	char *tenant;
	char *token_url;
	struct mlc_secret *client_id;
	struct mlc_secret *credential; /* NetSuite: certificate id; Procore: client secret */
	struct mlc_pkey key;           /* NetSuite only */
	json_t *scope;                 /* NetSuite only */
	char *alg;                     /* NetSuite only */
	char *env;                     /* Procore environment, for messages */
	mlc_clock_fn clock;
	void *clock_arg;
	struct mlc_http_upstream *up; /* the token endpoint's host */
	const char *token_path;       /* static */
	struct mlc_token_cache *cache;
};

/* settings.<sys>.<key>, or NULL. */
static json_t *setting(const struct mlc_tenant *t, const char *sys, const char *key)
{
	return json_object_get(json_object_get(t->settings, sys), key);
}

static int setting_seconds(const struct mlc_tenant *t, const char *sys, const char *key,
			   int64_t def, int64_t max, int64_t *out, struct mlc_error *err)
{
	json_t *v = setting(t, sys, key);

	*out = def;
	if (!v)
		return MLC_OK;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return error_set(
		    err, MLC_ECONFIG,
		    "tenant %s: setting %s.%s must be a number of seconds from 0 to %lld", t->name,
		    sys, key, (long long)max);
	*out = json_integer_value(v);
	return MLC_OK;
}

/* settings.netsuite.scope: ["a","b"] or "a,b"; default ["rest_webservices"]. */
static int load_scope(const struct mlc_tenant *t, json_t **out, struct mlc_error *err)
{
	json_t *v = setting(t, "netsuite", "scope"), *arr;
	size_t i;
	json_t *e;

	*out = NULL;
	if (!v) {
		*out = json_pack("[s]", "rest_webservices");
		return MLC_OK;
	}
	if (json_is_string(v)) {
		struct mlc_buf b = MLC_BUF_INIT;
		char *p, *q;
		buf_addstr(&b, json_string_value(v));
		arr = json_array();
		for (p = b.data; p && *p; p = q) {
			q = strchr(p, ',');
			if (q)
				*q++ = '\0';
			if (!str_blank(p))
				json_array_append_new(arr, json_string(str_trim(p)));
		}
		buf_release(&b);
		*out = arr;
		return MLC_OK;
	}
	if (json_is_array(v) && json_array_size(v) > 0) {
		json_array_foreach (v, i, e) {
			if (!json_is_string(e))
				goto bad;
		}
		*out = json_deep_copy(v);
		return MLC_OK;
	}
bad:
	return error_set(err, MLC_ECONFIG,
			 "tenant %s: setting netsuite.scope must be a list of restlets, "
			 "rest_webservices, suite_analytics",
			 t->name);
}

static int load_secret(const struct mlc_oauth_opts *o, const char *name, struct mlc_secret **out,
		       struct mlc_error *err)
{
	int rc = secret_get(o->store, o->vault, o->tenant->id, name, out, err);

	if (rc < 0)
		return error_prefix(err, "tenant %s: ", o->tenant->name);
	redact_register((*out)->data);
	return MLC_OK;
}

static int64_t clock_now(struct mlc_oauth *a)
{
	return a->clock ? a->clock(a->clock_arg) : time_now_ms();
}

/* A failed token answer: its status and its JSON body (or NULL). */
struct token_reply {
	int status;
	json_t *json;
};

/* The OAuth error token of a failed token request ("invalid_client"). */
static const char *oauth_error(const struct token_reply *r)
{
	const char *e = json_string_value(json_object_get(r->json, "error"));
	return e ? e : "";
}

static const char *oauth_error_description(const struct token_reply *r)
{
	const char *d = json_string_value(json_object_get(r->json, "error_description"));
	return d ? d : "";
}

/* Turns a failed NetSuite token answer into the cause and the fix. */
static int ns_diagnose(const struct mlc_oauth *a, const struct token_reply *r,
		       struct mlc_error *err)
{
	const char *e = oauth_error(r), *d = oauth_error_description(r);

	if (r->status >= 500)
		return error_set(err, MLC_ETRANSIENT,
				 "NetSuite's token endpoint %s answered HTTP %d; try again later",
				 a->token_url, r->status);
	if (strcmp(e, "invalid_client") == 0 && str_starts_with(a->alg, "RS"))
		return error_set(err, MLC_EAUTH,
				 "NetSuite rejected the JWT: algorithm %s is not accepted; use a "
				 "PS256 (RSA) or ES256 (EC) certificate",
				 a->alg);
	if (strcmp(e, "invalid_client") == 0)
		return error_set(
		    err, MLC_EAUTH,
		    "NetSuite rejected the client assertion (invalid_client%s%s): check "
		    "that netsuite.client_id is the integration's client id, "
		    "netsuite.certificate_id the certificate id of its M2M mapping, and "
		    "netsuite.private_key that certificate's key",
		    *d ? ": " : "", d);
	if (strcmp(e, "invalid_grant") == 0)
		return error_set(
		    err, MLC_EAUTH,
		    "NetSuite refused the assertion (invalid_grant%s%s): check this "
		    "machine's clock, the tenant's netsuite.scope setting, and that the "
		    "NetSuite URL %s is the account's",
		    *d ? ": " : "", d, a->token_url);
	if (r->status == 404)
		return error_set(
		    err, MLC_ECONFIG,
		    "NetSuite has no token endpoint at %s: check the tenant's NetSuite "
		    "account id or --netsuite-url",
		    a->token_url);
	return error_set(err, MLC_EAUTH, "NetSuite's token endpoint answered HTTP %d%s%s%s",
			 r->status, *e ? " (" : "", e, *e ? ")" : "");
}

static int pc_diagnose(const struct mlc_oauth *a, const struct token_reply *r,
		       struct mlc_error *err)
{
	const char *e = oauth_error(r), *d = oauth_error_description(r);

	if (r->status >= 500)
		return error_set(err, MLC_ETRANSIENT,
				 "Procore's token endpoint %s answered HTTP %d; try again later",
				 a->token_url, r->status);
	if (strcmp(e, "invalid_client") == 0 || r->status == 401)
		return error_set(err, MLC_EAUTH,
				 "Procore rejected the client credentials (%s%s%s): check "
				 "procore.client_id and procore.client_secret; they must be the "
				 "service account's for the %s environment",
				 *e ? e : "HTTP 401", *d ? ": " : "", d, a->env);
	if (r->status == 404)
		return error_set(err, MLC_ECONFIG,
				 "Procore has no token endpoint at %s: check the tenant's "
				 "--procore-auth-url / --procore-env",
				 a->token_url);
	return error_set(err, MLC_EAUTH, "Procore's token endpoint answered HTTP %d%s%s%s%s%s",
			 r->status, *e ? " (" : "", e, *d ? ": " : "", d, *e ? ")" : "");
}

/* expires_in arrives as a number, sometimes as a string. */
static int64_t expires_in(const json_t *j)
{
	const json_t *v = json_object_get(j, "expires_in");
	int64_t n = 0;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v) && num_parse_i64(json_string_value(v), &n, NULL) == 0)
		return n;
	return 0;
}

static const char *system_name(const struct mlc_oauth *a)
{
	return a->system == MLC_OAUTH_NETSUITE ? "NetSuite" : "Procore";
}

static int fetch(void *arg, struct mlc_token_grant *out, struct mlc_error *err)
{
	struct mlc_oauth *a = arg;
	struct mlc_http_req req;
	struct mlc_http_resp resp;
	struct mlc_secret *jws = NULL;
	struct mlc_error serr = {0};
	struct token_reply r = {0, NULL};
	const char *tok;
	int rc;

	http_req_init(&req, "POST", a->token_path);
	http_resp_init(&resp);
	/* asking twice only yields a second token: safe to repeat */
	req.idempotent = MLC_HTTP_IDEM_YES;
	http_req_header(&req, "Accept", "application/json");
	http_req_form(&req, "grant_type", "client_credentials");
	if (a->system == MLC_OAUTH_NETSUITE) {
		struct mlc_jwt_claims c = {0};
		c.kid = a->credential->data;
		c.iss = a->client_id->data;
		c.aud = a->token_url;
		c.scope = a->scope;
		c.iat = clock_now(a) / 1000;
		c.lifetime_s = ASSERTION_LIFETIME_S;
		c.alg = a->alg;
		rc = jwt_sign_assertion(&a->key, &c, &jws, err);
		if (rc < 0)
			goto out;
		redact_register(jws->data);
		http_req_form(&req, "client_assertion_type",
			      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
		http_req_form(&req, "client_assertion", jws->data);
	} else {
		http_req_form(&req, "client_id", a->client_id->data);
		http_req_form(&req, "client_secret", a->credential->data);
	}
	rc = http_upstream_send(a->up, &req, &resp, &serr);
	if (resp.status == 0) {
		rc = error_set(err, rc < 0 ? rc : MLC_ETRANSIENT,
			       "cannot reach %s's token endpoint: %s", system_name(a), serr.msg);
		goto out;
	}
	r.status = resp.status;
	r.json = json_loadb(resp.body.data, resp.body.len, 0, NULL);
	tok = json_string_value(json_object_get(r.json, "access_token"));
	if (r.status != 200 || !tok) {
		rc = r.status == 200                   ? error_set(err, MLC_EAUTH,
								   "%s's token endpoint answered 200 without an "
										     "access_token",
								   system_name(a))
		     : a->system == MLC_OAUTH_NETSUITE ? ns_diagnose(a, &r, err)
						       : pc_diagnose(a, &r, err);
		goto out;
	}
	redact_register(tok);
	out->access_token = secret_new(tok, strlen(tok));
	out->expires_in_s = expires_in(r.json);
	rc = MLC_OK;
out:
	json_decref(r.json);
	http_req_release(&req);
	http_resp_release(&resp);
	secret_free(jws);
	return rc;
}

/* The token endpoint's upstream: few, quick retries (a sync waits on it). */
static int token_upstream(struct mlc_oauth *a, const char *base, int timeout_ms,
			  struct mlc_error *err)
{
	struct mlc_http_upstream_opts uo = {0};

	uo.name = a->system == MLC_OAUTH_NETSUITE ? "netsuite-token" : "procore-token";
	uo.base_url = base;
	uo.timeout_ms = timeout_ms ? timeout_ms : 30000;
	uo.max_attempts = 3;
	uo.max_retry_ms = 60000;
	return http_upstream_new(&uo, &a->up, err);
}

/* base without its trailing '/' + path, as the HTTP client joins them. */
static char *join_url(const char *base, const char *path)
{
	struct mlc_buf b = MLC_BUF_INIT;

	buf_addstr(&b, base);
	while (b.len && b.data[b.len - 1] == '/')
		buf_setlen(&b, b.len - 1);
	buf_addstr(&b, path);
	return buf_detach(&b, NULL);
}

int oauth_new(enum mlc_oauth_system system, const struct mlc_oauth_opts *o, struct mlc_oauth **out,
	      struct mlc_error *err)
{
	struct mlc_oauth *a = xcalloc(1, sizeof(*a));
	struct mlc_token_cache_opts co = {0};
	struct mlc_secret *pem = NULL;
	struct mlc_buf name = MLC_BUF_INIT;
	const struct mlc_tenant *t = o->tenant;
	int64_t margin = 0, max_age = 0;
	uint64_t version = 0;
	int rc;

	*out = NULL;
	a->system = system;
	a->tenant = xstrdup(t->name);
	a->clock = o->clock;
	a->clock_arg = o->clock_arg;
	/*
	 * The cache's name is also its Redis key (auth/token_redis.c): it
	 * carries the tenant id and the version of its secrets (core/vault.h
	 * secret_version), not only the name, so a tenant re-added under the
	 * same name or given new credentials never adopts a token obtained
	 * with the old ones (issue #21 item 2).  The version is read before
	 * the credentials: if they change in between, the token made with
	 * the new ones is filed under the old version, never the reverse.
	 */
	rc = secret_version(o->store, t->id, &version, err);
	if (rc < 0) {
		error_prefix(err, "tenant %s: ", t->name);
		goto out;
	}
	if (system == MLC_OAUTH_NETSUITE) {
		char *base = tenant_netsuite_url(t);
		json_t *alg = setting(t, "netsuite", "jwt_alg");
		a->token_path = NS_TOKEN_PATH;
		a->token_url = join_url(base, NS_TOKEN_PATH);
		rc = token_upstream(a, base, o->timeout_ms, err);
		free(base);
		if (rc < 0)
			goto out;
		rc = load_secret(o, "netsuite.client_id", &a->client_id, err);
		if (rc >= 0)
			rc = load_secret(o, "netsuite.certificate_id", &a->credential, err);
		if (rc >= 0)
			rc = load_secret(o, "netsuite.private_key", &pem, err);
		if (rc < 0)
			goto out;
		rc = pkey_load_pem(pem->data, pem->len, &a->key, err);
		if (rc < 0) {
			error_prefix(err, "tenant %s: netsuite.private_key: ", t->name);
			goto out;
		}
		a->alg = xstrdup(json_is_string(alg) ? json_string_value(alg) : a->key.alg);
		rc = load_scope(t, &a->scope, err);
		if (rc >= 0)
			rc = setting_seconds(t, "netsuite", "token_margin_s", 300, 3000, &margin,
					     err);
		if (rc < 0)
			goto out;
		co.policy.margin_ms = margin * 1000;
		buf_addf(&name, "netsuite:%s:%s:t%lld.v%016llx", t->name, t->netsuite_account,
			 (long long)t->id, (unsigned long long)version);
	} else {
		const char *base = tenant_procore_auth_url(t);
		a->token_path = PC_TOKEN_PATH;
		a->token_url = join_url(base, PC_TOKEN_PATH);
		rc = token_upstream(a, base, o->timeout_ms, err);
		if (rc < 0)
			goto out;
		a->env = xstrdup(t->procore_env ? t->procore_env : "production");
		rc = load_secret(o, "procore.client_id", &a->client_id, err);
		if (rc >= 0)
			rc = load_secret(o, "procore.client_secret", &a->credential, err);
		if (rc < 0)
			goto out;
		rc = setting_seconds(t, "procore", "token_max_age_s", 80 * 60, 24 * 3600, &max_age,
				     err);
		if (rc >= 0)
			rc = setting_seconds(t, "procore", "token_margin_s", 10 * 60, 3600, &margin,
					     err);
		if (rc < 0)
			goto out;
		co.policy.max_age_ms = max_age * 1000;
		co.policy.margin_ms = margin * 1000;
		buf_addf(&name, "procore:%s:%lld:t%lld.v%016llx", t->name,
			 (long long)t->procore_company_id, (long long)t->id,
			 (unsigned long long)version);
	}
	co.name = name.data;
	co.fetch = fetch;
	co.fetch_arg = a;
	co.clock = o->clock;
	co.clock_arg = o->clock_arg;
	co.shared = o->shared;
	a->cache = token_cache_new(&co);
	*out = a;
	a = NULL;
	rc = MLC_OK;
out:
	oauth_free(a);
	secret_free(pem);
	buf_release(&name);
	return rc;
}

void oauth_free(struct mlc_oauth *a)
{
	if (!a)
		return;
	token_cache_free(a->cache);
	http_upstream_free(a->up);
	secret_free(a->client_id);
	secret_free(a->credential);
	pkey_release(&a->key);
	json_decref(a->scope);
	free(a->alg);
	free(a->env);
	free(a->tenant);
	free(a->token_url);
	free(a);
}

int oauth_token(struct mlc_oauth *a, struct mlc_buf *out, struct mlc_error *err)
{
	return token_cache_get(a->cache, out, err);
}

void oauth_rejected(struct mlc_oauth *a, const char *token)
{
	token_cache_invalidate(a->cache, token);
}

/* The token each thread last put in a header, per provider, by
 * fingerprint: what a 401 on this thread refers to. */
#define LAST_SLOTS 8
static _Thread_local struct {
	const struct mlc_oauth *who;
	unsigned char fp[TOKEN_FP_BYTES];
} last_used[LAST_SLOTS];

static unsigned char *last_slot(const struct mlc_oauth *a)
{
	for (int i = 0; i < LAST_SLOTS; i++)
		if (last_used[i].who == a)
			return last_used[i].fp;
	/* forget the oldest: shift down, take the end */
	memmove(&last_used[0], &last_used[1], sizeof(last_used[0]) * (LAST_SLOTS - 1));
	last_used[LAST_SLOTS - 1].who = a;
	memset(last_used[LAST_SLOTS - 1].fp, 0, TOKEN_FP_BYTES);
	return last_used[LAST_SLOTS - 1].fp;
}

int oauth_auth_hook(void *arg, struct mlc_buf *header_value, bool force_refresh)
{
	struct mlc_oauth *a = arg;
	struct mlc_buf tok = MLC_BUF_INIT;
	unsigned char *fp = last_slot(a);
	struct mlc_error err = {0};
	int rc;

	if (force_refresh)
		token_cache_invalidate_fp(a->cache, fp);
	rc = token_cache_get(a->cache, &tok, &err);
	if (rc == MLC_OK) {
		token_fingerprint(tok.data, fp);
		buf_addstr(header_value, "Bearer ");
		buf_add(header_value, tok.data, tok.len);
	} else {
		/* the HTTP client only reports "no credentials": say why here */
		log_warn("cannot get an access token", "system", system_name(a), "tenant",
			 a->tenant, "error", err.msg);
	}
	buf_release_wipe(&tok);
	return rc;
}

struct mlc_token_cache *oauth_cache(struct mlc_oauth *a)
{
	return a->cache;
}

const char *oauth_token_url(const struct mlc_oauth *a)
{
	return a->token_url;
}

const char *oauth_jwt_alg(const struct mlc_oauth *a)
{
	return a->system == MLC_OAUTH_NETSUITE ? a->alg : NULL;
}
