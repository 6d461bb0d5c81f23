#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/api_budget.h"
#include "core/jobs.h"
#include "server/console.h"
#include "server/serve.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

static void close_store(void *p)
{
	store_free(p);
}

struct mlc_store *serve_store(struct mlc_serve *sv, struct mlc_error *err)
{
	struct mlc_store *s = pthread_getspecific(sv->store_key);

	if (s)
		return s;
	if (store_open(sv->cfg->store, &s, err) < 0)
		return NULL;
	pthread_setspecific(sv->store_key, s);
	return s;
}

bool serve_stopping(struct mlc_serve *sv)
{
	return __atomic_load_n(&sv->stopping, __ATOMIC_ACQUIRE) != 0;
}

void serve_notify(struct mlc_serve *sv)
{
	pthread_mutex_lock(&sv->lock);
	pthread_cond_broadcast(&sv->wake);
	pthread_mutex_unlock(&sv->lock);
}

void serve_stop(struct mlc_serve *sv)
{
	__atomic_store_n(&sv->stopping, 1, __ATOMIC_RELEASE);
}

int serve_enqueue_sync(struct mlc_serve *sv, struct mlc_store *st, int64_t tenant_id,
		       const char *tenant, const char *flow, const char *trigger,
		       struct mlc_error *err)
{
	char key[256];
	int64_t id;
	json_t *payload =
	    json_pack("{s:s, s:s, s:s}", "tenant", tenant, "flow", flow, "trigger", trigger);
	int rc;

	/* one pending run per tenant and flow: a burst of events is one run */
	snprintf(key, sizeof(key), "sync:%s:%s", tenant, flow);
	rc = job_enqueue(st, tenant_id, "sync", payload, key, time_now_ms(), &id, err);
	json_decref(payload);
	if (rc == MLC_OK && sv)
		serve_notify(sv);
	return rc;
}

void serve_pending_add(struct mlc_serve *sv, int64_t tenant_id, const char *tenant,
		       const char *flow, int64_t id)
{
	struct serve_pending *p;
	bool first;

	pthread_mutex_lock(&sv->pending_lock);
	for (p = sv->pending; p; p = p->next)
		if (p->tenant_id == tenant_id && strcmp(p->flow, flow) == 0)
			break;
	first = !sv->pending;
	if (first)
		sv->pending_since = time_now_ms();
	if (!p) {
		p = xcalloc(1, sizeof(*p));
		p->tenant_id = tenant_id;
		p->tenant = xstrdup(tenant);
		p->flow = xstrdup(flow);
		p->next = sv->pending;
		sv->pending = p;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->ids = xrealloc(p->ids, p->cap * sizeof(*p->ids));
	}
	p->ids[p->n++] = id;
	/* the drain waits for the first event only; the rest gather */
	if (first)
		pthread_cond_signal(&sv->pending_cv);
	pthread_mutex_unlock(&sv->pending_lock);
}

