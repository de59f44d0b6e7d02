/*
 * A pane's position is an end cursor: for each ring it shows, the seq just
 * after the last line on screen. Drawing walks back from it, merging the
 * rings by arrival time and skipping what the filter hides, until the
 * pane is full; following keeps the cursor at the rings' ends. So one
 * code path serves a single stream and the merged view, and a paused pane
 * stays where it is however fast lines come.
 */
#include "ui/pane.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/xalloc.h"
#include "ui/find.h"

#define PANE_TEXT_MAX 128
/* A line as shown (compact form); a longer one is shown as it came. */
#define PANE_SHOW_MAX 4096

struct pane {
	bool merged;
	size_t node; /* the node (not merged) */
	enum logstream_source src;
	size_t nr;      /* rings shown */
	uint64_t *end;  /* per ring: seq after the last line shown */
	uint64_t *seen; /* per ring: total when last drawn */
	bool follow, wrap, stamps;
	bool compact; /* a line's own time as HH:MM:SS, its host dropped */
	int hcol;     /* wrap off: the first column shown */
	char search[PANE_TEXT_MAX];
	char filter[PANE_TEXT_MAX]; /* as typed: "!text", "/regex/" */
	const char *filter_text;    /* what it looks for, in filter */
	bool filter_not;            /* '!': hide what matches */
	bool filter_is_re;          /* "/.../": a regex */
	regex_t filter_re;
	size_t nmatch, imatch; /* the search's matches, and which is shown */
	uint64_t counted;      /* the rings' totals when they were counted */
	bool count_stale;      /* search, filter or match moved since */
	uint64_t version;      /* logstreams version when last drawn */
	uint64_t *match;       /* cursor just before the last match, or NULL */
	int match_kind;        /* what it matched: 0 search, 'e', 'w' */
};

/* The i-th ring's node and source. */
static void pane_ring_id(const struct pane *p, size_t i, size_t *node,
			 enum logstream_source *src)
{
	*node = p->merged ? i : p->node;
	*src = p->merged ? LOGSTREAM_JOURNAL : p->src;
}

static const struct logring *pane_ring(const struct pane *p,
				       const struct pane_env *env, size_t i)
{
	size_t node;
	enum logstream_source src;

	pane_ring_id(p, i, &node, &src);
	return logstreams_view(env->ls, node, src).ring;
}

struct pane *pane_new(const struct pane_env *env, size_t node,
		      enum logstream_source src, bool merged)
{
	struct pane *p = xcalloc(1, sizeof(*p));
	size_t i;

	p->merged = merged;
	p->node = node;
	p->src = src;
	p->nr = merged ? env->fleet->nnodes : 1;
	p->end = xcalloc(p->nr ? p->nr : 1, sizeof(*p->end));
	p->seen = xcalloc(p->nr ? p->nr : 1, sizeof(*p->seen));
	p->follow = true;
	p->wrap = true;
	p->compact = true;
	p->stamps = merged;
	for (i = 0; i < p->nr; i++) {
		size_t n;
		enum logstream_source s;

		pane_ring_id(p, i, &n, &s);
		logstreams_watch(env->ls, n, s, true);
	}
	return p;
}

void pane_free(struct pane *p, const struct pane_env *env)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nr; i++) {
		size_t n;
		enum logstream_source s;

		pane_ring_id(p, i, &n, &s);
		logstreams_watch(env->ls, n, s, false);
	}
	if (p->filter_is_re)
		regfree(&p->filter_re);
	free(p->end);
	free(p->seen);
	free(p->match);
	free(p);
}

/* Lines are sanitized UTF-8: ASCII case is enough (find.h). */
#define pane_find find_text

static bool pane_is_error(const struct logring_line *l)
{
	return l->kind == LOGRING_LINE &&
	       (pane_find(l->text, "error") || pane_find(l->text, "fail") ||
		pane_find(l->text, "fatal") || pane_find(l->text, "panic") ||
		pane_find(l->text, "critical") || pane_find(l->text, "[ E"));
}

