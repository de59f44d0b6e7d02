/*
 * watchdog: what bvops does about the health it sees, on the engine
 * thread: alerts from transitions (down, up, still down, flapping), the
 * auto-restart policy (autorestart.h), delivery to the [alerts] sinks
 * (sink.h), and the event and audit logs (eventlog.h). Shared by
 * `bvops watch` and the console.
 *
 * Owns the autorestart and the sinks; borrows the fleet, the monitor, the
 * node actions and the log streams (which may be NULL: then alerts carry
 * no log excerpt). Engine thread only.
 */
#ifndef BVOPS_WATCHDOG_H
#define BVOPS_WATCHDOG_H

#include <stdbool.h>

#include "engine/alert.h"
#include "engine/autorestart.h"
#include "engine/logstream.h"
#include "engine/monitor.h"
#include "engine/nodeact.h"
#include "state/fleet.h"

/* Every event as one JSON line and one line for people; quiet: news
 * of a held node (holds.h), shown but not rung nor paged. */
typedef void (*watchdog_print_fn)(void *ctx, const char *json, const char *text,
				  bool quiet);

struct watchdog;

/*
 * state_dir: where events.log and audit.log go (and holds.json is read),
 * or NULL for nowhere. act: run auto-restart and deliver to the sinks
 * (bvops watch); false only raises alerts (the console, so that a console
 * and a watch of the same fleet never both restart or page).
 */
struct watchdog *watchdog_new(const struct fleet *f, struct monitor *m,
			      struct nodeacts *acts, struct logstreams *ls,
			      const char *state_dir, bool act,
			      watchdog_print_fn print, void *ctx);
/* Kills a running alert command; what is unsent is lost (and said). */
void watchdog_free(struct watchdog *w);

/* Alerts other than down/up also go to the node's open incident
 * (borrowed; NULL: none). */
struct incidents;
void watchdog_set_incidents(struct watchdog *w, struct incidents *inc);

/* Where holds.json is read, when not in state_dir (the console: its
 * watchdog writes no logs but honours every hold). Copied. */
void watchdog_set_holds_dir(struct watchdog *w, const char *dir);
/* A console's: its alerts go to dir's events.log while no `bvops watch`
 * of the fleet runs on this host (when one does, the watch's lines are
 * the log). */
void watchdog_set_events_dir(struct watchdog *w, const char *dir);

/* A health transition (monitor hook's on_event; only queued here). It
 * reaches the incidents (watchdog_set_incidents) from the next step,
 * with the node's hold, if any. */
void watchdog_on_event(struct watchdog *w, const struct monitor_event *e);
/* Alerts, reminders, restarts, deliveries (monitor hook's step). */
void watchdog_step(struct watchdog *w);
/* The same at the given monotonic and wall times (ms): a test's clock. */
void watchdog_step_at(struct watchdog *w, int64_t mono_ms, int64_t wall_ms);

/* Nothing waits to be delivered (a group still held is sent first). */
bool watchdog_idle(struct watchdog *w);

#endif
