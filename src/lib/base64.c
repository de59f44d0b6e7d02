/*
 * base64: libcrypto's codec, with the conventions SSH files need around
 * it: whitespace skipped, padding optional, the output size checked.
 */
#include "lib/base64.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

size_t base64_encode(const unsigned char *in, size_t len, char *out, bool pad)
{
	size_t o = len > 0 ? (size_t)EVP_EncodeBlock((unsigned char *)out, in,
						     (int)len)
			   : 0;

	out[o] = '\0';
	while (!pad && o > 0 && out[o - 1] == '=')
		out[--o] = '\0';
	return o;
}

static bool base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

long base64_decode(const char *text, size_t len, unsigned char *out,
		   size_t outsize)
{
	/* The characters alone, padded to a whole block for libcrypto. */
	char *clean = xmalloc(len + 4);
	unsigned char *raw;
	size_t n = 0, k, pads, want;
	int got;

	for (k = 0; k < len; k++) {
		char c = text[k];

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=')
			break;
		if (!base64_char(c)) {
			free(clean);
			return -1;
		}
		clean[n++] = c;
	}
	if (n % 4 == 1) { /* six bits: no whole byte, dropped */
		n--;
	}
	pads = (4 - n % 4) % 4;
	memset(clean + n, '=', pads);
	want = (n + pads) / 4 * 3 - pads;
	if (want > outsize) {
		free(clean);
		return -1;
	}
	if (n == 0) {
		free(clean);
		return 0;
	}
	raw = xmalloc((n + pads) / 4 * 3);
	got = EVP_DecodeBlock(raw, (unsigned char *)clean, (int)(n + pads));
	free(clean);
	if (got < 0 || (size_t)got < want) {
		free(raw);
		return -1;
	}
	memcpy(out, raw, want);
	free(raw);
	return (long)want;
}
