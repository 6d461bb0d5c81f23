#ifndef MLC_FLOW_H
#define MLC_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "flows/session.h"
#include "util/compat.h"
#include "util/error.h"
#include "util/time.h"

/*
 * The frame every flow runs in: plan then apply.  A flow reads both
 * sides, decides per record (create / update / skip / park / delete),
 * and, unless dry_run, writes.  Every decision goes through flow_record(),
 * which keeps the counters, the plan (printed by --dry-run and --json)
 * and one audit row per record movement (none in a dry run: a dry run
 * writes nothing anywhere).
 */
struct flow_opts {
	bool dry_run;
	bool full;           /* ignore watermarks */
	const char *trigger; /* "cli", "schedule", "webhook", "replay" */
};

struct flow_stats {
	int64_t read;
	int64_t created, updated, skipped, parked, failed, deleted;
	int64_t conflicts; /* both sides changed a field: the owner won (master data) */
};

struct flow_run {
	struct mlc_session *s;
	struct flow_opts opts;
	const char *flow; /* "vendors", ... */
	int64_t run_id;   /* 0 in a dry run */
	struct flow_stats stats;
	json_t *plan; /* [{action, entity, source, target, detail}] */
	int64_t ns_reads0, ns_writes0, pc_reads0, pc_writes0; /* call counters at start */
	json_t *open_reviews; /* "entity source_ref" of the open review items, read once */
};

enum flow_action {
	FLOW_CREATE,
	FLOW_UPDATE,
	FLOW_SKIP,
	FLOW_PARK,
	FLOW_FAIL,
	FLOW_DELETE,
	FLOW_CONFLICT, /* audited with both values; not a write by itself */
};

/*
 * Records one decision (and, outside a dry run, its audit row).  detail
 * (may be NULL, not taken) is the changed fields or the reason;
 * error is the failure or park reason.
 */
void flow_record(struct flow_run *r, enum flow_action a, const char *entity, const char *source_ref,
		 const char *target_ref, const json_t *detail, const char *error);

/*
 * Parks a record for a person: a review item with payload (may be NULL;
 * not in a dry run, and only with a source_ref to key it) plus the
 * FLOW_PARK decision.  When the review item cannot be written the record
 * is neither written nor parked: it is recorded as FLOW_FAIL (so the run
 * is partial and flow_advance() keeps the watermark before it) and the
 * store's code is returned (< 0).
 */
int flow_park(struct flow_run *r, const char *entity, const char *source_ref,
	      const char *target_ref, const char *why, const json_t *payload);

/*
 * flow_park() for a flow whose review items carry another entity name
 * than its plan rows (costs: review entity "costs", plan entity "je").
 */
int flow_park_as(struct flow_run *r, const char *review_entity, const char *entity,
		 const char *source_ref, const char *target_ref, const char *why,
		 const json_t *payload);

/*
 * Resolves the review item of a record that has just been placed, if one is
 * open.  The open items are read once per run, so placing every record of
 * a run costs no write when nothing was parked.
 */
void flow_resolve(struct flow_run *r, const char *entity, const char *source_ref);

/*
 * The one registry of flows and what wakes them.  Webhook routing (serve),
 * the inbox drain (the scheduler) and `webhook register` (the CLI) all
 * read the triggers declared here, so a resource is registered exactly
 * when its events are routed.
 *
 * procore_resources: Procore webhook resource names, the same in v2
 * `resource_name` and v3/v4 `resource_type`
 * (docs/reference/procore/webhook-payloads.md).  netsuite_types: NetSuite
 * record types as the connector's User Event script sends them in
 * `recordType`; an entry ending in '*' matches every type it prefixes.
 * Both are NULL-terminated, or NULL for none.  A name wakes one flow.
 */
struct flow_def {
	const char *name;
	const char *summary;
	bool need_netsuite, need_procore;
	int (*run)(struct flow_run *r, struct mlc_error *err);
	const char *const *procore_resources;
	const char *const *netsuite_types;
};

const struct flow_def *flow_find(const char *name);
const struct flow_def *flow_list(size_t *n);

/* The flow a Procore webhook resource wakes, or NULL (not routed, not
 * registered). */