static bool pane_is_warning(const struct logring_line *l)
{
	return l->kind == LOGRING_LINE && !pane_is_error(l) &&
	       pane_find(l->text, "warn");
}

/* The filter hides source lines only: gaps and health marks stay. */
static bool pane_visible(const struct pane *p, const struct logring_line *l)
{
	bool hit;

	if (l->kind != LOGRING_LINE || p->filter[0] == '\0')
		return true;
	hit = p->filter_is_re ? regexec(&p->filter_re, l->text, 0, NULL, 0) == 0
			      : pane_find(l->text, p->filter_text) != NULL;
	return hit != p->filter_not;
}

/* Bytes of a timestamp a line starts with, and its HH:MM:SS into hms;
 * 0 when it has none. ISO 8601 (journalctl -o short-iso, with a fraction
 * and a zone or not) and syslog's "Dec  4 01:20:00". */
static size_t pane_own_stamp(const char *t, char hms[9])
{
	size_t k = 0;

	if (isdigit((unsigned char)t[0]) && strlen(t) >= 20 && t[4] == '-' &&
	    t[7] == '-' && (t[10] == 'T' || t[10] == ' ') && t[13] == ':' &&
	    t[16] == ':') {
		memcpy(hms, t + 11, 8);
		k = 19;
		while (t[k] != '\0' && t[k] != ' ')
			k++; /* fraction, zone */
	} else if (isupper((unsigned char)t[0]) && strlen(t) >= 16 &&
		   t[3] == ' ' && t[6] == ' ' && t[9] == ':' && t[12] == ':') {
		memcpy(hms, t + 7, 8);
		k = 15;
	} else {
		return 0;
	}
	hms[8] = '\0';
	return t[k] == ' ' ? k + 1 : 0;
}

/* How a line is drawn: a dim prefix (bvops's arrival time, the node in
 * the merged pane) and its text, in the compact form when that is on. */
struct pane_shown {
	char prefix[64];
	int pw;
	const char *text;
	size_t len;
	char buf[PANE_SHOW_MAX];
};

static void pane_shown_make(const struct pane *p, const struct pane_env *env,
			    const struct logring_line *l, size_t ring,
			    struct pane_shown *s)
{
	char hms[9];
	size_t own = 0;

	s->prefix[0] = '\0';
	s->text = l->text;
	s->len = l->len;
	if (p->compact && l->kind == LOGRING_LINE && l->len < PANE_SHOW_MAX)
		own = pane_own_stamp(l->text, hms);
	if (own > 0) {
		/* One time, not two: the line's own, or (t) bvops's. The
		 * host after it says the node the pane already names. */
		const char *rest = l->text + own, *sp = strchr(rest, ' ');

		if (sp != NULL && sp > rest &&
		    (strchr(sp + 1, ':') != NULL ||
		     strchr(sp + 1, '[') != NULL)) {
			const char *next = sp + 1, *end = strchr(next, ' ');

			if (end == NULL)
				end = next + strlen(next);
			if (end > next &&
			    (end[-1] == ':' ||
			     memchr(next, '[', (size_t)(end - next))))
				rest = next;
		}
		snprintf(s->buf, sizeof(s->buf), "%s%s%s", p->stamps ? "" : hms,
			 p->stamps ? "" : " ", rest);
		s->text = s->buf;
		s->len = strlen(s->buf);
	}
	if (p->stamps) {
		time_t t = (time_t)(l->at_ms / 1000);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(s->prefix, sizeof(s->prefix), "%H:%M:%S ", &tm);
	}
	if (p->merged) {
		size_t n = strlen(s->prefix);

		snprintf(s->prefix + n, sizeof(s->prefix) - n, "%-12.12s ",
			 env->fleet->nodes[ring].name);
	}
	s->pw = (int)strlen(s->prefix);
}

