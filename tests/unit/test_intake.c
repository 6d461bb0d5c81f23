#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_test.h"
#include <sodium.h>
#include <pthread.h>

#include "core/inbox.h"
#include "core/tenant.h"
#include "core/vault.h"
#include "net/metrics.h"
#include "server/intake.h"
#include "util/time.h"

/*
 * The webhook intake's writer and cache (server/intake.h) on a store file
 * shared with other connections, as serve and the CLI share it: events
 * queued together share one commit and none is answered before it; a
 * failed transaction fails every event in it and keeps nothing; an event
 * validated before another connection changed a secret is not written;
 * the cache notices the change.
 */

struct world {
	char dir[64];
	char url[512];
	struct mlc_store *cli; /* "another process": the CLI's connection */
	struct mlc_store *hst; /* a handler thread's connection */
	struct mlc_vault *vault;
	struct mlc_intake in;
	int64_t tenant_id;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct mlc_error err = {0};
	struct mlc_tenant_changes c = {.procore_company_id = 42, .netsuite_account = "123"};
	struct mlc_tenant t;
	unsigned char key[32];

	memset(key, 7, sizeof(key));
	snprintf(w->dir, sizeof(w->dir), "/tmp/mlc-intake-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(w->url, sizeof(w->url), "sqlite:%s/s.db", w->dir);
	if (test_store_is_pg()) {
		char *u = test_store_url(w->url);
		snprintf(w->url, sizeof(w->url), "%s", u);
		free(u);
	}
	assert_int_equal(store_open(w->url, &w->cli, &err), 0);
	assert_int_equal(store_open(w->url, &w->hst, &err), 0);
	assert_int_equal(vault_new(key, sizeof(key), &w->vault, &err), 0);
	assert_int_equal(tenant_add(w->cli, "acme", &c, &err), 0);
	assert_int_equal(tenant_get(w->cli, "acme", &t, &err), 0);
	w->tenant_id = t.id;
	tenant_release(&t);
	assert_int_equal(secret_set(w->cli, w->vault, w->tenant_id, "webhook.procore_authorization",
				    "Bearer first-secret-0001", strlen("Bearer first-secret-0001"),
				    &err),
			 0);
	assert_int_equal(intake_start(&w->in, w->url, w->vault, &err), 0);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	char cmd[128];

	intake_release(&w->in);
	store_free(w->hst);
	store_free(w->cli);
	vault_free(w->vault);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", w->dir);
	assert_int_equal(system(cmd), 0);
	free(w);
	return 0;
}

static int64_t inbox_count(struct world *w)
{
	struct mlc_inbox_event *ev = NULL;
	struct mlc_error err = {0};
	size_t n = 0;
	int64_t all;

	/* every row these tests store is 'new' */
	assert_int_equal(inbox_pending(w->cli, 1000, &ev, &n, &err), 0);
	all = (int64_t)n;
	for (size_t i = 0; i < n; i++)
		inbox_event_release(&ev[i]);
	free(ev);
	return all;
}

struct poster {
	struct world *w;
	char key[32];
	uint64_t fingerprint;
	struct mlc_intake_event ev;
	int *started, *answered;
	pthread_mutex_t *mu;
};

static void *post(void *arg)
{
	struct poster *p = arg;
	int rc;

	p->ev.row.tenant_id = p->w->tenant_id;
	p->ev.row.source = "procore";
	p->ev.row.event_key = p->key;
	p->ev.row.payload = "{\"id\":1}";
	p->ev.row.state = INBOX_NEW;
	p->ev.fingerprint = p->fingerprint;
	pthread_mutex_lock(p->mu);
	(*p->started)++;
	pthread_mutex_unlock(p->mu);
	rc = intake_submit(&p->w->in, &p->ev);
	pthread_mutex_lock(p->mu);
	(*p->answered)++;
	pthread_mutex_unlock(p->mu);
	(void)rc;
	return NULL;
}

#define NPOST 16

/* Posts NPOST events from as many threads while the CLI's connection holds
 * the write lock; checks none is answered before the lock goes; returns
 * once all are answered. */
static void post_all_locked(struct world *w, struct poster *ps, const char *prefix)
{
	pthread_t th[NPOST];
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	int started = 0, answered = 0, a;
	struct mlc_error err = {0};

	assert_int_equal(store_begin(w->cli, &err), 0); /* BEGIN IMMEDIATE: the write lock */
	for (int i = 0; i < NPOST; i++) {
		if (i == 1) {
			/* the first event alone: wait until the writer took it
			 * (and waits for the lock with it) */
			bool taken = false;
			for (int spins = 0; spins < 500 && !taken; spins++) {
				time_sleep_ms(10);
				pthread_mutex_lock(&mu);
				a = started;
				pthread_mutex_unlock(&mu);
				pthread_mutex_lock(&w->in.lock);
				taken = a == 1 && !w->in.head;
				pthread_mutex_unlock(&w->in.lock);
			}
			assert_true(taken);
		}
		memset(&ps[i], 0, sizeof(ps[i]));
		ps[i].w = w;
		snprintf(ps[i].key, sizeof(ps[i].key), "%s%02d", prefix, i);
		ps[i].fingerprint = w->in.fingerprint;
		ps[i].started = &started;
		ps[i].answered = &answered;
		ps[i].mu = &mu;
		assert_int_equal(pthread_create(&th[i], NULL, post, &ps[i]), 0);
	}
	for (int spins = 0; spins < 500; spins++) {
		pthread_mutex_lock(&mu);
		a = started;
		pthread_mutex_unlock(&mu);
		if (a == NPOST)
			break;
		time_sleep_ms(10);
	}
	time_sleep_ms(300); /* every submit queued behind the blocked writer */
	pthread_mutex_lock(&mu);
	a = answered;
	pthread_mutex_unlock(&mu);
	assert_int_equal(a, 0); /* nobody answered before the commit could happen */
	store_rollback(w->cli);
	for (int i = 0; i < NPOST; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(answered, NPOST);
}

static void test_group_commit(void **state)
{
	TEST_PG_UNSUPPORTED();
	struct world *w = *state;
	struct poster ps[NPOST];
	double c0 = metrics_counter_get("mlc_inbox_commits_total", "");
	double e0 = metrics_counter_get("mlc_inbox_events_total", "");
	double commits;

	post_all_locked(w, ps, "g");
	for (int i = 0; i < NPOST; i++) {
		assert_int_equal(ps[i].ev.rc, 0);
		assert_false(ps[i].ev.stale);
		assert_int_equal(ps[i].ev.row.duplicate, 0);
		assert_true(ps[i].ev.row.id > 0);
	}
	assert_int_equal(inbox_count(w), NPOST);
	commits = metrics_counter_get("mlc_inbox_commits_total", "") - c0;
	/* the first event's batch waited for the lock alone; the other 15
	 * queued meanwhile and went in one transaction */
	assert_true(commits == 2);
	assert_int_equal((int)(metrics_counter_get("mlc_inbox_events_total", "") - e0), NPOST);

	/* the same events again: duplicates, nothing written */
	post_all_locked(w, ps, "g");
	for (int i = 0; i < NPOST; i++) {
		assert_int_equal(ps[i].ev.rc, 0);
		assert_int_equal(ps[i].ev.row.duplicate, 1);
	}
	assert_int_equal(inbox_count(w), NPOST);
}

static void test_failed_commit_fails_all(void **state)
{
	TEST_PG_UNSUPPORTED();
	struct world *w = *state;
	struct poster ps[NPOST];
	struct mlc_error err = {0};
	double f0 = metrics_counter_get("mlc_inbox_commit_failures_total", "");

	/* a store failure inside the transaction (one poisoned row) */
	assert_int_equal(
	    store_exec(w->cli,
		       "CREATE TRIGGER poison BEFORE INSERT ON inbox WHEN "
		       "NEW.event_key = 'f15' BEGIN SELECT RAISE(ABORT, 'injected'); END",
		       &err),
	    0);
	post_all_locked(w, ps, "f");
	/* the first event committed alone; f15 failed the transaction it
	 * shared with the 14 others */
	assert_int_equal(ps[0].ev.rc, 0);
	for (int i = 1; i < NPOST; i++)
		assert_true(ps[i].ev.rc < 0);
	for (int i = 0; i < NPOST; i++)
		if (ps[i].ev.rc < 0)
			assert_int_equal(ps[i].ev.row.id, 0);
	assert_true(metrics_counter_get("mlc_inbox_commit_failures_total", "") > f0);
	{
		/* nothing of a failed transaction is kept: what is stored is
		 * exactly what was answered OK */
		int ok = 0;
		for (int i = 0; i < NPOST; i++)
			ok += ps[i].ev.rc == 0;
		assert_int_equal(inbox_count(w), ok);
		assert_int_equal(ok, 1);
	}
	assert_int_equal(store_exec(w->cli, "DROP TRIGGER poison", &err), 0);
	/* the senders retry: each stored once (f00 is a duplicate) */
	post_all_locked(w, ps, "f");
	for (int i = 0; i < NPOST; i++) {
		assert_int_equal(ps[i].ev.rc, 0);
		assert_int_equal(ps[i].ev.row.duplicate, i == 0);
	}
	assert_int_equal(inbox_count(w), NPOST);
}

static void test_change_by_another_connection(void **state)
{
	struct world *w = *state;
	struct mlc_intake_tenant *t = NULL;
	struct mlc_intake_event ev = {0};
	struct mlc_error err = {0};
	const char *second = "Bearer second-secret-002";

	assert_int_equal(intake_tenant_get(&w->in, w->hst, "acme", &t, &err), 0);
	assert_int_equal(t->secret_rc[INTAKE_SECRET_PROCORE_AUTH], 0);
	assert_string_equal(t->secret[INTAKE_SECRET_PROCORE_AUTH]->data,
			    "Bearer first-secret-0001");
	assert_int_equal(t->secret_rc[INTAKE_SECRET_NETSUITE], MLC_ENOTFOUND);
	assert_int_equal(intake_recheck(&w->in, w->hst, &err), 0); /* nothing changed */

	/* another process sets the secret */
	assert_int_equal(secret_set(w->cli, w->vault, w->tenant_id, "webhook.procore_authorization",
				    second, strlen(second), &err),
			 0);
	/* an event validated with the old secret is not written */
	ev.row.tenant_id = w->tenant_id;
	ev.row.source = "procore";
	ev.row.event_key = "c1";
	ev.row.payload = "{}";
	ev.row.state = INBOX_NEW;
	ev.fingerprint = t->fingerprint;
	assert_int_equal(intake_submit(&w->in, &ev), 0);
	assert_true(ev.stale);
	assert_int_equal(ev.row.id, 0);
	assert_int_equal(inbox_count(w), 0);
	intake_tenant_put(&w->in, t);

	/* the cache sees it: dropped, and loaded again with the new value */
	assert_int_equal(intake_recheck(&w->in, w->hst, &err), 1);
	assert_int_equal(intake_tenant_get(&w->in, w->hst, "acme", &t, &err), 0);
	assert_string_equal(t->secret[INTAKE_SECRET_PROCORE_AUTH]->data, second);
	ev.fingerprint = t->fingerprint;
	assert_int_equal(intake_submit(&w->in, &ev), 0);
	assert_false(ev.stale);
	assert_true(ev.row.id > 0);
	intake_tenant_put(&w->in, t);

	/* tenant remove by another process: unknown once the cache is checked */
	assert_int_equal(tenant_remove(w->cli, "acme", &err), 0);
	assert_int_equal(intake_recheck(&w->in, w->hst, &err), 1);
	assert_int_equal(intake_tenant_get(&w->in, w->hst, "acme", &t, &err), MLC_ENOTFOUND);
	assert_null(t);
}

/* intake_submit_async(): what a callback sees (on the writer's thread). */
struct async_ctx {
	struct world *w;
	struct mlc_store *check; /* a connection of the callbacks' own */
	pthread_mutex_t mu;
	int called;
	int visible; /* callbacks that found their row committed */
};

static void async_done(struct mlc_intake_event *ev, void *arg)
{
	struct async_ctx *c = arg;
	struct mlc_stmt *st = NULL;
	struct mlc_error err = {0};
	int found = 0;

	/* the row is committed (seen by another connection) before its
	 * callback runs */
	if (ev->rc == 0 && store_prepare(c->check, "SELECT count(*) FROM inbox WHERE event_key = ?",
					 &st, &err) == 0) {
		stmt_bind_text(st, 1, ev->row.event_key);
		if (stmt_step(st, &err) == 1)
			found = (int)stmt_col_i64(st, 0);
		stmt_free(st);
	}
	pthread_mutex_lock(&c->mu);
	c->called++;
	c->visible += found == 1;
	pthread_mutex_unlock(&c->mu);
}

static int async_called(struct async_ctx *c)
{
	int n;

	pthread_mutex_lock(&c->mu);
	n = c->called;
	pthread_mutex_unlock(&c->mu);
	return n;
}

/* Events queued without waiting (serve's I/O thread): each callback runs
 * once, after the commit its event went in, and events queued together
 * share it; none is called back while the commit cannot happen; after
 * intake_release() nothing is queued. */
static void test_async_submit(void **state)
{
	TEST_PG_UNSUPPORTED();
	struct world *w = *state;
	struct async_ctx c = {.w = w, .mu = PTHREAD_MUTEX_INITIALIZER};
	struct mlc_intake_event evs[NPOST], late = {0};
	char keys[NPOST][16];
	struct mlc_error err = {0};
	double c0 = metrics_counter_get("mlc_inbox_commits_total", "");
	bool taken = false;

	assert_int_equal(store_open(w->url, &c.check, &err), 0);
	memset(evs, 0, sizeof(evs));
	assert_int_equal(store_begin(w->cli, &err), 0); /* the write lock */
	for (int i = 0; i < NPOST; i++) {
		snprintf(keys[i], sizeof(keys[i]), "a%02d", i);
		evs[i].row.tenant_id = w->tenant_id;
		evs[i].row.source = "procore";
		evs[i].row.event_key = keys[i];
		evs[i].row.payload = "{\"id\":2}";
		evs[i].row.state = INBOX_NEW;
		evs[i].fingerprint = w->in.fingerprint;
		assert_int_equal(intake_submit_async(&w->in, &evs[i], async_done, &c), 0);
		/* the first one alone: wait until the writer took it */
		for (int spins = 0; i == 0 && spins < 500 && !taken; spins++) {
			time_sleep_ms(10);
			pthread_mutex_lock(&w->in.lock);
			taken = !w->in.head;
			pthread_mutex_unlock(&w->in.lock);
		}
		assert_true(taken);
	}
	time_sleep_ms(300);
	assert_int_equal(async_called(&c), 0); /* nothing answered before the commit */
	store_rollback(w->cli);
	for (int spins = 0; spins < 1000 && async_called(&c) < NPOST; spins++)
		time_sleep_ms(10);
	assert_int_equal(async_called(&c), NPOST);
	assert_int_equal(c.visible, NPOST);
	for (int i = 0; i < NPOST; i++) {
		assert_int_equal(evs[i].rc, 0);
		assert_true(evs[i].row.id > 0);
	}
	/* the first event's commit, then one for the 15 queued meanwhile */
	assert_true(metrics_counter_get("mlc_inbox_commits_total", "") - c0 == 2);
	assert_int_equal(inbox_count(w), NPOST);

	intake_release(&w->in);
	late.row = evs[0].row;
	assert_int_equal(intake_submit_async(&w->in, &late, async_done, &c), MLC_ESTATE);
	assert_int_equal(async_called(&c), NPOST);
	store_free(c.check);
	pthread_mutex_destroy(&c.mu);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_commit_fails_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_async_submit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_change_by_another_connection, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
