/*
 * Issue 21 (hardening), the core parts: runs whose owner died (item 20),
 * audit retention in batches over indexed columns (item 13); config check
 * refuses listen addresses and proxy lists serve cannot use (item 21).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "core/audit.h"
#include "core/config.h"
#include "core/inbox.h"
#include "core/jobs.h"
#include "core/run_owner.h"
#include "core/store.h"
#include "store_test.h"
#include "core/tenant.h"
#include "auth/token.h"
#include "net/cidr.h"
#include "net/http_retry.h"
#include "net/http_server.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/redact.h"
#include "util/time.h"

#include "http_test.h"

struct fixture {
	struct mlc_store *s;
	int64_t tenant;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mlc_error err = {0};
	struct mlc_tenant_changes c = {.procore_company_id = 8, .netsuite_account = "1"};
	struct mlc_tenant t;

	if (test_store_open(&f->s, &err) < 0 || tenant_add(f->s, "acme", &c, &err) < 0 ||
	    tenant_get(f->s, "acme", &t, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	f->tenant = t.id;
	tenant_release(&t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_free(f->s);
	free(f);
	return 0;
}

static void exec_ok(struct mlc_store *s, const char *sql)
{
	struct mlc_error err = {0};
	if (store_exec(s, sql, &err) < 0)
		fail_msg("%s: %s", sql, err.msg);
}

static int64_t count(struct mlc_store *s, const char *sql)
{
	struct mlc_stmt *st = NULL;
	struct mlc_error err = {0};
	int64_t n;

	assert_int_equal(store_prepare(s, sql, &st, &err), 0);
	assert_int_equal(stmt_step(st, &err), 1);
	n = stmt_col_i64(st, 0);
	stmt_free(st);
	return n;
}

/* A process id that existed and is gone: a child that exited, reaped. */
static int64_t dead_pid(void)
{
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	assert_int_equal(waitpid(p, NULL, 0), p);
	return (int64_t)p;
}

static void test_owner_alive(void **state)
{
	char host[RUN_HOST_MAX];
	int64_t me, now = time_now_ms();

	(void)state;
	run_owner_self(host, &me);
	assert_int_equal(me, (int64_t)getpid());
	/* this host: the process decides, whatever the heartbeat says */
	assert_true(run_owner_alive(host, me, 0, now, RUN_STALE_MS));
	assert_true(run_owner_alive(host, (int64_t)getppid(), 0, now, RUN_STALE_MS));
	assert_false(run_owner_alive(host, dead_pid(), now, now, RUN_STALE_MS));
	assert_false(run_owner_alive(host, 0, now, now, RUN_STALE_MS));
	/* another host: the heartbeat decides */
	assert_true(run_owner_alive("elsewhere.example", me, now - 1000, now, RUN_STALE_MS));
	assert_false(
	    run_owner_alive("elsewhere.example", me, now - RUN_STALE_MS - 1, now, RUN_STALE_MS));
	/* a run from before owners were recorded: its start is the heartbeat */
	assert_true(run_owner_alive(NULL, 0, now - 1000, now, RUN_STALE_MS));
	assert_false(run_owner_alive(NULL, 0, now - RUN_STALE_MS - 1, now, RUN_STALE_MS));
}

