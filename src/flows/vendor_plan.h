#ifndef MLC_VENDOR_PLAN_H
#define MLC_VENDOR_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flows/masterdata.h"
#include "flows/vendor_match.h"

/*
 * The plan of one NetSuite vendor in the flow "vendors": what its match
 * (flows/vendor_match.h) and its id_map row mean.  Pure: no I/O, no
 * allocation; the flow carries it out (park with candidates, skip, settle
 * the pair by the three-way merge, or create in Procore).
 */
enum vendor_plan_action {
	VENDOR_PLAN_PARK,        /* why set; candidates from the match */
	VENDOR_PLAN_SKIP,        /* linked, and Procore has what we would send */
	VENDOR_PLAN_SETTLE,      /* linked: merge the pair (flows/vendor_pair.h) */
	VENDOR_PLAN_CREATE,      /* no Procore twin: create it there */
	VENDOR_PLAN_PARK_MASTER, /* no twin, and Procore masters vendors: a person adds it */
};

struct vendor_plan_in {
	enum vendor_match_kind kind;
	size_t ncand;             /* AMBIGUOUS: how many candidates */
	int64_t first_id;         /* DUPLICATE: the NetSuite vendor made in Procore */
	const char *name;         /* the name we would send (may be NULL) */
	int64_t pc_id;            /* the LINK kinds: the matched Procore vendor */
	const char *known_pc_key; /* id_map "vendor": its Procore key, NULL when none */
	const char *known_hash;   /* id_map "vendor": content hash, NULL when none */
	const char *hash;         /* content hash of the body we would send */
	enum md_side master;
};

struct vendor_plan {
	enum vendor_plan_action action;
	char why[320];
};

void vendor_plan_make(const struct vendor_plan_in *in, struct vendor_plan *out);

#endif
