#include <stdlib.h>
#include <string.h>

#include "core/leader.h"
#include "core/store.h"
#include "util/buf.h"
#include "util/banned.h"

/* The lock's key ("mlc-sched" as a number: any constant the connector
 * alone uses in its database). */
#define LEADER_LOCK_KEY 0x6d6c632d7363LL

struct mlc_leader {
	char *url;
	struct mlc_store *conn; /* the lock's own connection */
	bool held;
	bool single; /* SQLite: one process, always held */
};

struct mlc_leader *leader_new(const char *url)
{
	struct mlc_leader *l = xcalloc(1, sizeof(*l));

	l->url = xstrdup(url);
	return l;
}

void leader_free(struct mlc_leader *l)
{
	if (!l)
		return;
	store_free(l->conn); /* the session ends: the lock is released */
	free(l->url);
	free(l);
}

static void drop(struct mlc_leader *l)
{
	store_free(l->conn);
	l->conn = NULL;
	l->held = false;
}

bool leader_hold(struct mlc_leader *l, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	if (l->single)
		return true;
	if (l->held && !store_ping(l->conn)) {
		error_set(err, MLC_ESTORE, "the scheduler lock's connection was lost");
		drop(l);
		return false;
	}
	if (l->held)
		return true;
	if (!l->conn && store_open(l->url, &l->conn, err) < 0)
		return false;
	if (strcmp(store_backend(l->conn), "postgres") != 0) {
		l->single = true;
		store_free(l->conn);
		l->conn = NULL;
		return true;
	}
	rc = store_prepare(l->conn, "SELECT pg_try_advisory_lock(?)", &st, err);
	if (rc < 0) {
		drop(l);
		return false;
	}
	stmt_bind_i64(st, 1, LEADER_LOCK_KEY);
	rc = stmt_step(st, err);
	if (rc == 1)
		l->held = stmt_col_i64(st, 0) != 0;
	stmt_free(st);
	if (rc < 0)
		drop(l);
	return l->held;
}
