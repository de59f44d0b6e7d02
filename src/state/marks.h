/*
 * marks: what bvops recorded of the nodes it left in a non-default state,
 * read by every layer that reports on them (status, watch, the console).
 *
 * Owns nothing beyond one call. STATE/debug/NODE.json says bvops put the
 * node in debug mode (written and removed by debugmode); STATE/ers/NODE.json
 * says it left the node with the ERS configuration (written and removed
 * by ers). Both hold {"node", "since" (ISO 8601), "procedure", "owner"};
 * a debug mark also the key, its region and where the original policy's
 * backup is. They are this host's copy of the fleet's shared state
 * (shareddoc.h).
 */
#ifndef BVOPS_MARKS_H
#define BVOPS_MARKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The mark file of node, or with node NULL the folder (caller frees). */
char *marks_debug_path(const char *state_dir, const char *node);
char *marks_ers_path(const char *state_dir, const char *node);

/* Where the console of a node in debug mode is recorded (a new string):
 * STATE/debug/NODE.console.log. */
char *marks_debug_record_path(const char *state_dir, const char *node);

/* A node's debug mark, as recorded. */
struct marks_debug {
	int64_t since_ms;
	char procedure[200];
	char owner[160]; /* "user@host" of who entered it; "" when unknown */
	char key[256];
	char region[64];
	char backup[600]; /* s3://... of the original key policy, or "" */
};

/* Node's debug mark into *m: true when there is one. */
bool marks_debug_read(const char *state_dir, const char *node,
		      struct marks_debug *m);

/* True when bvops put node in debug mode (and has not taken it out), with
 * since (ms since the epoch) and the procedure's id. */
bool marks_debug_get(const char *state_dir, const char *node, int64_t *since_ms,
		     char *id, size_t idsize);

/*
 * The witness of debug mode: what a node's live key policy said when it
 * was last read (STATE/witness.json, written by whoever read it): 1 its
 * PCR8 is the debug zeros, 0 it is not, -1 unknown (never read, or
 * unreadable); *read_ms (may be NULL) when.
 */
int marks_witness_get(const char *state_dir, const char *node,
		      int64_t *read_ms);
/* Record it (value 1, 0 or -1) now. Best effort. */
void marks_witness_set(const char *state_dir, const char *node, int value);

/* How many nodes bvops left with the ERS configuration, and since when
 * (the oldest, ms since the epoch). */
size_t marks_ers_count(const char *state_dir, int64_t *since_ms);

#endif
