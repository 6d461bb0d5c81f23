/*
 * The purchase-order plan (flows/po_plan.h): a pure function of one PO and
 * its lookups, tested on lookups written out as small tables: every park
 * reason in its order, writes, skips, line deltas and zeroed lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flows/po_plan.h"

/* ---- the other side, as tables ---- */

struct synced_row {
	const char *entity, *key;
	int64_t id;
	char hash[MLC_DIGEST_HEX];
};

#define MAXROWS 16
struct world {
	struct synced_row rows[MAXROWS];
	size_t nrows;
	struct po_synced_line lines[MAXROWS]; /* synced lines of PO 7 */
	size_t nlines;
	int cost_code_calls;
};

static int64_t w_project(void *arg, int64_t job)
{
	(void)arg;
	return job == 10 ? 100 : job == 11 ? 101 : job == 13 ? 666 : 0;
}

static void w_label(void *arg, int64_t project, char *out, size_t n)
{
	(void)arg;
	snprintf(out, n, "P%lld", (long long)project);
}

static bool w_vendor(void *arg, int64_t ns_vendor, int64_t *pc)
{
	(void)arg;
	*pc = ns_vendor == 500 ? 9000 : 0;
	return ns_vendor == 500;
}

static const char *w_seg_code(void *arg, int64_t seg)
{
	(void)arg;
	return seg == 1 ? "03-300" : seg == 2 ? "09-900" : NULL;
}

static int w_cost_code(void *arg, int64_t project, const char *code, int64_t *id,
		       struct mlc_error *err)
{
	struct world *w = arg;
	w->cost_code_calls++;
	*id = 0;
	if (project == 666)
		return error_set(err, MLC_ETRANSIENT, "cost codes unreadable");
	if (strcmp(code, "03-300") == 0)
		*id = project == 100 ? 7001 : 7101;
	return MLC_OK;
}

static int64_t w_item_account(void *arg, int64_t item)
{
	(void)arg;
	return item == 40 ? 60 : 0;
}

static const char *w_account_type(void *arg, int64_t account)
{
	(void)arg;
	return account == 60 ? "M" : account == 61 ? "X" : NULL;
}

static int64_t w_lit(void *arg, const char *type)
{
	(void)arg;
	return strcmp(type, "M") == 0 ? 8001 : 0;
}

static bool w_synced(void *arg, const char *entity, const char *key, int64_t *id,
		     char hash[MLC_DIGEST_HEX])
{
	struct world *w = arg;
	size_t i;

	for (i = 0; i < w->nrows; i++)
		if (strcmp(w->rows[i].entity, entity) == 0 && strcmp(w->rows[i].key, key) == 0) {
			*id = w->rows[i].id;
			memcpy(hash, w->rows[i].hash, MLC_DIGEST_HEX);
			return true;
		}
	*id = 0;
	hash[0] = '\0';
	return false;
}

static size_t w_synced_lines(void *arg, int64_t po, const struct po_synced_line **out)
{
	struct world *w = arg;
	*out = w->lines;
	return po == 7 ? w->nlines : 0;
}

static struct po_lookup lookup(struct world *w)
{
	return (struct po_lookup){
	    .arg = w,
	    .project = w_project,
	    .project_label = w_label,
	    .vendor = w_vendor,
	    .seg_code = w_seg_code,
	    .cost_code = w_cost_code,
	    .item_account = w_item_account,
	    .account_type = w_account_type,
	    .line_item_type = w_lit,
	    .synced = w_synced,
	    .synced_lines = w_synced_lines,
	};
}

static void add_row(struct world *w, const char *entity, const char *key, int64_t id,
		    const char *hash)
{
	struct synced_row *r = &w->rows[w->nrows++];
	r->entity = entity;
	r->key = key;
	r->id = id;
	snprintf(r->hash, sizeof(r->hash), "%s", hash);
}

/* ---- POs ---- */

/* A mappable line: job 10, segment 1, account 60, 12.50 = 2 x 6.25. */
#define GOOD(line_id)                                                                              \
	{                                                                                          \
		.id = (line_id), .job = 10, .cost_seg = 1, .expense_account = 60,                  \
		.has_amount = true, .amount = 1250, .has_qty = true, .qty = 20000,                 \
		.has_rate = true, .rate = 62500, .memo = (char *)"concrete"                        \
	}

