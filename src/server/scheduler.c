#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/inbox.h"
#include "core/tenant.h"
#include "flows/flow.h"
#include "server/serve.h"
#include "server/webhook_parse.h"
#include "server/webhook_resources.h"
#include "util/cron.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/num.h"
#include "util/time.h"
#include "util/banned.h"

int schedule_parse(const char *text, int64_t *ms, struct mlc_error *err)
{
	size_t n = text ? strlen(text) : 0;
	char num[32];
	int64_t v, unit;

	if (n < 2 || n >= sizeof(num))
		return error_set(err, MLC_EINVAL, "schedule '%s' is not like 30s, 15m, 2h or 1d",
				 text ? text : "");
	switch (text[n - 1]) {
	case 's':
		unit = 1000;
		break;
	case 'm':
		unit = 60 * 1000;
		break;
	case 'h':
		unit = 3600 * 1000;
		break;
	case 'd':
		unit = 86400 * 1000;
		break;
	default:
		return error_set(err, MLC_EINVAL, "schedule '%s' is not like 30s, 15m, 2h or 1d",
				 text);
	}
	memcpy(num, text, n - 1);
	num[n - 1] = '\0';
	if (num_parse_i64(num, &v, NULL) < 0 || v <= 0 || v > 365 * 24)
		return error_set(err, MLC_EINVAL, "schedule '%s' is not like 30s, 15m, 2h or 1d",
				 text);
	if (v * unit < 10000)
		return error_set(err, MLC_EINVAL, "schedule '%s' is shorter than 10 s", text);
	*ms = v * unit;
	return MLC_OK;
}

/* The next cron slot in the tenant's zone (settings.timezone, default
 * UTC), in ms; far away when there is none. */
static int64_t next_slot(const struct mlc_cron *c, const struct mlc_tenant *t, int64_t now_ms)
{
	struct mlc_tz tz;
	const char *zone = json_string_value(json_object_get(t->settings, "timezone"));
	int64_t next;

	if (tz_load(zone, &tz, NULL) < 0)
		memset(&tz, 0, sizeof(tz)); /* unknown zone: UTC (checked when set) */
	next = cron_next(c, &tz, now_ms / 1000);
	tz_release(&tz);
	return next < 0 ? INT64_MAX : next * 1000;
}

/* When each (tenant, flow) is next due, in memory: a restart runs every
 * scheduled flow once right away, which is the polling catch-up we want. */
struct due {
	char key[160];
	int64_t at;
	struct due *next;
};

static struct due *find_due(struct due **list, const char *key)
{
	for (struct due *d = *list; d; d = d->next)
		if (strcmp(d->key, key) == 0)
			return d;
	struct due *d = xcalloc(1, sizeof(*d));
	snprintf(d->key, sizeof(d->key), "%s", key);
	d->next = *list;
	*list = d;
	return d;
}

/*
 * The flows webhook events made pending (serve_pending_add): one sync job
 * per tenant and flow (deduplicated while one is queued), then the rows
 * that asked for it are marked done by the inbox writer, in the group
 * commit it makes anyway (intake_mark_done).  A failure leaves the rows
 * 'new' for the scan below.
 */
static void drain_pending(struct mlc_serve *sv, struct mlc_store *st, struct serve_pending *list)
{
	for (struct serve_pending *p = list; p; p = p->next) {
		struct mlc_error err = {0};
		if (serve_enqueue_sync(sv, st, p->tenant_id, p->tenant, p->flow, "webhook", &err) <
		    0) {
			log_warn("inbox enqueue failed (the scan retries)", "tenant", p->tenant,
				 "flow", p->flow, "error", err.msg);
			continue;
		}
		intake_mark_done(&sv->intake, p->ids, p->n);
	}
}

/* Events younger than this are the pending set's (drain_pending); the
 * scan leaves them to it. */
#define DRAIN_SCAN_AGE_MS 5000

/*
 * Inbox events not yet turned into jobs (the process died between the 2xx
 * and the drain, or the enqueue failed): enqueue them now.  At-least-once:
 * a flow run twice is harmless.
 */
