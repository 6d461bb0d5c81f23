/*
 * Procore simulator: webhooks.  Hooks, triggers, deliveries and resources
 * (schemas RestV10Webhooks*), event payloads in the version each hook was
 * registered with (v2, v3, v4), and a delivery thread
 * that POSTs with libcurl.  Reference docs/reference/procore.md "Webhooks": the endpoint
 * must answer 2xx within 5 s; on failure deliveries to that hook pause and
 * retry with backoff from 1 s to 1 h; after 12 h of failure queued events
 * are discarded; at-least-once (pc:dup duplicates and reorders).  Backoff
 * runs on the sandbox clock, so time travel compresses it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "sandbox/contractor.h"
#include "sandbox/pcsim.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

#define WH_TIMEOUT_MS     5000
#define WH_BACKOFF_MAX_MS (3600LL * 1000)
#define WH_DISCARD_MS     (12LL * 3600 * 1000)
#define WH_POLL_MS        25

struct pc_webhooks {
	pthread_t thread;
	bool running, stop;
	pthread_cond_t cond;
	json_t *queue; /* [{_hook_id, event, next_ms, first_fail_ms, attempts, in_flight}] */
	int64_t next_event_id;
	uint64_t rng;
};

/* ---- events ---- */

static void ulid_make(struct pc_webhooks *wh, int64_t ms, char out[27])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	uint64_t t = (uint64_t)ms;
	for (int i = 9; i >= 0; i--) {
		out[i] = alphabet[t & 31];
		t >>= 5;
	}
	for (int i = 10; i < 26; i++)
		out[i] = alphabet[contractor_rand(&wh->rng) & 31];
	out[26] = '\0';
}

static bool hook_matches(struct pcsim *pc, const json_t *hook, int64_t company_id,
			 int64_t project_id, const char *resource, const char *event_type)
{
	json_t *t;
	size_t i;
	int64_t hp = pc_int(hook, "owned_by_project_id");

	if (pc_int(hook, "owned_by_company_id") != company_id)
		return false;
	/* A project hook hears its project only; a company hook hears all. */
	if (hp && hp != project_id)
		return false;
	json_array_foreach (pc->t[PC_TRIGGER].rows, i, t) {
		if (pc_int(t, "webhook_hook_id") == pc_int(hook, "id") &&
		    pc_str(t, "resource_name") &&
		    strcmp(pc_str(t, "resource_name"), resource) == 0 && pc_str(t, "event_type") &&
		    strcasecmp(pc_str(t, "event_type"), event_type) == 0)
			return true;
	}
	return false;
}

static void enqueue(struct pcsim *pc, const json_t *hook, json_t *event, int64_t next_ms, int pos)
{
	json_t *item =
	    json_pack("{s:I,s:O,s:I,s:I,s:i,s:b}", "_hook_id", (json_int_t)pc_int(hook, "id"),
		      "event", event, "next_ms", (json_int_t)next_ms, "first_fail_ms",
		      (json_int_t)0, "attempts", 0, "in_flight", 0);
	if (pos >= 0)
		json_array_insert_new(pc->wh->queue, (size_t)pos, item);
	else
		json_array_append_new(pc->wh->queue, item);
}

/*
 * The payload version a hook was registered with: the v1.0 hooks API calls
 * it api_version ("v2" in the setup guide, "v2.0"/"v3.0"/"v4.0" the
 * values of the v2.0 API's payload_version; procore/documentation
 * plan_your_app/webhooks.md: "In current v1.0 APIs this is called
 * api_version; in future versions it will be payload_version").
 */
static int hook_version(const json_t *hook)
{
	const char *v = pc_str(hook, "api_version");

	if (v && (!strcmp(v, "v3") || !strcmp(v, "v3.0")))
		return 3;
	if (v && (!strcmp(v, "v4") || !strcmp(v, "v4.0")))
		return 4;
	return 2;
}

/* v3 related_resources: the parent of a line item (webhook-payloads.md
 * section 3: filled for line items of POs, WOs, prime contracts, direct
 * costs and PCOs; empty otherwise). */
