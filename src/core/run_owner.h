#ifndef MLC_RUN_OWNER_H
#define MLC_RUN_OWNER_H

/*
 * The owner of a flow run (issue 21, item 20).  run_start records the host
 * name and process id of the process that runs the flow and a heartbeat
 * time; the heartbeat moves on while the run shows life (every audit row
 * of the run, at most every RUN_HEARTBEAT_MS, and serve's lease heartbeat
 * for every run of its process).  A run left 'running' by a process that
 * died (kill -9, a crash, power loss) is told from a live one by
 * run_owner_alive and marked 'abandoned' by run_reap.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "util/error.h"

#define RUN_HOST_MAX 256
/* A run on another host whose heartbeat is older than this is abandoned. */
#define RUN_STALE_MS (15 * 60 * 1000)
/* audit_write moves a run's heartbeat at most this often. */
#define RUN_HEARTBEAT_MS 10000

/* This process as a run owner: its host name (empty when unknown) and id. */
void run_owner_self(char host[RUN_HOST_MAX], int64_t *pid);

/*
 * Is the owner of a running run alive?  On this host (host equal to ours)
 * the process decides: alive while process pid exists.  On another host
 * the heartbeat decides: alive while now_ms - heartbeat_ms <= stale_ms.  A
 * run from before owners were recorded (host NULL) is judged by the
 * heartbeat (its start time) the same way.
 */
bool run_owner_alive(const char *host, int64_t pid, int64_t heartbeat_ms, int64_t now_ms,
		     int64_t stale_ms);

/* Moves the heartbeat of run_id (0: every running run of this process) to
 * now; a run whose heartbeat moved less than RUN_HEARTBEAT_MS ago is left
 * alone when run_id is given. */
int run_heartbeat(struct mlc_store *s, int64_t run_id, struct mlc_error *err) MLC_MUST_CHECK;

/* Marks every running run whose owner is not alive (run_owner_alive with
 * stale_ms) 'abandoned', finished now; *abandoned gets how many. */
int run_reap(struct mlc_store *s, int64_t stale_ms, int64_t *abandoned,
	     struct mlc_error *err) MLC_MUST_CHECK;

#endif
