#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_test.h"

#include "core/mapping.h"
#include "core/tenant.h"
#include "flows/cost_post.h"
#include "flows/journal.h"
#include "util/jsonx.h"

/* test literals for owned-text members, never freed here */
#define S(x) ((char *)(x))

static void test_journal_balance_and_json(void **state)
{
	struct journal j;
	struct je_line l = {.account = 5100, .entity = 42, .department = 3, .memo = S("m")};
	struct mlc_error err = {0};
	json_t *body;
	char *text;
	(void)state;

	journal_init(&j, "pc:8:dc:77", "2026-11-20", 1, "Procore direct cost 77");
	/* 0.10 + 0.20 must be exactly 0.30 */
	journal_add(&j, &l, 10);
	journal_add(&j, &l, 20);
	l.account = 2050;
	journal_add(&j, &l, -30);
	journal_add(&j, &l, 0); /* nothing */
	assert_int_equal(j.nlines, 3);
	assert_int_equal(journal_check(&j, &err), 0);
	journal_collapse(&j);
	assert_int_equal(j.nlines, 2);
	assert_int_equal(j.lines[0].debit, 30);
	body = journal_to_json(&j, "cseg_mlc_costcode");
	text = jsonx_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(strstr(text, "\"debit\":0.30"));
	assert_non_null(strstr(text, "\"credit\":0.30"));
	assert_non_null(strstr(text, "\"account\":{\"id\":\"5100\"}"));
	assert_non_null(strstr(text, "\"externalId\":\"pc:8:dc:77\""));
	free(text);
	json_decref(body);
	/* an unbalanced entry can never pass the check */
	l.account = 5100;
	journal_add(&j, &l, 1);
	assert_int_equal(journal_check(&j, &err), MLC_EINVAL);
	assert_non_null(strstr(err.msg, "does not balance: debits 0.31, credits 0.30"));
	journal_release(&j);
}

static void test_journal_large_and_netting(void **state)
{
	struct journal j;
	struct je_line l = {.account = 5200, .entity = 42};
	struct mlc_error err = {0};
	int64_t d, c;
	(void)state;

	journal_init(&j, "x", "2026-11-20", 1, NULL);
	journal_add(&j, &l, 999999999999LL); /* 9,999,999,999.99 */
	journal_add(&j, &l, 1);
	journal_add(&j, &l, -400); /* a credit memo on the same key */
	l.account = 2050;
	journal_add(&j, &l, -999999999600LL);
	journal_collapse(&j);
	assert_int_equal(j.nlines, 2);
	assert_int_equal(j.lines[0].debit, 999999999600LL);
	assert_int_equal(journal_totals(&j, &d, &c), 0);
	assert_int_equal(d, c);
	assert_int_equal(journal_check(&j, &err), 0);
	journal_release(&j);
}

