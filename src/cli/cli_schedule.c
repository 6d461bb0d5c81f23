#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "flows/flow.h"
#include "server/serve.h"
#include "util/cron.h"
#include "util/jsonx.h"
#include "util/time.h"
#include "util/banned.h"

/* Validates a schedule: an interval ("15m") or a cron expression. */
static int check(const char *when, struct mlc_error *err)
{
	struct mlc_cron c;
	int64_t ms;

	if (strchr(when, ' ') || when[0] == '@')
		return cron_parse(when, &c, err);
	return schedule_parse(when, &ms, err);
}

static int schedule_set(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_spec spec = {
	    "schedule set TENANT FLOW \"CRON\"|EVERY",
	    "Runs FLOW for TENANT on a five-field cron expression (\"*/10 6-20 * * 1-5\",\n"
	    "@hourly, @daily ...) in the tenant's time zone (tenant set --timezone), or every\n"
	    "EVERY (30s, 15m, 2h, 1d).  serve never starts a flow while its last run goes on.",
	    NULL,
	    3,
	    3,
	};
	const char *pos[3];
	int npos, rc;
	struct mlc_tenant t;
	struct mlc_error err = {0};
	json_t *sched;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (!flow_find(pos[1])) {
		fprintf(stderr, "ml-connector schedule: unknown flow '%s'\n", pos[1]);
		return CLI_FAIL;
	}
	if (check(pos[2], &err) < 0)
		return cli_fail(&err);
	rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	sched = json_object_get(t.settings, "schedules");
	if (!json_is_object(sched)) {
		sched = json_object();
		json_object_set_new(t.settings, "schedules", sched);
	}
	json_object_set_new(sched, pos[1], json_string(pos[2]));
	rc = tenant_set_settings(ctx->store, t.id, t.settings, &err) < 0 ? cli_fail(&err) : CLI_OK;
	tenant_release(&t);
	if (rc == CLI_OK)
		printf("%s %s: %s\n", pos[0], pos[1], pos[2]);
	return rc;
}

static int schedule_remove(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_spec spec = {"schedule remove TENANT FLOW",
				      "Stops polling FLOW on a schedule.", NULL, 2, 2};
	const char *pos[2];
	int npos, rc;
	struct mlc_tenant t;
	struct mlc_error err = {0};

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	if (json_object_del(json_object_get(t.settings, "schedules"), pos[1]) < 0) {
		fprintf(stderr, "ml-connector: %s has no schedule for %s\n", pos[0], pos[1]);
		tenant_release(&t);
		return CLI_FAIL;
	}
	rc = tenant_set_settings(ctx->store, t.id, t.settings, &err) < 0 ? cli_fail(&err) : CLI_OK;
	tenant_release(&t);
	return rc;
}

static int schedule_list(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"schedule list TENANT [--json]",
				      "Lists a tenant's schedules with their next run.", opts, 1,
				      1};
	const char *pos[1];
	int npos, rc;
	struct mlc_tenant t;
	json_t *sched, *v, *out = json_array();
	const char *flow, *zone;
	struct mlc_tz tz;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK) {
		json_decref(out);
		return rc;
	}
	zone = jsonx_str(t.settings, "timezone");
	if (tz_load(zone, &tz, NULL) < 0)
		memset(&tz, 0, sizeof(tz));
	sched = json_object_get(t.settings, "schedules");
	json_object_foreach (sched, flow, v) {
		struct mlc_cron c;
		char next[MLC_TIME_FMT_MAX] = "at start, then every interval";
		const char *when = json_string_value(v);
		if (when && (strchr(when, ' ') || when[0] == '@') &&
		    cron_parse(when, &c, NULL) == 0) {
			int64_t n = cron_next(&c, &tz, time_now_ms() / 1000);
			if (n > 0)
				time_format_rfc3339(n * 1000, next);
		}
		json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "flow", flow, "schedule",
						     when ? when : "", "next", next));
	}
	tz_release(&tz);
	if (json) {
		cli_print_json(
		    json_pack("{s:s, s:o}", "timezone", zone ? zone : "UTC", "schedules", out));
	} else {
		size_t i;
		printf("time zone %s\n", zone ? zone : "UTC");
		json_array_foreach (out, i, v)
			printf("  %-16s %-22s next %s\n", jsonx_str(v, "flow"),
			       jsonx_str(v, "schedule"), jsonx_str(v, "next"));
		json_decref(out);
	}
	tenant_release(&t);
	return CLI_OK;
}

int cmd_schedule(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"set", "run a flow on a cron expression or an interval", schedule_set},
	    {"remove", "stop a flow's schedule", schedule_remove},
	    {"list", "list schedules and their next runs", schedule_list},
	    {NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "schedule", "Per-tenant schedules (polling).", cmds, argc, argv);
}
