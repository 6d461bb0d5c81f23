/*
 * Schema conformance: every seeded object type, serialised by the
 * simulator, has the field names and JSON types of the corresponding
 * endpoint schema in docs/reference/procore/endpoints/ (read at test
 * time).  The folder is $MLC_PROCORE_ENDPOINTS, or the repository's own copy
 * (docs/reference/procore/endpoints, found relative to this source file).
 *
 * Rules: every property the schema lists must be present; a non-null
 * value must have the schema's type ("integer" an integer, "number" any
 * number, ...) and, for enums, one of its values; nested objects and the
 * items of arrays are checked the same way.  null is accepted for any
 * field but "id" (Procore sends null for empty fields).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libgen.h>
#include <sys/stat.h>

#include "pcsim_test.h"
#include "schema_types.h"

static struct pct T;
static char schema_dir[1024];

static bool find_schema_dir(void)
{
	return schema_find_dir(schema_dir, sizeof(schema_dir));
}

static json_t *load_schema(const char *file, const char *code)
{
	char path[1400];
	json_error_t jerr;
	json_t *doc, *s;

	snprintf(path, sizeof(path), "%s/%s.json", schema_dir, file);
	doc = json_load_file(path, 0, &jerr);
	if (!doc) {
		fprintf(stderr, "cannot read %s: %s\n", path, jerr.text);
		return NULL;
	}
	s = json_incref(
	    json_object_get(json_object_get(json_object_get(doc, "responses"), code), "schema"));
	json_decref(doc);
	return s;
}

static void check(const json_t *schema, const json_t *v, const char *path, struct mlc_buf *problems)
{
	const json_t *props = json_object_get(schema, "properties");
	const char *type;
	int tc = schema_type_check(schema, v, &type);

	if (tc == 0)
		return;
	if (tc < 0) {
		char *dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		buf_addf(problems, "  %s: want %s, got %.80s\n", path, type, dump);
		free(dump);
		return;
	}
	if (json_is_object(v) && json_is_object(props)) {
		const char *key;
		json_t *ps;
		json_object_foreach ((json_t *)props, key, ps) {
			char sub[512];
			json_t *fv = json_object_get(v, key);
			/* custom_field_%{...} names are templates, not fields. */
			if (strchr(key, '%'))
				continue;
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			if (!fv)
				buf_addf(problems, "  %s: missing\n", sub);
			else
				check(ps, fv, sub, problems);
		}
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *item;
		json_array_foreach (v, i, item) {
			char sub[512];
			if (i >= 3)
				break;
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			check(json_object_get(schema, "items"), item, sub, problems);
		}
	}
}

/* Checks one response against one schema; fails the test on problems. */
static void conform(const char *file, const char *code, const json_t *value, size_t min_items)
{
	json_t *s = load_schema(file, code);
	struct mlc_buf problems = MLC_BUF_INIT;

	assert_non_null(s);
	assert_non_null(value);
	if (json_is_array(value)) {
		assert_true(json_array_size(value) >= min_items);
		for (size_t i = 0; i < json_array_size(value); i++) {
			const json_t *it = json_array_get(value, i);
			if (json_is_object(it) && json_object_get(it, "id"))
				assert_true(json_is_integer(json_object_get(it, "id")) ||
					    json_is_real(json_object_get(it, "id")));
		}
	}
	check(s, value, file, &problems);
	if (problems.len)
		fprintf(stderr, "%s", problems.data);
	assert_int_equal(problems.len, 0);
	buf_release(&problems);
	json_decref(s);
}

static json_t *get(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *get(const char *fmt, ...)
{
	char path[1024];
	va_list ap;
	json_t *r;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	r = pct_call(&T, "GET", path, NULL, 0);
	assert_int_equal(T.status, 200);
	return r;
}

static int64_t id_at(const json_t *arr, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(arr, i), "id"));
}

static int setup(void **state)
{
	(void)state;
	if (!find_schema_dir()) {
		fprintf(stderr, "endpoint schemas not found (set MLC_PROCORE_ENDPOINTS): %s\n",
			schema_dir);
		return -1;
	}
	return pct_start(&T, NULL, 0, 0, 0);
}

static int teardown(void **state)
{
	(void)state;
	pct_stop(&T);
	return 0;
}

static void test_directory(void **state)
{
	long long p = (long long)pct_project(&T, 0), co = (long long)T.company_id;
	json_t *r, *one;
	(void)state;

	r = get("/rest/v1.0/companies");
	conform("RestV10CompaniesGet", "200", r, 1);
	json_decref(r);
	r = get("/rest/v1.0/projects?company_id=%lld", co);
	conform("RestV10ProjectsGet", "200", r, 10);
	json_decref(r);
	r = get("/rest/v1.0/vendors?company_id=%lld", co);
	conform("RestV10VendorsGet", "200", r, 100);
	json_decref(r);
	r = get("/rest/v1.0/line_item_types?company_id=%lld&project_id=%lld", co, p);
	conform("RestV10LineItemTypesGet", "200", r, 5);
	json_decref(r);
	r = get("/rest/v1.0/cost_codes?project_id=%lld&per_page=200", p);
	assert_true(json_array_size(r) > 20);
	one = get("/rest/v1.0/cost_codes/%lld?project_id=%lld", (long long)id_at(r, 1), p);
	conform("RestV10CostCodesIdGet", "200", one, 0);
	json_decref(one);
	json_decref(r);
}

