/*
 * monitor: the fleet's health, kept current.
 *
 * Owns the probe, one health_node per fleet node, the check schedule and a
 * bounded queue of transition events; borrows the fleet. Two ways to run:
 * monitor_round() does one round of checks in the caller's thread (bvops
 * status); monitor_start() runs the event loop on one engine thread (the
 * console), and readers take consistent copies with monitor_snapshot().
 */
#ifndef BVOPS_MONITOR_H
#define BVOPS_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/health.h"
#include "state/fleet.h"

#define MONITOR_STRIP 32 /* recent results kept in a snapshot */

struct monitor;

/* What a reader sees of one node. */
struct monitor_node_view {
	enum health_status status;
	struct health_check last;
	unsigned consecutive_failures;
	int64_t last_change_ms;
	bool stale; /* the last result is older than it should be */
	/* Newest last: '+' good, '-' failed, ' ' none yet. */
	char strip[MONITOR_STRIP + 1];
};

struct monitor_snapshot {
	size_t n;
	struct monitor_node_view *nodes; /* owned by the snapshot */
	uint64_t version; /* changes whenever any node's state does */
	size_t up, down, unknown;
};

struct monitor_event {
	size_t node;
	struct health_event ev;
	uint64_t seq;
};

/* A monitor for the fleet (borrowed); NULL with a message on failure. */
struct monitor *monitor_new(const struct fleet *f, char *msg, size_t msgsize);
/* Stops the engine thread if it runs, then frees everything. */
void monitor_free(struct monitor *m);

/*
 * Check every node once, all in parallel, and wait for all the results
 * (at most about one timeout). Returns 0, or -1 if libcurl failed.
 */
int monitor_round(struct monitor *m);

/*
 * More work for the engine thread, set before monitor_start(): fd is
 * watched with the probes, step runs on every turn of the loop (at least
 * every 200 ms; without the monitor's lock), on_event for every health
 * transition as it is recorded (under the lock: keep it short).
 */
struct monitor_hook {
	int fd; /* -1: none */
	void (*step)(void *ctx);
	void (*on_event)(void *ctx, const struct monitor_event *e);
	void *ctx;
};
void monitor_set_hook(struct monitor *m, const struct monitor_hook *h);

/* Record a check of node as if the prober had made it (under the lock,
 * with its transition events): for a monitor that is not started, a test
 * driving autorestart or the watchdog with results and a clock of its
 * own. */
void monitor_feed(struct monitor *m, size_t node, const struct health_check *c);

/* Run checks on the fleet's schedule on an engine thread. */
int monitor_start(struct monitor *m, char *msg, size_t msgsize);
void monitor_stop(struct monitor *m);

/* Readable when the state changed since it was last drained (read its
 * 8 bytes): a reader can sleep until then instead of polling. */
int monitor_notify_fd(const struct monitor *m);

/* Copy the current state; free with monitor_snapshot_free(). */
void monitor_snapshot(struct monitor *m, struct monitor_snapshot *s);
void monitor_snapshot_free(struct monitor_snapshot *s);

/*
 * Events with seq > after, oldest first, at most max; returns how many.
 * The queue keeps the newest MONITOR_EVENTS; older ones are dropped.
 */
#define MONITOR_EVENTS 256
size_t monitor_events(struct monitor *m, uint64_t after,
		      struct monitor_event *out, size_t max);

/* The node's health after monitor_round() (not thread-safe). */
const struct health_node *monitor_node(const struct monitor *m, size_t i);

#endif
