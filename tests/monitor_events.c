/*
 * monitor_events: the engine thread against the node simulator. Faults
 * injected through bvsim ctl must come out as transition events with the
 * right from/to/cause, and results must turn stale when the engine stops.
 * The engine also drives log streams and node actions (as in the
 * console): health marks land in the rings, the main thread reads them
 * and starts an action while the engine runs (the TSan build checks that
 * interplay for races).
 *
 * usage: monitor_events FLEET BVSIM SIMDIR
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/health.h"
#include "engine/logstream.h"
#include "engine/monitor.h"
#include "engine/nodeact.h"
#include "lib/clock.h"
#include "state/fleet.h"
#include "transport/transport.h"

static int passed, failed;

static void check(int ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s\n", what);
	}
}

static void ctl(const char *bvsim, const char *dir, const char *args)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "%s ctl %s %s >/dev/null", bvsim, dir, args);
	if (system(cmd) != 0)
		printf("  (bvsim ctl %s failed)\n", args);
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* Wait (at most 10 s) for an event on node with to == want after seq. */
static int wait_event(struct monitor *m, size_t node, enum health_status want,
		      uint64_t *seq, struct monitor_event *out)
{
	int64_t deadline = clock_mono_ms() + 10000;

	while (clock_mono_ms() < deadline) {
		struct monitor_event evs[16];
		size_t n = monitor_events(m, *seq, evs, 16), k;

		for (k = 0; k < n; k++) {
			*seq = evs[k].seq;
			if (evs[k].node == node && evs[k].ev.to == want) {
				*out = evs[k];
				return 1;
			}
		}
		pause_ms(20);
	}
	return 0;
}

struct engine {
	const struct fleet *f;
	struct logstreams *ls;
	struct nodeacts *acts;
};

static void engine_step(void *ctx)
{
	struct engine *e = ctx;

	logstreams_step(e->ls);
	nodeacts_step(e->acts);
}

static void engine_event(void *ctx, const struct monitor_event *ev)
{
	struct engine *e = ctx;
	char text[200];

	snprintf(text, sizeof(text), "-- HEALTH %s: %s -> %s --",
		 e->f->nodes[ev->node].name, health_status_name(ev->ev.from),
		 health_status_name(ev->ev.to));
	logstreams_mark(e->ls, ev->node, text);
}

/* Wait (at most 10 s) for a line with text in node's journal ring. */
static int wait_line(struct logstreams *ls, size_t node, const char *text)
{
	int64_t deadline = clock_mono_ms() + 10000;

	while (clock_mono_ms() < deadline) {
		const struct logring *r;
		int found;

		logstreams_lock(ls);
		r = logstreams_view(ls, node, LOGSTREAM_JOURNAL).ring;
		found = logring_find(r, logring_first(r), text, 0) >= 0;
		logstreams_unlock(ls);
		if (found)
			return 1;
		pause_ms(20);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct engine e;
	struct monitor_hook hook;
	struct transport *t;
	struct nodeact_result r;
	uint64_t act;
	struct fleet_diags d;
	struct fleet *f;
	struct monitor *m;
	struct monitor_event ev = {0};
	struct monitor_snapshot s;
	char msg[256];
	uint64_t seq = 0;
	size_t k, up = 0;

	if (argc != 4)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	f = fleet_load(argv[1], &d);
	if (f == NULL)
		return 2;
	m = monitor_new(f, msg, sizeof(msg));
	if (m == NULL)
		return 3;
	t = transport_new(f);
	e.f = f;
	e.ls = logstreams_new(f, t, 1000);
	e.acts = nodeacts_new(f, t);
	hook.fd = logstreams_fd(e.ls);
	hook.step = engine_step;
	hook.on_event = engine_event;
	hook.ctx = &e;
	monitor_set_hook(m, &hook);
	logstreams_watch(e.ls, 1, LOGSTREAM_JOURNAL, 1);
	if (monitor_start(m, msg, sizeof(msg)) < 0)
		return 3;
	for (k = 0; k < f->nnodes; k++)
		up += (size_t)wait_event(m, k, HEALTH_UP, &seq, &ev);
	check(up == f->nnodes, "every node comes up");
	check(ev.ev.from == HEALTH_UNKNOWN, "the first event is from unknown");

	ctl(argv[2], argv[3], "node-1 fault 503");
	check(wait_event(m, 1, HEALTH_DOWN, &seq, &ev),
	      "503 takes node-1 down");
	check(ev.ev.from == HEALTH_UP, "down from up");
	check(strcmp(ev.ev.cause, "HTTP 503") == 0, "cause HTTP 503");
	check(ev.ev.consecutive_failures ==
		  (unsigned)f->health.failure_threshold,
	      "after exactly failure_threshold failures");
	ctl(argv[2], argv[3], "node-1 fault none");
	check(wait_event(m, 1, HEALTH_UP, &seq, &ev), "node-1 back up");
	check(wait_line(e.ls, 1, "node-1 tsm[1099]: heartbeat"),
	      "node-1's journal streams into its ring");
	check(wait_line(e.ls, 1, "-- HEALTH node-1: up -> down --"),
	      "the transition is marked in node-1's journal");
	act = nodeacts_start(e.acts, 2, FLEET_CMD_RESTART);
	for (k = 0; k < 500 && nodeacts_get(e.acts, act, &r) && !r.done; k++)
		pause_ms(20);
	check(r.done && r.exit_status == 0 && r.error[0] == '\0',
	      "a restart runs on the engine and reports");

	ctl(argv[2], argv[3], "node-0 stop");
	check(wait_event(m, 0, HEALTH_DOWN, &seq, &ev), "stopped node down");
	check(strcmp(ev.ev.cause, "connection refused") == 0,
	      "cause connection refused");
	ctl(argv[2], argv[3], "node-0 start");
	check(wait_event(m, 0, HEALTH_UP, &seq, &ev), "restarted node up");

	monitor_snapshot(m, &s);
	check(s.up == f->nnodes && s.down == 0, "snapshot counts all up");
	check(!s.nodes[0].stale, "fresh results are not stale");
	check(strchr(s.nodes[1].strip, '-') != NULL &&
		  s.nodes[1].strip[MONITOR_STRIP - 1] == '+',
	      "the strip shows the failures and the newest success");
	monitor_snapshot_free(&s);

	/* A stalled engine: results age until they are marked stale. */
	monitor_stop(m);
	pause_ms((long)(2 * f->health.interval_ms + f->health.timeout_ms) +
		 1300);
	monitor_snapshot(m, &s);
	check(s.nodes[0].stale && s.nodes[2].stale, "old results are stale");
	monitor_snapshot_free(&s);

	monitor_free(m);
	nodeacts_free(e.acts);
	logstreams_free(e.ls);
	transport_free(t);
	fleet_free(f);
	curl_global_cleanup();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
