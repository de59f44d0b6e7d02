/*
 * The console's views. Each frame is drawn from a snapshot of the
 * monitor; the screen is redrawn only when a key, a resize, a new result
 * or the minute changed it, and curses sends only the cells that differ,
 * so an idle, healthy fleet costs the link next to nothing.
 */
#include "ui/console.h"
#include "lib/clock.h"
#include "lib/termcolour.h"

#include <curses.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/health.h"
#include "lib/duration.h"
#include "lib/sanitize.h"
#include "lib/timefmt.h"
#include "lib/whoami.h"
#include "lib/xalloc.h"
#include "proc/awswork.h"
#include "proc/debugmode.h"
#include "proc/ers.h"
#include "proc/procctx.h"
#include "proc/shared.h"
#include "state/eventlog.h"
#include "state/holds.h"
#include "state/marks.h"
#include "state/shareddoc.h"
#include "state/sharedstatus.h"
#include "transport/transport.h"
#include "ui/find.h"
#include "ui/pane.h"
#include "ui/records.h"
#include "ui/term.h"

enum console_overlay {
	OVERLAY_NONE,
	OVERLAY_HELP,
	OVERLAY_DETAIL,
	OVERLAY_CONFIG,
	OVERLAY_ALERTS,
	OVERLAY_CONFIRM,
	OVERLAY_RECORDS, /* incidents, event and audit logs (records.h) */
	OVERLAY_QUIT,    /* leaving with debug mode or ERS on: sure? */
	OVERLAY_NOTICE   /* at start: a procedure was left open */
};

enum console_prompt {
	PROMPT_NONE,
	PROMPT_SEARCH,
	PROMPT_FILTER,
	PROMPT_PASSPHRASE,
	PROMPT_EXPORT,    /* a file name for an incident report */
	PROMPT_MAINT,     /* "reason[, duration]" for maintenance */
	PROMPT_MAINT_END, /* y: end the selected node's maintenance */
	PROMPT_NODES,     /* '/' on the table: filter its rows */
	PROMPT_PALETTE,   /* ':' a view, a node or an action by name */
	PROMPT_VIEW_FIND, /* '/' in the config viewer or a record's text */
};

#define CONSOLE_PANES_MAX 6
/* The hold put on a node stopped from the console. */
#define CONSOLE_STOPPED_REASON "stopped on purpose from the console"
#define CONSOLE_ACTS_MAX       16
/* While lines trickle into panes, draw at most this often; under a flood
 * (a pane's worth of new lines per frame, unreadable anyway) and at rest,
 * every CONSOLE_CALM_MS: fewer bytes down a slow link, no busy idling. */
#define CONSOLE_FRAME_MS 100
#define CONSOLE_CALM_MS  250
/* With nothing to do, look at the clock and staleness this often; the
 * engine wakes the console at once when anything changes. */
#define CONSOLE_IDLE_MS 1000

/* Columns of the node table, in display order. */
enum console_col {
	COL_IDX,
	COL_NODE,
	COL_ROLE,
	COL_STATUS,
	COL_HTTP,
	COL_LATENCY,
	COL_HISTORY,
	COL_NITRO,
	COL_FAIL,
	COL_SINCE,
	COL_COUNT
};

static const struct {
	const char *title;
	int width;
	int drop; /* narrow screens drop 1 first, then 2...; 0 never */
} console_cols[COL_COUNT] = {
    [COL_IDX] = {"IDX", 3, 0},         [COL_NODE] = {"NODE", 16, 0},
    [COL_ROLE] = {"ROLE", 7, 6},       [COL_STATUS] = {"STATUS", 9, 0},
    [COL_HTTP] = {"HTTP", 4, 2},       [COL_LATENCY] = {"LATENCY", 8, 3},
    [COL_HISTORY] = {"HISTORY", 8, 1}, [COL_NITRO] = {"NITRO", 5, 4},
    [COL_FAIL] = {"FAIL", 4, 4},       [COL_SINCE] = {"SINCE", 5, 5},
};

struct console {
	const struct fleet *fleet;
	struct monitor *monitor;
	struct monitor_snapshot snap;
	size_t selected;
	size_t top; /* first row of the view shown */
	/* The table's rows: the nodes the filter lets through, in the sort's
	 * order (console_view_build, every frame and before every key). */
	size_t *view, nview;
	char node_filter[512]; /* "" shows every node */
	bool quit;             /* the palette's quit: end the loop */
	bool by_status;        /* down first, then unknown, then up */
	enum console_overlay overlay;
	bool utf8;
	bool read_only;
	attr_t style[THEME_ROLE_COUNT]; /* curses attributes per role */
	bool shown[COL_COUNT];
	int width[COL_COUNT];

	/* Log panes. */
	struct pane_env env;
	struct pane *panes[CONSOLE_PANES_MAX];
	size_t npanes;
	int focus; /* -1: the node table, else a pane */
	bool zoom, side_by_side;
	const char *save_dir;
	enum console_prompt prompt;
	char input[512];
	size_t input_len;
	char pass_key[512]; /* the key the passphrase prompt is for */
	char declined[512]; /* the operator said no (Esc) to this key */

	/* Node actions: the one being confirmed, those still running. */
	struct nodeacts *acts;
	size_t confirm_node;
	enum fleet_cmd confirm_cmd;
	uint64_t running[CONSOLE_ACTS_MAX];
	size_t nrunning;

	/* AWS: nitro status, the detail view's config (awswork.h). */
	struct awswork *aws;
	unsigned long aws_version;
	char *cfg_text;       /* of cfg_node, NULL until fetched */
	char cfg_search[512]; /* the viewer's search, "" none */
	enum awswork_state cfg_state;
	size_t cfg_node;
	int cfg_top; /* first line shown in the config viewer */

	/* Alerts (alertbox.h): a banner until acknowledged, a list. */
	struct alertbox *alerts;
	uint64_t alerts_version;
	size_t alerts_unacked;
	size_t alert_sel;

	/* Maintenance (holds.h), read again when the file changes. */
	const char *holds_dir;
	struct holds holds;
	struct timespec holds_mtime;
	int64_t holds_checked;
	/* Nodes bvops put in Nitro debug mode (debugmode.h): since when
	 * (ms since the epoch), 0 when not; looked at every second. */
	int64_t *debug_since;
	int64_t debug_checked;
	/* Nodes bvops left with the ERS configuration (ers.h), and since
	 * when: the fleet is "ERS ACTIVE" until it is reverted. */
	size_t ers_nodes;
	int64_t ers_since;
	/* The fleet's shared state as this host last saw it (shared.h):
	 * "" when all is well, else what every screen must say. */
	char shared_line[600];
	bool shared_none;
	/* R/S/U over another operator's session or hold: what it is (the
	 * confirmation asks for F, not y), "" when nothing. */
	char confirm_claims[2048];
	/* Per node: what its running action went over, for its audit. */
	char (*forced)[600];

	void (*edit_config)(void *ctx, size_t node, struct wizard *w);
	void (*run_procedure)(void *ctx, const char *id, int action,
			      struct wizard *w);
	bool (*debug_mode)(void *ctx, size_t node, bool enter,
			   struct wizard *w);
	void (*ers)(void *ctx, struct wizard *w);
	void (*doctor)(void *ctx, size_t node, struct wizard *w);
	void *edit_ctx;

	/* The state folder's records (incidents, logs). */
	struct records *rec;
	struct records_env renv;
	size_t maint_node; /* the node a maintenance prompt is about */
	int help_top;      /* first line of the help shown */

	char msg[300]; /* one line for the footer */
	int64_t msg_at;
	/* Journals left open (records_open_count), looked at on start and
	 * after every procedure: the newest one's id and where it stands. */
	size_t open_procs;
	char open_id[200], open_where[400];
	int64_t open_checked;
	/* This frame's layout: header rows (the badges that do not fit
	 * beside the counts get a second one) and footer rows (the alert
	 * banner gets its own, above the keys). */
	int head, foot;
};

