#ifndef MLC_VENDOR_FIELDS_H
#define MLC_VENDOR_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "flows/masterdata.h"
#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The vendor fields both directories carry, in one neutral shape (the
 * "view") that the two vendor flows merge with md_merge (type "vendors",
 * md_base key = the NetSuite internal id as text):
 *
 *   view key    NetSuite (REST / SuiteQL)       Procore           owner
 *   name        companyName / companyname       name              NetSuite
 *   is_active   !isInactive / isinactive        is_active         NetSuite
 *   email       email / email                   email_address     Procore
 *   phone       phone / phone                   business_phone    Procore
 *
 * NetSuite's tax id, terms and Procore's trades have no counterpart on the
 * other side, so they are not merged.  An empty string is read as null:
 * both systems show the two alike.
 */
extern const struct md_field vendor_md_fields[];

/* The view of a NetSuite vendor row (SuiteQL: companyname, entityid,
 * isinactive, email, phone).  Caller decrefs. */
json_t *vendor_view_ns(const json_t *row);
/* The view of a Procore vendor as Procore returns it.  Caller decrefs. */
json_t *vendor_view_pc(const json_t *v);
/* A base for a pair that has never been merged: every field null, so a
 * value on one side only is carried to the other, and two different
 * values are a conflict the owner wins.  Caller decrefs. */
json_t *vendor_view_empty(void);

/* Procore vendor fields from (part of) a view.  With nulls, a null view
 * value is sent as null (to clear it); without, it is left out.  Caller
 * decrefs. */
json_t *vendor_pc_fields(const json_t *view, bool nulls);
/* NetSuite REST vendor fields from (part of) a view.  Caller decrefs. */
json_t *vendor_ns_fields(const json_t *view);

/*
 * The master of vendors as the two flows apply it.  Without
 * vendors_back.enabled the tenant syncs one way: NetSuite masters every
 * field and *back is false.  With it, master.vendors decides (default
 * "both", owners as in the table above).
 */
int vendor_master(const struct mlc_session *s, enum md_side *master, bool *back,
		  struct mlc_error *err) MLC_MUST_CHECK;

/* "pc:<company>:vendor:<id>": the NetSuite externalId of a vendor that
 * came from Procore. */
void vendor_back_eid(const struct mlc_session *s, int64_t procore_id, char *out, size_t n);
/* The Procore id named by such an externalId of this tenant's company;
 * 0 when eid is NULL or not one. */
int64_t vendor_back_eid_parse(const struct mlc_session *s, const char *eid);

#endif
