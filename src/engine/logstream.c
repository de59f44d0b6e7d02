#include "engine/logstream.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/timefmt.h"
#include "lib/xalloc.h"

/* Back-off between reconnections: 1 s doubling to 30 s. It starts over
 * only after a connection that lasted LOGSTREAM_HEALTHY_MS: a command
 * that says one line and exits (nitro-cli's E44 when the enclave was not
 * started in debug mode) is retried ever less often, not every second. */
#define LOGSTREAM_RETRY_FIRST_MS 1000
#define LOGSTREAM_RETRY_MAX_MS   30000
#define LOGSTREAM_HEALTHY_MS     10000

/*
 * What one step reads: a flood on many streams must leave the engine
 * thread its turns (health checks, alerts, restarts), so a step reads at
 * most this much in all, at most a slice of it per stream, and the next
 * step starts where this one stopped (every stream gets its turn).
 */
#define LOGSTREAM_STEP_BUDGET   ((size_t)512 << 10)
#define LOGSTREAM_STREAM_BUDGET ((size_t)64 << 10)
/* Streams are read when their descriptor is ready; every stream is also
 * read this often, for what readiness does not show (ssh timers). */
#define LOGSTREAM_SWEEP_MS 500
/* Streams started per step: a thousand commands starting at once must
 * not hold the engine for the time they take. */
#define LOGSTREAM_STARTS_PER_STEP 32
/* Ready descriptors taken from epoll per step; more wait for the next. */
#define LOGSTREAM_EVENTS 256
/* The epoll tag of the kick descriptor (the others are stream indexes). */
#define LOGSTREAM_KICK_TAG UINT64_MAX

struct logstream {
	struct logring ring;
	struct transport_stream *ts; /* NULL while not running */
	enum logstream_state state;
	unsigned watchers;
	int64_t last_line_ms;
	int64_t retry_at_ms;
	int64_t retry_ms;     /* the next back-off */
	bool had_lines;       /* this connection said something */
	int64_t started_ms;   /* when this connection started */
	bool ready;           /* its descriptor said so: read it */
	bool queued;          /* in the todo list */
	size_t step_bytes;    /* read in this step */
	bool ever_ran;        /* a reconnection is a gap */
	char *passphrase_key; /* stopped for want of its passphrase */
	int record_fd;        /* logstreams_record's file, or -1 */
	size_t record_bytes, record_max;
	int fd; /* registered in epfd, or -1 */
	short events;
	char error[512];
};

struct logstreams {
	const struct fleet *fleet;
	struct transport *transport;
	struct logstream *s; /* nnodes * LOGSTREAM_NSRC */
	size_t n;
	int epfd;
	int kick;   /* eventfd in epfd: "step again now" */
	int notify; /* eventfd for readers: something changed */
	/*
	 * A step looks only at the streams in todo (ready, or left with
	 * more to read), unless it is a full pass over every stream: every
	 * LOGSTREAM_SWEEP_MS, when a watcher came or went, when a retry is
	 * due, when starts were put off. A thousand quiet streams cost
	 * nothing between their lines.
	 */
	size_t *todo, ntodo;
	size_t *more, nmore; /* scratch: left with more to read */
	size_t next;         /* the stream a full pass reads first */
	bool full_next;
	int64_t next_sweep_ms;
	int64_t retry_due_ms; /* the soonest reconnection */
	pthread_mutex_t lock; /* guards everything below fleet */
	uint64_t version;
	char *pass_key, *pass; /* given by the operator, not yet used */
};

static void logstream_wipe(char *s);

static const enum fleet_cmd logstream_cmd[LOGSTREAM_NSRC] = {
    [LOGSTREAM_JOURNAL] = FLEET_CMD_JOURNAL,
    [LOGSTREAM_CONSOLE] = FLEET_CMD_CONSOLE,
};

const char *logstream_source_name(enum logstream_source src)
{
	return src == LOGSTREAM_CONSOLE ? "console" : "journal";
}

