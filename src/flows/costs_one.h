#ifndef MLC_COSTS_ONE_H
#define MLC_COSTS_ONE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/canon.h"
#include "flows/cost_post.h"
#include "flows/flow.h"
#include "flows/refdata.h"
#include "flows/segment.h"
#include "procore/pc_costs.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * The costs flow's posting of one document (flows/flow_costs.c), shared by
 * the full run and by a webhook event that names the document
 * (flows/flow_event.c, issue 20).
 *
 * struct costs holds what a run decides once: the settings (mode,
 * closed-period policy), the cost-code segment, the reference data and
 * NetSuite's accounting periods.  costs_load() fills it (NetSuite and
 * Procore reads); a loaded struct may serve several runs in turn, each
 * bound with costs_bind() (one run at a time: it is not shared between
 * threads).
 *
 * Serialisation.  A document is posted under its document lock
 * (flows/doc_lock.h, key costs_doc_ref()): the caller takes it around the
 * read of the ledger, the plan and the write (an event also around its
 * read of the document), so an event and a full run never plan the same
 * document at once; each waits only for that document.
 */
struct costs {
	struct flow_run *r;
	struct refdata rd;
	bool daily, hold;
	bool event;             /* posting for a webhook event: what would park the
				 * unit (an unmapped line, a closed period met on the
				 * write, a hold) is a failure left to the full run,
				 * whose reference data and periods are fresh */
	struct mlc_segment seg; /* the cost-code dimension, decided once per run */
	struct canon_period *periods;
	size_t nperiods;
	char today[11];
};

/* Reads the settings, the segment, the reference data and the periods
 * for run r.  Release with costs_release() (also after a failure). */
int costs_load(struct costs *c, struct flow_run *r, struct mlc_error *err) MLC_MUST_CHECK;
/* Binds a loaded struct to another run (and refreshes today). */
void costs_bind(struct costs *c, struct flow_run *r);
void costs_release(struct costs *c);

/* The document's ledger key and externalId in per-document mode,
 * "pc:<company>:dc:<id>". */
void costs_doc_ref(int64_t company, int64_t doc_id, char *out, size_t n);

/*
 * read -> plan -> apply for one direct cost in per-document mode: doc is
 * the approved document as Procore has it now, or NULL when Procore no
 * longer lists it as approved (a posted one is then reversed); date is its
 * date (NULL: today).  The caller holds the document lock.  < 0 only when
 * the ledger cannot be read; every decision is recorded on c->r.
 */
int costs_post_one(struct costs *c, const struct cost_post_ctx *ctx, int64_t project,
		   int64_t doc_id, const char *date, struct canon_cost_doc *doc,
		   struct mlc_error *err) MLC_MUST_CHECK;

/* A payment application's ledger key and externalId, "pc:<company>:pa:<id>"
 * (its document lock too). */
void costs_payapp_ref(int64_t company, int64_t pa_id, char *out, size_t n);

/*
 * read -> plan -> apply for one approved payment application (owner
 * invoice), as the flow posts each: lines that do not sum to the header
 * park it (for an event: a failure left to the full run), else it is one
 * unit.  The caller holds its document lock (costs_payapp_ref()).  < 0
 * only when the ledger cannot be read.
 */
int costs_post_payapp(struct costs *c, const struct cost_post_ctx *ctx, struct pc_payapp *pa,
		      struct mlc_error *err) MLC_MUST_CHECK;

#endif
