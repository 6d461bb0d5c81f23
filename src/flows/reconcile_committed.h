#ifndef MLC_RECONCILE_COMMITTED_H
#define MLC_RECONCILE_COMMITTED_H

#include <jansson.h>

#include "flows/reconcile.h"
#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * reconcile --scope committed: each NetSuite purchase order on a linked
 * job against the Procore commitment the connector made of it (origin_id
 * ns:po:<id>), both read back from the two systems, never from id_map.
 *
 * Procore's side is the commitment's schedule of values (grand_total in
 * the purchase order contract list, the "original"), its approved change
 * orders and, separately, the pending ones: every other change order
 * that is not void or rejected, draft included (Procore's own
 * pending_change_orders leaves draft out).  The change orders are read
 * per project (one list and their lines), not per commitment.  A PO edited while its change order
 * is still draft (commitments.change_order_status=draft, the default) is already in the NetSuite
 * total, so a PO ties when its total equals original + approved
 * + pending, the figure the purchase-orders flow writes towards
 * (flows/po_cco.c counts every change order but void and rejected ones).
 *
 * *report (caller decrefs): {scope: "committed", ties_on, rows:
 * [{project_id, project, po_id, po, commitment_id, commitment, status,
 * netsuite, original, approved, pending, revised, procore, variance,
 * cause?, parked?}], differences: n, parked: m}.  A PO parked before it
 * ever reached Procore (an open review item, no commitment) is listed
 * with parked: true and counted in parked, not in differences: the
 * review list already holds it.  A PO with no commitment has commitment_id
 * 0; a commitment whose PO is gone has po_id from its origin_id and po
 * "".  revised is what Procore calls revised_contract (original +
 * approved);
 * procore is original + approved + pending.  Amounts are text with two
 * decimals (exact cents).  o->period must be NULL (a commitment has no
 * period).
 */
int reconcile_committed_run(struct mlc_session *s, const struct reconcile_opts *o, json_t **report,
			    struct mlc_error *err) MLC_MUST_CHECK;

#endif
