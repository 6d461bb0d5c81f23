#ifndef MLC_RECONCILE_BILLED_H
#define MLC_RECONCILE_BILLED_H

#include <jansson.h>

#include "flows/reconcile.h"
#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * reconcile --scope billed: billed to date per commitment line, both sides
 * read back from the two systems (never from id_map).
 *
 * NetSuite's side is the sum of the vendor bill lines made from each
 * purchase order line (transactionline.createdfrom and the line id the
 * transform keeps), on the linked jobs.  Procore's side is, per commitment
 * line, the work completed this period summed over the commitment's
 * requisitions: the latest requisition's "from previous application" plus
 * "this period".  The two meet on the commitment line's origin_id
 * ns:poline:<po>:<line>, the key of each row; a Procore line without one
 * is keyed pc:line:<id>.  Requisitions on a commitment whose schedule of
 * values Procore will not show as a purchase order contract (a work order
 * made in Procore) are not compared: their commitment ids are listed in
 * skipped_commitments.
 *
 * A bill the requisitions flow parked (an open review item) explains its
 * own part of a difference: its lines less what its requisition (origin
 * ns:bill:<id>, if any) holds.  variance = netsuite - procore; unexplained
 * = variance - parked; a row differs when unexplained is not 0.
 *
 * *report (caller decrefs): {scope: "billed", rows: [{project_id, project,
 * line, line_item_id?, netsuite, procore, variance, parked, cause?,
 * parked_bills?: ["ns:bill:<id>"]}], differences: n, parked_bills:
 * [{bill, reason}], skipped_commitments: [id]}.  Amounts are text with two
 * decimals (exact cents).  o->period must be NULL (billed to date has no
 * period).
 */
int reconcile_billed_run(struct mlc_session *s, const struct reconcile_opts *o, json_t **report,
			 struct mlc_error *err) MLC_MUST_CHECK;

#endif
