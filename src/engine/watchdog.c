#include "engine/watchdog.h"

#include <cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/health.h"
#include "engine/incident.h"
#include "engine/sink.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/duration.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"
#include "state/eventlog.h"
#include "state/holds.h"
#include "state/lockdoc.h"
#include "state/marks.h"
#include "state/shareddoc.h"
#include "state/sharedstatus.h"

#define WATCHDOG_QUEUE   256
#define WATCHDOG_EXCERPT 5  /* journal lines in an alert */
#define WATCHDOG_GROUP   64 /* down alerts held in one group */
#define WATCHDOG_ORPHANS 32 /* procedures left open, followed at once */

struct wd_node {
	int64_t *changes; /* monotonic times of recent transitions (ring) */
	size_t nchanges, next;
	bool flapping;
	int64_t last_change;
	int64_t last_down_alert; /* for reminders */
	bool maint;              /* held (holds.h): not paged, not rung */
	enum hold_kind held_kind;
	char held_why[400];       /* the hold, said ("in maintenance") */
	bool down_alerted;        /* its last down was alerted: its up is too */
	int64_t alert_if_down_at; /* a stop's hold ended: down after this? */
	int64_t rearm_seen;       /* the last re-arm acted on */
};

struct watchdog {
	const struct fleet *f;
	/* The clocks of this step (watchdog_step_at): mono for every
	 * interval, wall for what is written down. */
	int64_t now_mono, now_wall;
	struct monitor *m;
	struct logstreams *ls;
	char *state_dir;
	char *holds_dir;  /* where holds.json is read (state_dir by default) */
	char *events_dir; /* a console's events.log, unless a watch runs */
	watchdog_print_fn print;
	void *ctx;
	struct autorestart *ar;
	struct sinks *sinks;
	struct incidents *inc;
	struct wd_node *n;
	size_t ring; /* flap_changes + 1 */
	struct monitor_event queue[WATCHDOG_QUEUE];
	size_t nqueue;
	uint64_t seq;
	char log_error[300]; /* said once */
	bool act;            /* restart and deliver, or only alert */
	struct holds holds;  /* as last read */
	struct timespec holds_mtime;
	bool holds_read; /* at least once */
	int64_t holds_checked;
	int64_t debug_checked; /* monotonic: the debug records looked at */
	int64_t *debug_next;   /* per node, wall: when to alert (0: not in) */
	bool *recording;       /* per node: its console kept (debug mode) */
	int64_t ers_next;      /* wall: when to remind of ERS (0: not on) */
	/* Downs within group_window of a paged one wait to page together. */
	int64_t group_until; /* monotonic; 0: no window open */
	char *group[WATCHDOG_GROUP];
	size_t ngroup, group_more;
	/* Procedures left open with their lock gone (shareddoc_orphans), as
	 * last looked at: their holds silence nothing, and each is paged,
	 * then reminded of (next: wall). */
	struct {
		char id[200];
		int64_t next;
	} orphan[WATCHDOG_ORPHANS];
	size_t norphans;
	bool shared_down; /* the shared state could not be read, said */
};

/* A problem with bvops's own files, said once until it changes. */
static void wd_say_error(struct watchdog *w, const char *msg)
{
	cJSON *o;
	char *json;

	if (strcmp(msg, w->log_error) == 0)
		return;
	snprintf(w->log_error, sizeof(w->log_error), "%s", msg);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", "log_error");
	cJSON_AddStringToObject(o, "message", msg);
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (json == NULL)
		abort(); /* cJSON only fails for want of memory */
	w->print(w->ctx, json, msg, false);
	free(json);
}

static void wd_log(struct watchdog *w, const char *name, const char *line)
{
	char msg[300];

	const char *dir = w->state_dir;

	if (dir == NULL && w->events_dir != NULL &&
	    !incidents_watch_running(w->events_dir))
		dir = w->events_dir;
	if (dir != NULL &&
	    eventlog_append(dir, name, line, msg, sizeof(msg)) < 0)
		wd_say_error(w, msg);
}

/* The node's last journal lines, if a stream has them. */
static void wd_excerpt(struct watchdog *w, size_t node, char *out, size_t size)
{
	struct logstream_view v;

	out[0] = '\0';
	if (w->ls == NULL || node >= w->f->nnodes)
		return;
	logstreams_lock(w->ls);
	v = logstreams_view(w->ls, node, LOGSTREAM_JOURNAL);
	if (v.ring != NULL && v.ring->total > 0) {
		uint64_t first = logring_first(v.ring);
		uint64_t seq = v.ring->total > WATCHDOG_EXCERPT
				   ? v.ring->total - WATCHDOG_EXCERPT
				   : 0;
		size_t used = 0;

		if (seq < first)
			seq = first;
		for (; seq < v.ring->total && used + 1 < size; seq++) {
			const struct logring_line *l = logring_at(v.ring, seq);

			if (l == NULL || l->kind != LOGRING_LINE)
				continue;
			used +=
			    (size_t)snprintf(out + used, size - used, "%s%s",
					     used ? "\n" : "", l->text);
			if (used >= size)
				used = size - 1;
		}
	}
	logstreams_unlock(w->ls);
}

