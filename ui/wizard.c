#include "ui/wizard.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/duration.h"
#include "lib/sanitize.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"
#include "proc/procedure.h"
#include "state/procjournal.h"
#include "ui/term.h"

#define WIZARD_LOG_MAX  2000 /* lines kept; the oldest go first */
#define WIZARD_LINE_MAX 512  /* bytes of one line, sanitized */
#define WIZARD_LIMITS   8

struct wizard {
	const struct wizard_env *env;
	char title[200];
	char id[200];
	char lock[400];
	char question[400];
	char *log[WIZARD_LOG_MAX]; /* a ring: start, count */
	size_t log_start, log_count;
	int scroll; /* lines up from the newest; 0 follows */
	bool asking;
	bool running;   /* this process runs the journal's procedure now */
	bool suspended; /* a program (the editor) has the terminal */
	struct {
		char step[32];
		uint64_t ms;
	} limits[WIZARD_LIMITS];
	size_t nlimits;
	int64_t drawn_s;    /* the second of the last frame (the clock) */
	pthread_mutex_t mu; /* every frame and every change of the above */
};

static void wz_draw(struct wizard *w);

struct wizard *wizard_new(const struct wizard_env *env, const char *title)
{
	struct wizard *w = xcalloc(1, sizeof(*w));

	w->env = env;
	snprintf(w->title, sizeof(w->title), "%s", title);
	snprintf(w->lock, sizeof(w->lock), "not taken yet");
	pthread_mutex_init(&w->mu, NULL);
	return w;
}

void wizard_free(struct wizard *w)
{
	size_t k;

	if (w == NULL)
		return;
	for (k = 0; k < w->log_count; k++)
		free(w->log[(w->log_start + k) % WIZARD_LOG_MAX]);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

void wizard_set_journal(struct wizard *w, const char *id)
{
	pthread_mutex_lock(&w->mu);
	snprintf(w->id, sizeof(w->id), "%s", id ? id : "");
	wz_draw(w);
	pthread_mutex_unlock(&w->mu);
}

void wizard_set_lock(struct wizard *w, const char *text)
{
	pthread_mutex_lock(&w->mu);
	snprintf(w->lock, sizeof(w->lock), "%s", text);
	wz_draw(w);
	pthread_mutex_unlock(&w->mu);
}

void wizard_set_running(struct wizard *w, bool running)
{
	pthread_mutex_lock(&w->mu);
	w->running = running;
	wz_draw(w);
	pthread_mutex_unlock(&w->mu);
}

void wizard_set_limit(struct wizard *w, const char *step, uint64_t ms)
{
	size_t k;

	pthread_mutex_lock(&w->mu);
	for (k = 0; k < w->nlimits; k++)
		if (strcmp(w->limits[k].step, step) == 0)
			break;
	if (k < WIZARD_LIMITS) {
		snprintf(w->limits[k].step, sizeof(w->limits[k].step), "%s",
			 step);
		w->limits[k].ms = ms;
		if (k == w->nlimits)
			w->nlimits++;
	}
	pthread_mutex_unlock(&w->mu);
}

void wizard_tick(struct wizard *w)
{
	pthread_mutex_lock(&w->mu);
	if (!w->asking && clock_now_ms() / 1000 != w->drawn_s)
		wz_draw(w);
	pthread_mutex_unlock(&w->mu);
}

static void wz_log_add(struct wizard *w, const char *line, size_t len)
{
	char clean[WIZARD_LINE_MAX];
	size_t slot;

	sanitize_text(line, len, clean, sizeof(clean), !w->env->utf8);
	if (w->log_count == WIZARD_LOG_MAX) {
		free(w->log[w->log_start]);
		w->log_start = (w->log_start + 1) % WIZARD_LOG_MAX;
		w->log_count--;
	}
	slot = (w->log_start + w->log_count) % WIZARD_LOG_MAX;
	w->log[slot] = xstrdup(clean);
	w->log_count++;
}

static void wz_say(struct wizard *w, const char *text)
{
	const char *p = text, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL) {
			wz_log_add(w, p, strlen(p));
			break;
		}
		wz_log_add(w, p, (size_t)(nl - p));
		p = nl + 1;
	}
	w->scroll = 0; /* new lines: follow them */
	wz_draw(w);
}

