#ifndef MLC_SERVE_H
#define MLC_SERVE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/token.h"
#include "core/config.h"
#include "core/store.h"
#include "core/vault.h"
#include "flows/session.h"
#include "net/http_server.h"
#include "server/intake.h"
#include "server/record_events.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * `ml-connector serve`: one process with the HTTP server (webhooks,
 * health, metrics), a scheduler that enqueues each tenant's flows on the
 * schedule the tenant chose, and a pool of workers that take jobs from
 * the store's queue under leases.
 *
 * Threads: the HTTP server's pool runs webhook handlers; N workers run
 * flows; one scheduler.  Each thread has its own store connection
 * (serve_store()).  The vault, the token pool and the config are shared
 * and read-only after start (a SIGHUP reload swaps only log settings).
 *
 * Stop: serve_stop() (SIGTERM/SIGINT) stops taking jobs and webhooks,
 * waits for running jobs to finish (their leases would hand them to
 * another process anyway), drains HTTP, and returns from serve_run().
 */
struct mlc_serve {
	const struct mlc_config *cfg;
	struct mlc_vault *vault;
	struct mlc_token_shared *shared;
	struct mlc_auth_pool *pool;
	struct mlc_http_server *http;
	struct mlc_http_server *ops_http;     /* http.ops_listen's, or NULL */
	struct mlc_http_server *console_http; /* console.listen's, or NULL */
	struct mlc_console *console;          /* console.enabled: server/console.h */
	pthread_t *workers;
	int nworkers;
	pthread_t scheduler;
	bool scheduler_started;
	int stopping; /* atomic flag */
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a job was enqueued, or stopping */
	char owner[96];      /* lease owner prefix: host:pid */
	int64_t lease_ms;
	pthread_key_t store_key;  /* per-thread store connection */
	struct mlc_intake intake; /* webhook group commit and tenant cache */
	pthread_mutex_t pending_lock;
	pthread_cond_t pending_cv; /* an event made a flow pending */
	struct serve_pending *pending;
	int64_t pending_since;       /* when the first pending entry came */
	struct record_events events; /* records posted one by one (record_events.h) */
	/* issue 22 (server/leader_beat.c): this process's row in the
	 * processes table and the scheduler lock */
	pthread_t beat;
	bool beat_started;
	int scheduling;       /* atomic: this process schedules */
	int64_t jobs_running; /* atomic: jobs this process's workers run */
};

/* How long the drain lets webhook events gather before it enqueues their
 * runs (serve_pending_take). */
#define SERVE_PENDING_COALESCE_MS 200

/*
 * Flows that accepted webhook events made pending, in memory: one entry
 * per tenant and flow, with the inbox rows that asked for it.  The
 * scheduler's drain takes them, enqueues one run each and marks those
 * rows done; the rows stay 'new' in the store until then, so what a crash
 * loses here the drain's scan finds again.
 */
struct serve_pending {
	int64_t tenant_id;
	char *tenant;
	char *flow;
	int64_t *ids;
	size_t n, cap;
	struct serve_pending *next;
};

struct mlc_serve_opts {
	const char *listen; /* NULL: cfg->http_listen */
	int workers;        /* 0: cfg->workers */
};

int serve_start(struct mlc_serve *sv, const struct mlc_config *cfg, const struct mlc_serve_opts *o,
		struct mlc_error *err) MLC_MUST_CHECK;
/* Asks everything to stop (async-signal-safe: sets a flag). */
void serve_stop(struct mlc_serve *sv);
/* Blocks until stopped, then drains and releases everything. */
void serve_wait(struct mlc_serve *sv);
/* The calling thread's store connection (opened on first use). */
struct mlc_store *serve_store(struct mlc_serve *sv, struct mlc_error *err);
/* Wakes the workers (a job was enqueued). */
void serve_notify(struct mlc_serve *sv);
bool serve_stopping(struct mlc_serve *sv);

/* Webhook routes (webhooks.c). */
int webhooks_register(struct mlc_serve *sv, struct mlc_error *err) MLC_MUST_CHECK;
/* The flow that a NetSuite record type feeds, or NULL (Procore resources:
 * server/webhook_resources.h). */
const char *webhooks_flow_for_netsuite(const char *record_type);
/* Enqueues a sync job for tenant and flow (deduplicated while pending). */
int serve_enqueue_sync(struct mlc_serve *sv, struct mlc_store *st, int64_t tenant_id,
		       const char *tenant, const char *flow, const char *trigger,
		       struct mlc_error *err) MLC_MUST_CHECK;

/* Marks (tenant, flow) pending for inbox row id and wakes the drain. */
void serve_pending_add(struct mlc_serve *sv, int64_t tenant_id, const char *tenant,
		       const char *flow, int64_t id);
/* Takes every pending entry, waiting up to wait_ms for one, and then
 * until the first is SERVE_PENDING_COALESCE_MS old (wait_ms 0: at once).
 * Caller frees with serve_pending_free(). */
struct serve_pending *serve_pending_take(struct mlc_serve *sv, int wait_ms);
void serve_pending_free(struct serve_pending *list);

/* The process's heartbeat and the scheduler lock (leader_beat.c): the
 * processes row is moved on every min(lease / 3, 5 s); true while this
 * process is the one that schedules. */
void *serve_beat_main(void *arg);
bool serve_scheduling(struct mlc_serve *sv);

/* Workers and scheduler (workers.c, scheduler.c). */
void *serve_worker_main(void *arg);
void *serve_scheduler_main(void *arg);
/* Parses a schedule interval ("30s", "15m", "2h", "1d") into ms. */
int schedule_parse(const char *text, int64_t *ms, struct mlc_error *err) MLC_MUST_CHECK;

#endif