/*
 * Page one alert through the sinks. A down alert opens a group window:
 * further downs within [alerts] group_window wait and go out as one
 * "grouped" alert when it closes, so a shared cause pages once, not once
 * per node, while the first down still pages at once.
 */
static void wd_page(struct watchdog *w, const struct alert *a, const char *json)
{
	int64_t now = w->now_mono;

	if (a->kind != ALERT_DOWN || w->f->alerts.group_window_ms == 0) {
		sinks_send(w->sinks, a->seq, json);
		return;
	}
	if (w->group_until == 0 || now >= w->group_until) {
		w->group_until = now + (int64_t)w->f->alerts.group_window_ms;
		sinks_send(w->sinks, a->seq, json);
		return;
	}
	if (w->ngroup < WATCHDOG_GROUP)
		w->group[w->ngroup++] = xstrdup(json);
	else
		w->group_more++;
}

/* The group window closed: what it held pages as one alert. */
static void wd_group_flush(struct watchdog *w, int64_t now, bool force)
{
	struct alert a;
	cJSON *o, *arr;
	char *json, *text;
	size_t k, used = 0;

	if (w->group_until == 0 || (!force && now < w->group_until))
		return;
	w->group_until = 0;
	if (w->ngroup == 0)
		return;
	memset(&a, 0, sizeof(a));
	a.kind = ALERT_GROUPED;
	a.node = ALERT_NODE_NONE;
	a.seq = ++w->seq;
	a.time_ms = w->now_wall;
	arr = cJSON_CreateArray();
	used = (size_t)snprintf(
	    a.detail, sizeof(a.detail),
	    "%zu more nodes down within %llu s:", w->ngroup + w->group_more,
	    (unsigned long long)(w->f->alerts.group_window_ms / 1000));
	for (k = 0; k < w->ngroup; k++) {
		cJSON *one = cJSON_Parse(w->group[k]);
		const cJSON *node = cJSON_GetObjectItem(one, "node");

		if (used < sizeof(a.detail) && cJSON_IsString(node))
			used += (size_t)snprintf(a.detail + used,
						 sizeof(a.detail) - used, " %s",
						 node->valuestring);
		cJSON_AddItemToArray(arr, one);
		free(w->group[k]);
	}
	if (w->group_more > 0 && used < sizeof(a.detail))
		snprintf(a.detail + used, sizeof(a.detail) - used,
			 " and %zu more", w->group_more);
	w->ngroup = 0;
	w->group_more = 0;
	json = alert_json(w->f, &a);
	o = cJSON_Parse(json);
	free(json);
	cJSON_AddItemToObject(o, "alerts", arr);
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (json == NULL)
		abort(); /* cJSON only fails for want of memory */
	text = alert_text(w->f, &a);
	w->print(w->ctx, json, text, false);
	sinks_send(w->sinks, a.seq, json);
	wd_log(w, "events.log", json);
	free(json);
	free(text);
}

/* Number, stamp, print, deliver and record one alert. */
static void wd_emit(void *ctx, struct alert *a)
{
	struct watchdog *w = ctx;
	char *json, *text;
	bool quiet = false;

	a->seq = ++w->seq;
	a->time_ms = w->now_wall;
	if (a->node != ALERT_NODE_NONE && a->log_excerpt[0] == '\0')
		wd_excerpt(w, a->node, a->log_excerpt, sizeof(a->log_excerpt));
	/* A held node's news is shown, not alerted: no page, no bell; and
	 * its recovery from a down nobody was alerted to is news only. */
	if (a->node < w->f->nnodes) {
		struct wd_node *n = &w->n[a->node];

		quiet = n->maint || (a->kind == ALERT_UP && !n->down_alerted);
		if (n->maint) {
			size_t len = strlen(a->detail);

			snprintf(a->detail + len, sizeof(a->detail) - len,
				 "%s(%s: not paged)", len ? " " : "",
				 n->held_why);
		}
		if (!quiet &&
		    (a->kind == ALERT_DOWN || a->kind == ALERT_REMINDER))
			n->down_alerted = true;
		if (a->kind == ALERT_UP)
			n->down_alerted = false;
	}
	json = alert_json(w->f, a);
	text = alert_text(w->f, a);
	w->print(w->ctx, json, text, quiet);
	if (a->kind != ALERT_DOWN && a->kind != ALERT_UP)
		incidents_note(w->inc, a->node, text);
	if (w->act && !quiet)
		wd_page(w, a, json);
	wd_log(w, "events.log", json);
	if (a->kind >= ALERT_RESTART_ATTEMPT && a->kind <= ALERT_START_LIMIT &&
	    w->state_dir != NULL) {
		char msg[300];

		eventlog_audit(
		    w->state_dir, "auto-restart",
		    a->node < w->f->nnodes ? w->f->nodes[a->node].name : NULL,
		    alert_kind_name(a->kind), msg, sizeof(msg));
	}
	free(json);
	free(text);
}

