#include "lib/sanitize.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Length of a valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t sanitize_utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t len, k;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	*cp = c & (0x7fu >> len);
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[k] & 0x3fu);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * Characters that reorder or hide text without showing themselves: the
 * bidi embeddings, overrides and isolates, and the zero-width ones. A log
 * line could use them to make "rm" read as "mr" or hide a word; they are
 * drawn as a visible mark instead.
 */
static bool sanitize_invisible(unsigned cp)
{
	return (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) ||
	       (cp >= 0x200b && cp <= 0x200f) || cp == 0xfeff;
}

/* Skip an escape sequence starting at in[i] == ESC; returns its end. */
static size_t sanitize_skip_escape(const unsigned char *in, size_t len,
				   size_t i)
{
	i++;
	if (i >= len)
		return i;
	if (in[i] == '[') { /* CSI: parameters, then a final byte */
		for (i++; i < len; i++)
			if (in[i] >= 0x40 && in[i] <= 0x7e)
				return i + 1;
		return len;
	}
	if (in[i] == ']' || in[i] == 'P' || in[i] == '_' || in[i] == '^') {
		/* OSC/DCS/APC/PM: up to BEL or ESC \ */
		for (i++; i < len; i++) {
			if (in[i] == 0x07)
				return i + 1;
			if (in[i] == 0x1b && i + 1 < len && in[i + 1] == '\\')
				return i + 2;
		}
		return len;
	}
	/* ESC followed by intermediates and one final byte. */
	while (i < len && in[i] >= 0x20 && in[i] <= 0x2f)
		i++;
	return i < len ? i + 1 : len;
}

size_t sanitize_text(const char *text, size_t len, char *out, size_t size,
		     bool ascii_only)
{
	const unsigned char *in = (const unsigned char *)text;
	size_t i = 0, o = 0;

	if (size == 0)
		return 0;
	while (i < len && o + 1 < size) {
		unsigned c = in[i], cp = 0;
		size_t n;

		/* Most log text is printable ASCII: copy runs of it whole. */
		if (c >= 0x20 && c < 0x7f) {
			size_t end = i + 1, room = size - 1 - o;

			while (end < len && end - i < room && in[end] >= 0x20 &&
			       in[end] < 0x7f)
				end++;
			memcpy(out + o, in + i, end - i);
			o += end - i;
			i = end;
			continue;
		}
		if (c == 0x1b) {
			i = sanitize_skip_escape(in, len, i);
			continue;
		}
		if (c == '\t') {
			out[o++] = ' ';
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			out[o++] = '?';
			i++;
			continue;
		}
		if (c < 0x80) {
			out[o++] = (char)c;
			i++;
			continue;
		}
		n = sanitize_utf8_len(in + i, len - i, &cp);
		if (n == 0 || ascii_only || (cp >= 0x80 && cp <= 0x9f)) {
			out[o++] = '?';
			i += n ? n : 1;
			continue;
		}
		if (sanitize_invisible(cp)) {
			char mark[12];
			int m = snprintf(mark, sizeof(mark), "<U+%04X>", cp);

			if (o + (size_t)m >= size)
				break;
			memcpy(out + o, mark, (size_t)m);
			o += (size_t)m;
			i += n;
			continue;
		}
		if (o + n >= size)
			break;
		memcpy(out + o, in + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return o;
}
