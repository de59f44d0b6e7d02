/*
 * procctx: what every procedure on the engine does around its steps
 * (docs/procedures.md): take the fleet lock under the procedure's id, keep
 * it renewed while the steps run, let it go, hold its nodes from bvops
 * watch (no auto-restart, no paging) while it runs, and ask for the typed
 * name that confirms it.
 *
 * Blocking; owns nothing past a call except the struct fleetlock it fills.
 */
#ifndef BVOPS_PROCCTX_H
#define BVOPS_PROCCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"
#include "proc/fleetlock.h"
#include "proc/procedure.h"
#include "state/fleet.h"

/* How long procedures take the lock for (lockdoc_ttl_ms: 15 minutes);
 * they renew it as they go. */
int64_t procctx_lock_ttl_ms(void);

/*
 * Take the fleet's lock for procedure id doing what. 0 (where, when not
 * NULL, says "yours until ... (s3://...)"), or -1 with a message (held by
 * someone else: who, and what to do). A journal begun for it that has not
 * started a step is then closed (abandoned, "not started: why"): a
 * refusal leaves no open procedure behind.
 */
int procctx_lock(const struct fleet *f, struct aws_client *a, const char *id,
		 const char *what, struct fleetlock *out, char *where,
		 size_t wsize, char *msg, size_t msgsize);

/*
 * Has journal id ended? Then msg says so ("ID has ended (OUTCOME): nothing
 * to do"), and what it may have left when killed after its end record is
 * let go: its holds, and the fleet lock when it still holds it from this
 * host (audited). procctx_lock does the same for such a lock in its way.
 */
bool procctx_ended(const struct fleet *f, const char *state_dir, const char *id,
		   char *msg, size_t msgsize);

/* Renew the lock when a third of its time has passed since *renewed_ms
 * (updated). 0, or -1 when it was lost (msg says so). */
int procctx_lock_keep(struct aws_client *a, struct fleetlock *l,
		      int64_t *renewed_ms, char *msg, size_t msgsize);

/* Hold node for procedure id (on), or lift that procedure's hold (off),
 * leaving every other hold on the node, in the fleet's shared state
 * (shared.h). 0, or -1 with a message in msg (may be NULL). */
int procctx_hold(const struct fleet *f, const char *state_dir, const char *node,
		 const char *id, bool on, char *msg, size_t msgsize);
/* The same for n nodes at once (one write of the shared state). */
int procctx_hold_all(const struct fleet *f, const char *state_dir,
		     const char *const *nodes, size_t n, const char *id,
		     bool on, char *msg, size_t msgsize);

/*
 * Before a procedure stops or restarts nodes (names, n): say what that
 * does to the quorum (quorum.h), then, unless yes, ask question (y/N).
 * true to go on; false with a message when declined or when there is
 * nobody to ask (no terminal, no --yes): nothing may change then.
 */
bool procctx_confirm_disruption(const struct fleet *f, const char *const *nodes,
				size_t n, bool yes,
				const struct procedure_ui *ui,
				const char *question, char *msg,
				size_t msgsize);
/*
 * Before a resume (or a rollback) of journal v by def: when what is left
 * stops or restarts nodes (procedure_disrupted), the same: the quorum
 * effect, then "Resume ID, stopping or restarting NODES? [y/N]" unless
 * yes. true to go on (also when nothing is left that touches a node).
 */
bool procctx_confirm_continue(const struct fleet *f,
			      const struct procedure_def *def,
			      const struct procjournal_view *v, bool rollback,
			      bool yes, const struct procedure_ui *ui,
			      const char *id, char *msg, size_t msgsize);
/* Only say it (a typed name confirms what follows). */
void procctx_say_quorum(const struct fleet *f, const char *const *nodes,
			size_t n, const struct procedure_ui *ui);

/*
 * The confirmation of a procedure that must not be started by a stray
 * key: the operator types name ("Type the fleet's name (tsm) to WHAT: ").
 * true when typed exactly; false with a message (nobody to ask, or
 * something else typed): nothing may change then.
 */
bool procctx_confirm_name(const struct procedure_ui *ui, const char *label,
			  const char *name, const char *what, char *msg,
			  size_t msgsize);

/*
 * Before anything is done to nodes (names, n) by action ("restart",
 * "ERS apply", ...): what other operators have on them, from this host's
 * copy of the shared state (shared_ready read it just before): their
 * debug sessions, their holds (maintenance, a stop on purpose, their
 * procedures'), and with witness a debug mode nobody recorded (the live
 * key policy of a node with a kms_stack, read now: keypolicy.h; debug
 * mode's own procedures, which deal with the policy themselves, go
 * without). Each is said, with whose it is, since when and from which
 * host. Then: with force, go on (*over gets what was overridden, for the
 * audit); with yes alone, refuse (--yes never overrides another
 * operator's session); on a terminal the operator types the node's name
 * (the fleet's, for several); else refuse. true to go on (also when
 * nothing is theirs; *over is then ""); false with a message.
 */
bool procctx_guard(const struct fleet *f, const char *state_dir,
		   const char *const *nodes, size_t n, const char *action,
		   bool witness, bool yes, bool force,
		   const struct procedure_ui *ui, char *over, size_t osize,
		   char *msg, size_t msgsize);
/*
 * What every procedure does before it acts on its nodes: the fleet's
 * shared state read (shared_ready: refused while it cannot be reached,
 * unless --offline), then procctx_guard. PROC_OK to go on, with note
 * (for the audit) saying what was forced over and whether it went on
 * offline; else PROC_REMOTE or PROC_STOPPED with a message.
 */
int procctx_before(const struct fleet *f, const char *state_dir,
		   const char *const *nodes, size_t n, const char *action,
		   bool witness, bool yes, bool force,
		   const struct procedure_ui *ui, char *note, size_t nsize,
		   char *msg, size_t msgsize);

/* What others have on node, one line each into out ("" when nothing);
 * how many. */
size_t procctx_claims(const char *state_dir, const char *node, char *out,
		      size_t size);

/*
 * The ways on from a procedure left open, in the words of where the
 * operator is: the commands (bvops procedure resume ID ...) on the
 * command line, the wizard's keys (r, b, a) in the console. retry and
 * undo say what resume and rollback would do. A new string.
 */
char *procctx_ways_on(bool console, const char *id, const char *retry,
		      const char *undo);

#endif