static void test_commitments(void **state)
{
	long long p = (long long)pct_project(&T, 0);
	json_t *r, *one;
	(void)state;

	r = get("/rest/v1.0/purchase_order_contracts?project_id=%lld", p);
	conform("RestV10PurchaseOrderContractsGet", "200", r, 3);
	one = get("/rest/v1.0/purchase_order_contracts/%lld?project_id=%lld",
		  (long long)id_at(r, 0), p);
	conform("RestV10PurchaseOrderContractsIdGet", "200", one, 0);
	json_decref(one);
	one = get("/rest/v1.0/purchase_order_contracts/%lld/line_items?project_id=%lld",
		  (long long)id_at(r, 0), p);
	conform("RestV10PurchaseOrderContractsPurchaseOrderContractIdLineItemsPost", "201",
		json_array_get(one, 0), 0);
	json_decref(one);
	json_decref(r);
	r = get("/rest/v1.0/work_order_contracts?project_id=%lld", p);
	conform("RestV10WorkOrderContractsGet", "200", r, 2);
	one =
	    get("/rest/v1.0/work_order_contracts/%lld?project_id=%lld", (long long)id_at(r, 0), p);
	conform("RestV10WorkOrderContractsIdGet", "200", one, 0);
	json_decref(one);
	json_decref(r);
	r = get("/rest/v1.0/commitments?project_id=%lld", p);
	conform("RestV10CommitmentsGet", "200", r, 5);
	json_decref(r);
	r = get("/rest/v1.0/requisitions?project_id=%lld", p);
	conform("RestV10RequisitionsGet", "200", r, 4);
	one = get("/rest/v1.0/requisitions/%lld?project_id=%lld", (long long)id_at(r, 0), p);
	conform("RestV10RequisitionsIdGet", "200", one, 0);
	json_decref(one);
	json_decref(r);
	r = get("/rest/v1.1/requisitions?project_id=%lld", p);
	conform("RestV11RequisitionsGet", "200", r, 4);
	assert_true(json_array_size(json_object_get(json_array_get(r, 0), "items")) > 0);
	one = get("/rest/v1.1/requisitions/%lld?project_id=%lld", (long long)id_at(r, 0), p);
	conform("RestV11RequisitionsIdGet", "200", one, 0);
	json_decref(one);
	json_decref(r);
}

static void test_costs(void **state)
{
	long long p = (long long)pct_project(&T, 0);
	json_t *r, *one;
	(void)state;

	r = get("/rest/v1.0/projects/%lld/direct_costs", p);
	conform("RestV10ProjectsProjectIdDirectCostsGet", "200", r, 8);
	one = get("/rest/v1.0/projects/%lld/direct_costs/%lld", p, (long long)id_at(r, 0));
	conform("RestV10ProjectsProjectIdDirectCostsIdGet", "200", one, 0);
	json_decref(one);
	one =
	    get("/rest/v1.0/projects/%lld/direct_costs/%lld/line_items", p, (long long)id_at(r, 0));
	conform("RestV10ProjectsProjectIdDirectCostsDirectCostIdLineItemsGet", "200", one, 1);
	json_decref(one);
	one = get("/rest/v1.1/projects/%lld/direct_costs/%lld", p, (long long)id_at(r, 0));
	conform("RestV11ProjectsProjectIdDirectCostsIdGet", "200", one, 0);
	json_decref(one);
	json_decref(r);
	r = get("/rest/v1.1/projects/%lld/direct_costs", p);
	conform("RestV11ProjectsProjectIdDirectCostsGet", "200", r, 8);
	json_decref(r);
	r = get("/rest/v1.0/projects/%lld/direct_costs/line_items", p);
	conform("RestV10ProjectsProjectIdDirectCostsLineItemsGet", "200", r, 8);
	json_decref(r);
	r = get("/rest/v1.0/payment_applications?project_id=%lld", p);
	conform("RestV10PrimeContractsPrimeContractIdPaymentApplicationsGet", "200", r, 2);
	json_decref(r);
	r = get("/rest/v1.0/budget_views?project_id=%lld", p);
	conform("RestV10BudgetViewsGet", "200", r, 1);
	one = get("/rest/v1.0/budget_views/%lld/detail_rows?project_id=%lld",
		  (long long)id_at(r, 0), p);
	conform("RestV10BudgetViewsBudgetViewIdDetailRowsGet", "200", one, 10);
	json_decref(r);
	r = get("/rest/v1.0/budget_line_items/%lld?project_id=%lld", (long long)id_at(one, 0), p);
	conform("RestV10BudgetLineItemsIdGet", "200", r, 0);
	conform("RestV11BudgetLineItemsIdGet", "200", r, 0);
	json_decref(r);
	json_decref(one);
}

