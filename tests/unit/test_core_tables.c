#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/audit.h"
#include "core/idmap.h"
#include "core/jobs.h"
#include "core/mapping.h"
#include "core/review.h"
#include "core/store.h"
#include "store_test.h"
#include "core/tenant.h"
#include "core/watermark.h"
#include "util/digest.h"
#include "util/time.h"
#include "util/jsonx.h"

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

static void test_idmap(void **state)
{
	struct fixture *f = *state;
	struct mlc_idmap_entry e;
	struct mlc_error err = {0};
	char h[MLC_DIGEST_HEX], h2[MLC_DIGEST_HEX];
	json_t *a = json_pack("{s:s, s:i}", "name", "Acme", "n", 1);
	json_t *b = json_pack("{s:i, s:s}", "n", 1, "name", "Acme");

	digest_json(a, h);
	digest_json(b, h2);
	assert_string_equal(h, h2); /* key order does not matter */
	json_object_set_new(b, "n", json_integer(2));
	digest_json(b, h2);
	assert_string_not_equal(h, h2);

	assert_int_equal(idmap_by_netsuite(f->s, f->tenant, "vendor", "1234", &e, &err),
			 MLC_ENOTFOUND);
	/* first seen from NetSuite only */
	assert_int_equal(idmap_put(f->s, f->tenant, "vendor", "1234", NULL, NULL, &err), 0);
	/* then linked to Procore with the synced hash */
	assert_int_equal(idmap_put(f->s, f->tenant, "vendor", "1234", "9007199254740993", h, &err),
			 0);
	assert_int_equal(idmap_by_procore(f->s, f->tenant, "vendor", "9007199254740993", &e, &err),
			 0);
	assert_string_equal(e.netsuite_key, "1234");
	assert_string_equal(e.content_hash, h);
	idmap_entry_release(&e);
	/* a different record claiming both keys of two rows is a conflict */
	assert_int_equal(idmap_put(f->s, f->tenant, "vendor", "555", NULL, NULL, &err), 0);
	assert_int_equal(idmap_put(f->s, f->tenant, "vendor", "555", "9007199254740993", h, &err),
			 MLC_EEXIST);
	/* other entities are separate namespaces */
	assert_int_equal(idmap_put(f->s, f->tenant, "po", "1234", "1", NULL, &err), 0);
	json_decref(a);
	json_decref(b);
}

static void test_watermarks(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	char *v;

	assert_int_equal(watermark_get(f->s, f->tenant, "costs", "2783", &v, &err), 0);
	assert_null(v);
	assert_int_equal(
	    watermark_set(f->s, f->tenant, "costs", "2783", "2026-11-01T00:00:00Z", &err), 0);
	assert_int_equal(
	    watermark_set(f->s, f->tenant, "costs", "2783", "2026-11-02T00:00:00Z", &err), 0);
	assert_int_equal(
	    watermark_set(f->s, f->tenant, "vendors", NULL, "2026-10-01T00:00:00Z", &err), 0);
	assert_int_equal(watermark_get(f->s, f->tenant, "costs", "2783", &v, &err), 0);
	assert_string_equal(v, "2026-11-02T00:00:00Z");
	free(v);
	assert_int_equal(watermark_clear(f->s, f->tenant, "costs", &err), 0);
	assert_int_equal(watermark_get(f->s, f->tenant, "costs", "2783", &v, &err), 0);
	assert_null(v);
	assert_int_equal(watermark_get(f->s, f->tenant, "vendors", "", &v, &err), 0);
	assert_non_null(v);
	free(v);
}

