/*
 * Webhook intake: the group-commit writer and the tenant cache
 * (server/intake.h has the contract).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/changes.h"
#include "net/metrics.h"
#include "server/intake.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

struct mlc_intake_cache_entry {
	struct mlc_intake_tenant *t;
	struct mlc_intake_cache_entry *next;
};

static const char *const webhook_secret_names[INTAKE_SECRET_COUNT] = {
    [INTAKE_SECRET_PROCORE_AUTH] = "webhook.procore_authorization",
    [INTAKE_SECRET_NETSUITE] = "webhook.netsuite_secret",
    [INTAKE_SECRET_PROCORE_CLIENT] = "procore.client_id",
};

/* --- the writer --------------------------------------------------------------------------------
 */

static void fail_batch(struct mlc_intake_event *batch, const struct mlc_error *err, int rc)
{
	for (struct mlc_intake_event *ev = batch; ev; ev = ev->next) {
		if (ev->stale)
			continue;
		ev->rc = rc;
		ev->row.duplicate = 0;
		ev->row.id = 0;
		ev->err = *err;
	}
}

/* Writes batch (and marks) in one durable transaction; fills each event's
 * results.  Returns false when the transaction failed. */
static bool write_batch(struct mlc_intake *in, struct mlc_intake_event *batch, const int64_t *marks,
			size_t nmarks)
{
	struct mlc_error err = {0};
	struct mlc_inbox_new **rows = NULL;
	size_t n = 0, written = 0;
	int64_t dv = 0;
	int rc;

	/* marks alone answer nobody: lost to an OS crash, they leave rows
	 * 'new' that the drain takes again, so they need no fsync.  A batch
	 * with events is never committed relaxed. */
	if (batch && in->relaxed) {
		rc = store_durable(in->wst, true, &err);
		if (rc < 0)
			goto fail;
		in->relaxed = false;
	} else if (!batch && !in->relaxed) {
		struct mlc_error ignored = {0};
		in->relaxed = store_durable(in->wst, false, &ignored) == MLC_OK;
	}
	rc = store_begin(in->wst, &err);
	if (rc < 0)
		goto fail;
	/* inside the write transaction: what the handlers validated against
	 * must still hold when this commits */
	rc = changes_data_version(in->wst, &dv, &err);
	if (rc < 0)
		goto fail;
	if (dv != in->data_version) {
		rc = changes_tenants_fingerprint(in->wst, &in->fingerprint, &err);
		if (rc < 0)
			goto fail;
		in->data_version = dv;
	}
	for (struct mlc_intake_event *ev = batch; ev; ev = ev->next)
		n++;
	rows = xcalloc(n ? n : 1, sizeof(*rows));
	n = 0;
	for (struct mlc_intake_event *ev = batch; ev; ev = ev->next, n++) {
		if (ev->fingerprint != in->fingerprint) {
			ev->stale = true; /* rows[n] stays NULL: skipped */
			continue;
		}
		rows[n] = &ev->row;
		written++;
	}
	rc = inbox_insert_many(in->wst, rows, n, &err);
	if (rc >= 0)
		rc = inbox_mark_done_many(in->wst, marks, nmarks, &err);
	if (rc >= 0)
		rc = store_commit(in->wst, &err);
	if (rc < 0)
		goto fail;
	free(rows);
	if (written) {
		metrics_counter_add("mlc_inbox_commits_total",
				    "Durable inbox commits (events arriving together share one)",
				    "", 1);
		metrics_counter_add("mlc_inbox_events_total",
				    "Webhook events written by those commits", "", (double)written);
	}
	return true;
fail:
	free(rows);
	store_rollback(in->wst);
	metrics_counter_add("mlc_inbox_commit_failures_total",
			    "Inbox transactions that failed (their events were answered 503)", "",
			    1);
	fail_batch(batch, &err, rc);
	if (!batch)
		log_warn("inbox: marking events done failed (retried)", "error", err.msg);
	return false;
}

