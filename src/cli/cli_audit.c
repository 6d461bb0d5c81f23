#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/inbox.h"
#include "core/jobs.h"
#include "core/run_owner.h"
#include "core/review.h"
#include "flows/flow.h"
#include "flows/replay.h"
#include "util/jsonx.h"
#include "util/num.h"
#include "util/time.h"
#include "util/banned.h"

/* "failed" reads better on a command line than the stored "error". */
static const char *result_of(const char *status)
{
	if (!status)
		return NULL;
	if (!strcmp(status, "failed"))
		return "error";
	return status;
}

static void print_rows(const json_t *rows)
{
	size_t i;
	json_t *r;

	printf("%-7s %-24s %-14s %-8s %-8s %-34s %s\n", "ID", "WHEN", "FLOW", "ACTION", "RESULT",
	       "SOURCE", "TARGET / ERROR");
	json_array_foreach (rows, i, r)
		printf("%-7lld %-24s %-14s %-8s %-8s %-34s %s\n",
		       (long long)json_integer_value(json_object_get(r, "id")),
		       jsonx_str(r, "created_at"), jsonx_str(r, "flow"), jsonx_str(r, "action"),
		       jsonx_str(r, "result"),
		       jsonx_str(r, "source_ref") ? jsonx_str(r, "source_ref") : "-",
		       jsonx_str(r, "error")        ? jsonx_str(r, "error")
		       : jsonx_str(r, "target_ref") ? jsonx_str(r, "target_ref")
						    : "");
}

static int parse_since(const char *since, int64_t *ms)
{
	struct mlc_error err = {0};
	*ms = 0;
	if (since && time_parse_rfc3339(since, ms, &err) < 0) {
		fprintf(stderr, "ml-connector: --since: %s\n", err.msg);
		return CLI_USAGE;
	}
	return CLI_OK;
}

static int audit_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *flow = NULL, *status = NULL, *since = NULL, *limit = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
	    {"flow", "FLOW", "one flow", &flow, NULL},
	    {"status", "STATUS", "ok, failed or parked", &status, NULL},
	    {"since", "TIME", "RFC 3339 time or date", &since, NULL},
	    {"limit", "N", "at most N rows (default 100)", &limit, NULL},
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "audit list TENANT [--flow F] [--status ok|failed|parked] [--since T] [--limit N] "
	    "[--json]",
	    "Lists record movements, newest first.",
	    opts,
	    1,
	    1,
	};
	const char *pos[1];
	int npos, rc, n = 100;
	struct mlc_tenant t;
	struct mlc_audit_filter f = {0};
	struct mlc_error err = {0};
	json_t *rows = NULL;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = parse_since(since, &f.since_ms);
	if (rc != CLI_OK)
		return rc;
	if (limit && num_parse_int(limit, 1, 100000, &n, &err) < 0) {
		fprintf(stderr, "ml-connector: --limit: %s\n", err.msg);
		return CLI_USAGE;
	}
	rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	f.flow = flow;
	f.result = result_of(status);
	f.limit = n;
	rc = audit_query(ctx->store, t.id, &f, &rows, &err);
	tenant_release(&t);
	if (rc < 0)
		return cli_fail(&err);
	if (json)
		cli_print_json(rows);
	else {
		print_rows(rows);
		json_decref(rows);
	}
	return CLI_OK;
}

static int audit_show_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_spec spec = {"audit show ID", "Shows one audit row in full (JSON).", NULL,
				      1, 1};
	const char *pos[1];
	int npos, rc;
	int64_t id;
	json_t *row = NULL;
	struct mlc_error err = {0};

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (cli_parse_id("ID", pos[0], &id) != CLI_OK)
		return CLI_FAIL;
	rc = cli_open_store(ctx);
	if (rc != CLI_OK)
		return rc;
	if (audit_get(ctx->store, id, &row, &err) < 0)
		return cli_fail(&err);
	cli_print_json(row);
	return CLI_OK;
}