static void wd_sink_report(void *ctx, const struct sink_report *r)
{
	struct watchdog *w = ctx;
	cJSON *o = cJSON_CreateObject();
	char *json, *text;

	cJSON_AddStringToObject(o, "kind", "sink");
	cJSON_AddNumberToObject(o, "seq", (double)r->seq);
	cJSON_AddStringToObject(o, "sink", r->sink);
	cJSON_AddBoolToObject(o, "ok", r->ok);
	cJSON_AddBoolToObject(o, "final", r->final);
	cJSON_AddNumberToObject(o, "attempt", r->attempt);
	cJSON_AddStringToObject(o, "message", r->message);
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (json == NULL)
		abort(); /* cJSON only fails for want of memory */
	text = xasprintf("alert %llu %s %s (attempt %d%s): %s",
			 (unsigned long long)r->seq,
			 r->ok ? "sent to" : "NOT sent to", r->sink, r->attempt,
			 r->ok || !r->final ? "" : ", giving up", r->message);
	w->print(w->ctx, json, text, false);
	wd_log(w, "events.log", json);
	free(json);
	free(text);
}

struct watchdog *watchdog_new(const struct fleet *f, struct monitor *m,
			      struct nodeacts *acts, struct logstreams *ls,
			      const char *state_dir, bool act,
			      watchdog_print_fn print, void *ctx)
{
	struct watchdog *w = xcalloc(1, sizeof(*w));
	size_t k;

	w->f = f;
	w->m = m;
	w->ls = ls;
	w->state_dir = state_dir ? xstrdup(state_dir) : NULL;
	w->holds_dir = state_dir ? xstrdup(state_dir) : NULL;
	w->print = print;
	w->ctx = ctx;
	w->act = act;
	w->ar = autorestart_new(f, m, acts, wd_emit, w);
	w->sinks = sinks_new(f, wd_sink_report, w);
	w->ring = (size_t)f->alerts.flap_changes + 1;
	w->n = xcalloc(f->nnodes + 1, sizeof(*w->n));
	w->debug_next = xcalloc(f->nnodes + 1, sizeof(*w->debug_next));
	w->recording = xcalloc(f->nnodes + 1, sizeof(*w->recording));
	for (k = 0; k < f->nnodes; k++)
		w->n[k].changes = xcalloc(w->ring, sizeof(int64_t));
	return w;
}

void watchdog_free(struct watchdog *w)
{
	size_t k;

	if (w == NULL)
		return;
	sinks_free(w->sinks);
	autorestart_free(w->ar);
	for (k = 0; k < w->ngroup; k++)
		free(w->group[k]);
	for (k = 0; k < w->f->nnodes; k++)
		free(w->n[k].changes);
	free(w->n);
	free(w->debug_next);
	free(w->recording);
	holds_free(&w->holds);
	free(w->state_dir);
	free(w->events_dir);
	free(w->holds_dir);
	free(w);
}

void watchdog_set_incidents(struct watchdog *w, struct incidents *inc)
{
	w->inc = inc;
}

void watchdog_set_events_dir(struct watchdog *w, const char *dir)
{
	free(w->events_dir);
	w->events_dir = dir ? xstrdup(dir) : NULL;
}

void watchdog_set_holds_dir(struct watchdog *w, const char *dir)
{
	free(w->holds_dir);
	w->holds_dir = dir ? xstrdup(dir) : NULL;
	w->holds_checked = 0;
}

void watchdog_on_event(struct watchdog *w, const struct monitor_event *e)
{
	if (w->nqueue < WATCHDOG_QUEUE)
		w->queue[w->nqueue++] = *e;
}

bool watchdog_idle(struct watchdog *w)
{
	/* At exit a group still waiting pages now rather than never. */
	w->now_mono = clock_mono_ms();
	w->now_wall = clock_now_ms();
	wd_group_flush(w, w->now_mono, true);
	return sinks_idle(w->sinks);
}

/* Changes of node k within the flap window, counting this one. */
static size_t wd_flap_count(struct watchdog *w, struct wd_node *n, int64_t now)
{
	size_t i, count = 0;

	n->changes[n->next] = now;
	n->next = (n->next + 1) % w->ring;
	if (n->nchanges < w->ring)
		n->nchanges++;
	for (i = 0; i < n->nchanges; i++)
		if (now - n->changes[i] <= (int64_t)w->f->alerts.flap_window_ms)
			count++;
	return count;
}

