/*
 * libFuzzer target for the unified diff (diff.h): the input split in two
 * texts at its first NUL (or in half); no crash, no leak, and a diff is
 * empty exactly when the texts are equal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *a = (const char *)data, *nul = memchr(data, 0, size);
	size_t alen = nul ? (size_t)(nul - a) : size / 2;
	const char *b = a + alen + (nul ? 1 : 0);
	size_t blen = size - alen - (nul ? 1 : 0);
	char *d = diff_unified(a, alen, b, blen, "a", "b", alen % 2 == 0);

	if (d != NULL &&
	    (d[0] == '\0') != (alen == blen && memcmp(a, b, alen) == 0))
		abort();
	free(d);
	return 0;
}
