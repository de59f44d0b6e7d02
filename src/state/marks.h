/*
 * marks: what bvops recorded of the nodes it left in a non-default state,
 * read by every layer that reports on them (status, watch, the console).
 *
 * Owns nothing beyond one call. STATE/debug/NODE.json says bvops put the
 * node in debug mode (written and removed by debugmode); STATE/ers/NODE.json
 * says it left the node with the ERS configuration (written and removed
 * by ers). Both hold {"node", "since" (ISO 8601), "procedure"}.
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

/* True when bvops put node in debug mode (and has not taken it out), with
 * since (ms since the epoch) and the procedure's id. */
bool marks_debug_get(const char *state_dir, const char *node, int64_t *since_ms,
		     char *id, size_t idsize);

/* How many nodes bvops left with the ERS configuration, and since when
 * (the oldest, ms since the epoch). */
size_t marks_ers_count(const char *state_dir, int64_t *since_ms);

#endif
