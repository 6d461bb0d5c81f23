/*
 * Issue 20, "one store transaction per batch of records with cached
 * prepared statements": store_prepare_cached() (core/store.h) prepares a
 * text once per connection and hands the statement out again, reset and
 * without bindings; a statement still out is never handed out twice; the
 * cache is bounded and freed with the store (the ASan build checks that).
 * Prepares are counted through a wrapper around the backend's vtable.
 * Runs on SQLite and, under the pg label, on PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/store.h"
#include "store_test.h"
#include "util/buf.h"

static int prepares;
static const struct mlc_store_ops *real_ops;
static struct mlc_store_ops counting_ops;

static int counting_prepare(struct mlc_store *s, const char *sql, struct mlc_stmt **out,
			    struct mlc_error *err)
{
	prepares++;
	return real_ops->prepare(s, sql, out, err);
}

static int setup(void **state)
{
	struct mlc_store *s = NULL;
	struct mlc_error err = {0};

	if (test_store_open(&s, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	if (store_exec(s, "CREATE TABLE cache_t (k BIGINT PRIMARY KEY, v TEXT)", &err) < 0 ||
	    store_exec(s, "INSERT INTO cache_t (k, v) VALUES (1, 'one'), (2, 'two'), (3, 'three')",
		       &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		store_free(s);
		return -1;
	}
	real_ops = s->ops;
	counting_ops = *real_ops;
	counting_ops.prepare = counting_prepare;
	s->ops = &counting_ops;
	prepares = 0;
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct mlc_store *s = *state;
	s->ops = real_ops;
	store_free(s);
	return 0;
}

#define SELECT_V "SELECT v FROM cache_t WHERE k = ?"

/* v of key k through the cached statement, "" for none; the statement the
 * call used in *used. */
static void lookup(struct mlc_store *s, int64_t k, char *v, size_t n, struct mlc_stmt **used)
{
	struct mlc_stmt *st = NULL;
	struct mlc_error err = {0};

	assert_int_equal(store_prepare_cached(s, SELECT_V, &st, &err), 0);
	assert_int_equal(stmt_bind_i64(st, 1, k), 0);
	v[0] = '\0';
	if (stmt_step(st, &err) == 1)
		snprintf(v, n, "%s", stmt_col_text(st, 0));
	*used = st;
	stmt_free(st);
}

static void test_prepared_once_reused(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_stmt *a = NULL, *b = NULL;
	char v[32];

	for (int64_t k = 1; k <= 3; k++) {
		lookup(s, k, v, sizeof(v), k == 1 ? &a : &b);
		assert_string_equal(v, k == 1 ? "one" : k == 2 ? "two" : "three");
	}
	assert_int_equal(prepares, 1);
	assert_ptr_equal(a, b);
	assert_int_equal(store_cache_size(s), 1);
	/* a different text is a statement of its own */
	{
		struct mlc_stmt *st = NULL;
		struct mlc_error err = {0};
		assert_int_equal(store_prepare_cached(s, "SELECT count(*) FROM cache_t", &st, &err),
				 0);
		assert_int_equal(stmt_step(st, &err), 1);
		assert_int_equal(stmt_col_i64(st, 0), 3);
		stmt_free(st);
	}
	assert_int_equal(prepares, 2);
	assert_int_equal(store_cache_size(s), 2);
}

/* Handed out again, a statement has no bindings and no rows left over. */
static void test_handed_out_reset(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_stmt *st = NULL;
	struct mlc_error err = {0};

	assert_int_equal(store_prepare_cached(s, SELECT_V, &st, &err), 0);
	assert_int_equal(stmt_bind_i64(st, 1, 2), 0);
	assert_int_equal(stmt_step(st, &err), 1);
	stmt_free(st);
	/* no binding now: k = NULL matches nothing */
	assert_int_equal(store_prepare_cached(s, SELECT_V, &st, &err), 0);
	assert_int_equal(stmt_step(st, &err), 0);
	stmt_free(st);
	/* a scan given back after its first row starts again from the first */
	assert_int_equal(store_prepare_cached(s, "SELECT k FROM cache_t ORDER BY k", &st, &err), 0);
	assert_int_equal(stmt_step(st, &err), 1);
	assert_int_equal(stmt_col_i64(st, 0), 1);
	stmt_free(st);
	assert_int_equal(store_prepare_cached(s, "SELECT k FROM cache_t ORDER BY k", &st, &err), 0);
	assert_int_equal(stmt_step(st, &err), 1);
	assert_int_equal(stmt_col_i64(st, 0), 1);
	assert_int_equal(stmt_step(st, &err), 1);
	assert_int_equal(stmt_col_i64(st, 0), 2);
	stmt_free(st);
	assert_int_equal(prepares, 2);
}

