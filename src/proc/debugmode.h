/*
 * debugmode: Nitro debug mode entered and left as procedures on the
 * engine (procedure.h; docs/debug.md).
 *
 * Enter: find the node's key (CloudFormation resource ShardKMSKeyNitro of
 * its kms_stack, in its config's region), read the key policy, show the
 * one-line diff (kmspolicy.h: PCR8 becomes 96 zeros), confirm by the
 * node's name; then, journaled under the fleet lock:
 *   backup   the exact original text: STATE/debug/backups/ID.policy.json
 *            and a tagged object backups/kms-policy/ENCLAVE.ID.json in
 *            the node's config bucket (it is also in the journal)
 *   policy   put the debug policy, read it back (undo: the original)
 *   restart  the node's debug_restart (undo: protected_restart)
 *   mark     STATE/debug/NODE.json: in debug mode since when (undo: gone)
 * Exit: restore the exact original (refused over a policy someone else
 * changed unless the operator saw the diff and confirmed), read it back
 * byte for byte, protected_restart, wait for /ping, and only then clear.
 *
 * Blocking; owns nothing past a call.
 */
#ifndef BVOPS_DEBUGMODE_H
#define BVOPS_DEBUGMODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"
#include "aws/cfgloc.h"
#include "proc/procedure.h"
#include "proc/procstatus.h"
#include "state/fleet.h"

struct debugmode_opts {
	bool yes;         /* stands for the typed confirmation */
	bool force;       /* over another operator's session (audited) */
	bool dry_run;     /* show the plan and the diff only */
	uint64_t wait_ms; /* exit: how long to wait for /ping */
};

/* bvops debug enter NODE / exit NODE: an enum proc_status; *id
 * (may be NULL) gets the procedure's id, a new string. */
int debugmode_enter(const struct fleet *f, const struct fleet_node *n,
		    const char *state_dir, const struct debugmode_opts *o,
		    const struct procedure_ui *ui, char **id, char *msg,
		    size_t msgsize);
int debugmode_exit(const struct fleet *f, const struct fleet_node *n,
		   const char *state_dir, const struct debugmode_opts *o,
		   const struct procedure_ui *ui, char *msg, size_t msgsize);

/* Is kind one of ours ("debug-enter", "debug-exit")? */
bool debugmode_kind(const char *kind);
/* Resume or roll back journal id of one of our kinds. */
int debugmode_continue(const struct fleet *f, const char *state_dir,
		       const char *id, bool rollback,
		       const struct debugmode_opts *o,
		       const struct procedure_ui *ui, char *msg,
		       size_t msgsize);

/* The enclave's own mode from enclave_state: 1 DEBUG_MODE, 0 not, -1
 * unknown (with a message). */
int debugmode_enclave(const struct fleet *f, const struct fleet_node *n,
		      char *msg, size_t msgsize);

#endif
