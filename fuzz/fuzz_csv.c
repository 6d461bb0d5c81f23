/* libFuzzer target: mapping CSV files and money text from outside. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlc_csv_row *rows = NULL;
	size_t n = 0;
	char *text = malloc(size + 1);
	int64_t cents;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (csv_parse(text, size, &rows, &n, NULL) == 0)
		csv_rows_free(rows, n);
	/* parse, and when it parses, format back and parse again: same value */
	if (money_parse(text, &cents, NULL) == 0) {
		char out[MONEY_FMT_MAX];
		int64_t again;
		money_format(cents, out);
		if (money_parse(out, &again, NULL) != 0 || again != cents)
			abort();
	}
	free(text);
	return 0;
}
