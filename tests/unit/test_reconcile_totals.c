/* flows/reconcile_totals.h: sums per (project, code, period), the order of
 * first adding kept, look-ups found by key whatever the order of adding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flows/reconcile_totals.h"

static void test_sums_and_order(void **state)
{
	struct rec_totals t = {0};
	(void)state;

	assert_null(rec_totals_get(&t, 1, "01-100", NULL)); /* empty, never allocated */
	rec_totals_add(&t, 7, "02-200", "2026-03", 1000);
	rec_totals_add(&t, 7, "01-100", "2026-03", 250);
	rec_totals_add(&t, 3, "02-200", "2026-03", -40);
	rec_totals_add(&t, 7, "02-200", "2026-03", 5); /* same key: summed */
	rec_totals_add(&t, 7, "02-200", "2026-04", 9); /* another period */
	rec_totals_add(&t, 7, NULL, NULL, 11);         /* no code, no period */
	rec_totals_add(&t, 7, "", "", 1);              /* the same key as that */
	assert_int_equal(t.n, 5);
	/* the order first added */
	assert_int_equal(t.v[0].project, 7);
	assert_string_equal(t.v[0].code, "02-200");
	assert_string_equal(t.v[0].period, "2026-03");
	assert_int_equal(t.v[0].cents, 1005);
	assert_string_equal(t.v[1].code, "01-100");
	assert_int_equal(t.v[2].project, 3);
	assert_int_equal(t.v[2].cents, -40);
	assert_string_equal(t.v[3].period, "2026-04");
	assert_string_equal(t.v[4].code, "");
	assert_int_equal(t.v[4].cents, 12);
	/* look-ups by key */
	assert_int_equal(rec_totals_cents(&t, 7, "02-200", "2026-03"), 1005);
	assert_int_equal(rec_totals_cents(&t, 7, "02-200", "2026-04"), 9);
	assert_int_equal(rec_totals_cents(&t, 3, "02-200", "2026-03"), -40);
	assert_int_equal(rec_totals_cents(&t, 7, "", NULL), 12);
	assert_int_equal(rec_totals_cents(&t, 3, "01-100", "2026-03"), 0);
	assert_null(rec_totals_get(&t, 7, "02-200", NULL)); /* all periods is its own key */
	assert_null(rec_totals_get(&t, 8, "02-200", "2026-03"));
	assert_non_null(rec_totals_get(&t, 7, "01-100", "2026-03"));
	/* a period is cut to YYYY-MM */
	rec_totals_add(&t, 3, "02-200", "2026-03-15", 40);
	assert_int_equal(t.n, 5);
	assert_int_equal(rec_totals_cents(&t, 3, "02-200", "2026-03"), 0);
	rec_totals_release(&t);
	assert_int_equal(t.n, 0);
	rec_totals_release(&t); /* twice is harmless */
}

/* Many keys added out of order: each found with its own sum (the sorted
 * index stays sorted across growth). */
static void test_many(void **state)
{
	struct rec_totals t = {0};
	char code[16];
	(void)state;

	for (int i = 0; i < 3000; i++) {
		int k = (i * 7919) % 3000;
		snprintf(code, sizeof(code), "c%d", k % 50);
		rec_totals_add(&t, k / 50 + 1, code, NULL, k);
		rec_totals_add(&t, k / 50 + 1, code, NULL, 1);
	}
	assert_int_equal(t.n, 3000);
	for (int k = 0; k < 3000; k++) {
		snprintf(code, sizeof(code), "c%d", k % 50);
		assert_int_equal(rec_totals_cents(&t, k / 50 + 1, code, ""), k + 1);
	}
	for (size_t i = 1; i < t.n; i++) {
		const struct rec_total *a = &t.v[t.by_key[i - 1]], *b = &t.v[t.by_key[i]];
		assert_true(a->project < b->project ||
			    (a->project == b->project && strcmp(a->code, b->code) < 0));
	}
	rec_totals_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_sums_and_order),
					   cmocka_unit_test(test_many)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
