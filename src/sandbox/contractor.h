#ifndef MLC_CONTRACTOR_H
#define MLC_CONTRACTOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * The seeded general contractor, shared by both simulators so that their
 * data describe one company: "Meridian Builders Group".  Everything here is
 * deterministic by seed; both simulators call the same functions with the
 * same seed and get the same answers.
 *
 * Ids: each simulator allocates its own record ids; what ties the two
 * sides together is the project number (NetSuite job entityid ==
 * Procore project_number), the cost code ("03-300"), and vendor names
 * (spelt differently on the two sides on purpose).
 */

#define CONTRACTOR_NAME     "Meridian Builders Group"
#define CONTRACTOR_PROJECTS 10

struct contractor_project {
	const char *number; /* "MBG-2401": NetSuite job entityid == Procore project_number */
	const char *name;   /* "Riverside Medical Office Building" */
	const char *city, *state_code, *zip;
	int64_t contract_cents; /* prime contract value */
	const char *department; /* NetSuite department the project's postings carry */
	const char *class_name; /* NetSuite class (line of business) */
	const char *location;   /* NetSuite location (regional office) */
};

struct contractor_cost_code {
	const char *code;          /* "03-300" (CSI division - section) */
	const char *name;          /* "Cast-in-Place Concrete" */
	int division;              /* 3 */
	const char *division_name; /* "Concrete" */
};

/* Cost types = Procore line item types = NetSuite job-cost expense accounts. */
struct contractor_cost_type {
	const char *code;           /* "L", "M", "S", "E", "O" */
	const char *name;           /* "Labor", "Material", "Subcontract", "Equipment", "Other" */
	const char *account_number; /* NetSuite expense account acctnumber: "5100" */
};

struct contractor_vendor {
	char name[128];         /* NetSuite spelling */
	char procore_name[128]; /* Procore spelling ("" if the vendor exists only in NetSuite) */
	char trade[64];
	int netsuite_only, procore_only;
};

const struct contractor_project *contractor_projects(size_t *n);
const struct contractor_cost_code *contractor_cost_codes(size_t *n);
const struct contractor_cost_type *contractor_cost_types(size_t *n);
/* Departments, classes, locations by name (the projects refer to them). */
const char *const *contractor_departments(size_t *n);
const char *const *contractor_classes(size_t *n);
const char *const *contractor_locations(size_t *n);

/* The i-th trade vendors work in ("Concrete", "HVAC"; contractor_vendor.trade
 * is one of them), NULL past the last.  NetSuite seeds one vendor category
 * per trade, Procore seeds a vendor's trade_name from it. */
const char *contractor_trade(size_t i);

/*
 * The vendor directory: about 300 * scale vendors.  Some exist on one side
 * only; the Procore spelling differs in case, punctuation or legal suffix
 * ("Acme Concrete, Inc." / "ACME CONCRETE INC"); a few near-duplicates exist
 * within NetSuite itself.  Fills a malloc'd array; caller frees.
 */
struct contractor_vendor *contractor_vendors(uint64_t seed, int scale, size_t *n);

/* A small deterministic generator (splitmix64) for the simulators' seeds. */
uint64_t contractor_rand(uint64_t *state);
/* Uniform integer in [lo, hi]. */
int64_t contractor_rand_range(uint64_t *state, int64_t lo, int64_t hi);

#endif
