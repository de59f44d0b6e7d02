/*
 * holds: nodes in maintenance, and operators' re-arms of auto-restart,
 * shared by every bvops process of a fleet through one small file,
 * $XDG_STATE_HOME/bvops/FLEET/holds.json:
 *
 *   {"maintenance": {"node-1": {"reason": "...", "owner": "ann@host",
 *                               "since": "...Z", "until": "...Z"|null}},
 *    "rearm": {"node-2": "...Z"}}
 *
 * Writers take an flock on holds.lock, read, change, write a temporary
 * file and rename it over (0600): a reader never sees half a file.
 * Owns the struct holds it fills.
 */
#ifndef BVOPS_HOLDS_H
#define BVOPS_HOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hold {
	char node[128];
	char reason[256];
	char owner[160];
	int64_t since_ms; /* wall clock */
	int64_t until_ms; /* wall clock; 0: until ended by hand */
};

struct rearm {
	char node[128];
	int64_t at_ms;
};

struct holds {
	struct hold *v;
	size_t n;
	struct rearm *r;
	size_t nr;
};

/* Read dir/holds.json (a missing file is no hold). 0, or -1 with a
 * message naming the file. */
int holds_load(const char *dir, struct holds *h, char *msg, size_t msgsize);
void holds_free(struct holds *h);
/* The same from text (path for messages). */
int holds_parse(const char *path, const char *text, struct holds *h, char *msg,
		size_t msgsize);

/* The hold on node in force at now_ms, or NULL. */
const struct hold *holds_active(const struct holds *h, const char *node,
				int64_t now_ms);
/* When node was last re-armed (0: never). */
int64_t holds_rearmed(const struct holds *h, const char *node);

/*
 * Change the file under its lock: put node in maintenance (reason, for
 * for_ms, 0 = until ended), end it (reason NULL), or re-arm (rearm true).
 * owner is "user@host". 0, or -1 with a message.
 */
int holds_set(const char *dir, const char *node, const char *reason,
	      int64_t for_ms, bool rearm, char *msg, size_t msgsize);

#endif
