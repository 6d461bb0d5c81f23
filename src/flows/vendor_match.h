#ifndef MLC_VENDOR_MATCH_H
#define MLC_VENDOR_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * Matching NetSuite vendors to Procore company vendors, so that the two
 * directories never hold the same company twice.
 *
 * Order of evidence: an origin_id naming the NetSuite vendor
 * ("ns:vendor:<id>") links for certain; then a link already known
 * elsewhere (the id map, or a NetSuite externalId "pc:<company>:vendor:<id>"
 * left by the vendors-back flow: vendor_index_link); otherwise the normalised name
 * (util/normalize.h) is looked up among Procore vendors not already linked
 * elsewhere.  One candidate -> link; none -> create; several -> ambiguous,
 * the record is parked with the candidates for a person to decide.  A
 * Procore vendor claimed by one NetSuite vendor is not offered to another
 * (two NetSuite near-duplicates never both link to it: the second parks).
 */
struct vendor_index;

enum vendor_match_kind {
	VENDOR_LINK_ORIGIN,  /* origin_id already names this NetSuite vendor */
	VENDOR_LINK_KNOWN,   /* linked before (id map or externalId): vendor_index_link */
	VENDOR_LINK_NAME,    /* one unclaimed Procore vendor with the same normalised name */
	VENDOR_CREATE,       /* no candidate */
	VENDOR_AMBIGUOUS,    /* several candidates: park */
	VENDOR_TAKEN,        /* the only candidate is linked to another NetSuite vendor: park */
};

struct vendor_match {
	enum vendor_match_kind kind;
	int64_t procore_id;    /* for the LINK kinds */
	json_t *candidates;    /* for AMBIGUOUS/TAKEN: [{id, name, origin_id}], owned */
};

/* Builds an index over the Procore vendors (a JSON array of objects with
 * id, name, origin_id as Procore returns them).  Caller frees. */
int vendor_index_new(const json_t *procore_vendors, struct vendor_index **out,
		     struct mlc_error *err) MLC_MUST_CHECK;
void vendor_index_free(struct vendor_index *idx);
/*
 * Records a link known before matching: the Procore vendor is claimed for
 * the NetSuite vendor (never offered to another by name), and matching
 * that NetSuite vendor gives VENDOR_LINK_KNOWN unless an origin_id says
 * otherwise.  Ignored when the Procore vendor is not in the index (gone).
 */
void vendor_index_link(struct vendor_index *idx, int64_t procore_id, int64_t netsuite_id);
/*
 * Matches one NetSuite vendor and, on a link, claims the Procore vendor
 * for it.  origin_prefix is "ns:vendor:".  Caller releases m with
 * vendor_match_release().
 */
int vendor_index_match(struct vendor_index *idx, int64_t netsuite_id, const char *name,
		       struct vendor_match *m, struct mlc_error *err) MLC_MUST_CHECK;
void vendor_match_release(struct vendor_match *m);
const char *vendor_match_kind_name(enum vendor_match_kind k);

#endif
