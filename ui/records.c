#include "ui/records.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/duration.h"
#include "lib/sanitize.h"
#include "lib/xalloc.h"
#include "proc/procedure.h"
#include "state/incident_file.h"
#include "state/procjournal.h"
#include "state/statedir.h"
#include "ui/find.h"

/* A log view shows the end of its file, at most this much of it. */
#define RECORDS_LOG_TAIL ((off_t)1 << 20)

enum rec_mode {
	REC_LIST,
	REC_INCIDENT,
	REC_EVENTS,
	REC_AUDIT,
	REC_PROCS,   /* the procedure list */
	REC_JOURNAL, /* one procedure's journal */
};

struct records {
	enum rec_mode mode;
	/* The incident list. */
	struct incident_info *inc;
	size_t ninc, sel;
	char list_error[300];
	/* A text view: the report or a log, split into lines. */
	char *text;
	char **lines;
	size_t nlines;
	int top;
	char search[128]; /* "" none; its matches are marked */
	char title[300];
	char id[200]; /* the incident in view */
	/* The procedures: ids and one line each. */
	char **procs;
	char **proc_lines;
	bool *proc_open; /* not ended: resume, rollback, abandon apply */
	size_t nprocs, proc_sel;
};

static void rec_procs_free(struct records *r)
{
	size_t k;

	for (k = 0; k < r->nprocs; k++) {
		free(r->procs[k]);
		free(r->proc_lines[k]);
	}
	free(r->procs);
	free(r->proc_lines);
	free(r->proc_open);
	r->procs = r->proc_lines = NULL;
	r->proc_open = NULL;
	r->nprocs = 0;
}

struct records *records_new(void)
{
	return xcalloc(1, sizeof(struct records));
}

static void rec_text_free(struct records *r)
{
	free(r->text);
	free(r->lines);
	r->text = NULL;
	r->lines = NULL;
	r->nlines = 0;
	r->top = 0;
	r->search[0] = '\0';
}

void records_free(struct records *r)
{
	if (r == NULL)
		return;
	rec_text_free(r);
	rec_procs_free(r);
	free(r->inc);
	free(r);
}

