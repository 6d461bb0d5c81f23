/*
 * One NetSuite concurrency pool per account (netsuite/ns_limiter.h, issue
 * 20): the registry shares a limiter by account id, the semaphore holds
 * its cap under many threads, and, against an in-process sandbox, many
 * sessions of one account sending at once (each with its own upstream,
 * as concurrent runs and workers have) never have more requests in
 * flight together than the account's netsuite.concurrency.  The sandbox
 * measures that (its max_concurrency, /_sandbox/stats).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "core/store.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "flows/session.h"
#include "netsuite/netsuite.h"
#include "netsuite/ns_limiter.h"
#include "sandbox/sandbox.h"
#include "util/log.h"
#include "util/banned.h"

static void test_registry_shares_by_account(void **state)
{
	struct ns_limiter *a, *a2, *b;
	size_t before = ns_limiter_count();

	(void)state;
	a = ns_limiter_get("TSTDRV1", 3);
	a2 = ns_limiter_get("TSTDRV1", 0);
	b = ns_limiter_get("TSTDRV2", 2);
	assert_ptr_equal(a, a2);
	assert_ptr_not_equal(a, b);
	assert_int_equal(ns_limiter_slots(a), 3);
	assert_int_equal(ns_limiter_slots(b), 2);
	assert_int_equal(ns_limiter_count(), before + 2);
	/* a later opener's setting resizes the account's pool */
	a2 = ns_limiter_get("TSTDRV1", 4);
	assert_int_equal(ns_limiter_slots(a), 4);
	ns_limiter_put(a2);
	ns_limiter_put(a2);
	assert_int_equal(ns_limiter_count(), before + 2);
	ns_limiter_put(a);
	ns_limiter_put(b);
	assert_int_equal(ns_limiter_count(), before);
}

static void *hammer(void *p)
{
	struct ns_limiter *l = p;

	for (int i = 0; i < 20; i++) {
		ns_limiter_enter(l);
		usleep(500);
		ns_limiter_leave(l);
	}
	return NULL;
}

static void test_threads_never_exceed_cap(void **state)
{
	struct ns_limiter *l = ns_limiter_get("CAPTEST", 3);
	pthread_t th[10];

	(void)state;
	for (int i = 0; i < 10; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer, l), 0);
	for (int i = 0; i < 10; i++)
		pthread_join(th[i], NULL);
	assert_true(ns_limiter_peak(l) <= 3);
	assert_true(ns_limiter_peak(l) >= 2); /* it did run requests side by side */
	ns_limiter_put(l);
}

/* --- many sessions of one account against the sandbox --- */

#define NSESS 6
#define CAP   3

struct world_sb {
	struct mlc_sandbox *sb;
	char dir[64];
	struct mlc_store *store;
	struct mlc_vault *vault;
};

static void set_secret(struct world_sb *w, int64_t tid, const char *name, const char *v)
{
	struct mlc_error err = {0};

	assert_int_equal(secret_set(w->store, w->vault, tid, name, v, strlen(v), &err), 0);
}

