/* libFuzzer target: schedule expressions from configuration (cron_parse)
 * and the next run they give, in UTC and in a zone with DST changes.
 * Input: 8 bytes of instant, then the expression. */
#include <stdbool.h>

#include "fuzz_common.h"
#include "util/cron.h"
#include "util/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mlc_tz utc, ny;
	static bool ready;
	/* 1970 .. about 2500 */
	int64_t after = (int64_t)(fuzz_take_u64(&data, &size) % 16725225600ULL);
	char *text = fuzz_cstr(data, size);
	struct mlc_cron c;
	struct mlc_civil civ;
	int64_t next;

	if (!ready) {
		if (tz_load("UTC", &utc, NULL) != 0 || tz_load("America/New_York", &ny, NULL) != 0)
			abort();
		ready = true;
	}
	if (cron_parse(text, &c, NULL) == 0) {
		next = cron_next(&c, &utc, after);
		if (next != -1 && next <= after)
			abort();
		if (next != -1) {
			civil_from_seconds(next, &civ);
			if (!cron_match(&c, &civ))
				abort();
		}
		next = cron_next(&c, &ny, after);
		if (next != -1 && next <= after)
			abort();
	}
	free(text);
	return 0;
}
