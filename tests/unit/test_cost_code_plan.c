/*
 * The plan of one cost code (flows/cost_code_plan.h), table-tested: each
 * row is a code's NetSuite value, base and Procore lists, and the verdict,
 * merged state, NetSuite write, conflicts and per-list writes it must give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flows/cost_code_plan.h"
#include "flows/masterdata.h"

#define NS   MD_NETSUITE
#define PC   MD_PROCORE
#define BOTH MD_BOTH

/* lists: L(standard, in_base, name, division_named) */
#define L(st, ib, nm, dv)                                                                          \
	{                                                                                          \
		.standard = (st), .in_base = (ib), .name = (nm), .division_named = (dv)            \
	}

struct row {
	const char *what;
	const char *code;
	enum md_side master, own_name, own_active;
	bool has_ns;
	const char *ns_name;
	bool ns_active;
	bool has_base;
	const char *base_name;
	bool base_active;
	struct ccp_list lists[3];
	size_t nlists;
	/* expected */
	enum ccp_verdict verdict;
	const char *name; /* NULL: not checked (no state planned) */
	bool active;
	enum ccp_ns_op ns;
	bool to_ns_name, to_ns_active;
	bool conflict_name, conflict_active;
	enum ccp_list_op ops[3];
};

/* one row per case, laid out as a table */
/* clang-format off */
static const struct row rows[] = {
	{ "base only, no lists: the base stands for Procore, NetSuite created", "03-300", BOTH, NS,
	  NS, false, NULL, false, true, "Concrete", true, { L(false, false, NULL, false) }, 0,
	  CCP_ONE_SIDED, "Concrete", true, CCP_NS_CREATE, false, false, false, false, { CCP_KEEP } },
	{ "nothing anywhere", "03-300", BOTH, NS, NS, false, NULL, false, false, NULL, false,
	  { L(false, false, NULL, false) }, 1, CCP_GONE, NULL, false, CCP_NS_NONE, false, false,
	  false, false, { CCP_KEEP } },
	{ "new in NetSuite: created in every list", "03-300", BOTH, NS, NS, true, "Concrete", true,
	  false, NULL, false, { L(true, false, NULL, false), L(false, false, NULL, false) }, 2,
	  CCP_ONE_SIDED, "Concrete", true, CCP_NS_NONE, false, false, false, false,
	  { CCP_CREATE, CCP_CREATE } },
	{ "new and inactive in NetSuite: nothing created", "03-300", BOTH, NS, NS, true, "Concrete",
	  false, false, NULL, false, { L(false, false, NULL, false) }, 1, CCP_ONE_SIDED, "Concrete",
	  false, CCP_NS_NONE, false, false, false, false, { CCP_KEEP } },
	{ "new in a project: NetSuite created, other project gets it", "03-300", BOTH, NS, NS,
	  false, NULL, false, false, NULL, false,
	  { L(false, false, "Concrete", false), L(false, false, NULL, false) }, 2, CCP_ONE_SIDED,
	  "Concrete", true, CCP_NS_CREATE, false, false, false, false, { CCP_KEEP, CCP_CREATE } },
	{ "new in a project, NetSuite masters: parked", "03-300", NS, NS, NS, false, NULL, false,
	  false, NULL, false, { L(false, false, "Concrete", false) }, 1, CCP_PARK_PC, NULL, false,
	  CCP_NS_NONE, false, false, false, false, { CCP_KEEP } },
	{ "only in NetSuite, Procore masters: parked", "03-300", PC, NS, NS, true, "Concrete", true,
	  false, NULL, false, { L(false, false, NULL, false) }, 1, CCP_PARK_NS, NULL, false,
	  CCP_NS_NONE, false, false, false, false, { CCP_KEEP } },
	{ "only in NetSuite with a base, Procore masters: not parked", "03-300", PC, NS, NS, true,
	  "Concrete", true, true, "Concrete", true, { L(false, true, NULL, false) }, 1,
	  CCP_MERGED, "Concrete", false, CCP_NS_UPDATE, false, true, false, false, { CCP_KEEP } },
	{ "in sync: nothing to do", "03-300", BOTH, NS, NS, true, "Concrete", true, true, "Concrete",
	  true, { L(true, true, "Concrete", false), L(false, true, "Concrete", false) }, 2,
	  CCP_MERGED, "Concrete", true, CCP_NS_NONE, false, false, false, false,
	  { CCP_KEEP, CCP_KEEP } },
	{ "first sync, same on both sides: linked, no writes", "03-300", BOTH, NS, NS, true,
	  "Concrete", true, false, NULL, false, { L(false, false, "Concrete", false) }, 1,
	  CCP_MERGED, "Concrete", true, CCP_NS_NONE, false, false, false, false, { CCP_KEEP } },
	{ "renamed in NetSuite: every list renamed", "03-300", BOTH, NS, NS, true, "Cast Concrete",
	  true, true, "Concrete", true,
	  { L(true, true, "Concrete", false), L(false, true, "Concrete", false) }, 2, CCP_MERGED,
	  "Cast Concrete", true, CCP_NS_NONE, false, false, false, false,
	  { CCP_RENAME, CCP_RENAME } },
	{ "renamed in one project: NetSuite and the other lists follow", "03-300", BOTH, NS, NS,
	  true, "Concrete", true, true, "Concrete", true,
	  { L(true, true, "Concrete", false), L(false, true, "Poured Concrete", false),
	    L(false, true, "Concrete", false) },
	  3, CCP_MERGED, "Poured Concrete", true, CCP_NS_UPDATE, true, false, false, false,
	  { CCP_RENAME, CCP_KEEP, CCP_RENAME } },
	{ "renamed on both sides: NetSuite owns the name", "03-300", BOTH, NS, NS, true, "NS name",
	  true, true, "Concrete", true, { L(false, true, "PC name", false) }, 1, CCP_MERGED,
	  "NS name", true, CCP_NS_NONE, false, false, true, false, { CCP_RENAME } },
	{ "renamed on both sides, owner procore: Procore's name", "03-300", BOTH, PC, NS, true,
	  "NS name", true, true, "Concrete", true, { L(false, true, "PC name", false) }, 1,
	  CCP_MERGED, "PC name", true, CCP_NS_UPDATE, true, false, true, false, { CCP_KEEP } },
	{ "first sync, names differ: a conflict the owner wins", "03-300", BOTH, NS, NS, true,
	  "NS name", true, false, NULL, false, { L(false, false, "PC name", false) }, 1, CCP_MERGED,
	  "NS name", true, CCP_NS_NONE, false, false, true, false, { CCP_RENAME } },
	{ "deactivated in NetSuite: deleted from every list", "03-300", BOTH, NS, NS, true,
	  "Concrete", false, true, "Concrete", true,
	  { L(true, true, "Concrete", false), L(false, true, "Concrete", false) }, 2, CCP_MERGED,
	  "Concrete", false, CCP_NS_NONE, false, false, false, false, { CCP_DELETE, CCP_DELETE } },
	{ "dropped from one project: NetSuite inactive, others lose it", "03-300", BOTH, NS, NS,
	  true, "Concrete", true, true, "Concrete", true,
	  { L(false, true, NULL, false), L(false, true, "Concrete", false) }, 2, CCP_MERGED,
	  "Concrete", false, CCP_NS_UPDATE, false, true, false, false, { CCP_KEEP, CCP_DELETE } },
	{ "inactive base, a project adds it back: active again", "03-300", BOTH, NS, NS, true,
	  "Concrete", false, true, "Concrete", false,
	  { L(false, false, "Concrete", false), L(false, false, NULL, false) }, 2, CCP_MERGED,
	  "Concrete", true, CCP_NS_UPDATE, false, true, false, false, { CCP_KEEP, CCP_CREATE } },
	{ "a project not in the base lacks it: not a deactivation", "03-300", BOTH, NS, NS, true,
	  "Concrete", true, true, "Concrete", true,
	  { L(false, true, "Concrete", false), L(false, false, NULL, false) }, 2, CCP_MERGED,
	  "Concrete", true, CCP_NS_NONE, false, false, false, false, { CCP_KEEP, CCP_CREATE } },
	{ "first sync, inactive in NetSuite, held in Procore: owner procore wins", "03-300", BOTH,
	  NS, PC, true, "Concrete", false, false, NULL, false,
	  { L(false, false, "Concrete", false), L(false, false, NULL, false) }, 2, CCP_MERGED,
	  "Concrete", true, CCP_NS_UPDATE, false, true, false, true, { CCP_KEEP, CCP_CREATE } },
	{ "first sync, inactive in NetSuite, held in Procore: owner netsuite wins", "03-300", BOTH,
	  NS, NS, true, "Concrete", false, false, NULL, false,
	  { L(false, false, "Concrete", false), L(false, false, NULL, false) }, 2, CCP_MERGED,
	  "Concrete", false, CCP_NS_NONE, false, false, false, true, { CCP_DELETE, CCP_KEEP } },
	{ "master netsuite: NetSuite's name even when only Procore changed", "03-300", NS, PC, PC,
	  true, "Concrete", true, true, "Concrete", true, { L(false, true, "Other", false) }, 1,
	  CCP_MERGED, "Concrete", true, CCP_NS_NONE, false, false, false, false, { CCP_RENAME } },
	{ "master procore: Procore's name even when only NetSuite changed", "03-300", PC, NS, NS,
	  true, "Other", true, true, "Concrete", true, { L(false, true, "Concrete", false) }, 1,
	  CCP_MERGED, "Concrete", true, CCP_NS_UPDATE, true, false, false, false, { CCP_KEEP } },
	{ "a code without division naming a division is not created beside it", "03", BOTH, NS, NS,
	  true, "Sitework", true, false, NULL, false,
	  { L(true, false, NULL, true), L(false, false, NULL, false) }, 2, CCP_ONE_SIDED,
	  "Sitework", true, CCP_NS_NONE, false, false, false, false, { CCP_KEEP, CCP_CREATE } },
	{ "a dashed code is created even beside a division of its name", "03-300", BOTH, NS, NS,
	  true, "Concrete", true, false, NULL, false, { L(false, false, NULL, true) }, 1,
	  CCP_ONE_SIDED, "Concrete", true, CCP_NS_NONE, false, false, false, false, { CCP_CREATE } },
	{ "deleted in NetSuite, still in a project: NetSuite created again", "03-300", BOTH, NS, NS,
	  false, NULL, false, true, "Concrete", true, { L(false, true, "Concrete", false) }, 1,
	  CCP_ONE_SIDED, "Concrete", true, CCP_NS_CREATE, false, false, false, false,
	  { CCP_KEEP } },
	{ "deleted in NetSuite, dropped by its project: inactive, nothing created", "03-300", BOTH,
	  NS, NS, false, NULL, false, true, "Concrete", true, { L(false, true, NULL, false) }, 1,
	  CCP_ONE_SIDED, "Concrete", false, CCP_NS_NONE, false, false, false, false,
	  { CCP_KEEP } },
};
/* clang-format on */

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct ccp_in in = {
		    .code = w->code,
		    .master = w->master,
		    .own_name = w->own_name,
		    .own_active = w->own_active,
		    .has_ns = w->has_ns,
		    .ns_name = w->ns_name,
		    .ns_active = w->ns_active,
		    .has_base = w->has_base,
		    .base_name = w->base_name,
		    .base_active = w->base_active,
		    .lists = w->lists,
		    .nlists = w->nlists,
		};
		struct ccp_plan p;
		enum ccp_list_op ops[3];

		print_message("row %zu: %s\n", i, w->what);
		cost_code_plan(&in, &p, ops);
		assert_int_equal(p.verdict, w->verdict);
		if (w->name) {
			assert_string_equal(p.name, w->name);
			assert_int_equal(p.active, w->active);
		}
		assert_int_equal(p.ns, w->ns);
		assert_int_equal(p.ns_name, w->to_ns_name);
		assert_int_equal(p.ns_active, w->to_ns_active);
		assert_int_equal(p.conflict[CCP_FIELD_NAME], w->conflict_name);
		assert_int_equal(p.conflict[CCP_FIELD_ACTIVE], w->conflict_active);
		for (size_t k = 0; k < w->nlists; k++)
			assert_int_equal(ops[k], w->ops[k]);
	}
}