static void test_run_reap(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	int64_t live = 0, dead = 0, done = 0, n = -1;
	char sql[512];

	assert_int_equal(run_start(f->s, f->tenant, "vendors", "cli", &live, &err), 0);
	assert_int_equal(run_start(f->s, f->tenant, "costs", "cli", &dead, &err), 0);
	assert_int_equal(run_start(f->s, f->tenant, "budgets", "cli", &done, &err), 0);
	assert_int_equal(run_finish(f->s, done, "ok", NULL, &err), 0);
	/* run_start recorded this process as the owner */
	snprintf(sql, sizeof(sql), "SELECT owner_pid FROM runs WHERE id = %lld", (long long)live);
	assert_int_equal(count(f->s, sql), (int64_t)getpid());
	/* the owner of one run died */
	snprintf(sql, sizeof(sql), "UPDATE runs SET owner_pid = %lld WHERE id = %lld",
		 (long long)dead_pid(), (long long)dead);
	exec_ok(f->s, sql);
	assert_int_equal(run_reap(f->s, RUN_STALE_MS, &n, &err), 0);
	assert_int_equal(n, 1);
	snprintf(
	    sql, sizeof(sql),
	    /* CASE: PostgreSQL does no arithmetic on booleans */
	    "SELECT (SELECT CASE WHEN status = 'running' THEN 1 ELSE 0 END FROM runs WHERE "
	    "id = %lld) + (SELECT CASE WHEN status = 'abandoned' AND finished_at IS NOT NULL "
	    "THEN 1 ELSE 0 END FROM runs WHERE id = %lld) * 10 + "
	    "(SELECT CASE WHEN status = 'ok' THEN 1 ELSE 0 END FROM runs WHERE id = %lld) * 100",
	    (long long)live, (long long)dead, (long long)done);
	assert_int_equal(count(f->s, sql), 111);
	/* again: nothing more */
	assert_int_equal(run_reap(f->s, RUN_STALE_MS, &n, &err), 0);
	assert_int_equal(n, 0);
	/* the heartbeat of this process's runs moves */
	exec_ok(f->s, "UPDATE runs SET heartbeat_at = 1");
	assert_int_equal(run_heartbeat(f->s, 0, &err), 0);
	snprintf(sql, sizeof(sql), "SELECT heartbeat_at > 1 FROM runs WHERE id = %lld",
		 (long long)live);
	assert_int_equal(count(f->s, sql), 1);
	/* an audit row of a run is a sign of life, at most every RUN_HEARTBEAT_MS */
	exec_ok(f->s, "UPDATE runs SET heartbeat_at = 1");
	struct mlc_audit_rec r = {.tenant_id = f->tenant,
				  .run_id = live,
				  .flow = "vendors",
				  .entity = "vendor",
				  .action = "create",
				  .result = "ok"};
	assert_int_equal(audit_write(f->s, &r, &err), 0);
	snprintf(sql, sizeof(sql), "SELECT heartbeat_at > 1 FROM runs WHERE id = %lld",
		 (long long)live);
	assert_int_equal(count(f->s, sql), 1);
}

/* The query plan of a statement names the index it uses. */
static bool plan_uses(struct mlc_store *s, const char *sql, const char *index)
{
	struct mlc_stmt *st = NULL;
	struct mlc_error err = {0};
	struct mlc_buf q = MLC_BUF_INIT;
	bool found = false;
	int rc;

	buf_addstr(&q, "EXPLAIN QUERY PLAN ");
	buf_addstr(&q, sql);
	assert_int_equal(store_prepare(s, q.data, &st, &err), 0);
	while ((rc = stmt_step(st, &err)) == 1)
		if (strstr(stmt_col_text(st, 3), index))
			found = true;
	assert_int_equal(rc, 0);
	stmt_free(st);
	buf_release(&q);
	return found;
}