/* Clamp cursors into what the rings still hold. */
static void pane_clamp(const struct pane *p, const struct pane_env *env,
		       uint64_t *cur)
{
	size_t i;

	for (i = 0; i < p->nr; i++) {
		const struct logring *r = pane_ring(p, env, i);

		if (cur[i] < logring_first(r))
			cur[i] = logring_first(r);
		if (cur[i] > r->total)
			cur[i] = r->total;
	}
}

/*
 * Step cur one visible line back (the newest line before it, over all
 * rings) or forward (the oldest at or after it). Returns the line and
 * sets *ring, or NULL at the edge.
 */
static const struct logring_line *pane_step(const struct pane *p,
					    const struct pane_env *env,
					    uint64_t *cur, bool back,
					    size_t *ring)
{
	for (;;) {
		const struct logring_line *best = NULL;
		size_t i, at = 0;

		for (i = 0; i < p->nr; i++) {
			const struct logring *r = pane_ring(p, env, i);
			const struct logring_line *l;

			if (back ? cur[i] <= logring_first(r)
				 : cur[i] >= r->total)
				continue;
			l = logring_at(r, back ? cur[i] - 1 : cur[i]);
			if (l == NULL)
				continue;
			if (best == NULL || (back ? l->at_ms >= best->at_ms
						  : l->at_ms < best->at_ms)) {
				best = l;
				at = i;
			}
		}
		if (best == NULL)
			return NULL;
		if (back)
			cur[at]--;
		else
			cur[at]++;
		if (pane_visible(p, best)) {
			if (ring != NULL)
				*ring = at;
			return best;
		}
	}
}

static void pane_to_end(struct pane *p, const struct pane_env *env)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		p->end[i] = pane_ring(p, env, i)->total;
}

/* Rows a shown line takes at width w: the first after its prefix, each
 * next one after its continuation mark. */
static int pane_rows_shown(const struct pane *p, const struct pane_shown *s,
			   int w)
{
	int first = w - s->pw, len = (int)s->len;

	if (!p->wrap || w <= 1 || len <= first)
		return 1;
	if (first < 1)
		first = 1;
	return 1 + (len - first + (w - 2)) / (w - 1);
}

static int pane_rows(const struct pane *p, const struct pane_env *env,
		     const struct logring_line *l, size_t ring, int w)
{
	struct pane_shown s;

	pane_shown_make(p, env, l, ring, &s);
	return pane_rows_shown(p, &s, w);
}

/* Move the end cursor n visible lines (negative: back), keeping a full
 * page above it when there is one. Stops following when it moves back. */
static void pane_scroll(struct pane *p, const struct pane_env *env, int n,
			int h)
{
	uint64_t *probe = xcalloc(p->nr, sizeof(*probe));
	int k;

	if (p->follow)
		pane_to_end(p, env);
	pane_clamp(p, env, p->end);
	for (k = 0; k < -n; k++) {
		int above = 0;

		memcpy(probe, p->end, p->nr * sizeof(*probe));
		if (pane_step(p, env, probe, true, NULL) == NULL)
			break;
		/* Only if a page is still left above the new end. */
		while (above < h && pane_step(p, env, probe, true, NULL))
			above++;
		if (above < h - 1)
			break;
		pane_step(p, env, p->end, true, NULL);
		p->follow = false;
	}
	for (k = 0; k < n; k++)
		if (pane_step(p, env, p->end, false, NULL) == NULL)
			break;
	/* Back at the end: follow again. */
	memcpy(probe, p->end, p->nr * sizeof(*probe));
	if (n > 0 && pane_step(p, env, probe, false, NULL) == NULL)
		p->follow = true;
	free(probe);
}

static void pane_put(const struct pane_env *env, int y, int x, int w,
		     const char *s, size_t len)
{
	(void)env;
	if (w > 0 && len > 0)
		mvaddnstr(y, x, s, (int)len < w ? (int)len : w);
}

/* Bytes of text (len bytes) that fill at most room columns, cut on a
 * character's boundary. */
static size_t pane_take(const char *text, size_t len, int room)
{
	size_t take = room > 0 ? (len < (size_t)room ? len : (size_t)room) : 0;

	while (take > 0 && take < len &&
	       ((unsigned char)text[take] & 0xC0) == 0x80)
		take--;
	return take;
}

