#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/vault.h"
#include "net/http_client.h"
#include "util/log.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *name, size_t len)
{
	for (const struct cli_opt *o = opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

void cli_print_help(const struct cli_spec *spec, FILE *out)
{
	fprintf(out, "usage: ml-connector %s\n\n%s\n", spec->usage, spec->summary);
	if (spec->opts && spec->opts->name) {
		fprintf(out, "\noptions:\n");
		for (const struct cli_opt *o = spec->opts; o->name; o++) {
			char left[64];
			snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
			fprintf(out, "  %-28s %s\n", left, o->help);
		}
	}
	fprintf(out, "  %-28s %s\n", "--help", "show this help");
}

int cli_parse(const struct cli_spec *spec, int argc, char **argv, const char **pos, int *npos)
{
	int i, n = 0, opts_done = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!opts_done && strcmp(a, "--") == 0) {
			opts_done = 1;
			continue;
		}
		if (!opts_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			cli_print_help(spec, stdout);
			return CLI_HELP_SHOWN;
		}
		if (!opts_done && a[0] == '-' && a[1] != '\0') {
			const char *name = a + (a[1] == '-' ? 2 : 1);
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct cli_opt *o =
			    a[1] == '-' ? find_opt(spec->opts, name, len) : NULL;
			if (!o) {
				fprintf(stderr,
					"ml-connector: unknown option '%s'\n"
					"usage: ml-connector %s\n",
					a, spec->usage);
				return CLI_USAGE;
			}
			if (!o->arg) {
				if (eq) {
					fprintf(stderr, "ml-connector %s: --%s takes no value\n",
						argv[0], o->name);
					return CLI_USAGE;
				}
				*o->flag = true;
				continue;
			}
			if (eq) {
				*o->value = eq + 1;
			} else if (i + 1 < argc) {
				*o->value = argv[++i];
			} else {
				fprintf(stderr, "ml-connector %s: --%s needs a value (%s)\n",
					argv[0], o->name, o->arg);
				return CLI_USAGE;
			}
			continue;
		}
		if (n >= spec->max_pos) {
			fprintf(
			    stderr,
			    "ml-connector %s: unexpected argument '%s'\nusage: ml-connector %s\n",
			    argv[0], a, spec->usage);
			return CLI_USAGE;
		}
		pos[n++] = a;
	}
	if (n < spec->min_pos) {
		fprintf(stderr, "ml-connector %s: missing argument\nusage: ml-connector %s\n",
			argv[0], spec->usage);
		return CLI_USAGE;
	}
	*npos = n;
	return CLI_OK;
}

int cli_dispatch(struct cli_ctx *ctx, const char *group, const char *summary,
		 const struct cli_command *cmds, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *out = argc < 2 ? stderr : stdout;
		fprintf(out, "usage: ml-connector %s <command> [options]\n\n%s\n\ncommands:\n",
			group, summary);
		for (const struct cli_command *c = cmds; c->name; c++)
			fprintf(out, "  %-10s %s\n", c->name, c->summary);
		fprintf(out, "\nRun 'ml-connector %s <command> --help' for its options.\n", group);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	for (const struct cli_command *c = cmds; c->name; c++) {
		if (strcmp(c->name, argv[1]) == 0) {
			int rc = c->run(ctx, argc - 1, argv + 1);
			return rc == CLI_HELP_SHOWN ? CLI_OK : rc;
		}
	}
	fprintf(stderr, "ml-connector %s: unknown command '%s'\nTry 'ml-connector %s --help'.\n",
		group, argv[1], group);
	return CLI_USAGE;
}

int cli_fail(const struct mlc_error *err)
{
	fprintf(stderr, "ml-connector: %s\n", err->msg[0] ? err->msg : error_name(err->code));
	return CLI_FAIL;
}

int cli_load_config(struct cli_ctx *ctx)
{
	struct mlc_error err = {0};
	enum mlc_log_level level;
	enum mlc_log_format format;

	if (ctx->cfg_loaded)
		return CLI_OK;
	if (config_load(&ctx->cfg, ctx->config_path, &err) < 0)
		return cli_fail(&err);
	ctx->cfg_loaded = true;
	level = ctx->cfg.log_level;
	format = ctx->cfg.log_format;
	if (ctx->log_level && log_level_parse(ctx->log_level, &level) < 0) {
		fprintf(stderr,
			"ml-connector: --log-level '%s' is not one of debug, info, warn, error\n",
			ctx->log_level);
		return CLI_USAGE;
	}
	if (ctx->log_format && log_format_parse(ctx->log_format, &format) < 0) {
		fprintf(stderr, "ml-connector: --log-format '%s' is not one of logfmt, json\n",
			ctx->log_format);
		return CLI_USAGE;
	}
	log_setup(level, format, stderr);
	http_client_default_backoff(ctx->cfg.retry_backoff_ms);
	return CLI_OK;
}

int cli_open_store(struct cli_ctx *ctx)
{
	struct mlc_error err = {0};
	int rc;

	if (ctx->store)
		return CLI_OK;
	rc = cli_load_config(ctx);
	if (rc != CLI_OK)
		return rc;
	if (store_open(ctx->cfg.store, &ctx->store, &err) < 0)
		return cli_fail(&err);
	return CLI_OK;
}

int cli_open_vault(struct cli_ctx *ctx, struct mlc_vault **out)
{
	struct mlc_error err = {0};
	int rc;

	*out = NULL;
	rc = cli_load_config(ctx);
	if (rc != CLI_OK)
		return rc;
	if (vault_open(&ctx->cfg, out, &err) < 0)
		return cli_fail(&err);
	return CLI_OK;
}

int cli_get_tenant(struct cli_ctx *ctx, const char *name, struct mlc_tenant *t)
{
	struct mlc_error err = {0};
	int rc;

	rc = cli_open_store(ctx);
	if (rc != CLI_OK)
		return rc;
	if (tenant_get(ctx->store, name, t, &err) < 0)
		return cli_fail(&err);
	return CLI_OK;
}

int cli_parse_id(const char *opt, const char *text, int64_t *out)
{
	struct mlc_error err = {0};

	if (num_parse_id(text, out, &err) < 0) {
		fprintf(stderr, "ml-connector: %s: %s\n", opt, err.msg);
		return CLI_FAIL;
	}
	return CLI_OK;
}

void cli_print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	json_decref(v);
}