int cmd_audit(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"list", "list record movements", audit_list_cmd},
	    {"show", "show one record movement", audit_show_cmd},
	    {NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "audit", "The audit trail: every record movement.", cmds, argc,
			    argv);
}

struct replay_cli {
	struct cli_ctx *ctx;
	struct mlc_vault *vault;
	const char *tenant;
};

static int replay_open(void *arg, const struct flow_def *fd, struct mlc_session **s,
		       struct mlc_error *err)
{
	struct replay_cli *x = arg;
	struct mlc_session_opts so = {.store = x->ctx->store,
				      .vault = x->vault,
				      .tenant = x->tenant,
				      .need_netsuite = fd->need_netsuite,
				      .need_procore = fd->need_procore};
	return session_open(&so, s, err);
}

/* Each record's new outcome; a failed flow's error once, on stderr. */
static void print_outcomes(const json_t *outcomes)
{
	const char *last = "";
	json_t *o;
	size_t i;

	json_array_foreach (outcomes, i, o) {
		const char *flow = jsonx_str(o, "flow"), *src = jsonx_str(o, "source_ref");
		if (jsonx_str(o, "error") && strcmp(flow, last))
			fprintf(stderr, "ml-connector: %s: %s\n", flow, jsonx_str(o, "error"));
		last = flow;
		printf("%-8lld %-14s %-34s -> %s\n",
		       (long long)json_integer_value(json_object_get(o, "id")), flow,
		       src ? src : "-", jsonx_str(o, "outcome"));
	}
}

/*
 * replay: the flows of the chosen rows run again, reading everything
 * (--full): what is unchanged is skipped, what failed is written again,
 * idempotently (origin ids, externalIds), as flows/replay.h does it for the
 * console too.  Each chosen record's new outcome is reported from the run's plan.
 */
