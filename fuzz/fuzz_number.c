/* libFuzzer target: numbers, decimals, money and times as remote text
 * (num_parse_*, dec_parse, money_parse, time_parse_rfc3339), each checked
 * by formatting the value back and parsing it again. */
#include <stdbool.h>

#include "fuzz_common.h"
#include "util/money.h"
#include "util/num.h"
#include "util/time.h"

static const enum dec_rounding modes[] = {DEC_EXACT, DEC_HALF_EVEN, DEC_HALF_UP};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char out[64];
	int64_t i, again;
	uint64_t u;
	int small;

	if (num_parse_i64(text, &i, NULL) == 0) {
		snprintf(out, sizeof(out), "%lld", (long long)i);
		if (num_parse_i64(out, &again, NULL) != 0 || again != i)
			abort();
	}
	if (num_parse_u64(text, &u, NULL) == 0 && text[0] == '-')
		abort();
	if (num_parse_id(text, &i, NULL) == 0 && i < 1)
		abort();
	if (num_parse_int(text, -5, 5, &small, NULL) == 0 && (small < -5 || small > 5))
		abort();
	for (int scale = 0; scale <= 8; scale++) {
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			if (dec_parse(text, scale, modes[m], &i, NULL) != 0)
				continue;
			dec_format(i, scale, out, sizeof(out));
			if (dec_parse(out, scale, DEC_EXACT, &again, NULL) != 0 || again != i)
				abort();
			dec_format_trim(i, scale, 0, out, sizeof(out));
			if (dec_parse(out, scale, DEC_EXACT, &again, NULL) != 0 || again != i)
				abort();
		}
	}
	if (money_parse(text, &i, NULL) == 0) {
		char m[MONEY_FMT_MAX];
		money_format(i, m);
		if (money_parse(m, &again, NULL) != 0 || again != i)
			abort();
	}
	if (time_parse_rfc3339(text, &i, NULL) == 0) {
		char t[MLC_TIME_FMT_MAX];
		time_format_rfc3339(i, t);
		if (time_parse_rfc3339(t, &again, NULL) != 0 || again != i)
			abort();
	}
	free(text);
	return 0;
}
