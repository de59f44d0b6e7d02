/*
 * diff: a unified diff of two texts, line by line (Myers' algorithm, the
 * shortest edit script), as `diff -u` prints it, with optional colour for
 * a terminal. Owns the string it returns.
 */
#ifndef BVOPS_DIFF_H
#define BVOPS_DIFF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The unified diff (3 lines of context) from a to b, with "--- a_name"
 * and "+++ b_name" headers; "" when they are equal. colour: removed lines
 * red, added green, hunk headers cyan (ANSI). Inputs longer than
 * DIFF_MAX_LINES lines each are refused (NULL): a config is far shorter.
 */
#define DIFF_MAX_LINES 100000
char *diff_unified(const char *a, size_t alen, const char *b, size_t blen,
		   const char *a_name, const char *b_name, bool colour);

#endif
