/* Helpers shared by the libFuzzer targets in fuzz/ (header only: the
 * build globs fuzz/fuzz_*.c, one executable per target). */
#ifndef MLC_FUZZ_COMMON_H
#define MLC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of the input (an embedded NUL ends the text, as
 * it would for a C string arriving from a header or a file).  Caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Splits the NUL-terminated text s in place at '\n' into at most max
 * fields; the last field keeps the rest (newlines included).  Returns the
 * number of fields (at least 1).
 */
static inline size_t fuzz_split(char *s, char **fields, size_t max)
{
	size_t n = 0;

	fields[n++] = s;
	while (n < max) {
		char *nl = strchr(s, '\n');
		if (!nl)
			break;
		*nl = '\0';
		s = nl + 1;
		fields[n++] = s;
	}
	return n;
}

/* Takes up to 8 bytes from the front of the input as an integer. */
static inline uint64_t fuzz_take_u64(const uint8_t **data, size_t *size)
{
	uint64_t v = 0;
	size_t k = *size < 8 ? *size : 8;

	for (size_t i = 0; i < k; i++)
		v = (v << 8) | (*data)[i];
	*data += k;
	*size -= k;
	return v;
}

#endif
