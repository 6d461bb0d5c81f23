#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flows/accounts.h"
#include "flows/masterdata.h"
#include "util/jsonx.h"

static const struct md_field fields[] = {
    {"name", MD_NETSUITE},
    {"email", MD_PROCORE},
    {NULL, MD_NONE},
};

static json_t *J(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);
	assert_non_null(v);
	return v;
}

static void session_with(struct mlc_session *s, const char *settings)
{
	memset(s, 0, sizeof(*s));
	s->tenant.name = (char *)"t";
	s->tenant.settings = J(settings);
}

static void expect_json(const json_t *got, const char *want)
{
	json_t *w = J(want);
	if (!json_equal((json_t *)got, w)) {
		char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
		fail_msg("got %s, wanted %s", g, want);
	}
	json_decref(w);
}

static void test_merge_one_side_changed(void **state)
{
	struct mlc_session s;
	struct md_merge m;
	json_t *base = J("{\"name\":\"A\",\"email\":\"a@x\"}");
	json_t *ns = J("{\"name\":\"A2\",\"email\":\"a@x\"}");
	json_t *pc = J("{\"name\":\"A\",\"email\":\"b@x\"}");

	(void)state;
	session_with(&s, "{}");
	md_merge(&s, "vendors", MD_BOTH, fields, base, ns, pc, &m);
	/* each side's change goes to the other, no conflict */
	expect_json(m.to_pc, "{\"name\":\"A2\"}");
	expect_json(m.to_ns, "{\"email\":\"b@x\"}");
	expect_json(m.merged, "{\"name\":\"A2\",\"email\":\"b@x\"}");
	assert_int_equal(json_array_size(m.conflicts), 0);
	{
		/* once both sides hold the merged state, merging again writes nothing */
		json_t *merged = json_incref(m.merged);
		md_merge_release(&m);
		md_merge(&s, "vendors", MD_BOTH, fields, merged, merged, merged, &m);
		assert_int_equal(json_object_size(m.to_pc) + json_object_size(m.to_ns), 0);
		md_merge_release(&m);
		json_decref(merged);
	}
	json_decref(base);
	json_decref(ns);
	json_decref(pc);
	json_decref(s.tenant.settings);
}

static void test_merge_conflict_owner(void **state)
{
	struct mlc_session s;
	struct md_merge m;
	json_t *base = J("{\"name\":\"A\",\"email\":\"a@x\"}");
	json_t *ns = J("{\"name\":\"N\",\"email\":\"n@x\"}");
	json_t *pc = J("{\"name\":\"P\",\"email\":\"p@x\"}");

	(void)state;
	session_with(&s, "{}");
	md_merge(&s, "vendors", MD_BOTH, fields, base, ns, pc, &m);
	/* default owners: NetSuite the name, Procore the email */
	expect_json(m.to_pc, "{\"name\":\"N\"}");
	expect_json(m.to_ns, "{\"email\":\"p@x\"}");
	assert_int_equal(json_array_size(m.conflicts), 2);
	expect_json(json_array_get(m.conflicts, 0),
		    "{\"field\":\"name\",\"base\":\"A\",\"netsuite\":\"N\",\"procore\":\"P\","
		    "\"owner\":\"netsuite\",\"value\":\"N\"}");
	md_merge_release(&m);
	json_decref(s.tenant.settings);

	/* a tenant setting moves the owner */
	session_with(&s, "{\"owners\":{\"vendors\":{\"name\":\"procore\"}}}");
	md_merge(&s, "vendors", MD_BOTH, fields, base, ns, pc, &m);
	expect_json(m.to_ns, "{\"name\":\"P\",\"email\":\"p@x\"}");
	assert_int_equal(json_object_size(m.to_pc), 0);
	md_merge_release(&m);
	json_decref(s.tenant.settings);

	/* a single master overrides ownership and reports no conflict */
	session_with(&s, "{}");
	md_merge(&s, "vendors", MD_PROCORE, fields, base, ns, pc, &m);
	expect_json(m.to_ns, "{\"name\":\"P\",\"email\":\"p@x\"}");
	assert_int_equal(json_array_size(m.conflicts), 0);
	md_merge_release(&m);
	/* no base yet and the sides differ: the owner wins, reported */
	md_merge(&s, "vendors", MD_BOTH, fields, NULL, ns, pc, &m);
	assert_int_equal(json_array_size(m.conflicts), 2);
	md_merge_release(&m);
	json_decref(s.tenant.settings);
	json_decref(base);
	json_decref(ns);
	json_decref(pc);
}

static void test_master_setting(void **state)
{
	struct mlc_session s;
	struct mlc_error err = {0};
	enum md_side m;

	(void)state;
	session_with(&s, "{\"master\":{\"budgets\":\"netsuite\",\"vendors\":\"nobody\"}}");
	assert_int_equal(md_master(&s, "budgets", MD_PROCORE, &m, &err), 0);
	assert_int_equal(m, MD_NETSUITE);
	assert_int_equal(md_master(&s, "cost_codes", MD_BOTH, &m, &err), 0);
	assert_int_equal(m, MD_BOTH);
	assert_int_equal(md_master(&s, "vendors", MD_BOTH, &m, &err), MLC_EINVAL);
	assert_non_null(strstr(err.msg, "master.vendors"));
	json_decref(s.tenant.settings);
}

static void test_accounts_check(void **state)
{
	json_t *catalog =
	    J("{\"10\":{\"id\":10,\"inactive\":false,\"summary\":false,\"subsidiaries\":[1,3]},"
	      "\"11\":{\"id\":11,\"inactive\":true,\"summary\":false,\"subsidiaries\":[]},"
	      "\"12\":{\"id\":12,\"inactive\":false,\"summary\":true,\"subsidiaries\":[]},"
	      "\"13\":{\"id\":13,\"inactive\":false,\"summary\":false,\"subsidiaries\":[]}}");
	json_t *maps = J("{\"cost-code-account\":{\"03-300|M\":{\"account\":10},"
			 "\"03-300|L\":{\"account\":11}},"
			 "\"cost-type-account\":{\"S\":{\"account\":12},\"E\":{\"account\":13}},"
			 "\"offset-account\":{\"invoice\":{\"account\":99}}}");
	int64_t subs1[] = {1}, subs2[] = {1, 2};
	json_t *bad;

	(void)state;
	bad = accounts_check(catalog, maps, subs1, 1);
	expect_json(bad, "[{\"kind\":\"cost-code-account\",\"mapping\":\"03-300|L\",\"account\":11,"
			 "\"problem\":\"inactive\"},"
			 "{\"kind\":\"cost-type-account\",\"mapping\":\"S\",\"account\":12,"
			 "\"problem\":\"summary (not postable)\"},"
			 "{\"kind\":\"offset-account\",\"mapping\":\"invoice\",\"account\":99,"
			 "\"problem\":\"no such account\"}]");
	json_decref(bad);
	/* a project in subsidiary 2: account 10 (subsidiaries 1, 3) cannot take its postings */
	bad = accounts_check(catalog, maps, subs2, 2);
	assert_int_equal(json_array_size(bad), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(bad, 0), "problem")),
			    "not available to subsidiary 2");
	json_decref(bad);
	json_decref(catalog);
	json_decref(maps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge_one_side_changed),
	    cmocka_unit_test(test_merge_conflict_owner),
	    cmocka_unit_test(test_master_setting),
	    cmocka_unit_test(test_accounts_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
