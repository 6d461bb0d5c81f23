/*
 * The one registry of flows and triggers (flows/flow.h): every trigger a
 * flow declares routes back to that flow (resource -> flow -> resources),
 * `webhook register` (webhook_resources) and webhook routing
 * (webhook_resource_flow, webhooks_flow_for_netsuite) use the same set,
 * and the inbox states round-trip through their stored text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/inbox.h"
#include "flows/flow.h"
#include "server/serve.h"
#include "server/webhook_resources.h"

static bool declares(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* resource -> flow -> resources, for every trigger of every flow */
static void test_round_trip(void **state)
{
	size_t n = 0, ntrig = 0;
	const struct flow_def *f = flow_list(&n);
	char probe[128];
	(void)state;

	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(flow_find(f[i].name), &f[i]);
		for (const char *const *t = f[i].procore_resources; t && *t; t++, ntrig++) {
			const char *flow = flow_for_procore_resource(*t);
			assert_non_null(flow);
			assert_string_equal(flow, f[i].name);
			assert_true(declares(flow_find(flow)->procore_resources, *t));
			/* a Procore resource is never a NetSuite type by accident */
			assert_null(flow_for_netsuite_type(*t));
		}
		for (const char *const *t = f[i].netsuite_types; t && *t; t++, ntrig++) {
			size_t len = strlen(*t);
			/* a prefix entry is tried with a name it prefixes */
			if (len && (*t)[len - 1] == '*')
				snprintf(probe, sizeof(probe), "%.*sxyz", (int)(len - 1), *t);
			else
				snprintf(probe, sizeof(probe), "%s", *t);
			const char *flow = flow_for_netsuite_type(probe);
			assert_non_null(flow);
			assert_string_equal(flow, f[i].name);
			assert_true(declares(flow_find(flow)->netsuite_types, *t));
			assert_null(flow_for_procore_resource(probe));
		}
	}
	/* the triggers the connector is known to need (docs/reference/procore/webhook-payloads.md)
	 */
	assert_true(ntrig >= 6);
	assert_string_equal(flow_for_procore_resource("Direct Costs"), "costs");
	assert_string_equal(flow_for_procore_resource("Direct Cost Line Items"), "costs");
	assert_string_equal(flow_for_procore_resource("Company Vendors"), "vendors-back");
	assert_string_equal(flow_for_netsuite_type("vendorbill"), "requisitions");
	assert_string_equal(flow_for_netsuite_type("customrecord_cseg_cost_code"), "cost-codes");
	/* not routed: purchase orders flow NetSuite -> Procore only */
	assert_null(flow_for_procore_resource("Purchase Order Contracts"));
	assert_null(flow_for_procore_resource(NULL));
	assert_null(flow_for_netsuite_type("customer"));
	assert_null(flow_for_netsuite_type(""));
}

/* register (webhook_resources) and routing (webhook_resource_flow) are the
 * registry's Procore triggers, no more, no fewer */
static void test_register_equals_routing(void **state)
{
	size_t n = 0, nres = 0, declared = 0;
	const struct flow_def *f = flow_list(&n);
	const struct mlc_webhook_resource *res = webhook_resources(&nres);
	(void)state;

	for (size_t i = 0; i < n; i++)
		for (const char *const *t = f[i].procore_resources; t && *t; t++) {
			bool found = false;
			declared++;
			for (size_t k = 0; k < nres; k++)
				if (strcmp(res[k].name, *t) == 0) {
					assert_string_equal(res[k].flow, f[i].name);
					found = true;
				}
			assert_true(found);
		}
	assert_int_equal(nres, declared);
	for (size_t k = 0; k < nres; k++) {
		assert_string_equal(webhook_resource_flow(res[k].name), res[k].flow);
		assert_non_null(flow_find(res[k].flow));
		for (size_t j = k + 1; j < nres; j++)
			assert_string_not_equal(res[k].name, res[j].name);
	}
	/* NetSuite routing is the registry's */
	for (size_t i = 0; i < n; i++)
		for (const char *const *t = f[i].netsuite_types; t && *t; t++)
			if ((*t)[strlen(*t) - 1] != '*')
				assert_string_equal(webhooks_flow_for_netsuite(*t), f[i].name);
	assert_null(webhooks_flow_for_netsuite("customer"));
}

static void test_inbox_states(void **state)
{
	enum inbox_state st = INBOX_NEW;
	const enum inbox_state all[] = {INBOX_NEW, INBOX_DONE, INBOX_IGNORED, INBOX_UNUSABLE};
	(void)state;

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_int_equal(inbox_state_parse(inbox_state_name(all[i]), &st), 0);
		assert_int_equal(st, all[i]);
	}
	assert_string_equal(inbox_state_name(INBOX_DONE), "done");
	assert_string_equal(inbox_state_name(INBOX_UNUSABLE), "unusable");
	/* "failed" was documented once and never stored */
	assert_int_equal(inbox_state_parse("failed", &st), MLC_EINVAL);
	assert_int_equal(inbox_state_parse(NULL, &st), MLC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_register_equals_routing),
	    cmocka_unit_test(test_inbox_states),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
