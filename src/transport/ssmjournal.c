#include "transport/ssmjournal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

#define CURSOR_TAG "-- cursor: "
#define EXIT_TAG   "-- bvops-exit: "

void ssmjournal_init(struct ssmjournal *j)
{
	memset(j, 0, sizeof(*j));
	j->batch = SSMJOURNAL_FIRST;
	j->compat = true; /* until journalctl --version says otherwise */
}

void ssmjournal_free(struct ssmjournal *j)
{
	free(j->last);
	j->last = NULL;
}

int ssmjournal_version(struct ssmjournal *j, const char *out)
{
	const char *p = out ? strstr(out, "systemd ") : NULL;
	long v;

	j->compat = true;
	if (p == NULL)
		return -1;
	v = strtol(p + 8, NULL, 10);
	if (v <= 0 || v > 100000)
		return -1;
	j->compat = v < 255;
	return (int)v;
}

/* A cursor is letters, digits and "=;-_" (s=..;i=..;b=..): anything else
 * is not taken from the node. */
static bool ssmjournal_cursor_ok(const char *s, size_t len)
{
	size_t k;

	if (len == 0 || len >= sizeof(((struct ssmjournal *)0)->cursor))
		return false;
	for (k = 0; k < len; k++) {
		char c = s[k];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '=' || c == ';' ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

char *ssmjournal_command(const struct ssmjournal *j, const char *template)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "{ %s", template);
	if (j->cursor[0])
		buf_printf(&b, " %s='%s'",
			   j->compat ? "--cursor" : "--after-cursor",
			   j->cursor);
	buf_printf(&b, " -n %ld; echo \"%s$?\"; }", j->batch, EXIT_TAG);
	if (j->cursor_only)
		buf_printf(&b, " | grep -e '^%s' -e '^%s'", CURSOR_TAG,
			   EXIT_TAG);
	else
		buf_printf(&b, " | cut -c1-%d", SSMJOURNAL_LINE_CUT);
	return buf_take(&b, NULL);
}

struct ssmjournal_line {
	const char *s;
	size_t len;
	bool partial; /* the answer was cut in it */
};

static bool starts(const struct ssmjournal_line *l, const char *tag)
{
	size_t n = strlen(tag);

	return l->len >= n && memcmp(l->s, tag, n) == 0;
}

/* The number after EXIT_TAG, read within the line (the answer is not a
 * C string); -1 when there is none. */
static int ssmjournal_exit_of(const struct ssmjournal_line *l)
{
	size_t k = strlen(EXIT_TAG);
	int v = 0;

	if (k >= l->len)
		return -1;
	for (; k < l->len && l->s[k] >= '0' && l->s[k] <= '9'; k++)
		if ((v = v * 10 + (l->s[k] - '0')) > 255)
			return 255;
	return v;
}

/* journalctl's own words, not entries. */
static bool ssmjournal_info(const struct ssmjournal_line *l)
{
	return starts(l, "-- No entries --") ||
	       starts(l, "-- Logs begin at ") ||
	       starts(l, "-- Journal begins at ") || starts(l, CURSOR_TAG) ||
	       starts(l, EXIT_TAG);
}

/* An entry's continuation lines are indented. */
static bool ssmjournal_starts_entry(const struct ssmjournal_line *l)
{
	return l->len == 0 || (l->s[0] != ' ' && l->s[0] != '\t');
}

static void ssmjournal_remember(struct ssmjournal *j,
				const struct ssmjournal_line *l)
{
	size_t n = l->len < SSMJOURNAL_LINE_CUT ? l->len : SSMJOURNAL_LINE_CUT;

	free(j->last);
	j->last = xstrndup(l->s, n);
}

static bool ssmjournal_is_echo(const struct ssmjournal *j,
			       const struct ssmjournal_line *l)
{
	size_t n = l->len < SSMJOURNAL_LINE_CUT ? l->len : SSMJOURNAL_LINE_CUT;

	if (j->last == NULL)
		return false;
	if (l->partial) /* what came of it matches */
		return strncmp(j->last, l->s, n) == 0;
	return strlen(j->last) == n && memcmp(j->last, l->s, n) == 0;
}

