/*
 * ers: the ERS rollout across every node of the fleet, as procedures on
 * the engine (procedure.h; docs/ers.md).
 *
 * Apply merges an ERS fragment (ersfrag.h) into every node's config.toml
 * (static and dynamic): the plan (every node's diff, the order) is shown
 * and confirmed by the fleet's name; then, journaled, under the fleet lock,
 * every node held from bvops watch, the steps run on all nodes in
 * parallel, each step finished everywhere before the next:
 *   stop     the node's stop command, then wait until it is really
 *            stopped (no /ping answer, no enclave)   (undo: start, wait)
 *   backup   a copy of the config as read, beside it in the bucket
 *   upload   the merged text, If-Match on the ETag read; the node is
 *            marked ERS-active (STATE/ers/NODE.json)  (undo: the text as
 *            read, or only the fragment taken out when someone changed
 *            the config since)
 *   start    the node's start command                 (undo: stop)
 *   wait     /ping 200 again, or the journal's last lines
 * Revert is the same procedure with the fragment taken out again: exactly
 * what the apply added (its journal), or, for an apply made by hand, what
 * a fragment says; every other change made meanwhile is kept. After an
 * interrupted apply, revert rolls that apply back.
 *
 * Blocking; owns nothing past a call.
 */
#ifndef BVOPS_ERS_H
#define BVOPS_ERS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc/procedure.h"
#include "proc/procstatus.h"
#include "state/fleet.h"

struct ers_opts {
	bool yes;              /* stands for the typed fleet name */
	bool force;            /* over another operator's session (audited) */
	bool dry_run;          /* the plan only */
	bool show_secrets;     /* diffs unredacted */
	const char *fragment;  /* a fragment file, or NULL */
	const char *preset;    /* a preset's name, or NULL */
	uint64_t wait_ms;      /* for /ping 200 after the start (3m) */
	uint64_t stop_wait_ms; /* for a node to be really stopped (1m) */
};

/* bvops ers apply / revert: an enum proc_status; *id (may be
 * NULL) gets the procedure's id, a new string, once it is begun. */
int ers_apply(const struct fleet *f, const char *state_dir,
	      const struct ers_opts *o, const struct procedure_ui *ui,
	      char **id, char *msg, size_t msgsize);
int ers_revert(const struct fleet *f, const char *state_dir,
	       const struct ers_opts *o, const struct procedure_ui *ui,
	       char **id, char *msg, size_t msgsize);

/* Is kind one of ours ("ers-apply", "ers-revert")? */
bool ers_kind(const char *kind);
/* Resume or roll back journal id of one of our kinds. */
int ers_continue(const struct fleet *f, const char *state_dir, const char *id,
		 bool rollback, const struct ers_opts *o,
		 const struct procedure_ui *ui, char *msg, size_t msgsize);

/*
 * bvops ers status: per node, whether its stored config has the ERS
 * configuration, whether that agrees with the others, whether the node
 * was started after the config last changed; and any ERS procedure open.
 * A new JSON object in *out; an exit code (0 consistent, 1 mixed or a
 * procedure open, 3 AWS failed for a node).
 */
int ers_status(const struct fleet *f, const char *state_dir,
	       const struct ers_opts *o, cJSON **out, char *msg,
	       size_t msgsize);

#endif
