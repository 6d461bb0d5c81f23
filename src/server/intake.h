#ifndef MLC_INTAKE_H
#define MLC_INTAKE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/inbox.h"
#include "core/store.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * Webhook intake (issue 20, first bullet): what serve's webhook handlers
 * need to answer an event with one durable write and no other store work.
 *
 * Group commit.  One writer thread owns a store connection whose commits
 * are durable (store_durable: SQLite synchronous=FULL, so an answered
 * event survives kill -9 and an OS crash, issue 21 item 6).  A handler
 * thread hands its validated event to intake_submit(), which blocks; the
 * writer takes everything queued, inserts it in ONE transaction, commits,
 * and wakes every waiter.  Events that arrive together share one fsync.
 * No waiter is woken with success before the commit returned; a failed
 * transaction fails every event in it (the handlers answer 503, the
 * sender retries, and since nothing of it was kept nothing is stored
 * twice).  Duplicates are deduplicated by the inbox's unique key, inside
 * a batch too.  The same transaction marks done the rows the drain has
 * enqueued runs for (intake_mark_done), so the connection writing the
 * inbox is the only one that writes it at intake rates.
 *
 * Tenant cache.  Tenants and the webhook secrets are loaded once and kept
 * in memory (struct mlc_intake_tenant, immutable, reference counted).
 * The cache is tied to a fingerprint of the tenants and secrets tables
 * (core/changes.h), so a change by ANY process (`secret set`,
 * `tenant set`, `tenant remove`, `keys rotate`) is seen:
 *  - the writer checks, inside the write transaction of each batch, with
 *    SQLite's PRAGMA data_version (changes only when another connection
 *    committed), and recomputes the fingerprint only then; an event that
 *    was validated against an older fingerprint is not written and comes
 *    back stale: its handler drops the cache and validates again.
 *    So no event is accepted on credentials that had changed before its
 *    commit;
 *  - a handler about to refuse (unknown tenant, wrong secret) first checks
 *    the fingerprint itself, so a newly set secret is accepted at once.
 */

/* The secrets the webhook handlers use (intake_tenant_secret()). */
enum intake_secret {
	INTAKE_SECRET_PROCORE_AUTH,   /* webhook.procore_authorization */
	INTAKE_SECRET_NETSUITE,       /* webhook.netsuite_secret */
	INTAKE_SECRET_PROCORE_CLIENT, /* procore.client_id (echo detection) */
	INTAKE_SECRET_COUNT,
};

/* A tenant as the cache holds it.  Read-only once published. */
struct mlc_intake_tenant {
	struct mlc_tenant t;
	uint64_t fingerprint;               /* of the tables it was loaded from */
	int secret_rc[INTAKE_SECRET_COUNT]; /* MLC_OK, MLC_ENOTFOUND or the load error */
	struct mlc_secret *secret[INTAKE_SECRET_COUNT];
	char secret_err[INTAKE_SECRET_COUNT][512]; /* the load error's message */
	int refs;                                  /* guarded by the cache lock */
};

struct mlc_intake_event;
/* Called by the writer once ev's batch committed or failed (the results
 * are in ev); on the writer's thread, so it must be quick and not block. */
typedef void (*mlc_intake_done)(struct mlc_intake_event *ev, void *arg);

/* One event handed to the writer. */
struct mlc_intake_event {
	struct mlc_inbox_new row; /* what to store; its results (duplicate, id) */
	uint64_t fingerprint;     /* the cache's, at validation */
	/* results, valid once intake_submit() returned */
	int rc;     /* MLC_OK or the store's error */
	bool stale; /* not written: validated under an old fingerprint */
	struct mlc_error err;
	/* intake_submit_async(): the callback instead of a waiter */
	mlc_intake_done done_fn;
	void *done_arg;
	/* the writer's queue (under the intake's lock) */
	bool done;
	pthread_cond_t wake; /* signalled when done */
	struct mlc_intake_event *next;
};

struct mlc_intake_cache_entry;

