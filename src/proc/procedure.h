/*
 * procedure: the engine that runs a procedure's steps over its nodes
 * (docs/procedures.md), for the procedures that act on several nodes
 * (debug mode, an ERS rollout).
 *
 * A procedure is a list of named steps; every step runs on every node of
 * the procedure, on the nodes in parallel (at most width at once), and
 * the next step starts only when the step is done on every node. Each
 * (step, node) has a do and, where one exists, an undo. Every start and
 * outcome is a journal record (procjournal.h), fsync'd before the step
 * acts and after it ends, so that after a crash or a kill -9 at any point:
 *
 *   resume    runs again every (step, node) not journaled "done", in
 *             order (a step must be safe to repeat: it may have acted
 *             before the crash without the record saying so);
 *   rollback  runs the undo of every (step, node) that was started, in
 *             reverse, skipping those already undone;
 *   abandon   closes it as it stands, with a record that says where.
 *
 * A step that fails on a node stops the procedure at that step: nodes
 * already under way finish it, nodes not yet started do not start, no
 * later step starts, and the journal stays open ("failed") until the
 * operator picks retry (resume), rollback or abandon.
 *
 * Blocking; the steps run on threads of the call's own (joined before it
 * returns). Owns nothing past a call.
 */
#ifndef BVOPS_PROCEDURE_H
#define BVOPS_PROCEDURE_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "state/procjournal.h"

/*
 * One step. do_step fills data (an object; journaled with "done", handed
 * back to undo and to later steps through procedure_data()); undo gets the
 * data of the step's "done" record, or NULL when the step never finished.
 * Both may be called from several threads at once, one call per node.
 * 0, or -1 with a message.
 *
 * A do_step may also end the whole procedure where it stands, cleanly
 * (nothing left to do, the operator said no, or a failure that leaves
 * nothing to retry): it puts "end" (the outcome: "done", "abandoned" or
 * "failed") and, if it likes, "end_message" into data and returns
 * PROCEDURE_END. The step is journaled "done" ("failed" for a failed
 * end), no other node or step starts, and the journal is ended with that
 * outcome; procedure_start and procedure_resume then return PROCEDURE_END.
 */
#define PROCEDURE_END 1

struct procedure_step {
	const char *name;
	int (*do_step)(void *ctx, const char *node,
		       const struct procjournal_view *v, cJSON *data, char *msg,
		       size_t msgsize);
	/* NULL: nothing to undo (a check, a wait). */
	int (*undo)(void *ctx, const char *node, const cJSON *data, char *msg,
		    size_t msgsize);
	/* The step, or its undo, stops or restarts its node: before it runs
	 * again the operator is told the quorum effect and asked. */
	bool disrupts, undo_disrupts;
};

struct procedure_def {
	const char *kind; /* "debug-enter", "ers-apply", ... */
	const struct procedure_step *steps;
	size_t nsteps;
	void *ctx; /* handed to every step */
	/*
	 * Told of every journal record once it is on disk (from the step's
	 * thread, one call at a time): rec "step"/"undo"/"end", state
	 * "start"/"done"/"failed" or the outcome. May be NULL.
	 */
	void (*progress)(void *ctx, const char *rec, const char *step,
			 const char *node, const char *state,
			 const char *message);
	/* Called about once a second from the caller's thread while a
	 * step runs (a screen's clock: a countdown, a progress line); may
	 * be NULL. */
	void (*tick)(void *ctx);
	unsigned width; /* nodes at once; 0 means 8 */
};

/*
 * How a procedure that talks to its operator reaches them: the command
 * line (cmd.h) or the console's wizard (ui/wizard.h).
 */
struct procedure_ui {
	void *ctx;
	void (*say)(void *ctx, const char *text);
	/* Ask for a line; -1 when there is nobody to ask (no terminal). */
	int (*ask_line)(void *ctx, const char *question, char *out,
			size_t size);
	/* Told once the journal is begun and the lock taken (may be NULL). */
	void (*started)(void *ctx, const char *id);
	/* About once a second while a step runs (procedure_def.tick; may
	 * be NULL). */
	void (*tick)(void *ctx);
	bool colour;
	/* The operator is in the console's wizard: its keys, not commands,
	 * are the ways on (procctx_ways_on). */
	bool console;
};

/*
 * Begin a procedure of def on nodes (params: copied into the begin
 * record) and run it. *id (a new string, the caller frees; set whenever
 * the journal was begun) names it. 0 when every step is done on every
 * node (the journal is ended "done"); -1 with a message saying which
 * nodes are where when it stopped (the journal stays open);
 * PROCEDURE_END when a step ended it early (the journal is ended).
 */
int procedure_start(const struct procedure_def *def, const char *state_dir,
		    const char *fleet, const char *const *nodes, size_t nnodes,
		    const cJSON *params, char **id, char *msg, size_t msgsize);
/* Only the begin record (so that the caller can take the lock under the
 * procedure's id first); then procedure_resume runs it. */
int procedure_begin(const struct procedure_def *def, const char *state_dir,
		    const char *fleet, const char *const *nodes, size_t nnodes,
		    const cJSON *params, char **id, char *msg, size_t msgsize);
/* Continue journal id from where it stands (retry). The same returns. */
int procedure_resume(const struct procedure_def *def, const char *state_dir,
		     const char *id, char *msg, size_t msgsize);
/* Undo what journal id did, in reverse; ended "rolled_back" when all is
 * undone. 0, or -1 with a message (the journal stays open). */
int procedure_rollback(const struct procedure_def *def, const char *state_dir,
		       const char *id, char *msg, size_t msgsize);
/* A journal begun and refused before its first step (the lock was
 * someone else's): ended "abandoned", "not started: why". Nothing is done
 * to one that has started a step. */
void procedure_refused(const char *state_dir, const char *id, const char *why);
/* End it as it stands ("abandoned", with where it stood). */
int procedure_abandon(const char *state_dir, const char *id, char *msg,
		      size_t msgsize);

/* Where a journal stands, for lists and the console: "done", "rolled
 * back", "failed at STEP on NODE", "interrupted at STEP on NODE", ... */
void procedure_describe(const struct procjournal_view *v, char *out,
			size_t size);

/* The state ("start", "done", "failed") of the newest rec ("step" or
 * "undo") record of step on node, or NULL when there is none. */
const char *procedure_state(const struct procjournal_view *v, const char *rec,
			    const char *step, const char *node);

/*
 * The nodes that a resume (or a rollback) of journal v by def would stop
 * or restart: a disrupting step not yet done on them (or, rolling back,
 * a step started whose undo disrupts and is not yet undone). Up to max
 * names into out (borrowed from v); returns how many.
 */
size_t procedure_disrupted(const struct procedure_def *def,
			   const struct procjournal_view *v, bool rollback,
			   const char **out, size_t max);

/* The data of the "done" record of step on node, or NULL. */
const cJSON *procedure_data(const struct procjournal_view *v, const char *step,
			    const char *node);

#endif