/* Calls the callbacks of a batch's intake_submit_async() events (the
 * list is in reverse; each event belongs to its callback once called). */
static void run_callbacks(struct mlc_intake_event *list)
{
	struct mlc_intake_event *rev = NULL;

	while (list) {
		struct mlc_intake_event *next = list->next;
		list->next = rev;
		rev = list;
		list = next;
	}
	while (rev) {
		struct mlc_intake_event *next = rev->next;
		rev->next = NULL;
		rev->done = true;
		rev->done_fn(rev, rev->done_arg);
		rev = next;
	}
}

static void *writer_main(void *arg)
{
	struct mlc_intake *in = arg;
	struct mlc_intake_event *async = NULL;

	pthread_mutex_lock(&in->lock);
	for (;;) {
		struct mlc_intake_event *batch;
		int64_t *marks;
		size_t nmarks;
		bool ok;
		while (!in->head && !in->nmarks && !in->stopping) {
			in->writer_idle = true;
			pthread_cond_wait(&in->work, &in->lock);
		}
		in->writer_idle = false;
		if (!in->head && !in->nmarks)
			break; /* stopping and nothing queued */
		batch = in->head;
		in->head = in->tail = NULL;
		marks = in->marks;
		nmarks = in->nmarks;
		in->marks = NULL;
		in->nmarks = in->capmarks = 0;
		pthread_mutex_unlock(&in->lock);

		ok = write_batch(in, batch, marks, nmarks);

		pthread_mutex_lock(&in->lock);
		if (!ok && nmarks && !in->stopping) {
			/* marks are idempotent: they go with the next batch; alone,
			 * after a pause, so a failing store is not spun on */
			pthread_mutex_unlock(&in->lock);
			intake_mark_done(in, marks, nmarks);
			time_sleep_ms(100);
			pthread_mutex_lock(&in->lock);
		}
		free(marks);
		/* wake only this batch's waiters (a broadcast would wake every
		 * queued handler at each commit); callbacks run unlocked */
		for (struct mlc_intake_event *ev = batch, *next; ev; ev = next) {
			next = ev->next; /* ev belongs to its waiter once done */
			if (ev->done_fn) {
				ev->next = async;
				async = ev;
				continue;
			}
			ev->next = NULL;
			ev->done = true;
			pthread_cond_signal(&ev->wake);
		}
		if (async) {
			pthread_mutex_unlock(&in->lock);
			run_callbacks(async);
			async = NULL;
			pthread_mutex_lock(&in->lock);
		}
	}
	pthread_mutex_unlock(&in->lock);
	return NULL;
}

int intake_start(struct mlc_intake *in, const char *store_url, const struct mlc_vault *vault,
		 struct mlc_error *err)
{
	int rc;

	memset(in, 0, sizeof(*in));
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->work, NULL);
	pthread_mutex_init(&in->cache_lock, NULL);
	in->vault = vault;
	in->store_url = xstrdup(store_url);
	rc = store_open(store_url, &in->wst, err);
	if (rc < 0)
		return rc;
	/* every commit of this connection is an answered event's */
	rc = store_durable(in->wst, true, err);
	if (rc >= 0)
		rc = changes_data_version(in->wst, &in->data_version, err);
	if (rc >= 0)
		rc = changes_tenants_fingerprint(in->wst, &in->fingerprint, err);
	if (rc < 0)
		return rc;
	in->cache_fp = in->fingerprint;
	if (pthread_create(&in->writer, NULL, writer_main, in) != 0)
		return error_set(err, MLC_ENOMEM, "cannot start the inbox writer");
	in->writer_started = true;
	return MLC_OK;
}

void intake_mark_done(struct mlc_intake *in, const int64_t *ids, size_t n)
{
	pthread_mutex_lock(&in->lock);
	if (!in->stopping && in->writer_started && n) {
		if (in->nmarks + n > in->capmarks) {
			in->capmarks = (in->nmarks + n) * 2;
			in->marks = xrealloc(in->marks, in->capmarks * sizeof(*in->marks));
		}
		memcpy(in->marks + in->nmarks, ids, n * sizeof(*ids));
		in->nmarks += n;
		pthread_cond_signal(&in->work);
	}
	pthread_mutex_unlock(&in->lock);
}

