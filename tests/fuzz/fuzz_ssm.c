/*
 * libFuzzer target for what comes back from a node over SSM: the output
 * framing (ssmcmd_unframe) and the journal polls (ssmjournal_take), fed
 * one input split into polls at "\n%%\n", each poll's first byte saying
 * whether SSM cut it and whether the node runs old systemd. No crash, no
 * leak; a cursor taken is one a shell can carry; no line delivered holds
 * a newline.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/ssmcmd.h"
#include "transport/ssmjournal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_line(void *ctx, const char *line, size_t len, bool cut)
{
	(void)ctx;
	(void)cut;
	if (memchr(line, '\n', len) != NULL)
		abort(); /* a line never holds a newline */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct ssmjournal j;
	size_t o, e, skip;

	if (ssmcmd_unframe(p, size, &o, &e, &skip) && skip > size)
		abort();
	ssmjournal_init(&j);
	while (p < end) {
		const char *sep = memmem(p, (size_t)(end - p), "\n%%\n", 4);
		size_t len = sep ? (size_t)(sep - p) : (size_t)(end - p);

		if (len > 0) {
			j.compat = (p[0] & 2) != 0;
			ssmjournal_take(&j, p + 1, len - 1, (p[0] & 1) != 0,
					on_line, NULL);
			if (strspn(j.cursor,
				   "abcdefghijklmnopqrstuvwxyzABCDEFG"
				   "HIJKLMNOPQRSTUVWXYZ0123456789=;-_") !=
			    strlen(j.cursor))
				abort();
			free(ssmjournal_command(&j, "journalctl"));
		}
		p += len + (sep ? 4 : 0);
	}
	ssmjournal_free(&j);
	return 0;
}
