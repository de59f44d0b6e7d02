/*
 * libFuzzer target for holds.json: any text, no crash, no leak; whatever
 * parses gives NUL-terminated names that the lookups walk safely.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state/holds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), msg[300];
	struct holds h;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (holds_parse("holds.json", text, &h, msg, sizeof(msg)) == 0) {
		size_t k;

		for (k = 0; k < h.n; k++)
			if (memchr(h.v[k].node, '\0', sizeof(h.v[k].node)) ==
			    NULL)
				abort();
		(void)holds_active(&h, "node-0", 0);
		(void)holds_find(&h, "node-0", HOLD_PROCEDURE, "p", 0);
		(void)holds_count(&h, "node-0", 0);
		for (k = 0; k < h.n; k++) {
			char what[700];

			holds_describe(&h.v[k], what, sizeof(what));
		}
		(void)holds_rearmed(&h, "node-0");
	}
	holds_free(&h);
	free(text);
	return 0;
}
