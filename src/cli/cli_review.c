/*
 * ml-connector review list | show | resolve: records parked for a person
 * and the person's decisions (flows/review_resolve.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/review.h"
#include "core/vault.h"
#include "flows/review_resolve.h"
#include "flows/session.h"
#include "util/jsonx.h"
#include "util/banned.h"

static int review_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false, all = false;
	const struct cli_opt opts[] = {
	    {"all", NULL, "resolved items too", NULL, &all},
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"review list TENANT [--all] [--json]",
				      "Lists records parked for a person, with the reason.", opts,
				      1, 1};
	const char *pos[1];
	int npos, rc;
	struct mlc_tenant t;
	struct mlc_error err = {0};
	json_t *items = NULL, *r;
	size_t i;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	rc = review_list(ctx->store, t.id, all ? NULL : "open", &items, &err);
	tenant_release(&t);
	if (rc < 0)
		return cli_fail(&err);
	if (json) {
		cli_print_json(items);
		return CLI_OK;
	}
	json_array_foreach (items, i, r)
		printf("%-6lld %-16s %-30s %-9s %s\n",
		       (long long)json_integer_value(json_object_get(r, "id")),
		       jsonx_str(r, "flow"), jsonx_str(r, "source_ref"), jsonx_str(r, "state"),
		       jsonx_str(r, "reason"));
	if (!json_array_size(items))
		printf("nothing parked\n");
	json_decref(items);
	return CLI_OK;
}

/* A session on the tenant with the systems asked for (none: store only). */
static int open_session(struct cli_ctx *ctx, const char *tenant, bool ns, bool pc,
			struct mlc_vault **vault, struct mlc_session **s)
{
	struct mlc_error err = {0};
	int rc = CLI_OK;

	if (ns || pc)
		rc = cli_open_vault(ctx, vault);
	if (rc != CLI_OK)
		return rc;
	struct mlc_session_opts so = {.store = ctx->store,
				      .vault = *vault,
				      .tenant = tenant,
				      .need_netsuite = ns,
				      .need_procore = pc};
	if (session_open(&so, s, &err) < 0)
		return cli_fail(&err);
	return CLI_OK;
}

static void print_item(const json_t *it)
{
	json_t *v, *row, *f;
	size_t i, k;

	printf("item     %lld (%s, %s)\n", (long long)json_integer_value(json_object_get(it, "id")),
	       jsonx_str(it, "flow"), jsonx_str(it, "state"));
	printf("record   %s %s\n", jsonx_str(it, "entity"), jsonx_str(it, "source_ref"));
	printf("reason   %s\n", jsonx_str(it, "reason"));
	v = json_object_get(it, "decision");
	if (v)
		printf("decision %s%s%s by %s: %s (%s)\n", jsonx_str(v, "action"),
		       jsonx_str(v, "arg") ? " " : "",
		       jsonx_str(v, "arg") ? jsonx_str(v, "arg") : "", jsonx_str(v, "by"),
		       jsonx_str(v, "why"), jsonx_str(v, "state"));
	printf("actions ");
	json_array_foreach (json_object_get(it, "actions"), i, v)
		printf(" --%s", json_string_value(v));
	printf("\n");
	v = json_object_get(it, "compare");
	if (v) {
		printf("\n%-10s", "");
		json_array_foreach (json_object_get(v, "fields"), k, f)
			printf(" %-28s", json_string_value(f));
		printf("\n");
		json_array_foreach (json_object_get(v, "rows"), i, row) {
			printf("%-10s", jsonx_str(row, "id"));
			json_array_foreach (json_object_get(v, "fields"), k, f) {
				json_t *val = json_object_get(json_object_get(row, "values"),
							      json_string_value(f));
				bool differs = false;
				json_t *d;
				size_t m;
				json_array_foreach (json_object_get(row, "differs"), m, d)
					differs = differs || json_equal(d, f);
				char *txt = val && !json_is_null(val)
						? json_dumps(val, JSON_ENCODE_ANY)
						: NULL;
				printf(" %s%-27s", differs ? "*" : " ",
				       json_is_string(val) ? json_string_value(val)
				       : txt               ? txt
							   : "-");
				free(txt);
			}
			printf("\n");
		}
		printf("(* differs from the record)\n");
	}
	printf("\nblocks   %zu record(s)\n", json_array_size(json_object_get(it, "blocks")));
	json_array_foreach (json_object_get(it, "blocks"), i, v)
		printf("  %-6s %-7lld %-30s %s\n", jsonx_str(v, "kind"),
		       (long long)json_integer_value(json_object_get(v, "id")),
		       jsonx_str(v, "source_ref") ? jsonx_str(v, "source_ref") : "-",
		       jsonx_str(v, "reason"));
}