static void test_prune_batches(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	int64_t gone = -1, batches = -1, run = 0;
	char sql[256];

	/* the columns retention filters on are indexed (SQLite's query plan;
	 * the same indexes exist on PostgreSQL, made by the same migration) */
	if (!test_store_is_pg()) {
		assert_true(
		    plan_uses(f->s, "SELECT id FROM audit WHERE created_at < 5", "audit_created"));
		assert_true(plan_uses(
		    f->s, "SELECT id FROM runs WHERE finished_at IS NOT NULL AND finished_at < 5",
		    "runs_finished"));
		assert_true(
		    plan_uses(f->s, "SELECT id FROM inbox WHERE received_at < 5 AND state <> 'new'",
			      "inbox_received"));
		assert_true(plan_uses(f->s, "SELECT id FROM audit WHERE run_id = 5", "audit_run"));
	}

	/* 25 expired audit rows, 2 recent; one expired finished run */
	assert_int_equal(run_start(f->s, f->tenant, "vendors", "cli", &run, &err), 0);
	assert_int_equal(run_finish(f->s, run, "ok", NULL, &err), 0);
	exec_ok(f->s, "UPDATE runs SET started_at = 100, finished_at = 100");
	for (int i = 0; i < 27; i++) {
		struct mlc_audit_rec r = {.tenant_id = f->tenant,
					  .run_id = run,
					  .flow = "vendors",
					  .entity = "vendor",
					  .action = "create",
					  .result = "ok"};
		assert_int_equal(audit_write(f->s, &r, &err), 0);
	}
	exec_ok(f->s,
		"UPDATE audit SET created_at = 100 WHERE id IN (SELECT id FROM audit LIMIT 25)");
	assert_int_equal(audit_prune_batched(f->s, 1000, 10, &gone, &batches, &err), 0);
	assert_int_equal(gone, 26);
	/* audit: 10 + 10 + 5 (three transactions), runs: 1, inbox: 0 */
	assert_int_equal(batches, 5);
	assert_int_equal(count(f->s, "SELECT COUNT(*) FROM audit"), 2);
	assert_int_equal(count(f->s, "SELECT COUNT(*) FROM audit WHERE run_id IS NULL"), 2);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM runs WHERE id = %lld", (long long)run);
	assert_int_equal(count(f->s, sql), 0);
	/* the default batch size prunes the rest the same way */
	assert_int_equal(audit_prune(f->s, time_now_ms() + 86400000, &gone, &err), 0);
	assert_int_equal(gone, 2);
}

/* The YAML text with http.<key>: "<value>" is refused, and the message
 * names the key, the value and the reason. */
static void config_refused(const char *key, const char *value, const char *why)
{
	struct mlc_config c;
	struct mlc_error err = {0};
	char yaml[512], full[64];

	snprintf(yaml, sizeof(yaml), "http:\n  %s: \"%s\"\n", key, value);
	snprintf(full, sizeof(full), "http.%s", key);
	if (config_load_text(&c, yaml, "t.yaml", "/tmp", &err) == 0) {
		config_release(&c);
		fail_msg("http.%s: '%s' was accepted", key, value);
	}
	assert_int_equal(err.code, MLC_ECONFIG);
	if (!strstr(err.msg, full) || !strstr(err.msg, value) || !strstr(err.msg, why))
		fail_msg("message lacks key, value or '%s': %s", why, err.msg);
}

static void config_accepted(const char *key, const char *value)
{
	struct mlc_config c;
	struct mlc_error err = {0};
	char yaml[512];

	snprintf(yaml, sizeof(yaml), "http:\n  %s: \"%s\"\n", key, value);
	if (config_load_text(&c, yaml, "t.yaml", "/tmp", &err) < 0)
		fail_msg("http.%s: '%s' refused: %s", key, value, err.msg);
	config_release(&c);
}

static void test_config_listen_and_proxies(void **state)
{
	(void)state;
	config_refused("listen", "[::1:80", "without its ']'");
	config_refused("listen", "::1]:80", "without its '['");
	config_refused("listen", "127.0.0.1:70000", "from 0 to 65535");
	config_refused("listen", "127.0.0.1:-1", "from 0 to 65535");
	config_refused("listen", "127.0.0.1", "not HOST:PORT");
	config_refused("listen", "example.com:80", "not an IP address");
	config_refused("listen", "[nonsense]:80", "not an IP address");
	config_refused("trusted_proxies", "10.0.0.0/33, ::/129, garbage", "prefix must be 0..32");
	config_refused("trusted_proxies", "::/129", "prefix must be 0..128");
	config_refused("trusted_proxies", "10.0.0.0/8, garbage", "'garbage' is not an IP range");
	config_accepted("listen", "127.0.0.1:8080");
	config_accepted("listen", "[::1]:0");
	config_accepted("listen", "[::]:65535");
	config_accepted("listen", "localhost:80");
	config_accepted("listen", ":8080");
	config_accepted("trusted_proxies", "");
	config_accepted("trusted_proxies", "10.0.0.0/8, ::1/128, 192.0.2.7");
}

