#include "logstream.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "probe.h"
#include "xalloc.h"

/* Back-off between reconnections: 1 s doubling to 30 s. */
#define LOGSTREAM_RETRY_FIRST_MS 1000
#define LOGSTREAM_RETRY_MAX_MS   30000

struct logstream {
	struct logring ring;
	struct transport_stream *ts; /* NULL while not running */
	enum logstream_state state;
	unsigned watchers;
	int64_t last_line_ms;
	int64_t retry_at_ms;
	int64_t retry_ms;     /* the next back-off */
	bool had_lines;       /* this connection said something */
	bool ever_ran;        /* a reconnection is a gap */
	char *passphrase_key; /* stopped for want of its passphrase */
	int fd;               /* registered in epfd, or -1 */
	short events;
	char error[512];
};

struct logstreams {
	const struct fleet *fleet;
	struct transport *transport;
	struct logstream *s; /* nnodes * LOGSTREAM_NSRC */
	size_t n;
	int epfd;
	int kick;             /* eventfd in epfd: "step again now" */
	int notify;           /* eventfd for readers: something changed */
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
	for (k = 0; k < ls->n; k++) {
		logring_init(&ls->s[k].ring, scrollback, 0);
		ls->s[k].fd = -1;
	}
	ls->epfd = epoll_create1(EPOLL_CLOEXEC);
	ls->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ls->notify = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	{
		struct epoll_event ev = {.events = EPOLLIN};

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
	for (k = 0; k < ls->n; k++) {
		transport_stream_close(ls->s[k].ts);
		logring_free(&ls->s[k].ring);
		free(ls->s[k].passphrase_key);
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
static void logstream_on_line(void *ctx, const char *line, size_t len, bool cut)
{
	struct logstream *s = ctx;

	logring_push(&s->ring, probe_now_ms(), LOGRING_LINE, line, len, cut);
	s->last_line_ms = probe_mono_ms();
	s->had_lines = true;
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
	logring_push(&s->ring, probe_now_ms(), kind, text, strlen(text), false);
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
	/* A connection that worked starts the back-off over. */
	if (s->had_lines)
		s->retry_ms = LOGSTREAM_RETRY_FIRST_MS;
	if (permanent) {
		s->state = LOGSTREAM_STOPPED;
		logstream_note(s, LOGRING_GAP, "-- %s; not retrying --",
			       s->error);
		return;
	}
	s->state = LOGSTREAM_WAITING;
	s->retry_at_ms = now + s->retry_ms;
	logstream_note(s, LOGRING_GAP, "-- %s; retrying in %lld s --", s->error,
		       (long long)(s->retry_ms + 999) / 1000);
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
	if (epoll_ctl(ls->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ||
	    (errno == EEXIST &&
	     epoll_ctl(ls->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)) {
		s->fd = fd;
		s->events = events;
	}
}

void logstreams_step(struct logstreams *ls)
{
	struct epoll_event evs[16];
	int64_t now = probe_mono_ms();
	uint64_t drain, version_before;
	bool again = false;
	size_t k;

	/* Readiness only wakes us; every running stream is read below. */
	while (epoll_wait(ls->epfd, evs, 16, 0) == 16)
		;
	if (read(ls->kick, &drain, sizeof(drain)) < 0)
		drain = 0; /* not kicked */
	pthread_mutex_lock(&ls->lock);
	version_before = ls->version;
	if (ls->pass != NULL) {
		/* The transport is the engine's: hand the passphrase over
		 * here, and let the streams that waited for it try again. */
		transport_set_passphrase(ls->transport, ls->pass_key, ls->pass);
		for (k = 0; k < ls->n; k++)
			if (ls->s[k].state == LOGSTREAM_STOPPED &&
			    ls->s[k].passphrase_key != NULL) {
				ls->s[k].state = LOGSTREAM_IDLE;
				free(ls->s[k].passphrase_key);
				ls->s[k].passphrase_key = NULL;
			}
		logstream_wipe(ls->pass);
		ls->pass = NULL;
		free(ls->pass_key);
		ls->pass_key = NULL;
	}
	transport_step(ls->transport);
	for (k = 0; k < ls->n; k++) {
		struct logstream *s = &ls->s[k];
		uint64_t before = s->ring.total;
		enum logstream_state was = s->state;

		if (s->watchers == 0) {
			if (s->ts != NULL) {
				transport_stream_close(s->ts);
				s->ts = NULL;
			}
			s->state = LOGSTREAM_IDLE;
		} else if (s->ts == NULL && (s->state == LOGSTREAM_IDLE ||
					     (s->state == LOGSTREAM_WAITING &&
					      now >= s->retry_at_ms))) {
			logstream_start(ls, k, now);
		}
		if (s->ts != NULL) {
			int rc =
			    transport_stream_read(s->ts, logstream_on_line, s);

			if (rc == 0 && s->state == LOGSTREAM_CONNECTING &&
			    transport_stream_running(s->ts))
				s->state = LOGSTREAM_LIVE;
			if (rc == 0 && transport_stream_pending(s->ts))
				again = true;
			if (rc != 0)
				logstream_ended(ls, k, rc, now);
		}
		logstream_sync_fd(ls, s);
		if (s->ring.total != before || s->state != was)
			ls->version++;
	}
	if (ls->version != version_before)
		logstream_notify(ls);
	pthread_mutex_unlock(&ls->lock);
	if (again) {
		drain = 1;
		if (write(ls->kick, &drain, sizeof(drain)) < 0)
			drain = 0; /* the counter is full: kicked already */
	}
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
	pthread_mutex_unlock(&ls->lock);
}

void logstreams_mark(struct logstreams *ls, size_t node, const char *text)
{
	int src;

	if (node >= ls->fleet->nnodes)
		return;
	pthread_mutex_lock(&ls->lock);
	for (src = 0; src < LOGSTREAM_NSRC; src++)
		logring_push(&ls->s[node * LOGSTREAM_NSRC + src].ring,
			     probe_now_ms(), LOGRING_HEALTH, text, strlen(text),
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
