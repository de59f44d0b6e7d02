/*
 * find: searching the console's text views (the config viewer, an
 * incident report, the event and audit logs, a procedure's journal):
 * the next line holding a text, in any case, and its matches shown.
 * Owns nothing.
 */
#ifndef BVOPS_UI_FIND_H
#define BVOPS_UI_FIND_H

#include <stdbool.h>
#include <stddef.h>

/* The first place needle is in hay, ASCII case ignored; NULL when it is
 * not there or needle is empty. */
const char *find_text(const char *hay, const char *needle);

/* Line i of a view (NULL past its end). */
typedef const char *(*find_line_fn)(void *ctx, int i);

/*
 * The index of the first of n lines from from (included) in direction
 * step (+1 down, -1 up) that holds needle; -1 when none. *count gets how
 * many lines hold it in all, *which the rank of the one found (1-based).
 */
int find_line(find_line_fn line, void *ctx, int n, const char *needle, int from,
	      int step, size_t *count, size_t *which);

/* Redraw needle's matches in line (drawn at y, x, at most width
 * columns) in reverse video. */
void find_mark(int y, int x, int width, const char *line, const char *needle);

#endif
