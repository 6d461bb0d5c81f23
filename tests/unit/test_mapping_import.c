/*
 * Issue 20: `mapping import` at 10,000 rows/s and more.  The figure rests on
 * the import being one store transaction with one insert statement prepared
 * once and stepped per row; these tests assert that shape (counted through a
 * wrapper around the store's backend vtable, src/core/store.h), and that a
 * failure anywhere, even at the 9,999th row, leaves the table as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/mapping.h"
#include "core/store.h"
#include "store_test.h"
#include "core/tenant.h"
#include "util/buf.h"

#define NROWS 10000

/* What the import asked of the backend. */
struct store_calls {
	int begins, commits, rollbacks, prepares, steps;
};

static struct store_calls calls;
static const struct mlc_store_ops *real_ops;
static struct mlc_store_ops counting_ops;

static int counting_exec(struct mlc_store *s, const char *sql, struct mlc_error *err)
{
	if (strncmp(sql, "BEGIN", 5) == 0)
		calls.begins++;
	else if (strcmp(sql, "COMMIT") == 0)
		calls.commits++;
	else if (strcmp(sql, "ROLLBACK") == 0)
		calls.rollbacks++;
	return real_ops->exec(s, sql, err);
}

static int counting_prepare(struct mlc_store *s, const char *sql, struct mlc_stmt **out,
			    struct mlc_error *err)
{
	calls.prepares++;
	return real_ops->prepare(s, sql, out, err);
}

static int counting_step(struct mlc_stmt *st, struct mlc_error *err)
{
	calls.steps++;
	return real_ops->step(st, err);
}

struct fixture {
	struct mlc_store *s;
	int64_t tenant;
	const struct mapping_kind *k;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mlc_error err = {0};
	struct mlc_tenant_changes c = {.procore_company_id = 8, .netsuite_account = "1"};
	struct mlc_tenant t;
	int rc;

	if (!f)
		return -1;
	rc = test_store_open(&f->s, &err);
	if (rc == 0)
		rc = tenant_add(f->s, "acme", &c, &err);
	if (rc == 0)
		rc = tenant_get(f->s, "acme", &t, &err);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err.msg);
		free(f);
		return -1;
	}
	f->tenant = t.id;
	tenant_release(&t);
	f->k = mapping_kind_find("cost-code-account");
	/* count what the backend is asked from here on */
	real_ops = f->s->ops;
	counting_ops = *real_ops;
	counting_ops.exec = counting_exec;
	counting_ops.prepare = counting_prepare;
	counting_ops.step = counting_step;
	f->s->ops = &counting_ops;
	memset(&calls, 0, sizeof(calls));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	f->s->ops = real_ops;
	store_free(f->s);
	free(f);
	return 0;
}

/* A cost-code-account CSV of n rows: row i (1-based) has key "CC-i|L" and
 * account 5000 + i, on file line i + 1; bad_row (0: none) gets account "x". */
static void make_csv(struct mlc_buf *b, int n, int bad_row)
{
	buf_addstr(b, "cost_code,cost_type,account,department\n");
	for (int i = 1; i <= n; i++) {
		if (i == bad_row)
			buf_addf(b, "CC-%d,L,x,\n", i);
		else
			buf_addf(b, "CC-%d,L,%d,%d\n", i, 5000 + i, i % 7 + 1);
	}
}

static int64_t count_rows(struct fixture *f)
{
	struct mlc_error err = {0};
	int64_t n = -1;
	assert_int_equal(mapping_count(f->s, f->tenant, f->k->name, &n, &err), 0);
	return n;
}

static int64_t account_of(struct fixture *f, const char *key)
{
	struct mlc_error err = {0};
	json_t *t = NULL;
	int64_t v;
	assert_int_equal(mapping_get(f->s, f->tenant, f->k->name, key, &t, &err), 0);
	v = json_integer_value(json_object_get(t, "account"));
	json_decref(t);
	return v;
}

/* Three rows stored before the big import, so "nothing changed" is visible. */
static void preload(struct fixture *f)
{
	struct mlc_error err = {0};
	const char *csv = "cost_code,cost_type,account\nOLD-1,L,4001\nOLD-2,L,4002\nCC-5,L,4005\n";
	size_t n = 0;
	assert_int_equal(mapping_import(f->s, f->tenant, f->k, csv, strlen(csv), "old.csv", false,
					false, &n, &err),
			 0);
	assert_int_equal(n, 3);
	memset(&calls, 0, sizeof(calls));
}