/*
 * Hand over the entries of v[0..n): journalctl's own lines skipped, the
 * echo of the cursor's entry dropped in compat mode. Returns the number
 * of entries seen (the echo included).
 */
static long ssmjournal_deliver(struct ssmjournal *j,
			       const struct ssmjournal_line *v, size_t n,
			       ssmjournal_line_fn fn, void *ctx)
{
	long entries = 0;
	bool dropping = false;
	size_t k;

	for (k = 0; k < n; k++) {
		if (ssmjournal_info(&v[k]))
			continue;
		if (ssmjournal_starts_entry(&v[k])) {
			entries++;
			dropping = entries == 1 && j->compat && j->cursor[0] &&
				   ssmjournal_is_echo(j, &v[k]);
			if (dropping) {
				j->dropped_echoes++;
				continue;
			}
			ssmjournal_remember(j, &v[k]);
		}
		if (dropping)
			continue;
		fn(ctx, v[k].s, v[k].len,
		   v[k].partial || v[k].len >= SSMJOURNAL_LINE_CUT);
		j->delivered++;
	}
	return entries;
}

int ssmjournal_take(struct ssmjournal *j, const char *out, size_t len,
		    bool truncated, ssmjournal_line_fn fn, void *ctx)
{
	struct ssmjournal_line *v = NULL;
	size_t n = 0, cap = 0;
	const char *p = out, *end = out + len, *cursor = NULL;
	size_t cursor_len = 0;
	long min = j->compat && j->cursor[0] ? 2 : 1, entries;
	int rc = 0;
	bool exited = false, had_cursor = j->cursor[0] != '\0';

	j->polls++;
	j->last_exit = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n].s = p;
		v[n].len = l;
		v[n].partial = nl == NULL && truncated;
		if (starts(&v[n], CURSOR_TAG) && !v[n].partial) {
			cursor = p + strlen(CURSOR_TAG);
			cursor_len = l - strlen(CURSOR_TAG);
		}
		if (starts(&v[n], EXIT_TAG) && !v[n].partial) {
			exited = true;
			j->last_exit = ssmjournal_exit_of(&v[n]);
		}
		n++;
		p = nl ? nl + 1 : end;
	}
	if (cursor != NULL && !ssmjournal_cursor_ok(cursor, cursor_len))
		cursor = NULL;
	if (j->cursor_only) {
		if (cursor != NULL) {
			memcpy(j->cursor, cursor, cursor_len);
			j->cursor[cursor_len] = '\0';
			j->cursor_only = false;
			j->batch = SSMJOURNAL_BATCH;
			rc = 1;
		}
		free(v);
		return rc;
	}
	if (!exited && truncated) {
		/* Cut before its cursor: ask for fewer, or step over. */
		long complete = 0;

		for (size_t k = 0; k < n; k++)
			if (!v[k].partial && !ssmjournal_info(&v[k]) &&
			    ssmjournal_starts_entry(&v[k]))
				complete++;
		if (j->batch > min) {
			long fewer = complete - 1 < j->batch - 1 ? complete - 1
								 : j->batch - 1;

			j->batch = fewer > min ? fewer : min;
		} else {
			ssmjournal_deliver(j, v, n, fn, ctx);
			j->cursor_only = true;
		}
		free(v);
		return 1;
	}
	entries = ssmjournal_deliver(j, v, n, fn, ctx);
	if (cursor != NULL) {
		memcpy(j->cursor, cursor, cursor_len);
		j->cursor[cursor_len] = '\0';
		/* All the batch came: more may be waiting. */
		rc = had_cursor && entries >= j->batch ? 1 : 0;
		j->batch = SSMJOURNAL_BATCH;
	}
	free(v);
	return rc;
}
