#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/flow_event.h"
#include "server/record_events.h"
#include "server/serve.h"
#include "util/log.h"
#include "net/metrics.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

struct record_event {
	int64_t tenant_id;
	char tenant[128];
	char flow[32];
	char resource[96];
	int64_t project_id, resource_id;
	int64_t inbox_id;
	bool netsuite; /* a NetSuite push: resource is its record type */
	struct record_event *next;
};

/* What the threads share per tenant: the events' cache
 * (flows/flow_event.h, which reloads it on its own terms).  Entries live
 * until record_events_stop(). */
struct record_cache {
	int64_t tenant_id;
	struct flow_event_cache cache;
	struct record_cache *next;
};

static struct flow_event_cache *cache_for(struct record_events *q, int64_t tenant_id)
{
	struct record_cache *rc;

	pthread_mutex_lock(&q->lock);
	for (rc = q->caches; rc; rc = rc->next)
		if (rc->tenant_id == tenant_id)
			break;
	if (!rc) {
		rc = xcalloc(1, sizeof(*rc));
		rc->tenant_id = tenant_id;
		flow_event_cache_init(&rc->cache);
		rc->next = q->caches;
		q->caches = rc;
	}
	pthread_mutex_unlock(&q->lock);
	return &rc->cache;
}

/* An event thread's session for one tenant, reopened after
 * SESSION_MAX_AGE_MS (opening one reads the tenant and its secrets, no
 * network: a changed setting or secret is seen by then). */
#define SESSION_MAX_AGE_MS 10000
/* A tenant whose session cannot be opened (no credentials yet, a vault
 * error) is not tried again for this long: its events wait for the
 * catch-up run without a session open and a log line each. */
#define SESSION_RETRY_MS 5000
struct tenant_session {
	int64_t tenant_id;
	struct mlc_session *s;
	int64_t opened_at;
	int64_t failed_at; /* the last failed open, 0 after a good one */
	char why[256];     /* its error */
	struct tenant_session *next;
};

static void session_drop(struct tenant_session **list, struct tenant_session *ts)
{
	for (struct tenant_session **p = list; *p; p = &(*p)->next)
		if (*p == ts) {
			*p = ts->next;
			break;
		}
	session_free(ts->s);
	free(ts);
}

static int open_session(struct mlc_serve *sv, struct mlc_store *st, const char *tenant,
			struct mlc_session **out, struct mlc_error *err)
{
	struct mlc_session_opts so = {.store = st,
				      .vault = sv->vault,
				      .shared = sv->shared,
				      .pool = sv->pool,
				      .tenant = tenant,
				      .need_netsuite = true,
				      .need_procore = true};
	return session_open(&so, out, err);
}

static struct tenant_session *session_for(struct mlc_serve *sv, struct mlc_store *st,
					  struct tenant_session **list,
					  const struct record_event *e, bool *quiet,
					  struct mlc_error *err)
{
	struct tenant_session *ts;
	struct mlc_session *fresh = NULL;

	int64_t now = time_now_ms();

	*quiet = false;
	for (ts = *list; ts; ts = ts->next)
		if (ts->tenant_id == e->tenant_id)
			break;
	if (ts && ts->s && now - ts->opened_at < SESSION_MAX_AGE_MS)
		return ts;
	if (ts && ts->failed_at && now - ts->failed_at < SESSION_RETRY_MS) {
		error_set(err, MLC_ETRANSIENT, "%s", ts->why);
		*quiet = true; /* said when it began */
		return NULL;
	}
	if (!ts) {
		ts = xcalloc(1, sizeof(*ts));
		ts->tenant_id = e->tenant_id;
		ts->next = *list;
		*list = ts;
	}
	if (open_session(sv, st, e->tenant, &fresh, err) < 0) {
		*quiet = ts->failed_at && strcmp(ts->why, err->msg) == 0;
		ts->failed_at = now;
		str_copy(ts->why, sizeof(ts->why), err->msg);
		session_free(ts->s);
		ts->s = NULL;
		return NULL;
	}
	session_free(ts->s);
	ts->s = fresh;
	ts->opened_at = now;
	ts->failed_at = 0;
	ts->why[0] = '\0';
	return ts;
}

/* Posts one event's record; marks its row done, wakes its flow, or leaves
 * it to the catch-up run. */
static void handle(struct mlc_serve *sv, struct mlc_store *st, struct tenant_session **list,
		   const struct record_event *e)
{
	struct mlc_error err = {0};
	struct flow_event fev = {e->resource, e->project_id, e->resource_id, e->netsuite};
	bool quiet = false;
	struct tenant_session *ts = session_for(sv, st, list, e, &quiet, &err);
	struct flow_event_cache *cache;
	bool handled = false;
	char id[24];

	snprintf(id, sizeof(id), "%lld", (long long)e->inbox_id);
	if (!ts) {
		/* once per failure (and per change of its reason), not per event */
		if (!quiet)
			log_warn("record event: no session; the catch-up run takes its events",
				 "tenant", e->tenant, "event", id, "error", err.msg);
		metrics_counter_add("mlc_record_events_total",
				    "Webhook events posted record by record, by outcome",
				    "outcome=\"no_session\"", 1);
		return;
	}
	cache = cache_for(&sv->events, e->tenant_id);
	if (flow_event_run(ts->s, cache, &fev, &handled, &err) < 0) {
		log_warn("record event failed; the catch-up run takes it", "tenant", e->tenant,
			 "event", id, "error", err.msg);
		flow_event_cache_expire(cache); /* reload what it knew before the next event */
		return;
	}
	if (handled)
		intake_mark_done(&sv->intake, &e->inbox_id, 1);
	else
		serve_pending_add(sv, e->tenant_id, e->tenant, e->flow, e->inbox_id);
}

