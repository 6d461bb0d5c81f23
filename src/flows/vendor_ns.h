#ifndef MLC_VENDOR_NS_H
#define MLC_VENDOR_NS_H

#include <jansson.h>

#include "netsuite/ns_vendors.h"

/*
 * Typed NetSuite vendors (netsuite/ns_vendors.h) in the vendor flows: the
 * name they are matched by, and the neutral view (flows/vendor_fields.h)
 * made only where the master-data merge or a Procore body needs it.  Both
 * give what vendor_fields' vendor_view_ns() gives for the SuiteQL row the
 * record was read from.
 */

/* companyname, or entityid when that is empty, or "" (borrowed). */
const char *vendor_ns_name(const struct ns_vendor *v);
/* The view {name, is_active, email, phone}.  Caller decrefs. */
json_t *vendor_view_of_ns(const struct ns_vendor *v);

#endif
