/*
 * nodewait: after a procedure restarts a node, wait until its /ping
 * answers 200 again (or, before a change, until it is really stopped),
 * and when it does not come back, fetch the last lines of its
 * journal, which say why more often than not.
 *
 * Blocking; owns nothing past a call.
 */
#ifndef BVOPS_NODEWAIT_H
#define BVOPS_NODEWAIT_H

#include <stddef.h>
#include <stdint.h>

#include "state/fleet.h"

/* Wait at most wait_ms for node idx's /ping to answer 200 (checked at the
 * fleet's health interval, at most every second). 0, or -1 with a
 * message. */
int nodewait_up(const struct fleet *f, size_t idx, uint64_t wait_ms, char *msg,
		size_t msgsize);

/* Wait at most wait_ms until node idx is really stopped: /ping gives no
 * HTTP answer at all and enclave_state (when the node has one) shows no
 * enclave. 0, or -1 with a message saying which check still fails. */
int nodewait_down(const struct fleet *f, size_t idx, uint64_t wait_ms,
		  char *msg, size_t msgsize);

/* The last lines (at most max) of n's journal command, a new string the
 * caller frees; NULL when there is nothing to show. */
char *nodewait_journal_tail(const struct fleet *f, const struct fleet_node *n,
			    int max);

/*
 * What every procedure does after it restarts a node: nodewait_up, then
 * "NODE is up" through say; when the node does not come back, the last
 * 15 lines of its journal through say as well, and -1 with the message.
 * say gets whole lines (ctx is its own).
 */
int nodewait_up_or_journal(const struct fleet *f, size_t idx, uint64_t wait_ms,
			   void (*say)(void *ctx, const char *text), void *ctx,
			   char *msg, size_t msgsize);

#endif
