#ifndef MLC_NS_VENDORS_H
#define MLC_NS_VENDORS_H

#include <jansson.h>

#include "netsuite/netsuite.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * NetSuite vendors for the two vendor flows: the adapter owns the SuiteQL.
 * Rows carry id, entityid, companyname, isinactive, email, phone and
 * externalid (netsuite_vendors_since adds lastmodified, "YYYY-MM-DD
 * HH:MM:SS").  They stay SuiteQL rows: the flows turn each into the
 * neutral vendor view (flows/vendor_fields.h) that the master-data merge
 * works on.
 */

/*
 * The vendors modified at or after since ("YYYY-MM-DD HH:MM:SS"; NULL:
 * all), keyset-paged by id, appended to rows (an array the caller owns).
 */
int netsuite_vendors_since(struct mlc_netsuite *ns, const char *since, json_t *rows,
			   struct mlc_error *err) MLC_MUST_CHECK;
/* Every vendor (without lastmodified), appended to rows. */
int netsuite_vendors_all(struct mlc_netsuite *ns, json_t *rows,
			 struct mlc_error *err) MLC_MUST_CHECK;
/* The vendors with this externalId (zero or one).  Caller decrefs *items. */
int netsuite_vendors_by_externalid(struct mlc_netsuite *ns, const char *eid, json_t **items,
				   struct mlc_error *err) MLC_MUST_CHECK;

#endif
