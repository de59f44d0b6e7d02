/*
 * libFuzzer target for the sanitizer: whatever comes in, what goes out
 * holds no control character (so no escape sequence) and is valid UTF-8,
 * and never overflows its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_clean(const unsigned char *s, size_t n, int ascii)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

		if (c < 0x20 || c == 0x7f || (ascii && c >= 0x80))
			abort();
		if (c >= 0x80 && (c < 0xc2 || c > 0xf4 || i + len > n))
			abort();
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				abort();
		/* No C1 control (U+0080..U+009F) either. */
		if (c == 0xc2 && s[i + 1] < 0xa0)
			abort();
		i += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char small[17], *big = malloc(size + 1);
	size_t n;

	if (big == NULL)
		return 0;
	n = sanitize_text((const char *)data, size, big, size + 1, 0);
	if (n > size || big[n] != '\0' || strlen(big) != n)
		abort();
	check_clean((const unsigned char *)big, n, 0);
	n = sanitize_text((const char *)data, size, small, sizeof(small), 1);
	if (n >= sizeof(small))
		abort();
	check_clean((const unsigned char *)small, n, 1);
	free(big);
	return 0;
}
