#include "lib/diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

#define DIFF_CONTEXT 3
/* Myers keeps one row of the edit graph per edit: past this many bytes
 * of rows the texts are shown as wholly replaced instead. */
#define DIFF_TRACE_MAX ((size_t)64 << 20)

struct diff_line {
	const char *s;
	size_t len; /* without the newline */
	bool nl;    /* ends with a newline */
};

struct diff_lines {
	struct diff_line *v;
	size_t n;
};

enum diff_op { OP_EQ, OP_DEL, OP_INS };

struct diff_edit {
	enum diff_op op;
	size_t a, b; /* line indexes in a and b (the one that applies) */
};

static int diff_split(const char *s, size_t len, struct diff_lines *out)
{
	size_t cap = 0, i = 0;

	out->v = NULL;
	out->n = 0;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len;

		if (out->n == DIFF_MAX_LINES) {
			free(out->v);
			return -1;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		out->v[out->n].s = s + i;
		out->v[out->n].len = end - i;
		out->v[out->n].nl = nl != NULL;
		out->n++;
		i = end + 1;
	}
	return 0;
}

static bool diff_eq(const struct diff_line *x, const struct diff_line *y)
{
	if (x == NULL || y == NULL)
		return false;
	return x->len == y->len && x->nl == y->nl &&
	       memcmp(x->s, y->s, x->len) == 0;
}