static void test_listen_parse(void **state)
{
	struct sockaddr_storage ss;
	struct mlc_error err = {0};

	(void)state;
	assert_int_equal(listen_parse("[::]:8080", &ss, &err), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 8080);
	assert_int_equal(listen_parse("0.0.0.0:0", &ss, &err), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_true(listen_parse("[::1:80", &ss, &err) < 0);
	assert_non_null(strstr(err.msg, "[::1:80"));
}

static void slow_handler(struct mlc_http_request *req, struct mlc_http_response *resp, void *arg)
{
	(void)req;
	(void)arg;
	time_sleep_ms(1500);
	http_response_text(resp, 200, "text/plain", "slow");
}

struct slow_call {
	char url[64];
	long status;
};

static void *slow_main(void *arg)
{
	struct slow_call *c = arg;
	c->status = ht_request("POST", c->url, "{}", NULL, NULL);
	return NULL;
}

/* Every worker busy with slow requests: /healthz and /metrics still answer
 * at once (issue 21, item 4). */
static void test_health_beside_busy_workers(void **state)
{
	struct mlc_http_server_opts o = {
	    .listen = "127.0.0.1:0", .threads = 1, .name = "t", .builtin_routes = true};
	struct mlc_http_server *srv = NULL;
	struct mlc_error err = {0};
	struct slow_call calls[2];
	pthread_t th[2];
	char url[64];
	int64_t t0;

	(void)state;
	assert_int_equal(http_server_new(&o, &srv, &err), 0);
	assert_int_equal(http_server_route(srv, "POST", "/slow", slow_handler, NULL), 0);
	assert_int_equal(http_server_start(srv, &err), 0);
	for (int i = 0; i < 2; i++) {
		snprintf(calls[i].url, sizeof(calls[i].url), "http://127.0.0.1:%d/slow",
			 http_server_port(srv));
		assert_int_equal(pthread_create(&th[i], NULL, slow_main, &calls[i]), 0);
	}
	time_sleep_ms(300); /* the one worker is in the first, the second waits */
	t0 = time_now_ms();
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/healthz", http_server_port(srv));
	assert_int_equal(ht_request("GET", url, NULL, NULL, NULL), 200);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", http_server_port(srv));
	assert_int_equal(ht_request("GET", url, NULL, NULL, NULL), 200);
	if (time_now_ms() - t0 > 700)
		fail_msg("health and metrics took %lld ms behind busy workers",
			 (long long)(time_now_ms() - t0));
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(calls[i].status, 200);
	}
	http_server_free(srv);
}

/* A failed job waiting for its retry keeps its dedupe key: enqueues during
 * an outage find it instead of piling up (issue 21, item 15). */
static void test_failed_job_keeps_key(void **state)
{
	struct fixture *f = *state;
	struct mlc_error err = {0};
	struct mlc_job job;
	int64_t id = 0, twin = 0, again = 0, now = time_now_ms();

	assert_int_equal(job_enqueue(f->s, f->tenant, "sync", NULL, "acme/costs", now, &id, &err),
			 0);
	assert_int_equal(job_lease(f->s, "w1", now, 60000, &job, &err), 1);
	assert_int_equal(job.id, id);
	job_release(&job);
	/* an event while it runs queues one more (the key is free) */
	assert_int_equal(job_enqueue(f->s, f->tenant, "sync", NULL, "acme/costs", now, &twin, &err),
			 0);
	assert_true(twin != id);
	assert_int_equal(job_fail(f->s, id, "w1", "503 from NetSuite", now + 5000, &err), 0);
	/* one queued job for the key, and it is the retry */
	assert_int_equal(count(f->s, "SELECT COUNT(*) FROM jobs WHERE state = 'queued'"), 1);
	assert_int_equal(count(f->s, "SELECT id FROM jobs WHERE dedupe_key = 'acme/costs'"), id);
	/* ten more events during the backoff: still one job */
	for (int i = 0; i < 10; i++) {
		assert_int_equal(job_enqueue(f->s, f->tenant, "sync", NULL, "acme/costs",
					     now + 6000, &again, &err),
				 0);
		assert_int_equal(again, id);
	}
	assert_int_equal(count(f->s, "SELECT COUNT(*) FROM jobs WHERE state = 'queued'"), 1);
	/* the retry runs again and fails again: still one */
	assert_int_equal(job_lease(f->s, "w1", now + 6000, 60000, &job, &err), 1);
	job_release(&job);
	assert_int_equal(job_fail(f->s, id, "w1", "503 again", now + 20000, &err), 0);
	assert_int_equal(
	    job_enqueue(f->s, f->tenant, "sync", NULL, "acme/costs", now + 7000, &again, &err), 0);
	assert_int_equal(again, id);
	assert_int_equal(count(f->s, "SELECT COUNT(*) FROM jobs"), 1);
	/* a permanent failure gives the key up: the next event queues anew */
	assert_int_equal(job_lease(f->s, "w1", now + 8000, 60000, &job, &err), 1);
	job_release(&job);
	assert_int_equal(job_fail(f->s, id, "w1", "bad mapping", -1, &err), 0);
	assert_int_equal(count(f->s, "SELECT COUNT(*) FROM jobs WHERE state = 'dead'"), 1);
	assert_int_equal(
	    job_enqueue(f->s, f->tenant, "sync", NULL, "acme/costs", now + 9000, &again, &err), 0);
	assert_true(again != id);
	/* a job no longer held is refused and changes nothing */
	assert_int_equal(job_fail(f->s, id, "w1", "late", now, &err), MLC_ESTATE);
}

