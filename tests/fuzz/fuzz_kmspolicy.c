/*
 * libFuzzer target for the key policy's PCR8 (kmspolicy.h): find and set
 * on any text; no crash, no leak; for a text without escapes (raw bytes
 * are the values) a 96-character PCR8 changed to zeros keeps the length,
 * and changed back is the input again, byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state/kmspolicy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmspolicy_pcr8 f;
	char msg[600], *text = malloc(size + 1);
	size_t len, blen;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (kmspolicy_find_pcr8(text, size, &f, msg, sizeof(msg)) == 0 &&
	    strlen(f.value) == 96 && memchr(data, '\\', size) == NULL &&
	    memchr(data, 0, size) == NULL) {
		char orig[128], *dbg;

		memcpy(orig, f.value, sizeof(orig));
		dbg = kmspolicy_set_pcr8(text, size, KMSPOLICY_ZERO_PCR, &len,
					 msg, sizeof(msg));
		if (dbg != NULL) {
			char *back;

			if (len != size)
				abort();
			back = kmspolicy_set_pcr8(dbg, len, orig, &blen, msg,
						  sizeof(msg));
			if (back != NULL &&
			    (blen != size || memcmp(back, text, size) != 0))
				abort();
			free(back);
			free(dbg);
		}
	}
	free(text);
	return 0;
}
