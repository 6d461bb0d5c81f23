/* The fit checks' typed probes (netsuite/ns_probe.h, procore/pc_probe.h)
 * without the network: names that are not SuiteQL identifiers are refused
 * before anything is sent, a push-deployment answer is read, and each
 * Procore tool has its list endpoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netsuite/ns_probe.h"
#include "procore/pc_probe.h"

/* ns is never reached: the name is refused first */
static void test_names_refused(void **state)
{
	struct mlc_ns_answer a;
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(netsuite_probe_table(NULL, "vendor WHERE 1=1", &a, &err), MLC_EINVAL);
	assert_int_equal(a.status, 0);
	assert_null(a.json);
	assert_non_null(strstr(err.msg, "'vendor WHERE 1=1' is not a SuiteQL identifier"));
	netsuite_answer_release(&a);
	assert_int_equal(
	    netsuite_probe_column(NULL, "transactionline", "cseg_x FROM job --", &a, &err),
	    MLC_EINVAL);
	netsuite_answer_release(&a);
	assert_int_equal(netsuite_probe_column(NULL, "", "cseg_x", &a, &err), MLC_EINVAL);
	netsuite_answer_release(&a);
	assert_int_equal(netsuite_probe_segment(NULL, "cseg_x' OR '1'='1", &a, &err), MLC_EINVAL);
	netsuite_answer_release(&a);
}

static void answer_with(struct mlc_ns_answer *a, json_t *items)
{
	memset(a, 0, sizeof(*a));
	http_resp_init(&a->resp);
	a->status = 200;
	a->json = items ? json_pack("{s:o}", "items", items) : json_object();
}

static void test_deployments(void **state)
{
	struct mlc_ns_answer a;

	(void)state;
	answer_with(&a,
		    json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]", "recordtype",
			      "VENDOR", "isdeployed", "T", "status", "RELEASED", "recordtype",
			      "PURCHASEORDER", "isdeployed", "F", "status", "RELEASED",
			      "recordtype", "vendorbill", "isdeployed", "T", "status", "TESTING"));
	assert_int_equal(netsuite_answer_rows(&a), 3);
	assert_true(netsuite_deployment_live(&a, "vendor"));         /* without case */
	assert_false(netsuite_deployment_live(&a, "PURCHASEORDER")); /* not deployed */
	assert_false(netsuite_deployment_live(&a, "VENDORBILL"));    /* not released */
	assert_false(netsuite_deployment_live(&a, "JOB"));           /* absent */
	netsuite_answer_release(&a);

	answer_with(&a, NULL);
	assert_int_equal(netsuite_answer_rows(&a), 0);
	assert_false(netsuite_deployment_live(&a, "VENDOR"));
	netsuite_answer_release(&a);
}

static void test_tools(void **state)
{
	(void)state;
	for (int t = 0; t < MLC_PC_TOOL_COUNT; t++) {
		assert_int_equal(strncmp(procore_tool_path((enum mlc_pc_tool)t), "/rest/v1.0/", 11),
				 0);
		/* only the Directory's vendors are the company's */
		assert_int_equal(procore_tool_company((enum mlc_pc_tool)t),
				 t == MLC_PC_TOOL_VENDORS);
	}
	assert_string_equal(procore_tool_path(MLC_PC_TOOL_DIRECT_COSTS),
			    "/rest/v1.0/projects/%lld/direct_costs");
	assert_string_equal(procore_tool_path(MLC_PC_TOOL_COUNT), "");
	assert_false(procore_tool_company(MLC_PC_TOOL_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_refused),
	    cmocka_unit_test(test_deployments),
	    cmocka_unit_test(test_tools),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
