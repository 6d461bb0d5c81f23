/*
 * procore/pc_costs.h, pc_costs_canon: which listed direct costs become
 * documents to post (approved, not deleted, dated) and how their lines
 * are attached (in list order, by holder), and a line that is not money.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "procore/pc_costs.h"

#define S(x) ((char *)(x))

static void test_canon(void **state)
{
	struct pc_cost_head h[] = {
	    {.doc = {.id = 1, .date = S("2026-02-01"), .doc_type = S("invoice")}, .approved = true},
	    {.doc = {.id = 2, .date = S("2026-02-02")}, .approved = false},
	    {.doc = {.id = 3, .date = S("2026-02-03")}, .approved = true, .deleted = true},
	    {.doc = {.id = 4, .date = NULL}, .approved = true},
	    {.doc = {.id = 5, .date = S("2026-02-05")}, .approved = true},
	};
	struct pc_cost_line l[] = {
	    {.holder = 5, .id_ok = true, .line = {.id = 50, .amount = 7, .cost_code = S("09-900")}},
	    {.holder = 1,
	     .id_ok = true,
	     .line = {.id = 10, .amount = 100, .cost_code = S("03-300")}},
	    {.holder = 2, .id_ok = true, .line = {.id = 20, .amount = 1}},
	    {.holder = 1, .id_ok = true, .line = {.id = 11, .amount = -30, .cost_type = S("L")}},
	};
	struct pc_cost_heads heads = {h, 5};
	struct pc_cost_lines lines = {l, 4};
	struct canon_cost_doc *docs = NULL;
	struct mlc_error err = {0};
	size_t n = 0;
	(void)state;

	assert_int_equal(pc_costs_canon(&heads, &lines, &docs, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(docs[0].id, 1);
	assert_string_equal(docs[0].doc_type, "invoice");
	assert_int_equal(docs[0].nlines, 2);
	assert_int_equal(docs[0].lines[0].id, 10);
	assert_string_equal(docs[0].lines[0].cost_code, "03-300");
	assert_int_equal(docs[0].lines[1].amount, -30);
	assert_string_equal(docs[0].lines[1].cost_type, "L");
	assert_ptr_not_equal(docs[0].lines[1].cost_type, l[3].line.cost_type); /* copied */
	assert_int_equal(docs[1].id, 5);
	assert_int_equal(docs[1].nlines, 1);
	for (size_t i = 0; i < n; i++)
		canon_cost_doc_release(&docs[i]);
	free(docs);

	/* a bad amount on a posted document stops it, naming the document */
	l[3].error = S("'x' is not an amount");
	assert_int_equal(pc_costs_canon(&heads, &lines, &docs, &n, &err), MLC_EINVAL);
	assert_null(docs);
	assert_int_equal(n, 0);
	assert_string_equal(err.msg, "direct cost 1 line: 'x' is not an amount");
	/* on a document that is not posted it does not matter */
	l[3].error = NULL;
	l[2].error = S("'y' is not an amount");
	assert_int_equal(pc_costs_canon(&heads, &lines, &docs, &n, &err), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++)
		canon_cost_doc_release(&docs[i]);
	free(docs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_canon)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
