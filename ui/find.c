#include "ui/find.h"

#include <ctype.h>
#include <curses.h>
#include <string.h>

const char *find_text(const char *hay, const char *needle)
{
	size_t n = strlen(needle), k;

	if (n == 0)
		return NULL;
	for (; *hay; hay++) {
		for (k = 0; k < n; k++)
			if (tolower((unsigned char)hay[k]) !=
			    tolower((unsigned char)needle[k]))
				break;
		if (k == n)
			return hay;
	}
	return NULL;
}

int find_line(find_line_fn line, void *ctx, int n, const char *needle, int from,
	      int step, size_t *count, size_t *which)
{
	int i, found = -1;

	*count = *which = 0;
	for (i = 0; i < n; i++) {
		const char *l = line(ctx, i);

		if (l != NULL && find_text(l, needle) != NULL)
			(*count)++;
	}
	for (i = from; i >= 0 && i < n; i += step) {
		const char *l = line(ctx, i);

		if (l != NULL && find_text(l, needle) != NULL) {
			found = i;
			break;
		}
	}
	for (i = 0; found >= 0 && i <= found; i++) {
		const char *l = line(ctx, i);

		if (l != NULL && find_text(l, needle) != NULL)
			(*which)++;
	}
	return found;
}

void find_mark(int y, int x, int width, const char *line, const char *needle)
{
	const char *m = line;
	size_t nl = strlen(needle);

	while (nl > 0 && (m = find_text(m, needle)) != NULL) {
		int at = (int)(m - line);

		if (at >= width)
			break;
		attron(A_REVERSE);
		mvaddnstr(y, x + at, m,
			  (int)nl < width - at ? (int)nl : width - at);
		attroff(A_REVERSE);
		m += nl;
	}
}
