#ifndef MLC_LEADER_H
#define MLC_LEADER_H

/*
 * Who schedules (issue 22).  On PostgreSQL the process holding a session
 * advisory lock (pg_try_advisory_lock) on a connection of its own
 * schedules; the lock goes with the session, so when that process dies
 * (kill -9, a crash, a lost network) the server releases it and the next
 * leader_hold() of another process takes it.  Advisory locks belong to
 * one database, so deployments on other databases of the same server do
 * not meet.  On SQLite (one process per file) the caller always holds it.
 */
#include <stdbool.h>

#include "util/error.h"

struct mlc_leader;

/* A handle for the store at url; nothing is opened yet.  Caller frees
 * with leader_free(), which closes the connection and so the lock. */
struct mlc_leader *leader_new(const char *url);
void leader_free(struct mlc_leader *l);
/*
 * True while this process holds the lock: tries to take it when it does
 * not, checks that the lock's connection still answers when it does (a
 * dropped connection has lost the lock: it is closed and tried again at
 * the next call).  err gets why when the store cannot be reached.
 */
bool leader_hold(struct mlc_leader *l, struct mlc_error *err);

#endif