/*
 * For every merged row, md_merge (flows/masterdata.h) on NetSuite's value,
 * Procore's view and the base gives the plan's state, NetSuite fields and
 * conflicts: the plan's merge is md_merge's on typed values.
 */
static void test_rows_match_md_merge(void **state)
{
	static const struct md_field fields[] = {
	    {"name", MD_NETSUITE}, {"active", MD_NETSUITE}, {NULL, MD_NONE}};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct ccp_in in = {
		    .code = w->code,
		    .master = w->master,
		    .own_name = w->own_name,
		    .own_active = w->own_active,
		    .has_ns = w->has_ns,
		    .ns_name = w->ns_name,
		    .ns_active = w->ns_active,
		    .has_base = w->has_base,
		    .base_name = w->base_name,
		    .base_active = w->base_active,
		    .lists = w->lists,
		    .nlists = w->nlists,
		};
		struct ccp_plan p;
		enum ccp_list_op ops[3];
		struct mlc_session s;
		struct md_merge m;
		json_t *ns, *pc, *base = NULL;

		cost_code_plan(&in, &p, ops);
		if (p.verdict != CCP_MERGED)
			continue;
		print_message("row %zu: %s\n", i, w->what);
		memset(&s, 0, sizeof(s));
		s.tenant.name = (char *)"t";
		s.tenant.settings =
		    json_pack("{s:{s:{s:s, s:s}}}", "owners", "cost_codes", "name",
			      md_side_name(w->own_name), "active", md_side_name(w->own_active));
		ns = json_pack("{s:s, s:b}", "name", w->ns_name, "active", w->ns_active);
		pc = json_pack("{s:s, s:b}", "name", p.pc_name, "active", p.pc_active);
		if (w->has_base)
			base =
			    json_pack("{s:s, s:b}", "name", w->base_name, "active", w->base_active);
		md_merge(&s, "cost_codes", w->master, fields, base, ns, pc, &m);
		assert_string_equal(json_string_value(json_object_get(m.merged, "name")), p.name);
		assert_int_equal(json_is_true(json_object_get(m.merged, "active")), p.active);
		assert_int_equal(json_object_get(m.to_ns, "name") != NULL, p.ns_name);
		assert_int_equal(json_object_get(m.to_ns, "active") != NULL, p.ns_active);
		assert_int_equal(json_array_size(m.conflicts),
				 (size_t)p.conflict[0] + (size_t)p.conflict[1]);
		md_merge_release(&m);
		json_decref(base);
		json_decref(ns);
		json_decref(pc);
		json_decref(s.tenant.settings);
	}
}