static struct ns_po make_po(struct ns_po_line *lines, size_t n)
{
	return (struct ns_po){.id = 7,
			      .vendor_id = 500,
			      .tranid = (char *)"PO-7",
			      .trandate = (char *)"2026-03-01",
			      .status = (char *)"B",
			      .memo = (char *)"slab",
			      .lines = lines,
			      .nlines = n};
}

/* ---- the table: one PO shape, one decision ---- */

struct row {
	const char *name;
	struct ns_po_line lines[2];
	size_t nlines;
	int64_t po_id, vendor; /* 0: the defaults 7 and 500; -1: none */
	enum po_decision want;
	const char *why; /* the park reason, in full */
};

static const struct row rows[] = {
    {"no id", {GOOD(1)}, 1, -1, 0, PO_IGNORE, NULL},
    {"no lines", {GOOD(1)}, 0, 0, 0, PO_PARK, "the purchase order has no lines"},
    {"line without a job",
     {{.id = 1, .cost_seg = 1}},
     1,
     0,
     0,
     PO_PARK,
     "a line has no NetSuite job"},
    {"two jobs",
     {GOOD(1), {.id = 2, .job = 11}},
     2,
     0,
     0,
     PO_PARK,
     "lines are on more than one NetSuite job"},
    {"job not linked",
     {{.id = 1, .job = 12}},
     1,
     0,
     0,
     PO_PARK,
     "NetSuite job 12 is not linked to a Procore project (project link)"},
    {"no vendor", {GOOD(1)}, 1, 0, -1, PO_PARK, "the purchase order has no vendor"},
    {"vendor not linked",
     {GOOD(1)},
     1,
     0,
     501,
     PO_PARK,
     "vendor ns:vendor:501 is not in Procore yet (run the vendors flow or resolve its "
     "review item)"},
    {"malformed ids",
     {{.id = 1, .job = 10, .bad_ids = true}},
     1,
     0,
     0,
     PO_PARK,
     "line has malformed ids"},
    {"no cost code", {{.id = 1, .job = 10}}, 1, 0, 0, PO_PARK, "line 1 has no cost code"},
    {"unknown segment value",
     {{.id = 1, .job = 10, .cost_seg = 3}},
     1,
     0,
     0,
     PO_PARK,
     "NetSuite cost-code segment value 3 is unknown"},
    {"code not in the project",
     {{.id = 1, .job = 10, .cost_seg = 2}},
     1,
     0,
     0,
     PO_PARK,
     "cost code 09-900 has no Procore cost code in project P100"},
    {"account without type",
     {{.id = 4, .job = 10, .cost_seg = 1, .expense_account = 62}},
     1,
     0,
     0,
     PO_PARK,
     "expense account 62 of line 4 has no line item type (mapping cost-type-account)"},
    {"no account, no item",
     {{.id = 4, .job = 10, .cost_seg = 1}},
     1,
     0,
     0,
     PO_PARK,
     "expense account 0 of line 4 has no line item type (mapping cost-type-account)"},
    {"item without account",
     {{.id = 4, .job = 10, .cost_seg = 1, .item = 41}},
     1,
     0,
     0,
     PO_PARK,
     "expense account 0 of line 4 has no line item type (mapping cost-type-account)"},
    {"type without Procore type",
     {{.id = 1, .job = 10, .cost_seg = 1, .expense_account = 61}},
     1,
     0,
     0,
     PO_PARK,
     "Procore has no line item type with code X"},
    {"unreadable decimal",
     {{.id = 1,
       .job = 10,
       .cost_seg = 1,
       .expense_account = 60,
       .defect = (char *)"netamount: 1.234 has more than 2 decimals"}},
     1,
     0,
     0,
     PO_PARK,
     "line 1: netamount: 1.234 has more than 2 decimals"},
    {"no amount",
     {{.id = 1, .job = 10, .cost_seg = 1, .expense_account = 60}},
     1,
     0,
     0,
     PO_PARK,
     "line 1 has no amount"},
    {"one bad line parks the whole PO",
     {GOOD(1), {.id = 2, .job = 10, .cost_seg = 1, .expense_account = 60}},
     2,
     0,
     0,
     PO_PARK,
     "line 2 has no amount"},
    {"new PO", {GOOD(1)}, 1, 0, 0, PO_WRITE, NULL},
    {"new PO, two lines", {GOOD(1), GOOD(2)}, 2, 0, 0, PO_WRITE, NULL},
    {"type through the item",
     {{.id = 1, .job = 10, .cost_seg = 1, .item = 40, .has_amount = true, .amount = -300}},
     1,
     0,
     0,
     PO_WRITE,
     NULL},
};

