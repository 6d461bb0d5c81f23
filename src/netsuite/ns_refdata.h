#ifndef MLC_NS_REFDATA_H
#define MLC_NS_REFDATA_H

#include <jansson.h>

#include "netsuite/netsuite.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Reference data the flows read from NetSuite by SuiteQL, all rows of
 * each (netsuite_suiteql_all: offset paging, within the 100,000-row cap;
 * docs/reference/netsuite.md, SuiteQL).  Each *rows is an array of the
 * rows as NetSuite returns them (values as text); caller decrefs.  A
 * table that the account's features do not have comes back as the
 * adapter's MLC_EPERM with NetSuite's message ("Record '...' was not
 * found", docs/reference/netsuite/suiteql.md V9).
 */

/* id, isinactive, parent of every subsidiary. */
int netsuite_read_subsidiaries(struct mlc_netsuite *ns, json_t **rows,
			       struct mlc_error *err) MLC_MUST_CHECK;
/* id, isinactive, includechildren, subsidiary of a dimension table
 * ("department", "classification", "location"). */
int netsuite_read_dimension(struct mlc_netsuite *ns, const char *table, json_t **rows,
			    struct mlc_error *err) MLC_MUST_CHECK;
/* id, name, externalid of a custom segment's value table, by id. */
int netsuite_read_segment_values(struct mlc_netsuite *ns, const char *table, json_t **rows,
				 struct mlc_error *err) MLC_MUST_CHECK;
/* id, expenseaccount of every item, by id. */
int netsuite_read_item_accounts(struct mlc_netsuite *ns, json_t **rows,
				struct mlc_error *err) MLC_MUST_CHECK;
/* scriptid of every custom segment. */
int netsuite_read_custom_segments(struct mlc_netsuite *ns, json_t **rows,
				  struct mlc_error *err) MLC_MUST_CHECK;
/* id, acctnumber, acctname, accttype, isinactive, issummary, subsidiary
 * of every account (the chart of accounts), by id. */
int netsuite_read_accounts(struct mlc_netsuite *ns, json_t **rows,
			   struct mlc_error *err) MLC_MUST_CHECK;

#endif
