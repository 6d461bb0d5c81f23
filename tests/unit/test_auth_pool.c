#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "auth/auth_pool.h"
#include "core/store.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "flows/session.h"
#include "test_world.h"
#include "util/log.h"
#include "util/redact.h"
#include "util/banned.h"

/*
 * The auth pool of a long-running process (serve) against credential
 * changes made through the store, as another process's `secret set`,
 * `secret remove` or `tenant remove` + `tenant add` make them (issue 21,
 * item 2): the next session sees the change; without a change the
 * providers (and their token caches) are shared.  No network: opening a
 * session makes no call.
 */

static const struct world_opts ec = {"EC", "/ns", "/pcauth", "/pcapi", 42, NULL};

static int open_pc(struct world *w, struct mlc_auth_pool *pool, struct mlc_session **s,
		   struct mlc_error *err)
{
	struct mlc_session_opts so = {0};

	so.store = w->store;
	so.vault = w->vault;
	so.pool = pool;
	so.tenant = "acme";
	so.need_netsuite = true;
	so.need_procore = true;
	return session_open(&so, s, err);
}

static void set_secret(struct world *w, const char *name, const char *v)
{
	struct mlc_error err = {0};

	assert_int_equal(secret_set(w->store, w->vault, w->tenant.id, name, v, strlen(v), &err), 0);
}

static void test_unchanged_shares_providers(void **state)
{
	struct world w;
	struct mlc_auth_pool *pool;
	struct mlc_session *a = NULL, *b = NULL;
	struct mlc_error err = {0};

	(void)state;
	world_init(&w, &ec, 1);
	pool = auth_pool_new(w.vault, NULL);
	assert_int_equal(open_pc(&w, pool, &a, &err), 0);
	assert_int_equal(open_pc(&w, pool, &b, &err), 0);
	assert_ptr_equal(a->ns_auth, b->ns_auth);
	assert_ptr_equal(a->pc_auth, b->pc_auth);
	assert_int_equal(auth_pool_made(pool), 2);
	session_free(a);
	session_free(b);
	auth_pool_free(pool);
	world_release(&w);
}

static void test_secret_set_and_remove_take_effect(void **state)
{
	struct world w;
	struct mlc_auth_pool *pool;
	struct mlc_session *a = NULL, *b = NULL, *c = NULL;
	struct mlc_error err = {0};

	(void)state;
	world_init(&w, &ec, 1);
	pool = auth_pool_new(w.vault, NULL);
	assert_int_equal(open_pc(&w, pool, &a, &err), 0);
	/* a new client secret: the next session gets new providers; the
	 * running one keeps its own until it ends */
	set_secret(&w, "procore.client_secret", "pc-secret-rotated");
	assert_int_equal(open_pc(&w, pool, &b, &err), 0);
	assert_ptr_not_equal(a->pc_auth, b->pc_auth);
	assert_ptr_not_equal(a->ns_auth, b->ns_auth);
	assert_int_equal(auth_pool_made(pool), 4);
	/* a removed secret: the next session cannot open */
	assert_int_equal(secret_remove(w.store, w.tenant.id, "procore.client_secret", &err), 0);
	assert_true(open_pc(&w, pool, &c, &err) < 0);
	assert_null(c);
	assert_non_null(strstr(err.msg, "procore.client_secret"));
	session_free(a);
	session_free(b);
	auth_pool_free(pool);
	world_release(&w);
}

static void test_tenant_readded_is_another_tenant(void **state)
{
	struct world w;
	struct mlc_auth_pool *pool;
	struct mlc_session *a = NULL, *b = NULL;
	struct mlc_tenant_changes c = {0};
	struct mlc_error err = {0};

	(void)state;
	world_init(&w, &ec, 1);
	pool = auth_pool_new(w.vault, NULL);
	assert_int_equal(open_pc(&w, pool, &a, &err), 0);
	session_free(a);
	/* removed and added again under the same name, with no secret stored:
	 * nothing may run on the previous tenant's credentials */
	assert_int_equal(tenant_remove(w.store, "acme", &err), 0);
	c.procore_company_id = 42;
	c.netsuite_account = "1234567";
	assert_int_equal(tenant_add(w.store, "acme", &c, &err), 0);
	assert_true(open_pc(&w, pool, &b, &err) < 0);
	assert_null(b);
	assert_non_null(strstr(err.msg, "netsuite."));
	auth_pool_free(pool);
	world_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unchanged_shares_providers),
	    cmocka_unit_test(test_secret_set_and_remove_take_effect),
	    cmocka_unit_test(test_tenant_readded_is_another_tenant),
	};
	int rc;

	if (sodium_init() < 0)
		return 1;
	log_setup(MLC_LOG_ERROR, MLC_LOG_LOGFMT, stderr);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	redact_reset();
	return rc;
}
