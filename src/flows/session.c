#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/clock.h"
#include "flows/session.h"
#include "util/log.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

struct pool_entry {
	char *tenant;
	struct mlc_oauth *ns, *pc;
	struct pool_entry *next;
};

struct mlc_auth_pool {
	pthread_mutex_t lock;
	const struct mlc_vault *vault;
	struct mlc_token_shared *shared;
	struct pool_entry *head;
};

struct mlc_auth_pool *auth_pool_new(const struct mlc_vault *vault, struct mlc_token_shared *shared)
{
	struct mlc_auth_pool *p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->vault = vault;
	p->shared = shared;
	return p;
}

static void entry_free(struct pool_entry *e)
{
	oauth_free(e->ns);
	oauth_free(e->pc);
	free(e->tenant);
	free(e);
}

void auth_pool_free(struct mlc_auth_pool *p)
{
	if (!p)
		return;
	while (p->head) {
		struct pool_entry *e = p->head;
		p->head = e->next;
		entry_free(e);
	}
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void auth_pool_forget(struct mlc_auth_pool *p, const char *tenant)
{
	struct pool_entry **pe;

	pthread_mutex_lock(&p->lock);
	for (pe = &p->head; *pe; pe = &(*pe)->next) {
		if (strcmp((*pe)->tenant, tenant) == 0) {
			/* providers may be in use by running sessions: keep them alive
			 * until the pool goes; new sessions get fresh ones */
			struct pool_entry *e = *pe;
			free(e->tenant);
			e->tenant = xstrdup("");
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

/* Gets (creating on first use) the tenant's provider for one system. */
static int pool_get(struct mlc_auth_pool *p, enum mlc_oauth_system sys,
		    const struct mlc_oauth_opts *ao, struct mlc_oauth **out, struct mlc_error *err)
{
	struct pool_entry *e;
	int rc = MLC_OK;

	pthread_mutex_lock(&p->lock);
	for (e = p->head; e; e = e->next)
		if (strcmp(e->tenant, ao->tenant->name) == 0)
			break;
	if (!e) {
		e = xcalloc(1, sizeof(*e));
		e->tenant = xstrdup(ao->tenant->name);
		e->next = p->head;
		p->head = e;
	}
	struct mlc_oauth **slot = sys == MLC_OAUTH_NETSUITE ? &e->ns : &e->pc;
	if (!*slot)
		rc = oauth_new(sys, ao, slot, err);
	*out = *slot;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static int get_auth(const struct mlc_session_opts *o, enum mlc_oauth_system sys,
		    const struct mlc_oauth_opts *ao, struct mlc_oauth **out, struct mlc_error *err)
{
	if (o->pool)
		return pool_get(o->pool, sys, ao, out, err);
	return oauth_new(sys, ao, out, err);
}

int session_open(const struct mlc_session_opts *o, struct mlc_session **out,
		 struct mlc_error *err)
{
	struct mlc_session *s = xcalloc(1, sizeof(*s));
	struct mlc_oauth_opts ao = { 0 };
	int rc;

	*out = NULL;
	s->store = o->store;
	s->vault = o->vault;
	s->owns_auth = o->pool == NULL;
	if ((rc = tenant_get(o->store, o->tenant, &s->tenant, err)) < 0)
		goto fail;
	ao.store = o->store;
	ao.vault = o->vault;
	/* the process's clock, set where the program is assembled (auth/clock.h) */
	if (clock_get()) {
		ao.clock = clock_get()->now_ms;
		ao.clock_arg = clock_get()->ctx;
	}
	ao.tenant = &s->tenant;
	ao.shared = o->shared;
	if (o->need_netsuite) {
		struct mlc_netsuite_opts no = { 0 };
		if ((rc = get_auth(o, MLC_OAUTH_NETSUITE, &ao, &s->ns_auth, err)) < 0)
			goto fail;
		no.auth = oauth_auth_hook;
		no.auth_arg = s->ns_auth;
		no.concurrency = (int)session_setting_int(s, "netsuite.concurrency", 5);
		if ((rc = netsuite_open(&s->tenant, &no, &s->ns, err)) < 0)
			goto fail;
	}
	if (o->need_procore) {
		struct mlc_procore_opts po = { 0 };
		if ((rc = get_auth(o, MLC_OAUTH_PROCORE, &ao, &s->pc_auth, err)) < 0)
			goto fail;
		po.auth = oauth_auth_hook;
		po.auth_arg = s->pc_auth;
		po.max_concurrency = (int)session_setting_int(s, "procore.concurrency", 8);
		if ((rc = procore_open(&s->tenant, &po, &s->pc, err)) < 0)
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