/* The webhook inbox insert commits with synchronous=FULL; other writes keep
 * NORMAL (issue 21, item 6).  A temporary trigger records the setting in
 * effect while the insert runs. */
static void test_inbox_insert_is_durable(void **state)
{
	TEST_PG_UNSUPPORTED();
	struct fixture *f = *state;
	struct mlc_error err = {0};
	json_t *payload = json_pack("{s:i}", "id", 1);
	int dup = -1;
	int64_t id = 0;

	exec_ok(f->s, "CREATE TEMP TABLE spy (level INTEGER)");
	exec_ok(f->s, "CREATE TEMP TRIGGER inbox_spy AFTER INSERT ON main.inbox BEGIN "
		      "INSERT INTO spy SELECT synchronous FROM pragma_synchronous(); END");
	assert_int_equal(count(f->s, "SELECT synchronous FROM pragma_synchronous()"), 1);
	assert_int_equal(inbox_add(f->s, f->tenant, "procore", "ev-1", payload, &dup, &id, &err),
			 0);
	assert_int_equal(dup, 0);
	assert_int_equal(count(f->s, "SELECT level FROM spy"), 2); /* FULL while it commits */
	/* and NORMAL again afterwards, for every other write */
	assert_int_equal(count(f->s, "SELECT synchronous FROM pragma_synchronous()"), 1);
	/* inside a caller's transaction the setting cannot change: the insert
	 * still works and the caller's commit decides */
	struct mlc_error e2 = {0};
	assert_int_equal(store_begin(f->s, &err), 0);
	assert_int_equal(store_durable(f->s, true, &e2), MLC_ESTATE);
	assert_int_equal(inbox_add(f->s, f->tenant, "procore", "ev-2", payload, &dup, &id, &err),
			 0);
	assert_int_equal(store_commit(f->s, &err), 0);
	assert_int_equal(count(f->s, "SELECT COUNT(*) FROM inbox"), 2);
	json_decref(payload);
}

static void expect_redacted(const char *in, const char *want)
{
	struct mlc_buf out = MLC_BUF_INIT;
	redact_text(&out, in);
	if (strcmp(out.data ? out.data : "", want) != 0)
		fail_msg("redact_text(%s)\n got %s\nwant %s", in, out.data, want);
	buf_release(&out);
}

/* Issue 21, item 10: a long-lived secret stays redacted however many
 * tokens come after it; PEM blocks, URL passwords and URL-encoded
 * secret keys are matched. */
