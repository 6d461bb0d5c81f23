#include <stdio.h>

#include "netsuite/ns_refdata.h"
#include "util/banned.h"

/* Table names come from the code, never from input; refuse anything else. */
static int table_ok(const char *table, struct mlc_error *err)
{
	for (const char *p = table; p && *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return error_set(err, MLC_EINVAL, "not a table name: %s", table);
	if (!table || !*table)
		return error_set(err, MLC_EINVAL, "no table name");
	return MLC_OK;
}

int netsuite_read_subsidiaries(struct mlc_netsuite *ns, json_t **rows, struct mlc_error *err)
{
	return netsuite_suiteql_all(ns, "SELECT id, isinactive, parent FROM subsidiary", rows, err);
}

int netsuite_read_dimension(struct mlc_netsuite *ns, const char *table, json_t **rows,
			    struct mlc_error *err)
{
	char q[160];
	int rc;

	*rows = NULL;
	rc = table_ok(table, err);
	if (rc < 0)
		return rc;
	snprintf(q, sizeof(q), "SELECT id, isinactive, includechildren, subsidiary FROM %s", table);
	return netsuite_suiteql_all(ns, q, rows, err);
}

int netsuite_read_segment_values(struct mlc_netsuite *ns, const char *table, json_t **rows,
				 struct mlc_error *err)
{
	char q[160];
	int rc;

	*rows = NULL;
	rc = table_ok(table, err);
	if (rc < 0)
		return rc;
	snprintf(q, sizeof(q), "SELECT id, name, externalid FROM %s ORDER BY id", table);
	return netsuite_suiteql_all(ns, q, rows, err);
}

int netsuite_read_item_accounts(struct mlc_netsuite *ns, json_t **rows, struct mlc_error *err)
{
	return netsuite_suiteql_all(ns, "SELECT id, expenseaccount FROM item ORDER BY id", rows,
				    err);
}

int netsuite_read_custom_segments(struct mlc_netsuite *ns, json_t **rows, struct mlc_error *err)
{
	return netsuite_suiteql_all(ns, "SELECT scriptid FROM customsegment", rows, err);
}

int netsuite_read_accounts(struct mlc_netsuite *ns, json_t **rows, struct mlc_error *err)
{
	return netsuite_suiteql_all(ns,
				    "SELECT id, acctnumber, acctname, accttype, isinactive, "
				    "issummary, subsidiary FROM account ORDER BY id",
				    rows, err);
}