static void world_up(struct world_sb *w)
{
	struct mlc_sandbox_opts o = {0};
	struct mlc_tenant_changes c = {0};
	struct mlc_tenant t = {0};
	struct mlc_error err = {0};
	unsigned char key[VAULT_KEY_BYTES];
	char path[128], *pem = NULL;
	size_t pem_len = 0;
	json_t *cred, *ns, *cert, *settings;

	snprintf(w->dir, sizeof(w->dir), "/tmp/mlc-nslimit-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	o.netsuite_listen = "127.0.0.1:0";
	o.procore_listen = "127.0.0.1:0";
	o.data_dir = w->dir;
	o.seed = 3;
	o.latency_ms = 15; /* requests overlap */
	o.ns_concurrency = 5;
	assert_int_equal(sandbox_start(&o, &w->sb, &err), 0);
	snprintf(path, sizeof(path), "%s/credentials.json", w->dir);
	cred = json_load_file(path, 0, NULL);
	assert_non_null(cred);
	ns = json_object_get(cred, "netsuite");
	cert = json_array_get(json_object_get(ns, "certificates"), 0);
	memset(key, 9, sizeof(key));
	assert_int_equal(vault_new(key, sizeof(key), &w->vault, &err), 0);
	assert_int_equal(store_open("sqlite::memory:", &w->store, &err), 0);
	c.procore_company_id = 1;
	c.netsuite_account = json_string_value(json_object_get(ns, "account_id"));
	c.netsuite_url = json_string_value(json_object_get(ns, "url"));
	assert_int_equal(tenant_add(w->store, "acme", &c, &err), 0);
	assert_int_equal(tenant_get(w->store, "acme", &t, &err), 0);
	settings =
	    json_pack("{s:{s:i, s:s}}", "netsuite", "concurrency", CAP, "integration_user_id", "1");
	assert_int_equal(tenant_set_settings(w->store, t.id, settings, &err), 0);
	json_decref(settings);
	set_secret(w, t.id, "netsuite.client_id",
		   json_string_value(json_object_get(ns, "client_id")));
	set_secret(w, t.id, "netsuite.certificate_id",
		   json_string_value(json_object_get(cert, "certificate_id")));
	{
		FILE *f = fopen(json_string_value(json_object_get(cert, "private_key_path")), "rb");
		assert_non_null(f);
		pem = malloc(16384);
		pem_len = fread(pem, 1, 16384, f);
		fclose(f);
		assert_true(pem_len > 0);
	}
	assert_int_equal(
	    secret_set(w->store, w->vault, t.id, "netsuite.private_key", pem, pem_len, &err), 0);
	free(pem);
	tenant_release(&t);
	json_decref(cred);
}

static void world_down(struct world_sb *w)
{
	char cmd[128];

	sandbox_free(w->sb);
	store_free(w->store);
	vault_free(w->vault);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", w->dir);
}

struct sender {
	struct mlc_session *s;
	int rc;
};

/* One "run": a burst of queries at once, as a flow's bulk read sends them. */
static void *run_burst(void *p)
{
	struct sender *x = p;
	const char *qs[8];
	json_t *res[8];
	struct mlc_error err = {0};

	for (int i = 0; i < 8; i++)
		qs[i] = "SELECT id FROM subsidiary";
	x->rc = netsuite_suiteql_many(x->s->ns, qs, 8, res, &err);
	if (x->rc < 0)
		fprintf(stderr, "suiteql_many: %s\n", err.msg);
	for (int i = 0; i < 8 && x->rc == 0; i++)
		json_decref(res[i]);
	return NULL;
}

static void test_sessions_share_the_account_cap(void **state)
{
	struct world_sb w = {0};
	struct sender x[NSESS] = {0};
	pthread_t th[NSESS];
	struct mlc_error err = {0};

	(void)state;
	world_up(&w);
	for (int i = 0; i < NSESS; i++) {
		struct mlc_session_opts so = {0};
		so.store = w.store;
		so.vault = w.vault;
		so.tenant = "acme";
		so.need_netsuite = true;
		assert_int_equal(session_open(&so, &x[i].s, &err), 0);
		/* each session has its own upstream, as separate runs do */
		if (i)
			assert_ptr_not_equal(x[i].s->ns->up, x[0].s->ns->up);
		assert_ptr_equal(x[i].s->ns->limit, x[0].s->ns->limit);
	}
	/* tokens first, so the bursts below are SuiteQL only */
	for (int i = 0; i < NSESS; i++) {
		run_burst(&x[i]);
		assert_int_equal(x[i].rc, 0);
	}
	pthread_mutex_lock(&w.sb->ns.lock);
	w.sb->ns.max_concurrency = 0;
	pthread_mutex_unlock(&w.sb->ns.lock);
	for (int i = 0; i < NSESS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, run_burst, &x[i]), 0);
	for (int i = 0; i < NSESS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NSESS; i++)
		assert_int_equal(x[i].rc, 0);
	pthread_mutex_lock(&w.sb->ns.lock);
	/* 6 runs x 3 each would be 18 in flight without the shared pool */
	assert_true(w.sb->ns.max_concurrency <= CAP);
	assert_true(w.sb->ns.max_concurrency >= 2);
	assert_int_equal(w.sb->ns.rejected_429, 0);
	pthread_mutex_unlock(&w.sb->ns.lock);
	for (int i = 0; i < NSESS; i++)
		session_free(x[i].s);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry_shares_by_account),
	    cmocka_unit_test(test_threads_never_exceed_cap),
	    cmocka_unit_test(test_sessions_share_the_account_cap),
	};

	if (sodium_init() < 0)
		return 1;
	log_setup(MLC_LOG_ERROR, 0, stderr);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