/*
 * Draw one line over rows y.. (at most maxrows), its first skip rows left
 * out (the top of the pane shows the tail of a long line, never its head
 * alone); returns rows used. Rows after a line's first start with a mark.
 */
static int pane_draw_line(struct pane *p, const struct pane_env *env,
			  const struct logring_line *l, size_t ring, int y,
			  int x, int w, int maxrows, int skip)
{
	struct pane_shown shown, *s = &shown;
	attr_t a = A_NORMAL;
	const char *text;
	size_t left;
	int rows = 0, part = 0;

	pane_shown_make(p, env, l, ring, s);
	text = s->text;
	left = s->len;
	if (!p->wrap && p->hcol > 0) {
		size_t off = pane_take(text, left, p->hcol);

		text += off;
		left -= off;
	}
	if (l->kind == LOGRING_HEALTH)
		a = env->style[THEME_ALERT] | A_BOLD;
	else if (l->kind == LOGRING_GAP)
		a = env->style[THEME_STALE];
	else if (pane_is_error(l))
		a = env->style[THEME_DOWN];
	else if (pane_is_warning(l))
		a = env->style[THEME_UNKNOWN];
	while (rows < maxrows) {
		int col = x, room = w;
		size_t take;
		bool draw = part >= skip;

		if (draw)
			move(y + rows, x);
		attrset(a);
		if (part == 0 && s->pw > 0) {
			if (draw) {
				attron(A_DIM);
				pane_put(env, y + rows, col, room, s->prefix,
					 (size_t)s->pw);
				attroff(A_DIM);
			}
			col += s->pw < room ? s->pw : room;
			room -= s->pw < room ? s->pw : room;
		} else if (part > 0 && room > 1) {
			if (draw) {
				attron(A_DIM);
				mvaddstr(y + rows, col,
					 env->utf8 ? "\xe2\x86\xb3" : ">");
				attroff(A_DIM);
			}
			col++;
			room--;
		}
		take = pane_take(text, left, room);
		if (draw && room > 0)
			pane_put(env, y + rows, col, room, text, take);
		/* The search is highlighted where it matches. */
		if (draw && p->search[0] != '\0') {
			const char *m = text;
			size_t sl = strlen(p->search);

			while ((m = pane_find(m, p->search)) != NULL &&
			       m + sl <= text + take) {
				attron(A_REVERSE);
				pane_put(env, y + rows, col + (int)(m - text),
					 room - (int)(m - text), m, sl);
				attroff(A_REVERSE);
				m += sl;
			}
		}
		attrset(A_NORMAL);
		if (draw)
			rows++;
		part++;
		text += take;
		left -= take;
		if (left == 0 || !p->wrap || take == 0)
			break;
	}
	return rows;
}

static void pane_count(struct pane *p, const struct pane_env *env);

static void pane_state_text(const struct pane *p, const struct pane_env *env,
			    char *out, size_t size)
{
	int64_t now = clock_mono_ms();
	size_t i;

	out[0] = '\0';
	for (i = 0; i < p->nr; i++) {
		size_t node;
		enum logstream_source src;
		struct logstream_view v;

		pane_ring_id(p, i, &node, &src);
		v = logstreams_view(env->ls, node, src);
		if (v.state == LOGSTREAM_WAITING && !p->merged)
			snprintf(
			    out, size, "retrying in %llds",
			    (long long)((v.retry_at_ms - now + 999) / 1000 > 0
					    ? (v.retry_at_ms - now + 999) / 1000
					    : 0));
		else if (v.state == LOGSTREAM_STOPPED && !p->merged)
			snprintf(out, size, "stopped");
		else if (v.state == LOGSTREAM_CONNECTING && !p->merged)
			snprintf(out, size, "connecting");
		else if (v.state == LOGSTREAM_LIVE && !p->merged &&
			 env->quiet_after_ms > 0 &&
			 now - v.last_line_ms > env->quiet_after_ms)
			snprintf(out, size, "quiet %llds",
				 (long long)(now - v.last_line_ms) / 1000);
	}
}

