/*
 * Webhook intake: the group-commit writer and the tenant cache
 * (server/intake.h has the contract).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* FNV-1a, 64 bits. */
static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t fnv_i64(uint64_t h, int64_t v)
{
	return fnv(h, &v, sizeof(v));
}

/* Hashes every row of sql: text columns 0..ncols-1 (a NUL after each, so
 * that column boundaries count). */
static int hash_rows(struct mlc_store *s, const char *sql, int ncols, uint64_t *h,
		     struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s, sql, &st, err);

	if (rc < 0)
		goto out;
	while ((rc = stmt_step(st, err)) == 1) {
		for (int c = 0; c < ncols; c++) {
			size_t n = 0;
			const void *p = stmt_col_blob(st, c, &n);
			*h = fnv(*h, p ? p : "", p ? n : 0);
			*h = fnv(*h, "", 1);
		}
		*h = fnv(*h, "\n", 1);
	}
out:
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int intake_fingerprint(struct mlc_store *s, uint64_t *out, struct mlc_error *err)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int rc;

	*out = 0;
	/* a secret's nonce is drawn anew at every write (core/secrets.c
	 * write_row), so a rewrite with the same value still shows */
	if ((rc = hash_rows(s,
			    "SELECT id, name, procore_company_id, netsuite_account, netsuite_url, "
			    "settings, updated_at FROM tenants ORDER BY id",
			    7, &h, err)) < 0 ||
	    (rc = hash_rows(s,
			    "SELECT tenant_id, name, key_id, nonce, updated_at FROM secrets ORDER BY "
			    "tenant_id, name",
			    5, &h, err)) < 0)
		return rc;
	*out = fnv_i64(h, 1);
	return MLC_OK;
}

/* PRAGMA data_version of s: changes when another connection committed. */
static int data_version(struct mlc_store *s, int64_t *out, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s, "PRAGMA data_version", &st, err);

	if (rc == MLC_OK && (rc = stmt_step(st, err)) == 1)
		*out = stmt_col_i64(st, 0);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

/* --- the writer -------------------------------------------------------------------------------- */

static void fail_batch(struct mlc_intake_event *batch, const struct mlc_error *err, int rc)
{
	for (struct mlc_intake_event *ev = batch; ev; ev = ev->next) {
		if (ev->stale)
			continue;
		ev->rc = rc;
		ev->duplicate = 0;
		ev->id = 0;
		ev->err = *err;
	}
}

