/*
 * engine: the one wiring of the engine's parts, for the console and for
 * bvops watch alike: the monitor (its thread and its loop), the
 * transport, the log streams, the node actions, the watchdog (alerts,
 * auto-restart, sinks) and the incidents. One event loop owns them all
 * (monitor.h's hook): every turn steps the streams, the actions, the
 * watchdog and the incidents; every health transition is a marked line
 * in the node's log panes and goes to the watchdog (and through it to the
 * incidents).
 *
 * The two callers differ only in what the options say: watch acts
 * (restarts, pages, writes the event and audit logs) and streams every
 * journal for the alerts' excerpts; the console only shows alerts, honours
 * the holds, and leaves incidents to a watch of the same fleet on the
 * host.
 *
 * Owns everything it makes; borrows the fleet (it must outlive the engine).
 */
#ifndef BVOPS_ENGINE_H
#define BVOPS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/incident.h"
#include "engine/logstream.h"
#include "engine/monitor.h"
#include "engine/nodeact.h"
#include "engine/watchdog.h"
#include "state/fleet.h"
#include "transport/transport.h"

struct engine;

struct engine_opts {
	/* The fleet's state folder (borrowed), or NULL: no incidents, no
	 * logs, no holds. */
	const char *state_dir;
	/* true: bvops watch (restart, page, write the logs, stream every
	 * journal); false: the console (show, and hold back for a watch). */
	bool watch;
	watchdog_print_fn print; /* each alert and event, and its ctx */
	void *print_ctx;
	/* Called on the engine thread after each turn (may be NULL). */
	void (*after_step)(void *ctx, struct engine *e);
	void *after_ctx;
};

struct engine {
	const struct fleet *f;
	struct monitor *m;
	struct transport *t; /* the engine thread's alone */
	struct logstreams *ls;
	struct nodeacts *acts;
	struct watchdog *wd;
	struct incidents *inc; /* NULL without a state folder */
	struct engine_opts o;
};

/* Make the engine (not yet running): NULL with a message when libcurl
 * cannot be set up. */
struct engine *engine_new(const struct fleet *f, const struct engine_opts *o,
			  char *msg, size_t msgsize);
/* Start the engine thread. 0, or -1 with a message. */
int engine_start(struct engine *e, char *msg, size_t msgsize);
/* Stop the engine thread, then give the watchdog up to drain_ms to
 * deliver what it still has (watch's last alerts). */
void engine_stop(struct engine *e, int64_t drain_ms);
/* Stops it if need be, writes open incidents as such, frees all. */
void engine_free(struct engine *e);

#endif
