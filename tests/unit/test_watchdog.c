/*
 * The watchdog's timers on a fake clock (watchdog_step_at): downs close
 * in time grouped into one page when the group window closes, flapping
 * declared past flap_changes within flap_window and settled once the
 * window passes quietly, reminders of a node still down every
 * remind_every. Events are handed in as the monitor would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/logstream.h"
#include "engine/monitor.h"
#include "engine/nodeact.h"
#include "engine/watchdog.h"
#include "state/fleet.h"
#include "transport/transport.h"

#define WALL0 ((int64_t)1800000000000) /* a wall clock for the alerts */

struct rig {
	struct fleet *f;
	struct monitor *m;
	struct transport *t;
	struct logstreams *ls;
	struct nodeacts *acts;
	struct watchdog *w;
	char printed[8192]; /* every alert's text, one per line */
	uint64_t seq;
};

static void rig_print(void *ctx, const char *json, const char *text, bool quiet)
{
	struct rig *r = ctx;
	size_t len = strlen(r->printed);

	(void)json, (void)quiet;
	snprintf(r->printed + len, sizeof(r->printed) - len, "%s\n", text);
}

static bool rig_open(struct rig *r, const char *alerts)
{
	char head[800], msg[300];

	memset(r, 0, sizeof(*r));
	snprintf(head, sizeof(head), "[alerts]\n%s", alerts);
	r->f = check_fleet3(head);
	if (r->f == NULL)
		return false;
	r->m = monitor_new(r->f, msg, sizeof(msg));
	if (r->m == NULL)
		return false;
	r->t = transport_new(r->f);
	r->ls = logstreams_new(r->f, r->t, 100);
	r->acts = nodeacts_new(r->f, r->t);
	/* act: page through the sinks (none configured: only grouping). */
	r->w =
	    watchdog_new(r->f, r->m, r->acts, r->ls, NULL, true, rig_print, r);
	return true;
}

static void rig_close(struct rig *r)
{
	watchdog_free(r->w);
	nodeacts_free(r->acts);
	logstreams_free(r->ls);
	transport_free(r->t);
	monitor_free(r->m);
	fleet_free(r->f);
}

/* Node goes from -> to at mono time now; then a step at now. */
static void rig_event(struct rig *r, size_t node, enum health_status from,
		      enum health_status to, int64_t now)
{
	struct monitor_event e = {.node = node, .seq = ++r->seq};

	e.ev.from = from;
	e.ev.to = to;
	e.ev.at_ms = WALL0 + now;
	snprintf(e.ev.cause, sizeof(e.ev.cause), "HTTP 503");
	watchdog_on_event(r->w, &e);
	watchdog_step_at(r->w, now, WALL0 + now);
}

static int count(const char *text, const char *what)
{
	int n = 0;

	for (; (text = strstr(text, what)) != NULL; text += strlen(what))
		n++;
	return n;
}

TEST(watchdog_groups_downs_until_the_window_closes_on_the_fake_clock)
{
	struct rig r;

	CHECK(rig_open(&r, "group_window = \"30s\"\nremind_every = \"0s\""));
	if (r.w == NULL)
		return;
	rig_event(&r, 0, HEALTH_UP, HEALTH_DOWN, 1000);
	rig_event(&r, 1, HEALTH_UP, HEALTH_DOWN, 2000);
	rig_event(&r, 2, HEALTH_UP, HEALTH_DOWN, 3000);
	CHECK(count(r.printed, "down (up -> down)") == 3); /* shown at once */
	CHECK(count(r.printed, "more nodes down") == 0);
	/* The window opened by the first down closes at 31000. */
	watchdog_step_at(r.w, 30999, WALL0 + 30999);
	CHECK(count(r.printed, "more nodes down") == 0);
	watchdog_step_at(r.w, 31000, WALL0 + 31000);
	CHECK(count(r.printed,
		    "grouped: 2 more nodes down within 30 s: node-1 node-2") ==
	      1);
	/* A down after the window opens a new one and pages at once. */
	rig_event(&r, 0, HEALTH_DOWN, HEALTH_UP, 40000);
	rig_event(&r, 0, HEALTH_UP, HEALTH_DOWN, 41000);
	watchdog_step_at(r.w, 80000, WALL0 + 80000);
	CHECK(count(r.printed, "more nodes down") == 1);
	rig_close(&r);
}

TEST(watchdog_flapping_declared_then_settled_on_the_fake_clock)
{
	struct rig r;
	int64_t t = 0;
	int k;

	CHECK(rig_open(&r, "flap_changes = 3\nflap_window = \"60s\"\n"
			   "group_window = \"0s\"\nremind_every = \"0s\""));
	if (r.w == NULL)
		return;
	/* Three changes are alerts; the fourth within 60 s is flapping. */
	for (k = 0; k < 3; k++) {
		t += 1000;
		rig_event(&r, 1, k % 2 ? HEALTH_DOWN : HEALTH_UP,
			  k % 2 ? HEALTH_UP : HEALTH_DOWN, t);
	}
	CHECK(count(r.printed, "flapping") == 0);
	t += 1000;
	rig_event(&r, 1, HEALTH_UP, HEALTH_DOWN, t); /* t = 4000 */
	CHECK(count(r.printed, "4 changes within 60 s: flapping") == 1);
	/* No alert per change while it flaps. */
	rig_event(&r, 1, HEALTH_DOWN, HEALTH_UP, 5000);
	rig_event(&r, 1, HEALTH_UP, HEALTH_DOWN, 6000);
	CHECK(count(r.printed, "settled") == 0);
	/* Quiet for the window after the last change (6000): settled. */
	watchdog_step_at(r.w, 66000, WALL0 + 66000);
	CHECK(count(r.printed, "settled") == 0);
	watchdog_step_at(r.w, 66001, WALL0 + 66001);
	CHECK(count(r.printed, "settled after flapping") == 1);
	rig_close(&r);
}
