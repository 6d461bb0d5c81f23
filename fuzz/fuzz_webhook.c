/* libFuzzer target: webhook bodies from outside (Procore deliveries and
 * NetSuite pushes).  Build: make fuzz; run: build-fuzz/fuzz_webhook -max_total_time=60 */
#include <stddef.h>
#include <stdint.h>

#include "server/webhook_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procore_event pe;
	struct netsuite_event ne;
	json_t *payload = NULL;

	if (webhook_parse_procore((const char *)data, size, &pe, &payload, NULL) == 0)
		json_decref(payload);
	if (webhook_parse_netsuite((const char *)data, size, &ne, &payload, NULL) == 0)
		json_decref(payload);
	return 0;
}
