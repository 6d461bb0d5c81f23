#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/cli.h"
#include "server/serve.h"
#include "util/log.h"
#include "util/num.h"
#include "util/banned.h"

static struct mlc_serve *running;
static volatile sig_atomic_t reload_wanted;

static void on_stop(int sig)
{
	(void)sig;
	if (running)
		serve_stop(running);
}

static void on_hup(int sig)
{
	(void)sig;
	reload_wanted = 1;
}

/*
 * serve holds the master key and every tenant's credentials in memory: no
 * core file (RLIMIT_CORE 0), and not dumpable, which also keeps other
 * processes of the same user from ptrace and from /proc/PID/mem.
 */
static int no_core_dumps(void)
{
	const struct rlimit none = {0, 0};

	if (setrlimit(RLIMIT_CORE, &none) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		fprintf(stderr, "ml-connector serve: cannot disable core dumps: %s\n",
			strerror(errno));
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *listen = NULL, *workers = NULL;
	const struct cli_opt opts[] = {
	    {"listen", "ADDR:PORT", "listen address (default: http.listen)", &listen, NULL},
	    {"workers", "N", "worker threads (default: workers)", &workers, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "serve [--listen ADDR:PORT] [--workers N]",
	    "Runs the daemon: webhooks, health and metrics over HTTP, each tenant's flows on\n"
	    "its schedule, and workers that take jobs from the queue.  SIGTERM/SIGINT stop it\n"
	    "after running jobs finish; SIGHUP reloads the config file (log settings, audit\n"
	    "retention and the job lease take effect at once).",
	    opts,
	    0,
	    0,
	};
	const char *pos[1];
	int npos, rc, nworkers = 0;
	struct mlc_serve sv;
	struct mlc_error err = {0};
	struct sigaction sa;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (workers && num_parse_int(workers, 1, 256, &nworkers, &err) < 0) {
		fprintf(stderr, "ml-connector serve: --workers: %s\n", err.msg);
		return CLI_USAGE;
	}
	rc = no_core_dumps();
	if (rc == CLI_OK)
		rc = cli_load_config(ctx);
	if (rc != CLI_OK)
		return rc;
	struct mlc_serve_opts so = {listen, nworkers};
	if (serve_start(&sv, &ctx->cfg, &so, &err) < 0) {
		fprintf(stderr, "ml-connector serve: %s\n", err.msg);
		return CLI_FAIL;
	}
	running = &sv;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* serve_wait polls the stop flag; reloads happen on this thread */
	while (!serve_stopping(&sv)) {
		if (reload_wanted) {
			struct mlc_config fresh;
			reload_wanted = 0;
			if (config_load(&fresh, ctx->config_path, &err) < 0) {
				log_error("reload failed; keeping the running configuration",
					  "error", err.msg);
			} else {
				/* what can change under a running process: logging,
				 * retention, the lease; the store, listen address and
				 * workers need a restart */
				log_setup(fresh.log_level, fresh.log_format, stderr);
				ctx->cfg.log_level = fresh.log_level;
				ctx->cfg.log_format = fresh.log_format;
				__atomic_store_n(&ctx->cfg.audit_retention_days,
						 fresh.audit_retention_days, __ATOMIC_RELAXED);
				__atomic_store_n(&sv.lease_ms, (int64_t)fresh.job_lease_s * 1000,
						 __ATOMIC_RELAXED);
				if (strcmp(fresh.store, ctx->cfg.store) ||
				    strcmp(fresh.http_listen, ctx->cfg.http_listen) ||
				    strcmp(fresh.http_ops_listen, ctx->cfg.http_ops_listen) ||
				    fresh.workers != ctx->cfg.workers)
					log_warn(
					    "configuration reloaded; store, http.listen, "
					    "http.ops_listen and workers change only on restart");
				else
					log_info("configuration reloaded");
				config_release(&fresh);
			}
		}
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	serve_wait(&sv);
	running = NULL;
	return CLI_OK;
}
