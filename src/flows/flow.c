#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/review.h"
#include "core/watermark.h"
#include "flows/flow.h"
#include "flows/flow_park.h"
#include "net/metrics.h"
#include "netsuite/ns_since.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

/*
 * Triggers.  Procore -> connector: "Purchase Order Contracts" wakes
 * nothing, as purchase orders flow NetSuite -> Procore only
 * (flows/flow_purchase_orders.c), so a Procore-side change to one has no
 * flow to feed.  NetSuite: both spellings of a record type arrive; the
 * values of any custom segment (customrecord_cseg...) wake cost-codes,
 * which reads only the tenant's own segment (flows/segment.h).
 */
static const char *const pc_costs[] = {"Direct Costs", "Direct Cost Line Items",
				       "Payment Applications", NULL};
static const char *const pc_vendors[] = {"Company Vendors", NULL};
static const char *const pc_cost_codes[] = {"Cost Codes", NULL};
static const char *const pc_budgets[] = {"Budget Line Items", NULL};
static const char *const ns_vendors[] = {"vendor", NULL};
static const char *const ns_pos[] = {"purchaseOrder", "purchaseorder", NULL};
static const char *const ns_bills[] = {"vendorBill", "vendorbill", NULL};
static const char *const ns_segments[] = {"customrecord_cseg*", NULL};

static const struct flow_def flows[] = {
    {"vendors", "NetSuite vendors -> Procore company vendors", true, true, flow_vendors, NULL,
     ns_vendors},
    {"purchase-orders", "NetSuite purchase orders -> Procore commitments", true, true,
     flow_purchase_orders, NULL, ns_pos},
    {"requisitions", "NetSuite vendor bills on synced POs -> Procore requisitions", true, true,
     flow_requisitions_directed, NULL, ns_bills},
    {"costs", "approved Procore direct costs -> NetSuite journal entries", true, true, flow_costs,
     pc_costs, NULL},
    {"cost-codes", "NetSuite cost-code segment <-> Procore project cost codes (both ways)", true,
     true, flow_cost_codes, pc_cost_codes, ns_segments},
    {"accounts", "NetSuite chart of accounts -> catalog; mapped accounts checked", true, false,
     flow_accounts, NULL, NULL},
    {"budgets", "Procore project budgets <-> NetSuite budgets (per cost code)", true, true,
     flow_budgets, pc_budgets, NULL},
    {"sub-invoices",
     "approved Procore requisitions -> NetSuite vendor bills (master.requisitions=procore)", true,
     true, flow_sub_invoices, NULL, NULL},
    {"vendors-back", "Procore company vendors -> NetSuite vendors", true, true, flow_vendors_back,
     pc_vendors, NULL},
};

const struct flow_def *flow_find(const char *name)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(flows); i++)
		if (strcmp(flows[i].name, name) == 0)
			return &flows[i];
	return NULL;
}

const struct flow_def *flow_list(size_t *n)
{
	*n = MLC_ARRAY_LEN(flows);
	return flows;
}

static bool trigger_match(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (n && pattern[n - 1] == '*')
		return strncmp(pattern, name, n - 1) == 0;
	return strcmp(pattern, name) == 0;
}

static const char *flow_for(const char *name, bool procore)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < MLC_ARRAY_LEN(flows); i++) {
		const char *const *t =
		    procore ? flows[i].procore_resources : flows[i].netsuite_types;
		for (; t && *t; t++)
			if (trigger_match(*t, name))
				return flows[i].name;
	}
	return NULL;
}

const char *flow_for_procore_resource(const char *resource)
{
	return flow_for(resource, true);
}

const char *flow_for_netsuite_type(const char *record_type)
{
	return flow_for(record_type, false);
}

static const char *action_name(enum flow_action a)
{
	switch (a) {
	case FLOW_CREATE:
		return "create";
	case FLOW_UPDATE:
		return "update";
	case FLOW_SKIP:
		return "skip";
	case FLOW_PARK:
		return "park";
	case FLOW_FAIL:
		return "fail";
	case FLOW_DELETE:
		return "delete";
	case FLOW_CONFLICT:
		return "conflict";
	}
	return "?";
}