static void test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *t = &rows[i];
		struct world w = {0};
		struct po_lookup lk = lookup(&w);
		struct ns_po_line lines[2];
		struct ns_po po;
		struct po_plan p;
		struct mlc_error err = {0};

		memcpy(lines, t->lines, sizeof(lines));
		po = make_po(lines, t->nlines);
		if (t->po_id)
			po.id = t->po_id < 0 ? 0 : t->po_id;
		if (t->vendor)
			po.vendor_id = t->vendor < 0 ? 0 : t->vendor;
		assert_int_equal(po_plan_make(&po, &lk, &p, &err), 0);
		if (p.decision != t->want)
			fail_msg("%s: decision %d, wanted %d (%s)", t->name, p.decision, t->want,
				 p.why);
		if (t->why && strcmp(p.why, t->why) != 0)
			fail_msg("%s: why '%s', wanted '%s'", t->name, p.why, t->why);
		if (t->want == PO_WRITE) {
			assert_true(p.header_changed);
			assert_int_equal(p.nlines, t->nlines);
			assert_int_equal(p.header.id, 0);
			assert_int_equal(p.lines[0].line.id, 0);
			assert_int_equal(p.lines[0].line.cost_code_id, 7001);
			assert_int_equal(p.lines[0].line.line_item_type_id, 8001);
		}
		if (t->want != PO_WRITE)
			assert_int_equal(p.nlines, 0);
		po_plan_release(&p);
	}
}

/* A lookup that fails stops the run: an error, not a park. */
static void test_lookup_error(void **state)
{
	struct world w = {0};
	struct po_lookup lk = lookup(&w);
	struct ns_po_line lines[1] = {GOOD(1)};
	struct ns_po po = make_po(lines, 1);
	struct po_plan p;
	struct mlc_error err = {0};

	(void)state;
	lines[0].job = 13;
	assert_int_equal(po_plan_make(&po, &lk, &p, &err), MLC_ETRANSIENT);
	assert_string_equal(err.msg, "cost codes unreadable");
	assert_null(p.lines);
}

static void test_header_and_line_bodies(void **state)
{
	struct world w = {0};
	struct po_lookup lk = lookup(&w);
	struct ns_po_line lines[1] = {GOOD(3)};
	struct ns_po po = make_po(lines, 1);
	struct po_plan p;
	struct mlc_error err = {0};
	json_t *h, *l;

	(void)state;
	assert_int_equal(po_plan_make(&po, &lk, &p, &err), 0);
	assert_int_equal(p.decision, PO_WRITE);
	assert_int_equal(p.project_id, 100);
	assert_string_equal(p.src, "ns:po:7");
	h = pc_commitment_json(&p.header, true);
	assert_string_equal(json_string_value(json_object_get(h, "title")), "PO-7 - slab");
	assert_string_equal(json_string_value(json_object_get(h, "number")), "PO-7");
	assert_string_equal(json_string_value(json_object_get(h, "status")), "Approved");
	assert_string_equal(json_string_value(json_object_get(h, "contract_date")), "2026-03-01");
	assert_int_equal(json_integer_value(json_object_get(h, "vendor_id")), 9000);
	assert_null(json_object_get(h, "id"));
	l = pc_commitment_line_json(&p.lines[0].line, true);
	assert_string_equal(json_string_value(json_object_get(l, "origin_id")), "ns:poline:7:3");
	assert_string_equal(json_string_value(json_object_get(l, "amount")), "12.50");
	assert_string_equal(json_string_value(json_object_get(l, "quantity")), "2");
	assert_string_equal(json_string_value(json_object_get(l, "unit_cost")), "6.25");
	assert_string_equal(json_string_value(json_object_get(l, "description")), "concrete");
	json_decref(h);
	json_decref(l);
	po_plan_release(&p);

	/* no number, no memo: the title says PO */
	po.tranid = NULL;
	po.memo = NULL;
	assert_int_equal(po_plan_make(&po, &lk, &p, &err), 0);
	assert_string_equal(p.title, "PO");
	assert_string_equal(p.header.number, "");
	assert_null(p.header.origin_code);
	po_plan_release(&p);
}

