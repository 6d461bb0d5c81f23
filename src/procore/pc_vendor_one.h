#ifndef MLC_PC_VENDOR_ONE_H
#define MLC_PC_VENDOR_ONE_H

#include <stdint.h>

#include <jansson.h>

#include "procore/procore.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The company's vendors whose origin_id is origin (zero or one: origin_id
 * is unique within a company: docs/reference/procore.md, "Sync (batch)
 * endpoints"), one filtered read of /rest/v1.0/vendors (filters[origin_id]:
 * "Resources the connector uses").  Caller
 * decrefs *list.
 */
int procore_vendor_by_origin(struct mlc_procore *pc, int64_t company_id, const char *origin,
			     json_t **list, struct mlc_error *err) MLC_MUST_CHECK;

#endif
