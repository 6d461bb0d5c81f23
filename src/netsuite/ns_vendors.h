#ifndef MLC_NS_VENDORS_H
#define MLC_NS_VENDORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "netsuite/netsuite.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * NetSuite vendors for the two vendor flows: the adapter owns the SuiteQL.
 * Rows carry id, entityid, companyname, isinactive, email, phone and
 * externalid (NS_VENDORS_SINCE_SELECT adds lastmodified, "YYYY-MM-DD
 * HH:MM:SS").  They stay SuiteQL rows: the flows turn each into the
 * neutral vendor view (flows/vendor_fields.h) that the master-data merge
 * works on.
 */

#define NS_VENDOR_COLS "id, entityid, companyname, isinactive, email, phone, externalid"

/*
 * The select_from of the incremental vendor read, for the frame's keyset
 * read (flows/flow.h flow_read_netsuite, netsuite/ns_since.h) on the
 * changed column "lastmodifieddate" keyed by "id".
 */
#define NS_VENDORS_SINCE_SELECT                                                                    \
	"SELECT " NS_VENDOR_COLS ", "                                                              \
	"TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified FROM vendor"

/*
 * A NetSuite vendor as a typed record.  Text members are owned copies, NULL
 * when the row has none; id is 0 when the row's id is not one;
 * lastmodified is set by the incremental read only; inactive is
 * isinactive read as JSON true or NetSuite's "T".
 */
struct ns_vendor {
	int64_t id;
	char *entityid, *companyname, *email, *phone, *externalid, *lastmodified;
	bool inactive;
};

/* A list of them.  Start from { 0 }; release with ns_vendors_release(). */
struct ns_vendors {
	struct ns_vendor *v;
	size_t n, cap;
};

/* The record of one SuiteQL row (not taken); release with ns_vendor_release(). */
void ns_vendor_from_row(const json_t *row, struct ns_vendor *out);
void ns_vendor_release(struct ns_vendor *v);
/* Appends the rows of a SuiteQL page (not taken), in order. */
void ns_vendors_add_rows(struct ns_vendors *l, const json_t *rows);
void ns_vendors_release(struct ns_vendors *l);

/* Every vendor (without lastmodified), appended to rows. */
int netsuite_vendors_all(struct mlc_netsuite *ns, json_t *rows,
			 struct mlc_error *err) MLC_MUST_CHECK;
/* The vendors with this externalId (zero or one).  Caller decrefs *items. */
int netsuite_vendors_by_externalid(struct mlc_netsuite *ns, const char *eid, json_t **items,
				   struct mlc_error *err) MLC_MUST_CHECK;

#endif
