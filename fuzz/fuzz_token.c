/* libFuzzer target: what a token endpoint answers, as the token cache
 * takes it (auth/token.h).  oauth.c decodes the answer's access_token and
 * expires_in (a JSON integer or a digit string: any int64) inside its
 * HTTP exchange, which needs a server; the cache's handling of both is
 * reached here through its fetch callback.  Input: 8 bytes of
 * expires_in, 8 bytes of clock, then the token text. */
#include <stdbool.h>

#include <sodium.h>

#include "auth/token.h"
#include "core/vault.h"
#include "fuzz_common.h"
#include "util/buf.h"

struct answer {
	int64_t expires_in;
	const char *token;
	int64_t now;
};

static int64_t clock_at(void *arg)
{
	return ((const struct answer *)arg)->now;
}

static int fetch(void *arg, struct mlc_token_grant *out, struct mlc_error *err)
{
	const struct answer *a = arg;

	(void)err;
	out->access_token = secret_new(a->token, strlen(a->token));
	out->expires_in_s = a->expires_in;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answer a;
	struct mlc_token_policy p = {4800 * 1000, 600 * 1000}; /* Procore's defaults */
	struct mlc_token_cache_opts o;
	struct mlc_token_cache *c;
	struct mlc_buf tok = MLC_BUF_INIT;
	char *text;
	int64_t at;

	if (sodium_init() < 0) /* secrets live in sodium memory */
		abort();
	a.expires_in = (int64_t)fuzz_take_u64(&data, &size);
	/* our own clock: 1970 .. about 2109 */
	a.now = (int64_t)(fuzz_take_u64(&data, &size) & ((1ULL << 42) - 1));
	text = fuzz_cstr(data, size);
	a.token = text;

	at = token_refresh_at(&p, a.now, a.expires_in);
	if (a.expires_in > 0 && (at < a.now || at > a.now + p.max_age_ms))
		abort();
	memset(&o, 0, sizeof(o));
	o.name = "fuzz";
	o.policy = p;
	o.fetch = fetch;
	o.fetch_arg = &a;
	o.clock = clock_at;
	o.clock_arg = &a;
	c = token_cache_new(&o);
	if (token_cache_get(c, &tok, NULL) == 0) {
		if (strcmp(tok.data, text) != 0 || a.expires_in <= 0 || !*text)
			abort();
		at = token_cache_refresh_at(c);
		if (at < a.now || at > a.now + p.max_age_ms)
			abort();
	}
	buf_release_wipe(&tok);
	token_cache_free(c);
	free(text);
	return 0;
}