int cmd_replay(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *since = NULL;
	bool failed = false;
	const struct cli_opt opts[] = {
	    {"failed", NULL, "every failed record (with --since, only recent ones)", NULL, &failed},
	    {"since", "TIME", "with --failed: failures at or after TIME", &since, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "replay TENANT (ID... | --failed [--since T])",
	    "Re-executes failed or chosen records idempotently and records the outcome as a new\n"
	    "attempt.  Exit 0 when every chosen record now succeeded or was parked.",
	    opts,
	    1,
	    64,
	};
	const char *pos[64];
	int npos, rc;
	struct mlc_tenant t;
	struct mlc_error err = {0};
	struct mlc_audit_filter f = {0};
	json_t *rows = json_array(), *outcomes = NULL, *r;
	struct mlc_vault *vault = NULL;
	struct replay_cli x;
	size_t still = 0;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = parse_since(since, &f.since_ms);
	if (rc != CLI_OK)
		goto out;
	if ((npos > 1) == failed) {
		fprintf(stderr, "ml-connector replay: give audit ids or --failed\n");
		rc = CLI_USAGE;
		goto out;
	}
	rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		goto out;
	if (failed) {
		f.result = "error";
		f.limit = 100000;
		json_decref(rows);
		if (audit_query(ctx->store, t.id, &f, &rows, &err) < 0) {
			rows = json_array();
			tenant_release(&t);
			rc = cli_fail(&err);
			goto out;
		}
	} else {
		for (int k = 1; k < npos; k++) {
			int64_t id;
			if (cli_parse_id("ID", pos[k], &id) != CLI_OK ||
			    audit_get(ctx->store, id, &r, &err) < 0 ||
			    json_integer_value(json_object_get(r, "tenant_id")) != t.id) {
				if (err.msg[0])
					fprintf(stderr, "ml-connector: %s\n", err.msg);
				else
					fprintf(stderr, "ml-connector: audit row %s is not %s's\n",
						pos[k], t.name);
				tenant_release(&t);
				rc = CLI_FAIL;
				goto out;
			}
			json_array_append_new(rows, r);
		}
	}
	if (!json_array_size(rows)) {
		printf("nothing to replay\n");
		tenant_release(&t);
		rc = CLI_OK;
		goto out;
	}
	rc = cli_open_vault(ctx, &vault);
	if (rc != CLI_OK) {
		tenant_release(&t);
		goto out;
	}
	x = (struct replay_cli){ctx, vault, t.name};
	outcomes = replay_records(rows, replay_open, &x, &still);
	print_outcomes(outcomes);
	tenant_release(&t);
	rc = still ? CLI_FAIL : CLI_OK;
out:
	vault_free(vault);
	json_decref(rows);
	json_decref(outcomes);
	return rc;
}

int cmd_runs(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"runs list TENANT [--json]", "Lists flow runs, newest first.",
				      opts, 2, 2};
	const char *pos[2];
	int npos, rc;
	struct mlc_tenant t;
	struct mlc_error err = {0};
	json_t *runs = NULL, *r;
	size_t i;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (strcmp(pos[0], "list")) {
		fprintf(stderr, "ml-connector runs: unknown command '%s'\n", pos[0]);
		return CLI_USAGE;
	}
	rc = cli_get_tenant(ctx, pos[1], &t);
	if (rc != CLI_OK)
		return rc;
	rc = run_list(ctx->store, t.id, 100, &runs, &err);
	tenant_release(&t);
	if (rc < 0)
		return cli_fail(&err);
	if (json) {
		cli_print_json(runs);
		return CLI_OK;
	}
	printf("%-6s %-16s %-9s %-8s %-24s %s\n", "RUN", "FLOW", "TRIGGER", "STATUS", "STARTED",
	       "CREATED/UPDATED/PARKED/FAILED");
	json_array_foreach (runs, i, r) {
		json_t *st = json_object_get(r, "stats");
		printf("%-6lld %-16s %-9s %-8s %-24s %lld/%lld/%lld/%lld\n",
		       (long long)json_integer_value(json_object_get(r, "id")),
		       jsonx_str(r, "flow"), jsonx_str(r, "trigger"), jsonx_str(r, "status"),
		       jsonx_str(r, "started_at"),
		       (long long)json_integer_value(json_object_get(st, "created")),
		       (long long)json_integer_value(json_object_get(st, "updated")),
		       (long long)json_integer_value(json_object_get(st, "parked")),
		       (long long)json_integer_value(json_object_get(st, "failed")));
	}
	json_decref(runs);
	return CLI_OK;
}