static void wd_transition(struct watchdog *w, const struct monitor_event *e,
			  int64_t now)
{
	struct wd_node *n = &w->n[e->node];
	struct alert a;
	size_t count = wd_flap_count(w, n, now);

	n->last_change = now;
	memset(&a, 0, sizeof(a));
	a.node = e->node;
	a.from = health_status_name(e->ev.from);
	a.to = health_status_name(e->ev.to);
	a.consecutive_failures = e->ev.consecutive_failures;
	{
		const struct health_node *h = monitor_node(w->m, e->node);

		a.http_code = h->last.http_code;
		snprintf(a.error, sizeof(a.error), "%s", h->last.error);
	}
	if (count > (size_t)w->f->alerts.flap_changes) {
		if (!n->flapping) {
			n->flapping = true;
			a.kind = ALERT_FLAPPING;
			snprintf(
			    a.detail, sizeof(a.detail),
			    "%zu changes within %llu s: flapping; no "
			    "alert per change until it settles",
			    count,
			    (unsigned long long)(w->f->alerts.flap_window_ms /
						 1000));
			wd_emit(w, &a);
		}
		return;
	}
	if (n->flapping)
		return;
	if (e->ev.to == HEALTH_DOWN) {
		a.kind = ALERT_DOWN;
		snprintf(a.detail, sizeof(a.detail), "%s", e->ev.cause);
		n->last_down_alert = now;
		wd_emit(w, &a);
	} else if (e->ev.to == HEALTH_UP && e->ev.from == HEALTH_DOWN) {
		a.kind = ALERT_UP;
		wd_emit(w, &a);
	}
}

/* Flapping settled; nodes still down reminded. */
static void wd_timers(struct watchdog *w, int64_t now)
{
	size_t k;

	for (k = 0; k < w->f->nnodes; k++) {
		struct wd_node *n = &w->n[k];
		const struct health_node *h = monitor_node(w->m, k);
		struct alert a;

		memset(&a, 0, sizeof(a));
		a.node = k;
		a.http_code = h->last.http_code;
		snprintf(a.error, sizeof(a.error), "%s", h->last.error);
		a.consecutive_failures = h->consecutive_failures;
		if (n->flapping && now - n->last_change >
				       (int64_t)w->f->alerts.flap_window_ms) {
			n->flapping = false;
			a.kind =
			    h->status == HEALTH_DOWN ? ALERT_DOWN : ALERT_UP;
			a.to = health_status_name(h->status);
			snprintf(a.detail, sizeof(a.detail),
				 "settled after flapping: %s",
				 health_status_name(h->status));
			n->last_down_alert = now;
			wd_emit(w, &a);
			continue;
		}
		if (!n->flapping && h->status == HEALTH_DOWN &&
		    w->f->alerts.remind_every_ms > 0 &&
		    now - n->last_down_alert >=
			(int64_t)w->f->alerts.remind_every_ms) {
			a.kind = ALERT_REMINDER;
			a.to = health_status_name(h->status);
			snprintf(a.detail, sizeof(a.detail),
				 "still down: %u failed checks in a row",
				 h->consecutive_failures);
			n->last_down_alert = now;
			wd_emit(w, &a);
		}
	}
}

/* Read holds.json again when it changed (at most twice a second). */
static void wd_holds_reload(struct watchdog *w, int64_t now)
{
	char *path, msg[300];
	struct stat st;
	struct holds h;
	size_t k;

	if (w->holds_dir == NULL ||
	    (w->holds_read && now - w->holds_checked < 500))
		return;
	w->holds_checked = now;
	path = xasprintf("%s/holds.json", w->holds_dir);
	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof(st));
	free(path);
	if (w->holds_read && st.st_mtim.tv_sec == w->holds_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == w->holds_mtime.tv_nsec)
		return;
	if (holds_load(w->holds_dir, &h, msg, sizeof(msg)) < 0) {
		wd_say_error(w, msg);
		w->holds_mtime = st.st_mtim;
		return;
	}
	for (k = 0; k < w->f->nnodes; k++) {
		int64_t at = holds_rearmed(&h, w->f->nodes[k].name);

		/* A re-arm made while this engine runs is acted on. */
		if (w->holds_read && at > w->n[k].rearm_seen)
			autorestart_rearm(w->ar, k);
		w->n[k].rearm_seen = at;
	}
	holds_free(&w->holds);
	w->holds = h;
	w->holds_mtime = st.st_mtim;
	w->holds_read = true;
}