/* Take text (a new string) and split it into lines in place. */
static void rec_text_set(struct records *r, char *text)
{
	size_t cap = 0;
	char *p;

	rec_text_free(r);
	r->text = text;
	for (p = text; p != NULL && *p;) {
		char *nl = strchr(p, '\n');

		if (r->nlines == cap) {
			cap = cap ? cap * 2 : 256;
			r->lines = xrealloc(r->lines, cap * sizeof(*r->lines));
		}
		r->lines[r->nlines++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
}

void records_open_incidents(struct records *r, const struct records_env *env)
{
	r->mode = REC_LIST;
	free(r->inc);
	r->inc = NULL;
	r->ninc = 0;
	r->list_error[0] = '\0';
	if (env->state_dir == NULL)
		snprintf(r->list_error, sizeof(r->list_error),
			 "no state folder: incidents are not recorded");
	else
		incident_list(env->state_dir, &r->inc, &r->ninc, r->list_error,
			      sizeof(r->list_error));
	if (r->sel >= r->ninc)
		r->sel = r->ninc ? r->ninc - 1 : 0;
}

void records_open_procedures(struct records *r, const struct records_env *env)
{
	char msg[300];
	size_t k;

	r->mode = REC_PROCS;
	rec_procs_free(r);
	r->list_error[0] = '\0';
	if (env->state_dir == NULL ||
	    procjournal_list(env->state_dir, &r->procs, &r->nprocs, msg,
			     sizeof(msg)) < 0) {
		snprintf(r->list_error, sizeof(r->list_error), "%s",
			 env->state_dir ? msg : "no state folder");
		return;
	}
	r->proc_lines = xcalloc(r->nprocs + 1, sizeof(char *));
	r->proc_open = xcalloc(r->nprocs + 1, sizeof(bool));
	for (k = 0; k < r->nprocs; k++) {
		struct procjournal_view v;
		char where[400];

		if (procjournal_read(env->state_dir, r->procs[k], &v, msg,
				     sizeof(msg)) < 0) {
			r->proc_lines[k] =
			    xasprintf("%-44s %s", r->procs[k], msg);
			continue;
		}
		procedure_describe(&v, where, sizeof(where));
		/* "*": open, waiting for resume, rollback or abandon. */
		r->proc_open[k] = v.outcome == NULL;
		r->proc_lines[k] = xasprintf("%-36s %s%s", r->procs[k],
					     v.outcome ? "  " : "* ", where);
		procjournal_view_free(&v);
	}
	if (r->proc_sel >= r->nprocs)
		r->proc_sel = r->nprocs ? r->nprocs - 1 : 0;
}

size_t records_open_count(const struct records_env *env, char *id,
			  size_t idsize, char *where, size_t wsize)
{
	char **ids = NULL, msg[300];
	size_t n = 0, k, open = 0;

	id[0] = where[0] = '\0';
	if (env->state_dir == NULL ||
	    procjournal_list(env->state_dir, &ids, &n, msg, sizeof(msg)) < 0)
		return 0;
	for (k = 0; k < n; k++) {
		struct procjournal_view v;

		if (procjournal_read(env->state_dir, ids[k], &v, msg,
				     sizeof(msg)) < 0)
			continue;
		if (v.outcome == NULL && open++ == 0) { /* the newest first */
			snprintf(id, idsize, "%s", ids[k]);
			procedure_describe(&v, where, wsize);
		}
		procjournal_view_free(&v);
	}
	for (k = 0; k < n; k++)
		free(ids[k]);
	free(ids);
	return open;
}

void records_select_procedure(struct records *r, const char *id)
{
	size_t k;

	for (k = 0; k < r->nprocs; k++)
		if (strcmp(r->procs[k], id) == 0)
			r->proc_sel = k;
}

const char *records_procedure_id(const struct records *r)
{
	return r->proc_sel < r->nprocs ? r->procs[r->proc_sel] : NULL;
}

/* One procedure's journal, a record a line. */
static void rec_open_journal(struct records *r, const struct records_env *env)
{
	char *path, *text;
	struct buf b;
	FILE *f;
	char line[4096];

	if (r->nprocs == 0 || env->state_dir == NULL)
		return;
	path = statedir_file(env->state_dir, "procedures",
			     r->procs[r->proc_sel], ".jsonl");
	buf_init(&b, 0);
	f = fopen(path, "re");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		cJSON *o = cJSON_Parse(line);
		const char *keys[] = {"time",  "rec",     "step",    "node",
				      "state", "outcome", "message", NULL};
		int k;

		for (k = 0; keys[k] != NULL && o != NULL; k++) {
			const char *v = cJSON_GetStringValue(
			    cJSON_GetObjectItem(o, keys[k]));

			if (v != NULL)
				buf_printf(&b, "%s ", v);
		}
		if (o == NULL)
			buf_printf(&b, "(torn record)");
		buf_append_char(&b, '\n');
		cJSON_Delete(o);
	}
	if (f != NULL)
		fclose(f);
	text = buf_take(&b, NULL);
	r->mode = REC_JOURNAL;
	snprintf(r->title, sizeof(r->title),
		 " journal %s (j/k PgUp/PgDn g/G, Esc) ",
		 r->procs[r->proc_sel]);
	rec_text_set(r, text);
	free(path);
}

/* One JSON record of events.log or audit.log as a line for people. */
static void rec_log_line(struct buf *b, const char *line)
{
	static const char *const what[] = {"kind", "action", NULL};
	static const char *const why[] = {"detail", "message", "result",
					  "error", NULL};
	cJSON *o = cJSON_Parse(line);
	const cJSON *v;
	int k;

	if (!cJSON_IsObject(o)) {
		buf_printf(b, "%s\n", line);
		cJSON_Delete(o);
		return;
	}
	v = cJSON_GetObjectItem(o, "time");
	buf_printf(b, "%s ", cJSON_IsString(v) ? v->valuestring : "-");
	v = cJSON_GetObjectItem(o, "user");
	if (cJSON_IsString(v)) {
		const cJSON *h = cJSON_GetObjectItem(o, "host");

		buf_printf(b, "%s@%s ", v->valuestring,
			   cJSON_IsString(h) ? h->valuestring : "?");
	}
	for (k = 0; what[k] != NULL; k++) {
		v = cJSON_GetObjectItem(o, what[k]);
		if (cJSON_IsString(v))
			buf_printf(b, "%-16s ", v->valuestring);
	}
	v = cJSON_GetObjectItem(o, "node");
	buf_printf(b, "%-12s", cJSON_IsString(v) ? v->valuestring : "-");
	v = cJSON_GetObjectItem(o, "sink");
	if (cJSON_IsString(v)) {
		const cJSON *ok = cJSON_GetObjectItem(o, "ok");
		const cJSON *seq = cJSON_GetObjectItem(o, "seq");

		buf_printf(b, " alert %d %s %s:",
			   cJSON_IsNumber(seq) ? seq->valueint : 0,
			   cJSON_IsTrue(ok) ? "sent to" : "NOT sent to",
			   v->valuestring);
	}
	for (k = 0; why[k] != NULL; k++) {
		v = cJSON_GetObjectItem(o, why[k]);
		if (cJSON_IsString(v) && v->valuestring[0])
			buf_printf(b, " %s", v->valuestring);
	}
	buf_append_char(b, '\n');
	cJSON_Delete(o);
}

/* The end of the log name, each record made readable. */
static char *rec_log_text(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name), *raw, *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	struct buf b;
	off_t from = 0;
	ssize_t got;

	buf_init(&b, 0);
	if (fd < 0 || fstat(fd, &st) < 0) {
		buf_printf(&b, "%s: %s\n", path,
			   errno == ENOENT ? "nothing recorded yet"
					   : strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return buf_take(&b, NULL);
	}
	if (st.st_size > RECORDS_LOG_TAIL)
		from = st.st_size - RECORDS_LOG_TAIL;
	raw = xmalloc((size_t)(st.st_size - from) + 1);
	got = pread(fd, raw, (size_t)(st.st_size - from), from);
	close(fd);
	raw[got > 0 ? got : 0] = '\0';
	p = raw;
	if (from > 0) {
		/* Started mid-record: skip to the next whole one. */
		p = strchr(raw, '\n');
		p = p ? p + 1 : raw + strlen(raw);
		buf_printf(&b, "(the start of %s is not shown)\n", path);
	}
	while (*p) {
		char *nl = strchr(p, '\n');

		if (nl != NULL)
			*nl = '\0';
		if (*p)
			rec_log_line(&b, p);
		p = nl ? nl + 1 : p + strlen(p);
	}
	free(raw);
	free(path);
	return buf_take(&b, NULL);
}

static void rec_bottom(struct records *r, int rows)
{
	int page = rows > 4 ? rows - 4 : 1;

	r->top = (int)r->nlines - page;
	if (r->top < 0)
		r->top = 0;
}

static void rec_open_log(struct records *r, const struct records_env *env,
			 enum rec_mode mode, int rows)
{
	const char *name = mode == REC_AUDIT ? "audit.log" : "events.log";

	r->mode = mode;
	snprintf(r->title, sizeof(r->title),
		 " %s (Tab: %s, r reload, j/k PgUp/PgDn g/G, Esc) ", name,
		 mode == REC_AUDIT ? "event log" : "audit log");
	rec_text_set(r, env->state_dir
			    ? rec_log_text(env->state_dir, name)
			    : xstrdup("no state folder: nothing is logged"));
	rec_bottom(r, rows);
}

void records_open_logs(struct records *r, const struct records_env *env)
{
	rec_open_log(r, env, REC_EVENTS, getmaxy(stdscr));
}

static void rec_open_incident(struct records *r, const struct records_env *env)
{
	char msg[400], *text;

	if (r->ninc == 0 || env->state_dir == NULL)
		return;
	snprintf(r->id, sizeof(r->id), "%s", r->inc[r->sel].id);
	text = incident_render(env->state_dir, r->id, false, msg, sizeof(msg));
	r->mode = REC_INCIDENT;
	snprintf(r->title, sizeof(r->title),
		 " incident %s (x export, j/k PgUp/PgDn g/G, Esc) ", r->id);
	rec_text_set(r, text ? text : xstrdup(msg));
}

/* Draw untrusted text: control sequences removed, cut to width. */
static void rec_put(const struct records_env *env, int y, int x, int width,
		    const char *s)
{
	char clean[1024];

	if (width <= 0)
		return;
	sanitize_text(s, strlen(s), clean, sizeof(clean), !env->utf8);
	mvaddnstr(y, x, clean, width);
}

/* The view's rows: y0 (below the console's header) to the footer. */
static void rec_frame(const struct records_env *env, int y0, int rows, int cols,
		      const char *title)
{
	int r;

	attrset(env->style[THEME_WINDOW]);
	for (r = 0; r < rows - 1; r++)
		mvhline(y0 + r, 0, ' ', cols);
	attron(A_BOLD);
	mvhline(y0, 0, '-', cols);
	rec_put(env, y0, 2, cols - 4, title);
	attroff(A_BOLD);
}

static void rec_draw_procs(struct records *r, const struct records_env *env,
			   int y0, int rows, int cols)
{
	size_t top, avail, k;
	int y;

	rec_frame(env, y0, rows, cols,
		  " Procedures (Enter journal; on an open one: r resume, "
		  "b rollback, a abandon; Esc) ");
	if (r->list_error[0]) {
		rec_put(env, y0 + 2, 2, cols - 4, r->list_error);
		return;
	}
	if (r->nprocs == 0) {
		rec_put(env, y0 + 2, 2, cols - 4, "no procedure journaled");
		return;
	}
	avail = rows > 3 ? (size_t)(rows - 2) : 1;
	top = r->proc_sel >= avail ? r->proc_sel - avail + 1 : 0;
	for (k = top, y = 1; k < r->nprocs && y < rows - 1; k++, y++) {
		attrset(k == r->proc_sel  ? env->style[THEME_SELECTED]
			: r->proc_open[k] ? env->style[THEME_DOWN]
					  : env->style[THEME_WINDOW]);
		mvhline(y0 + y, 0, ' ', cols);
		rec_put(env, y0 + y, 1, cols - 2, r->proc_lines[k]);
	}
}

static void rec_draw_list(struct records *r, const struct records_env *env,
			  int y0, int rows, int cols)
{
	char title[200], line[600];
	size_t top, avail, k;
	int y;

	snprintf(title, sizeof(title),
		 " Incidents: %zu (Enter view, x export, r reload, Esc) ",
		 r->ninc);
	rec_frame(env, y0, rows, cols, title);
	if (r->list_error[0]) {
		rec_put(env, y0 + 2, 2, cols - 4, r->list_error);
		return;
	}
	if (r->ninc == 0) {
		rec_put(env, y0 + 2, 2, cols - 4,
			"no incident recorded: one is kept each time a node "
			"goes down");
		return;
	}
	snprintf(line, sizeof(line), "%-32s %-9s %-8s %s", "ID", "STATUS",
		 "OUTAGE", "CAUSE");
	attron(A_BOLD);
	rec_put(env, y0 + 1, 1, cols - 2, line);
	attroff(A_BOLD);
	avail = rows > 4 ? (size_t)(rows - 3) : 1;
	top = r->sel >= avail ? r->sel - avail + 1 : 0;
	for (k = top, y = 2; k < r->ninc && y < rows - 1; k++, y++) {
		const struct incident_info *in = &r->inc[k];
		char dur[40] = "-";

		if (in->recovered_ms > 0 &&
		    in->recovered_ms >= in->first_fail_ms)
			duration_human(
			    (uint64_t)(in->recovered_ms - in->first_fail_ms),
			    dur, sizeof(dur));
		snprintf(line, sizeof(line), "%-32s %-9s %-8s %s", in->id,
			 in->status, dur, in->cause);
		attrset(k == r->sel ? env->style[THEME_SELECTED]
			: strcmp(in->status, "open") == 0
			    ? env->style[THEME_DOWN]
			    : env->style[THEME_WINDOW]);
		mvhline(y0 + y, 0, ' ', cols);
		rec_put(env, y0 + y, 1, cols - 2, line);
	}
}

void records_draw(struct records *r, const struct records_env *env, int y0,
		  int rows, int cols)
{
	int y, k;

	if (r->mode == REC_LIST) {
		rec_draw_list(r, env, y0, rows, cols);
		attrset(A_NORMAL);
		return;
	}
	if (r->mode == REC_PROCS) {
		rec_draw_procs(r, env, y0, rows, cols);
		attrset(A_NORMAL);
		return;
	}
	rec_frame(env, y0, rows, cols, r->title);
	for (y = 1, k = r->top; y < rows - 1 && (size_t)k < r->nlines;
	     y++, k++) {
		rec_put(env, y0 + y, 1, cols - 2, r->lines[k]);
		if (r->search[0])
			find_mark(y0 + y, 1, cols - 2, r->lines[k], r->search);
	}
	attrset(A_NORMAL);
}

static const char *rec_line(void *ctx, int i)
{
	const struct records *r = ctx;

	return i >= 0 && (size_t)i < r->nlines ? r->lines[i] : NULL;
}

int records_search(struct records *r, const char *text, char *msg,
		   size_t msgsize)
{
	size_t count, which;
	int at;

	snprintf(r->search, sizeof(r->search), "%s", text);
	if (text[0] == '\0')
		return 0;
	at = find_line(rec_line, r, (int)r->nlines, text, r->top, 1, &count,
		       &which);
	if (at < 0)
		at = find_line(rec_line, r, (int)r->nlines, text, 0, 1, &count,
			       &which);
	if (at < 0) {
		snprintf(msg, msgsize, "\"%s\" not found", text);
		return -1;
	}
	r->top = at;
	snprintf(msg, msgsize,
		 "\"%s\": %zu line%s hold it, this is %zu (n next, N before)",
		 text, count, count == 1 ? "" : "s", which);
	return 0;
}

static void rec_scroll_key(struct records *r, int ch, int rows)
{
	int page = rows > 4 ? rows - 3 : 1;
	int last = (int)r->nlines - page;

	if (last < 0)
		last = 0;
	switch (ch) {
	case KEY_UP:
	case 'k': r->top--; break;
	case KEY_DOWN:
	case 'j': r->top++; break;
	case KEY_PPAGE: r->top -= page; break;
	case KEY_NPAGE:
	case ' ': r->top += page; break;
	case KEY_HOME:
	case 'g': r->top = 0; break;
	case KEY_END:
	case 'G': r->top = last; break;
	case 'n':
	case 'N':
		if (r->search[0]) {
			size_t count, which;
			int at =
			    find_line(rec_line, r, (int)r->nlines, r->search,
				      r->top + (ch == 'n' ? 1 : -1),
				      ch == 'n' ? 1 : -1, &count, &which);

			if (at >= 0)
				r->top = at;
		}
		break;
	default: break;
	}
	if (r->top > last)
		r->top = last;
	if (r->top < 0)
		r->top = 0;
}

enum records_action records_key(struct records *r,
				const struct records_env *env, int ch, int rows)
{
	bool esc = ch == 27 || ch == 'q';

	switch (r->mode) {
	case REC_LIST:
		if (esc)
			return RECORDS_CLOSE;
		if ((ch == KEY_UP || ch == 'k') && r->sel > 0)
			r->sel--;
		else if ((ch == KEY_DOWN || ch == 'j') && r->sel + 1 < r->ninc)
			r->sel++;
		else if (ch == 'g' || ch == KEY_HOME)
			r->sel = 0;
		else if ((ch == 'G' || ch == KEY_END) && r->ninc > 0)
			r->sel = r->ninc - 1;
		else if (ch == 'r')
			records_open_incidents(r, env);
		else if (ch == '\r' || ch == '\n' || ch == KEY_ENTER)
			rec_open_incident(r, env);
		else if (ch == 'x' && r->ninc > 0) {
			snprintf(r->id, sizeof(r->id), "%s", r->inc[r->sel].id);
			return RECORDS_EXPORT;
		}
		return RECORDS_NONE;
	case REC_INCIDENT:
		if (esc) {
			records_open_incidents(r, env);
			return RECORDS_NONE;
		}
		if (ch == 'x')
			return RECORDS_EXPORT;
		if (ch == '/')
			return RECORDS_SEARCH;
		rec_scroll_key(r, ch, rows);
		return RECORDS_NONE;
	case REC_PROCS: {
		bool open =
		    r->proc_sel < r->nprocs && r->proc_open[r->proc_sel];

		if (esc)
			return RECORDS_CLOSE;
		if ((ch == KEY_UP || ch == 'k') && r->proc_sel > 0)
			r->proc_sel--;
		else if ((ch == KEY_DOWN || ch == 'j') &&
			 r->proc_sel + 1 < r->nprocs)
			r->proc_sel++;
		else if (ch == '\r' || ch == '\n' || ch == KEY_ENTER)
			rec_open_journal(r, env);
		else if (open && ch == 'r')
			return RECORDS_RESUME;
		else if (open && ch == 'b')
			return RECORDS_ROLLBACK;
		else if (open && ch == 'a')
			return RECORDS_ABANDON;
		return RECORDS_NONE;
	}
	case REC_JOURNAL:
		if (esc) {
			records_open_procedures(r, env);
			return RECORDS_NONE;
		}
		if (ch == '/')
			return RECORDS_SEARCH;
		rec_scroll_key(r, ch, rows);
		return RECORDS_NONE;
	case REC_EVENTS:
	case REC_AUDIT:
		if (esc)
			return RECORDS_CLOSE;
		if (ch == '\t')
			rec_open_log(r, env,
				     r->mode == REC_EVENTS ? REC_AUDIT
							   : REC_EVENTS,
				     rows);
		else if (ch == 'r')
			rec_open_log(r, env, r->mode, rows);
		else if (ch == '/')
			return RECORDS_SEARCH;
		else
			rec_scroll_key(r, ch, rows);
		return RECORDS_NONE;
	}
	return RECORDS_NONE;
}

const char *records_keys(const struct records *r)
{
	switch (r->mode) {
	case REC_LIST:
		return " j/k move  Enter view  x export  r reload  Esc close";
	case REC_INCIDENT:
		return " j/k PgUp/PgDn g/G  / search n N  x export  Esc the "
		       "list";
	case REC_PROCS:
		return r->proc_sel < r->nprocs && r->proc_open[r->proc_sel]
			   ? " Enter journal  r resume  b roll back  a abandon"
			     "  Esc close"
			   : " j/k move  Enter journal  Esc close";
	case REC_JOURNAL: return " j/k PgUp/PgDn g/G scroll  Esc the list";
	case REC_EVENTS:
	case REC_AUDIT: break;
	}
	return r->mode == REC_EVENTS ? " Tab audit log  j/k g/G  / search n N  "
				       "r reload  Esc close"
				     : " Tab event log  j/k g/G  / search n N  "
				       "r reload  Esc close";
}

void records_export_name(const struct records *r, char *out, size_t size)
{
	snprintf(out, size, "~/incident-%s.md", r->id);
}

int records_export(struct records *r, const struct records_env *env,
		   const char *path, char *msg, size_t msgsize)
{
	const char *home = getenv("HOME");
	char *full;
	size_t len = strlen(path);
	bool markdown;
	int rc;

	if (env->state_dir == NULL || r->id[0] == '\0') {
		snprintf(msg, msgsize, "no incident to export");
		return -1;
	}
	if (len == 0) {
		snprintf(msg, msgsize, "no file name: nothing written");
		return -1;
	}
	full = strncmp(path, "~/", 2) == 0 && home != NULL
		   ? xasprintf("%s/%s", home, path + 2)
		   : xstrdup(path);
	/* .md (or anything else) is Markdown; .txt is plain text. */
	len = strlen(full);
	markdown = !(len > 4 && strcmp(full + len - 4, ".txt") == 0);
	rc = incident_export(env->state_dir, r->id, full, markdown, false, msg,
			     msgsize);
	if (rc == 0)
		snprintf(msg, msgsize, "incident %s written to %s", r->id,
			 full);
	free(full);
	return rc;
}
