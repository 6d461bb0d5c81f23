#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/project.h"
#include "core/store.h"
#include "store_test.h"
#include "core/tenant.h"

static int setup(void **state)
{
	struct mlc_store *s = NULL;
	struct mlc_error err = {0};
	if (test_store_open(&s, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	store_free(*state);
	return 0;
}

static void test_migrations_from_empty(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_stmt *st = NULL;
	struct mlc_error err = {0};
	int v = -1, rc;
	const char *tables[] = {"tenants",    "project_links", "secrets", "id_map", "mappings",
				"watermarks", "jobs",          "inbox",   "audit",  "runs"};

	assert_int_equal(store_schema_version(s, &v, &err), 0);
	assert_int_equal(v, store_schema_latest());
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		/* each backend's catalogue: the assertion is the same */
		assert_int_equal(
		    store_prepare(s,
				  test_store_is_pg()
				      ? "SELECT count(*) FROM information_schema.tables "
					"WHERE table_schema = current_schema() AND "
					"table_name = ?"
				      : "SELECT count(*) FROM sqlite_master WHERE "
					"type = 'table' AND name = ?",
				  &st, &err),
		    0);
		stmt_bind_text(st, 1, tables[i]);
		rc = stmt_step(st, &err);
		assert_int_equal(rc, 1);
		if (stmt_col_i64(st, 0) != 1)
			fail_msg("table %s missing", tables[i]);
		stmt_free(st);
	}
	/* applying again is a no-op */
	assert_int_equal(store_migrate(s, &err), 0);
	assert_int_equal(store_schema_version(s, &v, &err), 0);
	assert_int_equal(v, store_schema_latest());
	assert_true(store_ping(s));
}

static void test_newer_schema_refused(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_error err = {0};
	assert_int_equal(
	    store_exec(s, "INSERT INTO schema_version VALUES (999, 'future', 0)", &err), 0);
	assert_true(store_migrate(s, &err) < 0);
	assert_non_null(strstr(err.msg, "newer than this build"));
}

static void test_transactions(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_error err = {0};
	struct mlc_tenant_changes c = {.procore_company_id = 1, .netsuite_account = "1"};
	struct mlc_tenant t;

	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_begin(s, &err), 0); /* nested */
	assert_int_equal(tenant_add(s, "rolled", &c, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	store_rollback(s);
	assert_int_equal(tenant_get(s, "rolled", &t, &err), MLC_ENOTFOUND);
	assert_true(store_commit(s, &err) < 0);
}

/* A COMMIT that fails (here a deferred foreign key) must not leave the
 * transaction open: the rows are gone and the connection takes new work. */
static void test_failed_commit(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_error err = {0};
	struct mlc_stmt *st = NULL;

	if (!test_store_is_pg()) /* PostgreSQL always enforces foreign keys */
		assert_int_equal(store_exec(s, "PRAGMA foreign_keys = ON", &err), 0);
	assert_int_equal(store_exec(s,
				    "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE ch ("
				    "id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id) "
				    "DEFERRABLE INITIALLY DEFERRED)",
				    &err),
			 0);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_exec(s, "INSERT INTO ch VALUES (1, 42)", &err), 0);
	assert_true(store_commit(s, &err) < 0);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_exec(s, "INSERT INTO p VALUES (7)", &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(store_prepare(s,
				       "SELECT (SELECT count(*) FROM ch), (SELECT count(*) FROM p)",
				       &st, &err),
			 0);
	assert_int_equal(stmt_step(st, &err), 1);
	assert_int_equal(stmt_col_i64(st, 0), 0);
	assert_int_equal(stmt_col_i64(st, 1), 1);
	stmt_free(st);
}

static void test_tenants(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_error err = {0};
	struct mlc_tenant t, *list;
	size_t n;
	struct mlc_tenant_changes c = {.procore_company_id = 562949953421312LL,
				       .netsuite_account = "4083091_SB2"};
	char *url;

	assert_int_equal(tenant_add(s, "acme", &c, &err), 0);
	assert_int_equal(tenant_add(s, "acme", &c, &err), MLC_EEXIST);
	assert_non_null(strstr(err.msg, "already exists"));
	assert_int_equal(tenant_add(s, "bad name", &c, &err), MLC_EINVAL);
	c.netsuite_account = "40;DROP";
	assert_int_equal(tenant_add(s, "other", &c, &err), MLC_EINVAL);
	c.netsuite_account = "1234567";
	c.procore_env = "staging";
	assert_int_equal(tenant_add(s, "other", &c, &err), MLC_EINVAL);
	c.procore_env = "sandbox";
	c.netsuite_url = "ftp://x";
	assert_int_equal(tenant_add(s, "other", &c, &err), MLC_EINVAL);
	c.netsuite_url = "http://127.0.0.1:8701";
	assert_int_equal(tenant_add(s, "other", &c, &err), 0);

	assert_int_equal(tenant_get(s, "acme", &t, &err), 0);
	assert_int_equal(t.procore_company_id, 562949953421312LL);
	url = tenant_netsuite_url(&t);
	assert_string_equal(url, "https://4083091-sb2.suitetalk.api.netsuite.com");
	free(url);
	assert_string_equal(tenant_procore_api_url(&t), "https://api.procore.com");
	assert_string_equal(tenant_procore_auth_url(&t), "https://login.procore.com");
	tenant_release(&t);

	assert_int_equal(tenant_get(s, "other", &t, &err), 0);
	url = tenant_netsuite_url(&t);
	assert_string_equal(url, "http://127.0.0.1:8701");
	free(url);
	assert_string_equal(tenant_procore_api_url(&t), "https://sandbox.procore.com");
	tenant_release(&t);

	struct mlc_tenant_changes up = {.procore_api_url = "http://127.0.0.1:8702",
					.procore_company_id = 77};
	assert_int_equal(tenant_update(s, "other", &up, &err), 0);
	assert_int_equal(tenant_get(s, "other", &t, &err), 0);
	assert_int_equal(t.procore_company_id, 77);
	assert_string_equal(tenant_procore_api_url(&t), "http://127.0.0.1:8702");
	assert_string_equal(t.netsuite_account, "1234567"); /* untouched */
	json_object_set_new(t.settings, "je_mode", json_string("daily"));
	assert_int_equal(tenant_set_settings(s, t.id, t.settings, &err), 0);
	tenant_release(&t);
	assert_int_equal(tenant_get(s, "other", &t, &err), 0);
	assert_string_equal(json_string_value(json_object_get(t.settings, "je_mode")), "daily");
	tenant_release(&t);
	assert_int_equal(tenant_update(s, "ghost", &up, &err), MLC_ENOTFOUND);

	assert_int_equal(tenant_list(s, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "acme");
	assert_string_equal(list[1].name, "other");
	tenant_list_free(list, n);

	assert_int_equal(tenant_remove(s, "other", &err), 0);
	assert_int_equal(tenant_remove(s, "other", &err), MLC_ENOTFOUND);
}

static void test_projects(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_error err = {0};
	struct mlc_tenant t;
	struct mlc_tenant_changes c = {.procore_company_id = 5, .netsuite_account = "1"};
	struct mlc_project_link l = {0}, got, *list;
	size_t n;

	assert_int_equal(tenant_add(s, "acme", &c, &err), 0);
	assert_int_equal(tenant_get(s, "acme", &t, &err), 0);
	l.tenant_id = t.id;
	l.procore_project_id = 9007199254740993LL; /* > 2^53 */
	l.netsuite_job_id = 42;
	l.subsidiary_id = 1;
	l.department_id = 3;
	assert_int_equal(project_link(s, &l, &err), 0);
	/* relinking the same Procore project updates it */
	l.class_id = 8;
	assert_int_equal(project_link(s, &l, &err), 0);
	assert_int_equal(project_get(s, t.id, l.procore_project_id, &got, &err), 0);
	assert_int_equal(got.class_id, 8);
	assert_int_equal(got.location_id, 0);
	/* a NetSuite job links to one Procore project only */
	l.procore_project_id = 100;
	assert_int_equal(project_link(s, &l, &err), MLC_EEXIST);
	l.netsuite_job_id = 43;
	assert_int_equal(project_link(s, &l, &err), 0);
	assert_int_equal(project_list(s, t.id, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].procore_project_id, 100);
	assert_int_equal(list[1].procore_project_id, 9007199254740993LL);
	free(list);
	assert_int_equal(project_unlink(s, t.id, 100, &err), 0);
	assert_int_equal(project_unlink(s, t.id, 100, &err), MLC_ENOTFOUND);
	/* removing the tenant cascades to its links */
	assert_int_equal(tenant_remove(s, "acme", &err), 0);
	assert_int_equal(project_list(s, t.id, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	free(list);
	tenant_release(&t);
}

/* Both backends behave alike where callers can tell (issue 22). */

/* A statement that fails inside a transaction fails alone: the
 * transaction goes on and commits what came before and after (SQLite
 * does this; store_pg.c keeps it with a savepoint per statement). */
static void test_failed_statement_keeps_transaction(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_error err = {0};
	struct mlc_stmt *st = NULL;

	assert_int_equal(store_exec(s, "CREATE TABLE u (k TEXT PRIMARY KEY, v BIGINT)", &err), 0);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_exec(s, "INSERT INTO u VALUES ('a', 1)", &err), 0);
	assert_int_equal(store_exec(s, "INSERT INTO u VALUES ('a', 2)", &err), MLC_EEXIST);
	assert_true(store_exec(s, "SELECT nosuch FROM u", &err) < 0);
	assert_int_equal(store_exec(s, "INSERT INTO u VALUES ('b', 3)", &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(store_prepare(s, "SELECT count(*), sum(v) FROM u", &st, &err), 0);
	assert_int_equal(stmt_step(st, &err), 1);
	assert_int_equal(stmt_col_i64(st, 0), 2);
	assert_int_equal(stmt_col_i64(st, 1), 4);
	stmt_free(st);
}

/* '?' inside a string is text; ?N is parameter N, a bare ? the next one;
 * a prepared statement runs again after a reset with new values. */
static void test_placeholders(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_error err = {0};
	struct mlc_stmt *st = NULL;

	assert_int_equal(store_exec(s, "CREATE TABLE p (a TEXT, b BIGINT, c TEXT)", &err), 0);
	assert_int_equal(store_prepare(s, "INSERT INTO p VALUES ('why?', ?2, ?1)", &st, &err), 0);
	for (int i = 1; i <= 3; i++) {
		char t[16];
		snprintf(t, sizeof(t), "row %d", i);
		assert_int_equal(stmt_bind_text(st, 1, t), 0);
		assert_int_equal(stmt_bind_i64(st, 2, i * 10), 0);
		assert_int_equal(stmt_step(st, &err), 0);
		assert_int_equal(store_changes(s), 1);
		assert_int_equal(stmt_reset(st), 0);
	}
	stmt_free(st);
	assert_int_equal(
	    store_prepare(s, "SELECT a, b, c FROM p WHERE b > ? AND c <> ? ORDER BY b", &st, &err),
	    0);
	assert_int_equal(stmt_bind_i64(st, 1, 10), 0);
	assert_int_equal(stmt_bind_text(st, 2, "row 3"), 0);
	assert_int_equal(stmt_step(st, &err), 1);
	assert_string_equal(stmt_col_text(st, 0), "why?");
	assert_int_equal(stmt_col_i64(st, 1), 20);
	assert_string_equal(stmt_col_text(st, 2), "row 2");
	assert_int_equal(stmt_step(st, &err), 0);
	stmt_free(st);
	assert_int_equal(store_exec(s, "UPDATE p SET b = b + 1", &err), 0);
	assert_int_equal(store_changes(s), 3);
}

/* Binary columns keep every byte (NULs too), two in one row at once. */
static void test_blobs(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_error err = {0};
	struct mlc_stmt *st = NULL;
	const unsigned char a[] = {0, 1, 2, 0, 255, '\\', 'x'}, b[] = {9, 0, 9};
	const void *pa, *pb;
	size_t na = 0, nb = 0;

	assert_int_equal(store_exec(s, "CREATE TABLE bl (x BYTEA, y BYTEA, z BYTEA)", &err), 0);
	assert_int_equal(store_prepare(s, "INSERT INTO bl VALUES (?, ?, ?)", &st, &err), 0);
	assert_int_equal(stmt_bind_blob(st, 1, a, sizeof(a)), 0);
	assert_int_equal(stmt_bind_blob(st, 2, b, sizeof(b)), 0);
	assert_int_equal(stmt_bind_null(st, 3), 0);
	assert_int_equal(stmt_step(st, &err), 0);
	stmt_free(st);
	assert_int_equal(store_prepare(s, "SELECT x, y, z FROM bl", &st, &err), 0);
	assert_int_equal(stmt_step(st, &err), 1);
	pa = stmt_col_blob(st, 0, &na);
	pb = stmt_col_blob(st, 1, &nb);
	assert_int_equal(na, sizeof(a));
	assert_int_equal(nb, sizeof(b));
	assert_memory_equal(pa, a, sizeof(a));
	assert_memory_equal(pb, b, sizeof(b));
	assert_true(stmt_col_is_null(st, 2));
	stmt_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_migrations_from_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_statement_keeps_transaction, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_placeholders, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_blobs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tenants, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_projects, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
