#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/vault.h"
#include "util/redact.h"
#include "util/time.h"
#include "util/banned.h"

#define SECRET_MAX (64 * 1024)

/*
 * Reads a secret value from fd into sodium memory: everything up to EOF,
 * or (one_line) up to the first newline.  Never echoes it: on a terminal
 * echo is switched off while reading.
 */
static int read_secret(int fd, bool one_line, const char *what, struct mlc_secret **out,
		       struct mlc_error *err)
{
	struct termios old, quiet;
	bool tty = isatty(fd), restore = false;
	char *buf = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	buf = sodium_malloc(SECRET_MAX + 1);
	if (!buf)
		return error_set(err, MLC_ENOMEM, "cannot allocate protected memory");
	if (tty) {
		fprintf(stderr,
			one_line ? "%s (input hidden): "
				 : "%s (paste it, then press Ctrl-D; input hidden):\n",
			what);
		if (tcgetattr(fd, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
		}
	}
	for (;;) {
		ssize_t r;
		if (n == SECRET_MAX) {
			rc = error_set(err, MLC_EINVAL, "the value is larger than %d bytes",
				       SECRET_MAX);
			goto out;
		}
		r = read(fd, buf + n, one_line ? 1 : SECRET_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = error_set(err, MLC_EIO, "cannot read the value: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (one_line && buf[n - 1] == '\n')
			break;
	}
	*out = secret_new(buf, n);
	rc = MLC_OK;
out:
	if (restore) {
		tcsetattr(fd, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	sodium_free(buf);
	return rc;
}

/* "value\n" from `echo` or a file: the line end is not part of a token.
 * PEM keeps its text as is. */
static void trim_line_end(const char *name, struct mlc_secret *s)
{
	if (strcmp(name, "netsuite.private_key") == 0)
		return;
	while (s->len && (s->data[s->len - 1] == '\n' || s->data[s->len - 1] == '\r'))
		s->data[--s->len] = '\0';
}

static int secret_set_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *from_file = NULL;
	const struct cli_opt opts[] = {
	    {"from-file", "PATH", "read the value from PATH instead of stdin", &from_file, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "secret set TENANT NAME [--from-file PATH]",
	    "Stores a credential, encrypted under the master key.  The value is read from\n"
	    "stdin (hidden on a terminal) or --from-file, never from the command line, and\n"
	    "is never printed.  Names: netsuite.client_id, netsuite.certificate_id,\n"
	    "netsuite.private_key (PEM: RSA >= 3072 bits or EC P-256/384/521),\n"
	    "procore.client_id, procore.client_secret, webhook.netsuite_secret,\n"
	    "webhook.procore_authorization.",
	    opts,
	    2,
	    2,
	};
	const char *pos[2];
	int npos, rc, fd = 0;
	struct mlc_tenant t = {0};
	struct mlc_vault *v = NULL;
	struct mlc_secret *val = NULL;
	struct mlc_error err = {0};
	bool have_tenant = false;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (!secret_name_known(pos[1])) {
		rc = secret_check(pos[1], "", 0, &err);
		MLC_UNUSED(rc);
		return cli_fail(&err);
	}
	rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		goto out;
	have_tenant = true;
	rc = cli_open_vault(ctx, &v);
	if (rc != CLI_OK)
		goto out;
	if (from_file)
		fd = open(from_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ml-connector: cannot read %s: %s\n", from_file, strerror(errno));
		rc = CLI_FAIL;
		goto out;
	}
	if (read_secret(fd, strcmp(pos[1], "netsuite.private_key") != 0, pos[1], &val, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	trim_line_end(pos[1], val);
	redact_register(val->data);
	if (secret_check(pos[1], val->data, val->len, &err) < 0 ||
	    secret_set(ctx->store, v, t.id, pos[1], val->data, val->len, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	printf("secret %s of tenant %s saved (%zu bytes, master key %s)\n", pos[1], t.name,
	       val->len, v->key_id);
	rc = CLI_OK;
out:
	if (from_file && fd > 0)
		close(fd);
	secret_free(val);
	vault_free(v);
	if (have_tenant)
		tenant_release(&t);
	return rc;
}

/* The credentials ping and the sync need, named when not set. */
static void print_missing(const char *tenant, const struct mlc_secret_info *list, size_t n)
{
	static const char *const needed[] = {"netsuite.client_id", "netsuite.certificate_id",
					     "netsuite.private_key", "procore.client_id",
					     "procore.client_secret"};
	bool any = false;

	for (size_t i = 0; i < MLC_ARRAY_LEN(needed); i++) {
		bool set = false;
		for (size_t j = 0; j < n && !set; j++)
			set = strcmp(list[j].name, needed[i]) == 0;
		if (!set) {
			printf("%s%s", any ? ", " : "not set: ", needed[i]);
			any = true;
		}
	}
	if (any)
		printf("\n(add with 'ml-connector secret set %s NAME')\n", tenant);
}

static int secret_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "secret list TENANT [--json]",
	    "Lists a tenant's stored credentials: names, update times and master key ids,\n"
	    "never values.",
	    opts,
	    1,
	    1,
	};
	const char *pos[1];
	int npos, rc;
	struct mlc_tenant t;
	struct mlc_secret_info *list = NULL;
	size_t n = 0;
	struct mlc_error err = {0};
	char when[MLC_TIME_FMT_MAX];

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	if (secret_list(ctx->store, t.id, &list, &n, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			time_format_rfc3339(list[i].updated_at, when);
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "name",
							     list[i].name, "updated_at", when,
							     "key_id", list[i].key_id));
		}
		cli_print_json(arr);
	} else {
		if (n > 0)
			printf("%-32s %-24s %s\n", "NAME", "UPDATED", "KEY ID");
		for (size_t i = 0; i < n; i++) {
			time_format_rfc3339(list[i].updated_at, when);
			printf("%-32s %-24s %s\n", list[i].name, when, list[i].key_id);
		}
		print_missing(t.name, list, n);
	}
	rc = CLI_OK;
out:
	secret_info_free(list, n);
	tenant_release(&t);
	return rc;
}

static int secret_remove_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_spec spec = {"secret remove TENANT NAME", "Deletes a stored credential.",
				      NULL, 2, 2};
	const char *pos[2];
	int npos, rc;
	struct mlc_tenant t;
	struct mlc_error err = {0};

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	if (secret_remove(ctx->store, t.id, pos[1], &err) < 0)
		rc = cli_fail(&err);
	else
		printf("secret %s of tenant %s removed\n", pos[1], t.name);
	tenant_release(&t);
	return rc;
}

int cmd_secret(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"set", "store a credential (value from stdin or --from-file)", secret_set_cmd},
	    {"list", "list stored credentials (names and times only)", secret_list_cmd},
	    {"remove", "delete a stored credential", secret_remove_cmd},
	    {NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "secret",
			    "A tenant's credentials, encrypted under the master key.", cmds, argc,
			    argv);
}
