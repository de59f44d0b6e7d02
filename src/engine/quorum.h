/*
 * quorum: what taking nodes down does to the fleet's ability to sign,
 * said before any restart or stop that a procedure makes (the console's
 * R/S/U say it from their own snapshot). One round of /ping checks of
 * every node, all in parallel (about one [health] timeout), then how
 * many stay up while the named nodes are down, against [fleet] quorum.
 *
 * Blocking; owns nothing past a call.
 */
#ifndef BVOPS_QUORUM_H
#define BVOPS_QUORUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/fleet.h"

struct quorum_effect {
	bool checked;     /* the round ran (else the counts are unknown) */
	size_t total;     /* nodes in the fleet */
	size_t up_now;    /* answering /ping 200 now */
	size_t up_during; /* of those, not among the nodes taken down */
	int64_t quorum;
	bool below; /* up_during < quorum (or unknown: assume the worst) */
};

/*
 * The effect of taking nodes (names, n of them) down, as a text for the
 * operator in out ("Health now: 3 of 3 up; while node-1 is down 2 are up,
 * quorum 2: the fleet can still sign." or a WARNING when it cannot).
 */
void quorum_effect(const struct fleet *f, const char *const *nodes, size_t n,
		   struct quorum_effect *e, char *out, size_t size);

#endif