void flow_record(struct flow_run *r, enum flow_action a, const char *entity, const char *source_ref,
		 const char *target_ref, const json_t *detail, const char *error)
{
	json_t *p = json_object(), *clean = detail && a != FLOW_SKIP ? jsonx_clean(detail) : NULL;
	struct mlc_error err = {0};
	struct mlc_buf summary = MLC_BUF_INIT;

	switch (a) {
	case FLOW_CREATE:
		r->stats.created++;
		break;
	case FLOW_UPDATE:
		r->stats.updated++;
		break;
	case FLOW_SKIP:
		r->stats.skipped++;
		break;
	case FLOW_PARK:
		r->stats.parked++;
		break;
	case FLOW_FAIL:
		r->stats.failed++;
		break;
	case FLOW_DELETE:
		r->stats.deleted++;
		break;
	case FLOW_CONFLICT:
		r->stats.conflicts++;
		break;
	}
	/* skips are counted, not listed: an unchanged directory is most of it */
	if (a != FLOW_SKIP) {
		json_object_set_new(p, "action", json_string(action_name(a)));
		json_object_set_new(p, "entity", json_string(entity));
		if (source_ref)
			json_object_set_new(p, "source", json_string(source_ref));
		if (target_ref)
			json_object_set_new(p, "target", json_string(target_ref));
		/* the detail stays in the plan of a dry run only: a real run's
		 * audit row has it, and a run's plan held every record's (30 of
		 * the 35 MB of purchase-orders at sandbox scale 5) */
		if (clean && r->opts.dry_run)
			json_object_set(p, "detail", clean);
		if (error)
			json_object_set_new(p, "reason", json_string(error));
		json_array_append(r->plan, p);
	}
	if (!r->opts.dry_run && a != FLOW_SKIP) {
		struct mlc_audit_rec rec = {
		    .tenant_id = r->s->tenant.id,
		    .run_id = r->run_id,
		    .flow = r->flow,
		    .entity = entity,
		    .action = action_name(a),
		    .source_ref = source_ref,
		    .target_ref = target_ref,
		    .result = a == FLOW_FAIL   ? "error"
			      : a == FLOW_PARK ? "parked"
					       : "ok",
		    .error = error,
		    .payload = clean,
		};
		/* the write behind the record, with its retries (issue 21) */
		if (a == FLOW_CREATE || a == FLOW_UPDATE || a == FLOW_DELETE || a == FLOW_FAIL)
			audit_rec_take_write(&rec, &summary);
		if (audit_write(r->s->store, &rec, &err) < 0)
			log_error("audit write failed", "flow", r->flow, "error", err.msg);
	}
	buf_release(&summary);
	json_decref(clean);
	json_decref(p);
}

int flow_park_as(struct flow_run *r, const char *review_entity, const char *entity,
		 const char *source_ref, const char *target_ref, const char *why,
		 const json_t *payload)
{
	struct mlc_error err = {0};
	struct mlc_buf reason = MLC_BUF_INIT;
	int rc = MLC_OK;

	if (flow_park_decided(r, review_entity, entity, source_ref, target_ref))
		return MLC_OK; /* a person said to ignore or drop it (flows/flow_park.h) */
	if (!r->opts.dry_run && source_ref)
		rc = review_park(r->s->store, r->s->tenant.id, r->flow, review_entity, source_ref,
				 why, NULL, payload, &err);
	if (rc < 0) {
		/* not parked, not written: a failure, so the watermark stays before it */
		log_error("review park failed", "flow", r->flow, "error", err.msg);
		buf_addf(&reason, "%s (could not be parked: %s)", why ? why : "", err.msg);
		flow_record(r, FLOW_FAIL, entity, source_ref, target_ref, NULL, reason.data);
		buf_release(&reason);
		return rc;
	}
	flow_record(r, FLOW_PARK, entity, source_ref, target_ref, NULL, why);
	return MLC_OK;
}

