/*
 * libFuzzer target for the shared state's document and its operations
 * (state/shareddoc.h): the input is split at its first NUL byte into a
 * document (what S3 answered, which another bvops, or anybody with write
 * access to the bucket, wrote) and an operation (a line of
 * pending.jsonl). Any text: no crash, no leak; a document that parses
 * takes any operation, and prints back as a document that parses again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "state/lockdoc.h"
#include "state/shareddoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t dlen = nul ? (size_t)(nul - data) : size;
	char *doc_text = xstrndup((const char *)data, dlen);
	char *op_text =
	    nul ? xstrndup((const char *)nul + 1, size - dlen - 1) : NULL;
	char msg[300];
	cJSON *doc = shareddoc_parse("fuzz", doc_text, dlen, msg, sizeof(msg));
	struct fleetlock_holder h;

	lockdoc_parse(doc_text, &h);
	if (doc != NULL) {
		cJSON *op = op_text ? cJSON_Parse(op_text) : NULL;
		char owner[200];
		int64_t since;
		bool changed;

		if (op != NULL &&
		    shareddoc_apply(doc, op, &changed, msg, sizeof(msg)) == 0) {
			char *again = shareddoc_print(doc);
			cJSON *back = shareddoc_parse(
			    "again", again, strlen(again), msg, sizeof(msg));

			if (back == NULL)
				abort(); /* what bvops writes it reads */
			cJSON_Delete(back);
			free(again);
		}
		shareddoc_op_describe(op, msg, sizeof(msg));
		(void)shareddoc_mark(doc, "debug", "node-0", owner,
				     sizeof(owner), &since);
		cJSON_Delete(op);
		cJSON_Delete(doc);
	}
	free(op_text);
	free(doc_text);
	return 0;
}
