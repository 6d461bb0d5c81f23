#include <string.h>

#include "server/webhook_resources.h"
#include "util/compat.h"
#include "util/banned.h"

/*
 * Procore -> connector.  "Purchase Order Contracts" is not here: purchase
 * orders flow NetSuite -> Procore only (flows/flow_purchase_orders.c), so a
 * Procore-side change to one has no flow to feed.
 */
static const struct mlc_webhook_resource table[] = {
	{ "Direct Costs", "costs" },
	{ "Direct Cost Line Items", "costs" },
	{ "Payment Applications", "costs" },
	{ "Company Vendors", "vendors-back" },
	{ "Cost Codes", "cost-codes" },
	{ "Budget Line Items", "budgets" },
};

const struct mlc_webhook_resource *webhook_resources(size_t *n)
{
	*n = MLC_ARRAY_LEN(table);
	return table;
}

const char *webhook_resource_flow(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < MLC_ARRAY_LEN(table); i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].flow;
	return NULL;
}