int intake_submit_async(struct mlc_intake *in, struct mlc_intake_event *ev, mlc_intake_done done,
			void *arg)
{
	ev->rc = MLC_OK;
	ev->stale = false;
	ev->row.duplicate = 0;
	ev->row.id = 0;
	ev->done = false;
	ev->next = NULL;
	ev->done_fn = done;
	ev->done_arg = arg;
	pthread_mutex_lock(&in->lock);
	if (in->stopping || !in->writer_started) {
		pthread_mutex_unlock(&in->lock);
		return error_set(&ev->err, MLC_ESTATE, "the inbox writer is stopped");
	}
	if (in->tail)
		in->tail->next = ev;
	else
		in->head = ev;
	in->tail = ev;
	if (in->writer_idle)
		pthread_cond_signal(&in->work);
	pthread_mutex_unlock(&in->lock);
	return MLC_OK;
}

int intake_submit(struct mlc_intake *in, struct mlc_intake_event *ev)
{
	ev->done_fn = NULL;
	ev->done_arg = NULL;
	ev->rc = MLC_OK;
	ev->stale = false;
	ev->row.duplicate = 0;
	ev->row.id = 0;
	ev->done = false;
	ev->next = NULL;
	pthread_mutex_lock(&in->lock);
	if (in->stopping || !in->writer_started) {
		pthread_mutex_unlock(&in->lock);
		ev->rc = error_set(&ev->err, MLC_ESTATE, "the inbox writer is stopped");
		return ev->rc;
	}
	pthread_cond_init(&ev->wake, NULL);
	if (in->tail)
		in->tail->next = ev;
	else
		in->head = ev;
	in->tail = ev;
	/* a busy writer takes the queue when its batch is done: waking it
	 * costs a system call per event for nothing */
	if (in->writer_idle)
		pthread_cond_signal(&in->work);
	while (!ev->done)
		pthread_cond_wait(&ev->wake, &in->lock);
	pthread_mutex_unlock(&in->lock);
	pthread_cond_destroy(&ev->wake);
	return ev->rc;
}

/* --- the cache ---------------------------------------------------------------------------------
 */

static void tenant_free(struct mlc_intake_tenant *t)
{
	if (!t)
		return;
	for (int i = 0; i < INTAKE_SECRET_COUNT; i++)
		secret_free(t->secret[i]);
	tenant_release(&t->t);
	free(t);
}

/* Drops a reference; the caller holds cache_lock. */
static void put_locked(struct mlc_intake_tenant *t)
{
	if (t && --t->refs == 0)
		tenant_free(t);
}

/* Empties the cache; the caller holds cache_lock. */
static void drop_locked(struct mlc_intake *in)
{
	while (in->entries) {
		struct mlc_intake_cache_entry *e = in->entries;
		in->entries = e->next;
		put_locked(e->t);
		free(e);
	}
}

void intake_invalidate(struct mlc_intake *in)
{
	pthread_mutex_lock(&in->cache_lock);
	drop_locked(in);
	pthread_mutex_unlock(&in->cache_lock);
}

struct mlc_intake_tenant *intake_tenant_peek(struct mlc_intake *in, const char *name)
{
	struct mlc_intake_tenant *t = NULL;

	pthread_mutex_lock(&in->cache_lock);
	for (struct mlc_intake_cache_entry *e = in->entries; e; e = e->next)
		if (strcmp(e->t->t.name, name) == 0) {
			t = e->t;
			t->refs++;
			break;
		}
	pthread_mutex_unlock(&in->cache_lock);
	return t;
}

void intake_tenant_put(struct mlc_intake *in, struct mlc_intake_tenant *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&in->cache_lock);
	put_locked(t);
	pthread_mutex_unlock(&in->cache_lock);
}

