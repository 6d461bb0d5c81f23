/* libFuzzer target: time zone names from configuration (tz_load reads
 * the named TZif file of the system's tzdata; the name is the outside
 * input, never a path) and offsets at any instant in the loaded zone.
 * Input: 8 bytes of instant, then the name. */
#include "fuzz_common.h"
#include "util/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t at = (int64_t)fuzz_take_u64(&data, &size);
	char *name = fuzz_cstr(data, size);
	struct mlc_tz tz;
	struct mlc_civil c;
	int32_t off;

	if (tz_load(name, &tz, NULL) == 0) {
		/* -2^40 .. 2^40 s: far past and future of any transition */
		at %= (int64_t)1 << 40;
		off = tz_offset(&tz, at);
		if (off < -24 * 3600 || off > 24 * 3600)
			abort();
		civil_from_seconds(at + off, &c);
		if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > 31 || c.wday < 0 ||
		    c.wday > 6)
			abort();
		tz_release(&tz);
	}
	free(name);
	return 0;
}
