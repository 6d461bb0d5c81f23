/* libFuzzer target: Redis replies to the shared token cache
 * (auth/token_redis.c).  The replies come from a fake Redis on loopback
 * started by this target: each command gets the input's reply bytes, then
 * the connection is closed, so a short reply ends at once.
 *
 * First input byte: 0 = the rest is a raw reply (RESP, read by hiredis)
 * to GET, SET NX PX and the unlock EVAL; 1 = the rest is sealed with the
 * vault and sent as a bulk string, so the payload layout behind the seal
 * (times and token, see token_redis.c) is reached too. */
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "auth/token_internal.h"
#include "core/vault.h"
#include "fuzz_common.h"
#include "util/buf.h"
#include "util/log.h"

static pthread_mutex_t reply_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mlc_buf reply = MLC_BUF_INIT;
static int listen_fd = -1;
static char url[64];
static struct mlc_vault *vault;

static void *serve(void *arg)
{
	char in[65536];

	(void)arg;
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		/* every command of a connection gets the same reply; the
		 * connection ends with the first read that finds it closed */
		while (read(fd, in, sizeof(in)) > 0) {
			pthread_mutex_lock(&reply_lock);
			if (reply.len && write(fd, reply.data, reply.len) < 0) {
				pthread_mutex_unlock(&reply_lock);
				break;
			}
			pthread_mutex_unlock(&reply_lock);
			shutdown(fd, SHUT_WR);
		}
		close(fd);
	}
	return NULL;
}

static void start(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	unsigned char key[VAULT_KEY_BYTES];
	pthread_t t;
	FILE *devnull;

	signal(SIGPIPE, SIG_IGN); /* as cli_main does: hiredis writes to closed sockets */
	if (sodium_init() < 0)
		abort();
	/* logs on (to nowhere): the log paths read what Redis said */
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	log_setup(MLC_LOG_DEBUG, MLC_LOG_LOGFMT, devnull);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(listen_fd, 16) != 0 || getsockname(listen_fd, (struct sockaddr *)&a, &len) != 0)
		abort();
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d", ntohs(a.sin_port));
	memset(key, 7, sizeof(key));
	if (vault_new(key, sizeof(key), &vault, NULL) != 0)
		abort();
	if (pthread_create(&t, NULL, serve, NULL) != 0)
		abort();
	pthread_detach(t);
}

static void set_reply(const uint8_t *data, size_t size, bool sealed)
{
	struct mlc_buf box = MLC_BUF_INIT;
	static const char ad[] = "mlc.token.v1\0fuzz"; /* ad_of() for the name "fuzz" */

	pthread_mutex_lock(&reply_lock);
	buf_reset(&reply);
	if (!sealed) {
		buf_add(&reply, data, size);
	} else {
		if (vault_seal(vault, ad, sizeof(ad) - 1, data, size, &box, NULL) != 0)
			abort();
		buf_addf(&reply, "$%zu\r\n", box.len);
		buf_add(&reply, box.data, box.len);
		buf_addstr(&reply, "\r\n");
	}
	pthread_mutex_unlock(&reply_lock);
	buf_release(&box);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct mlc_token_shared *sh;
	struct token_entry e;
	char lock_value[33];
	const int64_t now = 1767225600000;
	int rc;

	if (!ready) {
		start();
		ready = true;
	}
	if (size < 1)
		return 0;
	set_reply(data + 1, size - 1, data[0] & 1);

	/* a fresh connection (and no back-off) each time */
	if (token_shared_new(url, vault, &sh, NULL) != 0)
		abort();
	memset(&e, 0, sizeof(e));
	rc = token_shared_load(sh, "fuzz", now, &e);
	if (rc == 1 && (!e.token || e.refresh_ms <= now))
		abort(); /* loaded only while before its refresh time */
	if (rc != 1 && e.token)
		abort();
	token_entry_release(&e);
	token_shared_free(sh);
	if (!(data[0] & 1)) {
		if (token_shared_new(url, vault, &sh, NULL) != 0)
			abort();
		rc = token_shared_lock(sh, "fuzz", 15000, lock_value);
		if (rc > 1)
			abort();
		token_shared_unlock(sh, "fuzz", lock_value);
		token_shared_free(sh);
	}
	return 0;
}
