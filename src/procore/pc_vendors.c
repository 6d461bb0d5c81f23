/*
 * Procore company vendors (pc_vendors.h).
 */
#include <stdio.h>

#include "procore/pc_vendors.h"
#include "util/banned.h"

int procore_vendors(struct mlc_procore *pc, int64_t company_id, const char *updated, json_t **list,
		    struct mlc_error *err)
{
	char company[24];
	const char *q[] = {"company_id", company, "filters[updated_at]", updated, NULL};

	snprintf(company, sizeof(company), "%lld", (long long)company_id);
	if (!updated)
		q[2] = NULL;
	return procore_list(pc, "/rest/v1.0/vendors", q, list, err);
}

int procore_vendors_sync(struct mlc_procore *pc, int64_t company_id, json_t *updates,
			 json_t **entities, json_t **errors, struct mlc_error *err)
{
	return procore_sync(
	    pc, "PATCH", "/rest/v1.0/vendors/sync",
	    json_pack("{s:I, s:O}", "company_id", (json_int_t)company_id, "updates", updates),
	    entities, errors, err);
}