struct logstreams *logstreams_new(const struct fleet *f, struct transport *t,
				  size_t scrollback)
{
	struct logstreams *ls = xcalloc(1, sizeof(*ls));
	size_t k;

	ls->fleet = f;
	ls->transport = t;
	ls->n = f->nnodes * LOGSTREAM_NSRC;
	ls->s = xcalloc(ls->n ? ls->n : 1, sizeof(*ls->s));
	ls->todo = xcalloc(ls->n + 1, sizeof(*ls->todo));
	ls->more = xcalloc(ls->n + 1, sizeof(*ls->more));
	ls->retry_due_ms = INT64_MAX;
	for (k = 0; k < ls->n; k++) {
		logring_init(&ls->s[k].ring, scrollback, 0);
		ls->s[k].fd = -1;
		ls->s[k].record_fd = -1;
	}
	ls->epfd = epoll_create1(EPOLL_CLOEXEC);
	ls->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ls->notify = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	{
		struct epoll_event ev = {.events = EPOLLIN,
					 .data.u64 = LOGSTREAM_KICK_TAG};

		epoll_ctl(ls->epfd, EPOLL_CTL_ADD, ls->kick, &ev);
	}
	pthread_mutex_init(&ls->lock, NULL);
	return ls;
}

void logstreams_free(struct logstreams *ls)
{
	size_t k;

	if (ls == NULL)
		return;
	/* Every command told at once: the grace periods run together. */
	for (k = 0; k < ls->n; k++)
		transport_stream_stop(ls->s[k].ts);
	for (k = 0; k < ls->n; k++) {
		transport_stream_close(ls->s[k].ts);
		logring_free(&ls->s[k].ring);
		free(ls->s[k].passphrase_key);
		if (ls->s[k].record_fd >= 0)
			close(ls->s[k].record_fd);
	}
	logstream_wipe(ls->pass);
	free(ls->pass_key);
	if (ls->epfd >= 0)
		close(ls->epfd);
	if (ls->kick >= 0)
		close(ls->kick);
	if (ls->notify >= 0)
		close(ls->notify);
	pthread_mutex_destroy(&ls->lock);
	free(ls->todo);
	free(ls->more);
	free(ls->s);
	free(ls);
}

