/*
 * holds: what keeps bvops watch from restarting or paging a node, and
 * operators' re-arms of auto-restart, shared by every bvops process of a
 * fleet through one small file, $XDG_STATE_HOME/bvops/FLEET/holds.json:
 *
 *   {"holds": {"node-1": [
 *       {"kind": "maintenance", "id": "ann@host", "reason": "kernel update",
 *        "owner": "ann@host", "since": "...Z", "until": "...Z"|null},
 *       {"kind": "procedure", "id": "20261202T...-ers-apply", ...},
 *       {"kind": "stop", "id": "", "reason": "stopped ...", ...}]},
 *    "rearm": {"node-2": "...Z"}}
 *
 * A node's holds are a set: an operator's maintenance, each procedure
 * that runs on it, a stop from the console. Each is added and lifted by
 * its owner alone (kind and id name it), so a procedure never ends a
 * maintenance and `maintenance --end` never ends a procedure's hold; the
 * node is held while any of them is. (The older file shape, one
 * "maintenance" entry per node, is read as such holds.)
 *
 * The file is this host's copy of the holds of the fleet's shared state
 * (shareddoc.h writes it, whole, under holds.lock, through a temporary
 * file renamed over it): a reader never sees half a file.
 * Owns the struct holds it fills.
 */
#ifndef BVOPS_HOLDS_H
#define BVOPS_HOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hold_kind {
	HOLD_MAINTENANCE, /* an operator's; id "" */
	HOLD_PROCEDURE,   /* a procedure's; id is the procedure's */
	HOLD_STOP,        /* stopped on purpose; id "" */
	HOLD_OTHER,       /* a kind this bvops does not know: still a hold */
};

struct hold {
	char node[128];
	enum hold_kind kind;
	char id[200];
	char reason[256];
	char owner[160];
	int64_t since_ms; /* wall clock */
	int64_t until_ms; /* wall clock; 0: until lifted */
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

/* A hold on node in force at now_ms (the first of them), or NULL. */
const struct hold *holds_active(const struct holds *h, const char *node,
				int64_t now_ms);
/* The hold of that kind and id on node in force at now_ms, or NULL. */
const struct hold *holds_find(const struct holds *h, const char *node,
			      enum hold_kind kind, const char *id,
			      int64_t now_ms);
/* How many holds on node are in force at now_ms. */
size_t holds_count(const struct holds *h, const char *node, int64_t now_ms);
/* When node was last re-armed (0: never). */
int64_t holds_rearmed(const struct holds *h, const char *node);

/* "maintenance: kernel update (ann@host)", "procedure ID (ann@host)",
 * "stopped on purpose from the console (ann@host)". */
void holds_describe(const struct hold *x, char *out, size_t size);
const char *holds_kind_name(enum hold_kind kind);

/* The older file shape (one "maintenance" entry per node) in j made
 * into holds, in place. */
struct cJSON;
void holds_migrate_json(struct cJSON *j);

#endif
