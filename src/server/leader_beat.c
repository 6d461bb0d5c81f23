#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/api_budget.h"
#include "core/leader.h"
#include "core/processes.h"
#include "core/run_owner.h"
#include "server/serve.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

bool serve_scheduling(struct mlc_serve *sv)
{
	return __atomic_load_n(&sv->scheduling, __ATOMIC_ACQUIRE) != 0;
}

/* The heartbeat's period: a third of the lease, so that a live process
 * is never taken for dead, at most 5 s, at least 0.5 s. */
static int64_t beat_every_ms(const struct mlc_serve *sv)
{
	int64_t every = sv->lease_ms / 3;

	if (every > 5000)
		every = 5000;
	return every < 500 ? 500 : every;
}

/* Says when this process starts or stops scheduling. */
static void set_scheduling(struct mlc_serve *sv, bool on, const struct mlc_error *err)
{
	if (on == serve_scheduling(sv))
		return;
	__atomic_store_n(&sv->scheduling, on ? 1 : 0, __ATOMIC_RELEASE);
	if (on)
		log_info("scheduler: this process schedules", "owner", sv->owner);
	else
		log_warn("scheduler: this process no longer schedules", "owner", sv->owner, "error",
			 err->msg);
}

/* Stopped, and no job of this process runs any more. */
static bool beat_done(struct mlc_serve *sv)
{
	return serve_stopping(sv) && __atomic_load_n(&sv->jobs_running, __ATOMIC_ACQUIRE) == 0;
}

/* Live processes as the last beat saw them (0: not known yet), the count an
 * API budget shares its limit by while Redis is unreachable
 * (auth/api_budget.h). */
static int live_processes;

static int live_count(void *arg)
{
	(void)arg;
	return __atomic_load_n(&live_processes, __ATOMIC_ACQUIRE);
}

/* Counts the live processes for the API budgets' fallback share. */
static void count_live(struct mlc_store *st, int64_t now, int64_t stale_ms)
{
	struct mlc_error err = {0};
	json_t *live = NULL;

	if (process_list_live(st, now, stale_ms, &live, &err) < 0) {
		log_warn("cannot count the live processes", "error", err.msg);
		return;
	}
	__atomic_store_n(&live_processes, (int)json_array_size(live), __ATOMIC_RELEASE);
	json_decref(live);
}

void *serve_beat_main(void *arg)
{
	struct mlc_serve *sv = arg;
	struct mlc_error err = {0};
	struct mlc_store *st = serve_store(sv, &err);
	struct mlc_leader *lead = leader_new(sv->cfg->store);
	char host[RUN_HOST_MAX];
	struct mlc_process me = {0};

	run_owner_self(host, &me.pid);
	me.id = sv->owner;
	me.host = host;
	me.started_ms = time_now_ms();
	api_budget_set_counter(live_count, NULL);
	/* on a stop, beating on while the workers finish their jobs */
	while (!beat_done(sv)) {
		int64_t now = time_now_ms();
		error_clear(&err);
		if (!serve_stopping(sv))
			set_scheduling(sv, leader_hold(lead, &err), &err);
		me.scheduler = serve_scheduling(sv);
		me.jobs_running = __atomic_load_n(&sv->jobs_running, __ATOMIC_ACQUIRE);
		if (!st)
			st = serve_store(sv, &err);
		if (st && process_beat(st, &me, now, &err) < 0)
			log_warn("process heartbeat failed", "error", err.msg);
		if (st)
			count_live(st, now, sv->lease_ms);
		/* the scheduler clears away the rows of dead processes */
		if (st && me.scheduler && process_reap(st, now, sv->lease_ms, NULL, &err) < 0)
			log_warn("process reap failed", "error", err.msg);
		for (int64_t t = 0; t < beat_every_ms(sv) && !beat_done(sv); t += 100)
			time_sleep_ms(100);
	}
	/* a clean exit: the row goes, and the lock with its connection */
	api_budget_set_counter(NULL, NULL);
	__atomic_store_n(&sv->scheduling, 0, __ATOMIC_RELEASE);
	if (st && process_remove(st, sv->owner, &err) < 0)
		log_warn("process unregister failed", "error", err.msg);
	leader_free(lead);
	return NULL;
}
