#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/mapping.h"
#include "util/banned.h"

static int find_kind(const char *name, const struct mapping_kind **k)
{
	size_t n;
	const struct mapping_kind *all = mapping_kinds(&n);

	*k = mapping_kind_find(name);
	if (*k)
		return CLI_OK;
	fprintf(stderr, "ml-connector: unknown mapping kind '%s'; kinds:", name);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", all[i].name);
	fprintf(stderr, "\n");
	return CLI_FAIL;
}

static int read_file(const char *path, struct mlc_buf *out)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char chunk[8192];
	size_t n;

	if (!f) {
		fprintf(stderr, "ml-connector: cannot read %s: %s\n", path, strerror(errno));
		return CLI_FAIL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	if (f != stdin)
		fclose(f);
	return CLI_OK;
}

static int mapping_import_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	bool replace = false, dry = false;
	const struct cli_opt opts[] = {
	    {"replace", NULL, "delete the kind's existing rows first", NULL, &replace},
	    {"dry-run", NULL, "validate only; write nothing", NULL, &dry},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "mapping import TENANT KIND FILE [--replace] [--dry-run]",
	    "Imports a mapping table from CSV (header row names the columns; '-' reads stdin).\n"
	    "Every row is checked first: one bad row writes nothing and names file:line:column.",
	    opts,
	    3,
	    3,
	};
	const char *pos[3];
	int npos, rc;
	const struct mapping_kind *k;
	struct mlc_tenant t;
	struct mlc_buf text = MLC_BUF_INIT;
	struct mlc_error err = {0};
	size_t n = 0;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = find_kind(pos[1], &k);
	if (rc == CLI_OK)
		rc = read_file(pos[2], &text);
	if (rc != CLI_OK)
		goto out;
	rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		goto out;
	rc = mapping_import(ctx->store, t.id, k, text.data, text.len, pos[2], replace, dry, &n,
			    &err);
	tenant_release(&t);
	if (rc < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	printf("%s %zu %s mapping%s for %s\n", dry ? "would import" : "imported", n, k->name,
	       n == 1 ? "" : "s", pos[0]);
	rc = CLI_OK;
out:
	buf_release(&text);
	return rc;
}

static int mapping_export_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *output = NULL;
	const struct cli_opt opts[] = {
	    {"output", "FILE", "write to FILE instead of stdout", &output, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"mapping export TENANT KIND [--output FILE]",
				      "Exports a mapping table as CSV (the import format).", opts,
				      2, 2};
	const char *pos[2];
	int npos, rc;
	const struct mapping_kind *k;
	struct mlc_tenant t;
	struct mlc_buf out = MLC_BUF_INIT;
	struct mlc_error err = {0};
	FILE *f = stdout;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = find_kind(pos[1], &k);
	if (rc == CLI_OK)
		rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	rc = mapping_export(ctx->store, t.id, k, &out, &err);
	tenant_release(&t);
	if (rc < 0) {
		buf_release(&out);
		return cli_fail(&err);
	}
	if (output)
		f = fopen(output, "w");
	if (!f) {
		fprintf(stderr, "ml-connector: cannot write %s: %s\n", output, strerror(errno));
		buf_release(&out);
		return CLI_FAIL;
	}
	fwrite(out.data, 1, out.len, f);
	if (f != stdout)
		fclose(f);
	buf_release(&out);
	return CLI_OK;
}

static int mapping_kinds_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_spec spec = {"mapping kinds", "Lists the mapping kinds and their columns.",
				      NULL, 0, 0};
	const char *pos[1];
	int npos, rc;
	size_t n;
	const struct mapping_kind *k = mapping_kinds(&n);

	MLC_UNUSED(ctx);
	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		printf("%-18s %s\n%-18s columns:", k[i].name, k[i].summary, "");
		for (const struct mapping_col *c = k[i].keys; c->name; c++)
			printf(" %s%s", c->name, c->required ? "" : "?");
		printf(" ->");
		for (const struct mapping_col *c = k[i].values; c->name; c++)
			printf(" %s%s", c->name, c->required ? "" : "?");
		printf("\n");
	}
	return CLI_OK;
}

int cmd_mapping(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"import", "import a mapping table from CSV", mapping_import_cmd},
	    {"export", "export a mapping table as CSV", mapping_export_cmd},
	    {"kinds", "list mapping kinds and columns", mapping_kinds_cmd},
	    {"check", "unmapped codes, bad accounts, new codes (exit 1 if any)", cmd_mapping_check},
	    {NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "mapping",
			    "Mapping tables: how Procore allocations land on NetSuite accounts and "
			    "dimensions.",
			    cmds, argc, argv);
}
