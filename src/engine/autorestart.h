/*
 * autorestart: restart a node after repeated failed checks, within
 * limits, without ever endangering the MPC quorum (docs/watch.md).
 *
 * Per node: after [health] restart_after consecutive failed checks, the
 * node's restart command runs (nodeact.h, [health] restart_timeout);
 * exit 0 starts a grace period ([health] restart_grace) in which no
 * failure is counted; a failure waits a back-off that doubles from
 * restart_backoff up to restart_backoff_max. At most max_restarts within
 * restart_window: past that it gives up on the node until an operator
 * re-arms it. systemd's start limit ("Start request repeated too
 * quickly") is its own state, cleared only by an operator.
 *
 * Fleet-wide guards: one restart in flight at a time; none that would
 * leave fewer nodes up than [fleet] quorum; when more nodes fail than the
 * fleet can lose and keep its quorum, one grouped alert and no restart.
 * A node on hold (maintenance, a procedure, an operator's stop) is never
 * restarted.
 *
 * Owns its per-node state; borrows the fleet, the monitor and the node
 * actions. Engine thread only.
 */
#ifndef BVOPS_AUTORESTART_H
#define BVOPS_AUTORESTART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/alert.h"
#include "engine/monitor.h"
#include "engine/nodeact.h"
#include "state/fleet.h"

/* Each alert autorestart raises goes to emit (seq and time unset). */
typedef void (*autorestart_emit_fn)(void *ctx, struct alert *a);

struct autorestart;

struct autorestart *autorestart_new(const struct fleet *f, struct monitor *m,
				    struct nodeacts *acts,
				    autorestart_emit_fn emit, void *ctx);
void autorestart_free(struct autorestart *ar);

/* Look at new check results and running restarts (engine thread). */
void autorestart_step(struct autorestart *ar, int64_t mono_ms);

/* Hold a node (no restart) with a reason, or release it (reason NULL). */
void autorestart_hold(struct autorestart *ar, size_t node, const char *reason);
/* An operator's re-arm: out of GAVE_UP or START_LIMIT, counts reset. */
void autorestart_rearm(struct autorestart *ar, size_t node);

#endif