/* status: per tenant, the last run of each flow, its age, the queue. */
int cmd_status(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"status [--json]",
				      "Per tenant: last run per flow, lag, queue depth, parked and "
				      "failed counts, unusable webhook events.",
				      opts, 0, 0};
	const char *pos[1];
	int npos, rc;
	struct mlc_tenant *list = NULL;
	size_t n = 0;
	struct mlc_error err = {0};
	json_t *out = json_array(), *procs = NULL, *budgets = NULL;
	int64_t queued = 0, running = 0, dead = 0, abandoned = 0, now = time_now_ms();

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_open_store(ctx);
	if (rc != CLI_OK) {
		json_decref(out);
		return rc;
	}
	/* runs whose process died are marked abandoned (core/run_owner.h) */
	if (run_reap(ctx->store, RUN_STALE_MS, &abandoned, &err) < 0 ||
	    tenant_list(ctx->store, &list, &n, &err) < 0 ||
	    job_count(ctx->store, "queued", &queued, &err) < 0 ||
	    job_count(ctx->store, "running", &running, &err) < 0 ||
	    job_count(ctx->store, "dead", &dead, &err) < 0 ||
	    cli_status_processes(ctx, &procs, &err) < 0) {
		json_decref(out);
		tenant_list_free(list, n);
		return cli_fail(&err);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *runs = NULL, *items = NULL, *flows = json_object(), *r;
		size_t k;
		int64_t failed = 0;
		if (run_list(ctx->store, list[i].id, 500, &runs, &err) < 0 ||
		    review_list(ctx->store, list[i].id, "open", &items, &err) < 0) {
			json_decref(runs);
			json_decref(flows);
			continue;
		}
		json_array_foreach (runs, k, r) {
			const char *f = jsonx_str(r, "flow");
			if (!json_object_get(flows, f)) {
				int64_t at = 0;
				if (time_parse_rfc3339(jsonx_str(r, "finished_at")
							   ? jsonx_str(r, "finished_at")
							   : jsonx_str(r, "started_at"),
						       &at, NULL) < 0)
					at = now;
				json_object_set_new(flows, f,
						    json_pack("{s:s, s:s, s:I}", "status",
							      jsonx_str(r, "status"), "at",
							      jsonx_str(r, "started_at"), "age_s",
							      (json_int_t)((now - at) / 1000)));
				if (strcmp(jsonx_str(r, "status"), "ok"))
					failed++;
			}
		}
		{
			/* webhook events stored but unusable (answered 2xx: this is
			 * where a person finds them) */
			int64_t nunusable = 0, last_at = 0;
			char *last = NULL, at[MLC_TIME_FMT_MAX] = "";
			if (inbox_unusable_summary(ctx->store, list[i].id, &nunusable, &last,
						   &last_at, &err) < 0)
				nunusable = 0;
			if (last_at)
				time_format_rfc3339(last_at, at);
			json_array_append_new(
			    out, json_pack("{s:s, s:o, s:I, s:I, s:{s:I, s:o, s:o}}", "tenant",
					   list[i].name, "flows", flows, "parked",
					   (json_int_t)json_array_size(items), "failing_flows",
					   (json_int_t)failed, "webhooks_unusable", "count",
					   (json_int_t)nunusable, "last_reason",
					   last ? json_string(last) : json_null(), "last_at",
					   last_at ? json_string(at) : json_null()));
			free(last);
		}
		json_decref(runs);
		json_decref(items);
	}
	tenant_list_free(list, n);
	budgets = cli_status_budgets(ctx, json_array_size(procs));
	if (json) {
		cli_print_json(json_pack("{s:o, s:{s:I, s:I, s:I}, s:o, s:o}", "tenants", out,
					 "queue", "queued", (json_int_t)queued, "running",
					 (json_int_t)running, "dead", (json_int_t)dead, "processes",
					 procs, "api_budgets", budgets));
		return CLI_OK;
	}
	size_t i;
	json_t *tj;
	printf("queue: %lld queued, %lld running, %lld dead\n", (long long)queued,
	       (long long)running, (long long)dead);
	cli_status_print_processes(procs);
	cli_status_print_budgets(budgets);
	json_decref(procs);
	json_decref(budgets);
	if (abandoned)
		printf("runs: %lld marked abandoned (their process is gone)\n",
		       (long long)abandoned);
	json_array_foreach (out, i, tj) {
		const char *f;
		json_t *v;
		json_t *wu = json_object_get(tj, "webhooks_unusable");
		printf("%s: %lld parked\n", jsonx_str(tj, "tenant"),
		       (long long)json_integer_value(json_object_get(tj, "parked")));
		if (json_integer_value(json_object_get(wu, "count")))
			printf("  webhooks: %lld unusable event(s), last at %s: %s\n",
			       (long long)json_integer_value(json_object_get(wu, "count")),
			       jsonx_str(wu, "last_at"), jsonx_str(wu, "last_reason"));
		json_object_foreach (json_object_get(tj, "flows"), f, v)
			printf("  %-16s last run %-7s %s (%lld s ago)\n", f, jsonx_str(v, "status"),
			       jsonx_str(v, "at"),
			       (long long)json_integer_value(json_object_get(v, "age_s")));
	}
	json_decref(out);
	return CLI_OK;
}
