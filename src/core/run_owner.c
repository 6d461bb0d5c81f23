#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/run_owner.h"
#include "util/buf.h"
#include "util/time.h"
#include "util/banned.h"

void run_owner_self(char host[RUN_HOST_MAX], int64_t *pid)
{
	if (gethostname(host, RUN_HOST_MAX) < 0)
		host[0] = '\0';
	host[RUN_HOST_MAX - 1] = '\0';
	*pid = (int64_t)getpid();
}

bool run_owner_alive(const char *host, int64_t pid, int64_t heartbeat_ms, int64_t now_ms,
		     int64_t stale_ms)
{
	char self[RUN_HOST_MAX];
	int64_t me;

	run_owner_self(self, &me);
	if (host && *host && self[0] && strcmp(host, self) == 0) {
		if (pid == me)
			return true;
		if (pid <= 0 || pid > INT32_MAX)
			return false;
		/* EPERM: it exists under another user */
		return kill((pid_t)pid, 0) == 0 || errno == EPERM;
	}
	return now_ms - heartbeat_ms <= stale_ms;
}

int run_heartbeat(struct mlc_store *s, int64_t run_id, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	char host[RUN_HOST_MAX];
	int64_t pid, now = time_now_ms();
	int rc;

	if (run_id) {
		rc = store_prepare(s,
				   "UPDATE runs SET heartbeat_at = ?1 WHERE id = ?2 AND status = "
				   "'running' AND (heartbeat_at IS NULL OR heartbeat_at < ?1 - ?3)",
				   &st, err);
		if (rc < 0)
			return rc;
		stmt_bind_i64(st, 1, now);
		stmt_bind_i64(st, 2, run_id);
		stmt_bind_i64(st, 3, RUN_HEARTBEAT_MS);
	} else {
		run_owner_self(host, &pid);
		rc = store_prepare(s,
				   "UPDATE runs SET heartbeat_at = ? WHERE status = 'running' AND "
				   "owner_host = ? AND owner_pid = ?",
				   &st, err);
		if (rc < 0)
			return rc;
		stmt_bind_i64(st, 1, now);
		stmt_bind_text(st, 2, host);
		stmt_bind_i64(st, 3, pid);
	}
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

struct dead_run {
	int64_t id;
	struct dead_run *next;
};

int run_reap(struct mlc_store *s, int64_t stale_ms, int64_t *abandoned, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	struct dead_run *dead = NULL;
	int64_t now = time_now_ms();
	int rc;

	*abandoned = 0;
	rc = store_prepare(s,
			   "SELECT id, owner_host, owner_pid, COALESCE(heartbeat_at, started_at) "
			   "FROM runs WHERE status = 'running'",
			   &st, err);
	if (rc < 0)
		goto out;
	while ((rc = stmt_step(st, err)) == 1) {
		const char *host = stmt_col_is_null(st, 1) ? NULL : stmt_col_text(st, 1);
		if (!run_owner_alive(host, stmt_col_i64(st, 2), stmt_col_i64(st, 3), now,
				     stale_ms)) {
			struct dead_run *d = xcalloc(1, sizeof(*d));
			d->id = stmt_col_i64(st, 0);
			d->next = dead;
			dead = d;
		}
	}
	stmt_free(st);
	st = NULL;
	if (rc < 0)
		goto out;
	for (struct dead_run *d = dead; d; d = d->next) {
		/* status = 'running' again: a run that finished meanwhile keeps
		 * its own status */
		rc = store_prepare(s,
				   "UPDATE runs SET status = 'abandoned', finished_at = ? WHERE "
				   "id = ? AND status = 'running'",
				   &st, err);
		if (rc < 0)
			goto out;
		stmt_bind_i64(st, 1, now);
		stmt_bind_i64(st, 2, d->id);
		rc = stmt_step(st, err);
		stmt_free(st);
		st = NULL;
		if (rc < 0)
			goto out;
		*abandoned += store_changes(s);
	}
	rc = MLC_OK;
out:
	stmt_free(st);
	while (dead) {
		struct dead_run *d = dead;
		dead = d->next;
		free(d);
	}
	return rc;
}
