/*
 * NetSuite vendors read by SuiteQL (ns_vendors.h).
 */
#include <stdio.h>

#include "netsuite/ns_vendors.h"
#include "util/buf.h"
#include "util/banned.h"

static int collect(void *arg, json_t *items)
{
	json_array_extend(arg, items);
	return 0;
}

int netsuite_vendors_all(struct mlc_netsuite *ns, json_t *rows, struct mlc_error *err)
{
	return netsuite_suiteql_keyset(ns, "SELECT " NS_VENDOR_COLS " FROM vendor WHERE %s "
					   "ORDER BY id",
				       "id", collect, rows, err);
}

int netsuite_vendors_by_externalid(struct mlc_netsuite *ns, const char *eid, json_t **items,
				   struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	int rc;

	*items = NULL;
	buf_addstr(&q, "SELECT " NS_VENDOR_COLS " FROM vendor WHERE externalid = ");
	netsuite_sql_quote(eid, &q);
	rc = netsuite_suiteql_all(ns, q.data, items, err);
	buf_release(&q);
	return rc;
}
