/* flows/links.h without the network: availability of a department, class
 * or location to a subsidiary, and the refusal to post a link without one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flows/links.h"

/* subsidiaries 1 <- 2 <- 3 (3's parent is 2, 2's is 1), and 4 alone */
static json_t *tree(void)
{
	return json_pack("{s:I, s:I}", "2", (json_int_t)1, "3", (json_int_t)2);
}

static void test_available_listed(void **state)
{
	json_t *parents = tree();

	(void)state;
	assert_true(links_available("1, 3, 4", false, 3, parents));
	assert_true(links_available("1, 3, 4", false, 4, parents));
	/* a child of a listed subsidiary is not available without include children */
	assert_false(links_available("1", false, 2, parents));
	assert_false(links_available("1, 3", false, 2, parents));
	/* "12" is not "1" or "2" */
	assert_false(links_available("12", false, 2, parents));
	json_decref(parents);
}

static void test_available_children(void **state)
{
	json_t *parents = tree();

	(void)state;
	assert_true(links_available("1", true, 2, parents));
	assert_true(links_available("1", true, 3, parents)); /* grandchild */
	assert_true(links_available("2", true, 3, parents));
	assert_false(links_available("2", true, 1, parents)); /* not upwards */
	assert_false(links_available("1", true, 4, parents)); /* another tree */
	json_decref(parents);
}

static void test_available_unrestricted_and_cycle(void **state)
{
	json_t *loop = json_pack("{s:I, s:I}", "5", (json_int_t)6, "6", (json_int_t)5);

	(void)state;
	/* no subsidiary list: a single-subsidiary account */
	assert_true(links_available(NULL, false, 7, loop));
	assert_true(links_available("", true, 7, loop));
	/* bad data with a cycle ends */
	assert_false(links_available("9", true, 5, loop));
	json_decref(loop);
}

static void test_postable(void **state)
{
	struct mlc_project_link l = {0};
	struct mlc_error err = {0};

	(void)state;
	l.procore_project_id = 2783;
	l.netsuite_job_id = 1442;
	l.department_id = 7;
	l.location_id = 2;
	assert_int_equal(links_postable(&l, "acme", &err), MLC_ECONFIG);
	assert_string_equal(
	    err.msg, "project 2783 -> job 1442: the link has no subsidiary, so NetSuite "
		     "would refuse its journal entries; run `ml-connector project link acme "
		     "--procore-project 2783 --netsuite-job 1442 --department 7 --location 2`, "
		     "which reads it from the job");
	l.subsidiary_id = 1;
	assert_int_equal(links_postable(&l, "acme", &err), MLC_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_available_listed),
	    cmocka_unit_test(test_available_children),
	    cmocka_unit_test(test_available_unrestricted_and_cycle),
	    cmocka_unit_test(test_postable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
