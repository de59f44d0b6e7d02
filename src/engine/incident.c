#include "engine/incident.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/health.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"
#include "state/statedir.h"

#define INC_CHECKS_MAX   2000
#define INC_TIMELINE_MAX 500
#define INC_WRITE_MS     2000 /* an open incident's file is this fresh */

struct inc_line {
	int64_t at_ms;
	enum logring_kind kind;
	char *text;
};

struct inc_note {
	int64_t at_ms;
	char *text;
};

/*
 * Journal lines, bounded by [incidents] max_lines: the first half is kept
 * as it came (the lines before and at the failure), the rest is a ring of
 * the newest (the recovery), and what fell between is counted.
 */
struct inc_lines {
	struct inc_line *v;
	size_t cap, head_cap; /* head_cap: the half kept as it came */
	size_t n;             /* lines held */
	size_t tail_start;    /* oldest of the ring part */
	uint64_t dropped;
};

struct inc {
	char id[200];
	int64_t first_fail_ms, down_ms, recovered_ms; /* wall clock */
	char cause[200];
	struct health_check *checks;
	size_t nchecks;
	uint64_t checks_dropped;
	int64_t last_check_ms;
	struct inc_note *notes;
	size_t nnotes;
	uint64_t notes_dropped;
	struct inc_lines lines;
	uint64_t next_seq;
	bool watching;    /* the journal stream was asked for for it */
	char stream[200]; /* how the journal lines were got */
	bool dirty;
	int64_t written_at; /* monotonic */
};

struct incidents {
	const struct fleet *f;
	struct monitor *m;
	struct logstreams *ls;
	char *dir; /* STATE/incidents */
	char *state_dir;
	bool defer;
	struct inc **open; /* per node, NULL when none */
	char error[300];   /* the last write failure, said once */
	char said[300];
};

static void inc_lines_push(struct inc_lines *l, int64_t at, enum logring_kind k,
			   const char *text)
{
	struct inc_line *slot;

	if (l->n < l->cap) {
		slot = &l->v[l->n++];
	} else {
		/* Full: the oldest of the ring part makes room. */
		size_t tail = l->cap - l->head_cap;

		if (tail == 0) {
			l->dropped++;
			return;
		}
		slot = &l->v[l->head_cap + l->tail_start];
		free(slot->text);
		l->tail_start = (l->tail_start + 1) % tail;
		l->dropped++;
	}
	slot->at_ms = at;
	slot->kind = k;
	slot->text = xstrdup(text);
}

/* Line i in time order (i < n). */
static const struct inc_line *inc_lines_at(const struct inc_lines *l, size_t i)
{
	size_t tail = l->cap - l->head_cap;

	if (i < l->head_cap || l->n < l->cap || tail == 0)
		return &l->v[i];
	return &l->v[l->head_cap + (i - l->head_cap + l->tail_start) % tail];
}

static void inc_free(struct inc *in)
{
	size_t k;

	if (in == NULL)
		return;
	for (k = 0; k < in->lines.n; k++)
		free(in->lines.v[k].text);
	free(in->lines.v);
	for (k = 0; k < in->nnotes; k++)
		free(in->notes[k].text);
	free(in->notes);
	free(in->checks);
	free(in);
}

static void inc_note_add(struct inc *in, int64_t at, const char *text)
{
	if (in->nnotes >= INC_TIMELINE_MAX) {
		in->notes_dropped++;
		return;
	}
	in->notes[in->nnotes].at_ms = at;
	in->notes[in->nnotes].text = xstrdup(text);
	in->nnotes++;
	in->dirty = true;
}

static void inc_check_add(struct inc *in, const struct health_check *c)
{
	if (in->nchecks >= INC_CHECKS_MAX) {
		/* The first half stays (the failure); the newest replace. */
		memmove(&in->checks[INC_CHECKS_MAX / 2],
			&in->checks[INC_CHECKS_MAX / 2 + 1],
			(INC_CHECKS_MAX / 2 - 1) * sizeof(*in->checks));
		in->nchecks--;
		in->checks_dropped++;
	}
	in->checks[in->nchecks++] = *c;
	in->last_check_ms = c->at_ms;
	in->dirty = true;
}

static const char *inc_kind_name(enum logring_kind k)
{
	return k == LOGRING_GAP      ? "gap"
	       : k == LOGRING_HEALTH ? "health"
				     : "line";
}

