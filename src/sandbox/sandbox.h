#ifndef MLC_SANDBOX_H
#define MLC_SANDBOX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "net/http_server.h"
#include "sandbox/sandbox_busy.h"
#include "sandbox/sim_clock.h"
#include "sandbox/sandbox_misfits.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * mlc-sandbox (`ml-connector sandbox` execs it): faithful simulators of
 * NetSuite (nssim_*.c) and Procore (pcsim_*.c) in one process, each on its own port, sharing the
 * controls below (sandbox.c, sandbox_faults.c).  Not part of the real
 * APIs: everything under /_sandbox/ on each port.
 *
 * Ownership: the sandbox owns both simulators and their HTTP servers.
 *
 * Admin API shared by both ports (sandbox_faults.c):
 *   GET  /_sandbox/stats         {"calls":{"<METHOD> <path template>":n},
 *                                 "status":{"<code>":n},"max_concurrency":n,
 *                                 "token_requests":n,"rejected_429":n}
 *                                (status "0": connection dropped by a fault)
 *   POST /_sandbox/reset-stats   (also resets /_sandbox/busy)
 *   GET  /_sandbox/busy          the pool's time-weighted busy figure
 *                                (sandbox_busy.h)
 *   POST /_sandbox/time/advance  ?seconds=N or {"seconds":N}; GET /_sandbox/time
 *   POST /_sandbox/faults        {"faults":SPEC,"latency_ms":N,"jitter_ms":N}
 *                                replaces this simulator's faults at run time
 * NetSuite only (nssim_admin.c): /_sandbox/netsuite/state, /dump/{table},
 * /periods/{id}/close|open, /records/{type}[/{id}] (POST/PATCH as a user).
 *
 * Faults (struct sbx_faults) apply to API paths only (sbx_sim.api_prefix),
 * never to /_sandbox/.
 * A "timeout" holds the request MLC_SANDBOX_TIMEOUT_MS (default 30000)
 * before dropping it.
 */

struct mlc_sandbox_opts {
	const char *netsuite_listen; /* default "127.0.0.1:8701" */
	const char *procore_listen;  /* default "127.0.0.1:8702" */
	const char *data_dir;        /* NULL: a fresh temporary directory */
	uint64_t seed;               /* default 1 */
	int scale;                   /* default 1 */
	int latency_ms, latency_jitter_ms;
	const char *faults;      /* "ns:5xx=0.05,pc:throttle=0.1,..." */
	int ns_token_ttl;        /* --token-ttl for NetSuite, default 3600 */
	int pc_token_ttl;        /* default 5400 */
	int ns_concurrency;      /* default 5 */
	const char *push_url;    /* NetSuite event pushes, NULL: none */
	const char *push_secret; /* header value sent with pushes */
	const char *pc_rate;     /* "3600/h,25/10s" */
	const char *ns_segment;  /* cost-code segment script id; "none": the
				  * account has none; NULL: the default
				  * (process-wide, see nsdb_segment_set()) */
	const char *misfits;     /* "ns:deny=vendor,pc:deny=budget,..."
				  * (sandbox_misfits.h); NetSuite's are
				  * process-wide, see nsdb_misfits_set() */
};

/* Fault probabilities for one simulator, parsed from the "ns:" or "pc:"
 * part of --faults.  Each is in [0,1]. */
struct sbx_faults {
	double err5xx;    /* answer 500/502/503 instead of handling */
	double timeout;   /* hold the request past client timeouts, then drop */
	double reset;     /* drop the connection without handling */
	double lost;      /* handle (commit the write), then drop the connection */
	double push_drop; /* NetSuite: an event push is not sent */
	double throttle;  /* Procore: 503 + Retry-After */
	double dup;       /* Procore: webhook delivered twice / out of order */
	double reject;    /* a write (not GET) refused with 400: a permanent error */
	double rate429;   /* "429": the API's rate-limit answer, in its shape:
			   * NetSuite the concurrency-limit 429 (sbx_sim.over_limit,
			   * no Retry-After), Procore 429 with X-Rate-Limit-* (reset
			   * 1-3 s ahead on the sandbox clock) and, half the time,
			   * Retry-After (docs/reference/netsuite.md, procore.md).
			   * Token requests are spared. */
};

/*
 * Per-simulator controls and counters, shared by its handlers.  All
 * functions are thread-safe.
 */
