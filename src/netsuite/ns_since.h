#ifndef MLC_NS_SINCE_H
#define MLC_NS_SINCE_H

#include <jansson.h>

#include "netsuite/netsuite.h"
#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Incremental SuiteQL reads: the query text that reads the rows changed
 * since a time, by keyset paging.  The flows' frame (flows/flow.h,
 * flow_read_netsuite) gives the window; the SuiteQL text is made here,
 * the only place that speaks the dialect.
 */

/*
 * Appends to out the keyset format (netsuite_suiteql_keyset's q_fmt) of
 *   <select_from> WHERE [<changed_col> >= TO_TIMESTAMP('<since>',
 *   'YYYY-MM-DD HH24:MI:SS') AND ] %s ORDER BY <key_col>
 * since ("YYYY-MM-DD HH:MM:SS", NULL or "" for every row) must hold only
 * digits, '-', ':' and ' ': MLC_EINVAL otherwise, nothing appended.  A '%'
 * in select_from is doubled so it reaches NetSuite as written.
 */
int netsuite_since_query(const char *select_from, const char *changed_col, const char *since,
			 const char *key_col, struct mlc_buf *out,
			 struct mlc_error *err) MLC_MUST_CHECK;

/* Runs that query to the end; rows come to fn a page at a time. */
int netsuite_read_since(struct mlc_netsuite *ns, const char *select_from, const char *changed_col,
			const char *since, const char *key_col, int (*fn)(void *arg, json_t *rows),
			void *arg, struct mlc_error *err) MLC_MUST_CHECK;

#endif