bool pane_node(const struct pane *p, size_t *node)
{
	if (p->merged)
		return false;
	*node = p->node;
	return true;
}

void pane_title(const struct pane *p, const struct pane_env *env, char *out,
		size_t size)
{
	if (p->merged)
		snprintf(out, size, "all journals");
	else
		snprintf(out, size, "%s %s", env->fleet->nodes[p->node].name,
			 logstream_source_name(p->src));
}

uint64_t pane_draw(struct pane *p, const struct pane_env *env, int y, int x,
		   int h, int w, bool focused)
{
	char title[128], state[64], line[512];
	uint64_t *cur, fresh = 0, dropped = 0, arrived = 0;
	const struct logring_line **shown;
	size_t *rings, n = 0, i;
	int used = 0, row;

	if (h < 1 || w < 4)
		return 0;
	logstreams_lock(env->ls);
	if (p->follow)
		pane_to_end(p, env);
	pane_clamp(p, env, p->end);
	for (i = 0; i < p->nr; i++) {
		const struct logring *r = pane_ring(p, env, i);

		fresh += r->total - p->end[i];
		dropped += logring_dropped(r);
		arrived += r->total - p->seen[i];
		p->seen[i] = r->total;
	}
	/* The title row. */
	pane_title(p, env, title, sizeof(title));
	pane_state_text(p, env, state, sizeof(state));
	snprintf(line, sizeof(line), " %s%s%s  %s%s", title,
		 state[0] ? "  " : "", state, p->follow ? "follow" : "PAUSED",
		 p->stamps ? "  bvops time" : "");
	{
		size_t len = strlen(line);

		if (!p->follow && fresh > 0)
			snprintf(line + len, sizeof(line) - len,
				 "  %llu new lines (G: go there)",
				 (unsigned long long)fresh);
		len = strlen(line);
		if (p->filter[0])
			snprintf(line + len, sizeof(line) - len,
				 "  filter \"%s\"", p->filter);
		len = strlen(line);
		if (p->search[0]) {
			/* Counted again only when lines came or the search,
			 * the filter or the match moved: not every frame. */
			uint64_t totals = 0;

			for (i = 0; i < p->nr; i++)
				totals += pane_ring(p, env, i)->total;
			if (p->count_stale || totals != p->counted) {
				pane_count(p, env);
				p->counted = totals;
				p->count_stale = false;
			}
			snprintf(line + len, sizeof(line) - len,
				 "  search \"%s\" %zu/%zu", p->search,
				 p->imatch, p->nmatch);
		}
		len = strlen(line);
		if (!p->wrap)
			snprintf(line + len, sizeof(line) - len, "  nowrap%s",
				 p->hcol > 0 ? "" : " (Left/Right)");
		len = strlen(line);
		if (!p->wrap && p->hcol > 0)
			snprintf(line + len, sizeof(line) - len, " from col %d",
				 p->hcol + 1);
		len = strlen(line);
		if (dropped > 0)
			snprintf(line + len, sizeof(line) - len,
				 "  %llu oldest lines dropped",
				 (unsigned long long)dropped);
	}
	attrset(env->style[focused ? THEME_SELECTED : THEME_TITLE]);
	mvhline(y, x, ' ', w);
	pane_put(env, y, x, w, line, strlen(line));
	attrset(A_NORMAL);
	/* Walk back from the end cursor until the text rows are full. */
	cur = xcalloc(p->nr, sizeof(*cur));
	memcpy(cur, p->end, p->nr * sizeof(*cur));
	shown = xcalloc((size_t)h, sizeof(struct logring_line *));
	rings = xcalloc((size_t)h, sizeof(*rings));
	while (used < h - 1 && n < (size_t)h) {
		size_t ring;
		const struct logring_line *l =
		    pane_step(p, env, cur, true, &ring);

		if (l == NULL)
			break;
		shown[n] = l;
		rings[n++] = ring;
		used += pane_rows(p, env, l, ring, w);
	}
	/* Oldest at the top. When the oldest (wrapped) line overflows, its
	 * first rows are the ones left out: its tail, next to the lines
	 * after it, always shows. */
	row = y + 1;
	for (i = n; i > 0 && row < y + h; i--) {
		int skip = i == n && used > h - 1 ? used - (h - 1) : 0;

		row += pane_draw_line(p, env, shown[i - 1], rings[i - 1], row,
				      x, w, y + h - row, skip);
	}
	for (; row < y + h; row++) {
		move(row, x);
		if (x == 0 && w == COLS)
			clrtoeol();
		else
			mvhline(row, x, ' ', w);
	}
	p->version = logstreams_version_locked(env->ls);
	logstreams_unlock(env->ls);
	free(cur);
	free(shown);
	free(rings);
	return arrived;
}

