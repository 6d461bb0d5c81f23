#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_pool.h"
#include "util/str.h"
#include "util/banned.h"

/* What a pair of providers was made from (see auth_pool.h). */
struct pool_key {
	int64_t tenant_id;
	int64_t created_at;
	int64_t updated_at;
	uint64_t secrets;
};

struct pool_entry {
	char *tenant; /* the name, for auth_pool_forget */
	struct pool_key key;
	bool stale; /* out of the lookup; freed with the pool */
	struct mlc_oauth *ns, *pc;
	struct pool_entry *next;
};

struct mlc_auth_pool {
	pthread_mutex_t lock;
	const struct mlc_vault *vault;
	struct mlc_token_shared *shared;
	struct pool_entry *head;
	long made;
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
	pthread_mutex_lock(&p->lock);
	for (struct pool_entry *e = p->head; e; e = e->next)
		if (strcmp(e->tenant, tenant) == 0)
			e->stale = true;
	pthread_mutex_unlock(&p->lock);
}

long auth_pool_made(struct mlc_auth_pool *p)
{
	long n;

	pthread_mutex_lock(&p->lock);
	n = p->made;
	pthread_mutex_unlock(&p->lock);
	return n;
}

static bool key_equal(const struct pool_key *a, const struct pool_key *b)
{
	return a->tenant_id == b->tenant_id && a->created_at == b->created_at &&
	       a->updated_at == b->updated_at && a->secrets == b->secrets;
}

/*
 * The live entry for k, made when missing.  Any other live entry of the
 * same tenant id or name holds credentials that changed: it goes stale.
 * Called with the lock held.
 */
static struct pool_entry *entry_for(struct mlc_auth_pool *p, const struct pool_key *k,
				    const char *name)
{
	struct pool_entry *found = NULL;

	for (struct pool_entry *e = p->head; e; e = e->next) {
		if (e->stale)
			continue;
		if (key_equal(&e->key, k))
			found = e;
		else if (e->key.tenant_id == k->tenant_id || strcmp(e->tenant, name) == 0)
			e->stale = true;
	}
	if (!found) {
		found = xcalloc(1, sizeof(*found));
		found->tenant = xstrdup(name);
		found->key = *k;
		found->next = p->head;
		p->head = found;
	}
	return found;
}

int auth_pool_get(struct mlc_auth_pool *p, enum mlc_oauth_system sys,
		  const struct mlc_oauth_opts *ao, struct mlc_oauth **out, struct mlc_error *err)
{
	const struct mlc_tenant *t = ao->tenant;
	struct pool_key k = {t->id, t->created_at, t->updated_at, 0};
	struct mlc_oauth_opts o = *ao;
	struct pool_entry *e;
	struct mlc_oauth **slot;
	int rc;

	*out = NULL;
	/* read outside the lock: a store call may wait on SQLite's */
	rc = secret_version(ao->store, t->id, &k.secrets, err);
	if (rc < 0)
		return rc;
	if (!o.vault)
		o.vault = p->vault;
	if (!o.shared)
		o.shared = p->shared;
	pthread_mutex_lock(&p->lock);
	e = entry_for(p, &k, t->name);
	slot = sys == MLC_OAUTH_NETSUITE ? &e->ns : &e->pc;
	rc = MLC_OK;
	if (!*slot) {
		rc = oauth_new(sys, &o, slot, err);
		if (rc == MLC_OK)
			p->made++;
	}
	*out = *slot;
	pthread_mutex_unlock(&p->lock);
	return rc;
}