static json_t *related_resources(struct pcsim *pc, const char *resource, int64_t resource_id)
{
	static const struct {
		const char *resource;
		enum pc_kind line, parent;
		const char *parent_name;
	} map[] = {
	    {"Direct Cost Line Items", PC_DCLI, PC_DC, "Direct Costs"},
	    {"Purchase Order Contract Line Items", PC_CLI, PC_PO, "Purchase Order Contracts"},
	    {"Work Order Contract Line Items", PC_CLI, PC_WO, "Work Order Contracts"},
	};
	json_t *out = json_array();

	for (size_t i = 0; i < MLC_ARRAY_LEN(map); i++) {
		json_t *li;
		if (strcmp(map[i].resource, resource) != 0)
			continue;
		li = pc_get(pc, map[i].line, resource_id);
		if (li && pc_int(li, "_holder_id"))
			json_array_append_new(out, json_pack("{s:I,s:s}", "id",
							     (json_int_t)pc_int(li, "_holder_id"),
							     "name", map[i].parent_name));
	}
	return out;
}

static json_t *id_text(int64_t id)
{
	char b[24];
	snprintf(b, sizeof(b), "%" PRId64, id);
	return json_string(b);
}

/*
 * One event in the hook's payload version, with the types Procore sends
 * (docs/reference/procore/webhook-payloads.md): v2/v3 int ids, a ulid and
 * metadata whose source_application_id is the client id (a string) of the
 * app that made the change, null for changes made in Procore's UI; v4
 * string ids, a ULID for id, reason and resource_type, no metadata.
 */
static json_t *event_new(struct pc_ctx *c, int version, int64_t event_id, const char *ulid,
			 const char *ts, const char *resource_name, const char *event_type,
			 int64_t resource_id, int64_t project_id)
{
	struct pcsim *pc = c->pc;
	int64_t user = c->via_api ? pc->service_user_id : pc->field_user_id;
	json_t *event, *meta;

	if (version == 4)
		return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:o}", "id", ulid, "timestamp", ts,
				 "reason", event_type, "company_id", id_text(c->company_id),
				 "project_id", project_id ? id_text(project_id) : json_null(),
				 "user_id", id_text(user), "resource_type", resource_name,
				 "resource_id", id_text(resource_id));
	/* source_operation_id is the token the caller put on its request;
	 * the connector sends none, so it is null like Procore's samples */
	meta = json_pack("{s:I,s:o,s:n,s:I,s:o}", "source_user_id", (json_int_t)user,
			 "source_project_id", project_id ? json_integer(project_id) : json_null(),
			 "source_operation_id", "source_company_id", (json_int_t)c->company_id,
			 "source_application_id",
			 c->via_api ? json_string(pc->client_id) : json_null());
	event = json_pack("{s:I,s:s,s:s,s:o,s:I,s:I,s:o,s:s,s:s,s:s,s:I}", "id",
			  (json_int_t)event_id, "ulid", ulid, "timestamp", ts, "metadata", meta,
			  "user_id", (json_int_t)user, "company_id", (json_int_t)c->company_id,
			  "project_id", project_id ? json_integer(project_id) : json_null(),
			  "api_version", version == 3 ? "v3.0" : "v2.0", "event_type", event_type,
			  "resource_name", resource_name, "resource_id", (json_int_t)resource_id);
	if (version == 3)
		json_object_set_new(event, "related_resources",
				    related_resources(pc, resource_name, resource_id));
	return event;
}

void pc_emit(struct pc_ctx *c, const char *resource_name, const char *event_type,
	     int64_t resource_id, int64_t project_id)
{
	struct pcsim *pc = c->pc;
	struct pc_webhooks *wh = pc->wh;
	json_t *hook;
	size_t i;
	int64_t now;

	if (!wh)
		return;
	now = sbx_clock_now(pc->clock);
	json_array_foreach (pc->t[PC_HOOK].rows, i, hook) {
		char ulid[27], ts[MLC_TIME_FMT_MAX];
		json_t *event;
		double dup = pc->sim->faults.dup;

		if (!hook_matches(pc, hook, c->company_id, project_id, resource_name, event_type))
			continue;
		ulid_make(wh, now, ulid);
		time_format_rfc3339(now, ts);
		event = event_new(c, hook_version(hook), wh->next_event_id, ulid, ts, resource_name,
				  event_type, resource_id, project_id);
		wh->next_event_id += 1 + (int64_t)(contractor_rand(&wh->rng) % 5);
		if (dup > 0 && sbx_random(pc->sim) < dup) {
			/* Held back up to 0.8 s while later events pass it:
			 * delivered out of order, and once more later on. */
			enqueue(pc, hook, event, now + (int64_t)(sbx_random(pc->sim) * 800), -1);
			enqueue(pc, hook, event, now + (int64_t)(sbx_random(pc->sim) * 800), -1);
		} else {
			enqueue(pc, hook, event, now, -1);
		}
		json_decref(event);
	}
	pthread_cond_signal(&wh->cond);
}

