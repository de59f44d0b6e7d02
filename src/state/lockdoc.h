/*
 * lockdoc: the fleet lock's object (proc/fleetlock.h) as text, both
 * ways, for the procedures that take it and for every reader that only
 * looks at it (the shared state's sync, the console):
 *
 *   {"held": true, "id": "PROCEDURE-ID", "who": "ann", "host": "ops-1",
 *    "what": "config edit node-1", "since": "...Z", "expires": "...Z"}
 *   {"held": false, "released": "...Z", "by": "ann@ops-1", "how": "..."}
 *
 * Pure; owns nothing but the text it returns.
 */
#ifndef BVOPS_LOCKDOC_H
#define BVOPS_LOCKDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fleetlock_holder {
	bool held;
	char id[200];
	char who[128];
	char host[256];
	char what[256];
	int64_t since_ms, expires_ms;
	int64_t released_ms; /* held false: when it was let go (0: unknown) */
};

/* A procedure takes the lock for this long and renews it as it goes:
 * 15 minutes, unless BVOPS_LOCK_TTL_MS (ms, at least 1000) says
 * otherwise (tests of the renewal and of a lock left to expire). */
int64_t lockdoc_ttl_ms(void);

/* The object of a lock held by this process's operator for procedure id
 * doing what until now + ttl_ms (id NULL: released, how says why). A new
 * string. */
char *lockdoc_body(const char *id, const char *what, int64_t ttl_ms,
		   const char *how);
/* A lock object's text into *h; text that is not one counts as held (by
 * "unknown"), so nothing is ever taken over by mistake. */
void lockdoc_parse(const char *text, struct fleetlock_holder *h);
/* "ann@ops-1, config edit node-1 (procedure ID), since ..., expires ..."
 */
void lockdoc_describe(const struct fleetlock_holder *h, char *out, size_t size);

#endif
