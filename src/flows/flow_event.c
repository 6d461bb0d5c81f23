/*
 * A record event posted on its own (flows/flow_event.h): read the direct
 * cost the event names (procore/pc_costs.h: one filtered read of the
 * document, one of its lines), then costs_post_one() under the document
 * lock, in a run frame of its own; an owner invoice likewise (one show,
 * costs_post_payapp()); a cost code through flows/cost_codes_one.h; a
 * NetSuite push for a segment value or a vendor through
 * cost_codes_one_netsuite() and flows/vendors_one.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/project.h"
#include "flows/cost_codes_one.h"
#include "flows/doc_lock.h"
#include "flows/flow_event.h"
#include "flows/links.h"
#include "flows/vendors_one.h"
#include "net/metrics.h"
#include "procore/pc_costs.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

#define RES_DC   "Direct Costs"
#define RES_DCLI "Direct Cost Line Items"
#define RES_PA   "Payment Applications"
#define RES_CC   "Cost Codes"

bool flow_event_takes(const char *resource)
{
	return resource && (!strcmp(resource, RES_DC) || !strcmp(resource, RES_DCLI) ||
			    !strcmp(resource, RES_PA) || !strcmp(resource, RES_CC));
}

bool flow_event_takes_netsuite(const char *record_type)
{
	return record_type && (!strncasecmp(record_type, "customrecord_cseg", 17) ||
			       !strcmp(record_type, "vendor"));
}

struct flow_event_snapshot {
	struct costs costs;
	json_t *settings; /* the tenant's settings at the load */
	int64_t loaded_at;
	int refs; /* under the cache's lock: the cache's own and each event's */
};

static void snapshot_put_locked(struct flow_event_snapshot *sn)
{
	if (!sn || --sn->refs > 0)
		return;
	costs_release(&sn->costs);
	json_decref(sn->settings);
	free(sn);
}

void flow_event_cache_init(struct flow_event_cache *c)
{
	pthread_mutex_init(&c->lock, NULL);
	c->cur = NULL;
}

void flow_event_cache_release(struct flow_event_cache *c)
{
	if (!c)
		return;
	snapshot_put_locked(c->cur);
	c->cur = NULL;
	pthread_mutex_destroy(&c->lock);
}

void flow_event_cache_expire(struct flow_event_cache *c)
{
	pthread_mutex_lock(&c->lock);
	snapshot_put_locked(c->cur);
	c->cur = NULL;
	pthread_mutex_unlock(&c->lock);
}

/*
 * A reference to the tenant's current snapshot, (re)loaded through run r
 * when absent, old, or loaded under other settings.  The load holds the
 * cache's lock, so the tenant's other events wait for it instead of
 * loading the same again.  Give back with snapshot_put().
 */
static int snapshot_get(struct flow_event_cache *cache, struct flow_run *r,
			struct flow_event_snapshot **out, struct mlc_error *err)
{
	struct flow_event_snapshot *sn = NULL;
	int rc = MLC_OK;

	pthread_mutex_lock(&cache->lock);
	if (!cache->cur || time_now_ms() - cache->cur->loaded_at >= FLOW_EVENT_CACHE_MS ||
	    !json_equal(cache->cur->settings, r->s->tenant.settings)) {
		sn = xcalloc(1, sizeof(*sn));
		rc = costs_load(&sn->costs, r, err);
		if (rc < 0) {
			costs_release(&sn->costs);
			free(sn);
			goto out;
		}
		sn->costs.event = true;
		sn->settings = json_deep_copy(r->s->tenant.settings);
		sn->loaded_at = time_now_ms();
		sn->refs = 1;
		snapshot_put_locked(cache->cur);
		cache->cur = sn;
	}
	cache->cur->refs++;
	*out = cache->cur;
out:
	pthread_mutex_unlock(&cache->lock);
	return rc;
}

static void snapshot_put(struct flow_event_cache *cache, struct flow_event_snapshot *sn)
{
	pthread_mutex_lock(&cache->lock);
	snapshot_put_locked(sn);
	pthread_mutex_unlock(&cache->lock);
}

