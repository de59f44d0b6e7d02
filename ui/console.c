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
	bool color;
};

enum { PAIR_HEADER = 1, PAIR_UNKNOWN, PAIR_SELECTED };

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
	attron(c->color ? COLOR_PAIR(PAIR_HEADER) : A_REVERSE);
	mvhline(0, 0, ' ', cols);
	console_put(0, 0, cols, line);
	attroff(c->color ? COLOR_PAIR(PAIR_HEADER) : A_REVERSE);
}

/* Columns drop from the right as the screen narrows. */
static void console_draw_rows(struct console *c, int rows, int cols)
{
	const struct fleet *f = c->fleet;
	int body = rows - 3, y;
	char line[1024];
	const char *mark = c->utf8 ? "\xe2\x80\xa6" : "?";

	snprintf(line, sizeof(line), " %3s  %-16s %-8s %-9s %-6s %s", "IDX",
		 "NODE", "ROLE", "STATUS", "VIA", "PING URL");
	attron(A_BOLD);
	mvhline(1, 0, ' ', cols);
	console_put(1, 0, cols, line);
	attroff(A_BOLD);
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
		snprintf(line, sizeof(line),
			 " %3lld  %-16.16s %-8s %s %-7s %-6s %s",
			 (long long)n->index, n->name, fleet_role_name(n->role),
			 mark, "unknown", fleet_transport_name(n->transport),
			 n->ping_url);
		if (k == c->selected)
			attron(A_REVERSE);
		console_put(2 + y, 0, cols, line);
		if (k == c->selected) {
			int used = (int)strlen(line) - (c->utf8 ? 2 : 0);

			if (used < cols)
				mvhline(2 + y, used, ' ', cols - used);
			attroff(A_REVERSE);
		}
	}
}

static void console_draw_footer(int rows, int cols)
{
	attron(A_REVERSE);
	mvhline(rows - 1, 0, ' ', cols);
	console_put(rows - 1, 0, cols,
		    " q quit  ? help  Enter details  j/k move");
	attroff(A_REVERSE);
}

/* A centred box with a title; returns its window area via *y, *x. */
static void console_box(int rows, int cols, int h, int w, const char *title,
			int *y, int *x)
{
	int r;

	if (h > rows)
		h = rows;
	if (w > cols)
		w = cols;
	*y = (rows - h) / 2;
	*x = (cols - w) / 2;
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

static void console_draw_help(int rows, int cols)
{
	int y, x, k, n = (int)(sizeof(console_keys) / sizeof(console_keys[0]));
	char line[128];

	console_box(rows, cols, n + 4, 52, " Keys (Esc closes) ", &y, &x);
	for (k = 0; k < n; k++) {
		snprintf(line, sizeof(line), "%-16s %s", console_keys[k].keys,
			 console_keys[k].what);
		console_put(y + 2 + k, x + 2, cols - x - 4, line);
	}
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
	console_box(rows, cols, count + 4, 72, lines[count], &y, &x);
	for (k = 0; k < count; k++)
		console_put(y + 2 + k, x + 2, cols - x - 4, lines[k]);
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
	console_draw_footer(rows, cols);
	if (c->overlay == OVERLAY_HELP)
		console_draw_help(rows, cols);
	else if (c->overlay == OVERLAY_DETAIL)
		console_draw_detail(c, rows, cols);
	refresh();
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
	c.color = has_colors() && getenv("NO_COLOR") == NULL;
	if (c.color) {
		init_pair(PAIR_HEADER, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_UNKNOWN, COLOR_YELLOW, -1);
		init_pair(PAIR_SELECTED, COLOR_BLACK, COLOR_WHITE);
	}
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