struct mlc_intake {
	char *store_url;
	const struct mlc_vault *vault;
	pthread_t writer;
	bool writer_started;
	pthread_mutex_t lock;
	pthread_cond_t work; /* an event was queued, or stopping */
	struct mlc_intake_event *head, *tail;
	int64_t *marks; /* inbox rows to mark done with the next batch */
	size_t nmarks, capmarks;
	bool stopping;
	bool writer_idle;      /* the writer waits on work */
	struct mlc_store *wst; /* the writer's connection */
	bool relaxed;          /* wst's commits are not synced (marks only) */
	int64_t data_version;  /* writer's last PRAGMA data_version */
	uint64_t fingerprint;  /* the tables' fingerprint as the writer last saw it */
	/* the cache */
	pthread_mutex_t cache_lock;
	uint64_t cache_fp; /* fingerprint the cached entries were loaded under */
	struct mlc_intake_cache_entry *entries;
};

/*
 * Opens the writer's own connection to store_url, reads the fingerprint
 * and starts the writer thread.  vault is borrowed and must outlive the
 * intake.  Release with intake_release() (which finishes queued events).
 */
int intake_start(struct mlc_intake *in, const char *store_url, const struct mlc_vault *vault,
		 struct mlc_error *err) MLC_MUST_CHECK;
/* Writes what is queued, stops the writer, frees the cache.  Accepts an
 * intake that was never started (zeroed). */
void intake_release(struct mlc_intake *in);

/*
 * Queues ev and waits until the writer committed (or failed) the batch it
 * went in; the results are in ev (rc, stale, row.duplicate, row.id, err); the
 * return value is ev->rc.  ev->stale: the tenants or secrets changed
 * since ev was validated; nothing was written (rc is MLC_OK).  After
 * intake_release() started: MLC_ESTATE.
 */
int intake_submit(struct mlc_intake *in, struct mlc_intake_event *ev) MLC_MUST_CHECK;
/*
 * The same without waiting (serve's I/O thread, issue 20): queues ev and
 * returns; the writer calls done(ev, arg) once the batch ev went in
 * committed or failed, with the results in ev as above.  ev must stay
 * valid until then.  MLC_ESTATE (done never called) once
 * intake_release() started.
 */
int intake_submit_async(struct mlc_intake *in, struct mlc_intake_event *ev, mlc_intake_done done,
			void *arg) MLC_MUST_CHECK;

/*
 * Marks inbox rows done in the writer's next transaction (no write lock
 * of its own, so it never makes the writer wait).  The caller committed
 * what makes them done (their run's job) first; the WAL keeps commits in
 * order, so the durable mark implies the job.  Dropped after
 * intake_release() started: the rows stay 'new' and the drain's scan
 * takes them again (at-least-once).
 */
void intake_mark_done(struct mlc_intake *in, const int64_t *ids, size_t n);

/*
 * The cached tenant named name, loaded through st (the caller's
 * connection) when absent.  *out is NULL with MLC_ENOTFOUND for an
 * unknown tenant; other errors are the store's.  Release with
 * intake_tenant_put().
 */
int intake_tenant_get(struct mlc_intake *in, struct mlc_store *st, const char *name,
		      struct mlc_intake_tenant **out, struct mlc_error *err) MLC_MUST_CHECK;
void intake_tenant_put(struct mlc_intake *in, struct mlc_intake_tenant *t);
/* The cached tenant named name, or NULL when the cache does not hold it
 * (nothing is loaded: no store access).  Release with intake_tenant_put(). */
struct mlc_intake_tenant *intake_tenant_peek(struct mlc_intake *in, const char *name);
/* Drops every cached tenant when the tables' fingerprint (read through st)
 * differs from the cache's.  Returns 1 when it dropped, 0 when nothing
 * changed, or a negative code. */
int intake_recheck(struct mlc_intake *in, struct mlc_store *st,
		   struct mlc_error *err) MLC_MUST_CHECK;
/* Drops every cached tenant. */
void intake_invalidate(struct mlc_intake *in);

#endif