void wizard_say(struct wizard *w, const char *text)
{
	pthread_mutex_lock(&w->mu);
	wz_say(w, text);
	pthread_mutex_unlock(&w->mu);
}

/* Bytes of s that fill at most width columns (UTF-8: one a character). */
static int wz_fit(const char *s, int width)
{
	int bytes = 0, chars = 0;

	for (; s[bytes] != '\0'; bytes++) {
		if (((unsigned char)s[bytes] & 0xc0) == 0x80)
			continue;
		if (chars++ == width)
			break;
	}
	return bytes;
}

/* Bytes of s for one row of at most width columns, cut after a word
 * when the rest does not fit. */
static int wz_question_cut(const char *s, int width)
{
	int n = wz_fit(s, width > 1 ? width : 1), k;

	if (s[n] == '\0')
		return n;
	for (k = n; k > 0; k--)
		if (s[k] == ' ')
			return k;
	return n;
}

/* Rows the question takes at cols (at most 6). */
static int wz_question_rows(const char *q, int cols)
{
	int rows = 0;

	while (*q != '\0' && rows < 6) {
		q += wz_question_cut(q, cols - 2);
		while (*q == ' ')
			q++;
		rows++;
	}
	return rows > 0 ? rows : 1;
}

static void wz_put(int y, int x, int width, const char *s)
{
	if (width > 0)
		mvaddnstr(y, x, s, wz_fit(s, width));
}

/* A whole row in one style, text cut to the screen. */
static void wz_bar(int y, int cols, attr_t a, const char *s)
{
	attrset(a);
	mvhline(y, 0, ' ', cols);
	wz_put(y, 0, cols, s);
	attrset(A_NORMAL);
}

/* A cell: what happened to step on node, and its style. */
static const char *wz_cell(const struct wizard *w,
			   const struct procjournal_view *v, const char *step,
			   const char *node, attr_t *a)
{
	const attr_t *st = w->env->style;
	const char *u = procedure_state(v, "undo", step, node);
	const char *d = procedure_state(v, "step", step, node);

	*a = A_NORMAL;
	if (u != NULL) {
		if (strcmp(u, "done") == 0)
			return *a = st[THEME_UNKNOWN], "undone";
		if (strcmp(u, "failed") == 0)
			return *a = st[THEME_DOWN] | A_BOLD, "UNDO!";
		return *a = st[THEME_UNKNOWN] | A_BOLD, "undo..";
	}
	if (d == NULL)
		return *a = A_DIM, ".";
	if (strcmp(d, "done") == 0)
		return *a = st[THEME_UP], "ok";
	if (strcmp(d, "failed") == 0)
		return *a = st[THEME_DOWN] | A_BOLD, "FAILED";
	return *a = st[THEME_UNKNOWN] | A_BOLD,
	       v->outcome ? "cut off" : "now..";
}