int flow_park(struct flow_run *r, const char *entity, const char *source_ref,
	      const char *target_ref, const char *why, const json_t *payload)
{
	return flow_park_as(r, entity, entity, source_ref, target_ref, why, payload);
}

void flow_resolve(struct flow_run *r, const char *entity, const char *source_ref)
{
	struct mlc_error err = {0};
	char key[512];

	if (r->opts.dry_run)
		return;
	if (!r->open_reviews &&
	    review_open_refs(r->s->store, r->s->tenant.id, &r->open_reviews, &err) < 0) {
		log_warn("review list failed", "flow", r->flow, "error", err.msg);
		r->open_reviews = json_object();
		return;
	}
	snprintf(key, sizeof(key), "%s %s", entity, source_ref);
	if (!json_object_get(r->open_reviews, key))
		return;
	/* the record moved: its item is done, and a person's decision on it applied */
	if (review_resolve(r->s->store, r->s->tenant.id, entity, source_ref, &err) < 0 ||
	    review_decision_mark(r->s->store, r->s->tenant.id, entity, source_ref, "applied",
				 &err) < 0)
		log_warn("review resolve failed", "flow", r->flow, "error", err.msg);
	else
		json_object_del(r->open_reviews, key);
}

/* ---- incremental reads ------------------------------------------------------------------ */

/* A NetSuite "YYYY-MM-DD HH:MM:SS" as milliseconds. */
static int netsuite_time_ms(const char *t, int64_t *ms)
{
	struct mlc_buf iso = MLC_BUF_INIT;
	int rc;

	buf_addstr(&iso, t);
	if (iso.len > 10)
		iso.data[10] = 'T';
	buf_addch(&iso, 'Z');
	rc = time_parse_rfc3339(iso.data, ms, NULL);
	buf_release(&iso);
	return rc;
}

static void window_start(struct flow_window *w, const char *wm)
{
	char t[MLC_TIME_FMT_MAX];
	int64_t ms;

	if (w->clock == FLOW_CLOCK_NETSUITE) {
		if (netsuite_time_ms(wm, &ms) < 0) {
			str_copy(w->since, sizeof(w->since), "1970-01-01 00:00:00");
			return;
		}
		time_format_rfc3339(ms - FLOW_OVERLAP_MS, t);
		snprintf(w->since, sizeof(w->since), "%.10s %.8s", t, t + 11);
		return;
	}
	if (time_parse_rfc3339(wm, &ms, NULL) < 0)
		return; /* unreadable: everything is read */
	time_format_rfc3339(ms - FLOW_OVERLAP_MS, t);
	snprintf(w->since, sizeof(w->since), "%s...", t);
}

int flow_since(struct flow_run *r, enum flow_clock clock, const char *scope, struct flow_window *w,
	       struct mlc_error *err)
{
	char *wm = NULL;
	int rc;

	memset(w, 0, sizeof(*w));
	w->clock = clock;
	if (!str_copy(w->scope, sizeof(w->scope), scope ? scope : ""))
		return error_set(err, MLC_EINVAL, "watermark scope '%s' is too long", scope);
	if (r->opts.full || flow_decisions_waiting(r))
		return MLC_OK; /* parked records wait for a decision: read them again */
	rc = watermark_get(r->s->store, r->s->tenant.id, r->flow, w->scope, &wm, err);
	if (rc < 0)
		return rc;
	if (wm)
		window_start(w, wm);
	free(wm);
	return MLC_OK;
}

void flow_seen(struct flow_window *w, const char *changed_at)
{
	if (changed_at && strcmp(changed_at, w->seen) > 0)
		str_copy(w->seen, sizeof(w->seen), changed_at);
}

int flow_advance(struct flow_run *r, const struct flow_window *w, struct mlc_error *err)
{
	if (r->opts.dry_run || r->stats.failed || !w->seen[0])
		return MLC_OK;
	return watermark_set(r->s->store, r->s->tenant.id, r->flow, w->scope, w->seen, err);
}

