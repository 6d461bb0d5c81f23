/*
 * Procore requisitions (pc_requisitions.h).
 */
#include <stdio.h>
#include <string.h>

#include "procore/pc_requisitions.h"
#include "util/jsonx.h"
#include "util/banned.h"

json_t *pc_requisition_json(const struct pc_requisition *q)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "origin_id", q->origin_id,
			 "invoice_number", q->invoice_number, "billing_date", q->billing_date,
			 "requisition_start", q->start, "requisition_end", q->end, "origin_data",
			 q->origin_data, "status", q->status);
}

int procore_requisition_find(struct mlc_procore *pc, int64_t project_id, const char *origin,
			     int64_t *id, struct mlc_error *err)
{
	char pid[32];
	const char *q[] = {"project_id", pid, "filters[origin_id]", origin, NULL};
	json_t *list = NULL, *v;
	size_t i;
	int rc;

	*id = 0;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	rc = procore_list(pc, "/rest/v1.0/requisitions", q, &list, err);
	if (rc < 0)
		return rc;
	json_array_foreach (list, i, v)
		if (jsonx_str(v, "origin_id") && strcmp(jsonx_str(v, "origin_id"), origin) == 0 &&
		    jsonx_id(v, "id", id) == 0)
			break;
	json_decref(list);
	return MLC_OK;
}

int procore_requisition_update(struct mlc_procore *pc, int64_t project_id, int64_t id,
			       const struct pc_requisition *q, struct mlc_error *err)
{
	char path[128], pid[32];
	const char *pq[] = {"project_id", pid, NULL};
	json_t *resp = NULL;
	int status = 0, rc;

	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	snprintf(path, sizeof(path), "/rest/v1.0/requisitions/%lld", (long long)id);
	rc = procore_write(pc, "PATCH", path, pq,
			   json_pack("{s:o}", "requisition", pc_requisition_json(q)), &resp,
			   &status, err);
	json_decref(resp);
	return rc;
}

int procore_requisition_create(struct mlc_procore *pc, int64_t project_id, int64_t contract,
			       const struct pc_requisition *q, int64_t *id, struct mlc_error *err)
{
	json_t *resp = NULL;
	int status = 0, rc;

	*id = 0;
	rc = procore_write(pc, "POST", "/rest/v1.0/requisitions", NULL,
			   json_pack("{s:I, s:I, s:o}", "project_id", (json_int_t)project_id,
				     "commitment_id", (json_int_t)contract, "requisition",
				     pc_requisition_json(q)),
			   &resp, &status, err);
	if (rc == MLC_EUNKNOWN || (rc == MLC_EPERM && status == 422)) {
		struct mlc_error e2 = {0};
		if (procore_requisition_find(pc, project_id, q->origin_id, id, &e2) == 0 && *id)
			rc = MLC_OK;
	} else if (rc == MLC_OK && jsonx_id(resp, "id", id) < 0) {
		*id = 0;
	}
	json_decref(resp);
	return rc;
}