/*
 * Reads the document and posts it; the caller holds its lock.  *found is
 * false when the project named by the event does not list the document
 * (deleted, or the event named another project): nothing is posted then,
 * because only the flow's full read can tell a deletion from a mismatch
 * (an absent document read as deleted would be reversed on the wrong
 * project's dimensions).
 */
static int post_doc(struct costs *c, const struct mlc_project_link *link, int64_t doc_id,
		    bool *found, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	struct pc_cost_heads heads = {0};
	struct pc_cost_lines lines = {0};
	struct canon_cost_doc *docs = NULL;
	size_t ndocs = 0;
	char label[160];
	int rc;

	*found = false;
	rc = procore_direct_cost_one(s->pc, link->procore_project_id, doc_id, &heads, &lines, err);
	if (rc < 0 || !heads.n)
		goto out;
	*found = true;
	rc = pc_costs_canon(&heads, &lines, &docs, &ndocs, err);
	if (rc < 0)
		goto out;
	c->r->stats.read++;
	refdata_project_label(&c->rd, link->procore_project_id, label, sizeof(label));
	struct cost_post_ctx ctx = {s->store,   s->tenant.id, link,
				    c->seg.use, label,        c->rd.code_seg};
	rc = costs_post_one(c, &ctx, link->procore_project_id, doc_id,
			    heads.n ? heads.v[0].doc.date : NULL, ndocs ? &docs[0] : NULL, err);
out:
	for (size_t i = 0; i < ndocs; i++)
		canon_cost_doc_release(&docs[i]);
	free(docs);
	pc_cost_heads_release(&heads);
	pc_cost_lines_release(&lines);
	return rc;
}

/*
 * Reads the payment application and posts it as the flow does
 * (costs_post_payapp); the caller holds its lock.  *found as for
 * post_doc(): a project that does not list it leaves it to the flow.  One
 * that is not approved (or undated) is not the flow's to post either:
 * found, nothing written, as its full run would do.
 */
static int post_payapp(struct costs *c, const struct mlc_project_link *link, int64_t id,
		       bool *found, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	struct pc_payapp pa;
	char label[160];
	int rc;

	rc = procore_payment_application_one(s->pc, link->procore_project_id, id, &pa, found, err);
	if (rc < 0 || !*found || !pa.doc.id)
		goto out;
	refdata_project_label(&c->rd, link->procore_project_id, label, sizeof(label));
	struct cost_post_ctx ctx = {s->store,   s->tenant.id, link,
				    c->seg.use, label,        c->rd.code_seg};
	rc = costs_post_payapp(c, &ctx, &pa, err);
out:
	pc_payapp_release(&pa);
	return rc;
}

/* A payment application event: posted under its lock, unless the tenant
 * does not post them (costs.payment_applications false: to the flow). */
static int event_payapp(struct costs *c, const struct mlc_project_link *link,
			const struct flow_event *ev, bool *handled, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	char key[128];
	int rc;

	if (!session_setting_bool(s, "costs.payment_applications", true))
		return MLC_OK;
	costs_payapp_ref(s->tenant.procore_company_id, ev->resource_id, key, sizeof(key));
	doc_lock(key);
	rc = post_payapp(c, link, ev->resource_id, handled, err);
	doc_unlock(key);
	return rc;
}

/* A direct cost (or line item) event: the document posted under its lock. */
static int event_doc(struct costs *c, const struct mlc_project_link *link,
		     const struct flow_event *ev, bool *handled, struct mlc_error *err)
{
	struct mlc_session *s = c->r->s;
	int64_t doc_id = ev->resource_id;
	char key[128];
	int rc;

	if (c->daily)
		return MLC_OK; /* daily: a project-day is the unit; the flow rebuilds it */
	if (!strcmp(ev->resource, RES_DCLI)) {
		rc = procore_direct_cost_line_holder(s->pc, ev->project_id, ev->resource_id,
						     &doc_id, err);
		if (rc < 0 || !doc_id)
			return rc; /* a line gone: which document lost it is the flow's to find */
	}
	costs_doc_ref(s->tenant.procore_company_id, doc_id, key, sizeof(key));
	doc_lock(key);
	rc = post_doc(c, link, doc_id, handled, err);
	doc_unlock(key);
	return rc;
}