static void test_redaction(void **state)
{
	char tok[64];

	(void)state;
	redact_reset();
	redact_register_lasting("whsec-procore-4242");
	redact_register("first-token-abcdef");
	for (int i = 0; i < 1000; i++) {
		snprintf(tok, sizeof(tok), "access-token-%06d", i);
		redact_register(tok);
	}
	expect_redacted("Authorization was whsec-procore-4242 here",
			"Authorization was [REDACTED] here");
	/* the first token fell out of the short-lived ring, as designed */
	expect_redacted("old first-token-abcdef", "old first-token-abcdef");
	expect_redacted("new access-token-000999", "new [REDACTED]");
	/* a lasting value registered again as a token is still lasting */
	redact_register("whsec-procore-4242");
	expect_redacted("x whsec-procore-4242", "x [REDACTED]");
	redact_reset();
	expect_redacted("x whsec-procore-4242", "x whsec-procore-4242");

	expect_redacted("key: -----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE "
			"KEY-----\nnext",
			"key: [REDACTED]\nnext");
	expect_redacted("cut -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI", "cut [REDACTED]");
	expect_redacted("redis://:s3cretpw@cache.local:6379/0",
			"redis://:[REDACTED]@cache.local:6379/0");
	expect_redacted("postgres://mlc:pa55word@db/mlc?x=1",
			"postgres://mlc:[REDACTED]@db/mlc?x=1");
	expect_redacted("https://user@host/path", "https://user@host/path");
	expect_redacted("http://host:8080/a@b", "http://host:8080/a@b");
	expect_redacted(
	    "body=grant_type%3Dclient_credentials%26client_secret%3Dabc123xyz%26scope%3Drest",
	    "body=grant_type%3Dclient_credentials%26client_secret%3D[REDACTED]%26scope%3Drest");
	expect_redacted("q=client_secret%3dabc123xyz end", "q=client_secret%3d[REDACTED] end");
	/* what was matched before still is */
	expect_redacted("client_secret=abc&x=1", "client_secret=[REDACTED]&x=1");
	expect_redacted("Authorization: Bearer abc.def", "Authorization: Bearer [REDACTED]");
}

/* Remote numbers times 1000 never overflow (issue 21, item 11). */
static void test_checked_remote_arithmetic(void **state)
{
	struct mlc_token_policy p = {.margin_ms = 600000};
	int64_t now = 1764000000000, r = 0, huge = INT64_MAX / 999;

	(void)state;
	assert_int_equal(num_mul_i64(INT64_MAX, 2, &r), MLC_ERANGE);
	assert_int_equal(num_mul_i64(-4, 1000, &r), 0);
	assert_int_equal(r, -4000);
	assert_int_equal(num_add_i64(INT64_MAX, 1, &r), MLC_ERANGE);
	assert_true(num_mul_i64_sat(INT64_MAX, 1000) == INT64_MAX);
	assert_true(num_mul_i64_sat(INT64_MIN, 1000) == INT64_MIN);
	assert_true(num_add_i64_sat(INT64_MIN, -1) == INT64_MIN);
	/* X-Rate-Limit-Reset: a unix time so large it overflows is capped */
	assert_int_equal(rate_reset_ms("9223372036854775807", now), RATE_RESET_MAX_MS);
	assert_int_equal(rate_reset_ms("9223372036854775", now), RATE_RESET_MAX_MS);
	assert_int_equal(rate_reset_ms("30", now), 30000);
	assert_int_equal(rate_reset_ms("1764000010", now), 10000);
	/* expires_in: a huge lifetime refreshes late, never in the past */
	assert_true(token_refresh_at(&p, now, huge) > now);
	assert_true(token_refresh_at(&p, now, INT64_MAX) > now);
	assert_int_equal(token_refresh_at(&p, now, 3600), now + 3000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_owner_alive),
	    cmocka_unit_test(test_config_listen_and_proxies),
	    cmocka_unit_test(test_listen_parse),
	    cmocka_unit_test(test_redaction),
	    cmocka_unit_test(test_checked_remote_arithmetic),
	    cmocka_unit_test(test_health_beside_busy_workers),
	    cmocka_unit_test_setup_teardown(test_run_reap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prune_batches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_job_keeps_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inbox_insert_is_durable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
