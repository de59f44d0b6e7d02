/*
 * libFuzzer target for the fleet config lint (cfglint.h): the input is
 * up to four configs separated by "\n%%\n", linted together as nodes 0
 * to 3. No crash, no leak; every problem is one line naming its node.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state/cfglint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"n0", "n1", "n2", "n3"};
	struct cfglint_input in[4];
	const char *p = (const char *)data, *end = p + size;
	struct buf out;
	size_t n = 0, problems, lines = 0, k;
	char *said;

	while (n < 4) {
		const char *sep = memmem(p, (size_t)(end - p), "\n%%\n", 4);
		const char *stop = sep ? sep : end;

		in[n] = (struct cfglint_input){.node = names[n],
					       .index = (int64_t)n,
					       .where = "fuzz.toml",
					       .text = p,
					       .len = (size_t)(stop - p)};
		n++;
		if (sep == NULL)
			break;
		p = sep + 4;
	}
	buf_init(&out, 0);
	problems = cfglint_run(in, n, &out);
	said = buf_take(&out, NULL);
	for (k = 0; said[k]; k++)
		lines += said[k] == '\n';
	if (lines < problems)
		abort(); /* a problem said without its line */
	free(said);
	return 0;
}
