/*
 * Auto-restart's schedule on a fake clock: autorestart_step() takes "now"
 * and the monitor is fed check results (monitor_feed), so exactly N
 * failures, the grace period, the back-off and the limit per window are
 * checked to the millisecond at once, instead of by real waits. The
 * restart command is real (a local "true" or "exit 1" through the
 * transport and the node actions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/autorestart.h"
#include "engine/monitor.h"
#include "engine/nodeact.h"
#include "state/fleet.h"
#include "transport/transport.h"

#define KINDS 16

struct rig {
	struct fleet *f;
	struct monitor *m;
	struct transport *t;
	struct nodeacts *acts;
	struct autorestart *ar;
	int count[KINDS]; /* alerts by kind */
	char last[512];   /* the last alert's detail */
	int64_t at;       /* the next check's time stamp */
};

static void rig_emit(void *ctx, struct alert *a)
{
	struct rig *r = ctx;

	if ((int)a->kind >= 0 && a->kind < KINDS)
		r->count[a->kind]++;
	snprintf(r->last, sizeof(r->last), "%s", a->detail);
}

static bool rig_open(struct rig *r, const char *restart, const char *health)
{
	char head[800], msg[300];

	memset(r, 0, sizeof(*r));
	snprintf(head, sizeof(head),
		 "quorum = 1\n[health]\n%s\n[commands]\nrestart = \"%s\"",
		 health, restart);
	r->f = check_fleet3(head);
	if (r->f == NULL)
		return false;
	r->m = monitor_new(r->f, msg, sizeof(msg));
	if (r->m == NULL)
		return false;
	r->t = transport_new(r->f);
	r->acts = nodeacts_new(r->f, r->t);
	r->ar = autorestart_new(r->f, r->m, r->acts, rig_emit, r);
	r->at = 1000;
	return true;
}

static void rig_close(struct rig *r)
{
	autorestart_free(r->ar);
	nodeacts_free(r->acts);
	transport_free(r->t);
	monitor_free(r->m);
	fleet_free(r->f);
}

/* One check of node (200 or a refused connection), then a step at now. */
static void rig_check(struct rig *r, size_t node, bool ok, int64_t now)
{
	struct health_check c = {.at_ms = r->at++, .latency_ms = -1};

	if (ok) {
		c.http_code = 200;
		c.latency_ms = 1;
	} else {
		snprintf(c.error, sizeof(c.error), "connection refused");
	}
	monitor_feed(r->m, node, &c);
	autorestart_step(r->ar, now);
}

/* Step at the same fake time until the restart command has ended and
 * been judged (kind counted want times): the real wait is for the child
 * to end, bounded. */
static bool rig_until(struct rig *r, enum alert_kind kind, int want,
		      int64_t now)
{
	int k;

	for (k = 0; k < 100 && r->count[kind] < want; k++) {
		nodeacts_step(r->acts);
		autorestart_step(r->ar, now);
		if (r->count[kind] < want)
			check_wait_child(100);
	}
	return r->count[kind] == want;
}

TEST(autorestart_after_n_then_grace_then_gives_up_on_the_fake_clock)
{
	struct rig r;
	int k;

	CHECK(rig_open(&r, "true",
		       "restart_after = 3\nrestart_grace = \"2s\"\n"
		       "max_restarts = 2\nrestart_window = \"10m\""));
	if (r.ar == NULL)
		return;
	rig_check(&r, 0, true, 0);
	rig_check(&r, 2, true, 0);
	/* Two failures are not three. */
	rig_check(&r, 1, false, 0);
	rig_check(&r, 1, false, 0);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 0);
	rig_check(&r, 1, false, 0);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 1);
	CHECK(rig_until(&r, ALERT_RESTART_DONE, 1, 10000));
	/* Grace until 12000: failures then are not counted. */
	for (k = 0; k < 5; k++)
		rig_check(&r, 1, false, 11999);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 1);
	/* From 12000 on they are: three more, a second attempt. */
	rig_check(&r, 1, false, 12000);
	rig_check(&r, 1, false, 12000);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 1);
	rig_check(&r, 1, false, 12000);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 2);
	CHECK(rig_until(&r, ALERT_RESTART_DONE, 2, 20000));
	/* Two within the window did not help: the third gives up. */
	for (k = 0; k < 3; k++)
		rig_check(&r, 1, false, 22000);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 2);
	CHECK(r.count[ALERT_RESTART_GAVE_UP] == 1);
	/* And stays given up: no attempt however long it fails. */
	for (k = 0; k < 6; k++)
		rig_check(&r, 1, false, 600000 + k);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 2);
	rig_close(&r);
}

TEST(autorestart_failed_restart_backs_off_on_the_fake_clock)
{
	struct rig r;
	int k;

	CHECK(rig_open(&r, "exit 1",
		       "restart_after = 2\nrestart_grace = \"1s\"\n"
		       "max_restarts = 5\nrestart_backoff = \"1500ms\"\n"
		       "restart_backoff_max = \"4s\""));
	if (r.ar == NULL)
		return;
	rig_check(&r, 1, false, 0);
	rig_check(&r, 1, false, 0);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 1);
	CHECK(rig_until(&r, ALERT_RESTART_FAILED, 1, 5000));
	/* Back-off: 1.5 s from 5000, whatever fails meanwhile. */
	for (k = 0; k < 4; k++)
		rig_check(&r, 1, false, 6499);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 1);
	rig_check(&r, 1, false, 6500);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 2);
	CHECK(rig_until(&r, ALERT_RESTART_FAILED, 2, 7000));
	/* Doubled: 3 s. */
	rig_check(&r, 1, false, 9999);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 2);
	rig_check(&r, 1, false, 10000);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 3);
	CHECK(rig_until(&r, ALERT_RESTART_FAILED, 3, 11000));
	/* Doubled again, but never past restart_backoff_max (4 s). */
	rig_check(&r, 1, false, 14999);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 3);
	rig_check(&r, 1, false, 15000);
	CHECK(r.count[ALERT_RESTART_ATTEMPT] == 4);
	CHECK(rig_until(&r, ALERT_RESTART_FAILED, 4, 15000));
	rig_close(&r);
}