/* Synced with the hashes of this very plan: nothing to send. */
static void sync_all(struct world *w, const struct po_plan *p, int64_t contract)
{
	size_t i;

	add_row(w, "po", "7", contract, p->header_hash);
	for (i = 0; i < p->nlines; i++)
		add_row(w, "poline", p->lines[i].origin + strlen("ns:poline:"), 900 + (int64_t)i,
			p->lines[i].hash);
}

static void test_deltas(void **state)
{
	struct world w = {0};
	struct po_lookup lk = lookup(&w);
	struct ns_po_line lines[2] = {GOOD(1), GOOD(2)};
	struct ns_po po = make_po(lines, 2);
	struct po_plan p, q;
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(po_plan_make(&po, &lk, &p, &err), 0);
	sync_all(&w, &p, 4242);

	/* unchanged: skip, the contract known */
	assert_int_equal(po_plan_make(&po, &lk, &q, &err), 0);
	assert_int_equal(q.decision, PO_SKIP);
	assert_int_equal(q.contract_id, 4242);
	po_plan_release(&q);

	/* header edit only: the header with its id, no line */
	po.memo = (char *)"slab, east";
	assert_int_equal(po_plan_make(&po, &lk, &q, &err), 0);
	assert_int_equal(q.decision, PO_WRITE);
	assert_true(q.header_changed);
	assert_int_equal(q.header.id, 4242);
	assert_int_equal(q.nlines, 0);
	po_plan_release(&q);
	po.memo = (char *)"slab";

	/* one line edited: exactly that line, with its Procore id */
	lines[1].amount = 1300;
	assert_int_equal(po_plan_make(&po, &lk, &q, &err), 0);
	assert_int_equal(q.decision, PO_WRITE);
	assert_false(q.header_changed);
	assert_int_equal(q.nlines, 1);
	assert_string_equal(q.lines[0].line.origin_id, "ns:poline:7:2");
	assert_int_equal(q.lines[0].line.id, 901);
	assert_string_not_equal(q.lines[0].hash, p.lines[1].hash);
	po_plan_release(&q);
	po_plan_release(&p);
}

static void test_removed_lines(void **state)
{
	struct world w = {0};
	struct po_lookup lk = lookup(&w);
	struct ns_po_line lines[1] = {GOOD(1)};
	struct ns_po po = make_po(lines, 1);
	struct po_plan p, q;
	struct mlc_error err = {0};
	json_t *b;

	(void)state;
	assert_int_equal(po_plan_make(&po, &lk, &p, &err), 0);
	sync_all(&w, &p, 4242);
	/* line 1 still there, line 2 gone, line 3 gone and zeroed before, line 4 never confirmed */
	w.lines[0] = (struct po_synced_line){"7:1", 900};
	w.lines[1] = (struct po_synced_line){"7:2", 555};
	w.lines[2] = (struct po_synced_line){"7:3", 556};
	w.lines[3] = (struct po_synced_line){"7:4", 0};
	w.nlines = 4;
	add_row(&w, "poline", "7:2", 555, "abc");
	add_row(&w, "poline", "7:3", 556, PO_LINE_REMOVED);

	lines[0].amount = 999; /* and line 1 edited: zeroed lines come first */
	assert_int_equal(po_plan_make(&po, &lk, &q, &err), 0);
	assert_int_equal(q.decision, PO_WRITE);
	assert_int_equal(q.nlines, 2);
	assert_true(q.lines[0].line.zeroed);
	assert_int_equal(q.lines[0].line.id, 555);
	assert_string_equal(q.lines[0].origin, "ns:poline:7:2");
	assert_string_equal(q.lines[0].hash, PO_LINE_REMOVED);
	b = pc_commitment_line_json(&q.lines[0].line, true);
	assert_string_equal(json_string_value(json_object_get(b, "amount")), "0.00");
	assert_string_equal(json_string_value(json_object_get(b, "quantity")), "0");
	assert_string_equal(json_string_value(json_object_get(b, "unit_cost")), "0.00");
	assert_null(json_object_get(b, "cost_code_id"));
	json_decref(b);
	assert_false(q.lines[1].line.zeroed);
	assert_string_equal(q.lines[1].origin, "ns:poline:7:1");
	assert_int_equal(q.lines[1].line.id, 900);
	po_plan_release(&q);

	/* only the removal left: still a write, header unchanged */
	lines[0].amount = 1250;
	assert_int_equal(po_plan_make(&po, &lk, &q, &err), 0);
	assert_int_equal(q.decision, PO_WRITE);
	assert_false(q.header_changed);
	assert_int_equal(q.nlines, 1);
	assert_true(q.lines[0].line.zeroed);
	po_plan_release(&q);
	po_plan_release(&p);
}

