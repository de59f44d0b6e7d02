#include "engine/monitor.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/probe.h"
#include "lib/clock.h"
#include "lib/xalloc.h"

struct monitor_slot {
	struct health_node h;
	int64_t next_due; /* monotonic ms */
	bool in_flight;
};

struct monitor {
	const struct fleet *fleet;
	struct probe *probe;
	struct monitor_slot *slots;
	/* Every node has the same interval and the first checks are spread
	 * in index order, so nodes fall due in a fixed cycle: the engine
	 * only looks at the next one. */
	size_t cursor;
	pthread_mutex_t lock; /* guards slots, events, version, stop */
	pthread_t thread;
	bool thread_started;
	bool stop;
	uint64_t version;
	struct monitor_event events[MONITOR_EVENTS];
	size_t ev_start, ev_len;
	uint64_t ev_seq;
	struct monitor_hook hook;
	bool has_hook;
	int notify; /* eventfd: the state changed */
};

/* Each check holds a socket: let a large fleet have the descriptors. */
static void monitor_raise_fd_limit(size_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want + 64 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = want + 64 < rl.rlim_max ? want + 64 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

struct monitor *monitor_new(const struct fleet *f, char *msg, size_t msgsize)
{
	struct monitor *m = xcalloc(1, sizeof(*m));
	const char **urls = xcalloc(f->nnodes ? f->nnodes : 1, sizeof(*urls));
	size_t k;

	monitor_raise_fd_limit(f->nnodes * 2);
	for (k = 0; k < f->nnodes; k++)
		urls[k] = f->nodes[k].ping_url;
	m->probe = probe_new(urls, f->nnodes, (long)f->health.timeout_ms, msg,
			     msgsize);
	free(urls);
	if (m->probe == NULL) {
		free(m);
		return NULL;
	}
	m->fleet = f;
	m->slots = xcalloc(f->nnodes ? f->nnodes : 1, sizeof(*m->slots));
	for (k = 0; k < f->nnodes; k++)
		health_node_init(&m->slots[k].h);
	pthread_mutex_init(&m->lock, NULL);
	m->notify = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return m;
}

int monitor_notify_fd(const struct monitor *m)
{
	return m->notify;
}

/* Tell a sleeping reader that the state changed. */
static void monitor_notify(struct monitor *m)
{
	uint64_t one = 1;

	if (m->notify >= 0 && write(m->notify, &one, sizeof(one)) < 0)
		one = 0; /* the counter is full: the reader is awake anyway */
}

void monitor_free(struct monitor *m)
{
	if (m == NULL)
		return;
	monitor_stop(m);
	probe_free(m->probe);
	if (m->notify >= 0)
		close(m->notify);
	pthread_mutex_destroy(&m->lock);
	free(m->slots);
	free(m);
}

/* probe_done_fn: record a result (the engine holds the lock). */
static void monitor_on_result(void *ctx, size_t node,
			      const struct health_check *c)
{
	struct monitor *m = ctx;
	struct monitor_slot *s = &m->slots[node];
	struct health_event ev;

	s->in_flight = false;
	m->version++;
	if (!health_node_record(
		&s->h, c, (unsigned)m->fleet->health.failure_threshold,
		(unsigned)m->fleet->health.success_threshold, &ev))
		return;
	if (m->ev_len == MONITOR_EVENTS) {
		m->ev_start = (m->ev_start + 1) % MONITOR_EVENTS;
		m->ev_len--;
	}
	m->events[(m->ev_start + m->ev_len) % MONITOR_EVENTS] =
	    (struct monitor_event){.node = node, .ev = ev, .seq = ++m->ev_seq};
	m->ev_len++;
	if (m->has_hook && m->hook.on_event != NULL)
		m->hook.on_event(
		    m->hook.ctx,
		    &m->events[(m->ev_start + m->ev_len - 1) % MONITOR_EVENTS]);
}

void monitor_feed(struct monitor *m, size_t node, const struct health_check *c)
{
	pthread_mutex_lock(&m->lock);
	monitor_on_result(m, node, c);
	pthread_mutex_unlock(&m->lock);
}

void monitor_set_hook(struct monitor *m, const struct monitor_hook *h)
{
	m->hook = *h;
	m->has_hook = true;
	if (h->fd >= 0)
		probe_watch_fd(m->probe, h->fd);
}

static void monitor_start_due(struct monitor *m, int64_t now)
{
	size_t n = m->fleet->nnodes, seen;
	int64_t interval = (int64_t)m->fleet->health.interval_ms;

	for (seen = 0; seen < n; seen++) {
		struct monitor_slot *s = &m->slots[m->cursor];

		if (now < s->next_due)
			return;
		/* Keep the rhythm: a late turn does not shift the schedule.
		 * A check still running when due again is skipped. */
		s->next_due += interval;
		if (s->next_due <= now)
			s->next_due = now + interval;
		if (!s->in_flight)
			s->in_flight = probe_start(m->probe, m->cursor);
		m->cursor = (m->cursor + 1) % n;
	}
}

int monitor_round(struct monitor *m)
{
	int64_t deadline;
	size_t k;

	for (k = 0; k < m->fleet->nnodes; k++)
		m->slots[k].in_flight = probe_start(m->probe, k);
	/* libcurl enforces the timeout; this guard only bounds the loop. */
	deadline =
	    clock_mono_ms() + (int64_t)m->fleet->health.timeout_ms + 5000;
	while (probe_running(m->probe) > 0 && clock_mono_ms() < deadline)
		if (probe_wait(m->probe, 100) < 0 ||
		    probe_collect(m->probe, monitor_on_result, m) < 0)
			return -1;
	return probe_running(m->probe) > 0 ? -1 : 0;
}

/* Checks due this close together start together (at most 50 ms late). */
static int64_t monitor_batch_ms(const struct monitor *m)
{
	int64_t b = (int64_t)m->fleet->health.interval_ms / 20;

	return b > 50 ? 50 : b;
}

/* How long the engine may sleep: until the next batch is due. */
static int monitor_idle_ms(const struct monitor *m, int64_t now)
{
	/* At least twice a second: the hook's timers (reconnections,
	 * keepalives) need the turn; a stop wakes the loop at once. */
	int64_t next = now + 500;

	if (m->fleet->nnodes > 0 &&
	    m->slots[m->cursor].next_due - monitor_batch_ms(m) < next)
		next = m->slots[m->cursor].next_due - monitor_batch_ms(m);
	return next > now ? (int)(next - now) : 0;
}

static void *monitor_thread(void *arg)
{
	struct monitor *m = arg;
	int64_t now = clock_mono_ms();
	size_t k;

	pthread_mutex_lock(&m->lock);
	m->cursor = 0;
	/* Spread the first checks over one interval, not all at once. */
	for (k = 0; k < m->fleet->nnodes; k++)
		m->slots[k].next_due =
		    now + (int64_t)(m->fleet->health.interval_ms * k /
				    (m->fleet->nnodes ? m->fleet->nnodes : 1));
	while (!m->stop) {
		now = clock_mono_ms();
		/* Start what falls due within the next batch too: a few
		 * wake-ups a second with many checks each cost far less
		 * than one wake-up per check. */
		monitor_start_due(m, now + monitor_batch_ms(m));
		int wait = monitor_idle_ms(m, now);

		pthread_mutex_unlock(&m->lock);
		if (m->has_hook && m->hook.step != NULL)
			m->hook.step(m->hook.ctx);
		/* Wait for the network without the lock. */
		if (probe_wait(m->probe, wait) < 0) {
			pthread_mutex_lock(&m->lock);
			break;
		}
		pthread_mutex_lock(&m->lock);
		{
			uint64_t before = m->version;

			if (probe_collect(m->probe, monitor_on_result, m) < 0)
				break;
			if (m->version != before)
				monitor_notify(m);
		}
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int monitor_start(struct monitor *m, char *msg, size_t msgsize)
{
	m->stop = false;
	if (pthread_create(&m->thread, NULL, monitor_thread, m) != 0) {
		snprintf(msg, msgsize, "cannot start the health engine");
		return -1;
	}
	m->thread_started = true;
	return 0;
}

void monitor_stop(struct monitor *m)
{
	if (!m->thread_started)
		return;
	pthread_mutex_lock(&m->lock);
	m->stop = true; /* read by the engine under the lock */
	pthread_mutex_unlock(&m->lock);
	probe_wakeup(m->probe);
	pthread_join(m->thread, NULL);
	m->thread_started = false;
}

void monitor_snapshot(struct monitor *m, struct monitor_snapshot *s)
{
	const struct fleet *f = m->fleet;
	int64_t now = clock_now_ms();
	/* A result older than this means the engine or the link stalled. */
	int64_t stale_after =
	    (int64_t)(2 * f->health.interval_ms + f->health.timeout_ms) + 1000;
	size_t k, j;

	memset(s, 0, sizeof(*s));
	s->n = f->nnodes;
	s->nodes = xcalloc(s->n ? s->n : 1, sizeof(*s->nodes));
	pthread_mutex_lock(&m->lock);
	s->version = m->version;
	for (k = 0; k < s->n; k++) {
		const struct health_node *h = &m->slots[k].h;
		struct monitor_node_view *v = &s->nodes[k];

		v->status = h->status;
		v->last = h->last;
		v->consecutive_failures = h->consecutive_failures;
		v->last_change_ms = h->last_change_ms;
		v->stale =
		    h->last.at_ms != 0 && now - h->last.at_ms > stale_after;
		for (j = 0; j < MONITOR_STRIP; j++) {
			const struct health_check *c =
			    health_node_recent(h, MONITOR_STRIP - 1 - j);

			v->strip[j] = c == NULL            ? ' '
				      : health_check_ok(c) ? '+'
							   : '-';
		}
		v->strip[MONITOR_STRIP] = '\0';
		if (h->status == HEALTH_UP)
			s->up++;
		else if (h->status == HEALTH_DOWN)
			s->down++;
		else
			s->unknown++;
	}
	pthread_mutex_unlock(&m->lock);
}

void monitor_snapshot_free(struct monitor_snapshot *s)
{
	free(s->nodes);
	s->nodes = NULL;
	s->n = 0;
}

size_t monitor_events(struct monitor *m, uint64_t after,
		      struct monitor_event *out, size_t max)
{
	size_t k, n = 0;

	pthread_mutex_lock(&m->lock);
	for (k = 0; k < m->ev_len && n < max; k++) {
		const struct monitor_event *e =
		    &m->events[(m->ev_start + k) % MONITOR_EVENTS];

		if (e->seq > after)
			out[n++] = *e;
	}
	pthread_mutex_unlock(&m->lock);
	return n;
}

const struct health_node *monitor_node(const struct monitor *m, size_t i)
{
	return i < m->fleet->nnodes ? &m->slots[i].h : NULL;
}
