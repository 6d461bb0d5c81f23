/* libFuzzer target: NetSuite and Procore response bodies.  The body goes
 * through http_resp_json() as the adapters receive it; every object in it
 * is then read with the accessors the adapters' record readers use
 * (jsonx_id, jsonx_str, jsonx_money_get, jsonx_bool, money_from_json,
 * dec_from_json for quantities and rates), the error readers of both
 * adapters (procore_error_text, netsuite_error_code/_text) run on it, and
 * remote text must come back out of jsonx_dumps() as the same JSON (no
 * remote string is ever emitted unquoted). */
#include <stdbool.h>

#include "fuzz_common.h"
#include "net/http_client.h"
#include "netsuite/netsuite.h"
#include "procore/procore.h"
#include "util/jsonx.h"
#include "util/money.h"

#define MAX_DEPTH 8

static void read_value(const json_t *v)
{
	int64_t n;

	(void)money_from_json(v, &n, NULL);
	(void)dec_from_json(v, 4, DEC_HALF_EVEN, &n, NULL);
	(void)dec_from_json(v, 6, DEC_EXACT, &n, NULL);
}

static void walk(const json_t *v, int depth)
{
	const char *key;
	json_t *m;
	size_t i;
	int64_t n;

	if (depth > MAX_DEPTH)
		return;
	read_value(v);
	if (json_is_object(v)) {
		json_object_foreach ((json_t *)v, key, m) {
			if (jsonx_id(v, key, &n) == 0 && n < 0)
				abort(); /* "MLC_EINVAL when present but not a positive int64" */
			(void)jsonx_str(v, key);
			(void)jsonx_money_get(v, key, true, &n, NULL);
			(void)jsonx_money_get(v, key, false, &n, NULL);
			(void)jsonx_bool(v, key);
			walk(m, depth + 1);
		}
	} else if (json_is_array(v)) {
		json_array_foreach ((json_t *)v, i, m)
			walk(m, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlc_http_resp r;
	struct mlc_buf text = MLC_BUF_INIT;
	char code[64];
	json_t *j;

	http_resp_init(&r);
	r.status = 200;
	buf_add(&r.body, data, size);
	j = http_resp_json(&r, NULL);
	netsuite_error_code((const char *)data, size, code, sizeof(code));
	if (!memchr(code, '\0', sizeof(code)))
		abort();
	netsuite_error_text((const char *)data, size, &text);
	buf_reset(&text);
	if (j) {
		char *out;
		json_t *back;
		walk(j, 0);
		procore_error_text(j, &text);
		out = jsonx_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		back = out ? json_loads(out, JSON_DECODE_ANY, NULL) : NULL;
		if (!back || !json_equal(back, j))
			abort();
		json_decref(back);
		free(out);
		json_decref(j);
	}
	buf_release(&text);
	http_resp_release(&r);
	return 0;
}