/* The plan: steps across, nodes down. Returns the next free row. */
static int wz_draw_plan(struct wizard *w, const struct procjournal_view *v,
			int y, int rows, int cols)
{
	const cJSON *steps = cJSON_GetObjectItem(v->begin, "steps");
	const cJSON *nodes = cJSON_GetObjectItem(v->begin, "nodes");
	const char *cur =
	    v->last ? cJSON_GetStringValue(cJSON_GetObjectItem(v->last, "step"))
		    : NULL;
	int nn = cJSON_GetArraySize(nodes), shown, k, x;
	int namew = 12;
	const cJSON *s, *n;

	/* At most about a third of the screen for nodes; "+N more". */
	shown = nn;
	if (shown > (rows - 8) / 2)
		shown = (rows - 8) / 2 > 1 ? (rows - 8) / 2 : 1;
	attrset(w->env->style[THEME_TITLE]);
	mvhline(y, 0, ' ', cols);
	wz_put(y, 0, namew, "NODE");
	x = namew;
	cJSON_ArrayForEach(s, steps)
	{
		const char *name = cJSON_GetStringValue(s);
		int cw = name ? (int)strlen(name) + 1 : 2;

		if (cw < 8)
			cw = 8;
		if (name && cur && strcmp(name, cur) == 0 && v->outcome == NULL)
			attron(A_REVERSE);
		wz_put(y, x, cols - x, name ? name : "?");
		attroff(A_REVERSE);
		x += cw;
	}
	attrset(A_NORMAL);
	y++;
	k = 0;
	cJSON_ArrayForEach(n, nodes)
	{
		const char *node = cJSON_GetStringValue(n);

		if (node == NULL)
			continue;
		if (k == shown) {
			mvprintw(y++, 0, "  (+%d more nodes)", nn - shown);
			break;
		}
		wz_put(y, 0, namew - 1, node);
		x = namew;
		cJSON_ArrayForEach(s, steps)
		{
			const char *name = cJSON_GetStringValue(s);
			int cw = name ? (int)strlen(name) + 1 : 2;
			attr_t a;
			const char *cell;

			if (cw < 8)
				cw = 8;
			if (name == NULL || x >= cols)
				break;
			cell = wz_cell(w, v, name, node, &a);
			attrset(a);
			wz_put(y, x, cols - x, cell);
			attrset(A_NORMAL);
			x += cw;
		}
		y++;
		k++;
	}
	return y;
}

