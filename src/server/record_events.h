#ifndef MLC_RECORD_EVENTS_H
#define MLC_RECORD_EVENTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "server/webhook_parse.h"

/*
 * Record events in `serve` (issue 20): a Procore event or NetSuite push
 * that names a record the connector posts one by one (flows/flow_event.h)
 * is queued here, not
 * turned into a run of its flow.  A few event threads, apart from the
 * workers (so an event never waits for a full run), take the queue in
 * order and post each record under its document lock.  Its inbox row is
 * marked done when the record was placed (intake_mark_done); when the
 * path does not take it (costs.mode daily, a record the named project
 * does not list, a deleted cost code) the flow is made
 * pending as for any event; on a failure the row stays 'new' and the
 * drain's scan turns it into a run of the flow after a few seconds (the
 * catch-up path).  Events queued when serve stops stay 'new' the same way.
 *
 * Embedded in struct mlc_serve (zeroed by serve_start); started and
 * stopped by the scheduler thread.
 */
struct record_event;

#define RECORD_EVENT_THREADS_MAX 8
#define RECORD_EVENT_THREADS     3

struct record_cache;

struct record_events {
	int running; /* atomic: submit queues only while set */
	pthread_mutex_t lock;
	pthread_cond_t cv;
	struct record_event *head, *tail;
	pthread_t threads[RECORD_EVENT_THREADS_MAX];
	int nthreads;
	int64_t queued, taken;       /* counters under lock */
	struct record_cache *caches; /* per tenant, shared by the threads (under lock) */
};

struct mlc_serve;

/* Starts n event threads (at most RECORD_EVENT_THREADS_MAX). */
void record_events_start(struct mlc_serve *sv, int n);
/* Stops taking events, lets each thread finish the event in hand, joins
 * them and drops what is queued (those rows stay 'new'). */
void record_events_stop(struct mlc_serve *sv);
/* Queues an accepted, stored event (inbox row inbox_id) when its resource
 * is one posted record by record and the threads run; false otherwise
 * (the caller wakes the flow). */
bool record_events_submit(struct mlc_serve *sv, int64_t tenant_id, const char *tenant,
			  const char *flow, const struct procore_event *ev, int64_t inbox_id);
/* The same for a NetSuite push (flows/flow_event.h
 * flow_event_takes_netsuite: a segment value, a vendor). */
bool record_events_submit_netsuite(struct mlc_serve *sv, int64_t tenant_id, const char *tenant,
				   const char *flow, const struct netsuite_event *ev,
				   int64_t inbox_id);

#endif
