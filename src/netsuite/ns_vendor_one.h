#ifndef MLC_NS_VENDOR_ONE_H
#define MLC_NS_VENDOR_ONE_H

#include <stdint.h>

#include "netsuite/netsuite.h"
#include "netsuite/ns_vendors.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * One NetSuite vendor by its internal id (a webhook push names it), read
 * with the columns of the vendors flow's incremental read
 * (NS_VENDORS_SINCE_SELECT) and appended to out: one SuiteQL read; out
 * stays empty when there is no such vendor.
 */
int netsuite_vendor_one(struct mlc_netsuite *ns, int64_t id, struct ns_vendors *out,
			struct mlc_error *err) MLC_MUST_CHECK;

#endif
