/*
 * prockind: the procedure kinds, one table (docs/procedures.md). For each
 * kind of journal (config edit, debug mode, ERS rollout) what resume,
 * rollback and abandon do and how it describes itself, so that the
 * command line and the console dispatch a journal the same way, in one
 * place.
 *
 * Abandon is the same for every kind: the journal is closed "abandoned"
 * with where it stood, its holds on its nodes are lifted (holds.h; any
 * other hold stays) and the fleet lock is let go if it is still that
 * procedure's. What the procedure left on the nodes stays as it is
 * (a node in debug mode stays recorded so).
 *
 * Blocking; owns nothing past a call.
 */
#ifndef BVOPS_PROCKIND_H
#define BVOPS_PROCKIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc/cfgedit.h"
#include "proc/procedure.h"
#include "proc/procstatus.h"
#include "state/fleet.h"
#include "state/procjournal.h"

/* One resume, rollback or abandon of journal id, and its operator. */
struct prockind_run {
	const struct fleet *f;
	const char *state_dir;
	const char *id;
	bool yes;         /* --yes: stands for every confirmation */
	bool force;       /* --force: over another operator's (audited) */
	bool restart;     /* config edit: restart after the upload */
	uint64_t wait_ms; /* for /ping 200 after a restart (3m) */
	const struct cfgedit_ui *edit_ui; /* a config edit's operator */
	const struct procedure_ui *ui;    /* the others' */
};

struct prockind {
	const char *name; /* "config edit", "debug mode", "ERS rollout" */
	bool (*owns)(const char *kind);
	/* Resume (rollback false) or roll back; abandon. Each an
	 * (enum proc_status), msg on failure. */
	int (*proceed)(const struct prockind_run *r, bool rollback, char *msg,
		       size_t msgsize);
	int (*abandon)(const struct prockind_run *r, char *msg, size_t msgsize);
	/* What the journal is about: "config edit of node-1". */
	void (*describe)(const struct procjournal_view *v, char *out,
			 size_t size);
};

/* The kind of a journal's begin record kind, or NULL. */
const struct prockind *prockind_find(const char *kind);
/* The kind of journal id; NULL with a message when it cannot be read or
 * this bvops has no steps for its kind. */
const struct prockind *prockind_of(const char *state_dir, const char *id,
				   char *msg, size_t msgsize);
/* Abandon as every kind does (also a journal of a kind this bvops does
 * not know). */
int prockind_abandon(const struct prockind_run *r, char *msg, size_t msgsize);
/* What journal v is about, by its kind ("" unknown). */
void prockind_describe(const struct procjournal_view *v, char *out,
		       size_t size);

#endif
