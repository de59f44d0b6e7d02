/*
 * sharedstatus: what this host knows of the fleet's shared state
 * (docs/shared-state.md), in STATE/shared.json: where it lives, whether
 * the last look reached it and since when it has not, the ETags of the
 * last document and lock read (for the next conditional GET), and who
 * held the fleet lock then. Written by proc/shared; read by every screen
 * that must say "shared state unreachable since T: this host's view
 * only" or "no shared state".
 *
 *   {"mode": "s3" | "none", "fleet", "region", "bucket", "prefix",
 *    "from", "resolved_for", "etag", "lock_etag", "lock": {...},
 *    "read": "...Z", "unreachable_since": "...Z" | null, "error": "..."}
 *
 * Owns nothing past a call.
 */
#ifndef BVOPS_SHAREDSTATUS_H
#define BVOPS_SHAREDSTATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/lockdoc.h"

struct shared_status {
	bool known;  /* STATE/shared.json was there */
	bool shared; /* mode "s3": the fleet has a shared state */
	char fleet[128];
	char region[64];
	char bucket[256];
	char prefix[300];       /* no '/' at either end */
	char from[200];         /* how it was found: "[fleet] state", ... */
	char resolved_for[400]; /* what the default was found from */
	char etag[128];         /* the document's, as last read */
	char lock_etag[128];
	bool have_lock; /* lock: as last read */
	struct fleetlock_holder lock;
	int64_t read_ms;              /* last time it was reached (wall) */
	int64_t unreachable_since_ms; /* 0: reached at the last look */
	char error[400];              /* why not, at the last look */
};

/* STATE/shared.json (a missing file: known false, the rest empty). */
void sharedstatus_read(const char *state_dir, struct shared_status *st);
/* Written anew and renamed over it. 0, or -1 with a message. */
int sharedstatus_write(const char *state_dir, const struct shared_status *st,
		       char *msg, size_t msgsize);

/* True when the fleet has a shared state that the last look missed. */
bool sharedstatus_unreachable(const struct shared_status *st);
/*
 * For every screen, one line: "" when all is well, "no shared state"
 * for a fleet without one, else "shared state unreachable since HH:MM:SS
 * (2m ago): this host's view only (why)"; with pending changes made
 * offline, how many wait to be copied up.
 */
void sharedstatus_describe(const struct shared_status *st, size_t pending,
			   int64_t now_ms, char *out, size_t size);

/* How many changes made offline wait in STATE/pending.jsonl. */
size_t sharedstatus_pending(const char *state_dir);

#endif
