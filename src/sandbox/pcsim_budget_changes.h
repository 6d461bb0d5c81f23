#ifndef MLC_PCSIM_BUDGET_CHANGES_H
#define MLC_PCSIM_BUDGET_CHANGES_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "sandbox/pcsim.h"

/*
 * Budgets as Procore locks and changes them (pcsim_budget_changes.c):
 * locked budgets, Budget Changes with adjustment line items, and the
 * Budget Modifications endpoints after the migration (pcsim_budget_changes_bm.c).
 * The caller holds
 * pcsim.lock.
 *
 * A budget line item keeps, besides its original (_cents), the sums of
 * its adjustments in approved budget changes (_bc_approved) and in draft
 * or under-review ones (_bc_pending), in cents; its revised budget is
 * original + legacy modifications (_mod_cents) + _bc_approved.
 */

/* True when the project's budget is locked (hidden _budget_locked). */
bool pc_budget_locked(const json_t *project);

/* Sets the amounts that follow the original, the modifications and the
 * approved budget changes of a budget line item (pcsim_budget.c). */
void pc_bli_revise(json_t *bli);

/* Recomputes _bc_approved and _bc_pending of every budget line item of a
 * project from its budget changes, and revises them. */
void pc_budget_changes_recompute(struct pcsim *pc, int64_t project_id);

/* The budget change routes, the Budget Modification routes and their
 * /_sandbox/ admin routes. */
int pc_routes_budget_changes(struct pcsim *pc, struct mlc_http_server *http,
			     struct mlc_error *err) MLC_MUST_CHECK;

/* The Budget Modification routes (pcsim_budget_changes_bm.c). */
int pc_routes_budget_modifications(struct pcsim *pc, struct mlc_http_server *http,
				   struct mlc_error *err) MLC_MUST_CHECK;

/* Seed: the second project of our company gets a locked budget and an
 * approved budget change moving 1500.00 from its second budget line to its
 * first; the other projects stay unlocked (called once by pc_seed). */
void pc_seed_budget_locks(struct pcsim *pc);

#endif