bool pane_passphrase_key(const struct pane *p, const struct pane_env *env,
			 char *out, size_t size)
{
	bool found = false;
	size_t i;

	logstreams_lock(env->ls);
	for (i = 0; i < p->nr && !found; i++) {
		size_t node;
		enum logstream_source src;
		struct logstream_view v;

		pane_ring_id(p, i, &node, &src);
		v = logstreams_view(env->ls, node, src);
		if (v.passphrase_key != NULL) {
			snprintf(out, size, "%s", v.passphrase_key);
			found = true;
		}
	}
	logstreams_unlock(env->ls);
	return found;
}

bool pane_changed(struct pane *p, const struct pane_env *env)
{
	return logstreams_version(env->ls) != p->version;
}

/* Does l match what jump kind looks for? */
static bool pane_hit(const struct logring_line *l, int kind, const char *needle)
{
	return kind == 'e'   ? pane_is_error(l)
	       : kind == 'w' ? pane_is_warning(l)
			     : pane_find(l->text, needle) != NULL;
}

/*
 * Go to the next line that matches, older (back) or newer, from the last
 * match of the same kind (else from the bottom of the view), and show it
 * in the middle of the pane. Returns false when there is none.
 */
static bool pane_jump(struct pane *p, const struct pane_env *env, bool back,
		      int h, const char *needle, int kind)
{
	uint64_t *cur = xcalloc(p->nr, sizeof(*cur));
	uint64_t *before = xcalloc(p->nr, sizeof(*before));
	bool found = false;

	logstreams_lock(env->ls);
	if (p->follow)
		pane_to_end(p, env);
	pane_clamp(p, env, p->end);
	if (p->match_kind == kind && p->match != NULL) {
		memcpy(cur, p->match, p->nr * sizeof(*cur));
		pane_clamp(p, env, cur);
		if (!back) /* past the current match */
			pane_step(p, env, cur, false, NULL);
	} else {
		memcpy(cur, p->end, p->nr * sizeof(*cur));
	}
	for (;;) {
		const struct logring_line *l;

		memcpy(before, cur, p->nr * sizeof(*cur));
		l = pane_step(p, env, cur, back, NULL);
		if (l == NULL)
			break;
		if (pane_hit(l, kind, needle)) {
			found = true;
			break;
		}
	}
	if (found) {
		/* The cursor just before the match. */
		if (back)
			memcpy(before, cur, p->nr * sizeof(*cur));
		if (p->match == NULL)
			p->match = xcalloc(p->nr, sizeof(*p->match));
		memcpy(p->match, before, p->nr * sizeof(*cur));
		p->match_kind = kind;
		p->count_stale = true;
		/* Show it mid-pane: the view ends h/2 lines after it. */
		memcpy(cur, before, p->nr * sizeof(*cur));
		for (int k = 0; k < h / 2 + 1; k++)
			if (pane_step(p, env, cur, false, NULL) == NULL)
				break;
		memcpy(p->end, cur, p->nr * sizeof(*cur));
		p->follow = false;
	}
	logstreams_unlock(env->ls);
	free(cur);
	free(before);
	return found;
}

