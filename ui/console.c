/*
 * The console's views. Each frame is drawn from a snapshot of the
 * monitor; the screen is redrawn only when a key, a resize, a new result
 * or the minute changed it, and curses sends only the cells that differ,
 * so an idle, healthy fleet costs the link next to nothing.
 */
#include "console.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/cli.h"
#include "../src/probe.h"
#include "../src/sanitize.h"
#include "term.h"

enum console_overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_DETAIL };

/* Columns of the node table, in display order. */
enum console_col {
	COL_IDX,
	COL_NODE,
	COL_ROLE,
	COL_STATUS,
	COL_HTTP,
	COL_LATENCY,
	COL_HISTORY,
	COL_FAIL,
	COL_SINCE,
	COL_COUNT
};

static const struct {
	const char *title;
	int width;
	int drop; /* narrow screens drop the highest first; 0 never */
} console_cols[COL_COUNT] = {
    [COL_IDX] = {"IDX", 3, 0},          [COL_NODE] = {"NODE", 16, 0},
    [COL_ROLE] = {"ROLE", 7, 6},        [COL_STATUS] = {"STATUS", 9, 0},
    [COL_HTTP] = {"HTTP", 4, 2},        [COL_LATENCY] = {"LATENCY", 8, 3},
    [COL_HISTORY] = {"HISTORY", 12, 1}, [COL_FAIL] = {"FAIL", 4, 4},
    [COL_SINCE] = {"SINCE", 5, 5},
};

struct console {
	const struct fleet *fleet;
	struct monitor *monitor;
	struct monitor_snapshot snap;
	size_t selected;
	size_t top; /* first node row shown */
	enum console_overlay overlay;
	bool utf8;
	bool read_only;
	attr_t style[THEME_ROLE_COUNT]; /* curses attributes per role */
	bool shown[COL_COUNT];
	int width[COL_COUNT];
};

static const struct {
	const char *keys;
	const char *what;
} console_keys[] = {
    {"Up/Down, j/k", "move between nodes"},
    {"PgUp/PgDn, g/G", "page, first, last"},
    {"Enter", "the node's details"},
    {"?", "this help"},
    {"Esc", "close a window"},
    {"q", "quit"},
};

/* Draw untrusted text: control sequences removed, cut to width bytes. */
static void console_put(struct console *c, int y, int x, int width,
			const char *s)
{
	char clean[1024];

	if (width <= 0)
		return;
	sanitize_text(s, strlen(s), clean, sizeof(clean), !c->utf8);
	mvaddnstr(y, x, clean, width);
}