/* Maintenance starts and ends (also by expiry). */
/* Node k is down and nobody was told: now they are (detail says why). */
static void wd_still_down(struct watchdog *w, size_t k, int64_t now,
			  const char *detail)
{
	const struct health_node *h = monitor_node(w->m, k);
	struct alert a;

	memset(&a, 0, sizeof(a));
	a.kind = ALERT_DOWN;
	a.node = k;
	a.to = health_status_name(h->status);
	a.http_code = h->last.http_code;
	snprintf(a.error, sizeof(a.error), "%s", h->last.error);
	a.consecutive_failures = h->consecutive_failures;
	snprintf(a.detail, sizeof(a.detail), "%s", detail);
	w->n[k].last_down_alert = now;
	wd_emit(w, &a);
}

/* How a hold is said in a held node's alerts. */
static void wd_held_why(const struct hold *hd, char *out, size_t size)
{
	const char *by = hd->kind == HOLD_PROCEDURE ? "held by " : "";
	size_t len = strlen(by);

	if (hd->kind == HOLD_MAINTENANCE) {
		snprintf(out, size, "in maintenance");
		return;
	}
	snprintf(out, size, "%s", by);
	if (len < size)
		holds_describe(hd, out + len, size - len);
}

/* Is id a procedure left open (its holds silence nothing)? */
static bool wd_orphaned(const struct watchdog *w, const char *id)
{
	size_t k;

	for (k = 0; k < w->norphans; k++)
		if (strcmp(w->orphan[k].id, id) == 0)
			return true;
	return false;
}

/* The hold in force on node now, but a left procedure's. */
static const struct hold *wd_hold(const struct watchdog *w, const char *node,
				  int64_t wall)
{
	size_t k;

	for (k = 0; k < w->holds.n; k++) {
		const struct hold *h = &w->holds.v[k];

		if (strcmp(h->node, node) == 0 &&
		    (h->until_ms == 0 || h->until_ms > wall) &&
		    !(h->kind == HOLD_PROCEDURE && wd_orphaned(w, h->id)))
			return h;
	}
	return NULL;
}

/*
 * Holds start and end (also by expiry). A hold that starts on a node with
 * an open incident is noted in it (who stopped it, and why). When one
 * ends and the node is still down, that is news: at once after a
 * maintenance or a procedure; after a console stop (ended by a start)
 * only if it is still down restart_grace later, the time a start takes.
 */
static void wd_maintenance(struct watchdog *w, int64_t now)
{
	int64_t wall = w->now_wall;
	size_t k;

	wd_holds_reload(w, now);
	for (k = 0; k < w->f->nnodes; k++) {
		const struct hold *hd = wd_hold(w, w->f->nodes[k].name, wall);
		struct wd_node *n = &w->n[k];

		if (hd != NULL && !n->maint) {
			char why[500], note[600];

			holds_describe(hd, why, sizeof(why));
			n->maint = true;
			n->held_kind = hd->kind;
			n->alert_if_down_at = 0;
			wd_held_why(hd, n->held_why, sizeof(n->held_why));
			autorestart_hold(w->ar, k, why);
			snprintf(note, sizeof(note), "held: %s", why);
			incidents_note(w->inc, k, note);
		} else if (hd == NULL && n->maint) {
			const struct hold *left =
			    holds_active(&w->holds, w->f->nodes[k].name, wall);
			char why[400];

			n->maint = false;
			/* A left procedure's hold pages, but still keeps
			 * auto-restart off: its operator, or whoever takes it
			 * over, decides how its nodes come back. */
			if (left != NULL)
				snprintf(why, sizeof(why),
					 "procedure %s was left open: resume, "
					 "roll back or abandon it",
					 left->id);
			autorestart_hold(w->ar, k, left != NULL ? why : NULL);
			if (monitor_node(w->m, k)->status != HEALTH_DOWN)
				continue;
			if (n->held_kind == HOLD_STOP)
				n->alert_if_down_at =
				    now +
				    (int64_t)w->f->health.restart_grace_ms;
			else
				wd_still_down(w, k, now,
					      n->held_kind == HOLD_MAINTENANCE
						  ? "maintenance ended and the "
						    "node is still down"
						  : "its hold ended and the "
						    "node is still down");
		} else if (hd == NULL && n->alert_if_down_at != 0 &&
			   now >= n->alert_if_down_at) {
			n->alert_if_down_at = 0;
			if (monitor_node(w->m, k)->status == HEALTH_DOWN)
				wd_still_down(w, k, now,
					      "started again after a stop and "
					      "still down");
		}
	}
}

/*
 * A node left in Nitro debug mode past [debug] alert_after is paged, and
 * again every alert_after while it stays so: its key no longer proves
 * which code runs. Looked at every 10 s.
 */
static void wd_ers(struct watchdog *w);

/* Since when (ISO 8601) and for how long, for people: "1h5m", not
 * milliseconds. */
static void wd_since_text(int64_t since, int64_t wall, char *iso,
			  size_t isosize, char *dur, size_t dursize)
{
	timefmt_iso8601(since, false, iso, isosize);
	duration_human(wall > since ? (uint64_t)(wall - since) : 0, dur,
		       dursize);
}