static struct record_event *take(struct record_events *q)
{
	struct record_event *e = NULL;

	pthread_mutex_lock(&q->lock);
	while (__atomic_load_n(&q->running, __ATOMIC_ACQUIRE) && !q->head)
		pthread_cond_wait(&q->cv, &q->lock);
	if (__atomic_load_n(&q->running, __ATOMIC_ACQUIRE) && q->head) {
		e = q->head;
		q->head = e->next;
		if (!q->head)
			q->tail = NULL;
		q->taken++;
	}
	pthread_mutex_unlock(&q->lock);
	return e;
}

static void *event_main(void *arg)
{
	struct mlc_serve *sv = arg;
	struct mlc_error err = {0};
	struct mlc_store *st = serve_store(sv, &err);
	struct tenant_session *sessions = NULL;
	struct record_event *e;

	if (!st) {
		log_error("record events: no store", "error", err.msg);
		return NULL;
	}
	while ((e = take(&sv->events)) != NULL) {
		handle(sv, st, &sessions, e);
		free(e);
	}
	while (sessions)
		session_drop(&sessions, sessions);
	return NULL;
}

void record_events_start(struct mlc_serve *sv, int n)
{
	struct record_events *q = &sv->events;

	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cv, NULL);
	__atomic_store_n(&q->running, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < n && i < RECORD_EVENT_THREADS_MAX; i++)
		if (pthread_create(&q->threads[q->nthreads], NULL, event_main, sv) == 0)
			q->nthreads++;
}

void record_events_stop(struct mlc_serve *sv)
{
	struct record_events *q = &sv->events;
	struct record_event *e;

	if (!q->nthreads)
		return;
	pthread_mutex_lock(&q->lock);
	__atomic_store_n(&q->running, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->lock);
	for (int i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	q->nthreads = 0;
	/* the lock stays usable: a late submit sees running 0 under it */
	pthread_mutex_lock(&q->lock);
	e = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->lock);
	while (e) {
		struct record_event *next = e->next;
		free(e);
		e = next;
	}
	while (q->caches) {
		struct record_cache *rc = q->caches;
		q->caches = rc->next;
		flow_event_cache_release(&rc->cache);
		free(rc);
	}
}

/* Queues e while the threads run (taken), else false (e freed). */
static bool enqueue(struct record_events *q, struct record_event *e)
{
	bool queued = false;

	pthread_mutex_lock(&q->lock);
	if (__atomic_load_n(&q->running, __ATOMIC_ACQUIRE)) {
		if (q->tail)
			q->tail->next = e;
		else
			q->head = e;
		q->tail = e;
		q->queued++;
		queued = true;
		pthread_cond_signal(&q->cv);
	}
	pthread_mutex_unlock(&q->lock);
	if (!queued)
		free(e);
	return queued;
}

bool record_events_submit(struct mlc_serve *sv, int64_t tenant_id, const char *tenant,
			  const char *flow, const struct procore_event *ev, int64_t inbox_id)
{
	struct record_events *q = &sv->events;
	struct record_event *e;

	if (!__atomic_load_n(&q->running, __ATOMIC_ACQUIRE) ||
	    !flow_event_takes(ev->resource_name) || ev->project_id <= 0 || ev->resource_id <= 0 ||
	    strlen(tenant) >= sizeof(e->tenant) || strlen(flow) >= sizeof(e->flow))
		return false;
	e = xcalloc(1, sizeof(*e));
	e->tenant_id = tenant_id;
	snprintf(e->tenant, sizeof(e->tenant), "%s", tenant);
	snprintf(e->flow, sizeof(e->flow), "%s", flow);
	snprintf(e->resource, sizeof(e->resource), "%s", ev->resource_name);
	e->project_id = ev->project_id;
	e->resource_id = ev->resource_id;
	e->inbox_id = inbox_id;
	return enqueue(q, e);
}

bool record_events_submit_netsuite(struct mlc_serve *sv, int64_t tenant_id, const char *tenant,
				   const char *flow, const struct netsuite_event *ev,
				   int64_t inbox_id)
{
	struct record_events *q = &sv->events;
	struct record_event *e;

	if (!__atomic_load_n(&q->running, __ATOMIC_ACQUIRE) ||
	    !flow_event_takes_netsuite(ev->record_type) || ev->id <= 0 ||
	    strlen(tenant) >= sizeof(e->tenant) || strlen(flow) >= sizeof(e->flow))
		return false;
	e = xcalloc(1, sizeof(*e));
	e->tenant_id = tenant_id;
	snprintf(e->tenant, sizeof(e->tenant), "%s", tenant);
	snprintf(e->flow, sizeof(e->flow), "%s", flow);
	snprintf(e->resource, sizeof(e->resource), "%s", ev->record_type);
	e->resource_id = ev->id;
	e->netsuite = true;
	e->inbox_id = inbox_id;
	return enqueue(q, e);
}
