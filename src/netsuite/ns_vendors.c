/*
 * NetSuite vendors read by SuiteQL (ns_vendors.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsuite/ns_vendors.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/banned.h"

void ns_vendor_from_row(const json_t *row, struct ns_vendor *out)
{
	memset(out, 0, sizeof(*out));
	if (jsonx_id(row, "id", &out->id) < 0)
		out->id = 0;
	out->entityid = str_dup_or_null(jsonx_str(row, "entityid"));
	out->companyname = str_dup_or_null(jsonx_str(row, "companyname"));
	out->email = str_dup_or_null(jsonx_str(row, "email"));
	out->phone = str_dup_or_null(jsonx_str(row, "phone"));
	out->externalid = str_dup_or_null(jsonx_str(row, "externalid"));
	out->lastmodified = str_dup_or_null(jsonx_str(row, "lastmodified"));
	out->inactive = jsonx_bool(row, "isinactive");
}

void ns_vendor_release(struct ns_vendor *v)
{
	if (!v)
		return;
	free(v->entityid);
	free(v->companyname);
	free(v->email);
	free(v->phone);
	free(v->externalid);
	free(v->lastmodified);
	memset(v, 0, sizeof(*v));
}

void ns_vendors_add_rows(struct ns_vendors *l, const json_t *rows)
{
	size_t i;
	json_t *row;

	json_array_foreach (rows, i, row) {
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 64;
			l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
		}
		ns_vendor_from_row(row, &l->v[l->n++]);
	}
}

void ns_vendors_release(struct ns_vendors *l)
{
	for (size_t i = 0; i < l->n; i++)
		ns_vendor_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int collect(void *arg, json_t *items)
{
	json_array_extend(arg, items);
	return 0;
}

int netsuite_vendors_all(struct mlc_netsuite *ns, json_t *rows, struct mlc_error *err)
{
	return netsuite_suiteql_keyset(ns,
				       "SELECT " NS_VENDOR_COLS " FROM vendor WHERE %s "
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
