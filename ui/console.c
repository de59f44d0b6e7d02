/*
 * The console's views. Each frame is drawn from the fleet and the view's
 * own state; nothing is redrawn unless a key or a resize changed it, so an
 * idle console writes nothing to a slow link.
 */
#include "console.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cli.h"
#include "term.h"

enum console_overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_DETAIL };

struct console {
	const struct fleet *fleet;
	size_t selected;
	size_t top; /* first node row shown */
	enum console_overlay overlay;
	bool utf8;
	attr_t style[THEME_ROLE_COUNT]; /* curses attributes per role */
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

/* Print at most width columns of s; s is ours or the fleet file's, which
 * the fleet loader has already restricted to safe characters. */
static void console_put(int y, int x, int width, const char *s)
{
	if (width > 0)
		mvaddnstr(y, x, s, width);
}

static void console_draw_header(struct console *c, int cols)
{
	char line[512];
	const struct fleet *f = c->fleet;

	snprintf(line, sizeof(line),
		 " bvops  fleet %s%s%s  %zu node%s  "
		 "quorum %lld",
		 f->name, f->region ? "  region " : "",
		 f->region ? f->region : "", f->nnodes,
		 f->nnodes == 1 ? "" : "s", (long long)f->quorum);
	attrset(c->style[THEME_HEADER]);
	mvhline(0, 0, ' ', cols);
	console_put(0, 0, cols, line);
	attrset(A_NORMAL);
}

/* Columns drop from the right as the screen narrows. */
static void console_draw_rows(struct console *c, int rows, int cols)
{
	const struct fleet *f = c->fleet;
	int body = rows - 3, y, x;
	char line[1024];
	const char *mark = c->utf8 ? "\xe2\x80\xa6" : "?";

	snprintf(line, sizeof(line), " %3s  %-16s %-8s %-9s %-6s %s", "IDX",
		 "NODE", "ROLE", "STATUS", "VIA", "PING URL");
	attrset(c->style[THEME_TITLE]);
	mvhline(1, 0, ' ', cols);
	console_put(1, 0, cols, line);
	attrset(A_NORMAL);
	if (body < 1)
		return;
	if (c->selected < c->top)
		c->top = c->selected;
	if (c->selected >= c->top + (size_t)body)
		c->top = c->selected - (size_t)body + 1;
	for (y = 0; y < body; y++) {
		const struct fleet_node *n;
		size_t k = c->top + (size_t)y;

		move(2 + y, 0);
		clrtoeol();
		if (k >= f->nnodes)
			continue;
		n = &f->nodes[k];
		/* No health engine yet: every status is unknown, shown as
		 * text and a symbol so it reads without colour. */
		snprintf(line, sizeof(line), " %3lld  %-16.16s %-8s ",
			 (long long)n->index, n->name,
			 fleet_role_name(n->role));
		attrset(k == c->selected ? c->style[THEME_SELECTED] : A_NORMAL);
		if (k == c->selected)
			mvhline(2 + y, 0, ' ', cols);
		console_put(2 + y, 0, cols, line);
		x = (int)strlen(line);
		if (k != c->selected)
			attrset(c->style[THEME_UNKNOWN]);
		snprintf(line, sizeof(line), "%s %-7s ", mark, "unknown");
		console_put(2 + y, x, cols - x, line);
		x += 10;
		if (k != c->selected)
			attrset(A_NORMAL);
		snprintf(line, sizeof(line), "%-6s %s",
			 fleet_transport_name(n->transport), n->ping_url);
		if (x < cols)
			console_put(2 + y, x, cols - x, line);
		attrset(A_NORMAL);
	}
}

static void console_draw_footer(struct console *c, int rows, int cols)
{
	attrset(c->style[THEME_FOOTER]);
	mvhline(rows - 1, 0, ' ', cols);
	console_put(rows - 1, 0, cols,
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
	console_put(*y, *x + 2, w - 4, title);
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
		console_put(y + 2 + k, x + 2, cols - x - 4, line);
	}
	attrset(A_NORMAL);
}

static void console_draw_detail(struct console *c, int rows, int cols)
{
	const struct fleet_node *n = &c->fleet->nodes[c->selected];
	char lines[12][300];
	int y, x, k, count = 0;

#define DETAIL(...) snprintf(lines[count++], sizeof(lines[0]), __VA_ARGS__)
	DETAIL("index       %lld", (long long)n->index);
	DETAIL("role        %s", fleet_role_name(n->role));
	DETAIL("ping_url    %s", n->ping_url);
	DETAIL("transport   %s%s%s", fleet_transport_name(n->transport),
	       n->ssh ? "  " : "", n->ssh ? n->ssh : "");
	DETAIL("instance    %s", n->instance_id ? n->instance_id : "-");
	DETAIL("enclave     %s", n->enclave_name ? n->enclave_name : "-");
	DETAIL("ssm param   %s",
	       n->config_ssm_param ? n->config_ssm_param : "-");
	DETAIL("kms stack   %s", n->kms_stack ? n->kms_stack : "-");
	DETAIL("status      unknown (no health checks in this version)");
#undef DETAIL
	snprintf(lines[count], sizeof(lines[0]), " %s (Esc closes) ", n->name);
	console_box(c, rows, cols, count + 4, 72, lines[count], &y, &x);
	for (k = 0; k < count; k++)
		console_put(y + 2 + k, x + 2, cols - x - 4, lines[k]);
	attrset(A_NORMAL);
}

static void console_draw(struct console *c)
{
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	erase();
	if (rows < 5 || cols < 20) {
		console_put(0, 0, cols, "bvops: window too small");
		refresh();
		return;
	}
	console_draw_header(c, cols);
	console_draw_rows(c, rows, cols);
	console_draw_footer(c, rows, cols);
	if (c->overlay == OVERLAY_HELP)
		console_draw_help(c, rows, cols);
	else if (c->overlay == OVERLAY_DETAIL)
		console_draw_detail(c, rows, cols);
	refresh();
}

/* 0-15 to a curses colour: bright ones need 16 colours, else plain. */
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

int console_run(const struct fleet *fleet, const struct console_options *o)
{
	struct console c;
	char msg[200];
	bool dirty = true, run = true;

	(void)o;
	memset(&c, 0, sizeof(c));
	c.fleet = fleet;
	if (term_start(msg, sizeof(msg)) < 0) {
		fprintf(stderr, "bvops: %s\n", msg);
		return CLI_EXIT_USAGE;
	}
	c.utf8 = term_utf8();
	console_apply_theme(&c, o->theme);
	timeout(1000);
	while (run && !term_quit_requested()) {
		int ch;

		if (dirty)
			console_draw(&c);
		dirty = false;
		ch = getch();
		if (ch == ERR)
			continue;
		run = console_key(&c, ch, &dirty);
	}
	term_stop();
	return CLI_EXIT_OK;
}
