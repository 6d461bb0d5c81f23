#ifndef MLC_COST_CODE_PLAN_H
#define MLC_COST_CODE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "flows/field_merge.h"
#include "flows/masterdata.h"

/*
 * The plan of one cost code in the cost-codes flow (flows/flow_cost_codes.c):
 * from the code's NetSuite value, its base (the state both sides last
 * agreed on) and its presence in each Procore list, what to do.  Pure: no
 * I/O, no allocation; every string of the plan points into the input.
 *
 * Procore's view of the code across the lists: absent when no list holds
 * it and it has no base; otherwise its name is the first name that differs
 * from the base's (a project renamed it), else the first list's, and it is
 * active when any list holds it (no base, or an inactive base) or when no
 * list that held it at the last sync dropped it (an active base).
 */
struct ccp_list {
	bool standard;       /* the company's standard list */
	bool in_base;        /* held the code at the last sync */
	const char *name;    /* the code's name in the list; NULL: the list lacks it */
	bool division_named; /* the list has a division whose code is this code */
};

struct ccp_in {
	const char *code;
	enum md_side master;               /* MD_NETSUITE, MD_PROCORE or MD_BOTH */
	enum md_side own_name, own_active; /* the fields' owners under MD_BOTH */
	bool has_ns;
	const char *ns_name;
	bool ns_active;
	bool has_base;
	const char *base_name; /* NULL: the base has no name */
	bool base_active;
	const struct ccp_list *lists;
	size_t nlists;
};

enum ccp_verdict {
	CCP_GONE = 0,  /* in the base only: deleted in NetSuite, held by no list */
	CCP_PARK_PC,   /* only in Procore, NetSuite masters: parked */
	CCP_PARK_NS,   /* only in NetSuite, Procore masters: parked */
	CCP_ONE_SIDED, /* one side only: the other is created (audited as create) */
	CCP_MERGED,    /* both sides: merged field by field */
};

enum ccp_ns_op { CCP_NS_NONE = 0, CCP_NS_CREATE, CCP_NS_UPDATE };
enum ccp_list_op { CCP_KEEP = 0, CCP_CREATE, CCP_RENAME, CCP_DELETE };

#define CCP_FIELD_NAME   0
#define CCP_FIELD_ACTIVE 1

struct ccp_plan {
	enum ccp_verdict verdict;
	bool has_pc;         /* Procore's view exists */
	const char *pc_name; /* Procore's view */
	bool pc_active;
	const char *name; /* the merged state every side is brought to */
	bool active;
	enum ccp_ns_op ns;
	bool ns_name, ns_active; /* on CCP_NS_UPDATE: the fields NetSuite takes */
	bool conflict[2];        /* by CCP_FIELD_*: both sides changed it */
	enum md_side winner[2];  /* the side whose value a conflicted field took */
};

/* Plans one code; ops (nlists entries) gets each list's write. */
void cost_code_plan(const struct ccp_in *in, struct ccp_plan *out, enum ccp_list_op *ops);

/* The op's name in audit details ("create", "rename", "delete"), NULL for keep. */
const char *ccp_op_name(enum ccp_list_op op);

#endif
