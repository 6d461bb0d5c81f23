#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/vault.h"
#include "util/file.h"
#include "util/banned.h"

/*
 * `keys rotate`, crash-safe in this order:
 *   1. copy the current key to master.key.old (kept until the end);
 *   2. write the new key to master.key.new (fsync'd);
 *   3. re-seal every secret under the new key in one transaction;
 *   4. rename master.key.new over master.key (fsync'd folder);
 *   5. remove master.key.old.
 * A crash before 3 commits leaves every secret under the old key, which is
 * still master.key; a crash between 3 and 4 leaves them under the key in
 * master.key.new, and the next `keys rotate` finishes the rename first.
 */

struct key_paths {
	struct mlc_buf cur, next, old;
};

static void key_paths_init(struct key_paths *p, const char *path)
{
	buf_init(&p->cur);
	buf_init(&p->next);
	buf_init(&p->old);
	buf_addstr(&p->cur, path);
	buf_addf(&p->next, "%s.new", path);
	buf_addf(&p->old, "%s.old", path);
}

static void key_paths_release(struct key_paths *p)
{
	buf_release(&p->cur);
	buf_release(&p->next);
	buf_release(&p->old);
}

/*
 * Finishes or discards what an interrupted rotation left in master.key.new.
 * *finished is set when the database was already under that key and the
 * rename has now been done.
 */
static int recover(struct mlc_store *s, const struct key_paths *p, bool *finished,
		   struct mlc_error *err)
{
	unsigned char *key = NULL;
	char id[VAULT_KEY_ID_LEN + 1];
	int64_t foreign = 0;
	int rc;

	*finished = false;
	if (access(p->next.data, F_OK) != 0)
		return MLC_OK;
	key = sodium_malloc(VAULT_KEY_BYTES);
	if (!key)
		return error_set(err, MLC_ENOMEM, "cannot allocate protected memory");
	if (vault_read_key_file(p->next.data, key, err) < 0) {
		/* a half-written key never sealed anything (it is fsync'd first) */
		rc = MLC_OK;
		goto discard;
	}
	vault_key_id(key, id);
	rc = vault_count_foreign(s, id, &foreign, err);
	if (rc < 0)
		goto out;
	if (foreign == 0) {
		int64_t any = 0;
		/* every secret (and there is one) is under the new key: step 3 committed */
		rc = vault_count_foreign(s, "", &any, err);
		if (rc < 0)
			goto out;
		if (any > 0) {
			rc = file_rename_durable(p->next.data, p->cur.data, err);
			if (rc < 0)
				goto out;
			*finished = true;
			goto out;
		}
	}
discard:
	if (unlink(p->next.data) < 0 && errno != ENOENT)
		rc = error_set(err, MLC_EIO, "cannot remove %s: %s", p->next.data, strerror(errno));
out:
	sodium_free(key);
	return rc;
}

static int keys_rotate_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_spec spec = {
	    "keys rotate",
	    "Makes a new master key, re-encrypts every stored secret under it in one\n"
	    "transaction, then replaces the key file atomically.  The old key is kept as\n"
	    "master.key.old until the rotation has succeeded.  Restart running 'serve'\n"
	    "processes afterwards: they hold the old key.",
	    NULL,
	    0,
	    0,
	};
	const char *pos[1];
	int npos, rc;
	struct mlc_vault *old_v = NULL, *new_v = NULL;
	unsigned char *key = NULL;
	struct key_paths p;
	struct mlc_error err = {0};
	size_t count = 0;
	int64_t foreign = 0;
	bool finished = false;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	rc = cli_open_store(ctx);
	if (rc != CLI_OK)
		return rc;
	key_paths_init(&p, ctx->cfg.master_key_file);
	if (getenv(VAULT_ENV_KEY) && *getenv(VAULT_ENV_KEY)) {
		fprintf(stderr,
			"ml-connector: the master key comes from %s; 'keys rotate' replaces "
			"%s.  Unset %s to rotate the key file, or rotate the variable's "
			"value where it is kept.\n",
			VAULT_ENV_KEY, p.cur.data, VAULT_ENV_KEY);
		rc = CLI_FAIL;
		goto out;
	}
	if (recover(ctx->store, &p, &finished, &err) < 0)
		goto fail;
	if (finished)
		printf("finished an interrupted rotation: %s now holds the key that seals "
		       "every secret\n",
		       p.cur.data);
	rc = cli_open_vault(ctx, &old_v);
	if (rc != CLI_OK)
		goto out;
	if (vault_count_foreign(ctx->store, old_v->key_id, &foreign, &err) < 0)
		goto fail;
	if (foreign > 0) {
		error_set(&err, MLC_ECRYPTO,
			  "%lld secret(s) are not sealed under the current master key %s; "
			  "rotation would lose them.  Restore the key they were saved with "
			  "(see 'secret list') first",
			  (long long)foreign, old_v->key_id);
		goto fail;
	}
	if (file_replace(p.old.data, old_v->key, VAULT_KEY_BYTES, 0600, &err) < 0)
		goto fail;
	key = sodium_malloc(VAULT_KEY_BYTES);
	if (!key) {
		error_set(&err, MLC_ENOMEM, "cannot allocate protected memory");
		goto fail;
	}
	randombytes_buf(key, VAULT_KEY_BYTES);
	if (vault_new(key, VAULT_KEY_BYTES, &new_v, &err) < 0 ||
	    file_write_new(p.next.data, key, VAULT_KEY_BYTES, 0600, &err) < 0)
		goto fail;
	if (vault_reseal_all(ctx->store, old_v, new_v, &count, &err) < 0) {
		unlink(p.next.data);
		goto fail;
	}
	if (file_rename_durable(p.next.data, p.cur.data, &err) < 0) {
		error_prefix(&err, "the secrets are now sealed under the key in %s, but ",
			     p.next.data);
		goto fail;
	}
	if (unlink(p.old.data) < 0 || file_sync_dir_of(p.old.data, &err) < 0)
		fprintf(stderr, "ml-connector: warning: cannot remove %s; delete it by hand\n",
			p.old.data);
	printf("master key rotated: %s -> %s, %zu secret(s) re-encrypted\n", old_v->key_id,
	       new_v->key_id, count);
	rc = CLI_OK;
	goto out;
fail:
	rc = cli_fail(&err);
out:
	sodium_free(key);
	vault_free(old_v);
	vault_free(new_v);
	key_paths_release(&p);
	return rc;
}

static int keys_show_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_spec spec = {"keys show",
				      "Prints the id of the master key in use and where it comes "
				      "from (never the key).",
				      NULL, 0, 0};
	const char *pos[1];
	int npos, rc;
	struct mlc_vault *v = NULL;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_open_vault(ctx, &v);
	if (rc != CLI_OK)
		return rc;
	printf("master key %s from %s\n", v->key_id,
	       v->from_env ? "$" VAULT_ENV_KEY : ctx->cfg.master_key_file);
	vault_free(v);
	return CLI_OK;
}

int cmd_keys(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"rotate", "new master key; re-encrypt every secret", keys_rotate_cmd},
	    {"show", "print the master key's id and source", keys_show_cmd},
	    {NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "keys", "The master key that encrypts stored secrets.", cmds, argc,
			    argv);
}