struct sbx_sim {
	const char *name; /* "netsuite" | "procore" */
	struct mlc_sandbox *sandbox;
	struct sbx_faults faults;
	pthread_mutex_t lock;
	uint64_t rng;   /* deterministic by --seed */
	json_t *calls;  /* {"METHOD route": n} */
	json_t *status; /* {"code": n} */
	/* {"METHOD route": {"code": n}}: what each route answered, faults included
	 * (0: connection dropped); the audit's attempts are checked against it */
	json_t *calls_status;
	int in_flight, max_concurrency;
	struct sbx_busy busy; /* GET /_sandbox/busy (sandbox_busy.h) */
	int64_t token_requests, rejected_429;
	struct mlc_http_server *http;
	/* Added: governance.  When limit_in_flight > 0, API requests (not
	 * /_sandbox/) beyond that many in flight are answered by over_limit
	 * (the simulator's 429 shape) and counted in rejected_429. */
	int limit_in_flight;
	void (*over_limit)(struct mlc_http_response *resp);
	/* Added: paths under this prefix get faults and limits ("/services/"). */
	const char *api_prefix;
	/* Added: "METHOD pattern" of routes registered with sbx_route(), so a
	 * request answered before routing (429, faults) is still counted
	 * under its path template. */
	char **routes;
	size_t nroutes;
};

struct mlc_sandbox {
	struct mlc_sandbox_opts opts;
	char *data_dir;         /* absolute, created */
	struct sbx_clock clock; /* time travel (sim_clock.h) */
	pthread_mutex_t lock;
	struct sbx_sim ns, pc;
	struct nssim *nssim;
	struct pcsim *pcsim;
	struct sbx_misfits misfits; /* parsed opts.misfits */
};

/* Parses a --faults spec into both simulators' fault sets. */
int sandbox_faults_parse(const char *spec, struct sbx_faults *ns, struct sbx_faults *pc,
			 struct mlc_error *err) MLC_MUST_CHECK;
/* Deterministic uniform draw in [0,1) from the simulator's generator. */
double sbx_random(struct sbx_sim *sim);
/* sbx_clock_now() / sbx_clock_advance() on sb's clock, for callers
 * outside the simulators (tests); sb NULL: the wall clock.  The
 * simulators call the clock leaf (sim_clock.h) directly. */
int64_t sandbox_now_ms(struct mlc_sandbox *sb);
void sandbox_advance(struct mlc_sandbox *sb, int64_t ms);
/*
 * Installs the shared hooks (latency, faults, counters, the
 * /_sandbox/stats and /_sandbox/reset-stats routes, time travel) on a
 * simulator's server.  Simulator-specific controls add their own
 * /_sandbox/ routes.
 */
int sbx_sim_install(struct sbx_sim *sim, struct mlc_http_server *http,
		    struct mlc_error *err) MLC_MUST_CHECK;
/* http_server_route() on sim->http that also remembers the pattern for
 * the counters (see struct sbx_sim.routes). */
int sbx_route(struct sbx_sim *sim, const char *method, const char *pattern, mlc_http_handler fn,
	      void *arg) MLC_MUST_CHECK;
/* Counts a token request / a 429 served. */
void sbx_count_token(struct sbx_sim *sim);
void sbx_count_429(struct sbx_sim *sim);

/* Starts everything (seeds state, writes credentials.json and seed.json,
 * listens).  Caller frees with sandbox_free(). */
int sandbox_start(const struct mlc_sandbox_opts *opts, struct mlc_sandbox **out,
		  struct mlc_error *err) MLC_MUST_CHECK;
void sandbox_free(struct mlc_sandbox *sb);

/* The two simulators.  Each registers its routes on http, seeds its state
 * under sb->data_dir, and adds its part of credentials.json / seed.json
 * to the given objects. */
struct nssim;
struct pcsim;
int nssim_new(struct mlc_sandbox *sb, struct mlc_http_server *http, json_t *credentials,
	      json_t *seed, struct nssim **out, struct mlc_error *err) MLC_MUST_CHECK;
void nssim_free(struct nssim *ns);
int pcsim_new(struct mlc_sandbox *sb, struct mlc_http_server *http, json_t *credentials,
	      json_t *seed, struct pcsim **out, struct mlc_error *err) MLC_MUST_CHECK;
void pcsim_free(struct pcsim *pc);

#endif