/* Columns of s (UTF-8: one a character). */
static int wz_width(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Screen rows line takes when wrapped at cols. */
static int wz_rows(const char *line, int cols)
{
	int n = wz_width(line);

	return n <= cols ? 1 : (n + cols - 1) / cols;
}

/* The style of a log line: a diff coloured as diff -u --color would. */
static attr_t wz_line_style(const struct wizard *w, const char *line)
{
	const attr_t *st = w->env->style;

	if (line[0] == '+' && strncmp(line, "+++", 3) != 0)
		return st[THEME_UP];
	if (line[0] == '-' && strncmp(line, "---", 3) != 0)
		return st[THEME_DOWN];
	if (strncmp(line, "@@", 2) == 0)
		return st[THEME_TITLE];
	return A_NORMAL;
}

/*
 * The log between y and the footer, long lines wrapped (a message cut
 * at the screen's edge could hide the part that matters), the newest at
 * the bottom unless scrolled up (by whole lines).
 */
static void wz_draw_log(struct wizard *w, int y, int rows, int cols)
{
	int h = rows - 1 - y, used = 0, last, first, skip, row;

	if (h <= 0 || cols <= 0 || w->log_count == 0)
		return;
	if (w->scroll > (int)w->log_count - 1)
		w->scroll = (int)w->log_count - 1;
	last = (int)w->log_count - 1 - w->scroll;
	/* Back from the last line shown until the rows are full. */
	for (first = last; first >= 0; first--) {
		used += wz_rows(
		    w->log[(w->log_start + (size_t)first) % WIZARD_LOG_MAX],
		    cols);
		if (used >= h)
			break;
	}
	if (first < 0)
		first = 0;
	skip = used > h ? used - h : 0; /* the first line's hidden rows */
	row = y;
	for (; first <= last && row < rows - 1; first++) {
		const char *line =
		    w->log[(w->log_start + (size_t)first) % WIZARD_LOG_MAX];
		const char *p = line;

		attrset(wz_line_style(w, line));
		do {
			int n = wz_fit(p, cols);

			if (skip > 0)
				skip--;
			else if (row < rows - 1)
				mvaddnstr(row++, 0, p, n);
			p += n;
		} while (*p != '\0');
		attrset(A_NORMAL);
	}
}

/* "12s", "2m48s": whole seconds, so a countdown steps once a second. */
static void wz_secs(int64_t ms, char *out, size_t size)
{
	if (ms < 1000)
		snprintf(out, size, "0s");
	else
		duration_human((uint64_t)(ms / 1000 * 1000), out, size);
}

/*
 * Where a procedure this process runs stands: the oldest (step, node)
 * started and not ended, with what is left of its limit ("wait on
 * node-1, 2m48s left of 3m") or how long it has run ("restart on node-1
 * for 12s"); "between steps" when none is under way.
 */
static void wz_running(const struct wizard *w, const struct procjournal_view *v,
		       char *out, size_t size)
{
	const cJSON *o, *at = NULL;
	const char *rec = NULL, *step = NULL, *node = NULL;
	int others = 0;
	int64_t ran;
	char t1[32], more[32] = "";
	size_t k;

	cJSON_ArrayForEach(o, v->records)
	{
		const char *r =
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "rec"));
		const char *s =
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "step"));
		const char *n =
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "node"));
		const char *st =
		    cJSON_GetStringValue(cJSON_GetObjectItem(o, "state"));
		const char *now;

		if (r == NULL || s == NULL || n == NULL || st == NULL ||
		    strcmp(st, "start") != 0)
			continue;
		now = procedure_state(v, r, s, n);
		if (now == NULL || strcmp(now, "start") != 0)
			continue;
		if (at == NULL) {
			at = o, rec = r, step = s, node = n;
		} else if (strcmp(s, step) != 0 || strcmp(n, node) != 0) {
			others++;
		}
	}
	if (at == NULL) {
		snprintf(out, size, "running, between steps");
		return;
	}
	ran = clock_now_ms() - timefmt_iso8601_parse(cJSON_GetStringValue(
				   cJSON_GetObjectItem(at, "time")));
	if (ran < 0)
		ran = 0;
	if (others > 0)
		snprintf(more, sizeof(more), " (+%d more)", others);
	for (k = 0; k < w->nlimits; k++)
		if (strcmp(rec, "step") == 0 &&
		    strcmp(w->limits[k].step, step) == 0)
			break;
	wz_secs(ran, t1, sizeof(t1));
	if (k < w->nlimits) {
		int64_t left = (int64_t)w->limits[k].ms - ran;
		char t2[32];

		wz_secs(left > 0 ? left : 0, t1, sizeof(t1));
		wz_secs((int64_t)w->limits[k].ms, t2, sizeof(t2));
		snprintf(out, size, "running: %s on %s%s, %s left of %s", step,
			 node, more, t1, t2);
		return;
	}
	snprintf(out, size, "running: %s%s on %s%s for %s",
		 strcmp(rec, "undo") == 0 ? "undo of " : "", step, node, more,
		 t1);
}

void wizard_draw(struct wizard *w)
{
	pthread_mutex_lock(&w->mu);
	wz_draw(w);
	pthread_mutex_unlock(&w->mu);
}

