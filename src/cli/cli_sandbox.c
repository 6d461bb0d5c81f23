#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/buf.h"
#include "util/banned.h"

/*
 * `ml-connector sandbox`: a launcher.  The simulators are their own
 * program, mlc-sandbox (src/sandbox/sandbox_main.c), so the release binary
 * carries none of their code.  This execs it with the same arguments, in
 * the same process (signals sent to this pid reach the sandbox).
 *
 * The program is $MLC_SANDBOX_BIN when set, else mlc-sandbox in the
 * directory of this executable (/proc/self/exe).
 */

#define SANDBOX_BIN_ENV  "MLC_SANDBOX_BIN"
#define SANDBOX_BIN_NAME "mlc-sandbox"

/* The path of mlc-sandbox into out; false when it cannot be named. */
static bool sandbox_path(char *out, size_t n)
{
	const char *env = getenv(SANDBOX_BIN_ENV);
	char self[4096];
	ssize_t len;
	char *slash;

	if (env && *env)
		return (size_t)snprintf(out, n, "%s", env) < n;
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return false;
	self[len] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return (size_t)snprintf(out, n, "%s/%s", self, SANDBOX_BIN_NAME) < n;
}

int cmd_sandbox(struct cli_ctx *ctx, int argc, char **argv)
{
	char path[4096];
	char **args;

	MLC_UNUSED(ctx);
	if (!sandbox_path(path, sizeof(path))) {
		fprintf(stderr, "ml-connector sandbox: cannot find " SANDBOX_BIN_NAME
				" (set " SANDBOX_BIN_ENV ")\n");
		return CLI_FAIL;
	}
	/* argv[0] is "sandbox"; the options follow unchanged */
	args = xcalloc((size_t)argc + 1, sizeof(*args));
	args[0] = (char *)SANDBOX_BIN_NAME;
	for (int i = 1; i < argc; i++)
		args[i] = argv[i];
	fflush(NULL);
	execv(path, args);
	fprintf(stderr,
		"ml-connector sandbox: cannot run %s: %s (install " SANDBOX_BIN_NAME
		" next to ml-connector or set " SANDBOX_BIN_ENV ")\n",
		path, strerror(errno));
	free(args);
	return CLI_FAIL;
}
