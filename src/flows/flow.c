#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/review.h"
#include "flows/flow.h"
#include "net/metrics.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/banned.h"

static const struct flow_def flows[] = {
	{ "vendors", "NetSuite vendors -> Procore company vendors", true, true, flow_vendors },
	{ "purchase-orders", "NetSuite purchase orders -> Procore commitments", true, true,
	  flow_purchase_orders },
	{ "requisitions", "NetSuite vendor bills on synced POs -> Procore requisitions", true, true,
	  flow_requisitions },
	{ "costs", "approved Procore direct costs -> NetSuite journal entries", true, true,
	  flow_costs },
	{ "cost-codes", "NetSuite cost-code segment <-> Procore project cost codes (both ways)", true,
	  true, flow_cost_codes },
	{ "accounts", "NetSuite chart of accounts -> catalog; mapped accounts checked", true, false,
	  flow_accounts },
	{ "budgets", "Procore project budgets <-> NetSuite budgets (per cost code)", true, true,
	  flow_budgets },
	{ "vendors-back", "Procore company vendors -> NetSuite vendors", true, true, flow_vendors_back },
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

static const char *action_name(enum flow_action a)
{
	switch (a) {
	case FLOW_CREATE: return "create";
	case FLOW_UPDATE: return "update";
	case FLOW_SKIP: return "skip";
	case FLOW_PARK: return "park";
	case FLOW_FAIL: return "fail";
	case FLOW_DELETE: return "delete";
	case FLOW_CONFLICT: return "conflict";
	}
	return "?";
}

void flow_record(struct flow_run *r, enum flow_action a, const char *entity,
		 const char *source_ref, const char *target_ref, const json_t *detail,
		 const char *error)
{
	json_t *p = json_object();
	struct mlc_error err = { 0 };

	switch (a) {
	case FLOW_CREATE: r->stats.created++; break;
	case FLOW_UPDATE: r->stats.updated++; break;
	case FLOW_SKIP: r->stats.skipped++; break;
	case FLOW_PARK: r->stats.parked++; break;
	case FLOW_FAIL: r->stats.failed++; break;
	case FLOW_DELETE: r->stats.deleted++; break;
	case FLOW_CONFLICT: r->stats.conflicts++; break;
	}
	/* skips are counted, not listed: an unchanged directory is most of it */
	if (a != FLOW_SKIP) {
		json_object_set_new(p, "action", json_string(action_name(a)));
		json_object_set_new(p, "entity", json_string(entity));
		if (source_ref)
			json_object_set_new(p, "source", json_string(source_ref));
		if (target_ref)
			json_object_set_new(p, "target", json_string(target_ref));
		if (detail)
			json_object_set_new(p, "detail", jsonx_clean(detail));
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
			.result = a == FLOW_FAIL ? "error" : a == FLOW_PARK ? "parked" : "ok",
			.error = error,
			.payload = json_object_get(p, "detail"),
		};
		if (audit_write(r->s->store, &rec, &err) < 0)
			log_error("audit write failed", "flow", r->flow, "error", err.msg);
	}
	json_decref(p);
}

int flow_park(struct flow_run *r, const char *entity, const char *source_ref,
	      const char *target_ref, const char *why, const json_t *payload)
{
	struct mlc_error err = { 0 };
	int rc = MLC_OK;

	if (!r->opts.dry_run && source_ref &&
	    (rc = review_park(r->s->store, r->s->tenant.id, r->flow, entity, source_ref, why, NULL,
			      payload, &err)) < 0)
		log_error("review park failed", "flow", r->flow, "error", err.msg);
	flow_record(r, FLOW_PARK, entity, source_ref, target_ref, NULL, why);
	return rc;
}

