#include "lib/base64.h"

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encode(const unsigned char *in, size_t len, char *out, bool pad)
{
	size_t k, o = 0;

	for (k = 0; k + 2 < len; k += 3) {
		unsigned long v = (unsigned long)in[k] << 16 |
				  (unsigned long)in[k + 1] << 8 | in[k + 2];

		out[o++] = base64_alphabet[v >> 18 & 63];
		out[o++] = base64_alphabet[v >> 12 & 63];
		out[o++] = base64_alphabet[v >> 6 & 63];
		out[o++] = base64_alphabet[v & 63];
	}
	if (len - k == 1) {
		out[o++] = base64_alphabet[in[k] >> 2];
		out[o++] = base64_alphabet[(in[k] & 3) << 4];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (len - k == 2) {
		unsigned long v = (unsigned long)in[k] << 8 | in[k + 1];

		out[o++] = base64_alphabet[v >> 10 & 63];
		out[o++] = base64_alphabet[v >> 4 & 63];
		out[o++] = base64_alphabet[(v & 15) << 2];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long base64_decode(const char *text, size_t len, unsigned char *out,
		   size_t outsize)
{
	unsigned long acc = 0;
	size_t k, o = 0;
	int bits = 0;

	for (k = 0; k < len; k++) {
		char c = text[k];
		int v;

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=')
			break;
		v = base64_value(c);
		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outsize)
				return -1;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	return (long)o;
}
