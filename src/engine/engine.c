#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/health.h"
#include "lib/clock.h"
#include "lib/xalloc.h"

static void engine_step(void *ctx)
{
	struct engine *e = ctx;

	logstreams_step(e->ls);
	nodeacts_step(e->acts);
	watchdog_step(e->wd);
	if (e->inc != NULL)
		incidents_step(e->inc);
	if (e->o.after_step != NULL)
		e->o.after_step(e->o.after_ctx, e);
}

/* Every health transition is a marked line in the node's log panes. */
static void engine_event(void *ctx, const struct monitor_event *ev)
{
	struct engine *e = ctx;
	char text[400];

	snprintf(text, sizeof(text), "-- HEALTH %s: %s -> %s%s%s --",
		 e->f->nodes[ev->node].name, health_status_name(ev->ev.from),
		 health_status_name(ev->ev.to), ev->ev.cause[0] ? ": " : "",
		 ev->ev.cause);
	logstreams_mark(e->ls, ev->node, text);
	watchdog_on_event(e->wd, ev); /* and through it, the incidents */
}

struct engine *engine_new(const struct fleet *f, const struct engine_opts *o,
			  char *msg, size_t msgsize)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	struct monitor_hook hook;
	size_t k;

	e->f = f;
	e->o = *o;
	e->m = monitor_new(f, msg, msgsize);
	if (e->m == NULL) {
		free(e);
		return NULL;
	}
	e->t = transport_new(f);
	e->ls = logstreams_new(f, e->t, (size_t)f->logs.scrollback);
	e->acts = nodeacts_new(f, e->t);
	/* The console keeps no logs of its own, but honours every hold: no
	 * bell for a node stopped on purpose or in maintenance. */
	e->wd = watchdog_new(f, e->m, e->acts, e->ls,
			     o->watch ? o->state_dir : NULL, o->watch, o->print,
			     o->print_ctx);
	if (!o->watch) {
		watchdog_set_holds_dir(e->wd, o->state_dir);
		watchdog_set_events_dir(e->wd, o->state_dir);
	}
	if (o->state_dir != NULL) {
		e->inc = incidents_new(f, e->m, e->ls, o->state_dir, !o->watch);
		watchdog_set_incidents(e->wd, e->inc);
	}
	/* Journals feed the alerts' log excerpts. */
	for (k = 0; o->watch && k < f->nnodes; k++)
		if (f->nodes[k].transport != FLEET_TRANSPORT_NONE)
			logstreams_watch(e->ls, k, LOGSTREAM_JOURNAL, true);
	hook.fd = logstreams_fd(e->ls);
	hook.step = engine_step;
	hook.on_event = engine_event;
	hook.ctx = e;
	monitor_set_hook(e->m, &hook);
	return e;
}

int engine_start(struct engine *e, char *msg, size_t msgsize)
{
	return monitor_start(e->m, msg, msgsize);
}

void engine_stop(struct engine *e, int64_t drain_ms)
{
	int64_t until = clock_mono_ms() + drain_ms;

	monitor_stop(e->m);
	/* The engine thread is gone: this thread may step what is left. */
	while (!watchdog_idle(e->wd) && clock_mono_ms() < until) {
		struct timespec ts = {0, 20 * 1000000L};

		nanosleep(&ts, NULL);
		watchdog_step(e->wd);
	}
}

void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	monitor_stop(e->m);
	incidents_free(e->inc);
	watchdog_free(e->wd);
	nodeacts_free(e->acts);
	logstreams_free(e->ls);
	transport_free(e->t);
	monitor_free(e->m);
	free(e);
}