void flow_resolve(struct flow_run *r, const char *entity, const char *source_ref)
{
	struct mlc_error err = { 0 };
	char key[512];

	if (r->opts.dry_run)
		return;
	if (!r->open_reviews) {
		json_t *items = NULL, *v;
		size_t i;
		r->open_reviews = json_object();
		if (review_list(r->s->store, r->s->tenant.id, "open", &items, &err) < 0) {
			log_warn("review list failed", "flow", r->flow, "error", err.msg);
			return;
		}
		json_array_foreach(items, i, v) {
			snprintf(key, sizeof(key), "%s %s", jsonx_str(v, "entity"),
				 jsonx_str(v, "source_ref"));
			json_object_set_new(r->open_reviews, key, json_true());
		}
		json_decref(items);
	}
	snprintf(key, sizeof(key), "%s %s", entity, source_ref);
	if (!json_object_get(r->open_reviews, key))
		return;
	if (review_resolve(r->s->store, r->s->tenant.id, entity, source_ref, &err) < 0)
		log_warn("review resolve failed", "flow", r->flow, "error", err.msg);
	else
		json_object_del(r->open_reviews, key);
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
	if (!o->dry_run && (rc = run_start(s->store, s->tenant.id, f->name,
					   o->trigger ? o->trigger : "cli", &r.run_id, err)) < 0) {
		json_decref(r.plan);
		return rc;
	}
	log_info("flow start", "tenant", s->tenant.name, "flow", f->name, "dry_run",
		 o->dry_run ? "true" : "false");
	rc = f->run(&r, err);
	stats = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "read", (json_int_t)r.stats.read,
			  "created", (json_int_t)r.stats.created, "updated",
			  (json_int_t)r.stats.updated, "skipped", (json_int_t)r.stats.skipped,
			  "parked", (json_int_t)r.stats.parked, "failed", (json_int_t)r.stats.failed,
			  "deleted", (json_int_t)r.stats.deleted, "conflicts",
			  (json_int_t)r.stats.conflicts);
	*result = json_pack("{s:s, s:s, s:b, s:s, s:O, s:{s:o, s:o}, s:o}", "tenant", s->tenant.name,
			    "flow", f->name, "dry_run", o->dry_run, "status",
			    rc < 0 ? "error" : r.stats.failed ? "partial" : "ok", "stats", stats,
			    "calls", "netsuite",
			    calls_json(s->ns ? s->ns->reads - r.ns_reads0 : 0,
				       s->ns ? s->ns->writes - r.ns_writes0 : 0),
			    "procore",
			    calls_json(s->pc ? s->pc->reads - r.pc_reads0 : 0,
				       s->pc ? s->pc->writes - r.pc_writes0 : 0),
			    "plan", r.plan);
	if (rc < 0)
		json_object_set_new(*result, "error", json_string(err->msg));
	if (r.run_id) {
		struct mlc_error e2 = { 0 };
		if (run_finish(s->store, r.run_id, rc < 0 ? "error" : r.stats.failed ? "partial" : "ok",
			       stats, &e2) < 0)
			log_error("run finish failed", "error", e2.msg);
	}
	log_info("flow done", "tenant", s->tenant.name, "flow", f->name, "status",
		 rc < 0 ? "error" : "ok");
	{
		/* whether changes arrive by webhook or are caught by polling */
		struct mlc_buf l = MLC_BUF_INIT;
		metrics_labels(&l, "flow", f->name, "trigger", o->trigger ? o->trigger : "cli", "status",
			       rc < 0 ? "error" : "ok", NULL);
		metrics_counter_add("mlc_flow_runs_total", "Flow runs by trigger and outcome", l.data, 1);
		buf_release(&l);
		metrics_labels(&l, "flow", f->name, "trigger", o->trigger ? o->trigger : "cli", NULL);
		metrics_counter_add("mlc_flow_records_written_total",
				    "Records created or updated, by flow and trigger", l.data,
				    (double)(r.stats.created + r.stats.updated));
		buf_release(&l);
	}
	json_decref(stats);
	json_decref(r.open_reviews);
	return rc;
}
