/*
 * sanitize: make untrusted text safe to draw on a terminal.
 *
 * Owns nothing. Escape sequences (CSI, OSC, other ESC forms) are removed,
 * other control characters (C0, DEL, C1) become '?', invalid UTF-8 becomes
 * '?', and with ascii_only every non-ASCII character becomes '?'. The
 * characters that reorder or hide text unseen (bidi controls U+202A-202E
 * and U+2066-2069, zero-width U+200B-200F and U+FEFF) become a visible
 * mark, "<U+202E>". Tabs become one space. The output is always NUL-terminated
 * and cut to fit.
 */
#ifndef BVOPS_SANITIZE_H
#define BVOPS_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/* Returns the length written to out (size bytes, including the NUL). */
size_t sanitize_text(const char *in, size_t len, char *out, size_t size,
		     bool ascii_only);

#endif
