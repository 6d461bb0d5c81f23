#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "auth/api_budget.h"
#include "core/processes.h"
#include "util/jsonx.h"
#include "util/time.h"
#include "util/banned.h"

/* status's live processes (issue 22): a process whose heartbeat is older
 * than the job lease is dead (core/processes.h). */
int cli_status_processes(struct cli_ctx *ctx, json_t **out, struct mlc_error *err)
{
	int64_t lease_ms = (int64_t)(ctx->cfg.job_lease_s > 0 ? ctx->cfg.job_lease_s : 600) * 1000;

	return process_list_live(ctx->store, time_now_ms(), lease_ms, out, err);
}

void cli_status_print_processes(const json_t *procs)
{
	size_t i;
	json_t *p;

	printf("processes: %zu live\n", json_array_size(procs));
	json_array_foreach (procs, i, p)
		printf("  %-24s pid %-8lld started %s, %lld job(s) running%s\n",
		       jsonx_str(p, "host"),
		       (long long)json_integer_value(json_object_get(p, "pid")),
		       jsonx_str(p, "started_at"),
		       (long long)json_integer_value(json_object_get(p, "jobs_running")),
		       json_is_true(json_object_get(p, "scheduler")) ? ", schedules" : "");
}

/*
 * The API budgets (auth/api_budget.h): without `redis` each process keeps
 * its own limits; with it, Redis is asked once here.  Unreachable, every
 * serve process keeps 1/N of NetSuite's concurrency and of Procore's rate
 * limits, N the live processes (at least the configured fallback count).
 */
json_t *cli_status_budgets(struct cli_ctx *ctx, size_t live)
{
	struct api_budget_opts bo = {ctx->cfg.redis, ctx->cfg.redis_fallback_processes, 0};
	struct mlc_error err = {0};
	int64_t one = 0;
	int n = live > 0 ? (int)live : ctx->cfg.redis_fallback_processes;
	const char *state = "per process";

	if (n < 1)
		n = 1;
	if (ctx->cfg.redis && *ctx->cfg.redis) {
		state = "unreachable";
		if (api_budget_setup(&bo, &err) == MLC_OK &&
		    api_budget_eval_ints("return 1", 0, 0, NULL, &one, 1) == 1 && one == 1)
			state = "shared";
		api_budget_shutdown();
	}
	return json_pack("{s:s, s:i}", "redis", state, "fallback_share_of", n);
}

void cli_status_print_budgets(const json_t *b)
{
	const char *state = jsonx_str(b, "redis");

	if (!strcmp(state, "shared"))
		printf("api budgets: shared by every process through Redis\n");
	else if (!strcmp(state, "unreachable"))
		printf("api budgets: Redis unreachable: each process keeps 1/%lld of NetSuite's "
		       "concurrency and of Procore's rate limits\n",
		       (long long)json_integer_value(json_object_get(b, "fallback_share_of")));
	else
		printf("api budgets: per process (no redis configured)\n");
}
