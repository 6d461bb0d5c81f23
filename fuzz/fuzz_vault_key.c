/* libFuzzer target: the master key as text (MLC_MASTER_KEY, key files in
 * hex or base64: vault_parse_key_text) and its key id. */
#include "core/vault.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	unsigned char key[VAULT_KEY_BYTES];
	char id[VAULT_KEY_ID_LEN + 1];

	if (vault_parse_key_text(text, key, NULL) == 0) {
		memset(id, 'x', sizeof(id));
		vault_key_id(key, id);
		if (strlen(id) != VAULT_KEY_ID_LEN)
			abort();
	}
	free(text);
	return 0;
}