static void drain_inbox(struct mlc_serve *sv, struct mlc_store *st)
{
	struct mlc_inbox_event *ev = NULL;
	struct mlc_error err = {0};
	size_t n = 0;

	if (inbox_pending_before(st, 100, time_now_ms() - DRAIN_SCAN_AGE_MS, &ev, &n, &err) < 0) {
		log_warn("inbox scan failed", "error", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *flow = NULL;
		struct mlc_tenant t;
		int rc;
		if (!strcmp(ev[i].source, "procore"))
			flow = webhook_resource_flow(webhook_procore_resource(ev[i].payload));
		else
			flow =
			    webhooks_flow_for_netsuite(jsonx_str(ev[i].payload, "recordType")
							   ? jsonx_str(ev[i].payload, "recordType")
							   : "");
		rc = flow && flow_find(flow) ? tenant_get_by_id(st, ev[i].tenant_id, &t, &err)
					     : MLC_ENOTFOUND;
		if (rc < 0 && rc != MLC_ENOTFOUND) {
			/* a failure on our side (issue 21, item 7): the event
			 * stays pending for the next scan, never ignored */
			log_warn("inbox: tenant lookup failed; the event stays pending", "error",
				 err.msg);
		} else if (rc < 0) {
			/* no flow routes it, or its tenant is gone */
			if (inbox_set_state(st, ev[i].id, INBOX_IGNORED, &err) < 0)
				log_warn("inbox mark failed", "error", err.msg);
		} else {
			if (serve_enqueue_sync(sv, st, t.id, t.name, flow, "webhook", &err) < 0 ||
			    inbox_set_state(st, ev[i].id, INBOX_DONE, &err) < 0)
				log_warn("inbox enqueue failed", "error", err.msg);
			tenant_release(&t);
		}
		inbox_event_release(&ev[i]);
	}
	free(ev);
}

void *serve_scheduler_main(void *arg)
{
	struct mlc_serve *sv = arg;
	struct mlc_error err = {0};
	struct mlc_store *st = serve_store(sv, &err);
	struct due *dues = NULL;

	if (!st) {
		log_error("scheduler cannot open the store", "error", err.msg);
		return NULL;
	}
	int64_t next_prune = 0;
	/* record events are posted by threads of their own, never behind a run */
	record_events_start(sv, RECORD_EVENT_THREADS);
	while (!serve_stopping(sv)) {
		struct mlc_tenant *list = NULL;
		/* issue 22: one process schedules (server/leader_beat.c); every
		 * one drains the webhooks it accepted itself (below) */
		bool lead = serve_scheduling(sv);
		if (lead)
			drain_inbox(sv, st);
		if (lead && sv->cfg->audit_retention_days > 0 && time_now_ms() >= next_prune) {
			int64_t gone = 0;
			if (audit_prune(st,
					time_now_ms() -
					    (int64_t)sv->cfg->audit_retention_days * 86400000,
					&gone, &err) < 0)
				log_warn("audit retention failed", "error", err.msg);
			else if (gone) {
				char n[32];
				snprintf(n, sizeof(n), "%lld", (long long)gone);
				log_info("audit retention", "deleted", n);
			}
			next_prune = time_now_ms() + 3600 * 1000;
		}
		size_t n = 0;
		int64_t now = time_now_ms();

		if (lead && tenant_list(st, &list, &n, &err) < 0) {
			log_warn("scheduler cannot list tenants", "error", err.msg);
			n = 0;
		}
		for (size_t i = 0; i < n; i++) {
			json_t *sched = json_object_get(list[i].settings, "schedules");
			const char *flow;
			json_t *v;
			json_object_foreach (sched, flow, v) {
				char key[160];
				int64_t every = 0;
				struct due *d;
				struct mlc_cron cron;
				bool is_cron;
				if (!flow_find(flow) || !json_is_string(v))
					continue; /* unknown flows wait for their issue */
				is_cron = strchr(json_string_value(v), ' ') ||
					  json_string_value(v)[0] == '@';
				if (is_cron
					? cron_parse(json_string_value(v), &cron, NULL) < 0
					: schedule_parse(json_string_value(v), &every, NULL) < 0)
					continue; /* validated when set */
				snprintf(key, sizeof(key), "%s/%s", list[i].name, flow);
				d = find_due(&dues, key);
				if (is_cron && !d->at) {
					/* the first slot after start; polling catch-up is the
					 * interval schedules' job */
					d->at = next_slot(&cron, &list[i], now);
					continue;
				}
				if (d->at > now)
					continue;
				if (serve_enqueue_sync(sv, st, list[i].id, list[i].name, flow,
						       "schedule", &err) < 0)
					log_warn("schedule enqueue failed", "tenant", list[i].name,
						 "flow", flow, "error", err.msg);
				d->at = is_cron ? next_slot(&cron, &list[i], now) : now + every;
			}
		}
		tenant_list_free(list, n);
		/* the rest of the second: turn webhook events into runs as
		 * they come */
		for (int i = 0; i < 10 && !serve_stopping(sv); i++) {
			struct serve_pending *p = serve_pending_take(sv, 100);
			drain_pending(sv, st, p);
			serve_pending_free(p);
		}
	}
	record_events_stop(sv);
	{
		/* accepted before the stop: queue their runs for the next start */
		struct serve_pending *p = serve_pending_take(sv, 0);
		drain_pending(sv, st, p);
		serve_pending_free(p);
	}
	while (dues) {
		struct due *d = dues;
		dues = d->next;
		free(d);
	}
	return NULL;
}