/* Sync responses: entities in the schema's shape. */
static void test_sync_entities(void **state)
{
	long long p = (long long)pct_project(&T, 4), co = (long long)T.company_id;
	json_t *r;
	char body[512];
	(void)state;

	snprintf(
	    body, sizeof(body),
	    "{\"company_id\":%lld,\"updates\":[{\"origin_id\":\"ns:job:1\",\"name\":\"Synced\"}]}",
	    co);
	r = pct_call(&T, "PATCH", "/rest/v1.0/projects/sync", body, 0);
	conform("RestV10ProjectsSyncPatch", "200", r, 0);
	json_decref(r);
	r = pct_callf(&T, "PATCH",
		      "{\"updates\":[{\"origin_id\":\"ns:x:1\",\"status\":\"draft\"}]}", 0,
		      "/rest/v1.0/projects/%lld/direct_costs/sync", p);
	conform("RestV10ProjectsProjectIdDirectCostsSyncPatch", "200", r, 0);
	json_decref(r);
	snprintf(body, sizeof(body),
		 "{\"project_id\":%lld,\"updates\":[{\"origin_id\":\"ns:po:s1\",\"title\":\"T\"}]}",
		 p);
	r = pct_call(&T, "PATCH", "/rest/v1.0/purchase_order_contracts/sync", body, 0);
	conform("RestV10PurchaseOrderContractsSyncPatch", "200", r, 0);
	json_decref(r);
	snprintf(body, sizeof(body),
		 "{\"company_id\":%lld,\"updates\":[{\"origin_id\":\"ns:lit:1\",\"name\":"
		 "\"Permits\",\"csv_import_code\":\"P\"}]}",
		 co);
	r = pct_call(&T, "PATCH", "/rest/v1.0/line_item_types/sync", body, 0);
	conform("RestV10LineItemTypesSyncPatch", "200", r, 0);
	assert_int_equal(json_array_size(json_object_get(r, "entities")), 1);
	json_decref(r);
}

static void test_webhooks(void **state)
{
	long long co = (long long)T.company_id;
	json_t *r, *one;
	char body[512];
	int64_t hook;
	(void)state;

	/* Port 9 on loopback refuses: a failed delivery gets recorded. */
	snprintf(body, sizeof(body),
		 "{\"company_id\":%lld,\"hook\":{\"api_version\":\"v2\",\"namespace\":\"mlc\","
		 "\"destination_url\":\"http://127.0.0.1:9/"
		 "x\",\"destination_headers\":{\"Authorization\":\"k\"}}}",
		 co);
	r = pct_call(&T, "POST", "/rest/v1.0/webhooks/hooks", body, 0);
	conform("RestV10WebhooksHooksPost", "201", r, 0);
	hook = json_integer_value(json_object_get(r, "id"));
	json_decref(r);
	r = pct_callf(
	    &T, "POST",
	    "{\"api_trigger\":{\"resource_name\":\"Company Vendors\",\"event_type\":\"create\"}}",
	    0, "/rest/v1.0/webhooks/hooks/%lld/triggers", (long long)hook);
	conform("RestV10WebhooksHooksHookIdTriggersPost", "201", r, 0);
	json_decref(r);
	snprintf(body, sizeof(body),
		 "{\"company_id\":%lld,\"vendor\":{\"name\":\"Schema Vendor\"}}", co);
	json_decref(pct_call(&T, "POST", "/rest/v1.0/vendors", body, 0));
	for (int i = 0; i < 100; i++) {
		r = get("/rest/v1.0/webhooks/hooks/%lld/deliveries?company_id=%lld",
			(long long)hook, co);
		if (json_array_size(r))
			break;
		json_decref(r);
		r = NULL;
		usleep(20 * 1000);
	}
	conform("RestV10WebhooksHooksHookIdDeliveriesGet", "200", r, 1);
	json_decref(r);
	r = get("/rest/v1.0/webhooks/hooks?company_id=%lld", co);
	conform("RestV10WebhooksHooksGet", "200", r, 1);
	json_decref(r);
	one = get("/rest/v1.0/webhooks/hooks/%lld/triggers?company_id=%lld", (long long)hook, co);
	conform("RestV10WebhooksHooksHookIdTriggersGet", "200", one, 1);
	json_decref(one);
	r = get("/rest/v1.0/webhooks/resources?project_id=%lld", (long long)pct_project(&T, 0));
	conform("RestV10WebhooksResourcesGet", "200", r, 5);
	json_decref(r);
	r = get("/rest/v1.0/webhooks/resources/api_versions?project_id=%lld",
		(long long)pct_project(&T, 0));
	conform("RestV10WebhooksResourcesApiVersionsGet", "200", r, 1);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_directory), cmocka_unit_test(test_commitments),
	    cmocka_unit_test(test_costs),     cmocka_unit_test(test_sync_entities),
	    cmocka_unit_test(test_webhooks),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