static void wz_draw(struct wizard *w)
{
	struct procjournal_view v;
	char line[1024], msg[300];
	int rows, cols, y;
	bool have = false;

	if (w->suspended)
		return; /* the editor's screen is not ours to draw on */
	/* A resize is only seen by getch: look for one (type-ahead goes;
	 * every question flushes it anyway). */
	if (!w->asking) {
		timeout(0);
		while (getch() != ERR)
			;
	}
	rows = LINES;
	cols = COLS;
	erase();
	if (w->id[0] && w->env->state_dir &&
	    procjournal_read(w->env->state_dir, w->id, &v, msg, sizeof(msg)) ==
		0)
		have = true;
	snprintf(line, sizeof(line), " bvops procedure: %s%s%s", w->title,
		 w->id[0] ? "  " : "", w->id);
	wz_bar(0, cols, w->env->style[THEME_HEADER], line);
	snprintf(line, sizeof(line), " lock: %s", w->lock);
	wz_put(1, 0, cols, line);
	y = 3;
	if (have) {
		char where[400];

		if (w->running && v.outcome == NULL)
			wz_running(w, &v, where, sizeof(where));
		else
			procedure_describe(&v, where, sizeof(where));
		snprintf(line, sizeof(line), " state: %s%s", where,
			 v.outcome ? "" : " (journal open)");
		attrset(v.outcome == NULL ? A_BOLD : A_NORMAL);
		wz_put(2, 0, cols, line);
		attrset(A_NORMAL);
		y = wz_draw_plan(w, &v, 3, rows, cols);
		procjournal_view_free(&v);
	} else {
		wz_put(2, 0, cols, " state: not journaled yet");
	}
	attrset(A_DIM);
	mvhline(y, 0, '-', cols); /* as the console's boxes: one style */
	snprintf(line, sizeof(line), " log%s ",
		 w->scroll   ? " (scrolled: PgDn for the newest)"
		 : w->asking ? " (PgUp/PgDn scroll)"
			     : "");
	wz_put(y, 2, cols - 2, line);
	attrset(A_NORMAL);
	if (!w->asking) {
		wz_draw_log(w, y + 1, rows, cols);
		wz_bar(rows - 1, cols, w->env->style[THEME_FOOTER],
		       " working... (the log follows)");
		curs_set(0);
	} else {
		/* The whole question, wrapped at words over as many rows as
		 * it needs (every answer must show), the log above it. */
		const char *rest = w->question;
		int q = wz_question_rows(w->question, cols), k, x = 1;

		wz_draw_log(w, y + 1, rows - (q - 1), cols);
		for (k = 0; k < q; k++) {
			int n = wz_question_cut(rest, cols - 2);

			snprintf(line, sizeof(line), " %.*s", n, rest);
			wz_bar(rows - q + k, cols, w->env->style[THEME_FOOTER],
			       line);
			x = 1 + (int)strlen(line) - 1;
			rest += n;
			while (*rest == ' ')
				rest++;
		}
		move(rows - 1, x + 1 < cols ? x + 1 : cols - 1);
		curs_set(1);
	}
	refresh();
	w->drawn_s = clock_now_ms() / 1000;
}

/*
 * Whether ch answers question: the letters in its brackets ("[y/N]": y
 * and n; "[e]dit again, or [a]bort": e and a), in either case. A question
 * without brackets takes any key.
 */
static bool wz_offered(const char *question, int ch)
{
	const char *p = question;
	bool any = false;

	while ((p = strchr(p, '[')) != NULL) {
		const char *close = strchr(p, ']');

		if (close == NULL)
			break;
		any = true;
		for (p++; p < close; p++)
			if ((p[-1] == '[' || p[-1] == '/') &&
			    tolower((unsigned char)*p) == tolower(ch))
				return true;
		p = close + 1;
	}
	return !any;
}

/* The question w asks from now (asking), or none (NULL); redrawn. */
static void wz_set_question(struct wizard *w, const char *question)
{
	size_t len;

	pthread_mutex_lock(&w->mu);
	snprintf(w->question, sizeof(w->question), "%s",
		 question ? question : "");
	/* One line: the question's own newline is not drawn. */
	len = strlen(w->question);
	while (len > 0 &&
	       (w->question[len - 1] == '\n' || w->question[len - 1] == ' '))
		w->question[--len] = '\0';
	w->asking = question != NULL;
	if (!w->asking)
		curs_set(0);
	wz_draw(w);
	pthread_mutex_unlock(&w->mu);
}

/* The log's scroll keys while a question is open: the pages and the
 * arrows always, j/k too when letters are not being typed. True when ch
 * was one (and the log was redrawn). */