/* "3s", "5m", "2h", "4d": coarse, so an idle screen stays still. */
static void console_age(int64_t since_ms, int64_t now_ms, char *out,
			size_t size)
{
	int64_t s = (now_ms - since_ms) / 1000;

	if (since_ms == 0)
		snprintf(out, size, "-");
	else if (s < 60)
		snprintf(out, size, "<1m");
	else if (s < 3600)
		snprintf(out, size, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(out, size, "%lldh", (long long)(s / 3600));
	else
		snprintf(out, size, "%lldd", (long long)(s / 86400));
}

static const char *console_symbol(const struct console *c,
				  enum health_status st)
{
	if (st == HEALTH_UP)
		return c->utf8 ? "\xe2\x97\x8f" : "+"; /* ● */
	if (st == HEALTH_DOWN)
		return c->utf8 ? "\xe2\x9c\x96" : "x"; /* ✖ */
	return c->utf8 ? "\xe2\x80\xa6" : "?";         /* … */
}

static attr_t console_status_style(const struct console *c,
				   const struct monitor_node_view *v)
{
	if (v->stale)
		return c->style[THEME_STALE];
	return c->style[v->status == HEALTH_UP     ? THEME_UP
			: v->status == HEALTH_DOWN ? THEME_DOWN
						   : THEME_UNKNOWN];
}

/* Fit the columns to the screen: drop the least needed first. */
static void console_layout(struct console *c, int cols)
{
	int total = 0, k, drop;

	for (k = 0; k < COL_COUNT; k++) {
		c->shown[k] = true;
		c->width[k] = console_cols[k].width;
		total += c->width[k] + 1;
	}
	if (cols > total && c->width[COL_HISTORY] < MONITOR_STRIP) {
		int grow = cols - total;

		if (grow > MONITOR_STRIP - c->width[COL_HISTORY])
			grow = MONITOR_STRIP - c->width[COL_HISTORY];
		c->width[COL_HISTORY] += grow;
		total += grow;
	}
	for (drop = 1; total > cols && drop <= 6; drop++)
		for (k = 0; k < COL_COUNT; k++)
			if (console_cols[k].drop == drop && c->shown[k]) {
				c->shown[k] = false;
				total -= c->width[k] + 1;
			}
}

static void console_draw_header(struct console *c, int cols)
{
	char line[512], clock[16];
	const struct fleet *f = c->fleet;
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(clock, sizeof(clock), "%H:%M UTC", &tm);
	snprintf(line, sizeof(line),
		 " bvops  %s%s%s%s  %zu up  %zu down  %zu unknown  quorum "
		 "%lld%s",
		 f->name, f->region ? " (" : "", f->region ? f->region : "",
		 f->region ? ")" : "", c->snap.up, c->snap.down,
		 c->snap.unknown, (long long)f->quorum,
		 c->read_only ? "  READ-ONLY" : "");
	attrset(c->style[THEME_HEADER]);
	mvhline(0, 0, ' ', cols);
	console_put(c, 0, 0, cols, line);
	if (cols > (int)strlen(line) + 12)
		console_put(c, 0, cols - 10, 10, clock);
	attrset(A_NORMAL);
}

static int console_cell(struct console *c, int y, int x, int cols,
			enum console_col col, const char *text, attr_t style)
{
	if (!c->shown[col] || x >= cols)
		return x;
	attrset(style);
	console_put(c, y, x,
		    cols - x < c->width[col] ? cols - x : c->width[col], text);
	return x + c->width[col] + 1;
}

static void console_draw_titles(struct console *c, int cols)
{
	int x = 1, k;

	attrset(c->style[THEME_TITLE]);
	mvhline(1, 0, ' ', cols);
	for (k = 0; k < COL_COUNT; k++)
		x = console_cell(c, 1, x, cols, (enum console_col)k,
				 console_cols[k].title, c->style[THEME_TITLE]);
	attrset(A_NORMAL);
}

static void console_draw_history(struct console *c, int y, int x, int cols,
				 const struct monitor_node_view *v)
{
	int w = c->width[COL_HISTORY], k;

	if (!c->shown[COL_HISTORY])
		return;
	/* The newest results, right-aligned. */
	for (k = 0; k < w && x + k < cols; k++) {
		char ch = v->strip[MONITOR_STRIP - w + k];

		if (ch == ' ')
			continue;
		attrset(ch == '+' ? c->style[THEME_UP] : c->style[THEME_DOWN]);
		if (c->utf8)
			mvaddstr(y, x + k,
				 ch == '+' ? "\xc2\xb7" /* · */
					   : "\xe2\x9c\x97" /* ✗ */);
		else
			mvaddch(y, x + k, ch == '+' ? '.' : 'x');
	}
	attrset(A_NORMAL);
}

static void console_draw_row(struct console *c, int y, int cols, size_t k,
			     int64_t now)
{
	const struct fleet_node *n = &c->fleet->nodes[k];
	const struct monitor_node_view *v = &c->snap.nodes[k];
	bool sel = k == c->selected;
	attr_t base = sel ? c->style[THEME_SELECTED] : A_NORMAL;
	char buf[64];
	int x = 1;

	attrset(base);
	mvhline(y, 0, ' ', cols);
	snprintf(buf, sizeof(buf), "%3lld", (long long)n->index);
	x = console_cell(c, y, x, cols, COL_IDX, buf, base);
	x = console_cell(c, y, x, cols, COL_NODE, n->name, base);
	x = console_cell(c, y, x, cols, COL_ROLE, fleet_role_name(n->role),
			 base);
	snprintf(buf, sizeof(buf), "%s %s%s", console_symbol(c, v->status),
		 health_status_name(v->status), v->stale ? "?" : "");
	x = console_cell(c, y, x, cols, COL_STATUS, buf,
			 sel ? base : console_status_style(c, v));
	if (v->last.http_code != 0)
		snprintf(buf, sizeof(buf), "%4d", v->last.http_code);
	else
		snprintf(buf, sizeof(buf), "%4s", v->last.at_ms ? "-" : "");
	x = console_cell(c, y, x, cols, COL_HTTP, buf, base);
	if (v->last.latency_ms >= 0 && v->last.latency_ms < 1)
		snprintf(buf, sizeof(buf), "%8s", "<1ms");
	else if (v->last.latency_ms >= 0)
		snprintf(buf, sizeof(buf), "%6.0fms", v->last.latency_ms);
	else
		buf[0] = '\0';
	x = console_cell(c, y, x, cols, COL_LATENCY, buf, base);
	if (c->shown[COL_HISTORY]) {
		console_draw_history(c, y, x, cols, v);
		x += c->width[COL_HISTORY] + 1;
	}
	snprintf(buf, sizeof(buf), "%4u", v->consecutive_failures);
	x = console_cell(c, y, x, cols, COL_FAIL,
			 v->consecutive_failures ? buf : "   -", base);
	console_age(v->last_change_ms, now, buf, sizeof(buf));
	console_cell(c, y, x, cols, COL_SINCE, buf, base);
	attrset(A_NORMAL);
}

static void console_draw_rows(struct console *c, int rows, int cols)
{
	int body = rows - 3, y;
	int64_t now = probe_now_ms();

	if (body < 1)
		return;
	if (c->selected < c->top)
		c->top = c->selected;
	if (c->selected >= c->top + (size_t)body)
		c->top = c->selected - (size_t)body + 1;
	for (y = 0; y < body; y++) {
		size_t k = c->top + (size_t)y;

		move(2 + y, 0);
		clrtoeol();
		if (k < c->fleet->nnodes && k < c->snap.n)
			console_draw_row(c, 2 + y, cols, k, now);
	}
}

static void console_draw_footer(struct console *c, int rows, int cols)
{
	attrset(c->style[THEME_FOOTER]);
	mvhline(rows - 1, 0, ' ', cols);
	console_put(c, rows - 1, 0, cols,
		    " q quit  ? help  Enter details  j/k move");
	attrset(A_NORMAL);
}

/* A centred box with a title; returns its top-left corner in *y, *x. */
static void console_box(struct console *c, int rows, int cols, int h, int w,
			const char *title, int *y, int *x)
{
	int r;

	if (h > rows)
		h = rows;
	if (w > cols)
		w = cols;
	*y = (rows - h) / 2;
	*x = (cols - w) / 2;
	attrset(c->style[THEME_WINDOW]);
	for (r = 0; r < h; r++)
		mvhline(*y + r, *x, ' ', w);
	attron(A_BOLD);
	mvhline(*y, *x, '-', w);
	mvhline(*y + h - 1, *x, '-', w);
	mvvline(*y, *x, '|', h);
	mvvline(*y, *x + w - 1, '|', h);
	console_put(c, *y, *x + 2, w - 4, title);
	attroff(A_BOLD);
}

static void console_draw_help(struct console *c, int rows, int cols)
{
	int y, x, k, n = (int)(sizeof(console_keys) / sizeof(console_keys[0]));
	char line[128];

	console_box(c, rows, cols, n + 4, 52, " Keys (Esc closes) ", &y, &x);
	for (k = 0; k < n; k++) {
		snprintf(line, sizeof(line), "%-16s %s", console_keys[k].keys,
			 console_keys[k].what);
		console_put(c, y + 2 + k, x + 2, cols - x - 4, line);
	}
	attrset(A_NORMAL);
}

static void console_draw_detail(struct console *c, int rows, int cols)
{
	const struct fleet_node *n = &c->fleet->nodes[c->selected];
	const struct monitor_node_view *v = &c->snap.nodes[c->selected];
	char lines[16][300], age[16];
	int y, x, k, count = 0;

#define DETAIL(...) snprintf(lines[count++], sizeof(lines[0]), __VA_ARGS__)
	DETAIL("status      %s%s", health_status_name(v->status),
	       v->stale ? " (stale: no fresh result)" : "");
	if (v->last.http_code != 0)
		DETAIL("last check  HTTP %d in %.1f ms", v->last.http_code,
		       v->last.latency_ms);
	else if (v->last.at_ms != 0)
		DETAIL("last check  %s", v->last.error);
	else
		DETAIL("last check  none yet");
	console_age(v->last_change_ms, probe_now_ms(), age, sizeof(age));
	DETAIL("failures    %u in a row; last change %s ago",
	       v->consecutive_failures, age);
	DETAIL("history     %s", v->strip);
	DETAIL("index       %lld, %s", (long long)n->index,
	       fleet_role_name(n->role));
	DETAIL("ping_url    %s", n->ping_url);
	DETAIL("transport   %s%s%s", fleet_transport_name(n->transport),
	       n->ssh ? "  " : "", n->ssh ? n->ssh : "");
	DETAIL("instance    %s", n->instance_id ? n->instance_id : "-");
	DETAIL("enclave     %s", n->enclave_name ? n->enclave_name : "-");
	DETAIL("ssm param   %s",
	       n->config_ssm_param ? n->config_ssm_param : "-");
	DETAIL("kms stack   %s", n->kms_stack ? n->kms_stack : "-");
#undef DETAIL
	snprintf(lines[count], sizeof(lines[0]), " %s (Esc closes) ", n->name);
	console_box(c, rows, cols, count + 4, 72, lines[count], &y, &x);
	for (k = 0; k < count; k++)
		console_put(c, y + 2 + k, x + 2, cols - x - 4, lines[k]);
	attrset(A_NORMAL);
}

static void console_draw(struct console *c)
{
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	erase();
	if (rows < 5 || cols < 20) {
		console_put(c, 0, 0, cols, "bvops: window too small");
		refresh();
		return;
	}
	console_layout(c, cols);
	console_draw_header(c, cols);
	console_draw_titles(c, cols);
	console_draw_rows(c, rows, cols);
	console_draw_footer(c, rows, cols);
	if (c->overlay == OVERLAY_HELP)
		console_draw_help(c, rows, cols);
	else if (c->overlay == OVERLAY_DETAIL)
		console_draw_detail(c, rows, cols);
	refresh();
}

/* 0-15 to a curses colour: bright ones need 16 colours, else bold. */
static short console_color(int color, bool *bold)
{
	if (color == THEME_COLOR_DEFAULT)
		return -1;
	if (color >= 8 && COLORS < 16) {
		*bold = true;
		return (short)(color - 8);
	}
	return (short)color;
}

/*
 * Turn the theme into curses attributes. Without colours (NO_COLOR, a
 * monochrome terminal) only the built-in attributes are used.
 */
static void console_apply_theme(struct console *c, const struct theme *t)
{
	struct theme mono;
	bool color = t != NULL && has_colors() && getenv("NO_COLOR") == NULL;
	size_t k;

	memset(&mono, 0, sizeof(mono));
	theme_mono(&mono);
	if (!color)
		t = &mono;
	for (k = 0; k < THEME_ROLE_COUNT; k++) {
		const struct theme_style *st = &t->styles[k];
		attr_t a = A_NORMAL;
		bool bold = false;

		if (color && (st->fg != THEME_COLOR_DEFAULT ||
			      st->bg != THEME_COLOR_DEFAULT)) {
			short fg = console_color(st->fg, &bold);
			bool unused = false;
			short bg = console_color(st->bg, &unused);

			init_pair((short)(k + 1), fg, bg);
			a |= COLOR_PAIR((int)k + 1);
		}
		if (bold || (st->attrs & THEME_BOLD))
			a |= A_BOLD;
		if (st->attrs & THEME_DIM)
			a |= A_DIM;
		if (st->attrs & THEME_REVERSE)
			a |= A_REVERSE;
		if (st->attrs & THEME_UNDERLINE)
			a |= A_UNDERLINE;
		c->style[k] = a;
	}
}

/* Apply one key; returns false when the console should quit. */
static bool console_key(struct console *c, int ch, bool *dirty)
{
	size_t n = c->fleet->nnodes;
	int rows = getmaxy(stdscr), page = rows > 4 ? rows - 4 : 1;

	*dirty = true;
	if (c->overlay != OVERLAY_NONE) {
		if (ch == 'q' || ch == 27 || ch == '?' || ch == '\r' ||
		    ch == '\n' || ch == KEY_ENTER)
			c->overlay = OVERLAY_NONE;
		return true;
	}
	switch (ch) {
	case 'q': return false;
	case KEY_UP:
	case 'k':
		if (c->selected > 0)
			c->selected--;
		break;
	case KEY_DOWN:
	case 'j':
		if (c->selected + 1 < n)
			c->selected++;
		break;
	case KEY_PPAGE:
		c->selected =
		    c->selected > (size_t)page ? c->selected - (size_t)page : 0;
		break;
	case KEY_NPAGE:
		c->selected = c->selected + (size_t)page < n
				  ? c->selected + (size_t)page
				  : n - 1;
		break;
	case KEY_HOME:
	case 'g': c->selected = 0; break;
	case KEY_END:
	case 'G': c->selected = n - 1; break;
	case '\r':
	case '\n':
	case KEY_ENTER: c->overlay = OVERLAY_DETAIL; break;
	case '?':
	case KEY_F(1): c->overlay = OVERLAY_HELP; break;
	case KEY_RESIZE: break;
	default: *dirty = false;
	}
	return true;
}

/* Take a fresh snapshot; true when anything on screen may differ. */
static bool console_refresh_state(struct console *c, int *minute)
{
	struct monitor_snapshot s;
	bool changed;
	time_t t = time(NULL);
	size_t k;

	monitor_snapshot(c->monitor, &s);
	changed = s.version != c->snap.version || (int)(t / 60) != *minute;
	for (k = 0; !changed && k < s.n && k < c->snap.n; k++)
		changed = s.nodes[k].stale != c->snap.nodes[k].stale;
	*minute = (int)(t / 60);
	monitor_snapshot_free(&c->snap);
	c->snap = s;
	return changed;
}

int console_run(const struct fleet *fleet, struct monitor *monitor,
		const struct console_options *o)
{
	struct console c;
	char msg[200];
	bool dirty = true, run = true;
	int minute = -1;

	memset(&c, 0, sizeof(c));
	c.fleet = fleet;
	c.monitor = monitor;
	c.read_only = o->read_only;
	if (term_start(msg, sizeof(msg)) < 0) {
		fprintf(stderr, "bvops: %s\n", msg);
		return CLI_EXIT_USAGE;
	}
	c.utf8 = term_utf8();
	console_apply_theme(&c, o->theme);
	console_refresh_state(&c, &minute);
	/* Four looks a second at most: the redraw rate is bounded. */
	timeout(250);
	while (run && !term_quit_requested()) {
		int ch;

		if (console_refresh_state(&c, &minute))
			dirty = true;
		if (dirty)
			console_draw(&c);
		dirty = false;
		ch = getch();
		if (ch == ERR)
			continue;
		run = console_key(&c, ch, &dirty);
		/* Take every key already typed before drawing again: a
		 * laggy link delivers keys in bursts. */
		timeout(0);
		while (run && (ch = getch()) != ERR) {
			bool more = false;

			run = console_key(&c, ch, &more);
			dirty |= more;
		}
		timeout(250);
	}
	term_stop();
	monitor_snapshot_free(&c.snap);
	return CLI_EXIT_OK;
}
