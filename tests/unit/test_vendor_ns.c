/*
 * Typed NetSuite vendors (netsuite/ns_vendors.h, flows/vendor_ns.h): each
 * row read into a record gives the same view and name as the row itself
 * gave (flows/vendor_fields.h vendor_view_ns), and a page keeps its order
 * with a bad id read as 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flows/vendor_fields.h"
#include "flows/vendor_ns.h"
#include "netsuite/ns_vendors.h"
#include "util/jsonx.h"

/* SuiteQL rows as NetSuite sends them (ids as text, booleans as "T"/"F"). */
static const char *const rows_json[] = {
    "{\"id\": \"7\", \"entityid\": \"V7\", \"companyname\": \"Acme Steel\", \"isinactive\": \"F\","
    " \"email\": \"ap@acme.test\", \"phone\": \"555-0100\", \"externalid\": null,"
    " \"lastmodified\": \"2026-03-01 10:00:00\"}",
    /* inactive, no company name: the entity id names it; blanks are nulls */
    "{\"id\": \"8\", \"entityid\": \"Bolt Co\", \"companyname\": \"\", \"isinactive\": \"T\","
    " \"email\": \"\", \"phone\": null, \"externalid\": \"pc:8:vendor:41\"}",
    /* booleans as JSON, an integer id */
    "{\"id\": 9, \"entityid\": \"V9\", \"companyname\": \"Crane Ltd\", \"isinactive\": true}",
    /* nothing to name it by */
    "{\"id\": \"10\"}",
    /* not an id */
    "{\"id\": \"x1\", \"companyname\": \"Broken\"}",
};

#define NROWS (sizeof(rows_json) / sizeof(rows_json[0]))

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);
	assert_non_null(v);
	return v;
}

static void test_view_as_from_the_row(void **state)
{
	(void)state;

	for (size_t i = 0; i < NROWS; i++) {
		json_t *row = load(rows_json[i]);
		json_t *want = vendor_view_ns(row), *got;
		struct ns_vendor nv;

		ns_vendor_from_row(row, &nv);
		got = vendor_view_of_ns(&nv);
		if (!json_equal(want, got)) {
			char *a = json_dumps(want, JSON_SORT_KEYS),
			     *b = json_dumps(got, JSON_SORT_KEYS);
			fail_msg("row %zu: view %s, typed %s", i, a, b);
		}
		assert_string_equal(vendor_ns_name(&nv), jsonx_str(want, "name"));
		json_decref(want);
		json_decref(got);
		json_decref(row);
		ns_vendor_release(&nv);
	}
}

static void test_page_typed_in_order(void **state)
{
	struct ns_vendors l = {0};
	json_t *page = json_array();
	(void)state;

	for (size_t i = 0; i < NROWS; i++)
		json_array_append_new(page, load(rows_json[i]));
	ns_vendors_add_rows(&l, page);
	ns_vendors_add_rows(&l, page); /* a second page appends */
	json_decref(page);
	assert_int_equal(l.n, 2 * NROWS);
	assert_int_equal(l.v[0].id, 7);
	assert_string_equal(l.v[0].lastmodified, "2026-03-01 10:00:00");
	assert_false(l.v[0].inactive);
	assert_null(l.v[0].externalid);
	assert_int_equal(l.v[1].id, 8);
	assert_true(l.v[1].inactive);
	assert_string_equal(l.v[1].externalid, "pc:8:vendor:41");
	assert_null(l.v[1].lastmodified);
	assert_int_equal(l.v[2].id, 9);
	assert_true(l.v[2].inactive);
	assert_int_equal(l.v[3].id, 10);
	assert_string_equal(vendor_ns_name(&l.v[3]), "");
	assert_int_equal(l.v[4].id, 0); /* not an id: the flows skip it */
	assert_int_equal(l.v[NROWS].id, 7);
	ns_vendors_release(&l);
	assert_int_equal(l.n, 0);
	ns_vendors_release(&l); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_view_as_from_the_row),
	    cmocka_unit_test(test_page_typed_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
