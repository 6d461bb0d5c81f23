/* libFuzzer target: the wait headers an upstream sends (Retry-After in
 * both forms, X-Rate-Limit-Reset, Date) and the retry verdict on a status
 * and body (net/http_retry.h).  Input: 8 bytes of clock, then lines
 * "retry-after \n rate-reset \n date \n status \n body". */
#include <stdbool.h>

#include "fuzz_common.h"
#include "net/http_retry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* our own clock: 1970 .. about 2109, never remote */
	int64_t now = (int64_t)(fuzz_take_u64(&data, &size) & ((1ULL << 42) - 1));
	char *text = fuzz_cstr(data, size);
	char empty[1] = "";
	char *f[5] = {empty, empty, empty, empty, empty};
	struct mlc_retry_input in;
	struct mlc_retry_verdict v;
	int64_t ra, rr, srv;

	fuzz_split(text, f, 5);
	ra = retry_after_ms(f[0], now);
	if (ra < -1 || ra > RETRY_AFTER_MAX_MS)
		abort();
	rr = rate_reset_ms(f[1], now);
	if (rr < -1 || rr > RATE_RESET_MAX_MS)
		abort();
	srv = server_now_ms(f[2], now);
	/* waits are taken against the server's clock too */
	if (retry_after_ms(f[0], srv) > RETRY_AFTER_MAX_MS ||
	    rate_reset_ms(f[1], srv) > RATE_RESET_MAX_MS)
		abort();

	memset(&in, 0, sizeof(in));
	in.status = atoi(f[3]);
	in.body = f[4];
	in.retry_after = *f[0] ? f[0] : NULL;
	in.rate_reset = *f[1] ? f[1] : NULL;
	in.sent = true;
	in.idempotent = (now & 1) != 0;
	in.can_refresh = (now & 2) != 0;
	in.login_401_budget = (now & 4) != 0;
	in.now_wall_ms = now;
	retry_classify(&in, &v);
	/* outcomes are 0 or a negative MLC_E* code */
	if (v.rc > 0 || v.wait_ms < -1)
		abort();
	free(text);
	return 0;
}