void pane_set_search(struct pane *p, const struct pane_env *env,
		     const char *text, int h, char *msg, size_t msgsize)
{
	snprintf(p->search, sizeof(p->search), "%s", text);
	free(p->match); /* a new search starts from the view */
	p->match = NULL;
	p->nmatch = p->imatch = 0;
	p->count_stale = true;
	if (text[0] != '\0' && !pane_jump(p, env, true, h, p->search, 0))
		snprintf(msg, msgsize, "\"%s\" not found", text);
	else if (text[0] != '\0') {
		logstreams_lock(env->ls);
		pane_count(p, env);
		logstreams_unlock(env->ls);
		snprintf(msg, msgsize,
			 "\"%s\": match %zu of %zu (n older, N newer)", text,
			 p->imatch, p->nmatch);
	}
}

int pane_set_filter(struct pane *p, const char *text, char *msg, size_t msgsize)
{
	const char *t = text;
	bool neg = false, re = false;
	size_t len;
	regex_t rx;

	if (*t == '!') {
		neg = true;
		t++;
	}
	len = strlen(t);
	if (len >= 2 && t[0] == '/' && t[len - 1] == '/') {
		char pat[PANE_TEXT_MAX];
		int rc;

		snprintf(pat, sizeof(pat), "%.*s", (int)(len - 2), t + 1);
		rc = regcomp(&rx, pat, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (rc != 0) {
			char why[200];

			regerror(rc, &rx, why, sizeof(why));
			snprintf(msg, msgsize, "filter not set: /%s/: %s", pat,
				 why);
			return -1;
		}
		re = true;
	}
	if (p->filter_is_re)
		regfree(&p->filter_re);
	snprintf(p->filter, sizeof(p->filter), "%s", text);
	p->filter_text = p->filter + (neg ? 1 : 0);
	p->filter_not = neg && p->filter_text[0] != '\0';
	p->filter_is_re = re;
	if (re)
		p->filter_re = rx;
	p->count_stale = true;
	p->follow = true; /* the old position may be hidden now */
	return 0;
}

/* The search's matches among the lines shown (the filter applied), and
 * which one the last jump went to (0: none); under the streams' lock. */
static void pane_count(struct pane *p, const struct pane_env *env)
{
	uint64_t *cur = xcalloc(p->nr, sizeof(*cur));
	size_t k;

	p->nmatch = p->imatch = 0;
	for (k = 0; k < p->nr; k++)
		cur[k] = logring_first(pane_ring(p, env, k));
	for (;;) {
		bool at = p->match != NULL &&
			  memcmp(cur, p->match, p->nr * sizeof(*cur)) == 0;
		const struct logring_line *l =
		    pane_step(p, env, cur, false, NULL);

		if (l == NULL)
			break;
		if (l->kind == LOGRING_LINE && pane_find(l->text, p->search)) {
			p->nmatch++;
			if (at)
				p->imatch = p->nmatch;
		}
	}
	free(cur);
}

static void pane_jump_say(struct pane *p, const struct pane_env *env, bool back,
			  int h, const char *needle, int kind, char *msg,
			  size_t msgsize)
{
	const char *what = kind == 'e'   ? "error"
			   : kind == 'w' ? "warning"
					 : "match";

	if (pane_jump(p, env, back, h, needle, kind)) {
		if (kind == 0) {
			logstreams_lock(env->ls);
			pane_count(p, env);
			logstreams_unlock(env->ls);
			snprintf(msg, msgsize, "match %zu of %zu", p->imatch,
				 p->nmatch);
		}
		return;
	}
	/* Nothing newer (the usual case at the bottom): the nearest older
	 * one is what the operator is after. */
	if (!back && pane_jump(p, env, true, h, needle, kind))
		snprintf(msg, msgsize, "no newer %s: showing the one before",
			 what);
	else
		snprintf(msg, msgsize, "no %s %s", back ? "older" : "newer",
			 what);
}

bool pane_key(struct pane *p, const struct pane_env *env, int ch, int h,
	      char *msg, size_t msgsize)
{
	logstreams_lock(env->ls);
	switch (ch) {
	case KEY_UP:
	case 'k': pane_scroll(p, env, -1, h); break;
	case KEY_DOWN:
	case 'j': pane_scroll(p, env, 1, h); break;
	case KEY_PPAGE:
	case 'b': pane_scroll(p, env, -(h > 2 ? h - 1 : 1), h); break;
	case KEY_NPAGE:
	case ' ': pane_scroll(p, env, h > 2 ? h - 1 : 1, h); break;
	case KEY_HOME:
	case 'g': pane_scroll(p, env, -1000000, h); break;
	case KEY_END:
	case 'G': p->follow = true; break;
	case 'f':
		p->follow = !p->follow;
		if (!p->follow)
			pane_to_end(p, env);
		break;
	case 'o':
		p->wrap = !p->wrap;
		p->hcol = 0;
		break;
	case 't': p->stamps = !p->stamps; break;
	case 'C': p->compact = !p->compact; break;
	case KEY_RIGHT:
	case '>':
		if (p->wrap) {
			snprintf(msg, msgsize,
				 "wrap is on: o turns it off, "
				 "then Left/Right scroll");
			break;
		}
		p->hcol += 20;
		break;
	case KEY_LEFT:
	case '<': p->hcol = p->hcol > 20 ? p->hcol - 20 : 0; break;
	default:
		logstreams_unlock(env->ls);
		switch (ch) {
		case 'n':
		case 'N':
			if (p->search[0] == '\0') {
				snprintf(msg, msgsize, "no search: / first");
				return true;
			}
			pane_jump_say(p, env, ch == 'n', h, p->search, 0, msg,
				      msgsize);
			return true;
		case 'e':
		case 'E':
			pane_jump_say(p, env, ch == 'E', h, "", 'e', msg,
				      msgsize);
			return true;
		case 'w':
		case 'W':
			pane_jump_say(p, env, ch == 'W', h, "", 'w', msg,
				      msgsize);
			return true;
		default: return false;
		}
	}
	logstreams_unlock(env->ls);
	return true;
}

/* mkdir -p with 0700 folders. */
static int pane_mkdirs(const char *dir)
{
	char *path = xstrdup(dir), *s;
	int rc = 0;

	for (s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		rc = -1;
	free(path);
	return rc;
}

int pane_save(struct pane *p, const struct pane_env *env, const char *dir,
	      char *msg, size_t msgsize)
{
	char title[128], stamp[32], *path;
	uint64_t *cur;
	const struct logring_line *l;
	size_t ring, k;
	time_t t = time(NULL);
	struct tm tm;
	FILE *fp;
	int fd;

	pane_title(p, env, title, sizeof(title));
	for (k = 0; title[k]; k++)
		if (title[k] == ' ')
			title[k] = '-';
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (pane_mkdirs(dir) < 0) {
		snprintf(msg, msgsize, "cannot create %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	path = xasprintf("%s/%s-%s.log", dir, title, stamp);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (fp == NULL) {
		snprintf(msg, msgsize, "cannot write %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return -1;
	}
	cur = xcalloc(p->nr, sizeof(*cur));
	logstreams_lock(env->ls);
	for (k = 0; k < p->nr; k++)
		cur[k] = logring_first(pane_ring(p, env, k));
	while ((l = pane_step(p, env, cur, false, &ring)) != NULL) {
		char when[32];
		time_t lt = (time_t)(l->at_ms / 1000);

		gmtime_r(&lt, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(fp, "%s %s%s%s%s\n", when,
			p->merged ? env->fleet->nodes[ring].name : "",
			p->merged ? " " : "", l->text, l->cut ? " [cut]" : "");
	}
	logstreams_unlock(env->ls);
	free(cur);
	if (fclose(fp) != 0) {
		snprintf(msg, msgsize, "cannot write %s: %s", path,
			 strerror(errno));
		free(path);
		return -1;
	}
	snprintf(msg, msgsize, "saved to %s", path);
	free(path);
	return 0;
}
