/*
 * shareddoc: the fleet's shared state as one JSON document
 * (docs/shared-state.md), what every operator on every host must see
 * alike: each node's holds, re-arms, debug-mode and ERS marks, and the
 * procedures that are open.
 *
 *   {"fleet": "tsm", "version": 1, "updated": "...Z", "by": "ann@ops-1",
 *    "holds": {"node-1": [{"kind", "id", "reason", "owner", "since",
 *                          "until"}]},
 *    "rearm": {"node-2": "...Z"},
 *    "debug": {"node-1": {"node", "since", "procedure", "owner", "key",
 *                         "region", "backup"}},
 *    "ers":   {"node-0": {"node", "since", "procedure", "owner"}},
 *    "procedures": {"ID": {"kind", "what", "owner", "since", "updated",
 *                          "nodes": [..], "state", "step"}}}
 *
 * A change is an operation (a small JSON object, so that one made while
 * the shared copy cannot be reached can be kept and replayed later, with
 * its own owner and time) applied to the document: where the document
 * lives (S3, or this host's files alone) is proc/shared's business.
 *
 * This host's copy is spread over the files every reader already reads:
 * STATE/holds.json (holds.h), STATE/debug/NODE.json and
 * STATE/ers/NODE.json (marks.h), STATE/procs.json; loaded as one document
 * and stored whole under STATE/holds.lock, each file written anew and
 * renamed over the old one (0600).
 *
 * Owns the documents and operations it returns (cJSON_Delete).
 */
#ifndef BVOPS_SHAREDDOC_H
#define BVOPS_SHAREDDOC_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/holds.h"
#include "state/lockdoc.h"

/* The largest document read, here or from S3. */
#define SHAREDDOC_MAX ((size_t)4 << 20)

/* An empty document of fleet. */
cJSON *shareddoc_new(const char *fleet);
/* The document in text (where names it in messages): NULL with a message
 * when it is not JSON or a section is not an object. */
cJSON *shareddoc_parse(const char *where, const char *text, size_t len,
		       char *msg, size_t msgsize);
/* The document as text (a new string). */
char *shareddoc_print(const cJSON *doc);

/*
 * Operations, each made by this process's operator (whoami.h) now.
 * hold_add: node held (kind, id) for reason, for_ms (0: until lifted); the
 *   same kind and id again replaces it.
 * hold_remove: node's hold (kind, id) lifted; with any, every hold of that
 *   kind whoever's it is (a --force). A maintenance made before holds had
 *   ids (id "") is lifted by its owner's remove too.
 * rearm: node's auto-restart re-armed now.
 * mark: section "debug" or "ers": node's mark set to mark (owner and since
 *   added when missing), or cleared (mark NULL).
 * proc: the entry of open procedure id set (owner, since and updated
 *   added when missing) or cleared (entry NULL).
 */
cJSON *shareddoc_op_hold_add(const char *node, enum hold_kind kind,
			     const char *id, const char *reason,
			     int64_t for_ms);
cJSON *shareddoc_op_hold_remove(const char *node, enum hold_kind kind,
				const char *id, bool any);
/* An operator's maintenance is theirs alone: its id is their
 * "user@host", so another's --end never lifts it (unless any). */
cJSON *shareddoc_op_maint(const char *node, const char *reason, int64_t for_ms);
cJSON *shareddoc_op_maint_end(const char *node, bool any);
cJSON *shareddoc_op_rearm(const char *node);
cJSON *shareddoc_op_mark(const char *section, const char *node,
			 const cJSON *mark);
cJSON *shareddoc_op_proc(const char *id, const cJSON *entry);
/* Several operations as one (all, in order, in one write): the ops are
 * taken. */
cJSON *shareddoc_op_batch(cJSON *const *ops, size_t n);
/* "lift the maintenance of node-1" and the like, for messages. */
void shareddoc_op_describe(const cJSON *op, char *out, size_t size);

/*
 * Apply op to doc. *changed says whether it changed anything (a remove of
 * what is not there does not). 0, or -1 with a message (an operation this
 * bvops does not know, or one that is not well formed).
 */
int shareddoc_apply(cJSON *doc, const cJSON *op, bool *changed, char *msg,
		    size_t msgsize);

/* The owner ("user@host") and since (ms) of node's mark in section, or
 * false when it has none. */
bool shareddoc_mark(const cJSON *doc, const char *section, const char *node,
		    char *owner, size_t osize, int64_t *since_ms);

/* An open procedure nobody runs any longer (shareddoc_orphans). */
struct shareddoc_orphan {
	char id[200];
	char kind[64];
	char owner[160];    /* who ran it last ("user@host") */
	char state[32];     /* "running", "stopped", "rolling back" */
	char step[128];     /* the step it was at ("" before the first) */
	const cJSON *nodes; /* its nodes: in the document, while it lives */
	int64_t lost_ms;    /* when its lock ran out or it was left */
	bool expired;       /* its lock ran out (else: let go, or never) */
};

/*
 * The open procedures of doc that are left: the fleet lock (lock, as last
 * read) is not theirs and they were last heard of ttl_ms ago or more, or
 * it is theirs and expired. At most max into out; how many.
 */
size_t shareddoc_orphans(const cJSON *doc, const struct fleetlock_holder *lock,
			 int64_t now_ms, int64_t ttl_ms,
			 struct shareddoc_orphan *out, size_t max);

/* ---- this host's copy ---- */

/* Take STATE/holds.lock (blocking): a descriptor for shareddoc_unlock, or
 * -1 with a message. */
int shareddoc_lock(const char *state_dir, char *msg, size_t msgsize);
void shareddoc_unlock(int fd);
/* The document as this host's files have it (missing files are empty
 * sections). NULL with a message naming a broken file. */
cJSON *shareddoc_load_files(const char *state_dir, const char *fleet, char *msg,
			    size_t msgsize);
/* Write doc over this host's files (call under the lock): every section
 * whole, marks of nodes no longer in it removed. 0, or -1. */
int shareddoc_store_files(const char *state_dir, const cJSON *doc, char *msg,
			  size_t msgsize);
/* Load, apply op, store, under the lock: a change to this host's files
 * alone. *changed as shareddoc_apply (may be NULL). 0, or -1. */
int shareddoc_change_files(const char *state_dir, const char *fleet,
			   const cJSON *op, bool *changed, char *msg,
			   size_t msgsize);

#endif
