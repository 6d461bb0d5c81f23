#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/banned.h"

#define MASTER_KEY_BYTES 32

int cmd_init(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *dir = ".";
	const struct cli_opt opts[] = {
	    {"dir", "DIR", "directory to create (default: the current one)", &dir, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "init [--dir DIR]",
	    "Creates DIR with ml-connector.yaml, a random 32-byte master.key (mode 0600) and\n"
	    "the database.  Refuses to overwrite any of them.",
	    opts,
	    0,
	    0,
	};
	const char *pos[1];
	int npos, rc;
	struct mlc_buf cfg_path = MLC_BUF_INIT, key_path = MLC_BUF_INIT, db_path = MLC_BUF_INIT;
	struct mlc_buf text = MLC_BUF_INIT;
	struct mlc_error err = {0};
	struct mlc_store *store = NULL;
	unsigned char key[MASTER_KEY_BYTES];
	struct stat sb;

	MLC_UNUSED(ctx);
	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "ml-connector: cannot create %s: %s\n", dir, strerror(errno));
		return CLI_FAIL;
	}
	buf_addf(&cfg_path, "%s/%s", dir, MLC_CONFIG_DEFAULT_FILE);
	buf_addf(&key_path, "%s/master.key", dir);
	buf_addf(&db_path, "%s/ml-connector.db", dir);
	const char *paths[] = {cfg_path.data, key_path.data, db_path.data};
	for (size_t i = 0; i < MLC_ARRAY_LEN(paths); i++) {
		if (stat(paths[i], &sb) == 0) {
			fprintf(stderr, "ml-connector: %s already exists; init never overwrites\n",
				paths[i]);
			rc = CLI_FAIL;
			goto out;
		}
	}
	config_default_text(&text);
	if (file_write_new(cfg_path.data, text.data, text.len, 0644, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	randombytes_buf(key, sizeof(key));
	rc = file_write_new(key_path.data, key, sizeof(key), 0600, &err);
	sodium_memzero(key, sizeof(key));
	if (rc < 0) {
		unlink(cfg_path.data);
		rc = cli_fail(&err);
		goto out;
	}
	buf_reset(&text);
	buf_addf(&text, "sqlite:%s", db_path.data);
	if (store_open(text.data, &store, &err) < 0) {
		unlink(cfg_path.data);
		unlink(key_path.data);
		rc = cli_fail(&err);
		goto out;
	}
	printf("Initialised %s:\n  %s\n  %s (keep it secret; back it up)\n  %s\n", dir,
	       cfg_path.data, key_path.data, db_path.data);
	printf("Next: cd %s && ml-connector tenant add NAME --procore-company ID "
	       "--netsuite-account ACCT\n",
	       dir);
	rc = CLI_OK;
out:
	store_free(store);
	buf_release(&cfg_path);
	buf_release(&key_path);
	buf_release(&db_path);
	buf_release(&text);
	return rc;
}
