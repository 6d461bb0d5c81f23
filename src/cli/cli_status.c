#include <stdio.h>

#include "cli/cli.h"
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
