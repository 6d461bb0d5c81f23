#include <stdio.h>

#include "procore/pc_project_codes.h"
#include "util/banned.h"

int procore_project_cost_codes(struct mlc_procore *pc, int64_t project_id, json_t **codes,
			       struct mlc_error *err)
{
	char pid[32];
	const char *q[] = {"project_id", pid, NULL};

	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	return procore_list(pc, "/rest/v1.0/cost_codes", q, codes, err);
}