/* The event's work inside its run, with c the snapshot bound to it. */
static int event_body(struct flow_run *r, struct costs *c, const struct flow_event *ev,
		      bool *handled, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	struct mlc_project_link link;
	int rc;

	*handled = false;
	rc = project_get(s->store, s->tenant.id, ev->project_id, &link, err);
	if (rc == MLC_ENOTFOUND || (rc >= 0 && !link.active)) {
		*handled = true; /* not a linked project: nothing of it is posted */
		error_clear(err);
		return MLC_OK;
	}
	if (rc < 0)
		return rc;
	if (links_postable(&link, s->tenant.name, err) < 0)
		return err->code ? err->code : MLC_ECONFIG;
	if (!strcmp(ev->resource, RES_PA))
		rc = event_payapp(c, &link, ev, handled, err);
	else
		rc = event_doc(c, &link, ev, handled, err);
	if (rc >= 0 && r->stats.failed)
		rc = error_set(err, MLC_ETRANSIENT,
			       "event %s %lld was not placed; the next run of costs retries",
			       ev->resource, (long long)ev->resource_id);
	return rc;
}

/* Binds a private copy of the tenant's snapshot to run r and posts. */
static int event_with_snapshot(struct flow_run *r, struct flow_event_cache *cache,
			       const struct flow_event *ev, bool *handled, struct mlc_error *err)
{
	struct flow_event_snapshot *sn = NULL;
	struct costs c;
	int rc = snapshot_get(cache, r, &sn, err);

	if (rc < 0)
		return rc;
	c = sn->costs; /* shares the snapshot's read-only data; only r and today differ */
	costs_bind(&c, r);
	rc = event_body(r, &c, ev, handled, err);
	snapshot_put(cache, sn);
	return rc;
}

static void count(const char *outcome)
{
	char labels[64];

	snprintf(labels, sizeof(labels), "outcome=\"%s\"", outcome);
	metrics_counter_add("mlc_record_events_total",
			    "Webhook events posted record by record, by outcome", labels, 1);
}

int flow_event_run(struct mlc_session *s, struct flow_event_cache *cache,
		   const struct flow_event *ev, bool *handled, struct mlc_error *err)
{
	struct flow_run r;
	struct mlc_error e2 = {0};
	json_t *stats;
	bool cc = ev->resource && !strcmp(ev->resource, RES_CC);
	bool vendor = ev->netsuite && ev->resource && !strcmp(ev->resource, "vendor");
	int rc;

	*handled = false;
	if (ev->netsuite ? !flow_event_takes_netsuite(ev->resource)
			 : !flow_event_takes(ev->resource))
		return MLC_OK;
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.opts.trigger = "event";
	r.flow = vendor ? "vendors" : cc || ev->netsuite ? "cost-codes" : "costs";
	r.plan = json_array();
	rc = run_start(s->store, s->tenant.id, r.flow, r.opts.trigger, &r.run_id, err);
	if (rc >= 0 && vendor)
		rc = vendors_one(&r, ev->resource_id, handled, err);
	else if (rc >= 0 && ev->netsuite)
		rc = cost_codes_one_netsuite(&r, ev->resource, ev->resource_id, handled, err);
	else if (rc >= 0 && cc)
		rc = cost_codes_one(&r, ev->project_id, ev->resource_id, handled, err);
	else if (rc >= 0)
		rc = event_with_snapshot(&r, cache, ev, handled, err);
	if (r.run_id) {
		stats = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "read",
				  (json_int_t)r.stats.read, "created", (json_int_t)r.stats.created,
				  "updated", (json_int_t)r.stats.updated, "skipped",
				  (json_int_t)r.stats.skipped, "parked", (json_int_t)r.stats.parked,
				  "failed", (json_int_t)r.stats.failed);
		if (run_finish(s->store, r.run_id, rc < 0 ? "error" : "ok", stats, &e2) < 0)
			log_warn("event run finish failed", "error", e2.msg);
		json_decref(stats);
	}
	json_decref(r.plan);
	json_decref(r.open_reviews);
	count(rc < 0 ? "failed" : *handled ? "posted" : "to_flow");
	return rc;
}