static void test_audit(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	int64_t run;
	json_t *rows, *payload = json_pack("{s:s}", "amount", "12.50");
	struct mlc_audit_rec r = {.tenant_id = f->tenant,
				  .flow = "costs",
				  .entity = "direct_cost",
				  .action = "create",
				  .source_ref = "pc:8:dc:77",
				  .target_ref = "ns:je:5",
				  .result = "ok",
				  .payload = payload};

	assert_int_equal(run_start(f->s, f->tenant, "costs", "cli", &run, &err), 0);
	r.run_id = run;
	assert_int_equal(audit_write(f->s, &r, &err), 0);
	r.source_ref = "pc:8:dc:78";
	r.result = "error";
	r.error = "unmapped cost code 03-300";
	assert_int_equal(audit_write(f->s, &r, &err), 0);
	assert_int_equal(run_finish(f->s, run, "partial", NULL, &err), 0);

	struct mlc_audit_filter flt = {.result = "error"};
	assert_int_equal(audit_query(f->s, f->tenant, &flt, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "error")),
			    "unmapped cost code 03-300");
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(json_array_get(rows, 0), "payload"), "amount")),
			    "12.50");
	json_decref(rows);
	struct mlc_audit_filter all = {0};
	assert_int_equal(audit_query(f->s, f->tenant, &all, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), 2);
	/* newest first */
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(rows, 0), "source_ref")),
	    "pc:8:dc:78");
	json_decref(rows);
	/* retention: nothing is older than an hour ago; everything is older than tomorrow */
	int64_t gone = -1;
	assert_int_equal(audit_prune(f->s, time_now_ms() - 3600000, &gone, &err), 0);
	assert_int_equal(gone, 0);
	assert_int_equal(audit_prune(f->s, time_now_ms() + 86400000, &gone, &err), 0);
	assert_int_equal(gone, 3); /* two audit rows and the finished run */
	assert_int_equal(audit_query(f->s, f->tenant, &all, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
	json_decref(payload);
}

static void test_jobs(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	struct mlc_job j;
	int64_t id, id2, n;
	json_t *p = json_pack("{s:s}", "flow", "costs");

	assert_int_equal(
	    job_enqueue(f->s, f->tenant, "sync", p, "sync:acme:costs", 1000, &id, &err), 0);
	/* same dedupe key while pending: same job */
	assert_int_equal(
	    job_enqueue(f->s, f->tenant, "sync", p, "sync:acme:costs", 500, &id2, &err), 0);
	assert_int_equal(id, id2);
	/* not due yet at t=400 */
	assert_int_equal(job_lease(f->s, "w1", 400, 30000, &j, &err), 0);
	assert_int_equal(job_lease(f->s, "w1", 600, 30000, &j, &err), 1);
	assert_int_equal(j.id, id);
	assert_int_equal(j.attempts, 1);
	assert_string_equal(json_string_value(json_object_get(j.payload, "flow")), "costs");
	job_release(&j);
	/* held: nobody else gets it until the lease expires */
	assert_int_equal(job_lease(f->s, "w2", 700, 30000, &j, &err), 0);
	/* w1 died; after the lease w2 takes it */
	assert_int_equal(job_lease(f->s, "w2", 600 + 30001, 30000, &j, &err), 1);
	assert_int_equal(j.attempts, 2);
	job_release(&j);
	/* w1 can no longer complete what it lost */
	assert_int_equal(job_complete(f->s, id, "w1", &err), MLC_ESTATE);
	assert_int_equal(job_fail(f->s, id, "w2", "HTTP 503", 90000, &err), 0);
	assert_int_equal(job_count(f->s, "queued", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(job_lease(f->s, "w2", 90000, 30000, &j, &err), 1);
	job_release(&j);
	assert_int_equal(job_complete(f->s, id, "w2", &err), 0);
	assert_int_equal(job_count(f->s, "done", &n, &err), 0);
	assert_int_equal(n, 1);
	/* the key is free again once done */
	assert_int_equal(job_enqueue(f->s, f->tenant, "sync", p, "sync:acme:costs", 0, &id2, &err),
			 0);
	assert_true(id2 != id);
	/* permanent failure -> dead letter; replay requeues */
	assert_int_equal(job_lease(f->s, "w3", 100000, 30000, &j, &err), 1);
	job_release(&j);
	assert_int_equal(job_fail(f->s, id2, "w3", "400 invalid", -1, &err), 0);
	assert_int_equal(job_count(f->s, "dead", &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(job_requeue(f->s, id2, 100001, &err), 0);
	assert_int_equal(job_requeue(f->s, id2, 100001, &err), MLC_ENOTFOUND);
	assert_int_equal(job_lease(f->s, "w3", 100002, 30000, &j, &err), 1);
	assert_int_equal(j.attempts, 1);
	job_release(&j);
	/* shutdown hands a job back without spending an attempt */
	assert_int_equal(job_release_lease(f->s, id2, "w3", &err), 0);
	assert_int_equal(job_lease(f->s, "w4", 100003, 30000, &j, &err), 1);
	assert_int_equal(j.attempts, 1);
	job_release(&j);
	json_decref(p);
}

static void test_jobs_serial(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	struct mlc_job j;
	int64_t a, b, c;

	assert_int_equal(job_enqueue(f->s, f->tenant, "sync", NULL, "sync:acme:costs", 0, &a, &err),
			 0);
	assert_int_equal(job_lease(f->s, "w1", 10, 60000, &j, &err), 1);
	assert_int_equal(j.id, a);
	job_release(&j);
	/* an event during the run queues one more run, not zero, not two */
	assert_int_equal(job_enqueue(f->s, f->tenant, "sync", NULL, "sync:acme:costs", 0, &b, &err),
			 0);
	assert_true(b != a);
	assert_int_equal(job_enqueue(f->s, f->tenant, "sync", NULL, "sync:acme:costs", 0, &c, &err),
			 0);
	assert_int_equal(c, b);
	/* the heartbeat keeps the lease; only its holder may renew it */
	assert_int_equal(job_extend(f->s, a, "w1", 10 + 120000, &err), 0);
	assert_int_equal(job_extend(f->s, a, "w9", 10 + 120000, &err), MLC_ESTATE);
	assert_int_equal(job_lease(f->s, "w3", 10 + 90000, 60000, &j, &err), 0); /* still held */
	/* but it waits for its twin to finish */
	assert_int_equal(job_lease(f->s, "w2", 20, 60000, &j, &err), 0);
	assert_int_equal(job_complete(f->s, a, "w1", &err), 0);
	assert_int_equal(job_lease(f->s, "w2", 30, 60000, &j, &err), 1);
	assert_int_equal(j.id, b);
	job_release(&j);
}

static void test_mappings(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	const struct mapping_kind *k = mapping_kind_find("cost-code-account");
	const char *csv = "cost_code,cost_type,account,department\n"
			  "03-300,,5300,\n"
			  "03-300,L,5100,4\n"
			  "\"09-900\",M,5200,\n";
	size_t n;
	json_t *t;
	struct mlc_buf out = MLC_BUF_INIT;
	int64_t count;

	assert_non_null(k);
	assert_int_equal(
	    mapping_import(f->s, f->tenant, k, csv, strlen(csv), "cc.csv", false, false, &n, &err),
	    0);
	assert_int_equal(n, 3);
	assert_int_equal(mapping_get(f->s, f->tenant, "cost-code-account", "03-300|L", &t, &err),
			 0);
	assert_int_equal(json_integer_value(json_object_get(t, "account")), 5100);
	assert_int_equal(json_integer_value(json_object_get(t, "department")), 4);
	json_decref(t);
	assert_int_equal(mapping_get(f->s, f->tenant, "cost-code-account", "03-300|", &t, &err), 0);
	assert_null(json_object_get(t, "department")); /* optional and empty: left out */
	json_decref(t);
	assert_int_equal(mapping_get(f->s, f->tenant, "cost-code-account", "99-999|", &t, &err),
			 MLC_ENOTFOUND);
	assert_null(t);

	/* export is the import format, sorted by key */
	assert_int_equal(mapping_export(f->s, f->tenant, k, &out, &err), 0);
	assert_string_equal(out.data, "cost_code,cost_type,account,department\n"
				      "03-300,,5300,\n"
				      "03-300,L,5100,4\n"
				      "09-900,M,5200,\n");
	/* re-import of the export changes nothing */
	assert_int_equal(
	    mapping_import(f->s, f->tenant, k, out.data, out.len, "x", true, false, &n, &err), 0);
	assert_int_equal(mapping_count(f->s, f->tenant, k->name, &count, &err), 0);
	assert_int_equal(count, 3);
	buf_release(&out);

	/* one bad row: nothing written, the message names file:line:column */
	const char *bad = "cost_code,account\n01-100,5000\n02-400,abc\n";
	assert_true(mapping_import(f->s, f->tenant, k, bad, strlen(bad), "bad.csv", true, false, &n,
				   &err) < 0);
	assert_non_null(strstr(err.msg, "bad.csv:3: account:"));
	assert_int_equal(mapping_count(f->s, f->tenant, k->name, &count, &err), 0);
	assert_int_equal(count, 3); /* --replace rolled back too */
	const char *unknown = "cost_code,acct\n01-100,5000\n";
	assert_true(mapping_import(f->s, f->tenant, k, unknown, strlen(unknown), "u.csv", false,
				   false, &n, &err) < 0);
	assert_non_null(strstr(err.msg, "unknown column 'acct'"));
	const char *dup = "cost_code,account\n01-100,5000\n01-100,5001\n";
	assert_true(mapping_import(f->s, f->tenant, k, dup, strlen(dup), "d.csv", false, false, &n,
				   &err) < 0);
	assert_non_null(strstr(err.msg, "d.csv:3: key '01-100|' repeats line 2"));
	const char *missing = "cost_type,account\nL,5000\n";
	assert_true(mapping_import(f->s, f->tenant, k, missing, strlen(missing), "m.csv", false,
				   false, &n, &err) < 0);
	assert_non_null(strstr(err.msg, "missing column 'cost_code'"));
	/* issue 21 item 14: bad text anywhere refuses the file with its line, storing nothing */
	const char *const badtext[] = {
	    "cost_code,account\n01-100,5000\n\xc0\xaf,5001\n\xc0\xaf,5002\n",
	    "cost_code,account\n01-100,5000\n01-1\0001,5001\n",
	};
	const size_t badlen[] = {strlen(badtext[0]), 42}; /* the second holds a NUL */
	for (size_t b = 0; b < 2; b++) {
		n = 99;
		assert_true(mapping_import(f->s, f->tenant, k, badtext[b], badlen[b], "t.csv", true,
					   false, &n, &err) < 0);
		assert_non_null(strstr(err.msg, "t.csv: line 3: "));
		assert_int_equal(n, 0);
		assert_int_equal(mapping_count(f->s, f->tenant, k->name, &count, &err), 0);
		assert_int_equal(count, 3);
	}
	/* dry run validates and writes nothing */
	const char *more = "cost_code,account\n01-100,5000\n";
	assert_int_equal(
	    mapping_import(f->s, f->tenant, k, more, strlen(more), "m", false, true, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(mapping_count(f->s, f->tenant, k->name, &count, &err), 0);
	assert_int_equal(count, 3);
}

static void test_review(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	json_t *items,
	    *cands = json_pack("[{s:i, s:s}, {s:i, s:s}]", "id", 4, "name", "Valley Electric, LLC",
			       "id", 5, "name", "VALLEY ELECTRIC");

	assert_int_equal(review_park(f->s, f->tenant, "vendors", "vendor", "ns:vendor:13",
				     "2 Procore vendors share the name", cands, NULL, &err),
			 0);
	/* parking again updates the same item */
	assert_int_equal(review_park(f->s, f->tenant, "vendors", "vendor", "ns:vendor:13",
				     "3 Procore vendors share the name", cands, NULL, &err),
			 0);
	assert_int_equal(review_list(f->s, f->tenant, "open", &items, &err), 0);
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(jsonx_str(json_array_get(items, 0), "reason"),
			    "3 Procore vendors share the name");
	assert_int_equal(json_array_size(json_object_get(json_array_get(items, 0), "candidates")),
			 2);
	json_decref(items);
	assert_int_equal(review_resolve(f->s, f->tenant, "vendor", "ns:vendor:13", &err), 0);
	assert_int_equal(review_list(f->s, f->tenant, "open", &items, &err), 0);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	assert_int_equal(review_list(f->s, f->tenant, NULL, &items, &err), 0);
	assert_int_equal(json_array_size(items), 1);
	json_decref(items);
	json_decref(cands);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_idmap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_watermarks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_jobs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_jobs_serial, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mappings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_review, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