/* ---- delivery thread ---- */

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
	struct mlc_buf *b = arg;
	if (b->len < 1024)
		buf_add(b, p, size * n < 1024 - b->len ? size * n : 1024 - b->len);
	return size * n;
}

/* A hook is paused while one of its events waits for a retry. */
static bool hook_paused(struct pc_webhooks *wh, int64_t hook_id, int64_t now)
{
	json_t *it;
	size_t i;
	json_array_foreach (wh->queue, i, it) {
		if (pc_int(it, "_hook_id") == hook_id &&
		    (json_is_true(json_object_get(it, "in_flight")) ||
		     (pc_int(it, "attempts") > 0 && pc_int(it, "next_ms") > now)))
			return true;
	}
	return false;
}

static json_t *next_due(struct pc_webhooks *wh, int64_t now)
{
	json_t *it;
	size_t i;
	json_array_foreach (wh->queue, i, it) {
		if (pc_int(it, "next_ms") <= now && !hook_paused(wh, pc_int(it, "_hook_id"), now))
			return it;
	}
	return NULL;
}

static void deliver(struct pcsim *pc, json_t *item)
{
	struct pc_webhooks *wh = pc->wh;
	json_t *hook = pc_get(pc, PC_HOOK, pc_int(item, "_hook_id")), *headers, *rec;
	char *url = NULL, *body = NULL, started[MLC_TIME_FMT_MAX], done[MLC_TIME_FMT_MAX];
	struct curl_slist *hl = NULL;
	struct mlc_buf resp = MLC_BUF_INIT;
	const char *key;
	json_t *v;
	CURL *curl;
	CURLcode cc;
	long status = 0;
	int64_t t0, t1, now;
	bool ok;

	if (!hook) {
		/* The hook was deleted: its queue goes with it. */
		for (size_t i = 0; i < json_array_size(wh->queue); i++)
			if (json_array_get(wh->queue, i) == item)
				json_array_remove(wh->queue, i);
		return;
	}
	json_object_set_new(item, "in_flight", json_true());
	json_incref(item);
	url = xstrdup(pc_str(hook, "destination_url"));
	body = json_dumps(json_object_get(item, "event"), JSON_COMPACT);
	hl = curl_slist_append(hl, "Content-Type: application/json");
	headers = json_object_get(hook, "destination_headers");
	json_object_foreach (headers, key, v) {
		struct mlc_buf h = MLC_BUF_INIT;
		if (!json_is_string(v))
			continue;
		buf_addf(&h, "%s: %s", key, json_string_value(v));
		hl = curl_slist_append(hl, h.data);
		buf_release(&h);
	}
	time_format_rfc3339(sbx_clock_now(pc->clock), started);
	pthread_mutex_unlock(&pc->lock);

	curl = curl_easy_init();
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)WH_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "Procore-Webhooks/2 (ml-connector sandbox)");
	t0 = time_mono_ms();
	cc = curl_easy_perform(curl);
	t1 = time_mono_ms();
	if (cc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	curl_slist_free_all(hl);

	pthread_mutex_lock(&pc->lock);
	now = sbx_clock_now(pc->clock);
	time_format_rfc3339(now, done);
	ok = cc == CURLE_OK && status >= 200 && status < 300 && t1 - t0 <= WH_TIMEOUT_MS;
	json_object_set_new(item, "in_flight", json_false());
	rec = json_pack("{s:I,s:O,s:O,s:s,s:s#,s:o,s:s,s:s,s:o,s:{},s:I}", "id",
			(json_int_t)pc_next_id(pc, PC_DELIVERY), "event",
			json_object_get(item, "event"), "event_id",
			json_object_get(json_object_get(item, "event"), "id"), "outcome", "ok",
			"response_body", resp.data, (int)resp.len, "response_error",
			cc == CURLE_OK ? json_null() : json_string(curl_easy_strerror(cc)),
			"started_at", started, "completed_at", done, "response_status",
			cc == CURLE_OK ? json_integer(status) : json_null(), "response_headers",
			"_hook_id", (json_int_t)pc_int(item, "_hook_id"));
	if (ok) {
		for (size_t i = 0; i < json_array_size(wh->queue); i++)
			if (json_array_get(wh->queue, i) == item)
				json_array_remove(wh->queue, i);
	} else {
		int attempts = (int)pc_int(item, "attempts") + 1;
		int64_t first = pc_int(item, "first_fail_ms") ? pc_int(item, "first_fail_ms") : now;
		int64_t backoff = attempts > 12 ? WH_BACKOFF_MAX_MS : 1000LL << (attempts - 1);
		if (backoff > WH_BACKOFF_MAX_MS)
			backoff = WH_BACKOFF_MAX_MS;
		json_object_set_new(item, "attempts", json_integer(attempts));
		json_object_set_new(item, "first_fail_ms", json_integer(first));
		json_object_set_new(item, "next_ms", json_integer(now + backoff));
		if (now - first >= WH_DISCARD_MS) {
			json_object_set_new(rec, "outcome", json_string("discarded"));
			for (size_t i = 0; i < json_array_size(wh->queue); i++)
				if (json_array_get(wh->queue, i) == item)
					json_array_remove(wh->queue, i);
		} else {
			json_object_set_new(rec, "outcome",
					    json_string(attempts > 1 ? "retried" : "failed"));
		}
	}
	if (rec)
		pc_insert(pc, PC_DELIVERY, rec);
	json_decref(item);
	free(url);
	free(body);
	buf_release(&resp);
}

