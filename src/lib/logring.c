#include "lib/logring.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sanitize.h"
#include "lib/xalloc.h"

void logring_init(struct logring *r, size_t max_lines, size_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	r->cap = max_lines ? max_lines : LOGRING_DEFAULT_LINES;
	r->max_bytes = max_bytes ? max_bytes : LOGRING_DEFAULT_BYTES;
	r->slots = xcalloc(r->cap, sizeof(struct logring_line *));
}

void logring_free(struct logring *r)
{
	size_t k;

	for (k = 0; k < r->len; k++)
		free(r->slots[(r->start + k) % r->cap]);
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

static void logring_drop_oldest(struct logring *r)
{
	struct logring_line *old = r->slots[r->start];

	r->bytes -= old->len;
	free(old);
	r->slots[r->start] = NULL;
	r->start = (r->start + 1) % r->cap;
	r->len--;
}

void logring_push(struct logring *r, int64_t at_ms, enum logring_kind kind,
		  const char *text, size_t len, bool cut)
{
	struct logring_line *l;

	/* One line alone may not take more than the whole budget. */
	if (len > r->max_bytes)
		len = r->max_bytes;
	/* A full ring recycles its oldest line when it is big enough: a
	 * flood then costs no allocation per line. */
	if (r->len > 0 && r->len == r->cap &&
	    r->slots[r->start]->size >= len + 1) {
		l = r->slots[r->start];
		r->bytes -= l->len;
		r->slots[r->start] = NULL;
		r->start = (r->start + 1) % r->cap;
		r->len--;
	} else {
		l = xmalloc(sizeof(*l) + len + 1);
		l->size = len + 1;
	}
	l->at_ms = at_ms;
	l->kind = kind;
	l->cut = cut;
	l->len = sanitize_text(text, len, l->text, len + 1, false);
	while (r->len > 0 &&
	       (r->len == r->cap || r->bytes + l->len > r->max_bytes))
		logring_drop_oldest(r);
	r->slots[(r->start + r->len) % r->cap] = l;
	r->len++;
	r->bytes += l->len;
	r->total++;
}

uint64_t logring_first(const struct logring *r)
{
	return r->total - r->len;
}

uint64_t logring_dropped(const struct logring *r)
{
	return logring_first(r);
}

const struct logring_line *logring_at(const struct logring *r, uint64_t seq)
{
	uint64_t first = logring_first(r);

	if (seq < first || seq >= r->total)
		return NULL;
	return r->slots[(r->start + (size_t)(seq - first)) % r->cap];
}

static bool logring_contains(const char *hay, size_t n, const char *needle,
			     size_t m)
{
	size_t i, k;

	if (m == 0)
		return true;
	for (i = 0; i + m <= n; i++) {
		for (k = 0; k < m; k++)
			if (tolower((unsigned char)hay[i + k]) !=
			    tolower((unsigned char)needle[k]))
				break;
		if (k == m)
			return true;
	}
	return false;
}

int64_t logring_find(const struct logring *r, uint64_t seq, const char *needle,
		     bool backward)
{
	size_t m = strlen(needle);
	uint64_t first = logring_first(r);

	if (r->len == 0)
		return -1;
	if (seq < first)
		seq = backward ? first - 1 : first;
	if (seq >= r->total)
		seq = backward ? r->total - 1 : r->total;
	for (;;) {
		const struct logring_line *l = logring_at(r, seq);

		if (l == NULL)
			return -1;
		if (logring_contains(l->text, l->len, needle, m))
			return (int64_t)seq;
		if (backward) {
			if (seq == first)
				return -1;
			seq--;
		} else {
			seq++;
		}
	}
}