const char *flow_for_procore_resource(const char *resource);
/* The flow a NetSuite record type wakes, or NULL. */
const char *flow_for_netsuite_type(const char *record_type);

/*
 * Runs a flow for a session: opens the run row, calls the flow, closes
 * the run with its counters.  *result (caller decrefs) is the summary:
 * {flow, dry_run, stats{...}, calls{netsuite{reads,writes}, procore{...}},
 * plan[...]}.
 */
int flow_execute(struct mlc_session *s, const struct flow_def *f, const struct flow_opts *o,
		 json_t **result, struct mlc_error *err) MLC_MUST_CHECK;

/* Flows. */
int flow_vendors(struct flow_run *r, struct mlc_error *err);
int flow_purchase_orders(struct flow_run *r, struct mlc_error *err);
int flow_requisitions(struct flow_run *r, struct mlc_error *err);
int flow_costs(struct flow_run *r, struct mlc_error *err);
int flow_cost_codes(struct flow_run *r, struct mlc_error *err);
int flow_accounts(struct flow_run *r, struct mlc_error *err);
int flow_budgets(struct flow_run *r, struct mlc_error *err);
int flow_vendors_back(struct flow_run *r, struct mlc_error *err);
/* flows/flow_sub_invoices.c: the two directions of subcontractor invoices,
 * each running only under its tenant's master.requisitions. */
int flow_sub_invoices(struct flow_run *r, struct mlc_error *err);
int flow_requisitions_directed(struct flow_run *r, struct mlc_error *err);

/*
 * Incremental reads.  A window is one scope of one flow's watermark (""
 * tenant-wide, or a project id).  flow_since() reads the watermark (none
 * under --full) and sets since, the start of the read, FLOW_OVERLAP_MS
 * before it; the flow calls flow_seen() with the change time of every
 * record it reads, and flow_advance() at the end stores the latest one.
 *
 * The watermark moves only when every record of the run was written or
 * parked: flow_advance() writes nothing in a dry run, when nothing was
 * seen, or when the run has recorded a FLOW_FAIL (which includes a park
 * whose review item could not be stored, see flow_park()).
 *
 * Two clocks, as the two systems write their change times:
 *  - FLOW_CLOCK_NETSUITE: "YYYY-MM-DD HH:MM:SS" (SuiteQL TO_CHAR); since is
 *    the same format ("1970-01-01 00:00:00" for an unreadable watermark);
 *  - FLOW_CLOCK_PROCORE: RFC 3339 (updated_at); since is the range
 *    "<time>..." that Procore's filters[updated_at] takes ("" for an
 *    unreadable watermark: everything is read).
 * since is "" when there is no watermark: everything is read.
 */
enum flow_clock {
	FLOW_CLOCK_NETSUITE,
	FLOW_CLOCK_PROCORE,
};

struct flow_window {
	enum flow_clock clock;
	char scope[32];
	char since[MLC_TIME_FMT_MAX + 4];
	char seen[MLC_TIME_FMT_MAX];
};

int flow_since(struct flow_run *r, enum flow_clock clock, const char *scope, struct flow_window *w,
	       struct mlc_error *err) MLC_MUST_CHECK;
/* Notes a record's change time (NULL or "" is ignored). */
void flow_seen(struct flow_window *w, const char *changed_at);
/* Stores the latest time seen, under the rule above. */
int flow_advance(struct flow_run *r, const struct flow_window *w,
		 struct mlc_error *err) MLC_MUST_CHECK;

/*
 * The keyset read of a NetSuite window: select_from ("SELECT id, ... FROM
 * vendor") is read in pages keyed by key_col, restricted to rows whose
 * changed_col is at or after w->since when the window has one
 * (netsuite/ns_since.h).  Rows come to fn a page at a time.
 */
int flow_read_netsuite(struct flow_run *r, const struct flow_window *w, const char *select_from,
		       const char *changed_col, const char *key_col,
		       int (*fn)(void *arg, json_t *rows), void *arg,
		       struct mlc_error *err) MLC_MUST_CHECK;

/* Watermark overlap: reads start this far before the last watermark so a
 * record committed while the previous read ran is not missed. */
#define FLOW_OVERLAP_MS (5 * 60 * 1000)

#endif
