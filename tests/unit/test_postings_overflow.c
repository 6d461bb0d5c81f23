/*
 * The posting ledger (core/postings.h) sums the rows of one entry that
 * share a source_ref; SQLite would turn an integer sum that overflows into
 * a REAL.  An entry whose sum does not fit is refused whole, naming the
 * amount, and the rows stored before stay as they were.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/postings.h"
#include "core/store.h"
#include "store_test.h"
#include "core/tenant.h"

struct fixture {
	struct mlc_store *s;
	int64_t tenant;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mlc_error err = {0};
	struct mlc_tenant_changes c = {.procore_company_id = 8, .netsuite_account = "1"};
	struct mlc_tenant t;

	if (test_store_open(&f->s, &err) < 0 || tenant_add(f->s, "acme", &c, &err) < 0 ||
	    tenant_get(f->s, "acme", &t, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	f->tenant = t.id;
	tenant_release(&t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_free(f->s);
	free(f);
	return 0;
}

static json_t *row(const char *ref, int64_t amount)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:I}", "source_ref", ref,
			 "doc_ref", "pc:8:dc:77", "period", "2026-02", "project_id", (json_int_t)8,
			 "doc_type", "direct_cost", "cost_code", "03-300", "cost_type", "M",
			 "account", (json_int_t)5100, "amount", (json_int_t)amount, "doc_id",
			 (json_int_t)77);
}

static int64_t stored_amount(struct fixture *f, size_t *n)
{
	json_t *rows = NULL;
	struct mlc_error err = {0};
	int64_t a;

	assert_int_equal(postings_for_doc(f->s, f->tenant, "pc:8:dc:77", &rows, &err), MLC_OK);
	*n = json_array_size(rows);
	a = *n ? json_integer_value(json_object_get(json_array_get(rows, 0), "amount")) : 0;
	json_decref(rows);
	return a;
}

static void test_upsert_sum_overflow_refused(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	json_t *good = json_array(), *bad = json_array();
	size_t n;

	json_array_append_new(good, row("pc:8:dcline:1", INT64_MAX - 1));
	json_array_append_new(good, row("pc:8:dcline:1", 1)); /* fits: summed to INT64_MAX */
	assert_int_equal(postings_replace_je(f->s, f->tenant, "pc:8:dc:77", good, &err), MLC_OK);
	assert_true(stored_amount(f, &n) == INT64_MAX);
	assert_int_equal(n, 1);

	json_array_append_new(bad, row("pc:8:dcline:1", INT64_MAX));
	json_array_append_new(bad, row("pc:8:dcline:2", 5));
	json_array_append_new(bad, row("pc:8:dcline:1", 1));
	assert_int_equal(postings_replace_je(f->s, f->tenant, "pc:8:dc:77", bad, &err), MLC_ERANGE);
	assert_string_equal(err.msg, "journal entry pc:8:dc:77: amount 0.01 of pc:8:dcline:1 "
				     "overflows its sum");
	/* nothing replaced: the entry stored before is whole */
	assert_true(stored_amount(f, &n) == INT64_MAX);
	assert_int_equal(n, 1);
	json_decref(good);
	json_decref(bad);
}

static void test_negative_sum_overflow_refused(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	json_t *bad = json_array();
	size_t n;

	json_array_append_new(bad, row("pc:8:dcline:3", INT64_MIN));
	json_array_append_new(bad, row("pc:8:dcline:3", -1));
	assert_int_equal(postings_replace_je(f->s, f->tenant, "pc:8:dc:78", bad, &err), MLC_ERANGE);
	assert_non_null(strstr(err.msg, "amount -0.01 of pc:8:dcline:3"));
	json_decref(bad);
	(void)stored_amount(f, &n);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_upsert_sum_overflow_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_negative_sum_overflow_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
