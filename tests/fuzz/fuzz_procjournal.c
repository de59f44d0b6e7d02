/*
 * libFuzzer target for procedure journals read back (procjournal.h): any
 * text, no crash, no leak; what parses has a begin record, and every
 * lookup walks it safely.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state/procjournal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), msg[300];
	struct procjournal_view v;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (procjournal_parse("x.jsonl", text, &v, msg, sizeof(msg)) == 0) {
		if (v.begin == NULL)
			abort();
		(void)procjournal_find(&v, "upload", "node-0");
		(void)procjournal_find(&v, "read", NULL);
		procjournal_view_free(&v);
	}
	free(text);
	return 0;
}