int flow_read_netsuite(struct flow_run *r, const struct flow_window *w, const char *select_from,
		       const char *changed_col, const char *key_col,
		       int (*fn)(void *arg, json_t *rows), void *arg, struct mlc_error *err)
{
	return netsuite_read_since(r->s->ns, select_from, changed_col, w->since, key_col, fn, arg,
				   err);
}

static json_t *calls_json(int64_t reads, int64_t writes)
{
	return json_pack("{s:I, s:I}", "reads", (json_int_t)reads, "writes", (json_int_t)writes);
}

int flow_execute(struct mlc_session *s, const struct flow_def *f, const struct flow_opts *o,
		 json_t **result, struct mlc_error *err)
{
	struct flow_run r;
	int rc;
	json_t *stats;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.opts = *o;
	r.flow = f->name;
	r.plan = json_array();
	if (s->ns) {
		r.ns_reads0 = s->ns->reads;
		r.ns_writes0 = s->ns->writes;
	}
	if (s->pc) {
		r.pc_reads0 = s->pc->reads;
		r.pc_writes0 = s->pc->writes;
	}
	rc = o->dry_run ? MLC_OK
			: run_start(s->store, s->tenant.id, f->name,
				    o->trigger ? o->trigger : "cli", &r.run_id, err);
	if (rc < 0) {
		json_decref(r.plan);
		return rc;
	}
	log_info("flow start", "tenant", s->tenant.name, "flow", f->name, "dry_run",
		 o->dry_run ? "true" : "false");
	rc = f->run(&r, err);
	stats =
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "read", (json_int_t)r.stats.read,
		      "created", (json_int_t)r.stats.created, "updated",
		      (json_int_t)r.stats.updated, "skipped", (json_int_t)r.stats.skipped, "parked",
		      (json_int_t)r.stats.parked, "failed", (json_int_t)r.stats.failed, "deleted",
		      (json_int_t)r.stats.deleted, "conflicts", (json_int_t)r.stats.conflicts);
	*result = json_pack("{s:s, s:s, s:b, s:s, s:O, s:{s:o, s:o}, s:o}", "tenant",
			    s->tenant.name, "flow", f->name, "dry_run", o->dry_run, "status",
			    rc < 0           ? "error"
			    : r.stats.failed ? "partial"
					     : "ok",
			    "stats", stats, "calls", "netsuite",
			    calls_json(s->ns ? s->ns->reads - r.ns_reads0 : 0,
				       s->ns ? s->ns->writes - r.ns_writes0 : 0),
			    "procore",
			    calls_json(s->pc ? s->pc->reads - r.pc_reads0 : 0,
				       s->pc ? s->pc->writes - r.pc_writes0 : 0),
			    "plan", r.plan);
	if (rc < 0)
		json_object_set_new(*result, "error", json_string(err->msg));
	if (r.run_id) {
		struct mlc_error e2 = {0};
		if (run_finish(s->store, r.run_id,
			       rc < 0           ? "error"
			       : r.stats.failed ? "partial"
						: "ok",
			       stats, &e2) < 0)
			log_error("run finish failed", "error", e2.msg);
	}
	log_info("flow done", "tenant", s->tenant.name, "flow", f->name, "status",
		 rc < 0 ? "error" : "ok");
	{
		/* whether changes arrive by webhook or are caught by polling */
		struct mlc_buf l = MLC_BUF_INIT;
		metrics_labels(&l, "flow", f->name, "trigger", o->trigger ? o->trigger : "cli",
			       "status", rc < 0 ? "error" : "ok", NULL);
		metrics_counter_add("mlc_flow_runs_total", "Flow runs by trigger and outcome",
				    l.data, 1);
		buf_release(&l);
		metrics_labels(&l, "flow", f->name, "trigger", o->trigger ? o->trigger : "cli",
			       NULL);
		metrics_counter_add("mlc_flow_records_written_total",
				    "Records created or updated, by flow and trigger", l.data,
				    (double)(r.stats.created + r.stats.updated));
		buf_release(&l);
	}
	json_decref(stats);
	json_decref(r.open_reviews);
	return rc;
}
