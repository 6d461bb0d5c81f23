#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/jobs.h"
#include "core/run_owner.h"
#include "flows/flow.h"
#include "server/serve.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

/* Backoff for a failed job: 30 s doubling per attempt, at most 30 min. */
static int64_t retry_delay_ms(int attempts)
{
	int64_t d = 30000;
	for (int i = 1; i < attempts && d < 30 * 60 * 1000; i++)
		d *= 2;
	return d > 30 * 60 * 1000 ? 30 * 60 * 1000 : d;
}

/*
 * The heartbeat: while a job runs, its lease is renewed every third of the
 * lease, on a connection of its own, so that a long flow is never taken
 * by another worker; a worker that dies stops renewing and its job is
 * retaken once the lease runs out.
 */
struct heartbeat {
	struct mlc_serve *sv;
	int64_t job;
	const char *owner;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

static void *heartbeat_main(void *arg)
{
	struct heartbeat *hb = arg;
	struct mlc_store *st = NULL;
	struct mlc_error err = {0};

	pthread_mutex_lock(&hb->lock);
	while (!hb->done) {
		struct timespec ts;
		int64_t every = hb->sv->lease_ms / 3;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += every / 1000;
		ts.tv_nsec += (long)(every % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&hb->cond, &hb->lock, &ts) == 0 || hb->done)
			continue;
		pthread_mutex_unlock(&hb->lock);
		if (!st && store_open(hb->sv->cfg->store, &st, &err) < 0)
			log_warn("lease heartbeat: no store", "error", err.msg);
		else if (job_extend(st, hb->job, hb->owner, time_now_ms() + hb->sv->lease_ms,
				    &err) < 0)
			log_warn("lease heartbeat failed", "error", err.msg);
		else if (run_heartbeat(st, 0, &err) < 0) /* this process's runs live */
			log_warn("run heartbeat failed", "error", err.msg);
		pthread_mutex_lock(&hb->lock);
	}
	pthread_mutex_unlock(&hb->lock);
	store_free(st);
	return NULL;
}

static int run_sync(struct mlc_serve *sv, struct mlc_store *st, const struct mlc_job *job,
		    struct mlc_error *err)
{
	const char *tenant = jsonx_str(job->payload, "tenant");
	const char *flow = jsonx_str(job->payload, "flow");
	const char *trigger = jsonx_str(job->payload, "trigger");
	const struct flow_def *f = flow ? flow_find(flow) : NULL;
	struct mlc_session *s = NULL;
	json_t *res = NULL;
	int rc;

	if (!tenant || !f)
		return error_set(err, MLC_EINVAL, "job %lld names no known tenant and flow",
				 (long long)job->id);
	struct mlc_session_opts so = {.store = st,
				      .vault = sv->vault,
				      .shared = sv->shared,
				      .pool = sv->pool,
				      .tenant = tenant,
				      .need_netsuite = f->need_netsuite,
				      .need_procore = f->need_procore};
	rc = session_open(&so, &s, err);
	if (rc < 0)
		return rc;
	struct flow_opts fo = {false, false, trigger ? trigger : "schedule"};
	rc = flow_execute(s, f, &fo, &res, err);
	json_decref(res);
	session_free(s);
	return rc;
}

void *serve_worker_main(void *arg)
{
	struct mlc_serve *sv = arg;
	struct mlc_error err = {0};
	struct mlc_store *st = serve_store(sv, &err);
	char owner[128];

	if (!st) {
		log_error("worker cannot open the store", "error", err.msg);
		return NULL;
	}
	snprintf(owner, sizeof(owner), "%s:%lx", sv->owner, (unsigned long)pthread_self());
	while (!serve_stopping(sv)) {
		struct mlc_job job;
		char id[24];
		int rc = job_lease(st, owner, time_now_ms(), sv->lease_ms, &job, &err);

		if (rc < 0) {
			/* SQLITE_BUSY under contention is normal: try again shortly */
			log_debug("job lease failed", "error", err.msg);
			time_sleep_ms(200);
			continue;
		}
		if (rc == 0) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_mutex_lock(&sv->lock);
			if (!serve_stopping(sv))
				pthread_cond_timedwait(&sv->wake, &sv->lock, &ts);
			pthread_mutex_unlock(&sv->lock);
			continue;
		}
		snprintf(id, sizeof(id), "%lld", (long long)job.id);
		log_info("job start", "job", id, "kind", job.kind, "tenant",
			 jsonx_str(job.payload, "tenant"), "flow", jsonx_str(job.payload, "flow"));
		error_clear(&err);
		struct heartbeat hb = {
		    sv, job.id, owner, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
		pthread_t hbt;
		__atomic_add_fetch(&sv->jobs_running, 1, __ATOMIC_ACQ_REL); /* leader_beat.c */
		bool hb_on = pthread_create(&hbt, NULL, heartbeat_main, &hb) == 0;
		if (strcmp(job.kind, "sync") == 0)
			rc = run_sync(sv, st, &job, &err);
		else
			rc = error_set(&err, MLC_EINVAL, "unknown job kind '%s'", job.kind);
		if (hb_on) {
			pthread_mutex_lock(&hb.lock);
			hb.done = true;
			pthread_cond_signal(&hb.cond);
			pthread_mutex_unlock(&hb.lock);
			pthread_join(hbt, NULL);
		}
		if (rc == MLC_OK) {
			if (job_complete(st, job.id, owner, &err) < 0)
				log_warn("job complete failed", "job", id, "error", err.msg);
			log_info("job done", "job", id);
		} else {
			struct mlc_error e2 = {0};
			/* a malformed job never gets better: straight to the dead letters */
			int64_t retry =
			    rc == MLC_EINVAL ? -1 : time_now_ms() + retry_delay_ms(job.attempts);
			log_warn("job failed", "job", id, "error", err.msg);
			if (job_fail(st, job.id, owner, err.msg, retry, &e2) < 0)
				log_warn("job fail record failed", "job", id, "error", e2.msg);
		}
		job_release(&job);
		__atomic_sub_fetch(&sv->jobs_running, 1, __ATOMIC_ACQ_REL);
	}
	return NULL;
}
