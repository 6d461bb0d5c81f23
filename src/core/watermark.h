#ifndef MLC_WATERMARK_H
#define MLC_WATERMARK_H

#include <stdint.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Watermarks: how far a flow has read, per tenant, flow and scope (a
 * project id, or "" for tenant-wide).  The value is opaque text (an RFC
 * 3339 time, or "time|id" for keyset reads).  A flow advances its
 * watermark only after every write it covers has succeeded or been
 * parked, inside the same transaction where it can.
 */
/* *value is NULL (and MLC_OK returned) when no watermark is set.  Caller frees. */
int watermark_get(struct mlc_store *s, int64_t tenant_id, const char *flow, const char *scope,
		  char **value, struct mlc_error *err) MLC_MUST_CHECK;
int watermark_set(struct mlc_store *s, int64_t tenant_id, const char *flow, const char *scope,
		  const char *value, struct mlc_error *err) MLC_MUST_CHECK;
/* Forgets every watermark of a flow (a --full resync starts from nothing). */
int watermark_clear(struct mlc_store *s, int64_t tenant_id, const char *flow,
		    struct mlc_error *err) MLC_MUST_CHECK;

#endif
