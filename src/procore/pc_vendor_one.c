/*
 * One Procore company vendor by its origin_id (procore/pc_vendor_one.h).
 */
#include <stdio.h>

#include "procore/pc_vendor_one.h"
#include "util/banned.h"

int procore_vendor_by_origin(struct mlc_procore *pc, int64_t company_id, const char *origin,
			     json_t **list, struct mlc_error *err)
{
	char company[24];
	const char *q[] = {"company_id", company, "filters[origin_id]", origin, NULL};

	snprintf(company, sizeof(company), "%lld", (long long)company_id);
	return procore_list(pc, "/rest/v1.0/vendors", q, list, err);
}