static void console_say(struct console *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void console_palette_hint(const struct console *c, const char *in,
				 char *out, size_t size);

static const struct {
	const char *keys;
	const char *what;
} console_keys[] = {
    {"Up/Down, j/k", "move between nodes"},
    {"PgUp/PgDn, g/G", "page, first, last"},
    {"/", "filter the nodes: name, role, status, debug, held"},
    {":", "go to a view, a node or an action by name"},
    {"n / s", "the next node down / sort by status (again: index)"},
    {"Enter", "the node's details and config location"},
    {" v (in details)", "view its config.toml, secrets redacted"},
    {" / (in a view)", "search a config, report or log; n N go on"},
    {"l / c", "open the node's journal / console pane"},
    {"L", "all journals merged in one pane"},
    {"R / S / U", "restart / stop / start the node (asks)"},
    {"A / a", "the alert list / acknowledge every alert"},
    {"I", "incidents: list, view, x export a report"},
    {"E", "event log (Tab: audit log)"},
    {"M", "maintenance on/off for the node (asks)"},
    {" e (in details)", "edit its config.toml (guided)"},
    {"P", "procedures: journal, resume, rollback"},
    {" D (in details)", "Nitro debug mode: enter it (guided)"},
    {" d (in details)", "doctor: the node's checks, each with its fix"},
    {" X (in details)", "leave debug mode (the original policy)"},
    {"V", "ERS rollout: apply or revert on every node (guided)"},
    {"Tab", "next pane (and back to the nodes)"},
    {"in a pane:", ""},
    {" j/k PgUp/PgDn", "scroll; g/G top/bottom (G follows)"},
    {" f", "follow on/off (pause)"},
    {" / n N", "search (highlight, count), older/newer match"},
    {" &", "filter: text keeps, !text hides, /regex/"},
    {" e E / w W", "newer/older error / warning"},
    {" o / Left Right", "wrap on/off / scroll sideways (wrap off)"},
    {" t / C", "bvops's time for the line's / compact on/off"},
    {" s", "save the pane to a file"},
    {" z / v", "zoom / side by side"},
    {" x or q", "close the pane; Esc: back to nodes"},
    {"?", "this help"},
    {"q, Ctrl-C", "quit (asks when debug mode or ERS is on)"},
};

/* Bytes of s that fill at most width columns (a UTF-8 character, one). */
static int console_fit(const char *s, int width)
{
	int bytes = 0, chars = 0;

	for (; s[bytes] != '\0'; bytes++) {
		if (((unsigned char)s[bytes] & 0xc0) == 0x80)
			continue; /* continuation byte */
		if (chars++ == width)
			break;
	}
	return bytes;
}

/* Draw untrusted text: control sequences removed, cut to width columns. */
static void console_put(struct console *c, int y, int x, int width,
			const char *s)
{
	char clean[1024];

	if (width <= 0)
		return;
	sanitize_text(s, strlen(s), clean, sizeof(clean), !c->utf8);
	mvaddnstr(y, x, clean, console_fit(clean, width));
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
		c->shown[k] = k != COL_NITRO ||
			      (c->aws != NULL && c->fleet->nitro.enabled);
		c->width[k] = console_cols[k].width;
		if (c->shown[k])
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

/* " DEBUG node-0 12m (+1) ": the nodes in debug mode, the longest first;
 * false when none. */
static bool console_debug_banner(struct console *c, char *out, size_t size)
{
	size_t k, count = 0, oldest = 0, unrecorded = SIZE_MAX;
	char age[32];

	for (k = 0; k < c->fleet->nnodes; k++) {
		if (c->debug_since[k] == 0) {
			/* Its key policy says debug, bvops has no record: put
			 * by hand, or by a bvops that crashed. */
			if (c->aws != NULL && awswork_policy(c->aws, k) == 1 &&
			    unrecorded == SIZE_MAX)
				unrecorded = k;
			continue;
		}
		if (count++ == 0 || c->debug_since[k] < c->debug_since[oldest])
			oldest = k;
	}
	if (unrecorded != SIZE_MAX) {
		snprintf(out, size, " DEBUG MODE %s (not recorded by bvops) ",
			 c->fleet->nodes[unrecorded].name);
		return true;
	}
	if (count == 0)
		return false;
	console_age(c->debug_since[oldest], clock_now_ms(), age, sizeof(age));
	if (count > 1)
		snprintf(out, size, " DEBUG MODE %s %s (+%zu) ",
			 c->fleet->nodes[oldest].name, age, count - 1);
	else
		snprintf(out, size, " DEBUG MODE %s %s ",
			 c->fleet->nodes[oldest].name, age);
	return true;
}

/* " ERS ACTIVE 2h " on every node, " ERS PARTIAL 2/4 " on some; false
 * when none. */
static bool console_ers_banner(struct console *c, char *out, size_t size)
{
	char age[32];

	if (c->ers_nodes == 0)
		return false;
	console_age(c->ers_since, clock_now_ms(), age, sizeof(age));
	if (c->ers_nodes >= c->fleet->nnodes)
		snprintf(out, size, " ERS ACTIVE %s ", age);
	else
		snprintf(out, size, " ERS PARTIAL %zu/%zu %s ", c->ers_nodes,
			 c->fleet->nnodes, age);
	return true;
}

/* The header's badges: what every screen must show, in that order. */
static size_t console_badges(struct console *c, char (*out)[800], size_t max)
{
	struct fleetlock_holder lk;
	size_t n = 0;

	if (c->read_only && n < max)
		snprintf(out[n++], 800, " READ-ONLY ");
	if (c->shared_line[0] && !c->shared_none && n < max)
		/* Before anyone acts: this screen may not be the fleet's. */
		snprintf(out[n++], 800, " %.700s ", c->shared_line);
	if (n < max && console_debug_banner(c, out[n], 800))
		n++;
	if (n < max && console_ers_banner(c, out[n], 800))
		n++;
	if (n < max && c->open_procs > 0)
		snprintf(out[n++], 800,
			 c->open_procs > 1 ? " %zu OPEN PROCEDURES (P) "
					   : " OPEN PROCEDURE (P) ",
			 c->open_procs);
	if (n < max && c->aws != NULL && awswork_lock(c->aws, &lk))
		/* Someone runs a procedure on this fleet (or one died with
		 * the lock): say who before anyone starts another. */
		snprintf(out[n++], 800, " LOCKED by %s@%s: %s%s ", lk.who,
			 lk.host, lk.what,
			 lk.expires_ms < clock_now_ms() ? " (STALE)" : "");
	if (c->shared_none && n < max)
		snprintf(out[n++], 800, " %.700s ", c->shared_line);
	return n;
}

/*
 * The header: the fleet, its counts and its quorum first, never drawn
 * over; then the badges (read-only, debug mode, ERS, the lock), each
 * whole, on the first row while they fit and on a second row after;
 * the clock when there is room left.
 */
static void console_draw_header(struct console *c, int cols)
{
	char line[1024], clock[16], badge[4][800];
	const struct fleet *f = c->fleet;
	time_t t = time(NULL);
	struct tm tm;
	size_t nb, k;
	int x, row = 0;

	gmtime_r(&t, &tm);
	strftime(clock, sizeof(clock), "%H:%M UTC", &tm);
	snprintf(line, sizeof(line),
		 " bvops  %s%s%s%s  %zu up  %zu down  %zu unknown  quorum "
		 "%lld",
		 f->name, f->region ? " (" : "", f->region ? f->region : "",
		 f->region ? ")" : "", c->snap.up, c->snap.down,
		 c->snap.unknown, (long long)f->quorum);
	if ((int)strlen(line) > cols) /* narrow: the counts still whole */
		snprintf(line, sizeof(line), " %s %zu up %zu down %zu ? q%lld",
			 f->name, c->snap.up, c->snap.down, c->snap.unknown,
			 (long long)f->quorum);
	nb = console_badges(c, badge, 4);
	c->head = 1;
	x = (int)strlen(line) + 1;
	for (k = 0; k < nb; k++) {
		int w = (int)strlen(badge[k]);

		if (row == 0 && x + w > cols) {
			row = 1;
			x = 0;
		}
		if (row == 1 && x > 0 && x + w > cols)
			break; /* two rows at most; the rest in the details */
		x += w + 1;
	}
	c->head = nb > 0 && row == 1 ? 2 : 1;
	attrset(c->style[THEME_HEADER]);
	mvhline(0, 0, ' ', cols);
	if (c->head == 2)
		mvhline(1, 0, ' ', cols);
	console_put(c, 0, 0, cols, line);
	x = (int)strlen(line) + 1;
	row = 0;
	for (k = 0; k < nb; k++) {
		int w = (int)strlen(badge[k]);

		if (row == 0 && x + w > cols) {
			row = 1;
			x = 0;
		}
		if (row == 1 && x > 0 && x + w > cols)
			break;
		attrset(c->style[THEME_ALERT] | A_BOLD);
		console_put(c, row, x, cols - x, badge[k]);
		x += w + 1;
	}
	attrset(c->style[THEME_HEADER]);
	if (row == 0 && cols - x >= 12)
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
	mvhline(c->head, 0, ' ', cols);
	for (k = 0; k < COL_COUNT; k++)
		x = console_cell(c, c->head, x, cols, (enum console_col)k,
				 console_cols[k].title, c->style[THEME_TITLE]);
	attrset(A_NORMAL);
}

/* The history strip; a held node's failed checks (a stop on purpose, a
 * procedure's restart) are drawn as what they are, not as alarms: o. */
static void console_draw_history(struct console *c, int y, int x, int cols,
				 const struct monitor_node_view *v, bool held)
{
	int w = c->width[COL_HISTORY], k;

	if (!c->shown[COL_HISTORY])
		return;
	/* The newest results, right-aligned. */
	for (k = 0; k < w && x + k < cols; k++) {
		char ch = v->strip[MONITOR_STRIP - w + k];

		if (ch == ' ')
			continue;
		attrset(ch == '+' ? c->style[THEME_UP]
			: held    ? c->style[THEME_STALE]
				  : c->style[THEME_DOWN]);
		if (c->utf8)
			mvaddstr(y, x + k,
				 ch == '+' ? "\xc2\xb7"     /* · */
				 : held    ? "\xe2\x97\x8b" /* ○ */
					   : "\xe2\x9c\x97");  /* ✗ */
		else
			mvaddch(y, x + k, ch == '+' ? '.' : held ? 'o' : 'x');
	}
	attrset(A_NORMAL);
}

/* Node k is in an operator's maintenance (mine: this operator's, which
 * M ends; another's stays theirs). */
static bool console_maint(const struct console *c, size_t k, bool mine)
{
	char me[WHOAMI_OWNER_MAX];
	int64_t now = clock_now_ms();
	size_t i;

	whoami_owner(me, sizeof(me));
	for (i = 0; i < c->holds.n; i++) {
		const struct hold *h = &c->holds.v[i];

		if (h->kind == HOLD_MAINTENANCE &&
		    strcmp(h->node, c->fleet->nodes[k].name) == 0 &&
		    (h->until_ms == 0 || h->until_ms > now) &&
		    (!mine || strcmp(h->owner, me) == 0))
			return true;
	}
	return false;
}

static bool console_in_maint(const struct console *c, size_t k)
{
	return console_maint(c, k, false);
}

/* The status cell's mark of a held node (checked, not restarted, not
 * paged): M maintenance, P a procedure, S stopped on purpose; "" none. */
static const char *console_hold_mark(const struct console *c, size_t k)
{
	const struct hold *h =
	    holds_active(&c->holds, c->fleet->nodes[k].name, clock_now_ms());

	if (h == NULL)
		return "";
	if (console_in_maint(c, k))
		return "M/";
	return h->kind == HOLD_PROCEDURE ? "P/"
	       : h->kind == HOLD_STOP    ? "S/"
					 : "H/";
}

/* holds.json again when it changed; a look a second at most. Returns
 * true when it was read again. */
static bool console_holds_refresh(struct console *c)
{
	char path[4200], msg[300];
	struct stat st;
	struct holds h;
	int64_t now = clock_mono_ms();

	if (c->holds_dir == NULL || now - c->holds_checked < 1000)
		return false;
	c->holds_checked = now;
	snprintf(path, sizeof(path), "%s/holds.json", c->holds_dir);
	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (st.st_mtim.tv_sec == c->holds_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == c->holds_mtime.tv_nsec)
		return false;
	c->holds_mtime = st.st_mtim;
	if (holds_load(c->holds_dir, &h, msg, sizeof(msg)) < 0) {
		snprintf(c->msg, sizeof(c->msg), "%s", msg);
		c->msg_at = now;
		return true;
	}
	holds_free(&c->holds);
	c->holds = h;
	return true;
}

/* The debug records again (every second, with the holds): true when one
 * changed. */
static bool console_debug_refresh(struct console *c)
{
	int64_t now = clock_mono_ms();
	bool changed = false;
	size_t k;

	if (c->renv.state_dir == NULL || now - c->debug_checked < 1000)
		return false;
	c->debug_checked = now;
	for (k = 0; k < c->fleet->nnodes; k++) {
		char id[200];
		int64_t since = 0;

		if (!marks_debug_get(c->renv.state_dir, c->fleet->nodes[k].name,
				     &since, id, sizeof(id)))
			since = 0;
		else if (since <= 0)
			since = 1; /* recorded, its time unreadable */
		if (since != c->debug_since[k]) {
			c->debug_since[k] = since;
			changed = true;
		}
	}
	/* In or out of debug mode: the key policies are read again. */
	if (changed && c->aws != NULL)
		awswork_policy_request(c->aws);
	{
		/* The shared state as last read: said on every screen when
		 * this host's view may not be the fleet's. */
		struct shared_status st;
		char line[sizeof(c->shared_line)] = "";

		sharedstatus_read(c->renv.state_dir, &st);
		if (sharedstatus_unreachable(&st)) {
			time_t t = (time_t)(st.unreachable_since_ms / 1000);
			struct tm tm;
			char when[16];

			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
			snprintf(line, sizeof(line),
				 "SHARED STATE UNREACHABLE since %s: this "
				 "host's view only",
				 when);
		} else if (st.known && !st.shared) {
			snprintf(line, sizeof(line), "no shared state");
		}
		if (strcmp(line, c->shared_line) != 0)
			changed = true;
		snprintf(c->shared_line, sizeof(c->shared_line), "%s", line);
		c->shared_none = st.known && !st.shared;
	}
	{
		int64_t since;
		size_t n = marks_ers_count(c->renv.state_dir, &since);

		if (n != c->ers_nodes || since != c->ers_since) {
			c->ers_nodes = n;
			c->ers_since = since;
			changed = true;
		}
	}
	return changed;
}

/* Does node k match the table's filter (any of its words, any case:
 * name, role, status, "debug", "held")? */
static bool console_node_matches(const struct console *c, size_t k)
{
	const struct fleet_node *n = &c->fleet->nodes[k];
	const char *status =
	    k < c->snap.n ? health_status_name(c->snap.nodes[k].status) : "";
	char hay[512];

	if (c->node_filter[0] == '\0')
		return true;
	snprintf(hay, sizeof(hay), "%s %s %s%s%s", n->name,
		 fleet_role_name(n->role), status,
		 c->debug_since[k] != 0 ? " debug" : "",
		 console_hold_mark(c, k)[0] ? " held" : "");
	return strcasestr(hay, c->node_filter) != NULL;
}

static int console_status_rank(const struct console *c, size_t k)
{
	enum health_status st =
	    k < c->snap.n ? c->snap.nodes[k].status : HEALTH_UNKNOWN;

	return st == HEALTH_DOWN ? 0 : st == HEALTH_UP ? 2 : 1;
}

/* The rows of the table, and the selection kept on one of them. */
static void console_view_build(struct console *c)
{
	size_t k, n = 0, i;

	if (c->view == NULL)
		c->view = xcalloc(c->fleet->nnodes + 1, sizeof(*c->view));
	for (k = 0; k < c->fleet->nnodes; k++)
		if (console_node_matches(c, k))
			c->view[n++] = k;
	/* Insertion sort: stable, and a fleet is small. */
	for (i = 1; c->by_status && i < n; i++) {
		size_t v = c->view[i], j = i;

		while (j > 0 && console_status_rank(c, c->view[j - 1]) >
				    console_status_rank(c, v)) {
			c->view[j] = c->view[j - 1];
			j--;
		}
		c->view[j] = v;
	}
	c->nview = n;
	for (i = 0; i < n && c->view[i] != c->selected; i++)
		;
	if (i == n && n > 0)
		c->selected = c->view[0];
}

/* The selected node's row in the view (nview when it has none). */
static size_t console_view_pos(const struct console *c)
{
	size_t i;

	for (i = 0; i < c->nview && c->view[i] != c->selected; i++)
		;
	return i;
}

/* Move the selection by delta rows of the view (clamped). */
static void console_view_move(struct console *c, long delta)
{
	size_t pos = console_view_pos(c);
	long to;

	if (c->nview == 0)
		return;
	if (pos == c->nview)
		pos = 0;
	to = (long)pos + delta;
	if (to < 0)
		to = 0;
	if (to >= (long)c->nview)
		to = (long)c->nview - 1;
	c->selected = c->view[to];
}

/* n: the next node down after the selected one, round the view. */
static void console_next_down(struct console *c)
{
	size_t pos = console_view_pos(c), i;

	for (i = 1; i <= c->nview; i++) {
		size_t k = c->view[(pos + i) % c->nview];

		if (k < c->snap.n && c->snap.nodes[k].status == HEALTH_DOWN) {
			c->selected = k;
			return;
		}
	}
	console_say(c, "%s",
		    c->node_filter[0] ? "no node down among these"
				      : "no node is down");
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
	if (c->debug_since[k] != 0 ||
	    (c->aws != NULL && awswork_policy(c->aws, k) == 1)) {
		/* A word and a colour: never missed, even without colours.
		 * "DEBUG?": the key policy says so, bvops has no record. */
		snprintf(buf, sizeof(buf), "%s %s",
			 c->debug_since[k] != 0 ? "DEBUG" : "DEBUG?", n->name);
		x = console_cell(c, y, x, cols, COL_NODE, buf,
				 sel ? base : c->style[THEME_ALERT] | A_BOLD);
	} else {
		x = console_cell(c, y, x, cols, COL_NODE, n->name, base);
	}
	x = console_cell(c, y, x, cols, COL_ROLE, fleet_role_name(n->role),
			 base);
	snprintf(buf, sizeof(buf), "%s %s%s%s", console_symbol(c, v->status),
		 console_hold_mark(c, k), health_status_name(v->status),
		 v->stale ? "?" : "");
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
		console_draw_history(c, y, x, cols, v,
				     console_hold_mark(c, k)[0] != '\0');
		x += c->width[COL_HISTORY] + 1;
	}
	if (c->shown[COL_NITRO]) {
		double nv;
		bool have = awswork_nitro(c->aws, k, &nv);

		snprintf(buf, sizeof(buf), "%5s", "-");
		if (have)
			snprintf(buf, sizeof(buf), "%5g", nv);
		x = console_cell(
		    c, y, x, cols, COL_NITRO, buf,
		    sel || !have ? base
				 : c->style[nv >= 1 ? THEME_UP : THEME_DOWN]);
	}
	snprintf(buf, sizeof(buf), "%4u", v->consecutive_failures);
	x = console_cell(c, y, x, cols, COL_FAIL,
			 v->consecutive_failures ? buf : "   -", base);
	console_age(v->last_change_ms, now, buf, sizeof(buf));
	console_cell(c, y, x, cols, COL_SINCE, buf, base);
	attrset(A_NORMAL);
}

/* body rows of the node table, below its titles. When rows are off
 * screen, or a filter or a sort is on, the last row says so. */
static void console_draw_rows(struct console *c, int body, int cols)
{
	int y, top = c->head + 1, rows;
	int64_t now = clock_now_ms();
	size_t pos = console_view_pos(c);
	bool status_row;

	if (body < 1)
		return;
	status_row = body >= 3 && (c->nview > (size_t)body ||
				   c->node_filter[0] != '\0' || c->by_status);
	rows = status_row ? body - 1 : body;
	if (pos == c->nview)
		pos = 0;
	if (pos < c->top)
		c->top = pos;
	if (pos >= c->top + (size_t)rows)
		c->top = pos - (size_t)rows + 1;
	if (c->top > 0 && c->top + (size_t)rows > c->nview)
		c->top = c->nview > (size_t)rows ? c->nview - (size_t)rows : 0;
	for (y = 0; y < rows; y++) {
		size_t i = c->top + (size_t)y;

		move(top + y, 0);
		clrtoeol();
		if (i < c->nview && c->view[i] < c->snap.n)
			console_draw_row(c, top + y, cols, c->view[i], now);
	}
	if (status_row) {
		char line[400];
		size_t above = c->top,
		       below = c->nview > c->top + (size_t)rows
				   ? c->nview - c->top - (size_t)rows
				   : 0;
		int len = 0;

		len += snprintf(line + len, sizeof(line) - (size_t)len, " --");
		if (below > 0)
			len += snprintf(line + len, sizeof(line) - (size_t)len,
					" %zu more below", below);
		if (above > 0)
			len +=
			    snprintf(line + len, sizeof(line) - (size_t)len,
				     "%s %zu above", below ? "," : "", above);
		if (c->node_filter[0])
			len += snprintf(line + len, sizeof(line) - (size_t)len,
					"  /%s: %zu of %zu", c->node_filter,
					c->nview, c->fleet->nnodes);
		if (c->by_status)
			len += snprintf(line + len, sizeof(line) - (size_t)len,
					"  by status (s: by index)");
		snprintf(line + len, sizeof(line) - (size_t)len, " --");
		attrset(c->style[THEME_TITLE]);
		mvhline(top + rows, 0, ' ', cols);
		console_put(c, top + rows, 0, cols, line);
		attrset(A_NORMAL);
	}
}

/*
 * An alert's text without its leading ISO 8601 time (the list and the
 * banner say the time shorter: "01:34:22, 2m ago"), and that time.
 */
static const char *console_alert_when(const char *text, int64_t at_ms,
				      char *when, size_t size)
{
	char age[32], hms[16];
	time_t t = (time_t)(at_ms / 1000);
	struct tm tm;
	const char *sp = strchr(text, ' ');

	gmtime_r(&t, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	console_age(at_ms, clock_now_ms(), age, sizeof(age));
	snprintf(when, size, "%s, %s ago", hms, age);
	if (sp != NULL && sp - text >= 20 && text[4] == '-' &&
	    text[10] == 'T' && sp[-1] == 'Z')
		return sp + 1;
	return text;
}

/* The newest unacknowledged alert as the footer's banner. */
static bool console_alert_banner(struct console *c, char *line, size_t size)
{
	char text[600], when[64];
	struct alertbox_meta m = {.acked = true};
	const char *what;
	size_t k;

	for (k = 0; alertbox_get(c->alerts, k, text, sizeof(text), &m); k++)
		if (!m.acked)
			break;
	if (m.acked)
		return false;
	what = console_alert_when(text, m.at_ms, when, sizeof(when));
	snprintf(line, size, " ALERT%s %s (%s)",
		 c->alerts_unacked > 1 ? "S" : "", what, when);
	return true;
}

/* Footer rows this frame: the keys, and the alert banner above them
 * until every alert is acknowledged (not in the alert list itself). */
static int console_footer_rows(const struct console *c)
{
	return c->alerts != NULL && c->alerts_unacked > 0 &&
		       c->overlay != OVERLAY_ALERTS
		   ? 2
		   : 1;
}

/* The keys of the view in front, for the footer. */
static const char *console_view_keys(const struct console *c)
{
	switch (c->overlay) {
	case OVERLAY_HELP: return " j/k scroll  Esc close";
	case OVERLAY_DETAIL:
		return " d doctor  v view config  e edit  D debug mode  X "
		       "leave "
		       "it  Esc close";
	case OVERLAY_CONFIG:
		return " j/k PgUp/PgDn g/G  / search n N  r reload  Esc back";
	case OVERLAY_ALERTS:
		return " j/k move  Enter its node  Space ack  a ack all  Esc "
		       "close";
	case OVERLAY_CONFIRM:
		return c->confirm_claims[0]
			   ? " F go over it (audited)  n or Esc "
			     "cancel"
			   : " y do it  n or Esc cancel";
	case OVERLAY_QUIT: return " y quit anyway  n or Esc stay";
	case OVERLAY_NOTICE: return " P the procedures  Esc later";
	case OVERLAY_RECORDS: return records_keys(c->rec);
	case OVERLAY_NONE: break;
	}
	if (c->focus >= 0)
		return " x close  Tab next  / search  & filter  f follow  "
		       "z zoom  s save  ? help";
	return " ? help  / filter  : go to  n next down  s sort  Enter details"
	       "  q quit";
}

static void console_draw_footer(struct console *c, int rows, int cols)
{
	char line[1400];

	if (c->foot == 2 && console_alert_banner(c, line, sizeof(line))) {
		/* The banner stays until acknowledged, above the keys; how
		 * to deal with it always shows, at its right end. */
		static const char keys[] = " [A list, a ack] ";
		int kw = (int)sizeof(keys) - 1;

		attrset(c->style[THEME_DOWN] | A_REVERSE);
		mvhline(rows - 2, 0, ' ', cols);
		console_put(c, rows - 2, 0, cols > kw ? cols - kw : cols, line);
		if (cols > kw)
			console_put(c, rows - 2, cols - kw, kw, keys);
	}
	attrset(c->style[THEME_FOOTER]);
	mvhline(rows - 1, 0, ' ', cols);
	if (c->prompt == PROMPT_PASSPHRASE) {
		/* Never the text itself: one '*' a character. */
		char stars[sizeof(c->input)];

		memset(stars, '*', c->input_len);
		stars[c->input_len] = '\0';
		snprintf(line, sizeof(line),
			 " Passphrase for %s (Esc: skip): %s_", c->pass_key,
			 stars);
	} else if (c->prompt == PROMPT_EXPORT)
		snprintf(line, sizeof(line), " Export to: %s_", c->input);
	else if (c->prompt == PROMPT_MAINT)
		snprintf(line, sizeof(line),
			 " Maintenance for %s: reason[, for how long] "
			 "(Esc cancels): %s_",
			 c->fleet->nodes[c->maint_node].name, c->input);
	else if (c->prompt == PROMPT_MAINT_END)
		snprintf(line, sizeof(line), " End maintenance of %s? y/N",
			 c->fleet->nodes[c->maint_node].name);
	else if (c->prompt == PROMPT_VIEW_FIND)
		snprintf(line, sizeof(line), " search: %s_   (Enter; Esc)",
			 c->input);
	else if (c->prompt == PROMPT_NODES)
		snprintf(line, sizeof(line),
			 " nodes matching: %s_   (Enter: filter, empty: all; "
			 "Esc)",
			 c->input);
	else if (c->prompt == PROMPT_PALETTE) {
		char hint[300];

		console_palette_hint(c, c->input, hint, sizeof(hint));
		snprintf(line, sizeof(line), ":%s_  %s", c->input, hint);
	} else if (c->prompt != PROMPT_NONE)
		snprintf(
		    line, sizeof(line), "%s%s_",
		    c->prompt == PROMPT_SEARCH ? "/" : "filter: ", c->input);
	else if (c->msg[0] && clock_mono_ms() - c->msg_at < 10000)
		snprintf(line, sizeof(line), " %s", c->msg);
	else
		snprintf(line, sizeof(line), "%s", console_view_keys(c));
	console_put(c, rows - 1, 0, cols, line);
	attrset(A_NORMAL);
}

static void console_say(struct console *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	c->msg_at = clock_mono_ms();
}

/* Rows between the header and the footer. */
static int console_region(const struct console *c, int rows)
{
	int n = rows - c->head - c->foot;

	return n > 3 ? n : 3;
}

/* A centred box with a title; returns its top-left corner in *y, *x. */
static void console_box(struct console *c, int rows, int cols, int h, int w,
			const char *title, int *y, int *x)
{
	int r;

	/* Never over the header (what it says, debug mode, a lock, is for
	 * every screen) nor over the footer (the keys of this view). */
	if (h > console_region(c, rows))
		h = console_region(c, rows);
	if (w > cols)
		w = cols;
	*y = c->head + (console_region(c, rows) - h) / 2;
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

static void console_draw_alerts(struct console *c, int rows, int cols)
{
	char title[100], text[600], line[700], when[64];
	size_t n, unacked, top, avail;
	int y, x, h, w, r;
	struct alertbox_meta m;

	n = alertbox_count(c->alerts, &unacked);
	snprintf(title, sizeof(title),
		 " Alerts: %zu, %zu not acknowledged (Enter: its node) ", n,
		 unacked);
	h = console_region(c, rows);
	w = cols - 2;
	console_box(c, rows, cols, h, w, title, &y, &x);
	if (n == 0)
		console_put(c, y + 2, x + 2, w - 4, "no alert yet");
	if (c->alert_sel >= n)
		c->alert_sel = n ? n - 1 : 0;
	avail = h > 3 ? (size_t)(h - 3) : 1;
	top = c->alert_sel >= avail ? c->alert_sel - avail + 1 : 0;
	for (r = 0; (size_t)r < avail && top + (size_t)r < n; r++) {
		size_t k = top + (size_t)r;

		if (!alertbox_get(c->alerts, k, text, sizeof(text), &m))
			break;
		/* '*': not acknowledged yet; newest first, with its age. */
		const char *what =
		    console_alert_when(text, m.at_ms, when, sizeof(when));

		snprintf(line, sizeof(line), "%s %-18s %s", m.acked ? " " : "*",
			 when, what);
		attrset(k == c->alert_sel ? c->style[THEME_SELECTED]
			: m.acked         ? c->style[THEME_WINDOW]
					  : c->style[THEME_DOWN]);
		mvhline(y + 2 + r, x + 1, ' ', w - 2);
		console_put(c, y + 2 + r, x + 2, w - 4, line);
	}
	attrset(A_NORMAL);
}

static void console_alerts_key(struct console *c, int ch)
{
	size_t unacked, n = alertbox_count(c->alerts, &unacked);

	switch (ch) {
	case KEY_UP:
	case 'k':
		if (c->alert_sel > 0)
			c->alert_sel--;
		break;
	case KEY_DOWN:
	case 'j':
		if (c->alert_sel + 1 < n)
			c->alert_sel++;
		break;
	case '\r':
	case '\n':
	case KEY_ENTER: {
		/* Seen: acknowledged, and its node selected in the table. */
		char text[600];
		struct alertbox_meta m;
		size_t k;

		alertbox_ack(c->alerts, c->alert_sel);
		if (!alertbox_get(c->alerts, c->alert_sel, text, sizeof(text),
				  &m))
			break;
		for (k = 0; k < c->fleet->nnodes; k++)
			if (strcmp(c->fleet->nodes[k].name, m.node) == 0) {
				c->selected = k;
				c->focus = -1;
				c->overlay = OVERLAY_NONE;
				console_say(c,
					    "%s: the alert's node (Enter: "
					    "its details, l: its journal)",
					    m.node);
			}
		break;
	}
	case ' ': alertbox_ack(c->alerts, c->alert_sel); break;
	case 'a': alertbox_ack(c->alerts, SIZE_MAX); break;
	case 'q':
	case 27:
	case 'A': c->overlay = OVERLAY_NONE; break;
	default: break;
	}
}

static void console_draw_help(struct console *c, int rows, int cols)
{
	int y, x, k, w = 0,
		     n = (int)(sizeof(console_keys) / sizeof(console_keys[0]));
	int avail = console_region(c, rows) - 4;
	char line[128];

	/* As wide as its longest line, so every line is inside the border
	 * (cut, still inside, on a screen narrower than that). */
	for (k = 0; k < n; k++) {
		int len = 17 + (int)strlen(console_keys[k].what);

		if (len > w)
			w = len;
	}
	w += 4;
	if (avail > n)
		avail = n;
	if (avail < 1)
		avail = 1;
	if (c->help_top > n - avail)
		c->help_top = n - avail;
	if (c->help_top < 0)
		c->help_top = 0;
	console_box(c, rows, cols, avail + 4, w,
		    avail < n ? " Keys (j/k scroll, Esc closes) "
			      : " Keys (Esc closes) ",
		    &y, &x);
	if (w > cols)
		w = cols;
	for (k = 0; k < avail; k++) {
		int i = c->help_top + k;

		snprintf(line, sizeof(line), "%-16s %s", console_keys[i].keys,
			 console_keys[i].what);
		console_put(c, y + 2 + k, x + 2, w - 4, line);
	}
	attrset(A_NORMAL);
}

/* A "what: value" line of the fetched config's location text. */
static bool console_cfg_field(const char *text, const char *what, char *out,
			      size_t size)
{
	size_t wl = strlen(what);
	const char *p = text;

	while (p != NULL && *p != '\0' && *p != '\n') {
		const char *end = strchr(p, '\n');

		if (strncmp(p, what, wl) == 0 && p[wl] == ':') {
			const char *v = p + wl + 1;
			size_t len = end ? (size_t)(end - v) : strlen(v);

			if (len > 0 && *v == ' ')
				v++, len--;
			snprintf(out, size, "%.*s", (int)len, v);
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* The detail view's config lines: where it lives, or how the fetch went. */
static void console_detail_config(struct console *c, char (*lines)[300],
				  int *count)
{
	static const char *const fields[] = {"object", "region", "tags from",
					     "version", NULL};
	char v[260];
	int k;

	if (c->cfg_node != c->selected || c->cfg_state == AWSWORK_NONE) {
		snprintf(lines[(*count)++], 300, "config      -");
		return;
	}
	if (c->cfg_state == AWSWORK_BUSY) {
		snprintf(lines[(*count)++], 300,
			 "config      finding it (SSM, S3)...");
		return;
	}
	if (c->cfg_state == AWSWORK_FAILED && c->cfg_text != NULL &&
	    !console_cfg_field(c->cfg_text, "object", v, sizeof(v))) {
		snprintf(lines[(*count)++], 300, "config      %s", c->cfg_text);
		return;
	}
	if (c->debug_mode != NULL && c->fleet->nodes[c->selected].kms_stack) {
		struct marks_debug md;
		char whose[200] = "";

		/* Whose session, since when, from which host: it may be
		 * another operator's. */
		if (c->debug_since[c->selected] &&
		    marks_debug_read(c->renv.state_dir,
				     c->fleet->nodes[c->selected].name, &md) &&
		    md.owner[0] != '\0') {
			const char *at = strrchr(md.owner, '@');
			size_t ulen =
			    at ? (size_t)(at - md.owner) : strlen(md.owner);
			char age[32];

			console_age(md.since_ms, clock_now_ms(), age,
				    sizeof(age));
			snprintf(whose, sizeof(whose),
				 " (%.*s's, from %.60s, %s)",
				 (int)(ulen < 60 ? ulen : 60), md.owner,
				 at ? at + 1 : "?", age);
		}
		snprintf(lines[(*count)++], 300, "%-11s %s%s%s", "debug mode",
			 c->debug_since[c->selected] ? "ON" : "", whose,
			 c->debug_since[c->selected] ? ": X leaves it"
			 : c->aws != NULL &&
				 awswork_policy(c->aws, c->selected) == 1
			     ? "ON, not recorded by bvops: X leaves it"
			     : "off: D enters it");
	}
	for (k = 0; fields[k] != NULL && c->cfg_text != NULL; k++)
		if (console_cfg_field(c->cfg_text, fields[k], v, sizeof(v)))
			snprintf(lines[(*count)++], 300, "%-11s %s",
				 k == 0 ? "config" : fields[k], v);
	snprintf(lines[(*count)++], 300, "%s",
		 c->cfg_state == AWSWORK_DONE
		     ? "            v: view it (secrets redacted), e: edit it"
		     : "            v: why it is not shown");
}

/* Line i of the fetched config (find.h), in a buffer of its own. */
static const char *console_cfg_line(void *ctx, int i)
{
	static char line[512];
	const char *p = ctx;
	int k;

	for (k = 0; k < i && p != NULL; k++) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (p == NULL || *p == '\0')
		return NULL;
	snprintf(line, sizeof(line), "%.*s",
		 (int)(strchr(p, '\n') ? strchr(p, '\n') - p : (long)strlen(p)),
		 p);
	return line;
}

/* Search the config viewer from line from in direction step. */
static void console_cfg_find(struct console *c, int from, int step)
{
	size_t count, which;
	int n = 0, at;

	while (console_cfg_line(c->cfg_text, n) != NULL)
		n++;
	at = find_line(console_cfg_line, c->cfg_text, n, c->cfg_search, from,
		       step, &count, &which);
	if (at < 0 && count > 0)
		console_say(c, "no more matches that way (%zu in all)", count);
	else if (at < 0)
		console_say(c, "\"%s\" not in the config", c->cfg_search);
	else {
		c->cfg_top = at;
		console_say(
		    c, "\"%s\": line %d, match %zu of %zu (n next, N before)",
		    c->cfg_search, at + 1, which, count);
	}
}

/* The config viewer: the fetched text, scrolled by cfg_top. */
static void console_draw_config(struct console *c, int rows, int cols)
{
	const char *p = c->cfg_text ? c->cfg_text : "";
	char title[200], line[512];
	int y, x, h, k, n = 0, w;

	snprintf(title, sizeof(title),
		 " %s config.toml, redacted (j/k PgUp/PgDn g/G, r reload, "
		 "Esc) ",
		 c->fleet->nodes[c->cfg_node].name);
	h = console_region(c, rows);
	w = cols - 2;
	console_box(c, rows, cols, h, w, title, &y, &x);
	/* Skip to the first line shown. */
	for (k = 0; k < c->cfg_top && p != NULL; k++) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	for (n = 0; n < h - 3 && p != NULL && *p; n++) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		console_put(c, y + 2 + n, x + 2, w - 4, line);
		if (c->cfg_search[0])
			find_mark(y + 2 + n, x + 2, w - 4, line, c->cfg_search);
		p = end ? end + 1 : NULL;
	}
	if (c->cfg_state == AWSWORK_BUSY)
		console_put(c, y + 1, x + 2, w - 4, "fetching...");
	attrset(A_NORMAL);
}

/* Lines in the fetched config text. */
static int console_cfg_lines(const struct console *c)
{
	const char *p;
	int n = 0;

	for (p = c->cfg_text; p != NULL && *p; n++) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return n;
}

static void console_draw_detail(struct console *c, int rows, int cols)
{
	const struct fleet_node *n = &c->fleet->nodes[c->selected];
	const struct monitor_node_view *v = &c->snap.nodes[c->selected];
	char lines[24][300], age[16];
	int y, x, k, h, count = 0;

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
	console_age(v->last_change_ms, clock_now_ms(), age, sizeof(age));
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
	{
		struct awsid_access ac;

		/* Whose AWS it is, or why it cannot be had: the rest works
		 * without it. */
		if (c->aws != NULL && awswork_access(c->aws, c->selected, &ac))
			DETAIL("aws         %.200s%s%.40s%s",
			       ac.ok ? ac.identity : ac.why,
			       ac.ok ? " (account " : "",
			       ac.ok ? ac.account : "", ac.ok ? ")" : "");
	}
	{
		int64_t now = clock_now_ms();
		size_t j;

		/* Every hold on it, while the box has room. */
		for (j = 0; j < c->holds.n && count < 17; j++) {
			const struct hold *hd = &c->holds.v[j];
			char what[600];

			if (strcmp(hd->node, n->name) != 0 ||
			    (hd->until_ms != 0 && hd->until_ms <= now))
				continue;
			holds_describe(hd, what, sizeof(what));
			DETAIL("held        %.200s%s", what,
			       hd->until_ms ? ", with an end" : "");
		}
	}
	if (c->aws != NULL) {
		double nv;
		char err[200];

		if (awswork_nitro(c->aws, c->selected, &nv)) {
			DETAIL("nitro       %g (%s/%s)", nv,
			       c->fleet->nitro.namespace_,
			       c->fleet->nitro.metric);
		} else if (c->fleet->nitro.enabled) {
			awswork_nitro_error(c->aws, err, sizeof(err));
			DETAIL("nitro       %s", err[0] ? err : "no value");
		}
		console_detail_config(c, lines, &count);
	}
#undef DETAIL
	snprintf(lines[count], sizeof(lines[0]), " %s (Esc closes) ", n->name);
	h = count + 4 < rows - 1 ? count + 4 : rows - 1;
	console_box(c, rows, cols, h, 72, lines[count], &y, &x);
	/* Inside the box: its width is what is left of 72 on each side. */
	for (k = 0; k < count && k < h - 3; k++)
		console_put(c, y + 2 + k, x + 2, cols - 2 * x - 4, lines[k]);
	attrset(A_NORMAL);
}

static const char *console_action_verb(enum fleet_cmd cmd)
{
	return cmd == FLEET_CMD_RESTART ? "Restart"
	       : cmd == FLEET_CMD_STOP  ? "Stop"
					: "Start";
}

static void console_draw_confirm(struct console *c, int rows, int cols)
{
	const struct fleet_node *n = &c->fleet->nodes[c->confirm_node];
	char title[200], line[400];
	int y, x, up = (int)c->snap.up, w = cols < 104 ? cols : 104;
	bool is_up = c->confirm_node < c->snap.n &&
		     c->snap.nodes[c->confirm_node].status == HEALTH_UP;

	snprintf(title, sizeof(title), " %s %s (index %lld)? ",
		 console_action_verb(c->confirm_cmd), n->name,
		 (long long)n->index);
	console_box(c, rows, cols, 10, w, title, &y, &x);
	console_put(c, y + 2, x + 2, w - 4, "runs on the node:");
	{
		char *cmd =
		    transport_command(n, c->confirm_cmd, line, sizeof(line));

		console_put(c, y + 3, x + 4, w - 6, cmd ? cmd : line);
		free(cmd);
	}
	if (c->confirm_cmd != FLEET_CMD_START && is_up &&
	    up - 1 < c->fleet->quorum) {
		attron(c->style[THEME_ALERT] | A_BOLD);
		snprintf(line, sizeof(line),
			 "this takes the fleet below quorum (%d up, quorum "
			 "%lld)",
			 up, (long long)c->fleet->quorum);
		console_put(c, y + 4, x + 2, w - 4, line);
		attroff(c->style[THEME_ALERT] | A_BOLD);
		attrset(c->style[THEME_WINDOW]);
	}
	if (c->confirm_claims[0] != '\0') {
		/* Whose it is, in the alert colour: only F goes over it. */
		const char *p = c->confirm_claims;
		int row = y + 5;

		attron(c->style[THEME_ALERT] | A_BOLD);
		/* Two rows for it, wrapped: whose it is must be read
		 * whole at 80 columns. */
		while (*p != '\0' && row < y + 7) {
			size_t len = strcspn(p, "\n"), room = (size_t)(w - 4);

			if (len > room) {
				size_t cut = room;

				while (cut > room / 2 && p[cut] != ' ')
					cut--;
				len = cut > room / 2 ? cut : room;
			}
			snprintf(line, sizeof(line), "%.*s", (int)len, p);
			console_put(c, row++, x + 2, w - 4, line);
			p += len;
			while (*p == ' ' || *p == '\n')
				p++;
		}
		attroff(c->style[THEME_ALERT] | A_BOLD);
		attrset(c->style[THEME_WINDOW]);
		snprintf(line, sizeof(line),
			 "F: %s %s over it (audited)    n or Esc: cancel",
			 console_action_verb(c->confirm_cmd), n->name);
	} else {
		snprintf(line, sizeof(line), "y: %s %s    n or Esc: cancel",
			 console_action_verb(c->confirm_cmd), n->name);
	}
	console_put(c, y + 7, x + 2, w - 4, line);
	attrset(A_NORMAL);
}

/* Rows of the node table while panes are open. */
static int console_table_rows(const struct console *c, int rows)
{
	int want = (int)c->fleet->nnodes, most = (rows - 2) / 3;

	if (most < 2)
		most = 2;
	return want < most ? want : most;
}

/* Text rows of pane k as last laid out (for paging). */
static void console_pane_rect(const struct console *c, int rows, int cols,
			      size_t k, int *y, int *x, int *h, int *w)
{
	int top, height, n = (int)c->npanes;

	if (c->zoom) {
		*y = c->head;
		*x = 0;
		*h = rows - c->head - c->foot;
		*w = cols;
		return;
	}
	top = c->head + 1 + console_table_rows(c, rows);
	height = rows - c->foot - top;
	if (c->side_by_side) {
		int each = (cols - (n - 1)) / n;

		*y = top;
		*h = height;
		*x = (int)k * (each + 1);
		*w = k + 1 == c->npanes ? cols - *x : each;
		return;
	}
	*x = 0;
	*w = cols;
	*y = top + (int)k * (height / n);
	*h = k + 1 == c->npanes ? top + height - *y : height / n;
}

/* What leaving now would leave behind, a line each (at most max):
 * nodes in debug mode, the ERS configuration. Returns how many. */
static size_t console_danger(struct console *c, char (*out)[300], size_t max)
{
	size_t k, n = 0;
	char age[32];

	for (k = 0; k < c->fleet->nnodes && n < max; k++) {
		bool by_hand = c->debug_since[k] == 0 && c->aws != NULL &&
			       awswork_policy(c->aws, k) == 1;

		if (c->debug_since[k] == 0 && !by_hand)
			continue;
		console_age(c->debug_since[k], clock_now_ms(), age,
			    sizeof(age));
		snprintf(out[n++], 300, "%s is in DEBUG MODE%s%s%s",
			 c->fleet->nodes[k].name, by_hand ? "" : " (",
			 by_hand ? " (not recorded by bvops)" : age,
			 by_hand ? "" : ")");
	}
	if (c->ers_nodes > 0 && n < max) {
		console_age(c->ers_since, clock_now_ms(), age, sizeof(age));
		snprintf(out[n++], 300,
			 "the ERS configuration is on %zu of %zu nodes (%s)",
			 c->ers_nodes, c->fleet->nnodes, age);
	}
	return n;
}

/* q or Ctrl-C: true to quit now; with danger on, the question instead. */
static bool console_quit_now(struct console *c)
{
	char lines[1][300];

	if (console_danger(c, lines, 1) == 0)
		return true;
	c->overlay = OVERLAY_QUIT;
	return false;
}

static void console_draw_quit(struct console *c, int rows, int cols)
{
	char lines[10][300];
	size_t n = console_danger(c, lines, 10), k;
	int y, x, w = cols < 72 ? cols : 72;

	console_box(c, rows, cols, (int)n + 7, w, " Quit bvops? ", &y, &x);
	attron(c->style[THEME_ALERT] | A_BOLD);
	for (k = 0; k < n; k++)
		console_put(c, y + 2 + (int)k, x + 2, w - 4, lines[k]);
	attroff(c->style[THEME_ALERT] | A_BOLD);
	attrset(c->style[THEME_WINDOW]);
	console_put(c, y + 3 + (int)n, x + 2, w - 4,
		    "it stays so when bvops is gone (details: D/X, V)");
	console_put(c, y + 4 + (int)n, x + 2, w - 4,
		    "y: quit anyway    n or Esc: stay");
	attrset(A_NORMAL);
}

/* At start: a journal left open, its id, and the ways on. */
static void console_draw_notice(struct console *c, int rows, int cols)
{
	int y, x, w = cols < 76 ? cols : 76;

	console_box(c, rows, cols, 10, w,
		    c->open_procs > 1 ? " Procedures left open "
				      : " A procedure was left open ",
		    &y, &x);
	console_put(c, y + 2, x + 2, w - 4, c->open_id);
	attron(A_BOLD);
	console_put(c, y + 3, x + 4, w - 6, c->open_where);
	attroff(A_BOLD);
	if (c->open_procs > 1) {
		char line[64];

		snprintf(line, sizeof(line), "and %zu more", c->open_procs - 1);
		console_put(c, y + 4, x + 4, w - 6, line);
	}
	console_put(c, y + 6, x + 2, w - 4,
		    "P: the procedures (r resume, b roll back, a abandon)");
	console_put(c, y + 7, x + 2, w - 4,
		    "Esc: later (the header keeps saying it)");
	attrset(A_NORMAL);
}

/* Returns the frame's pace: true when lines trickled in (draw again
 * soon), false at rest or under a flood. */
static bool console_draw(struct console *c)
{
	int rows, cols;
	size_t k;
	bool trickle = false, flood = false;

	getmaxyx(stdscr, rows, cols);
	erase();
	if (rows < 5 || cols < 20) {
		console_put(c, 0, 0, cols, "bvops: window too small");
		refresh();
		return false;
	}
	console_layout(c, cols);
	console_view_build(c);
	console_draw_header(c, cols);
	c->foot = console_footer_rows(c);
	if (c->npanes == 0) {
		console_draw_titles(c, cols);
		console_draw_rows(c, rows - c->head - 1 - c->foot, cols);
	} else if (!c->zoom) {
		console_draw_titles(c, cols);
		console_draw_rows(c, console_table_rows(c, rows), cols);
	}
	for (k = 0; k < c->npanes; k++) {
		int y, x, h, w;

		if (c->zoom && (int)k != c->focus)
			continue;
		uint64_t arrived;

		console_pane_rect(c, rows, cols, k, &y, &x, &h, &w);
		arrived = pane_draw(c->panes[k], &c->env, y, x, h, w,
				    (int)k == c->focus);
		if (arrived >= (uint64_t)h)
			flood = true;
		else if (arrived > 0)
			trickle = true;
		if (c->side_by_side && !c->zoom && k + 1 < c->npanes)
			mvvline(y, x + w, '|', h);
	}
	if (c->overlay == OVERLAY_RECORDS)
		records_draw(c->rec, &c->renv, c->head,
			     rows - c->head - c->foot + 1, cols);
	console_draw_footer(c, rows, cols);
	if (c->overlay == OVERLAY_HELP)
		console_draw_help(c, rows, cols);
	else if (c->overlay == OVERLAY_DETAIL)
		console_draw_detail(c, rows, cols);
	else if (c->overlay == OVERLAY_CONFIG)
		console_draw_config(c, rows, cols);
	else if (c->overlay == OVERLAY_ALERTS)
		console_draw_alerts(c, rows, cols);
	else if (c->overlay == OVERLAY_CONFIRM)
		console_draw_confirm(c, rows, cols);
	else if (c->overlay == OVERLAY_QUIT)
		console_draw_quit(c, rows, cols);
	else if (c->overlay == OVERLAY_NOTICE)
		console_draw_notice(c, rows, cols);
	refresh();
	return trickle && !flood;
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
	bool color = t != NULL && has_colors() && termcolour_allowed();
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

static void console_open_pane(struct console *c, size_t node,
			      enum logstream_source src, bool merged)
{
	size_t k;

	if (c->env.ls == NULL)
		return;
	/* The same pane again just takes the focus. */
	for (k = 0; k < c->npanes; k++) {
		char have[128], want[128];

		pane_title(c->panes[k], &c->env, have, sizeof(have));
		if (merged)
			snprintf(want, sizeof(want), "all journals");
		else
			snprintf(want, sizeof(want), "%s %s",
				 c->fleet->nodes[node].name,
				 logstream_source_name(src));
		if (strcmp(have, want) == 0) {
			c->focus = (int)k;
			return;
		}
	}
	if (c->npanes == CONSOLE_PANES_MAX) {
		console_say(c, "%d panes at most: close one with x",
			    CONSOLE_PANES_MAX);
		return;
	}
	c->declined[0] = '\0'; /* a new pane may ask again */
	c->panes[c->npanes] = pane_new(&c->env, node, src, merged);
	c->focus = (int)c->npanes++;
}

static void console_close_pane(struct console *c, size_t k)
{
	pane_free(c->panes[k], &c->env);
	memmove(&c->panes[k], &c->panes[k + 1],
		(c->npanes - k - 1) * sizeof(struct pane *));
	c->npanes--;
	c->focus = c->npanes == 0                  ? -1
		   : (size_t)c->focus >= c->npanes ? (int)c->npanes - 1
						   : c->focus;
	if (c->npanes == 0)
		c->zoom = false;
}

/*
 * The node an action key acts on: the focused pane's (what the operator
 * looks at), else the table's selected row. false, said in the footer,
 * when the focused pane is the merged one (every node's journal).
 */
static bool console_target(struct console *c, const char *what, size_t *node)
{
	if (c->focus >= 0 && c->focus < (int)c->npanes) {
		if (pane_node(c->panes[c->focus], node))
			return true;
		console_say(c,
			    "the focused pane shows every node: %s acts on "
			    "one (Esc, then pick it in the table)",
			    what);
		return false;
	}
	*node = c->selected;
	return true;
}

static void console_ask_action(struct console *c, enum fleet_cmd cmd)
{
	const struct fleet_node *n;
	size_t node;

	if (!console_target(c, fleet_cmd_name(cmd), &node))
		return;
	n = &c->fleet->nodes[node];

	if (c->read_only) {
		console_say(c,
			    "read-only: %s is not restarted, stopped or "
			    "started from here",
			    n->name);
		return;
	}
	if (c->acts == NULL)
		return;
	if (c->holds_dir != NULL) {
		struct shared_status st;

		sharedstatus_read(c->holds_dir, &st);
		if (sharedstatus_unreachable(&st) && !shared_is_offline()) {
			console_say(c,
				    "%s: the shared state cannot be reached: "
				    "nothing done (bvops --offline acts on "
				    "this host's view alone)",
				    n->name);
			return;
		}
		/* Another operator's session or hold on it: said in the
		 * question, and only F goes over it. */
		procctx_claims(c->holds_dir, n->name, c->confirm_claims,
			       sizeof(c->confirm_claims));
	}
	if (c->debug_since[node] == 0 && c->aws != NULL &&
	    awswork_policy(c->aws, node) == 1) {
		size_t len = strlen(c->confirm_claims);

		snprintf(
		    c->confirm_claims + len, sizeof(c->confirm_claims) - len,
		    "%s is in DEBUG MODE (not recorded by bvops)\n", n->name);
	}
	c->confirm_node = node;
	c->confirm_cmd = cmd;
	c->overlay = OVERLAY_CONFIRM;
}

static void console_run_action(struct console *c)
{
	const struct fleet_node *n = &c->fleet->nodes[c->confirm_node];
	char mark[200];
	uint64_t id;

	if (c->nrunning == CONSOLE_ACTS_MAX) {
		console_say(c, "too many actions running; wait for one");
		return;
	}
	if (c->confirm_cmd == FLEET_CMD_STOP && c->holds_dir != NULL) {
		char msg[300];

		/* Held before it goes down: its fall is never an outage. */
		if (shared_change(c->fleet, c->holds_dir,
				  shareddoc_op_hold_add(n->name, HOLD_STOP, "",
							CONSOLE_STOPPED_REASON,
							0),
				  NULL, msg, sizeof(msg)) < 0) {
			/* A stop nobody knows of is an outage to the other
			 * hosts' watches: not done. */
			console_say(c,
				    "%s: the stop cannot be recorded as held "
				    "(%s): nothing done",
				    n->name, msg);
			return;
		}
		c->holds_checked = 0;
	}
	/* What it goes over, for its audit line. */
	snprintf(c->forced[c->confirm_node], sizeof(c->forced[0]), "%.599s",
		 c->confirm_claims);
	for (char *p = c->forced[c->confirm_node]; *p; p++)
		if (*p == '\n')
			*p = p[1] ? ';' : '\0';
	id = nodeacts_start(c->acts, c->confirm_node, c->confirm_cmd);
	c->running[c->nrunning++] = id;
	snprintf(mark, sizeof(mark), "-- operator: %s %s --",
		 fleet_cmd_name(c->confirm_cmd), n->name);
	if (c->env.ls != NULL)
		logstreams_mark(c->env.ls, c->confirm_node, mark);
	console_say(c, "%s: %s running...", n->name,
		    fleet_cmd_name(c->confirm_cmd));
}

/*
 * Put the node in maintenance (reason, for for_ms; 0: until ended) or end
 * it (reason NULL), in holds.json where every bvops of the fleet sees it,
 * and audit it. Says how it went in the footer.
 */
static void console_maint_set(struct console *c, size_t node,
			      const char *reason, uint64_t for_ms, bool quiet)
{
	const char *name = c->fleet->nodes[node].name;
	char msg[400];

	if (c->holds_dir == NULL) {
		console_say(c, "no state folder: maintenance cannot be set");
		return;
	}
	if (shared_change(c->fleet, c->holds_dir,
			  reason != NULL ? shareddoc_op_maint(name, reason,
							      (int64_t)for_ms)
					 : shareddoc_op_maint_end(name, false),
			  NULL, msg, sizeof(msg)) < 0) {
		console_say(c, "%s", msg);
		return;
	}
	eventlog_audit(c->holds_dir,
		       reason ? "maintenance start" : "maintenance end", name,
		       reason ? reason : "ok", msg, sizeof(msg));
	c->holds_checked = 0; /* show it at once */
	if (quiet)
		return;
	if (reason == NULL) {
		struct holds h;
		const struct hold *other = NULL;
		char what[600] = "";

		/* Other holds are their owners' to lift: say they stay. */
		if (holds_load(c->holds_dir, &h, msg, sizeof(msg)) == 0) {
			other = holds_active(&h, name, clock_now_ms());
			if (other != NULL)
				holds_describe(other, what, sizeof(what));
			holds_free(&h);
		}
		if (other != NULL)
			console_say(c,
				    "%s: maintenance ended; still held by %s",
				    name, what);
		else
			console_say(c, "%s: maintenance ended", name);
	} else if (for_ms > 0) {
		char d[40];

		duration_human(for_ms, d, sizeof(d));
		console_say(c, "%s in maintenance for %s: %s", name, d, reason);
	} else
		console_say(c, "%s in maintenance until ended (M): %s", name,
			    reason);
}

/*
 * An operator's action ended: audited. A node stopped on purpose was held
 * before the stop (no auto-restart, no paging: the hold's reason says who
 * and why) and stays held until it is started or restarted from a
 * console; a stop that failed lets its hold go.
 */
static void console_action_done(struct console *c,
				const struct nodeact_result *r,
				const char *result)
{
	const char *name = c->fleet->nodes[r->node].name;
	bool ok = r->exit_status == 0 && r->error[0] == '\0';
	char msg[300];

	if (c->holds_dir == NULL)
		return;
	{
		char *line =
		    xasprintf("%s%s%s", result,
			      c->forced[r->node][0] ? "; forced over: " : "",
			      c->forced[r->node]);

		eventlog_audit(c->holds_dir, fleet_cmd_name(r->cmd), name, line,
			       msg, sizeof(msg));
		free(line);
		c->forced[r->node][0] = '\0';
	}
	if ((r->cmd == FLEET_CMD_STOP && !ok) ||
	    ((r->cmd == FLEET_CMD_START || r->cmd == FLEET_CMD_RESTART) &&
	     ok)) {
		if (shared_change(
			c->fleet, c->holds_dir,
			shareddoc_op_hold_remove(name, HOLD_STOP, "", false),
			NULL, msg, sizeof(msg)) < 0)
			console_say(c, "%s", msg);
		c->holds_checked = 0;
	}
}

/* Report actions that ended; true when one did. */
static bool console_check_actions(struct console *c)
{
	bool any = false;
	size_t k = 0;

	while (k < c->nrunning) {
		struct nodeact_result r;
		const char *name;
		char mark[700];

		if (!nodeacts_get(c->acts, c->running[k], &r)) {
			c->running[k] = c->running[--c->nrunning];
			continue;
		}
		if (!r.done) {
			k++;
			continue;
		}
		name = c->fleet->nodes[r.node].name;
		if (r.error[0])
			snprintf(mark, sizeof(mark), "%s %s failed: %s",
				 fleet_cmd_name(r.cmd), name, r.error);
		else if (r.exit_status != 0)
			snprintf(mark, sizeof(mark),
				 "%s %s failed (exit %d)%s%s",
				 fleet_cmd_name(r.cmd), name, r.exit_status,
				 r.output[0] ? ": " : "", r.output);
		else
			snprintf(mark, sizeof(mark), "%s %s: done (exit 0)",
				 fleet_cmd_name(r.cmd), name);
		console_say(c, "%s", mark);
		if (c->env.ls != NULL) {
			char line[720];

			snprintf(line, sizeof(line), "-- operator: %s --",
				 mark);
			logstreams_mark(c->env.ls, r.node, line);
		}
		if (r.exit_status != 0 || r.error[0])
			beep();
		console_action_done(c, &r, mark);
		c->running[k] = c->running[--c->nrunning];
		any = true;
	}
	return any;
}

/* The focused pane's text height. */
static int console_focus_height(const struct console *c)
{
	int rows, cols, y, x, h, w;

	getmaxyx(stdscr, rows, cols);
	console_pane_rect(c, rows, cols, (size_t)c->focus, &y, &x, &h, &w);
	return h - 1 > 1 ? h - 1 : 1;
}

/* "reason[, duration]" from the maintenance prompt. */
static void console_maint_prompt_done(struct console *c)
{
	char reason[512];
	char *comma;
	uint64_t for_ms = 0;

	snprintf(reason, sizeof(reason), "%s", c->input);
	comma = strrchr(reason, ',');
	if (comma != NULL) {
		char *d = comma + 1, msg[200];

		while (*d == ' ')
			d++;
		if (duration_parse(d, &for_ms, msg, sizeof(msg)) < 0) {
			console_say(c, "not set: '%s' is not a duration (%s)",
				    d, msg);
			return;
		}
		*comma = '\0';
	}
	while (strlen(reason) > 0 && reason[strlen(reason) - 1] == ' ')
		reason[strlen(reason) - 1] = '\0';
	console_maint_set(c, c->maint_node, reason[0] ? reason : "maintenance",
			  for_ms, false);
}

static void console_ask_maint(struct console *c)
{
	size_t node;

	if (c->read_only) {
		console_say(c, "read-only: maintenance is not set from here");
		return;
	}
	if (!console_target(c, "maintenance", &node))
		return;
	c->maint_node = node;
	c->input[0] = '\0';
	c->input_len = 0;
	c->prompt =
	    console_maint(c, node, true) ? PROMPT_MAINT_END : PROMPT_MAINT;
}

static void console_palette_run(struct console *c, const char *text);

/* A key while a prompt reads a line. */
static void console_prompt_key(struct console *c, int ch)
{
	struct pane *p = c->focus >= 0 ? c->panes[c->focus] : NULL;
	bool enter = ch == '\n' || ch == '\r' || ch == KEY_ENTER;

	if (c->prompt == PROMPT_VIEW_FIND && (enter || ch == 27)) {
		c->prompt = PROMPT_NONE;
		if (enter && c->overlay == OVERLAY_CONFIG) {
			snprintf(c->cfg_search, sizeof(c->cfg_search), "%s",
				 c->input);
			if (c->cfg_search[0])
				console_cfg_find(c, c->cfg_top, 1);
		} else if (enter && c->overlay == OVERLAY_RECORDS) {
			records_search(c->rec, c->input, c->msg,
				       sizeof(c->msg));
			c->msg_at = clock_mono_ms();
		}
		c->input[0] = '\0';
		c->input_len = 0;
		return;
	}
	if ((c->prompt == PROMPT_NODES || c->prompt == PROMPT_PALETTE) &&
	    (enter || ch == 27)) {
		enum console_prompt was = c->prompt;

		c->prompt = PROMPT_NONE;
		if (ch == 27) {
			console_say(c, "%s",
				    was == PROMPT_NODES ? "filter unchanged"
							: "nothing done");
		} else if (was == PROMPT_NODES) {
			snprintf(c->node_filter, sizeof(c->node_filter), "%s",
				 c->input);
			console_view_build(c);
			if (c->node_filter[0] && c->nview == 0)
				console_say(c,
					    "no node matches /%s (/ then "
					    "Enter on nothing: every node)",
					    c->node_filter);
		} else {
			console_palette_run(c, c->input);
		}
		c->input[0] = '\0';
		c->input_len = 0;
		return;
	}
	if (c->prompt == PROMPT_MAINT_END) {
		c->prompt = PROMPT_NONE;
		if (ch == 'y' || ch == 'Y')
			console_maint_set(c, c->maint_node, NULL, 0, false);
		else
			console_say(c, "cancelled: still in maintenance");
		return;
	}
	if (enter &&
	    (c->prompt == PROMPT_EXPORT || c->prompt == PROMPT_MAINT)) {
		if (c->prompt == PROMPT_EXPORT) {
			char msg[600];

			records_export(c->rec, &c->renv, c->input, msg,
				       sizeof(msg));
			console_say(c, "%s", msg);
		} else {
			console_maint_prompt_done(c);
		}
		c->input[0] = '\0';
		c->input_len = 0;
		c->prompt = PROMPT_NONE;
		return;
	}
	if (ch == 27) {
		if (c->prompt == PROMPT_EXPORT || c->prompt == PROMPT_MAINT)
			console_say(c, "cancelled: nothing was written");
		if (c->prompt == PROMPT_PASSPHRASE) {
			snprintf(c->declined, sizeof(c->declined), "%s",
				 c->pass_key);
			console_say(c, "no passphrase: the pane stays stopped "
				       "(close and open it to be asked again)");
		}
		memset(c->input, 0, sizeof(c->input));
		c->input_len = 0;
		c->prompt = PROMPT_NONE;
		return;
	}
	if ((ch == '\n' || ch == '\r' || ch == KEY_ENTER) &&
	    c->prompt == PROMPT_PASSPHRASE) {
		logstreams_passphrase(c->env.ls, c->pass_key, c->input);
		memset(c->input, 0, sizeof(c->input));
		c->input_len = 0;
		c->prompt = PROMPT_NONE;
		console_say(c, "trying %s with its passphrase", c->pass_key);
		return;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		c->msg[0] = '\0';
		if (p != NULL && c->prompt == PROMPT_SEARCH)
			pane_set_search(p, &c->env, c->input,
					console_focus_height(c), c->msg,
					sizeof(c->msg));
		else if (p != NULL)
			pane_set_filter(p, c->input, c->msg, sizeof(c->msg));
		c->msg_at = clock_mono_ms();
		c->prompt = PROMPT_NONE;
		return;
	}
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (c->input_len > 0)
			c->input[--c->input_len] = '\0';
		return;
	}
	if (ch == 21) { /* Ctrl-U: start the line again */
		c->input[0] = '\0';
		c->input_len = 0;
		return;
	}
	if (ch >= 32 && ch < 256 && c->input_len + 1 < sizeof(c->input)) {
		c->input[c->input_len++] = (char)ch;
		c->input[c->input_len] = '\0';
	}
}

/* A key for the focused pane; false when it was not a pane key. */
static bool console_pane_key(struct console *c, int ch)
{
	struct pane *p = c->panes[c->focus];
	char path[600];

	switch (ch) {
	case 'x':
	case 'q': console_close_pane(c, (size_t)c->focus); return true;
	case 27: c->focus = -1; return true;
	case 'z': c->zoom = !c->zoom; return true;
	case 'v': c->side_by_side = !c->side_by_side; return true;
	case '/':
	case '&':
		c->prompt = ch == '/' ? PROMPT_SEARCH : PROMPT_FILTER;
		c->input[0] = '\0';
		c->input_len = 0;
		return true;
	case 's':
		if (c->save_dir == NULL)
			return true;
		pane_save(p, &c->env, c->save_dir, path, sizeof(path));
		console_say(c, "%s", path);
		return true;
	default: break;
	}
	c->msg[0] = '\0';
	if (pane_key(p, &c->env, ch, console_focus_height(c), c->msg,
		     sizeof(c->msg))) {
		c->msg_at = clock_mono_ms();
		return true;
	}
	return false;
}

/* Fetch the selected node's config (unless there is one, or again). */
static void console_cfg_ask(struct console *c, bool again)
{
	if (c->aws == NULL)
		return;
	if (!again && c->cfg_node == c->selected &&
	    c->cfg_state != AWSWORK_NONE)
		return;
	c->cfg_node = c->selected;
	awswork_config_request(c->aws, c->cfg_node);
	c->cfg_state = AWSWORK_BUSY;
	free(c->cfg_text);
	c->cfg_text = NULL;
}

static void console_config_key(struct console *c, int ch)
{
	int rows = getmaxy(stdscr), page = rows > 6 ? rows - 6 : 1;
	int last = console_cfg_lines(c) - page;

	if (last < 0)
		last = 0;
	switch (ch) {
	case KEY_UP:
	case 'k': c->cfg_top--; break;
	case KEY_DOWN:
	case 'j': c->cfg_top++; break;
	case KEY_PPAGE: c->cfg_top -= page; break;
	case KEY_NPAGE:
	case ' ': c->cfg_top += page; break;
	case KEY_HOME:
	case 'g': c->cfg_top = 0; break;
	case KEY_END:
	case 'G': c->cfg_top = last; break;
	case 'r': console_cfg_ask(c, true); break;
	case '/':
		c->prompt = PROMPT_VIEW_FIND;
		c->input[0] = '\0';
		c->input_len = 0;
		break;
	case 'n':
	case 'N':
		if (c->cfg_search[0])
			console_cfg_find(c, c->cfg_top + (ch == 'n' ? 1 : -1),
					 ch == 'n' ? 1 : -1);
		break;
	case 'q':
	case 27: c->overlay = OVERLAY_DETAIL; break;
	default: break;
	}
	if (c->cfg_top > last)
		c->cfg_top = last;
	if (c->cfg_top < 0)
		c->cfg_top = 0;
}

/* The journals left open, looked at again. */
static void console_open_refresh(struct console *c)
{
	c->open_procs =
	    records_open_count(&c->renv, c->open_id, sizeof(c->open_id),
			       c->open_where, sizeof(c->open_where));
	c->open_checked = clock_mono_ms();
}

/* A wizard over the whole screen, in the console's colours. */
static struct wizard *console_wizard(struct console *c, struct wizard_env *env,
				     const char *title)
{
	*env = (struct wizard_env){
	    .style = c->style, .utf8 = c->utf8, .state_dir = c->renv.state_dir};
	return wizard_new(env, title);
}

/* Back from a wizard: the dashboard as it was, and the lock looked at
 * again (this console's procedure let it go). */
static void console_back(struct console *c)
{
	clearok(stdscr, TRUE);
	timeout(0);
	curs_set(0);
	term_interrupt_take(); /* the wizard has said what Ctrl-C did */
	console_open_refresh(c);
	if (c->aws != NULL)
		awswork_lock_request(c->aws);
}

/*
 * The guided config edit, in the procedure wizard (wizard.h): the plan
 * and its progress from the journal, the diff, the questions; the
 * operator's editor gets the terminal while it runs.
 */
static void console_edit_config(struct console *c)
{
	struct wizard_env env;
	struct wizard *w;
	char title[200];

	if (c->read_only) {
		console_say(c, "read-only: configs are not edited from here");
		return;
	}
	snprintf(title, sizeof(title), "config edit %s",
		 c->fleet->nodes[c->selected].name);
	w = console_wizard(c, &env, title);
	wizard_draw(w);
	c->edit_config(c->edit_ctx, c->selected, w);
	wizard_free(w);
	console_back(c);
	c->overlay = OVERLAY_NONE;
	console_say(c, "back from the config edit of %s (P: the procedures)",
		    c->fleet->nodes[c->selected].name);
}

/* D and X in a node's details: debug mode entered or left in the wizard;
 * after an enter, the node's console opens in a pane. */
static void console_debug_mode(struct console *c, bool enter)
{
	struct wizard_env env;
	struct wizard *w;
	char title[200];
	size_t node = c->selected;
	bool on;

	if (c->read_only) {
		console_say(c,
			    "read-only: debug mode is not changed from here");
		return;
	}
	snprintf(title, sizeof(title), "debug %s %s", enter ? "enter" : "exit",
		 c->fleet->nodes[node].name);
	w = console_wizard(c, &env, title);
	wizard_draw(w);
	on = c->debug_mode(c->edit_ctx, node, enter, w);
	wizard_free(w);
	console_back(c);
	c->overlay = OVERLAY_NONE;
	c->debug_checked = 0; /* the header at once */
	if (enter && on)
		console_open_pane(c, node, LOGSTREAM_CONSOLE, false);
}

/* d in a node's details: bvops doctor, its report in the wizard (it
 * changes nothing, so a read-only console may run it too). */
static void console_doctor(struct console *c)
{
	struct wizard_env env;
	struct wizard *w;
	char title[200];

	snprintf(title, sizeof(title), "doctor %s",
		 c->fleet->nodes[c->selected].name);
	w = console_wizard(c, &env, title);
	wizard_set_lock(w, "not needed: doctor changes nothing");
	c->doctor(c->edit_ctx, c->selected, w);
	wizard_free(w);
	console_back(c);
	c->overlay = OVERLAY_DETAIL;
}

/* V: the ERS rollout over the whole fleet, in the wizard. */
static void console_ers_run(struct console *c)
{
	struct wizard_env env;
	struct wizard *w;

	if (c->ers == NULL)
		return;
	if (c->read_only) {
		console_say(c, "read-only: no ERS rollout from here");
		return;
	}
	w = console_wizard(c, &env, "ERS rollout");
	wizard_draw(w);
	c->ers(c->edit_ctx, w);
	wizard_free(w);
	console_back(c);
	c->overlay = OVERLAY_NONE;
	c->debug_checked = 0; /* the header at once */
}

/* A procedure's resume/rollback/abandon, in the wizard like 'e'. */
static void console_run_procedure(struct console *c, int action)
{
	const char *id = records_procedure_id(c->rec);
	struct wizard_env env;
	struct wizard *w;
	char copy[200], title[240];

	if (id == NULL || c->run_procedure == NULL)
		return;
	if (c->read_only) {
		console_say(c, "read-only: procedures are not run from here");
		return;
	}
	snprintf(copy, sizeof(copy), "%s", id);
	snprintf(title, sizeof(title), "%s",
		 action == 'r'   ? "resume"
		 : action == 'b' ? "rollback"
				 : "abandon");
	w = console_wizard(c, &env, title);
	wizard_set_journal(w, copy);
	c->run_procedure(c->edit_ctx, copy, action, w);
	wizard_free(w);
	console_back(c);
	records_open_procedures(c->rec, &c->renv);
	console_say(c, "back from procedure %s", copy);
}

/* The palette's words: each a key of the table (with a node, its row is
 * selected first). */
static const struct {
	const char *name;
	int key;
	bool node; /* takes a node: "restart node-1" */
} console_verbs[] = {
    {.name = "alerts", .key = 'A'},
    {.name = "incidents", .key = 'I'},
    {.name = "events", .key = 'E'},
    {.name = "procedures", .key = 'P'},
    {.name = "ers", .key = 'V'},
    {.name = "help", .key = '?'},
    {.name = "sort", .key = 's'},
    {.name = "next-down", .key = 'n'},
    {.name = "all-journals", .key = 'L'},
    {.name = "details", .key = '\n', .node = true},
    {.name = "journal", .key = 'l', .node = true},
    {.name = "console", .key = 'c', .node = true},
    {.name = "restart", .key = 'R', .node = true},
    {.name = "stop", .key = 'S', .node = true},
    {.name = "start", .key = 'U', .node = true},
    {.name = "maintenance", .key = 'M', .node = true},
    {.name = "filter", .key = '/'},
    {.name = "quit", .key = 'q'},
};
#define CONSOLE_NVERBS (sizeof(console_verbs) / sizeof(console_verbs[0]))

/* The node named, or by a unique prefix; SIZE_MAX when none. */
static size_t console_node_named(const struct console *c, const char *name,
				 size_t len)
{
	size_t k, found = SIZE_MAX, count = 0;

	for (k = 0; k < c->fleet->nnodes; k++) {
		const char *n = c->fleet->nodes[k].name;

		if (strlen(n) == len && strncmp(n, name, len) == 0)
			return k;
		if (strncmp(n, name, len) == 0 && count++ == 0)
			found = k;
	}
	return count == 1 ? found : SIZE_MAX;
}

/* The verb named, or by a unique prefix; -1 when none. */
static int console_verb_named(const char *name, size_t len)
{
	size_t k, count = 0;
	int found = -1;

	for (k = 0; k < CONSOLE_NVERBS; k++) {
		if (strlen(console_verbs[k].name) == len &&
		    strncmp(console_verbs[k].name, name, len) == 0)
			return (int)k;
		if (strncmp(console_verbs[k].name, name, len) == 0 &&
		    count++ == 0)
			found = (int)k;
	}
	return count == 1 ? found : -1;
}

/* What the palette would take for what is typed: "restart node-1   " */
static void console_palette_hint(const struct console *c, const char *in,
				 char *out, size_t size)
{
	const char *sp = strchr(in, ' ');
	size_t len = 0, k, shown = 0;
	int v = sp ? console_verb_named(in, (size_t)(sp - in)) : -1;
	const char *word = sp ? sp + 1 : in;

	out[0] = '\0';
	if (sp != NULL && (v < 0 || !console_verbs[v].node))
		return;
	for (k = 0; sp == NULL && k < CONSOLE_NVERBS && shown < 8; k++)
		if (strncmp(console_verbs[k].name, in, strlen(in)) == 0) {
			len += (size_t)snprintf(out + len, size - len, " %s",
						console_verbs[k].name);
			shown++;
			if (len >= size)
				return;
		}
	for (k = 0; k < c->fleet->nnodes && shown < 8; k++)
		if (strncmp(c->fleet->nodes[k].name, word, strlen(word)) == 0) {
			len += (size_t)snprintf(out + len, size - len, " %s",
						c->fleet->nodes[k].name);
			shown++;
			if (len >= size)
				return;
		}
}

static bool console_key(struct console *c, int ch, bool *dirty);

/*
 * ':' then Enter: a view, a node (selected, shown even if the filter hid
 * it) or an action on a node, by name or by a unique prefix: "alerts",
 * "node-12", "restart node-3", "filter db". The action runs as its key
 * would, questions included.
 */
static void console_palette_run(struct console *c, const char *text)
{
	char in[512];
	const char *sp, *arg;
	size_t node = SIZE_MAX, len;
	bool dirty;
	int v;

	snprintf(in, sizeof(in), "%s", text);
	len = strlen(in);
	while (len > 0 && in[len - 1] == ' ')
		in[--len] = '\0';
	if (in[0] == '\0')
		return;
	sp = strchr(in, ' ');
	arg = sp ? sp + 1 : NULL;
	v = console_verb_named(in, sp ? (size_t)(sp - in) : strlen(in));
	if (v < 0 && sp == NULL)
		node = console_node_named(c, in, strlen(in));
	if (v < 0 && node == SIZE_MAX) {
		console_say(c,
			    "no view, node or action named '%s' (: then "
			    "letters shows what there is)",
			    in);
		return;
	}
	if (v >= 0 && console_verbs[v].key == '/') {
		snprintf(c->node_filter, sizeof(c->node_filter), "%s",
			 arg ? arg : "");
		console_view_build(c);
		return;
	}
	if (v >= 0 && console_verbs[v].node && arg != NULL) {
		node = console_node_named(c, arg, strlen(arg));
		if (node == SIZE_MAX) {
			console_say(c, "no node named '%s'", arg);
			return;
		}
	}
	if (node != SIZE_MAX) {
		/* Shown whatever the filter: the operator asked for it. */
		c->selected = node;
		if (!console_node_matches(c, node))
			c->node_filter[0] = '\0';
		c->focus = -1;
		console_view_build(c);
	}
	if (v < 0)
		return;
	if (console_verbs[v].key == 'q') {
		c->quit = console_quit_now(c);
		return;
	}
	c->overlay = OVERLAY_NONE;
	c->focus = -1;
	console_key(c, console_verbs[v].key, &dirty);
}

/* Apply one key; returns false when the console should quit. */
static bool console_key(struct console *c, int ch, bool *dirty)
{
	size_t n = c->fleet->nnodes;
	int rows = getmaxy(stdscr), page = rows > 4 ? rows - 4 : 1;

	*dirty = true;
	console_view_build(c);
	/* A message lasts until the next key: the footer's keys again. */
	if (ch != KEY_RESIZE)
		c->msg[0] = '\0';
	if (c->prompt != PROMPT_NONE) {
		console_prompt_key(c, ch);
		return true;
	}
	if (c->overlay == OVERLAY_CONFIRM) {
		/* Only an answer decides: y runs it, n, Esc or q cancel; a
		 * resize or a stray key changes nothing. */
		bool theirs = c->confirm_claims[0] != '\0';

		if ((!theirs && (ch == 'y' || ch == 'Y')) ||
		    (theirs && ch == 'F')) {
			c->overlay = OVERLAY_NONE;
			console_run_action(c);
		} else if (theirs && (ch == 'y' || ch == 'Y')) {
			console_say(c, "not yours: F goes over it (audited), "
				       "n cancels");
		} else if (ch == 'n' || ch == 'N' || ch == 27 || ch == 'q') {
			c->overlay = OVERLAY_NONE;
			console_say(c, "cancelled: nothing was done");
		}
		return true;
	}
	if (c->overlay == OVERLAY_QUIT) {
		if (ch == 'y' || ch == 'Y')
			return false;
		if (ch == 'n' || ch == 'N' || ch == 27 || ch == 'q') {
			c->overlay = OVERLAY_NONE;
			console_say(c, "not quit");
		}
		return true;
	}
	if (c->overlay == OVERLAY_NOTICE) {
		if (ch == 'P') {
			records_open_procedures(c->rec, &c->renv);
			records_select_procedure(c->rec, c->open_id);
			c->overlay = OVERLAY_RECORDS;
		} else if (ch == 27 || ch == 'q' || ch == '\r' || ch == '\n' ||
			   ch == KEY_ENTER) {
			c->overlay = OVERLAY_NONE;
		}
		return true;
	}
	if (c->overlay == OVERLAY_CONFIG) {
		console_config_key(c, ch);
		return true;
	}
	if (c->overlay == OVERLAY_ALERTS) {
		console_alerts_key(c, ch);
		return true;
	}
	if (c->overlay == OVERLAY_RECORDS) {
		switch (records_key(c->rec, &c->renv, ch,
				    getmaxy(stdscr) - c->head - c->foot + 1)) {
		case RECORDS_CLOSE:
			c->overlay = OVERLAY_NONE;
			console_open_refresh(c);
			break;
		case RECORDS_EXPORT:
			records_export_name(c->rec, c->input, sizeof(c->input));
			c->input_len = strlen(c->input);
			c->prompt = PROMPT_EXPORT;
			break;
		case RECORDS_SEARCH:
			c->prompt = PROMPT_VIEW_FIND;
			c->input[0] = '\0';
			c->input_len = 0;
			break;
		case RECORDS_RESUME: console_run_procedure(c, 'r'); break;
		case RECORDS_ROLLBACK: console_run_procedure(c, 'b'); break;
		case RECORDS_ABANDON: console_run_procedure(c, 'a'); break;
		case RECORDS_NONE: break;
		}
		return true;
	}
	if (c->overlay == OVERLAY_DETAIL && ch == 'e' && c->edit_config) {
		console_edit_config(c);
		return true;
	}
	if (c->overlay == OVERLAY_DETAIL && (ch == 'D' || ch == 'X') &&
	    c->debug_mode) {
		console_debug_mode(c, ch == 'D');
		return true;
	}
	if (c->overlay == OVERLAY_DETAIL && ch == 'd' && c->doctor) {
		console_doctor(c);
		return true;
	}
	if (c->overlay == OVERLAY_DETAIL && ch == 'v' && c->aws != NULL) {
		c->overlay = OVERLAY_CONFIG;
		c->cfg_top = 0;
		return true;
	}
	if (c->overlay == OVERLAY_HELP &&
	    (ch == 'j' || ch == 'k' || ch == KEY_DOWN || ch == KEY_UP)) {
		c->help_top += ch == 'j' || ch == KEY_DOWN ? 1 : -1;
		return true;
	}
	if (c->overlay != OVERLAY_NONE) {
		if (ch == 'q' || ch == 27 || ch == '?' || ch == '\r' ||
		    ch == '\n' || ch == KEY_ENTER)
			c->overlay = OVERLAY_NONE;
		return true;
	}
	if (ch == '\t') {
		c->focus = c->focus + 1 < (int)c->npanes ? c->focus + 1 : -1;
		return true;
	}
	if (ch == '?' || ch == KEY_F(1)) {
		c->overlay = OVERLAY_HELP;
		return true;
	}
	if (c->focus >= 0 && console_pane_key(c, ch))
		return true;
	switch (ch) {
	case 'q': return !console_quit_now(c);
	case KEY_UP:
	case 'k': console_view_move(c, -1); break;
	case KEY_DOWN:
	case 'j': console_view_move(c, 1); break;
	case KEY_PPAGE: console_view_move(c, -(long)page); break;
	case KEY_NPAGE: console_view_move(c, (long)page); break;
	case KEY_HOME:
	case 'g': console_view_move(c, -(long)n); break;
	case KEY_END:
	case 'G': console_view_move(c, (long)n); break;
	case 'n': console_next_down(c); break;
	case 's':
		c->by_status = !c->by_status;
		console_say(c, "%s",
			    c->by_status
				? "sorted by status: down first (s: by "
				  "index)"
				: "sorted by index");
		break;
	case '/':
	case ':':
		c->prompt = ch == '/' ? PROMPT_NODES : PROMPT_PALETTE;
		snprintf(c->input, sizeof(c->input), "%s",
			 ch == '/' ? c->node_filter : "");
		c->input_len = strlen(c->input);
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
		c->overlay = OVERLAY_DETAIL;
		console_cfg_ask(c, false);
		break;
	case 'l':
		console_open_pane(c, c->selected, LOGSTREAM_JOURNAL, false);
		break;
	case 'c':
		console_open_pane(c, c->selected, LOGSTREAM_CONSOLE, false);
		break;
	case 'L': console_open_pane(c, 0, LOGSTREAM_JOURNAL, true); break;
	case 'A':
		if (c->alerts != NULL) {
			c->overlay = OVERLAY_ALERTS;
			c->alert_sel = 0;
		}
		break;
	case 'a':
		if (c->alerts != NULL) {
			alertbox_ack(c->alerts, SIZE_MAX);
			console_say(c, "every alert acknowledged");
		}
		break;
	case 'I':
		records_open_incidents(c->rec, &c->renv);
		c->overlay = OVERLAY_RECORDS;
		break;
	case 'E':
		records_open_logs(c->rec, &c->renv);
		c->overlay = OVERLAY_RECORDS;
		break;
	case 'M': console_ask_maint(c); break;
	case 'P':
		records_open_procedures(c->rec, &c->renv);
		c->overlay = OVERLAY_RECORDS;
		break;
	case 'R': console_ask_action(c, FLEET_CMD_RESTART); break;
	case 'S': console_ask_action(c, FLEET_CMD_STOP); break;
	case 'U': console_ask_action(c, FLEET_CMD_START); break;
	case 'V': console_ers_run(c); break;
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
	if (console_holds_refresh(c))
		changed = true;
	if (console_debug_refresh(c))
		changed = true;
	if (clock_mono_ms() - c->open_checked >= 10000) {
		size_t was = c->open_procs;

		/* Another bvops may end (or leave) one meanwhile. */
		console_open_refresh(c);
		changed = changed || was != c->open_procs;
	}
	if (c->alerts != NULL &&
	    alertbox_version(c->alerts) != c->alerts_version) {
		size_t unacked;

		c->alerts_version = alertbox_version(c->alerts);
		alertbox_count(c->alerts, &unacked);
		/* A new alert rings (once), unless the fleet says not to. */
		if (unacked > c->alerts_unacked && c->fleet->alerts.bell)
			beep();
		c->alerts_unacked = unacked;
		changed = true;
	}
	if (c->aws != NULL && awswork_version(c->aws) != c->aws_version) {
		c->aws_version = awswork_version(c->aws);
		changed = true;
		if (c->cfg_state == AWSWORK_BUSY) {
			free(c->cfg_text);
			c->cfg_state =
			    awswork_config(c->aws, c->cfg_node, &c->cfg_text);
		}
	}
	return changed;
}

/* A pane's stream waits for a key's passphrase: ask (once per key). */
static bool console_want_passphrase(struct console *c)
{
	char key[512];
	size_t k;

	if (c->prompt != PROMPT_NONE || c->overlay != OVERLAY_NONE)
		return false;
	for (k = 0; k < c->npanes; k++) {
		if (!pane_passphrase_key(c->panes[k], &c->env, key,
					 sizeof(key)) ||
		    strcmp(key, c->declined) == 0)
			continue;
		snprintf(c->pass_key, sizeof(c->pass_key), "%s", key);
		c->prompt = PROMPT_PASSPHRASE;
		c->input[0] = '\0';
		c->input_len = 0;
		return true;
	}
	return false;
}

/* Wait up to ms for a key or (when news) for the engine to change
 * something; drain the engine's wake-ups. */
static void console_sleep(struct console *c, int ms, bool news)
{
	struct pollfd p[4] = {{.fd = STDIN_FILENO, .events = POLLIN},
			      {.fd = -1, .events = POLLIN},
			      {.fd = -1, .events = POLLIN},
			      {.fd = -1, .events = POLLIN}};
	uint64_t drain;
	int k;

	if (news) {
		p[1].fd = monitor_notify_fd(c->monitor);
		p[2].fd =
		    c->env.ls != NULL ? logstreams_notify_fd(c->env.ls) : -1;
		p[3].fd = c->aws != NULL ? awswork_notify_fd(c->aws) : -1;
	}
	if (poll(p, 4, ms > 0 ? ms : 0) <= 0)
		return;
	for (k = 1; k < 4; k++)
		if (p[k].fd >= 0 && (p[k].revents & POLLIN) &&
		    read(p[k].fd, &drain, sizeof(drain)) < 0)
			drain = 0; /* drained by a racing read: fine */
}

/* Anything in the panes to draw again? */
static bool console_panes_changed(struct console *c)
{
	size_t k;

	for (k = 0; k < c->npanes; k++)
		if (pane_changed(c->panes[k], &c->env))
			return true;
	return false;
}

int console_run(const struct fleet *fleet, struct monitor *monitor,
		const struct console_options *o)
{
	struct console c;
	char msg[200];
	bool dirty = true, run = true, trickle;
	int64_t next_frame = 0;
	int minute = -1;
	size_t k;

	memset(&c, 0, sizeof(c));
	c.fleet = fleet;
	c.monitor = monitor;
	c.read_only = o->read_only;
	c.focus = -1;
	c.acts = o->acts;
	c.save_dir = o->save_dir;
	c.aws = o->aws;
	c.alerts = o->alerts;
	c.holds_dir = o->holds_dir;
	c.renv.state_dir = o->state_dir;
	c.edit_config = o->edit_config;
	c.run_procedure = o->run_procedure;
	c.debug_mode = o->debug_mode;
	c.ers = o->ers;
	c.doctor = o->doctor;
	c.edit_ctx = o->edit_ctx;
	if (term_start(msg, sizeof(msg)) < 0) {
		fprintf(stderr, "bvops: %s\n", msg);
		return -1;
	}
	c.debug_since = xcalloc(fleet->nnodes + 1, sizeof(*c.debug_since));
	c.forced = xcalloc(fleet->nnodes + 1, sizeof(*c.forced));
	c.rec = records_new();
	c.utf8 = term_utf8();
	console_apply_theme(&c, o->theme);
	c.env.fleet = fleet;
	c.env.ls = o->ls;
	c.env.style = c.style;
	c.env.utf8 = c.utf8;
	c.env.quiet_after_ms = (int64_t)fleet->logs.quiet_after_ms;
	c.renv.style = c.style;
	c.renv.utf8 = c.utf8;
	/* Let curses scroll full-width regions instead of repainting. */
	idlok(stdscr, TRUE);
	console_refresh_state(&c, &minute);
	if (c.open_procs > 0 && !c.read_only)
		c.overlay = OVERLAY_NOTICE; /* said once, before anything */
	while (run && !c.quit && !term_quit_requested()) {
		int64_t now = clock_mono_ms();
		int ch, wait;

		if (term_interrupt_take()) {
			/* Ctrl-C: as q, asked when it leaves danger behind
			 * (only y quits then: a key hammered never does). */
			if (c.overlay != OVERLAY_QUIT && console_quit_now(&c))
				break;
			c.prompt = PROMPT_NONE;
			dirty = true;
			next_frame = 0;
		}

		if (console_refresh_state(&c, &minute))
			dirty = true;
		if (c.nrunning > 0 && console_check_actions(&c))
			dirty = true;
		if (console_panes_changed(&c))
			dirty = true;
		if (console_want_passphrase(&c))
			dirty = true;
		/* The frame rate is bounded whatever the logs do, and a slow
		 * link only ever gets the latest state. */
		if (dirty && now >= next_frame) {
			trickle = console_draw(&c);
			next_frame = now + (trickle ? CONSOLE_FRAME_MS
						    : CONSOLE_CALM_MS);
			dirty = false;
		}
		if (dirty)
			wait = (int)(next_frame - now);
		else if (c.nrunning > 0)
			wait = CONSOLE_FRAME_MS;
		else
			wait = CONSOLE_IDLE_MS;
		/* Sleep until a key, a change in the engine, or the wait;
		 * a frame already owed waits for its time, not for news. */
		console_sleep(&c, wait, !dirty);
		timeout(0);
		while (run && (ch = getch()) != ERR) {
			bool more = false;

			/* Every key already typed before drawing again: a
			 * laggy link delivers keys in bursts. */
			run = console_key(&c, ch, &more);
			if (more) {
				dirty = true;
				next_frame = 0; /* a key is answered at once */
			}
		}
	}
	term_stop();
	for (k = 0; k < c.npanes; k++)
		pane_free(c.panes[k], &c.env);
	monitor_snapshot_free(&c.snap);
	free(c.cfg_text);
	holds_free(&c.holds);
	free(c.debug_since);
	free(c.forced);
	free(c.view);
	records_free(c.rec);
	return 0;
}