static void test_one_transaction_one_statement(void **state)
{
	struct fixture *f = *state;
	struct mlc_buf csv = MLC_BUF_INIT;
	struct mlc_error err = {0};
	size_t n = 0;

	preload(f);
	make_csv(&csv, NROWS, 0);
	assert_int_equal(mapping_import(f->s, f->tenant, f->k, csv.data, csv.len, "big.csv", false,
					false, &n, &err),
			 0);
	assert_int_equal(n, NROWS);
	assert_int_equal(calls.begins, 1);
	assert_int_equal(calls.commits, 1);
	assert_int_equal(calls.rollbacks, 0);
	assert_int_equal(calls.prepares, 1); /* the insert, reused for every row */
	assert_int_equal(calls.steps, NROWS);
	/* CC-5 was stored before: updated, not doubled */
	assert_int_equal(count_rows(f), NROWS + 2);
	assert_int_equal(account_of(f, "CC-5|L"), 5005);
	assert_int_equal(account_of(f, "CC-9999|L"), 5000 + 9999);
	assert_int_equal(account_of(f, "OLD-1|L"), 4001);

	/* --replace: the delete and the inserts share the one transaction */
	memset(&calls, 0, sizeof(calls));
	assert_int_equal(mapping_import(f->s, f->tenant, f->k, csv.data, csv.len, "big.csv", true,
					false, &n, &err),
			 0);
	assert_int_equal(n, NROWS);
	assert_int_equal(calls.begins, 1);
	assert_int_equal(calls.commits, 1);
	assert_int_equal(calls.prepares, 2);
	assert_int_equal(calls.steps, NROWS + 1);
	assert_int_equal(count_rows(f), NROWS);
	buf_release(&csv);
}

/* A store failure while writing row 9,999 rolls every row back, the
 * --replace delete too, and counts nothing. */
static void test_write_failure_at_row_9999_stores_nothing(void **state)
{
	TEST_PG_UNSUPPORTED();
	struct fixture *f = *state;
	struct mlc_buf csv = MLC_BUF_INIT;
	struct mlc_error err = {0};
	size_t n = 99;

	preload(f);
	assert_int_equal(store_exec(f->s,
				    "CREATE TRIGGER fail_9999 BEFORE INSERT ON mappings "
				    "WHEN NEW.source_key = 'CC-9999|L' "
				    "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
				    &err),
			 0);
	memset(&calls, 0, sizeof(calls));
	make_csv(&csv, NROWS, 0);
	assert_true(mapping_import(f->s, f->tenant, f->k, csv.data, csv.len, "big.csv", true, false,
				   &n, &err) < 0);
	assert_non_null(strstr(err.msg, "disk on fire"));
	assert_int_equal(n, 0);
	assert_int_equal(calls.begins, 1);
	assert_int_equal(calls.commits, 0);
	assert_int_equal(calls.rollbacks, 1);
	/* 9,998 rows were inserted before the failure and the delete ran first:
	 * all of it is gone, the table is as it was */
	assert_int_equal(calls.steps, 1 + 9999);
	assert_int_equal(count_rows(f), 3);
	assert_int_equal(account_of(f, "CC-5|L"), 4005);
	assert_int_equal(account_of(f, "OLD-2|L"), 4002);
	assert_false(store_in_transaction(f->s));
	buf_release(&csv);
}

/* A bad value at row 9,999 (file line 10,000) refuses the file whole, with
 * the line, before any transaction is opened. */
static void test_bad_row_9999_refused_whole(void **state)
{
	struct fixture *f = *state;
	struct mlc_buf csv = MLC_BUF_INIT;
	struct mlc_error err = {0};
	size_t n = 99;

	preload(f);
	make_csv(&csv, NROWS, 9999);
	assert_true(mapping_import(f->s, f->tenant, f->k, csv.data, csv.len, "big.csv", true, false,
				   &n, &err) < 0);
	assert_non_null(strstr(err.msg, "big.csv:10000: account:"));
	assert_int_equal(n, 0);
	assert_int_equal(calls.begins, 0);
	assert_int_equal(calls.steps, 0);
	assert_int_equal(count_rows(f), 3);
	assert_int_equal(account_of(f, "CC-5|L"), 4005);

	/* a dry run of the good file validates all of it and touches nothing */
	buf_reset(&csv);
	make_csv(&csv, NROWS, 0);
	memset(&calls, 0, sizeof(calls));
	assert_int_equal(mapping_import(f->s, f->tenant, f->k, csv.data, csv.len, "big.csv", true,
					true, &n, &err),
			 0);
	assert_int_equal(n, NROWS);
	assert_int_equal(calls.begins, 0);
	assert_int_equal(calls.prepares, 0);
	assert_int_equal(count_rows(f), 3);
	buf_release(&csv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_one_transaction_one_statement, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_failure_at_row_9999_stores_nothing, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_bad_row_9999_refused_whole, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