static void *delivery_main(void *arg)
{
	struct pcsim *pc = arg;
	struct pc_webhooks *wh = pc->wh;

	pthread_mutex_lock(&pc->lock);
	while (!wh->stop) {
		json_t *item = next_due(wh, sbx_clock_now(pc->clock));
		if (item) {
			deliver(pc, item);
			continue;
		}
		/* Poll the clock: time travel moves it without a signal. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += WH_POLL_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wh->cond, &pc->lock, &ts);
	}
	pthread_mutex_unlock(&pc->lock);
	return NULL;
}

int pc_webhooks_start(struct pcsim *pc, struct mlc_error *err)
{
	struct pc_webhooks *wh = xcalloc(1, sizeof(*wh));

	curl_global_init(CURL_GLOBAL_DEFAULT);
	wh->queue = json_array();
	wh->next_event_id = 9007199254740995LL; /* above 2^53 */
	wh->rng = pc->rng ^ 0x776562686f6f6bULL;
	pthread_cond_init(&wh->cond, NULL);
	pc->wh = wh;
	if (pthread_create(&wh->thread, NULL, delivery_main, pc) != 0) {
		pc->wh = NULL;
		pthread_cond_destroy(&wh->cond);
		json_decref(wh->queue);
		free(wh);
		return error_set(err, MLC_EIO, "procore: cannot start the webhook thread");
	}
	wh->running = true;
	return 0;
}

void pc_webhooks_stop(struct pcsim *pc)
{
	struct pc_webhooks *wh = pc->wh;
	if (!wh)
		return;
	pthread_mutex_lock(&pc->lock);
	wh->stop = true;
	pthread_cond_signal(&wh->cond);
	pthread_mutex_unlock(&pc->lock);
	if (wh->running)
		pthread_join(wh->thread, NULL);
	pthread_cond_destroy(&wh->cond);
	json_decref(wh->queue);
	free(wh);
	pc->wh = NULL;
}

size_t pc_webhooks_pending(struct pcsim *pc)
{
	return pc->wh ? json_array_size(pc->wh->queue) : 0;
}
