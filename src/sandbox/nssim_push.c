#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/nssim.h"
#include "util/log.h"
#include "util/banned.h"

/*
 * Event pushes (docs/reference/netsuite.md "Outbound events"): what a User Event script's
 * afterSubmit N/https.post would send.  Fire-and-forget from 127.0.0.1,
 * the shared secret in a header, body {recordType, id, lastModifiedDate,
 * user, executionContext} (the script reads the last two from N/runtime);
 * the push_drop fault loses some, as real pushes get lost.  One worker
 * thread drains a queue so that a slow receiver never holds a request.
 */

#define PUSH_SECRET_HEADER "X-MLC-Webhook-Secret"

struct nssim_push_item {
	struct nssim_push_item *next;
	char *body;
};

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	MLC_UNUSED(p);
	MLC_UNUSED(arg);
	return size * n;
}

static void *push_main(void *arg)
{
	struct nssim *ns = arg;

	for (;;) {
		struct nssim_push_item *it;
		CURL *c;
		struct curl_slist *hl = NULL;
		char hdr[512];
		CURLcode cc;

		pthread_mutex_lock(&ns->push_lock);
		while (!ns->push_head && !ns->push_stop)
			pthread_cond_wait(&ns->push_cond, &ns->push_lock);
		if (ns->push_stop) {
			pthread_mutex_unlock(&ns->push_lock);
			break;
		}
		it = ns->push_head;
		ns->push_head = it->next;
		if (!ns->push_head)
			ns->push_tail = NULL;
		pthread_mutex_unlock(&ns->push_lock);

		c = curl_easy_init();
		snprintf(hdr, sizeof(hdr), "%s: %s", PUSH_SECRET_HEADER, ns->push_secret);
		hl = curl_slist_append(hl, hdr);
		hl = curl_slist_append(hl, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_URL, ns->push_url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, it->body);
		curl_easy_setopt(c, CURLOPT_INTERFACE, "host!127.0.0.1");
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
		cc = curl_easy_perform(c);
		pthread_mutex_lock(&ns->push_lock);
		if (cc == CURLE_OK)
			ns->pushes_sent++;
		else
			ns->pushes_failed++;
		pthread_mutex_unlock(&ns->push_lock);
		if (cc != CURLE_OK)
			log_debug("netsuite push failed", "error", curl_easy_strerror(cc));
		curl_slist_free_all(hl);
		curl_easy_cleanup(c);
		free(it->body);
		free(it);
	}
	return NULL;
}

void nssim_push(struct nssim *ns, const char *record_type, int64_t id, const char *lastmod,
		const struct ns_actor *actor)
{
	struct nssim_push_item *it;
	char idtxt[24], ts[32];
	json_t *body;

	if (!ns->push_running)
		return;
	if (ns->sim && sbx_random(ns->sim) < ns->sim->faults.push_drop) {
		pthread_mutex_lock(&ns->push_lock);
		ns->pushes_dropped++;
		pthread_mutex_unlock(&ns->push_lock);
		return;
	}
	snprintf(idtxt, sizeof(idtxt), "%lld", (long long)id);
	snprintf(ts, sizeof(ts), "%.10sT%.8sZ", lastmod, lastmod + 11);
	body = json_pack("{s:s,s:s,s:s,s:I,s:s}", "recordType", record_type, "id", idtxt,
			 "lastModifiedDate", ts, "user",
			 (json_int_t)(actor ? actor->user : NSSIM_UI_USER), "executionContext",
			 actor ? actor->context : "USERINTERFACE");
	it = xcalloc(1, sizeof(*it));
	it->body = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	pthread_mutex_lock(&ns->push_lock);
	if (ns->push_tail)
		ns->push_tail->next = it;
	else
		ns->push_head = it;
	ns->push_tail = it;
	pthread_cond_signal(&ns->push_cond);
	pthread_mutex_unlock(&ns->push_lock);
}

void nssim_push_start(struct nssim *ns)
{
	ns->push_running = pthread_create(&ns->push_thread, NULL, push_main, ns) == 0;
}

void nssim_push_stop(struct nssim *ns)
{
	if (ns->push_running) {
		pthread_mutex_lock(&ns->push_lock);
		ns->push_stop = true;
		pthread_cond_signal(&ns->push_cond);
		pthread_mutex_unlock(&ns->push_lock);
		pthread_join(ns->push_thread, NULL);
		ns->push_running = false;
	}
	while (ns->push_head) {
		struct nssim_push_item *n = ns->push_head->next;
		free(ns->push_head->body);
		free(ns->push_head);
		ns->push_head = n;
	}
}