/* The console record's bound: 8 MiB, or BVOPS_CONSOLE_RECORD_MAX bytes
 * (for the tests). */
static size_t wd_record_max(void)
{
	const char *s = getenv("BVOPS_CONSOLE_RECORD_MAX");
	long v = s ? strtol(s, NULL, 10) : 0;

	return v > 0 ? (size_t)v : (size_t)8 << 20;
}

/*
 * From debug enter until debug exit, node k's enclave console is kept in
 * STATE/debug/NODE.console.log (what it printed before it died can be
 * read afterwards: bvops logs NODE --source console --since-debug). Each
 * recording starts with a line naming the procedure; a file past half its
 * bound is moved to .1 first.
 */
static void wd_debug_record(struct watchdog *w, const char *dir, size_t k,
			    bool on, int64_t since, const char *id)
{
	const char *name = w->f->nodes[k].name;
	char msg[400], when[40], *path, *line;
	struct stat st;
	int fd;

	if (w->ls == NULL || on == w->recording[k] ||
	    w->f->nodes[k].transport == FLEET_TRANSPORT_NONE)
		return;
	w->recording[k] = on;
	if (!on) {
		logstreams_record(w->ls, k, LOGSTREAM_CONSOLE, NULL, 0, msg,
				  sizeof(msg));
		logstreams_watch(w->ls, k, LOGSTREAM_CONSOLE, false);
		return;
	}
	path = marks_debug_record_path(dir, name);
	if (stat(path, &st) == 0 && (size_t)st.st_size > wd_record_max() / 2) {
		char *old = xasprintf("%s.1", path);

		if (rename(path, old) < 0)
			unlink(path);
		free(old);
	}
	timefmt_iso8601(since, false, when, sizeof(when));
	line = xasprintf("-- recording %s's console: debug mode since %s, "
			 "procedure %s --",
			 name, when, id);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd >= 0) {
		char stamp[40], *rec;

		timefmt_iso8601(clock_now_ms(), true, stamp, sizeof(stamp));
		rec = xasprintf("%s %s\n", stamp, line);
		(void)!write(fd, rec, strlen(rec));
		free(rec);
		close(fd);
	}
	free(line);
	if (logstreams_record(w->ls, k, LOGSTREAM_CONSOLE, path,
			      wd_record_max(), msg, sizeof(msg)) < 0)
		wd_say_error(w, msg);
	else
		logstreams_watch(w->ls, k, LOGSTREAM_CONSOLE, true);
	free(path);
}

/*
 * The shared state lost or found again, said once each way: while it
 * cannot be read, this host's view is all the watch judges by.
 */
static void wd_shared_said(struct watchdog *w, const struct shared_status *st)
{
	bool down = sharedstatus_unreachable(st);
	char line[900];
	cJSON *o;
	char *json;

	if (down == w->shared_down)
		return;
	w->shared_down = down;
	if (down)
		sharedstatus_describe(st, 0, w->now_wall, line, sizeof(line));
	else
		snprintf(line, sizeof(line),
			 "the shared state is read again: the fleet's view");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", "shared_state");
	cJSON_AddBoolToObject(o, "ok", !down);
	cJSON_AddStringToObject(o, "message", line);
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (json == NULL)
		abort(); /* cJSON only fails for want of memory */
	w->print(w->ctx, json, line, false);
	free(json);
}

/* Is id among the n found? */
static bool wd_orphan_still(const struct shareddoc_orphan *found, size_t n,
			    const char *id)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (strcmp(found[k].id, id) == 0)
			return true;
	return false;
}

/* How often a left procedure, or a debug mode, is reminded of. */
static int64_t wd_remind_ms(const struct watchdog *w)
{
	return w->f->alerts.remind_every_ms > 0
		   ? (int64_t)w->f->alerts.remind_every_ms
		   : (int64_t)w->f->debug.alert_after_ms;
}

/*
 * Procedures left open: the fleet's open procedures (this host's copy of
 * the shared state) whose lock ran out or was let go long ago, while
 * their nodes are held by them or down. Each is paged once, naming who
 * ran it, where it stood and which of its nodes are down, then reminded
 * of; while it is left its holds silence nothing. Not judged while the
 * shared state cannot be read (its lock may be alive).
 */
