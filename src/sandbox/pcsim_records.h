#ifndef MLC_PCSIM_RECORDS_H
#define MLC_PCSIM_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "sandbox/pcsim.h"

/*
 * Record constructors of the Procore simulator (pcsim_records.c).  Each
 * allocates an id, fills the fields of the endpoint schema (null where
 * Procore sends null), inserts the record into its table and returns it
 * (borrowed).  The caller holds pcsim.lock.
 */

/* Adds each space-separated name as null unless already present. */
void pc_set_nulls(json_t *o, const char *names);
/* Sets updated_at to the sandbox clock. */
void pc_touch(struct pcsim *pc, json_t *r);

json_t *pc_company_new(struct pcsim *pc, const char *name, bool installed);
json_t *pc_project_new(struct pcsim *pc, int64_t company_id, const char *name, const char *number);
json_t *pc_vendor_new(struct pcsim *pc, int64_t company_id, const char *name);
json_t *pc_lit_new(struct pcsim *pc, int64_t company_id, const char *code, const char *name,
		   const char *base);
/* parent NULL: a division ("03"); otherwise a code under it ("300" ->
 * full_code "03-300"), with one WBS code per line item type. */
json_t *pc_cost_code_new(struct pcsim *pc, const json_t *project, const json_t *parent,
			 const char *code, const char *name);
/* The {id, company, origin_data, origin_id} vendor of a contract. */
json_t *pc_contract_vendor(const json_t *vendor);
/* k is PC_PO or PC_WO.  vendor may be NULL. */
json_t *pc_contract_new(struct pcsim *pc, enum pc_kind k, const json_t *project,
			const json_t *vendor);
json_t *pc_dc_new(struct pcsim *pc, const json_t *project);
void pc_dc_set_vendor(json_t *dc, const json_t *vendor);
json_t *pc_req_new(struct pcsim *pc, const json_t *contract, int number, int64_t completed_cents,
		   int64_t previous_cents, const char *status, const char *start, const char *end);
json_t *pc_payapp_new(struct pcsim *pc, const json_t *project, int number, int64_t contract_cents,
		      int64_t completed_cents, int64_t previous_cents, const char *status,
		      const char *start, const char *end);
json_t *pc_bli_new(struct pcsim *pc, const json_t *project, const json_t *cc, const json_t *lit,
		   int64_t cents);

#endif
