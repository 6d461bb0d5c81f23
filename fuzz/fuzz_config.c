/* libFuzzer target: configuration files. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlc_config cfg;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (config_load_text(&cfg, text, "fuzz.yaml", "/tmp", NULL) == 0)
		config_release(&cfg);
	free(text);
	return 0;
}