static void wd_orphans(struct watchdog *w, const char *dir)
{
	struct shareddoc_orphan found[WATCHDOG_ORPHANS];
	struct shared_status st;
	struct fleetlock_holder lock;
	char msg[300];
	cJSON *doc;
	size_t n, k, before = w->norphans;
	int64_t wall = w->now_wall;

	sharedstatus_read(dir, &st);
	wd_shared_said(w, &st);
	if (sharedstatus_unreachable(&st) || (st.shared && !st.have_lock))
		return;
	memset(&lock, 0, sizeof(lock));
	if (st.shared) {
		lock = st.lock;
	} else {
		char *path = xasprintf("%s/lock.json", dir);
		size_t len;
		char *text =
		    buf_read_whole(path, 65536, &len, msg, sizeof(msg));

		if (text != NULL)
			lockdoc_parse(text, &lock);
		free(text);
		free(path);
	}
	doc = shareddoc_load_files(dir, w->f->name, msg, sizeof(msg));
	if (doc == NULL)
		return;
	n = shareddoc_orphans(doc, &lock, wall, lockdoc_ttl_ms(), found,
			      WATCHDOG_ORPHANS);
	for (k = 0; k < n; k++) {
		struct shareddoc_orphan *o = &found[k];
		char down[300] = "", held[300] = "", when[40], where[200];
		size_t j, dl = 0, hl = 0, slot = SIZE_MAX;
		const cJSON *node;
		struct alert a;

		cJSON_ArrayForEach(node, o->nodes)
		{
			size_t i;

			for (i = 0; i < w->f->nnodes && cJSON_IsString(node);
			     i++) {
				const char *name = w->f->nodes[i].name;

				if (strcmp(name, node->valuestring) != 0)
					continue;
				if (monitor_node(w->m, i)->status ==
					HEALTH_DOWN &&
				    dl < sizeof(down))
					dl += (size_t)snprintf(
					    down + dl, sizeof(down) - dl,
					    "%s%s", dl ? ", " : "", name);
				if (holds_find(&w->holds, name, HOLD_PROCEDURE,
					       o->id, wall) != NULL &&
				    hl < sizeof(held))
					hl += (size_t)snprintf(
					    held + hl, sizeof(held) - hl,
					    "%s%s", hl ? ", " : "", name);
			}
		}
		if (down[0] == '\0' && held[0] == '\0')
			continue; /* it left nothing held or down */
		for (j = 0; j < before; j++)
			if (strcmp(w->orphan[j].id, o->id) == 0)
				slot = j;
		if (slot != SIZE_MAX) {
			if (wall < w->orphan[slot].next)
				continue;
			w->orphan[slot].next = wall + wd_remind_ms(w);
		} else if (w->norphans < WATCHDOG_ORPHANS) {
			slot = w->norphans++;
			snprintf(w->orphan[slot].id, sizeof(w->orphan[slot].id),
				 "%.199s", o->id);
			w->orphan[slot].next = wall + wd_remind_ms(w);
			w->holds_checked = 0; /* its holds lifted: at once */
		} else {
			continue;
		}
		timefmt_iso8601(o->lost_ms, false, when, sizeof(when));
		snprintf(where, sizeof(where), "%.31s%s%.120s", o->state,
			 o->step[0] ? " at step " : "", o->step);
		memset(&a, 0, sizeof(a));
		a.kind = ALERT_ORPHANED;
		a.node = ALERT_NODE_NONE;
		{
			/* Whole, then cut to the alert's size. */
			char *d = xasprintf(
			    "procedure %s (%s) by %s was left %s: its lock %s "
			    "%s; %s%s%s%s%s: bvops procedure resume | rollback "
			    "| abandon %s, from any host",
			    o->id, o->kind, o->owner, where,
			    o->expired ? "expired at" : "was let go by",
			    o->expired ? when : "then", down[0] ? "down: " : "",
			    down, down[0] && held[0] ? "; " : "",
			    held[0] ? "held by it: " : "", held, o->id);

			snprintf(a.detail, sizeof(a.detail), "%s", d);
			free(d);
		}
		wd_emit(w, &a);
	}
	/* Those no longer left (ended, taken over): their holds count
	 * again. */
	for (k = 0; k < w->norphans;) {
		if (!wd_orphan_still(found, n, w->orphan[k].id)) {
			w->orphan[k] = w->orphan[--w->norphans];
			w->holds_checked = 0;
		} else {
			k++;
		}
	}
	cJSON_Delete(doc);
}