static void logstream_wipe(char *s)
{
	if (s != NULL) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

void logstreams_passphrase(struct logstreams *ls, const char *key_path,
			   const char *passphrase)
{
	pthread_mutex_lock(&ls->lock);
	logstream_wipe(ls->pass);
	free(ls->pass_key);
	ls->pass_key = xstrdup(key_path);
	ls->pass = xstrdup(passphrase);
	pthread_mutex_unlock(&ls->lock);
}

int logstreams_notify_fd(const struct logstreams *ls)
{
	return ls->notify;
}

/* Wake a sleeping reader (called with the lock held or not). */
static void logstream_notify(struct logstreams *ls)
{
	uint64_t one = 1;

	if (ls->notify >= 0 && write(ls->notify, &one, sizeof(one)) < 0)
		one = 0; /* the counter is full: the reader is awake anyway */
}

int logstreams_fd(const struct logstreams *ls)
{
	return ls->epfd;
}

/* transport_line_fn: into the ring (the caller holds the lock). */
/* One line into the stream's record, if it keeps one (bounded). */
static void logstream_record_line(struct logstream *s, const char *line,
				  size_t len)
{
	char when[40], *rec;
	size_t n;

	if (s->record_fd < 0)
		return;
	timefmt_iso8601(clock_now_ms(), true, when, sizeof(when));
	rec = xasprintf("%s %.*s\n", when, (int)len, line);
	n = strlen(rec);
	if (s->record_bytes + n > s->record_max) {
		free(rec);
		rec = xasprintf("%s -- the record is full (%zu bytes): later "
				"lines were not kept --\n",
				when, s->record_max);
		n = strlen(rec);
		(void)!write(s->record_fd, rec, n);
		close(s->record_fd);
		s->record_fd = -1;
	} else if (write(s->record_fd, rec, n) == (ssize_t)n) {
		s->record_bytes += n;
	}
	free(rec);
}

static void logstream_on_line(void *ctx, const char *line, size_t len, bool cut)
{
	struct logstream *s = ctx;

	logstream_record_line(s, line, len);
	logring_push(&s->ring, clock_now_ms(), LOGRING_LINE, line, len, cut);
	s->last_line_ms = clock_mono_ms();
	s->had_lines = true;
	s->step_bytes += len + 1;
}

static void logstream_note(struct logstream *s, enum logring_kind kind,
			   const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void logstream_note(struct logstream *s, enum logring_kind kind,
			   const char *fmt, ...)
{
	char text[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	logring_push(&s->ring, clock_now_ms(), kind, text, strlen(text), false);
}

static void logstream_start(struct logstreams *ls, size_t k, int64_t now)
{
	struct logstream *s = &ls->s[k];
	const struct fleet_node *n = &ls->fleet->nodes[k / LOGSTREAM_NSRC];
	enum logstream_source src = (enum logstream_source)(k % LOGSTREAM_NSRC);
	char msg[512];

	s->ts = transport_stream_open(ls->transport, n, logstream_cmd[src], msg,
				      sizeof(msg));
	if (s->ts == NULL) {
		/* No transport, no such command: retrying will not help. */
		snprintf(s->error, sizeof(s->error), "%s", msg);
		s->state = LOGSTREAM_STOPPED;
		logstream_note(s, LOGRING_GAP, "-- %s --", msg);
		return;
	}
	if (s->ever_ran)
		logstream_note(s, LOGRING_GAP,
			       "-- %s %s reconnected; lines may be missing --",
			       n->name, logstream_source_name(src));
	s->ever_ran = true;
	s->had_lines = false;
	s->started_ms = now;
	s->ready = true; /* a local command may have said something already */
	s->state = LOGSTREAM_CONNECTING;
	s->last_line_ms = s->last_line_ms ? s->last_line_ms : now;
}

/* The stream ended or failed: close it and plan the next try. */
static void logstream_ended(struct logstreams *ls, size_t k, int rc,
			    int64_t now)
{
	struct logstream *s = &ls->s[k];
	const struct fleet_node *n = &ls->fleet->nodes[k / LOGSTREAM_NSRC];
	enum logstream_source src = (enum logstream_source)(k % LOGSTREAM_NSRC);
	bool permanent = rc < 0 && transport_stream_permanent(s->ts);
	int status;

	if (rc < 0)
		snprintf(s->error, sizeof(s->error), "%s",
			 transport_stream_error(s->ts));
	free(s->passphrase_key);
	s->passphrase_key = NULL;
	if (rc < 0 && transport_stream_passphrase_key(s->ts) != NULL)
		s->passphrase_key =
		    xstrdup(transport_stream_passphrase_key(s->ts));
	status = transport_stream_close(s->ts);
	s->ts = NULL;
	if (rc >= 0)
		snprintf(s->error, sizeof(s->error), "%s %s ended (exit %d)",
			 n->name, logstream_source_name(src), status);
	/* A connection that worked a while starts the back-off over. */
	if (s->had_lines && now - s->started_ms >= LOGSTREAM_HEALTHY_MS)
		s->retry_ms = LOGSTREAM_RETRY_FIRST_MS;
	if (permanent) {
		s->state = LOGSTREAM_STOPPED;
		logstream_note(s, LOGRING_GAP, "-- %s; not retrying --",
			       s->error);
		return;
	}
	s->state = LOGSTREAM_WAITING;
	s->retry_at_ms = now + s->retry_ms;
	logstream_note(s, LOGRING_GAP, "-- %s; retrying in %lld s%s --",
		       s->error, (long long)(s->retry_ms + 999) / 1000,
		       s->retry_ms > LOGSTREAM_RETRY_FIRST_MS
			   ? " (it keeps ending at once: each wait doubles, "
			     "up to 30 s)"
			   : "");
	s->retry_ms = s->retry_ms * 2 > LOGSTREAM_RETRY_MAX_MS
			  ? LOGSTREAM_RETRY_MAX_MS
			  : s->retry_ms * 2;
}

/* Keep the epoll set to what each running stream waits for. */
static void logstream_sync_fd(struct logstreams *ls, struct logstream *s)
{
	short events = 0;
	int fd = s->ts != NULL ? transport_stream_poll(s->ts, &events) : -1;
	struct epoll_event ev = {0};

	if (fd == s->fd && events == s->events)
		return;
	/* Two ssh streams of a node share one socket: only one of them
	 * registers it, the step reads both anyway. */
	if (s->fd >= 0) {
		size_t k;

		epoll_ctl(ls->epfd, EPOLL_CTL_DEL, s->fd, NULL);
		for (k = 0; k < ls->n; k++)
			if (&ls->s[k] != s && ls->s[k].fd == s->fd)
				ls->s[k].fd = -1; /* re-added on its turn */
	}
	s->fd = -1;
	s->events = 0;
	if (fd < 0)
		return;
	ev.events = ((events & POLLIN) ? EPOLLIN : 0) |
		    ((events & POLLOUT) ? EPOLLOUT : 0);
	ev.data.u64 = (uint64_t)(s - ls->s);
	if (epoll_ctl(ls->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ||
	    (errno == EEXIST &&
	     epoll_ctl(ls->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)) {
		s->fd = fd;
		s->events = events;
	}
}

/* Ask the engine for another step at once (any thread). */
static void logstream_kick(struct logstreams *ls)
{
	uint64_t one = 1;

	if (write(ls->kick, &one, sizeof(one)) < 0)
		one = 0; /* the counter is full: kicked already */
}

/* Put stream k on the todo list (once). */
static void logstream_queue(struct logstreams *ls, size_t k)
{
	if (!ls->s[k].queued) {
		ls->s[k].queued = true;
		ls->todo[ls->ntodo++] = k;
	}
}

/* Queue the streams whose descriptors are ready (the node's sibling
 * streams too: two ssh streams of a node share one socket). Returns true
 * when more may be ready than one call takes. */
static bool logstream_take_ready(struct logstreams *ls)
{
	struct epoll_event evs[LOGSTREAM_EVENTS];
	uint64_t drain;
	int n = epoll_wait(ls->epfd, evs, LOGSTREAM_EVENTS, 0), i;

	for (i = 0; i < n; i++) {
		uint64_t k = evs[i].data.u64;
		size_t first, src;

		if (k == LOGSTREAM_KICK_TAG) {
			if (read(ls->kick, &drain, sizeof(drain)) < 0)
				drain = 0; /* drained already */
			continue;
		}
		if (k >= ls->n)
			continue;
		first = (size_t)k - (size_t)k % LOGSTREAM_NSRC;
		for (src = 0; src < LOGSTREAM_NSRC; src++) {
			ls->s[first + src].ready = true;
			logstream_queue(ls, first + src);
		}
	}
	return n == LOGSTREAM_EVENTS;
}

/* What one stream's turn left: nothing, more to read, or its read put
 * off because the step's budget was spent. */
enum logstream_turn {
	LOGSTREAM_TURN_DONE,
	LOGSTREAM_TURN_MORE,
	LOGSTREAM_TURN_PUT_OFF
};

/* What a step may still do: bytes to read, streams to start. */
struct logstream_allowance {
	size_t bytes;
	unsigned starts;
};

/* Start, read or stop stream k. */
static enum logstream_turn logstream_step_one(struct logstreams *ls, size_t k,
					      int64_t now, bool sweep,
					      struct logstream_allowance *al)
{
	struct logstream *s = &ls->s[k];
	uint64_t before = s->ring.total;
	enum logstream_state was = s->state;
	enum logstream_turn turn = LOGSTREAM_TURN_DONE;

	if (s->watchers == 0) {
		if (s->ts != NULL) {
			transport_stream_close(s->ts);
			s->ts = NULL;
		}
		s->state = LOGSTREAM_IDLE;
		s->ready = false;
	} else if (s->ts == NULL &&
		   (s->state == LOGSTREAM_IDLE ||
		    (s->state == LOGSTREAM_WAITING && now >= s->retry_at_ms))) {
		if (al->starts == 0) {
			ls->full_next = true; /* its start comes next pass */
		} else {
			al->starts--;
			logstream_start(ls, k, now);
		}
	}
	if (s->ts != NULL &&
	    (s->ready || sweep || transport_stream_pending(s->ts))) {
		if (al->bytes == 0) {
			turn = LOGSTREAM_TURN_PUT_OFF;
		} else {
			size_t most = al->bytes < LOGSTREAM_STREAM_BUDGET
					  ? al->bytes
					  : LOGSTREAM_STREAM_BUDGET;
			int rc;

			s->step_bytes = 0;
			s->ready = false;
			rc = transport_stream_read_max(s->ts, logstream_on_line,
						       s, most);
			al->bytes -= s->step_bytes < al->bytes ? s->step_bytes
							       : al->bytes;
			if (rc == 0 && s->state == LOGSTREAM_CONNECTING &&
			    transport_stream_running(s->ts))
				s->state = LOGSTREAM_LIVE;
			if (rc == 0 && transport_stream_pending(s->ts))
				turn = LOGSTREAM_TURN_MORE;
			if (rc != 0)
				logstream_ended(ls, k, rc, now);
		}
	}
	if (s->watchers > 0 && s->ts == NULL && s->state == LOGSTREAM_WAITING &&
	    s->retry_at_ms < ls->retry_due_ms)
		ls->retry_due_ms = s->retry_at_ms;
	logstream_sync_fd(ls, s);
	if (s->ring.total != before || s->state != was)
		ls->version++;
	return turn;
}

/* The passphrase the operator gave, to the transport (engine thread). */
static void logstream_hand_passphrase(struct logstreams *ls)
{
	size_t i;

	/* The transport is the engine's: hand the passphrase over here,
	 * and let the streams that waited for it try again. */
	transport_set_passphrase(ls->transport, ls->pass_key, ls->pass);
	for (i = 0; i < ls->n; i++)
		if (ls->s[i].state == LOGSTREAM_STOPPED &&
		    ls->s[i].passphrase_key != NULL) {
			ls->s[i].state = LOGSTREAM_IDLE;
			free(ls->s[i].passphrase_key);
			ls->s[i].passphrase_key = NULL;
		}
	logstream_wipe(ls->pass);
	ls->pass = NULL;
	free(ls->pass_key);
	ls->pass_key = NULL;
	ls->full_next = true;
}

void logstreams_step(struct logstreams *ls)
{
	struct logstream_allowance al = {LOGSTREAM_STEP_BUDGET,
					 LOGSTREAM_STARTS_PER_STEP};
	int64_t now = clock_mono_ms();
	uint64_t version_before;
	size_t i, nlist, put_off = SIZE_MAX, noff = 0;
	bool again, sweep, full;

	pthread_mutex_lock(&ls->lock);
	again = logstream_take_ready(ls);
	sweep = now >= ls->next_sweep_ms;
	if (sweep)
		ls->next_sweep_ms = now + LOGSTREAM_SWEEP_MS;
	version_before = ls->version;
	if (ls->pass != NULL)
		logstream_hand_passphrase(ls);
	full = sweep || ls->full_next || now >= ls->retry_due_ms;
	ls->full_next = false;
	if (full)
		ls->retry_due_ms = INT64_MAX; /* found again on the way */
	transport_step(ls->transport);
	/*
	 * A full pass rounds the ring from where the last one ran out of
	 * budget; otherwise the todo list, whose head is what the last step
	 * put off. Either way the streams put off come first next time,
	 * then those left with more: every flooding stream gets its turn.
	 */
	nlist = full ? ls->n : ls->ntodo;
	ls->nmore = 0;
	for (i = 0; i < nlist; i++) {
		size_t k = full ? (ls->next + i) % ls->n : ls->todo[i];
		enum logstream_turn t;

		ls->s[k].queued = false;
		t = logstream_step_one(ls, k, now, sweep, &al);
		if (t == LOGSTREAM_TURN_PUT_OFF) {
			/* noff <= i: the list is rewritten behind the reader */
			if (put_off == SIZE_MAX)
				put_off = k;
			ls->todo[noff++] = k;
			ls->s[k].queued = true;
		} else if (t == LOGSTREAM_TURN_MORE) {
			ls->more[ls->nmore++] = k;
		}
	}
	if (full && put_off != SIZE_MAX)
		ls->next = put_off;
	ls->ntodo = noff;
	for (i = 0; i < ls->nmore; i++)
		logstream_queue(ls, ls->more[i]);
	again = again || ls->ntodo > 0 || ls->full_next;
	if (ls->version != version_before)
		logstream_notify(ls);
	pthread_mutex_unlock(&ls->lock);
	if (again)
		logstream_kick(ls);
}

int logstreams_record(struct logstreams *ls, size_t node,
		      enum logstream_source src, const char *path, size_t max,
		      char *msg, size_t msgsize)
{
	struct logstream *s;
	struct stat st;
	int fd = -1;

	if (node >= ls->fleet->nnodes)
		return -1;
	s = &ls->s[node * LOGSTREAM_NSRC + src];
	if (path != NULL) {
		fd =
		    open(path,
			 O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			 0600);
		if (fd < 0 || fstat(fd, &st) < 0) {
			snprintf(msg, msgsize, "%s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	}
	pthread_mutex_lock(&ls->lock);
	if (s->record_fd >= 0)
		close(s->record_fd);
	s->record_fd = fd;
	s->record_bytes = fd >= 0 ? (size_t)st.st_size : 0;
	s->record_max = max;
	pthread_mutex_unlock(&ls->lock);
	return 0;
}

void logstreams_watch(struct logstreams *ls, size_t node,
		      enum logstream_source src, bool on)
{
	struct logstream *s;

	if (node >= ls->fleet->nnodes)
		return;
	s = &ls->s[node * LOGSTREAM_NSRC + src];
	pthread_mutex_lock(&ls->lock);
	if (on) {
		if (s->watchers++ == 0) {
			s->retry_ms = LOGSTREAM_RETRY_FIRST_MS;
			if (s->state == LOGSTREAM_STOPPED)
				s->state = LOGSTREAM_IDLE; /* try again */
		}
	} else if (s->watchers > 0) {
		s->watchers--;
	}
	ls->version++;
	ls->full_next = true; /* the engine starts or stops it at once */
	pthread_mutex_unlock(&ls->lock);
	logstream_kick(ls);
}

void logstreams_mark(struct logstreams *ls, size_t node, const char *text)
{
	int src;

	if (node >= ls->fleet->nnodes)
		return;
	pthread_mutex_lock(&ls->lock);
	for (src = 0; src < LOGSTREAM_NSRC; src++)
		logring_push(&ls->s[node * LOGSTREAM_NSRC + src].ring,
			     clock_now_ms(), LOGRING_HEALTH, text, strlen(text),
			     false);
	ls->version++;
	logstream_notify(ls);
	pthread_mutex_unlock(&ls->lock);
}

void logstreams_lock(struct logstreams *ls)
{
	pthread_mutex_lock(&ls->lock);
}

void logstreams_unlock(struct logstreams *ls)
{
	pthread_mutex_unlock(&ls->lock);
}

struct logstream_view logstreams_view(const struct logstreams *ls, size_t node,
				      enum logstream_source src)
{
	const struct logstream *s = &ls->s[node * LOGSTREAM_NSRC + src];
	struct logstream_view v = {
	    .ring = &s->ring,
	    .state = s->state,
	    .last_line_ms = s->last_line_ms,
	    .retry_at_ms = s->retry_at_ms,
	    .error = s->error,
	    .passphrase_key =
		s->state == LOGSTREAM_STOPPED ? s->passphrase_key : NULL,
	};

	return v;
}

uint64_t logstreams_version(struct logstreams *ls)
{
	uint64_t v;

	pthread_mutex_lock(&ls->lock);
	v = ls->version;
	pthread_mutex_unlock(&ls->lock);
	return v;
}

uint64_t logstreams_version_locked(const struct logstreams *ls)
{
	return ls->version;
}
