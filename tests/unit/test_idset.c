/* util/idset.h: membership and values across growth, id 0 refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "util/idset.h"

static void test_idset(void **state)
{
	struct mlc_idset s = {0};
	size_t v = 0;
	(void)state;

	assert_false(idset_get(&s, 5, &v)); /* empty, never allocated */
	assert_false(idset_put(&s, 0, 1));  /* 0 is "no id" */
	for (int64_t i = 1; i <= 5000; i++)
		assert_true(idset_put(&s, i * 7919 - 2500000, (size_t)i));
	assert_int_equal(s.n, 5000);
	/* present ones keep their first value */
	assert_false(idset_put(&s, 7919 - 2500000, 99));
	for (int64_t i = 1; i <= 5000; i++) {
		assert_true(idset_get(&s, i * 7919 - 2500000, &v));
		assert_int_equal(v, (size_t)i);
	}
	assert_false(idset_get(&s, 1, NULL));
	assert_false(idset_get(&s, 0, NULL));
	assert_true(idset_get(&s, INT64_MAX, NULL) == false);
	assert_true(idset_put(&s, INT64_MAX, 3));
	assert_true(idset_get(&s, INT64_MAX, &v));
	assert_int_equal(v, 3);
	idset_release(&s);
	assert_int_equal(s.n, 0);
	idset_release(&s); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_idset)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
