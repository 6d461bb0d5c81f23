#ifndef MLC_PC_VENDORS_H
#define MLC_PC_VENDORS_H

#include <stdint.h>

#include <jansson.h>

#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Procore company vendors (docs/reference/procore.md): the adapter owns
 * the paths.  Vendors come back as Procore returns them; the flows turn
 * each into the neutral vendor view (flows/vendor_fields.h).
 */

/*
 * The company's vendors, all pages; with updated (a Procore range filter
 * "<from>...<to>", may be NULL: every vendor) only those updated in it.
 * Caller decrefs *list.
 */
int procore_vendors(struct mlc_procore *pc, int64_t company_id, const char *updated, json_t **list,
		    struct mlc_error *err) MLC_MUST_CHECK;
/*
 * PATCH /rest/v1.0/vendors/sync with updates (at most 1000; not taken).
 * *entities and *errors as procore_sync() gives them (caller decrefs).
 */
int procore_vendors_sync(struct mlc_procore *pc, int64_t company_id, json_t *updates,
			 json_t **entities, json_t **errors, struct mlc_error *err) MLC_MUST_CHECK;

#endif