static bool wz_scroll_key(struct wizard *w, int ch, bool letters)
{
	int by;

	if (ch == KEY_PPAGE || ch == KEY_UP || (letters && ch == 'k'))
		by = ch == KEY_PPAGE ? LINES / 2 : 1;
	else if (ch == KEY_NPAGE || ch == KEY_DOWN || (letters && ch == 'j'))
		by = ch == KEY_NPAGE ? -(LINES / 2) : -1;
	else if (ch == KEY_RESIZE)
		by = 0;
	else
		return false;
	pthread_mutex_lock(&w->mu);
	w->scroll += by;
	if (w->scroll < 0)
		w->scroll = 0;
	wz_draw(w);
	pthread_mutex_unlock(&w->mu);
	return true;
}

/* A Ctrl-C while a step ran (or the editor had the screen) is said, not
 * obeyed: a procedure is never left halfway by a key. */
static void wz_interrupt_before(struct wizard *w)
{
	if (term_interrupt_take())
		wizard_say(w, "(Ctrl-C: a procedure does not stop halfway; Esc "
			      "at a question says no, and q at the console "
			      "quits)");
}

int wizard_ask(struct wizard *w, const char *question)
{
	int answer = 0;

	flushinp(); /* no type-ahead answers a question */
	wz_interrupt_before(w);
	wz_set_question(w, question);
	timeout(500);
	for (;;) {
		int ch;

		if (term_quit_requested())
			break;
		if (term_interrupt_take()) { /* Ctrl-C at a question: Esc */
			wizard_say(w, "(Ctrl-C: taken as Esc)");
			break;
		}
		ch = getch();
		if (ch == ERR)
			continue;
		/* An answer the question offers decides; j/k and the pages
		 * scroll the log; any other key (a resize too) changes
		 * nothing: a stray key never answers for the operator. */
		if (ch > 0 && ch < 127 && wz_offered(w->question, ch)) {
			answer = ch;
			break;
		} else if (wz_scroll_key(w, ch, true)) {
			continue;
		} else if (ch == 27) {
			break;
		} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			answer = '\n'; /* the default: the capital in [y/N] */
			break;
		}
	}
	timeout(0);
	wz_set_question(w, NULL);
	return answer;
}

void wizard_suspend(struct wizard *w)
{
	pthread_mutex_lock(&w->mu);
	w->suspended = true; /* no frame, no tick, until it is back */
	def_prog_mode();
	endwin();
	pthread_mutex_unlock(&w->mu);
}

void wizard_resume(struct wizard *w)
{
	pthread_mutex_lock(&w->mu);
	w->suspended = false;
	reset_prog_mode();
	clearok(stdscr, TRUE);
	wz_draw(w);
	pthread_mutex_unlock(&w->mu);
}

int wizard_ask_line(struct wizard *w, const char *question, char *out,
		    size_t size)
{
	size_t len = 0;
	int rc = -1;

	out[0] = '\0';
	flushinp(); /* no type-ahead answers a question */
	wz_interrupt_before(w);
	timeout(500);
	for (;;) {
		char q[sizeof(w->question)];
		int ch;

		snprintf(q, sizeof(q), "%s%s", question, out);
		wz_set_question(w, q);
		if (term_quit_requested())
			break;
		if (term_interrupt_take()) {
			wizard_say(w, "(Ctrl-C: taken as Esc)");
			break;
		}
		/* The pages and arrows scroll what the answer is about (an
		 * ERS plan's every diff) while letters go into the line. */
		while ((ch = getch()) != ERR && wz_scroll_key(w, ch, false))
			;
		if (ch == ERR)
			continue;
		if (ch == 27)
			break;
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			rc = 0;
			break;
		}
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && len > 0)
			out[--len] = '\0';
		else if (ch >= 32 && ch < 127 && len + 1 < size) {
			out[len++] = (char)ch;
			out[len] = '\0';
		}
	}
	timeout(0);
	wz_set_question(w, NULL);
	return rc;
}
