#include <stdlib.h>
#include <string.h>

#include "auth/clock.h"
#include "flows/session.h"
#include "util/log.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

static int get_auth(const struct mlc_session_opts *o, enum mlc_oauth_system sys,
		    const struct mlc_oauth_opts *ao, struct mlc_oauth **out, struct mlc_error *err)
{
	if (o->pool)
		return auth_pool_get(o->pool, sys, ao, out, err);
	return oauth_new(sys, ao, out, err);
}

int session_open(const struct mlc_session_opts *o, struct mlc_session **out, struct mlc_error *err)
{
	struct mlc_session *s = xcalloc(1, sizeof(*s));
	struct mlc_oauth_opts ao = {0};
	int rc;

	*out = NULL;
	s->store = o->store;
	s->vault = o->vault;
	s->owns_auth = o->pool == NULL;
	rc = tenant_get(o->store, o->tenant, &s->tenant, err);
	if (rc < 0)
		goto fail;
	ao.store = o->store;
	ao.vault = o->vault;
	if (o->clock) {
		ao.clock = o->clock;
		ao.clock_arg = o->clock_arg;
	} else if (clock_get()) {
		/* the process's clock, set where the program is assembled (auth/clock.h) */
		ao.clock = clock_get()->now_ms;
		ao.clock_arg = clock_get()->ctx;
	}
	s->clock = ao.clock;
	s->clock_arg = ao.clock_arg;
	ao.timeout_ms = o->timeout_ms;
	ao.tenant = &s->tenant;
	ao.shared = o->shared;
	if (o->need_netsuite) {
		struct mlc_netsuite_opts no = {0};
		rc = get_auth(o, MLC_OAUTH_NETSUITE, &ao, &s->ns_auth, err);
		if (rc < 0)
			goto fail;
		no.auth = oauth_auth_hook;
		no.auth_arg = s->ns_auth;
		no.concurrency = (int)session_setting_int(s, "netsuite.concurrency", 5);
		no.timeout_ms = o->timeout_ms;
		no.max_attempts = o->max_attempts;
		rc = netsuite_open(&s->tenant, &no, &s->ns, err);
		if (rc < 0)
			goto fail;
	}
	if (o->need_procore) {
		struct mlc_procore_opts po = {0};
		rc = get_auth(o, MLC_OAUTH_PROCORE, &ao, &s->pc_auth, err);
		if (rc < 0)
			goto fail;
		po.auth = oauth_auth_hook;
		po.auth_arg = s->pc_auth;
		po.max_concurrency = (int)session_setting_int(s, "procore.concurrency", 8);
		po.timeout_ms = o->timeout_ms;
		po.max_attempts = o->max_attempts;
		rc = procore_open(&s->tenant, &po, &s->pc, err);
		if (rc < 0)
			goto fail;
	}
	*out = s;
	return MLC_OK;
fail:
	session_free(s);
	return rc;
}

void session_free(struct mlc_session *s)
{
	if (!s)
		return;
	netsuite_free(s->ns);
	procore_free(s->pc);
	if (s->owns_auth) {
		oauth_free(s->ns_auth);
		oauth_free(s->pc_auth);
	}
	tenant_release(&s->tenant);
	free(s);
}

/* Walks "a.b.c" through nested objects of the tenant settings. */
static json_t *setting(const struct mlc_session *s, const char *path)
{
	json_t *v = s->tenant.settings;
	char key[64];
	const char *p = path;

	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		v = json_object_get(v, key);
		p = dot ? dot + 1 : p + n;
	}
	return v;
}

const char *session_setting_str(const struct mlc_session *s, const char *path, const char *def)
{
	json_t *v = setting(s, path);
	return json_is_string(v) ? json_string_value(v) : def;
}

int64_t session_setting_int(const struct mlc_session *s, const char *path, int64_t def)
{
	json_t *v = setting(s, path);
	return json_is_integer(v) ? json_integer_value(v) : def;
}

bool session_setting_bool(const struct mlc_session *s, const char *path, bool def)
{
	json_t *v = setting(s, path);
	return json_is_boolean(v) ? json_is_true(v) : def;
}