/*
 * Loads the tenant and its webhook secrets.  The fingerprint is read
 * first: the rows are then at least as new as it, so an entry is never
 * tagged newer than what it holds (tagged older, the writer finds it
 * stale and it is loaded again).
 */
static int load(struct mlc_intake *in, struct mlc_store *st, const char *name,
		struct mlc_intake_tenant **out, struct mlc_error *err)
{
	struct mlc_intake_tenant *t = xcalloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	rc = changes_tenants_fingerprint(st, &t->fingerprint, err);
	if (rc >= 0)
		rc = tenant_get(st, name, &t->t, err);
	if (rc < 0)
		goto out;
	for (int i = 0; i < INTAKE_SECRET_COUNT; i++) {
		struct mlc_error serr = {0};
		t->secret_rc[i] = secret_get(st, in->vault, t->t.id, webhook_secret_names[i],
					     &t->secret[i], &serr);
		if (t->secret_rc[i] < 0) {
			t->secret[i] = NULL;
			snprintf(t->secret_err[i], sizeof(t->secret_err[i]), "%s", serr.msg);
		}
	}
	t->refs = 1;
	*out = t;
	t = NULL;
	rc = MLC_OK;
out:
	tenant_free(t);
	return rc;
}

int intake_tenant_get(struct mlc_intake *in, struct mlc_store *st, const char *name,
		      struct mlc_intake_tenant **out, struct mlc_error *err)
{
	struct mlc_intake_tenant *t = NULL;
	int rc;

	*out = NULL;
	pthread_mutex_lock(&in->cache_lock);
	for (struct mlc_intake_cache_entry *e = in->entries; e; e = e->next)
		if (strcmp(e->t->t.name, name) == 0) {
			e->t->refs++;
			*out = e->t;
			break;
		}
	pthread_mutex_unlock(&in->cache_lock);
	if (*out)
		return MLC_OK;
	rc = load(in, st, name, &t, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&in->cache_lock);
	if (t->fingerprint != in->cache_fp) {
		/* the tables changed: every cached tenant may be stale */
		drop_locked(in);
		in->cache_fp = t->fingerprint;
	}
	/* another thread may have loaded it meanwhile: keep one */
	for (struct mlc_intake_cache_entry *e = in->entries; e; e = e->next)
		if (strcmp(e->t->t.name, name) == 0 && e->t->fingerprint == t->fingerprint) {
			put_locked(t);
			t = e->t;
			t->refs++;
			goto found;
		}
	{
		struct mlc_intake_cache_entry *e = xcalloc(1, sizeof(*e));
		e->t = t;
		t->refs++; /* the cache's reference */
		e->next = in->entries;
		in->entries = e;
	}
found:
	pthread_mutex_unlock(&in->cache_lock);
	*out = t;
	return MLC_OK;
}

int intake_recheck(struct mlc_intake *in, struct mlc_store *st, struct mlc_error *err)
{
	uint64_t fp = 0;
	int rc = changes_tenants_fingerprint(st, &fp, err);
	int dropped = 0;

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&in->cache_lock);
	if (fp != in->cache_fp) {
		drop_locked(in);
		in->cache_fp = fp;
		dropped = 1;
	}
	pthread_mutex_unlock(&in->cache_lock);
	return dropped;
}

void intake_release(struct mlc_intake *in)
{
	if (!in->store_url)
		return; /* never started */
	pthread_mutex_lock(&in->lock);
	in->stopping = true;
	pthread_cond_broadcast(&in->work);
	pthread_mutex_unlock(&in->lock);
	if (in->writer_started)
		pthread_join(in->writer, NULL);
	intake_invalidate(in);
	free(in->marks);
	store_free(in->wst);
	free(in->store_url);
	pthread_cond_destroy(&in->work);
	pthread_mutex_destroy(&in->lock);
	pthread_mutex_destroy(&in->cache_lock);
	memset(in, 0, sizeof(*in));
}
