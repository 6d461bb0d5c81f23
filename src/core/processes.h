#ifndef MLC_PROCESSES_H
#define MLC_PROCESSES_H

/*
 * The serve processes that share one store (issue 22): each registers
 * itself in the processes table when it starts, moves its heartbeat on
 * while it lives (with the number of jobs it runs and whether it is the
 * one that schedules), and removes itself on a clean exit.  A process
 * whose heartbeat is older than stale_ms (the job lease: a process that
 * stopped beating has lost its jobs too) is dead; the scheduler deletes
 * the rows of dead processes.
 */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/store.h"
#include "util/compat.h"
#include "util/error.h"

struct mlc_process {
	const char *id;   /* host:pid, the lease owner prefix (column owner) */
	const char *host; /* host name */
	int64_t pid;
	int64_t started_ms;
	int64_t jobs_running;
	bool scheduler; /* this process schedules */
};

/* Inserts p's row or moves it on (heartbeat now_ms, jobs running,
 * scheduler): registration and heartbeat are the same call, so a row
 * removed as dead while its process was only slow comes back. */
int process_beat(struct mlc_store *s, const struct mlc_process *p, int64_t now_ms,
		 struct mlc_error *err) MLC_MUST_CHECK;
/* Removes the row of process id (clean exit). */
int process_remove(struct mlc_store *s, const char *id, struct mlc_error *err) MLC_MUST_CHECK;
/* Removes the rows whose heartbeat is older than now_ms - stale_ms;
 * *gone (may be NULL) gets how many. */
int process_reap(struct mlc_store *s, int64_t now_ms, int64_t stale_ms, int64_t *gone,
		 struct mlc_error *err) MLC_MUST_CHECK;
/*
 * The live processes (heartbeat within stale_ms of now_ms), oldest first,
 * as a new JSON array of {owner, host, pid, started_at, heartbeat_age_ms,
 * jobs_running, scheduler} (times RFC 3339).  Caller decrefs *out.
 */
int process_list_live(struct mlc_store *s, int64_t now_ms, int64_t stale_ms, json_t **out,
		      struct mlc_error *err) MLC_MUST_CHECK;

#endif