/* A lookup inside a loop over the same text gets a statement of its own:
 * the loop's rows are not lost. */
static void test_in_use_not_shared(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_stmt *outer = NULL, *inner = NULL;
	struct mlc_error err = {0};
	char v[32];
	int rows = 0;

	assert_int_equal(store_prepare_cached(s, SELECT_V, &outer, &err), 0);
	assert_int_equal(stmt_bind_i64(outer, 1, 3), 0);
	while (stmt_step(outer, &err) == 1) {
		assert_string_equal(stmt_col_text(outer, 0), "three");
		lookup(s, 1, v, sizeof(v), &inner);
		assert_string_equal(v, "one");
		assert_ptr_not_equal(inner, outer);
		/* the outer row is still there */
		assert_string_equal(stmt_col_text(outer, 0), "three");
		rows++;
	}
	assert_int_equal(rows, 1);
	stmt_free(outer);
	assert_int_equal(store_cache_size(s), 1);
	assert_int_equal(prepares, 2); /* the cached one and the inner one */
	/* given back, the cached one serves again */
	lookup(s, 2, v, sizeof(v), &inner);
	assert_ptr_equal(inner, outer);
	assert_int_equal(prepares, 2);
}

/* The text is the key, not its address; past STORE_CACHE_MAX texts the
 * statements still work, uncached. */
static void test_key_is_text_and_bounded(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_error err = {0};
	struct mlc_buf sql = MLC_BUF_INIT;
	struct mlc_stmt *st = NULL;

	for (int i = 0; i < STORE_CACHE_MAX + 10; i++) {
		buf_reset(&sql);
		buf_addf(&sql, "SELECT %d + k FROM cache_t WHERE k = 1", i);
		assert_int_equal(store_prepare_cached(s, sql.data, &st, &err), 0);
		assert_int_equal(stmt_step(st, &err), 1);
		assert_int_equal(stmt_col_i64(st, 0), i + 1);
		stmt_free(st);
	}
	assert_int_equal(store_cache_size(s), STORE_CACHE_MAX);
	assert_int_equal(prepares, STORE_CACHE_MAX + 10);
	/* the same texts again, rebuilt in the buffer: the cached ones are
	 * found, the rest prepared again */
	prepares = 0;
	for (int i = 0; i < STORE_CACHE_MAX + 10; i++) {
		buf_reset(&sql);
		buf_addf(&sql, "SELECT %d + k FROM cache_t WHERE k = 1", i);
		assert_int_equal(store_prepare_cached(s, sql.data, &st, &err), 0);
		assert_int_equal(stmt_step(st, &err), 1);
		assert_int_equal(stmt_col_i64(st, 0), i + 1);
		stmt_free(st);
	}
	assert_int_equal(prepares, 10);
	buf_release(&sql);
}

/* Writes through a cached statement inside transactions: a rollback undoes
 * them and the statement serves the next transaction. */
static void test_writes_in_transactions(void **state)
{
	struct mlc_store *s = *state;
	struct mlc_error err = {0};
	struct mlc_stmt *st = NULL;
	const char *ins = "INSERT INTO cache_t (k, v) VALUES (?, ?)";
	char v[32];
	struct mlc_stmt *used;

	for (int round = 0; round < 2; round++) {
		assert_int_equal(store_begin(s, &err), 0);
		for (int64_t k = 10; k < 20; k++) {
			assert_int_equal(store_prepare_cached(s, ins, &st, &err), 0);
			assert_int_equal(stmt_bind_i64(st, 1, k), 0);
			assert_int_equal(stmt_bind_text(st, 2, round ? "kept" : "undone"), 0);
			assert_int_equal(stmt_step(st, &err), 0);
			stmt_free(st);
		}
		if (round)
			assert_int_equal(store_commit(s, &err), 0);
		else
			store_rollback(s);
	}
	lookup(s, 15, v, sizeof(v), &used);
	assert_string_equal(v, "kept");
	/* a unique violation leaves the statement usable */
	assert_int_equal(store_prepare_cached(s, ins, &st, &err), 0);
	stmt_bind_i64(st, 1, 15);
	stmt_bind_text(st, 2, "again");
	assert_int_equal(stmt_step(st, &err), MLC_EEXIST);
	stmt_free(st);
	assert_int_equal(store_prepare_cached(s, ins, &st, &err), 0);
	stmt_bind_i64(st, 1, 30);
	stmt_bind_text(st, 2, "thirty");
	assert_int_equal(stmt_step(st, &err), 0);
	stmt_free(st);
	lookup(s, 30, v, sizeof(v), &used);
	assert_string_equal(v, "thirty");
	assert_int_equal(prepares, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_prepared_once_reused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handed_out_reset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_in_use_not_shared, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_is_text_and_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_writes_in_transactions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
