/*
 * procjournal: the journal of one procedure (a config edit, debug mode,
 * an ERS rollout), so that after a crash or a kill -9 at any point bvops
 * knows exactly which step on which node was under way (docs/procedures.md).
 *
 * STATE/procedures/ID.jsonl, one JSON record per line, each written with
 * one write() and fsync'd before the call returns:
 *
 *   {"rec":"begin","id","seq","kind","fleet","user","host","time",
 *    "nodes":[..],"steps":[..],"params":{..}}
 *   {"rec":"step","step","node","state":"start"|"done"|"failed",
 *    "time","data":{..},"message"}
 *   {"rec":"undo", same fields}         a rollback's steps
 *   {"rec":"end","outcome":"done"|"failed"|"abandoned"|"rolled_back",
 *    "time","message"}
 *
 * A torn last line (a crash in the middle of a write) is ignored when
 * read. Owns the structs it returns.
 */
#ifndef BVOPS_PROCJOURNAL_H
#define BVOPS_PROCJOURNAL_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct procjournal;

/*
 * Start a new journal for kind on nodes (steps: the plan's step names;
 * params: copied). Writes the begin record. NULL with a message.
 */
struct procjournal *procjournal_begin(const char *state_dir, const char *fleet,
				      const char *kind,
				      const char *const *nodes, size_t nnodes,
				      const char *const *steps, size_t nsteps,
				      const cJSON *params, char *msg,
				      size_t msgsize);
/* Open an existing journal to append to it (resume, rollback). */
struct procjournal *procjournal_open(const char *state_dir, const char *id,
				     char *msg, size_t msgsize);
void procjournal_close(struct procjournal *j);
const char *procjournal_id(const struct procjournal *j);
/* The last record this descriptor wrote (its line, no newline; NULL
 * before the first) and its number in the journal (*seq; 0 the begin
 * record), for copying it elsewhere. */
const char *procjournal_last(const struct procjournal *j, long *seq);
const char *procjournal_state_dir(const struct procjournal *j);

/*
 * Append one record: rec "step" or "undo" with state, or "end" (step and
 * node NULL, state the outcome). data (may be NULL) is copied. 0, or -1
 * with a message (the caller must not act when this fails).
 */
int procjournal_write(struct procjournal *j, const char *rec, const char *step,
		      const char *node, const char *state, const cJSON *data,
		      const char *message, char *msg, size_t msgsize);

/* What a journal says, read back. */
struct procjournal_view {
	cJSON *begin;        /* the begin record (owned) */
	cJSON *records;      /* array of every later record (owned) */
	const char *outcome; /* the end's, or NULL: not ended */
	/* The last step record: where it stands (NULL when none). */
	const cJSON *last;
};

/* Read STATE/procedures/ID.jsonl. 0, or -1 with a message. */
int procjournal_read(const char *state_dir, const char *id,
		     struct procjournal_view *v, char *msg, size_t msgsize);
void procjournal_view_free(struct procjournal_view *v);
/* The same from a journal's text (changed in place; path for messages). */
int procjournal_parse(const char *path, char *text, struct procjournal_view *v,
		      char *msg, size_t msgsize);

/* The newest step record of step on node ("step" records only), or
 * NULL. */
const cJSON *procjournal_find(const struct procjournal_view *v,
			      const char *step, const char *node);

/* The ids under STATE/procedures, newest first (the caller frees each
 * and the array): by the begin record's seq, a number that
 * STATE/procedures/seq hands out in order, so two journals begun in one
 * second keep theirs; journals without one (older) by their time. 0, or
 * -1 with a message. */
int procjournal_list(const char *state_dir, char ***ids, size_t *n, char *msg,
		     size_t msgsize);

#endif