static void wd_debug(struct watchdog *w, int64_t now)
{
	int64_t wall = w->now_wall, after;
	const char *dir = w->state_dir;
	size_t k;

	if (now - w->debug_checked < 10000)
		return;
	/* A console records only while no watch runs (the watch does). */
	if (dir == NULL && w->events_dir != NULL &&
	    !incidents_watch_running(w->events_dir))
		dir = w->events_dir;
	if (dir == NULL)
		return;
	w->debug_checked = now;
	if (w->state_dir != NULL) {
		wd_ers(w);
		wd_orphans(w, w->state_dir);
	}
	after = (int64_t)w->f->debug.alert_after_ms;
	for (k = 0; k < w->f->nnodes; k++) {
		char id[200], since_s[40], dur[32], whose[300] = "";
		struct marks_debug md;
		int64_t since, read_at;
		struct alert a;

		if (!marks_debug_read(dir, w->f->nodes[k].name, &md)) {
			wd_debug_record(w, dir, k, false, 0, "");
			/* The key policy is the witness: a debug mode bvops
			 * did not record is paged at once, then reminded. */
			if (w->state_dir == NULL ||
			    marks_witness_get(dir, w->f->nodes[k].name,
					      &read_at) != 1) {
				w->debug_next[k] = 0;
				continue;
			}
			if (w->debug_next[k] != 0 && wall < w->debug_next[k])
				continue;
			w->debug_next[k] = wall + after;
			memset(&a, 0, sizeof(a));
			a.kind = ALERT_DEBUG_MODE;
			a.node = k;
			timefmt_iso8601(read_at, false, since_s,
					sizeof(since_s));
			snprintf(a.detail, sizeof(a.detail),
				 "in Nitro debug mode, not recorded by bvops: "
				 "its key policy's PCR8 is 96 zeros (read at "
				 "%s): bvops debug exit %s",
				 since_s, w->f->nodes[k].name);
			wd_emit(w, &a);
			continue;
		}
		since = md.since_ms;
		snprintf(id, sizeof(id), "%s", md.procedure);
		if (md.owner[0] != '\0') {
			const char *at = strrchr(md.owner, '@');

			snprintf(
			    whose, sizeof(whose), "%.*s's session from %s, ",
			    at ? (int)(at - md.owner) : (int)strlen(md.owner),
			    md.owner, at ? at + 1 : "?");
		}
		wd_debug_record(w, dir, k, true, since, id);
		if (w->state_dir == NULL)
			continue; /* the console has its own banner */
		if (w->debug_next[k] == 0)
			w->debug_next[k] = since + after;
		if (wall < w->debug_next[k])
			continue;
		w->debug_next[k] = wall + after;
		memset(&a, 0, sizeof(a));
		a.kind = ALERT_DEBUG_MODE;
		a.node = k;
		wd_since_text(since, wall, since_s, sizeof(since_s), dur,
			      sizeof(dur));
		{
			char *d = xasprintf(
			    "in Nitro debug mode for %s (%ssince "
			    "%s, procedure %s): bvops debug "
			    "exit %s",
			    dur, whose, since_s, id, w->f->nodes[k].name);

			snprintf(a.detail, sizeof(a.detail), "%s", d);
			free(d);
		}
		wd_emit(w, &a);
	}
}

/*
 * The fleet left with the ERS configuration (ers.h) past [ers]
 * remind_after is reminded of, and again each time as long passes: ERS
 * is for a recovery, not for every day. Looked at with debug mode.
 */
static void wd_ers(struct watchdog *w)
{
	int64_t wall = w->now_wall, since, after;
	size_t n = marks_ers_count(w->state_dir, &since);
	char since_s[40], dur[32];
	struct alert a;

	after = (int64_t)w->f->ers.remind_after_ms;
	if (n == 0) {
		w->ers_next = 0;
		return;
	}
	if (w->ers_next == 0)
		w->ers_next = since + after;
	if (wall < w->ers_next)
		return;
	w->ers_next = wall + after;
	memset(&a, 0, sizeof(a));
	a.kind = ALERT_ERS_ACTIVE;
	a.node = ALERT_NODE_NONE;
	wd_since_text(since, wall, since_s, sizeof(since_s), dur, sizeof(dur));
	snprintf(a.detail, sizeof(a.detail),
		 "the ERS configuration has been on %zu of %zu nodes for %s "
		 "(since %s): bvops ers revert when the recovery is done",
		 n, w->f->nnodes, dur, since_s);
	wd_emit(w, &a);
}

void watchdog_step(struct watchdog *w)
{
	watchdog_step_at(w, clock_mono_ms(), clock_now_ms());
}

void watchdog_step_at(struct watchdog *w, int64_t now, int64_t wall)
{
	size_t k;

	w->now_mono = now;
	w->now_wall = wall;

	/* A transition is judged by the holds as they are now: a stop's
	 * hold is written just before the stop. */
	if (w->nqueue > 0)
		w->holds_checked = 0;
	wd_maintenance(w, now);
	wd_debug(w, now);
	for (k = 0; k < w->nqueue; k++) {
		const struct monitor_event *e = &w->queue[k];
		struct wd_node *n =
		    e->node < w->f->nnodes ? &w->n[e->node] : NULL;

		if (n == NULL)
			continue;
		if (e->ev.to == HEALTH_UP)
			n->alert_if_down_at = 0;
		/* A held node's down is not an outage: no incident opens
		 * for it (one open already is told of the change). */
		incidents_on_event(w->inc, e, n->maint ? n->held_why : NULL);
		wd_transition(w, e, now);
	}
	w->nqueue = 0;
	wd_timers(w, now);
	if (w->act) {
		autorestart_step(w->ar, now);
		wd_group_flush(w, now, false);
		sinks_step(w->sinks, now);
	}
}
