#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/store_copy.h"
#include "util/str.h"
#include "util/banned.h"

/* store migrate --from sqlite:FILE --to postgres://... */
static int store_migrate_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *from = NULL, *to = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
	    {"from", "URL", "the store to copy (sqlite:FILE)", &from, NULL},
	    {"to", "URL", "a new, empty PostgreSQL database (postgres://...)", &to, NULL},
	    {"json", NULL, "print the row counts as JSON", NULL, &json},
	    {0}};
	const struct cli_spec spec = {"store migrate --from sqlite:FILE --to postgres://...",
				      "copy an installation into a new PostgreSQL database", opts,
				      0, 0};
	struct mlc_store *src = NULL, *dst = NULL;
	struct mlc_store_copy report = {0};
	struct mlc_error err = {0};
	const char *pos[1];
	int npos = 0;
	int rc = cli_parse(&spec, argc, argv, pos, &npos);

	MLC_UNUSED(ctx);
	if (rc != CLI_OK)
		return rc;
	if (!from || !to || !str_starts_with(from, "sqlite:") ||
	    !(str_starts_with(to, "postgres://") || str_starts_with(to, "postgresql://"))) {
		fprintf(stderr, "ml-connector: store migrate needs --from sqlite:FILE and --to "
				"postgres://...\n");
		return CLI_USAGE;
	}
	if (store_open(from, &src, &err) < 0 || store_open(to, &dst, &err) < 0 ||
	    store_copy(src, dst, &report, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (json) {
		json_t *t = json_object();
		for (size_t i = 0; i < report.ntables; i++)
			json_object_set_new(t, report.tables[i].name,
					    json_integer(report.tables[i].rows));
		cli_print_json(
		    json_pack("{s:o,s:I}", "tables", t, "rows", (json_int_t)report.rows));
	} else {
		for (size_t i = 0; i < report.ntables; i++)
			printf("%-20s %lld\n", report.tables[i].name,
			       (long long)report.tables[i].rows);
		printf("copied %lld rows in %zu tables\n", (long long)report.rows, report.ntables);
	}
	rc = CLI_OK;
out:
	store_copy_release(&report);
	store_free(src);
	store_free(dst);
	return rc;
}

int cmd_store(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"migrate", "copy an installation from SQLite into a new PostgreSQL database",
	     store_migrate_cmd},
	    {0}};
	return cli_dispatch(ctx, "store", "move the store between backends", cmds, argc, argv);
}