static int review_show_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false, offline = false;
	const struct cli_opt opts[] = {
	    {"offline", NULL, "do not read the candidates from Procore", NULL, &offline},
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "review show TENANT ITEM [--offline] [--json]",
	    "Shows one parked record: its reason, candidates side by side (the fields that differ\n"
	    "marked), the records it blocks and the actions `review resolve` takes for it.",
	    opts, 2, 2};
	const char *pos[2];
	int npos, rc;
	int64_t id;
	struct mlc_tenant t;
	struct mlc_error err = {0};
	struct mlc_vault *vault = NULL;
	struct mlc_session *s = NULL;
	json_t *item = NULL;
	bool cands;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_parse_id("ITEM", pos[1], &id);
	if (rc == CLI_OK)
		rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	rc = review_get(ctx->store, t.id, id, &item, &err);
	tenant_release(&t);
	if (rc < 0)
		return cli_fail(&err);
	cands = json_array_size(json_object_get(item, "candidates")) && !offline;
	json_decref(item);
	item = NULL;
	rc = open_session(ctx, pos[0], false, cands, &vault, &s);
	if (rc == CLI_OK && review_show(s, id, &item, &err) < 0)
		rc = cli_fail(&err);
	if (rc == CLI_OK && json) {
		cli_print_json(item);
		item = NULL;
	} else if (rc == CLI_OK) {
		print_item(item);
	}
	json_decref(item);
	session_free(s);
	vault_free(vault);
	return rc;
}

static int review_resolve_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *link = NULL, *post_in = NULL, *map = NULL, *take = NULL, *by = NULL,
		   *why = NULL;
	bool create = false, ignore = false, drop = false, post = false, json = false, back = false;
	const struct cli_opt opts[] = {
	    {"link", "ID", "vendor: link to this vendor (Procore's; NetSuite's for vendors-back)",
	     &link, NULL},
	    {"create", NULL, "vendor: create it on the other side", NULL, &create},
	    {"ignore", NULL, "leave the record alone from now on", NULL, &ignore},
	    {"post-in", "PERIOD", "closed-period edit: post in this open period", &post_in, NULL},
	    {"post", NULL, "closed-period edit: post in the first open period", NULL, &post},
	    {"drop", NULL, "costs: never post this edit", NULL, &drop},
	    {"map", "ACCOUNT", "unmapped cost code: map it to this account and post", &map, NULL},
	    {"take", "SIDE", "budget or cost-code conflict, one-sided cost code: netsuite|procore",
	     &take, NULL},
	    {"by", "NAME", "who decides (required)", &by, NULL},
	    {"why", "TEXT", "why (required)", &why, NULL},
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "review resolve TENANT ITEM (--link ID | --create | --ignore | --post-in PERIOD | "
	    "--post | --drop | --map ACCOUNT | --take netsuite|procore) --by NAME --why TEXT "
	    "[--json]",
	    "Decides a parked record; the decision is audited with who and why, and the next run\n"
	    "of its flow applies it (--map posts at once).  `review show` lists the actions an\n"
	    "item takes.",
	    opts, 2, 2};
	const char *pos[2];
	int npos, rc, n;
	int64_t id;
	struct mlc_error err = {0};
	struct mlc_vault *vault = NULL;
	struct mlc_session *s = NULL;
	struct review_action a = {0};
	struct mlc_tenant t;
	json_t *out = NULL;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_parse_id("ITEM", pos[1], &id);
	if (rc != CLI_OK)
		return rc;
	n = !!link + create + ignore + !!post_in + post + drop + !!map + !!take;
	if (n != 1 || !by || !*by || !why || !*why) {
		fprintf(stderr, "ml-connector review resolve: give one action, --by and --why\n");
		return CLI_USAGE;
	}
	a = (struct review_action){.by = by, .why = why};
	a.action = link     ? "link"
		   : create ? "create"
		   : ignore ? "ignore"
		   : drop   ? "drop"
		   : map    ? "map"
		   : take   ? "take"
			    : "post-in";
	a.arg = link ? link : map ? map : take ? take : post_in;
	rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	/* a vendors-back item's link names a NetSuite vendor */
	if (link && review_get(ctx->store, t.id, id, &out, &err) == MLC_OK &&
	    !strcmp(jsonx_str(out, "flow"), "vendors-back"))
		back = true;
	json_decref(out);
	out = NULL;
	tenant_release(&t);
	rc = open_session(ctx, pos[0], post_in || map || back, (link && !back) || map, &vault, &s);
	if (rc == CLI_OK && review_resolve_item(s, id, &a, &out, &err) < 0)
		rc = cli_fail(&err);
	if (rc == CLI_OK && json) {
		cli_print_json(out);
		out = NULL;
	} else if (rc == CLI_OK) {
		printf("item %lld: %s%s%s by %s\n", (long long)id, a.action, a.arg ? " " : "",
		       a.arg ? a.arg : "", by);
	}
	json_decref(out);
	session_free(s);
	vault_free(vault);
	return rc;
}

int cmd_review(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"list", "records parked for a person", review_list_cmd},
	    {"show", "one parked record with its candidates and what it blocks", review_show_cmd},
	    {"resolve", "decide a parked record (audited with who and why)", review_resolve_cmd},
	    {NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "review", "Records parked for a person, and their decisions.",
			    cmds, argc, argv);
}