/* The edit script, in order, into *out (the caller frees it). */
static size_t diff_script(const struct diff_lines *a,
			  const struct diff_lines *b, struct diff_edit **out)
{
	size_t n = a->n, m = b->n, max = n + m, width = 2 * max + 3;
	size_t ntrace = 0, cap = 0, nedits = 0, d, dfound = 0;
	long *v = xcalloc(width, sizeof(long)), **trace = NULL;
	long off = (long)max + 1;
	struct diff_edit *e;
	bool found = false;
	long x, y;

	for (d = 0; d <= max && !found; d++) {
		long k;

		if ((ntrace + 1) * width * sizeof(long) > DIFF_TRACE_MAX)
			break;
		if (ntrace == cap) {
			cap = cap ? cap * 2 : 16;
			trace = xrealloc(trace, cap * sizeof(*trace));
		}
		trace[ntrace] = xmalloc(width * sizeof(long));
		memcpy(trace[ntrace++], v, width * sizeof(long));
		for (k = -(long)d; k <= (long)d; k += 2) {
			if (k == -(long)d ||
			    (k != (long)d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			y = x - k;
			while (x < (long)n && y < (long)m &&
			       diff_eq(&a->v[x], &b->v[y]))
				x++, y++;
			v[off + k] = x;
			if (x >= (long)n && y >= (long)m) {
				found = true;
				dfound = d;
				break;
			}
		}
	}
	e = xcalloc(max + 1, sizeof(*e));
	if (!found) {
		/* Too different to trace: everything out, everything in. */
		for (x = 0; x < (long)n; x++)
			e[nedits++] = (struct diff_edit){OP_DEL, (size_t)x, 0};
		for (y = 0; y < (long)m; y++)
			e[nedits++] = (struct diff_edit){OP_INS, 0, (size_t)y};
	} else {
		/* Walk back from the end, collecting edits in reverse. */
		x = (long)n;
		y = (long)m;
		for (d = dfound + 1; d-- > 0;) {
			const long *t = trace[d];
			long k = x - y, pk, px, py;

			if (k == -(long)d ||
			    (k != (long)d && t[off + k - 1] < t[off + k + 1]))
				pk = k + 1;
			else
				pk = k - 1;
			px = d > 0 ? t[off + pk] : 0;
			py = px - pk;
			if (d == 0)
				px = py = 0;
			while (x > px && y > py) {
				x--, y--;
				e[nedits++] = (struct diff_edit){
				    OP_EQ, (size_t)x, (size_t)y};
			}
			if (d > 0) {
				if (x == px)
					e[nedits++] = (struct diff_edit){
					    OP_INS, (size_t)x, (size_t)py};
				else
					e[nedits++] = (struct diff_edit){
					    OP_DEL, (size_t)px, (size_t)y};
			}
			x = px;
			y = py;
		}
		for (d = 0; d < nedits / 2; d++) {
			struct diff_edit t = e[d];

			e[d] = e[nedits - 1 - d];
			e[nedits - 1 - d] = t;
		}
	}
	for (d = 0; d < ntrace; d++)
		free(trace[d]);
	free(trace);
	free(v);
	*out = e;
	return nedits;
}

static void diff_put_line(struct buf *b, char mark, const struct diff_line *l,
			  bool colour)
{
	const char *on = mark == '-'   ? "\033[31m"
			 : mark == '+' ? "\033[32m"
				       : "";

	if (l == NULL)
		return;
	if (colour && *on)
		buf_append_str(b, on);
	buf_append_char(b, mark);
	buf_append(b, l->s, l->len);
	if (colour && *on)
		buf_append_str(b, "\033[0m");
	buf_append_char(b, '\n');
	if (!l->nl)
		buf_append_str(b, "\\ No newline at end of file\n");
}

char *diff_unified(const char *a, size_t alen, const char *b, size_t blen,
		   const char *a_name, const char *b_name, bool colour)
{
	struct diff_lines la, lb;
	struct diff_edit *e;
	struct buf out;
	size_t n, i;

	if (diff_split(a, alen, &la) < 0)
		return NULL;
	if (diff_split(b, blen, &lb) < 0) {
		free(la.v);
		return NULL;
	}
	n = diff_script(&la, &lb, &e);
	buf_init(&out, 0);
	for (i = 0; i < n; i++)
		if (e[i].op != OP_EQ)
			break;
	if (i < n) {
		buf_printf(&out, "%s--- %s\n+++ %s\n%s",
			   colour ? "\033[1m" : "", a_name, b_name,
			   colour ? "\033[0m" : "");
	}
	while (i < n) {
		/* A hunk: context before, changes joined while the equal
		 * lines between them are at most twice the context. */
		size_t start = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0;
		size_t end = i, j, as = 0, bs = 0, ac = 0, bc = 0;

		while (end < n) {
			size_t run = 0;

			while (end + run < n && e[end + run].op == OP_EQ)
				run++;
			if (end + run >= n || run > (size_t)2 * DIFF_CONTEXT) {
				end += run < DIFF_CONTEXT ? run : DIFF_CONTEXT;
				break;
			}
			end += run;
			while (end < n && e[end].op != OP_EQ)
				end++;
		}
		for (j = start; j < end; j++) {
			if (e[j].op != OP_INS && ac++ == 0)
				as = e[j].a + 1;
			if (e[j].op != OP_DEL && bc++ == 0)
				bs = e[j].b + 1;
		}
		/* An empty side names the line before it, as diff -u does. */
		if (ac == 0)
			as =
			    start < n && e[start].op == OP_INS ? e[start].a : 0;
		if (bc == 0)
			bs =
			    start < n && e[start].op == OP_DEL ? e[start].b : 0;
		buf_printf(&out, "%s@@ -%zu", colour ? "\033[36m" : "", as);
		if (ac != 1)
			buf_printf(&out, ",%zu", ac);
		buf_printf(&out, " +%zu", bs);
		if (bc != 1)
			buf_printf(&out, ",%zu", bc);
		buf_printf(&out, " @@%s\n", colour ? "\033[0m" : "");
		for (j = start; j < end;) {
			size_t r, run_end = j;

			if (e[j].op == OP_EQ) {
				diff_put_line(&out, ' ', &la.v[e[j].a], colour);
				j++;
				continue;
			}
			/* A change: its removals, then its additions. */
			while (run_end < end && e[run_end].op != OP_EQ)
				run_end++;
			for (r = j; r < run_end; r++)
				if (e[r].op == OP_DEL)
					diff_put_line(&out, '-', &la.v[e[r].a],
						      colour);
			for (r = j; r < run_end; r++)
				if (e[r].op == OP_INS)
					diff_put_line(&out, '+', &lb.v[e[r].b],
						      colour);
			j = run_end;
		}
		i = end;
		while (i < n && e[i].op == OP_EQ)
			i++;
	}
	free(e);
	free(la.v);
	free(lb.v);
	return buf_take(&out, NULL);
}