/* An absolute CLOCK_REALTIME time ms from now, for pthread_cond_timedwait. */
static struct timespec deadline_in(int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

struct serve_pending *serve_pending_take(struct mlc_serve *sv, int wait_ms)
{
	struct serve_pending *list;

	pthread_mutex_lock(&sv->pending_lock);
	if (!sv->pending && wait_ms > 0) {
		struct timespec ts = deadline_in(wait_ms);
		while (!sv->pending) {
			if (pthread_cond_timedwait(&sv->pending_cv, &sv->pending_lock, &ts) != 0)
				break;
		}
	}
	if (sv->pending && wait_ms > 0) {
		/* events arriving together make one run: what comes within
		 * SERVE_PENDING_COALESCE_MS of the first joins it */
		int64_t left = sv->pending_since + SERVE_PENDING_COALESCE_MS - time_now_ms();
		if (left > 0) {
			struct timespec ts = deadline_in(left);
			while (!serve_stopping(sv) &&
			       pthread_cond_timedwait(&sv->pending_cv, &sv->pending_lock, &ts) == 0)
				;
		}
	}
	list = sv->pending;
	sv->pending = NULL;
	pthread_mutex_unlock(&sv->pending_lock);
	return list;
}

void serve_pending_free(struct serve_pending *list)
{
	while (list) {
		struct serve_pending *p = list;
		list = p->next;
		free(p->tenant);
		free(p->flow);
		free(p->ids);
		free(p);
	}
}

static bool ready(void *arg)
{
	struct mlc_serve *sv = arg;
	struct mlc_error err = {0};
	struct mlc_store *s = serve_store(sv, &err);
	/* issue 22: Redis too when configured (tokens are shared through it) */
	if (sv->cfg->redis && *sv->cfg->redis && !token_shared_ping(sv->shared))
		return false;
	return s && store_ping(s);
}

/* The second listener of http.ops_listen: /healthz, /readyz and /metrics
 * only, so that they can be bound to another address than the webhooks
 * (issue 21, item 18). */
static int start_ops(struct mlc_serve *sv, const struct mlc_config *cfg, struct mlc_error *err)
{
	struct mlc_http_server_opts ho = {0};
	int rc;

	ho.listen = cfg->http_ops_listen;
	ho.name = "serve-ops";
	ho.threads = 2;
	ho.builtin_routes = true;
	ho.ready = ready;
	ho.ready_arg = sv;
	ho.per_client_limit = (unsigned int)cfg->http_per_client;
	ho.idle_timeout_s = (unsigned int)cfg->http_read_timeout_s;
	rc = http_server_new(&ho, &sv->ops_http, err);
	if (rc >= 0)
		rc = http_server_start(sv->ops_http, err);
	return rc;
}

/* The web console (issue 23): on its own listener with console.listen,
 * else on the webhooks' (registered before that one starts). */
static int start_console(struct mlc_serve *sv, const struct mlc_config *cfg, struct mlc_error *err)
{
	struct mlc_http_server_opts ho = {0};
	int rc;

	if (!cfg->console_listen || !*cfg->console_listen)
		return console_register(sv, sv->http, &sv->console, err);
	ho.listen = cfg->console_listen;
	ho.name = "console";
	ho.threads = 4;
	ho.trusted_proxies = cfg->http_trusted_proxies;
	ho.per_client_limit = (unsigned int)cfg->http_per_client;
	ho.idle_timeout_s = 60;
	rc = http_server_new(&ho, &sv->console_http, err);
	if (rc >= 0)
		rc = console_register(sv, sv->console_http, &sv->console, err);
	if (rc >= 0)
		rc = http_server_start(sv->console_http, err);
	if (rc >= 0) {
		char port[16];
		snprintf(port, sizeof(port), "%d", http_server_port(sv->console_http));
		log_info("console listening", "listen", cfg->console_listen, "console_port", port);
	}
	return rc;
}

int serve_start(struct mlc_serve *sv, const struct mlc_config *cfg, const struct mlc_serve_opts *o,
		struct mlc_error *err)
{
	struct mlc_http_server_opts ho = {0};
	char host[64] = "host";
	int rc;

	memset(sv, 0, sizeof(*sv));
	sv->cfg = cfg;
	sv->nworkers = o->workers > 0 ? o->workers : cfg->workers;
	sv->lease_ms = (int64_t)(cfg->job_lease_s > 0 ? cfg->job_lease_s : 600) * 1000;
	pthread_mutex_init(&sv->lock, NULL);
	pthread_cond_init(&sv->wake, NULL);
	pthread_mutex_init(&sv->pending_lock, NULL);
	pthread_cond_init(&sv->pending_cv, NULL);
	pthread_key_create(&sv->store_key, close_store);
	gethostname(host, sizeof(host) - 1);
	snprintf(sv->owner, sizeof(sv->owner), "%s:%d", host, (int)getpid());

	/* fail early, with the reason, when the store or the key is unusable */
	if (!serve_store(sv, err))
		return err->code ? err->code : MLC_ESTORE;
	rc = vault_open(cfg, &sv->vault, err);
	if (rc < 0)
		return rc;
	if (cfg->redis && *cfg->redis &&
	    token_shared_new(cfg->redis, sv->vault, &sv->shared, err) < 0)
		log_warn("shared token cache unavailable; using the in-process cache", "error",
			 err->msg);
	/* NetSuite's pool and Procore's limits shared by every process (issue 22) */
	struct api_budget_opts bo = {cfg->redis, cfg->redis_fallback_processes, 0};
	rc = api_budget_setup(&bo, err);
	if (rc < 0)
		return rc;
	sv->pool = auth_pool_new(sv->vault, sv->shared);
	rc = intake_start(&sv->intake, cfg->store, sv->vault, err);
	if (rc < 0)
		return rc;

	ho.listen = o->listen ? o->listen : cfg->http_listen;
	ho.name = "serve";
	/* one line per request only when asked for: at intake rates it would
	 * cost more than the event (issue 20); /metrics counts requests */
	ho.access_log = cfg->http_access_log;
	/* a webhook handler spends its time waiting for the group commit it
	 * joined (server/intake.h): as many handlers as there are connections
	 * one sender may open let a whole burst share one fsync */
	ho.threads = cfg->http_per_client > 8 ? cfg->http_per_client : 8;
	/* the Procore events are answered on the I/O threads (the fast
	 * path in webhooks.c), so the I/O thread is one of the two serial
	 * stages of intake (the other is the inbox writer): two of them
	 * let both cores of a small machine take that share */
	ho.io_threads = 2;
	ho.builtin_routes = true;
	ho.trusted_proxies = cfg->http_trusted_proxies;
	ho.ready = ready;
	ho.ready_arg = sv;
	/* slow or idle senders cannot hold every connection (issue 21, item 4) */
	ho.per_client_limit = (unsigned int)cfg->http_per_client;
	ho.idle_timeout_s = (unsigned int)cfg->http_read_timeout_s;
	/* with http.ops_listen, /readyz and /metrics move to their own
	 * listener and the webhook port keeps /healthz only (issue 21, item 18) */
	ho.health_only = cfg->http_ops_listen && *cfg->http_ops_listen;
	rc = http_server_new(&ho, &sv->http, err);
	if (rc >= 0)
		rc = webhooks_register(sv, err);
	if (rc >= 0 && cfg->console_enabled)
		rc = start_console(sv, cfg, err);
	if (rc >= 0)
		rc = http_server_start(sv->http, err);
	if (rc >= 0 && ho.health_only)
		rc = start_ops(sv, cfg, err);
	if (rc < 0)
		return rc;

	sv->workers = xcalloc((size_t)sv->nworkers, sizeof(*sv->workers));
	for (int i = 0; i < sv->nworkers; i++)
		pthread_create(&sv->workers[i], NULL, serve_worker_main, sv);
	if (pthread_create(&sv->scheduler, NULL, serve_scheduler_main, sv) == 0)
		sv->scheduler_started = true;
	sv->beat_started = pthread_create(&sv->beat, NULL, serve_beat_main, sv) == 0;
	{
		char port[16], workers[16];
		snprintf(port, sizeof(port), "%d", http_server_port(sv->http));
		snprintf(workers, sizeof(workers), "%d", sv->nworkers);
		if (sv->ops_http) {
			char ops_port[16];
			snprintf(ops_port, sizeof(ops_port), "%d", http_server_port(sv->ops_http));
			log_info("serve started", "listen", ho.listen, "port", port, "ops_listen",
				 cfg->http_ops_listen, "ops_port", ops_port, "workers", workers,
				 "owner", sv->owner);
		} else {
			log_info("serve started", "listen", ho.listen, "port", port, "workers",
				 workers, "owner", sv->owner);
		}
	}
	return MLC_OK;
}

void serve_wait(struct mlc_serve *sv)
{
	while (!serve_stopping(sv))
		time_sleep_ms(100);
	log_info("serve stopping: finishing running jobs");
	serve_notify(sv);
	for (int i = 0; i < sv->nworkers && sv->workers; i++)
		pthread_join(sv->workers[i], NULL);
	if (sv->scheduler_started)
		pthread_join(sv->scheduler, NULL);
	if (sv->beat_started) /* after the workers: it unregisters the process */
		pthread_join(sv->beat, NULL);
	/* webhooks keep being accepted into the inbox until the very end */
	http_server_free(sv->http);
	sv->http = NULL;
	http_server_free(sv->console_http);
	sv->console_http = NULL;
	console_free(sv->console);
	sv->console = NULL;
	/* health and metrics answer until the webhooks are drained */
	http_server_free(sv->ops_http);
	sv->ops_http = NULL;
	/* after the HTTP server: no handler waits on the writer any more */
	intake_release(&sv->intake);
	serve_pending_free(sv->pending);
	sv->pending = NULL;
	free(sv->workers);
	auth_pool_free(sv->pool);
	api_budget_shutdown();
	token_shared_free(sv->shared);
	vault_free(sv->vault);
	close_store(pthread_getspecific(sv->store_key));
	pthread_setspecific(sv->store_key, NULL);
	pthread_key_delete(sv->store_key);
	pthread_cond_destroy(&sv->wake);
	pthread_cond_destroy(&sv->pending_cv);
	pthread_mutex_destroy(&sv->pending_lock);
	pthread_mutex_destroy(&sv->lock);
	log_info("serve stopped");
}