static void test_status(void **state)
{
	static const struct {
		const char *ns, *pc;
	} t[] = {
	    {"P", "Draft"},     {"A", "Submitted"},          {"C", "Draft"},
	    {"B", "Approved"},  {"D", "Partially Received"}, {"E", "Partially Received"},
	    {"F", "Received"},  {"G", "Received"},           {"H", "Closed"},
	    {"Z", "Submitted"}, {"", "Submitted"},           {NULL, "Submitted"},
	    {"X", "Submitted"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_string_equal(po_status(t[i].ns), t[i].pc);
}

/* po_cco_plan: the delta of each changed line against what Procore holds. */
static void test_cco_plan(void **state)
{
	struct po_line_plan lines[4];
	struct po_plan p;
	struct po_cco_write out[4];
	char why[512] = "", n1[96], n2[96];
	static const struct {
		bool zeroed;
		int64_t amount;
		struct po_cco_state st;
		bool written;
		int64_t id, delta;
	} cases[] = {
	    /* raised: 1000.00 held, 1250.50 wanted -> +250.50 on a new line */
	    {false, 125050, {11, 71, 100000, 0, 0}, true, 0, 25050},
	    /* removed: 400.00 held (SOV 300 + earlier order 100) -> -400.00 */
	    {true, 0, {12, 72, 40000, 0, 0}, true, 0, -40000},
	    /* rerun after a lost answer: this order's line already right */
	    {false, 5000, {13, 73, 2000, 901, 3000}, false, 0, 0},
	    /* this order's line is wrong (an earlier, different delta): patched */
	    {false, 5000, {14, 74, 2000, 902, 1000}, true, 902, 3000},
	};
	int n;

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(lines, 0, sizeof(lines));
	p.po_id = 7;
	p.lines = lines;
	p.nlines = 4;
	for (size_t i = 0; i < 4; i++) {
		snprintf(lines[i].origin, sizeof(lines[i].origin), "ns:poline:7:%zu", i + 1);
		lines[i].line.zeroed = cases[i].zeroed;
		lines[i].line.amount = cases[i].amount;
		snprintf(lines[i].hash, sizeof(lines[i].hash), "h%zu", i);
	}
	struct po_cco_state st[4];
	for (size_t i = 0; i < 4; i++)
		st[i] = cases[i].st;
	n = po_cco_plan(&p, st, out, why, sizeof(why));
	assert_int_equal(n, 3);
	int k = 0;
	for (size_t i = 0; i < 4; i++) {
		if (!cases[i].written)
			continue;
		assert_int_equal(out[k].line, i);
		assert_int_equal(out[k].id, cases[i].id);
		assert_int_equal(out[k].delta, cases[i].delta);
		assert_int_equal(out[k].sov_line_id, cases[i].st.sov_line_id);
		assert_int_equal(out[k].wbs_code_id, cases[i].st.wbs_code_id);
		k++;
	}
	/* a new line with no WBS code to carry it parks the PO */
	st[0].wbs_code_id = 0;
	st[0].sov_line_id = 0;
	assert_int_equal(po_cco_plan(&p, st, out, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "ns:poline:7:1"));
	/* the number is stable for one set of changes and moves with them */
	po_cco_number(&p, "PO1001", n1, sizeof(n1));
	po_cco_number(&p, "PO1001", n2, sizeof(n2));
	assert_string_equal(n1, n2);
	assert_int_equal(strncmp(n1, "PO1001-CO-", 10), 0);
	assert_int_equal(strlen(n1), 18);
	snprintf(lines[1].hash, sizeof(lines[1].hash), "changed");
	po_cco_number(&p, "PO1001", n2, sizeof(n2));
	assert_string_not_equal(n1, n2);
	/* in place only while Draft */
	assert_true(po_commitment_editable("Draft"));
	assert_false(po_commitment_editable("Approved"));
	assert_false(po_commitment_editable("Submitted"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_lookup_error),
	    cmocka_unit_test(test_header_and_line_bodies),
	    cmocka_unit_test(test_deltas),
	    cmocka_unit_test(test_removed_lines),
	    cmocka_unit_test(test_status),
	    cmocka_unit_test(test_cco_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
