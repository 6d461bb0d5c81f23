/*
 * user add | list | remove: the local users of the web console (issue 23,
 * core/console_users.h).  A password is read from stdin (one line; echo
 * off on a terminal), never from the command line, and never printed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/console_users.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/banned.h"

#define PASSWORD_MAX 1024

/* Reads one line from stdin into sodium memory (*out, NUL-terminated,
 * line end removed).  Caller frees with sodium_free(). */
static int read_password(char **out, struct mlc_error *err)
{
	struct termios old, quiet;
	bool tty = isatty(0), restore = false;
	char *buf = sodium_malloc(PASSWORD_MAX + 1);
	size_t n = 0;
	int rc = MLC_OK;

	*out = NULL;
	if (!buf)
		return error_set(err, MLC_ENOMEM, "cannot allocate protected memory");
	if (tty) {
		fprintf(stderr, "password (input hidden): ");
		if (tcgetattr(0, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			restore = tcsetattr(0, TCSAFLUSH, &quiet) == 0;
		}
	}
	for (;;) {
		ssize_t r = read(0, buf + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = error_set(err, MLC_EIO, "cannot read the password: %s",
				       strerror(errno));
			break;
		}
		if (r == 0 || buf[n] == '\n')
			break;
		if (++n == PASSWORD_MAX) {
			rc = error_set(err, MLC_EINVAL, "the password is longer than %d bytes",
				       PASSWORD_MAX);
			break;
		}
	}
	if (restore) {
		tcsetattr(0, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	while (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (rc < 0)
		sodium_free(buf);
	else
		*out = buf;
	return rc;
}

static int user_add_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *role_text = NULL;
	const struct cli_opt opts[] = {
	    {"role", "ROLE", "viewer, operator or admin", &role_text, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "user add NAME --role viewer|operator|admin",
	    "Adds a console user.  The password (8 characters or more) is read from stdin\n"
	    "(hidden on a terminal) and stored as an argon2id hash.  Viewers read; operators\n"
	    "also replay and resolve; admins also edit mappings.",
	    opts,
	    1,
	    1,
	};
	const char *pos[1];
	int npos, rc;
	enum console_role role;
	char *pw = NULL;
	struct mlc_error err = {0};

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (console_role_parse(role_text, &role, &err) < 0) {
		fprintf(stderr, "ml-connector user add: --role: %s\n", err.msg);
		return CLI_USAGE;
	}
	rc = cli_open_store(ctx);
	if (rc != CLI_OK)
		return rc;
	if (read_password(&pw, &err) < 0 ||
	    console_user_add(ctx->store, pos[0], role, pw, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	log_info("console user added", "user", pos[0], "role", console_role_name(role));
	printf("user %s added (%s)\n", pos[0], console_role_name(role));
out:
	sodium_free(pw);
	return rc;
}

static int user_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"user list [--json]", "Lists console users and their roles.",
				      opts, 0, 0};
	const char *pos[1];
	int npos, rc;
	json_t *users = NULL, *u;
	size_t i;
	struct mlc_error err = {0};

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_open_store(ctx);
	if (rc != CLI_OK)
		return rc;
	if (console_user_list(ctx->store, &users, &err) < 0)
		return cli_fail(&err);
	if (json) {
		cli_print_json(users);
		return CLI_OK;
	}
	json_array_foreach (users, i, u)
		printf("%-24s %-9s %s\n", jsonx_str(u, "name"), jsonx_str(u, "role"),
		       jsonx_str(u, "created_at"));
	if (!json_array_size(users))
		printf("no users\n");
	json_decref(users);
	return CLI_OK;
}

static int user_remove_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_opt opts[] = {{NULL, NULL, NULL, NULL, NULL}};
	const struct cli_spec spec = {
	    "user remove NAME", "Removes a console user and ends their sessions.", opts, 1, 1};
	const char *pos[1];
	int npos, rc;
	struct mlc_error err = {0};

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_open_store(ctx);
	if (rc != CLI_OK)
		return rc;
	if (console_user_remove(ctx->store, pos[0], &err) < 0)
		return cli_fail(&err);
	log_info("console user removed", "user", pos[0]);
	printf("user %s removed\n", pos[0]);
	return CLI_OK;
}

int cmd_user(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"add", "add a console user", user_add_cmd},
	    {"list", "list console users", user_list_cmd},
	    {"remove", "remove a console user", user_remove_cmd},
	    {NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "user", "Local users of the web console.", cmds, argc, argv);
}
