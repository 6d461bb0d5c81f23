#ifndef MLC_CLI_H
#define MLC_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "core/config.h"
#include "core/store.h"
#include "core/tenant.h"

/*
 * The command line: `ml-connector [global options] <noun> [<verb>] ...`.
 * One file per command group (cli_tenant.c, cli_project.c, ...); commands
 * are thin: parse, call core, print.
 *
 * Exit codes: 0 success, 1 failure (the message says why), 2 usage error
 * (unknown command or flag, missing argument).
 */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_HELP_SHOWN = -100 };

struct cli_ctx {
	const char *config_path; /* -c FILE, or NULL */
	const char *log_level;   /* --log-level override */
	const char *log_format;  /* --log-format override */
	struct mlc_config cfg;
	bool cfg_loaded;
	struct mlc_store *store;
};

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(struct cli_ctx *ctx, int argc, char **argv);
};

/*
 * Options of one command.  Flags (arg == NULL) set *flag; valued options
 * set *value to the argument (pointing into argv).  Options and
 * positionals may be interleaved; "--" ends options.
 */
struct cli_opt {
	const char *name; /* long name without "--" */
	const char *arg;  /* metavar, or NULL for a flag */
	const char *help;
	const char **value;
	bool *flag;
};

struct cli_spec {
	const char *usage;   /* "tenant add NAME [options]" */
	const char *summary; /* one line */
	const struct cli_opt *opts;
	int min_pos, max_pos; /* positional argument count bounds */
};

/*
 * Parses argv (argv[0] is the command word) against spec.  Positionals
 * are gathered into pos (caller array of at least max_pos).  Returns
 * CLI_OK, CLI_USAGE (message printed) or CLI_HELP_SHOWN (help printed).
 */
int cli_parse(const struct cli_spec *spec, int argc, char **argv, const char **pos, int *npos);
void cli_print_help(const struct cli_spec *spec, FILE *out);
/* Dispatches argv[1] among subcommands; prints group help on --help or
 * no verb.  group is the noun ("tenant"). */
int cli_dispatch(struct cli_ctx *ctx, const char *group, const char *summary,
		 const struct cli_command *cmds, int argc, char **argv);

/* Loads config (once) and opens the store (once).  Prints the error and
 * returns CLI_FAIL on failure. */
int cli_load_config(struct cli_ctx *ctx);
int cli_open_store(struct cli_ctx *ctx);
/* Loads a tenant by name, printing "tenant 'x' not found" on failure. */
int cli_get_tenant(struct cli_ctx *ctx, const char *name, struct mlc_tenant *t);
/* Parses an id option; prints the message naming the option on failure. */
int cli_parse_id(const char *opt, const char *text, int64_t *out);
/* Loads the master key (config first).  Prints the reason and returns
 * CLI_FAIL when it is missing, unreadable or too open.  Caller frees
 * *out with vault_free(). */
struct mlc_vault;
int cli_open_vault(struct cli_ctx *ctx, struct mlc_vault **out);
/* Prints an error to stderr as "ml-connector: <msg>" and returns CLI_FAIL. */
int cli_fail(const struct mlc_error *err);
/* Prints a JSON value to stdout (indented) and decrefs it. */
void cli_print_json(json_t *v);

int cli_main(int argc, char **argv);

/* Command groups. */
int cmd_init(struct cli_ctx *ctx, int argc, char **argv);
int cmd_config(struct cli_ctx *ctx, int argc, char **argv);
int cmd_tenant(struct cli_ctx *ctx, int argc, char **argv);
int cmd_project(struct cli_ctx *ctx, int argc, char **argv);
int cmd_mapping(struct cli_ctx *ctx, int argc, char **argv);
int cmd_mapping_check(struct cli_ctx *ctx, int argc, char **argv);
int cmd_secret(struct cli_ctx *ctx, int argc, char **argv);
int cmd_keys(struct cli_ctx *ctx, int argc, char **argv);
int cmd_ping(struct cli_ctx *ctx, int argc, char **argv);
int cmd_sync(struct cli_ctx *ctx, int argc, char **argv);
int cmd_serve(struct cli_ctx *ctx, int argc, char **argv);
int cmd_reconcile(struct cli_ctx *ctx, int argc, char **argv);
int cmd_webhook(struct cli_ctx *ctx, int argc, char **argv);
int cmd_audit(struct cli_ctx *ctx, int argc, char **argv);
int cmd_replay(struct cli_ctx *ctx, int argc, char **argv);
int cmd_runs(struct cli_ctx *ctx, int argc, char **argv);
int cmd_review(struct cli_ctx *ctx, int argc, char **argv);
int cmd_status(struct cli_ctx *ctx, int argc, char **argv);
/* status's live serve processes (cli_status.c, issue 22). */
int cli_status_processes(struct cli_ctx *ctx, json_t **out, struct mlc_error *err) MLC_MUST_CHECK;
void cli_status_print_processes(const json_t *procs);
/* The API budgets' state: {"redis": "per process"|"shared"|"unreachable",
 * "fallback_share_of": N} (cli_status.c).  Caller decrefs. */
json_t *cli_status_budgets(struct cli_ctx *ctx, size_t live);
void cli_status_print_budgets(const json_t *b);
int cmd_schedule(struct cli_ctx *ctx, int argc, char **argv);
int cmd_sandbox(struct cli_ctx *ctx, int argc, char **argv);
int cmd_user(struct cli_ctx *ctx, int argc, char **argv);
int cmd_store(struct cli_ctx *ctx, int argc, char **argv);

#endif
