/*
 * nodeact: restart, stop and start nodes (their [commands]) without
 * blocking anybody: the console asks, the engine thread runs the command
 * through the transport, the console reads the result.
 *
 * Owns the queue of actions and their results (the newest NODEACT_KEEP);
 * borrows the fleet and the transport. Every function but nodeacts_step is
 * thread-safe; nodeacts_step runs on the engine thread.
 */
#ifndef BVOPS_NODEACT_H
#define BVOPS_NODEACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/fleet.h"
#include "transport/transport.h"

#define NODEACT_KEEP       32
#define NODEACT_TIMEOUT_MS 120000

struct nodeact_result {
	uint64_t id;
	size_t node;
	enum fleet_cmd cmd;
	bool done;
	int exit_status;              /* -1: killed, timed out, or never ran */
	char output[512];             /* the last of its output, sanitized */
	char error[512];              /* why it could not run; "" when it ran */
	int64_t started_ms, ended_ms; /* wall clock */
};

struct nodeacts;

struct nodeacts *nodeacts_new(const struct fleet *f, struct transport *t);
void nodeacts_free(struct nodeacts *na);

/* Queue cmd on node; returns the action's id (never 0). */
uint64_t nodeacts_start(struct nodeacts *na, size_t node, enum fleet_cmd cmd);
/* The same with its own time limit (default NODEACT_TIMEOUT_MS). */
uint64_t nodeacts_start_timeout(struct nodeacts *na, size_t node,
				enum fleet_cmd cmd, int64_t timeout_ms);
/* Run what is queued, read what runs (engine thread). Returns true while
 * any action runs. */
bool nodeacts_step(struct nodeacts *na);
/* Copy action id's state into *r; false when it is unknown. */
bool nodeacts_get(struct nodeacts *na, uint64_t id, struct nodeact_result *r);

#endif