static void test_cost_posting(void **state)
{
	struct mlc_store *s;
	struct mlc_error err = {0};
	struct mlc_tenant_changes tc = {.procore_company_id = 8, .netsuite_account = "1"};
	struct mlc_tenant t;
	size_t n;
	const char *cc = "cost_code,cost_type,account,department\n03-300,,5200,\n03-300,L,5000,9\n";
	const char *off = "document_type,account\ninvoice,2050\n"
			  "payment_application.debit,1200\npayment_application.credit,4000\n";
	const char *seg = "cost_code,segment_value\n03-300,301\n";
	struct mlc_project_link link = {.netsuite_job_id = 42,
					.subsidiary_id = 1,
					.department_id = 3,
					.class_id = 4,
					.location_id = 5};
	struct canon_cost_line lines[3] = {
	    {.id = 1, .cost_code = S("03-300"), .cost_type = S("M"), .amount = 10},
	    {.id = 2, .cost_code = S("03-300"), .cost_type = S("L"), .amount = 20},
	    {.id = 3, .cost_code = S("09-900"), .cost_type = S("M"), .amount = 5},
	};
	struct canon_cost_doc doc = {.id = 77,
				     .kind = S("direct_cost"),
				     .doc_type = S("invoice"),
				     .number = S("INV-1"),
				     .vendor_name = S("Acme"),
				     .lines = lines,
				     .nlines = 2};
	struct journal j;
	(void)state;

	assert_int_equal(test_store_open(&s, &err), 0);
	assert_int_equal(tenant_add(s, "acme", &tc, &err), 0);
	assert_int_equal(tenant_get(s, "acme", &t, &err), 0);
	assert_int_equal(mapping_import(s, t.id, mapping_kind_find("cost-code-account"), cc,
					strlen(cc), "cc", false, false, &n, &err),
			 0);
	assert_int_equal(mapping_import(s, t.id, mapping_kind_find("offset-account"), off,
					strlen(off), "off", false, false, &n, &err),
			 0);
	assert_int_equal(mapping_import(s, t.id, mapping_kind_find("cost-code-segment"), seg,
					strlen(seg), "seg", false, false, &n, &err),
			 0);
	link.tenant_id = t.id;
	struct cost_post_ctx ctx = {s, t.id, &link, true, "MBG-2401", NULL};

	journal_init(&j, "pc:8:dc:77", "2026-11-20", 1, NULL);
	assert_int_equal(cost_post_lines(&ctx, &doc, &j, &err), 0);
	journal_collapse(&j);
	assert_int_equal(journal_check(&j, &err), 0);
	/* M falls back to the code's default account; L has its own with a department override */
	int found_m = 0, found_l = 0;
	for (size_t i = 0; i < j.nlines; i++) {
		const struct je_line *l = &j.lines[i];
		assert_int_equal(l->entity, 42);
		assert_int_equal(l->segment, 301);
		if (l->account == 5200 && l->debit == 10) {
			found_m = 1;
			assert_int_equal(l->department, 3);
		}
		if (l->account == 5000 && l->debit == 20) {
			found_l = 1;
			assert_int_equal(l->department, 9);
		}
		assert_non_null(strstr(
		    l->memo, "Procore direct cost 77 | project MBG-2401 | inv INV-1 | Acme"));
	}
	assert_true(found_m && found_l);
	journal_release(&j);

	/* one unmapped line parks the whole document, with the reason */
	doc.nlines = 3;
	journal_init(&j, "pc:8:dc:77", "2026-11-20", 1, NULL);
	assert_int_equal(cost_post_lines(&ctx, &doc, &j, &err), MLC_ENOTFOUND);
	assert_non_null(
	    strstr(err.msg, "cost code 09-900 (type M) has no NetSuite expense account"));
	assert_int_equal(j.nlines, 0); /* nothing half-posted */
	journal_release(&j);

	/* unknown direct cost type with no default offset */
	doc.nlines = 1;
	doc.doc_type = S("payroll");
	journal_init(&j, "x", "2026-11-20", 1, NULL);
	assert_int_equal(cost_post_lines(&ctx, &doc, &j, &err), MLC_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no offset account for 'payroll'"));
	journal_release(&j);

	/* payment application: receivable debit, revenue credit */
	doc.kind = S("payment_application");
	journal_init(&j, "pc:8:pa:5", "2026-11-30", 1, NULL);
	assert_int_equal(cost_post_lines(&ctx, &doc, &j, &err), 0);
	assert_int_equal(journal_check(&j, &err), 0);
	assert_int_equal(j.nlines, 2);
	for (size_t i = 0; i < j.nlines; i++)
		assert_true((j.lines[i].account == 1200 && j.lines[i].debit == 10) ||
			    (j.lines[i].account == 4000 && j.lines[i].credit == 10));
	journal_release(&j);
	tenant_release(&t);
	store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_journal_balance_and_json),
	    cmocka_unit_test(test_journal_large_and_netting),
	    cmocka_unit_test(test_cost_posting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