/* Marks ids done inside the writer's open transaction. */
static int mark_done(struct mlc_intake *in, const int64_t *ids, size_t n, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = MLC_OK;

	if (!n)
		return MLC_OK;
	if ((rc = store_prepare(in->wst, "UPDATE inbox SET state = 'done', processed_at = ? WHERE "
					 "id = ? AND state = 'new'",
				&st, err)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		stmt_reset(st);
		stmt_bind_i64(st, 1, time_now_ms());
		stmt_bind_i64(st, 2, ids[i]);
		rc = stmt_step(st, err);
	}
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

/* Writes batch (and marks) in one durable transaction; fills each event's
 * results.  Returns false when the transaction failed. */
static bool write_batch(struct mlc_intake *in, struct mlc_intake_event *batch, const int64_t *marks,
			size_t nmarks)
{
	struct mlc_error err = { 0 };
	struct mlc_stmt *ins = NULL;
	int64_t dv = 0;
	size_t written = 0;
	int rc;

	/* marks alone answer nobody: lost to an OS crash, they leave rows
	 * 'new' that the drain takes again, so they need no fsync.  A batch
	 * with events is never committed relaxed. */
	if (batch && in->relaxed) {
		if ((rc = store_durable(in->wst, true, &err)) < 0)
			goto fail;
		in->relaxed = false;
	} else if (!batch && !in->relaxed) {
		struct mlc_error ignored = { 0 };
		in->relaxed = store_durable(in->wst, false, &ignored) == MLC_OK;
	}
	if ((rc = store_begin(in->wst, &err)) < 0)
		goto fail;
	/* inside the write transaction: what the handlers validated against
	 * must still hold when this commits */
	if ((rc = data_version(in->wst, &dv, &err)) < 0)
		goto fail;
	if (dv != in->data_version) {
		if ((rc = intake_fingerprint(in->wst, &in->fingerprint, &err)) < 0)
			goto fail;
		in->data_version = dv;
	}
	rc = store_prepare(in->wst,
			   "INSERT INTO inbox (tenant_id, source, event_key, payload, state, reason, "
			   "received_at, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
			   "(tenant_id, source, event_key) DO NOTHING RETURNING id",
			   &ins, &err);
	if (rc < 0)
		goto fail;
	for (struct mlc_intake_event *ev = batch; ev; ev = ev->next) {
		int64_t now = time_now_ms();
		if (ev->fingerprint != in->fingerprint) {
			ev->stale = true;
			continue;
		}
		stmt_reset(ins);
		stmt_bind_i64(ins, 1, ev->tenant_id);
		stmt_bind_text(ins, 2, ev->source);
		stmt_bind_text(ins, 3, ev->event_key);
		stmt_bind_text(ins, 4, ev->payload);
		stmt_bind_text(ins, 5, inbox_state_name(ev->state));
		stmt_bind_text(ins, 6, ev->state == INBOX_UNUSABLE ? ev->reason : NULL);
		stmt_bind_i64(ins, 7, now);
		if (ev->state == INBOX_NEW)
			stmt_bind_null(ins, 8);
		else
			stmt_bind_i64(ins, 8, now);
		rc = stmt_step(ins, &err);
		if (rc < 0)
			goto fail;
		ev->duplicate = rc == 0;
		ev->id = rc == 1 ? stmt_col_i64(ins, 0) : 0;
		/* the RETURNING row must be stepped past before the next reset
		 * for the insert to be complete */
		if (rc == 1 && (rc = stmt_step(ins, &err)) < 0)
			goto fail;
		ev->rc = MLC_OK;
		written++;
	}
	stmt_free(ins);
	ins = NULL;
	if ((rc = mark_done(in, marks, nmarks, &err)) < 0 || (rc = store_commit(in->wst, &err)) < 0)
		goto fail;
	if (written) {
		metrics_counter_add("mlc_inbox_commits_total",
				    "Durable inbox commits (events arriving together share one)", "",
				    1);
		metrics_counter_add("mlc_inbox_events_total", "Webhook events written by those commits",
				    "", (double)written);
	}
	return true;
fail:
	stmt_free(ins);
	store_rollback(in->wst);
	metrics_counter_add("mlc_inbox_commit_failures_total",
			    "Inbox transactions that failed (their events were answered 503)", "", 1);
	fail_batch(batch, &err, rc);
	if (!batch)
		log_warn("inbox: marking events done failed (retried)", "error", err.msg);
	return false;
}

static void *writer_main(void *arg)
{
	struct mlc_intake *in = arg;

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
		 * queued handler at each commit) */
		for (struct mlc_intake_event *ev = batch, *next; ev; ev = next) {
			next = ev->next; /* ev belongs to its waiter once done */
			ev->next = NULL;
			ev->done = true;
			pthread_cond_signal(&ev->wake);
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
	if ((rc = store_open(store_url, &in->wst, err)) < 0)
		return rc;
	/* every commit of this connection is an answered event's */
	if ((rc = store_durable(in->wst, true, err)) < 0 ||
	    (rc = data_version(in->wst, &in->data_version, err)) < 0 ||
	    (rc = intake_fingerprint(in->wst, &in->fingerprint, err)) < 0)
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

int intake_submit(struct mlc_intake *in, struct mlc_intake_event *ev)
{
	ev->rc = MLC_OK;
	ev->stale = false;
	ev->duplicate = 0;
	ev->id = 0;
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

/* --- the cache --------------------------------------------------------------------------------- */

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

void intake_tenant_put(struct mlc_intake *in, struct mlc_intake_tenant *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&in->cache_lock);
	put_locked(t);
	pthread_mutex_unlock(&in->cache_lock);
}

/* Loads the tenant and its webhook secrets from one snapshot. */
static int load(struct mlc_intake *in, struct mlc_store *st, const char *name,
		struct mlc_intake_tenant **out, struct mlc_error *err)
{
	struct mlc_intake_tenant *t = xcalloc(1, sizeof(*t));
	bool open = false;
	int rc;

	*out = NULL;
	/* a read transaction: the fingerprint and the rows are one snapshot */
	if ((rc = store_exec(st, "BEGIN", err)) < 0)
		goto out;
	open = true;
	if ((rc = intake_fingerprint(st, &t->fingerprint, err)) < 0 ||
	    (rc = tenant_get(st, name, &t->t, err)) < 0)
		goto out;
	for (int i = 0; i < INTAKE_SECRET_COUNT; i++) {
		struct mlc_error serr = { 0 };
		t->secret_rc[i] = secret_get(st, in->vault, t->t.id, webhook_secret_names[i], &t->secret[i],
					     &serr);
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
	if (open) {
		int c = store_exec(st, "COMMIT", NULL);
		MLC_UNUSED(c);
	}
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
	if ((rc = load(in, st, name, &t, err)) < 0)
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
	int rc = intake_fingerprint(st, &fp, err);
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