static void inc_add_time(cJSON *o, const char *key, int64_t ms)
{
	char when[40];

	if (ms == 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	timefmt_iso8601(ms, true, when, sizeof(when));
	cJSON_AddStringToObject(o, key, when);
}

static char *inc_json(const struct incidents *r, size_t node,
		      const struct inc *in, const char *status)
{
	const struct fleet_node *n = &r->f->nodes[node];
	cJSON *o = cJSON_CreateObject(), *a;
	char *s;
	size_t k;

	cJSON_AddStringToObject(o, "id", in->id);
	cJSON_AddStringToObject(o, "fleet", r->f->name);
	cJSON_AddStringToObject(o, "node", n->name);
	cJSON_AddNumberToObject(o, "index", (double)n->index);
	cJSON_AddStringToObject(o, "status", status);
	inc_add_time(o, "first_failure", in->first_fail_ms);
	inc_add_time(o, "down", in->down_ms);
	inc_add_time(o, "recovered", in->recovered_ms);
	inc_add_time(o, "written", clock_now_ms());
	cJSON_AddStringToObject(o, "cause", in->cause);
	cJSON_AddNumberToObject(o, "before_s",
				(double)r->f->incidents.before_ms / 1000.0);
	cJSON_AddNumberToObject(o, "after_s",
				(double)r->f->incidents.after_ms / 1000.0);
	a = cJSON_AddArrayToObject(o, "timeline");
	for (k = 0; k < in->nnotes; k++) {
		cJSON *e = cJSON_CreateObject();

		inc_add_time(e, "time", in->notes[k].at_ms);
		cJSON_AddStringToObject(e, "text", in->notes[k].text);
		cJSON_AddItemToArray(a, e);
	}
	cJSON_AddNumberToObject(o, "timeline_dropped",
				(double)in->notes_dropped);
	a = cJSON_AddArrayToObject(o, "checks");
	for (k = 0; k < in->nchecks; k++) {
		const struct health_check *c = &in->checks[k];
		cJSON *e = cJSON_CreateObject();

		inc_add_time(e, "time", c->at_ms);
		if (c->http_code != 0)
			cJSON_AddNumberToObject(e, "http_code", c->http_code);
		else
			cJSON_AddNullToObject(e, "http_code");
		if (c->latency_ms >= 0)
			cJSON_AddNumberToObject(
			    e, "latency_ms",
			    (double)(int64_t)(c->latency_ms * 1000) / 1000);
		else
			cJSON_AddNullToObject(e, "latency_ms");
		if (c->error[0])
			cJSON_AddStringToObject(e, "error", c->error);
		else
			cJSON_AddNullToObject(e, "error");
		cJSON_AddItemToArray(a, e);
	}
	cJSON_AddNumberToObject(o, "checks_dropped",
				(double)in->checks_dropped);
	cJSON_AddStringToObject(o, "journal_source", in->stream);
	a = cJSON_AddArrayToObject(o, "journal");
	for (k = 0; k < in->lines.n; k++) {
		const struct inc_line *l = inc_lines_at(&in->lines, k);
		cJSON *e = cJSON_CreateObject();

		inc_add_time(e, "time", l->at_ms);
		cJSON_AddStringToObject(e, "kind", inc_kind_name(l->kind));
		cJSON_AddStringToObject(e, "text", l->text);
		cJSON_AddItemToArray(a, e);
	}
	/* Where the lines not kept were: after the head half. */
	cJSON_AddNumberToObject(o, "journal_dropped",
				(double)in->lines.dropped);
	cJSON_AddNumberToObject(o, "journal_dropped_after",
				(double)in->lines.head_cap);
	s = cJSON_Print(o);
	cJSON_Delete(o);
	if (s == NULL)
		abort(); /* cJSON only fails for want of memory */
	return s;
}

/* Whole file, then rename: a reader never sees half a record. */
static void inc_write(struct incidents *r, size_t node, struct inc *in,
		      const char *status)
{
	char *json = inc_json(r, node, in, status);
	char *path = xasprintf("%s/%s.json", r->dir, in->id);
	char *tmp = xasprintf("%s/.%s.json.tmp", r->dir, in->id);

	(void)mkdir(r->dir, 0700);
	unlink(tmp); /* a leftover, or a planted link: made anew */
	if (buf_write_file(tmp, json, strlen(json), true, r->error,
			   sizeof(r->error)) < 0)
		unlink(tmp);
	else if (rename(tmp, path) < 0) {
		snprintf(r->error, sizeof(r->error), "%s: %s", path,
			 strerror(errno));
		unlink(tmp);
	}
	in->dirty = false;
	in->written_at = clock_mono_ms();
	free(json);
	free(path);
	free(tmp);
}

bool incidents_watch_running(const char *state_dir)
{
	char *path = xasprintf("%s/watch.lock", state_dir);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	bool held = false;

	free(path);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		held = errno == EWOULDBLOCK;
	close(fd);
	return held;
}

int incidents_watch_lock(const char *state_dir)
{
	char *path = xasprintf("%s/watch.lock", state_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	free(path);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

struct incidents *incidents_new(const struct fleet *f, struct monitor *m,
				struct logstreams *ls, const char *state_dir,
				bool defer_to_watch)
{
	struct incidents *r = xcalloc(1, sizeof(*r));

	r->f = f;
	r->m = m;
	r->ls = ls;
	r->state_dir = xstrdup(state_dir);
	r->dir = statedir_file(state_dir, "incidents", NULL, NULL);
	r->defer = defer_to_watch;
	r->open = xcalloc(f->nnodes + 1, sizeof(struct inc *));
	return r;
}

static void inc_close(struct incidents *r, size_t node, const char *status)
{
	struct inc *in = r->open[node];

	inc_write(r, node, in, status);
	if (in->watching && r->ls != NULL)
		logstreams_watch(r->ls, node, LOGSTREAM_JOURNAL, false);
	inc_free(in);
	r->open[node] = NULL;
}

void incidents_free(struct incidents *r)
{
	size_t k;

	if (r == NULL)
		return;
	for (k = 0; k < r->f->nnodes; k++)
		if (r->open[k] != NULL)
			inc_close(r, k, "recording stopped");
	free(r->open);
	free(r->dir);
	free(r->state_dir);
	free(r);
}

/* The wall time of the first failed check of the run that ends now. */
static int64_t inc_first_failure(const struct health_node *h, int64_t fallback)
{
	int64_t first = fallback;
	size_t i;

	for (i = 0; i < HEALTH_HISTORY; i++) {
		const struct health_check *c = health_node_recent(h, i);

		if (c == NULL || health_check_ok(c))
			break;
		first = c->at_ms;
	}
	return first;
}

static void inc_open(struct incidents *r, size_t node,
		     const struct monitor_event *e)
{
	const struct fleet_node *fn = &r->f->nodes[node];
	const struct health_node *h = monitor_node(r->m, node);
	int64_t cutoff;
	struct inc *in = xcalloc(1, sizeof(*in));
	char when[40];
	struct stat st;
	size_t i;
	int k;

	in->down_ms = e->ev.at_ms ? e->ev.at_ms : clock_now_ms();
	in->first_fail_ms = inc_first_failure(h, in->down_ms);
	snprintf(in->cause, sizeof(in->cause), "%s", e->ev.cause);
	cutoff = in->first_fail_ms - (int64_t)r->f->incidents.before_ms;
	{
		time_t t = (time_t)(in->first_fail_ms / 1000);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	}
	snprintf(in->id, sizeof(in->id), "%s-%s", fn->name, when);
	/* Another record of that second (a second bvops): its own name. */
	for (k = 2; k < 100; k++) {
		char *path = xasprintf("%s/%s.json", r->dir, in->id);
		bool taken = stat(path, &st) == 0;

		free(path);
		if (!taken)
			break;
		snprintf(in->id, sizeof(in->id), "%s-%s-%d", fn->name, when, k);
	}
	in->checks = xcalloc(INC_CHECKS_MAX, sizeof(*in->checks));
	in->notes = xcalloc(INC_TIMELINE_MAX, sizeof(*in->notes));
	in->lines.cap = (size_t)r->f->incidents.max_lines;
	in->lines.head_cap = in->lines.cap / 2;
	in->lines.v = xcalloc(in->lines.cap, sizeof(*in->lines.v));
	/* The checks from the window before, oldest first. */
	for (i = HEALTH_HISTORY; i-- > 0;) {
		const struct health_check *c = health_node_recent(h, i);

		if (c != NULL && c->at_ms >= cutoff)
			inc_check_add(in, c);
	}
	snprintf(when, sizeof(when), "%s -> %s", health_status_name(e->ev.from),
		 health_status_name(e->ev.to));
	{
		char *text = xasprintf("%s: %s", when, e->ev.cause);

		inc_note_add(in, in->down_ms, text);
		free(text);
	}
	snprintf(in->stream, sizeof(in->stream), "no journal stream");
	if (r->ls != NULL && fn->transport != FLEET_TRANSPORT_NONE) {
		struct logstream_view v;
		uint64_t seq;

		logstreams_lock(r->ls);
		v = logstreams_view(r->ls, node, LOGSTREAM_JOURNAL);
		seq = v.ring ? logring_first(v.ring) : 0;
		while (v.ring != NULL && seq < v.ring->total) {
			const struct logring_line *l = logring_at(v.ring, seq);

			if (l != NULL && l->at_ms >= cutoff)
				break;
			seq++;
		}
		in->next_seq = seq;
		if (v.state == LOGSTREAM_IDLE || v.state == LOGSTREAM_STOPPED)
			snprintf(in->stream, sizeof(in->stream),
				 "journal stream started for this incident: "
				 "lines before it are what the journal "
				 "command printed when it started");
		else
			snprintf(in->stream, sizeof(in->stream),
				 "journal stream already running");
		logstreams_unlock(r->ls);
		logstreams_watch(r->ls, node, LOGSTREAM_JOURNAL, true);
		in->watching = true;
	}
	r->open[node] = in;
	inc_write(r, node, in, "open");
}

void incidents_on_event(struct incidents *r, const struct monitor_event *e,
			const char *held)
{
	struct inc *in;

	if (r == NULL || e->node >= r->f->nnodes)
		return;
	in = r->open[e->node];
	if (in == NULL) {
		if (e->ev.to == HEALTH_DOWN && held == NULL &&
		    !(r->defer && incidents_watch_running(r->state_dir)))
			inc_open(r, e->node, e);
		return;
	}
	{
		char *text = xasprintf(
		    "%s -> %s%s%s%s%s%s", health_status_name(e->ev.from),
		    health_status_name(e->ev.to), e->ev.cause[0] ? ": " : "",
		    e->ev.cause, held ? " (" : "", held ? held : "",
		    held ? ")" : "");
		int64_t at = e->ev.at_ms ? e->ev.at_ms : clock_now_ms();

		inc_note_add(in, at, text);
		free(text);
		if (e->ev.to == HEALTH_UP)
			in->recovered_ms = at;
		else if (e->ev.to == HEALTH_DOWN)
			in->recovered_ms = 0; /* down again: same incident */
	}
}

void incidents_note(struct incidents *r, size_t node, const char *text)
{
	if (r != NULL && node < r->f->nnodes && r->open[node] != NULL)
		inc_note_add(r->open[node], clock_now_ms(), text);
}

/* New checks and journal lines of node's open incident. */
static void inc_collect(struct incidents *r, size_t node, struct inc *in)
{
	const struct health_node *h = monitor_node(r->m, node);
	size_t i, newer = 0;

	while (newer < HEALTH_HISTORY) {
		const struct health_check *c = health_node_recent(h, newer);

		if (c == NULL || c->at_ms <= in->last_check_ms)
			break;
		newer++;
	}
	for (i = newer; i-- > 0;)
		inc_check_add(in, health_node_recent(h, i));
	if (in->watching) {
		struct logstream_view v;
		uint64_t first;

		logstreams_lock(r->ls);
		v = logstreams_view(r->ls, node, LOGSTREAM_JOURNAL);
		first = v.ring ? logring_first(v.ring) : 0;
		if (v.ring != NULL && in->next_seq < first) {
			in->lines.dropped += first - in->next_seq;
			in->next_seq = first;
		}
		for (; v.ring != NULL && in->next_seq < v.ring->total;
		     in->next_seq++) {
			const struct logring_line *l =
			    logring_at(v.ring, in->next_seq);

			if (l != NULL)
				inc_lines_push(&in->lines, l->at_ms, l->kind,
					       l->text);
			in->dirty = true;
		}
		logstreams_unlock(r->ls);
	}
}

void incidents_step(struct incidents *r)
{
	int64_t wall = clock_now_ms(), mono = clock_mono_ms();
	size_t k;

	for (k = 0; k < r->f->nnodes; k++) {
		struct inc *in = r->open[k];

		if (in == NULL)
			continue;
		inc_collect(r, k, in);
		if (in->recovered_ms != 0 &&
		    wall - in->recovered_ms >=
			(int64_t)r->f->incidents.after_ms) {
			inc_close(r, k, "closed");
			continue;
		}
		if (in->dirty && mono - in->written_at >= INC_WRITE_MS)
			inc_write(r, k, in, "open");
	}
}

const char *incidents_error(struct incidents *r)
{
	if (strcmp(r->error, r->said) == 0)
		return "";
	snprintf(r->said, sizeof(r->said), "%s", r->error);
	return r->said;
}
