#ifndef MLC_PO_CCO_H
#define MLC_PO_CCO_H

#include "flows/flow.h"
#include "flows/po_plan.h"

/*
 * The changed lines of a PO whose commitment is locked in Procore, written
 * as one commitment change order (flows/po_plan.h po_cco_plan()): found by
 * its number or created, one line per changed PO line carrying the delta,
 * then put in the status of the tenant setting
 * commitments.change_order_status ("draft" by default).  The lines settle
 * in id_map ("poline") only when the order is complete, so a lost answer
 * at any step is finished by the next run, never doubled.  Failures are
 * recorded on r; *failed set when the PO stays unsettled.
 */
void po_cco_apply(struct flow_run *r, const struct po_plan *p, int *failed);

#endif