/* Procore's view of a parked code is what the review item carries. */
static void test_parked_view(void **state)
{
	struct ccp_list l[2] = {L(false, false, NULL, false), L(false, false, "Masonry", false)};
	struct ccp_in in = {.code = "04-200", .master = NS, .lists = l, .nlists = 2};
	struct ccp_plan p;
	enum ccp_list_op ops[2];

	(void)state;
	cost_code_plan(&in, &p, ops);
	assert_int_equal(p.verdict, CCP_PARK_PC);
	assert_true(p.has_pc);
	assert_string_equal(p.pc_name, "Masonry");
	assert_true(p.pc_active);
	assert_int_equal(ops[0], CCP_KEEP);
	assert_int_equal(ops[1], CCP_KEEP);
}

/* A conflict names the side whose value won. */
static void test_conflict_winner(void **state)
{
	struct ccp_list l[1] = {L(false, true, "PC name", false)};
	struct ccp_in in = {.code = "03-300",
			    .master = BOTH,
			    .own_name = PC,
			    .own_active = NS,
			    .has_ns = true,
			    .ns_name = "NS name",
			    .ns_active = true,
			    .has_base = true,
			    .base_name = "Base",
			    .base_active = true,
			    .lists = l,
			    .nlists = 1};
	struct ccp_plan p;
	enum ccp_list_op ops[1];

	(void)state;
	cost_code_plan(&in, &p, ops);
	assert_true(p.conflict[CCP_FIELD_NAME]);
	assert_int_equal(p.winner[CCP_FIELD_NAME], MD_PROCORE);
	assert_false(p.conflict[CCP_FIELD_ACTIVE]);
	assert_string_equal(ccp_op_name(CCP_RENAME), "rename");
	assert_null(ccp_op_name(CCP_KEEP));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_rows_match_md_merge),
	    cmocka_unit_test(test_parked_view),
	    cmocka_unit_test(test_conflict_winner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
