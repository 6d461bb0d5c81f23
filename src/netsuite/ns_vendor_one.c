/*
 * One NetSuite vendor by id (netsuite/ns_vendor_one.h).
 */
#include <stdio.h>

#include "netsuite/ns_vendor_one.h"
#include "util/buf.h"
#include "util/banned.h"

int netsuite_vendor_one(struct mlc_netsuite *ns, int64_t id, struct ns_vendors *out,
			struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	json_t *rows = NULL;
	int rc;

	buf_addf(&q, NS_VENDORS_SINCE_SELECT " WHERE id = %lld", (long long)id);
	rc = netsuite_suiteql_all(ns, q.data, &rows, err);
	if (rc >= 0)
		ns_vendors_add_rows(out, rows);
	json_decref(rows);
	buf_release(&q);
	return rc;
}
