/*
 * cfgedit: the guided config edit as a procedure (docs/procedures.md):
 * read config.toml and its ETag, let the operator edit a private copy,
 * validate it (an invalid edit is never uploaded and never lost), show the
 * diff (secrets redacted), back up, upload with If-Match on the ETag read
 * at the start (someone else's change is never overwritten), then restart
 * the node and wait for its /ping. The steps (read, edit, backup, upload,
 * restart, wait) run on the procedure engine (procedure.h) like debug mode
 * and the ERS rollout: each journaled before and after it acts, under the
 * fleet lock (procctx.h), so an interrupted edit is resumed or rolled back
 * (the upload's undo) by the same engine; `config restore` puts a backup
 * back the same way.
 *
 * The terminal (or the console) is reached only through struct cfgedit_ui.
 * Blocking; owns nothing past a call.
 */
#ifndef BVOPS_CFGEDIT_H
#define BVOPS_CFGEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"
#include "proc/fleetlock.h"
#include "proc/procstatus.h"
#include "state/fleet.h"

struct cfgedit_ui {
	void *ctx;
	/* Run the operator's editor on path; 0, or -1 with a message. */
	int (*edit)(void *ctx, const char *path, char *msg, size_t msgsize);
	/* Ask; returns the first character of the answer, or 0 when there
	 * is nobody to ask (no terminal). */
	int (*ask)(void *ctx, const char *question);
	/* Ask for a typed line (a name that confirms); -1 when there is
	 * nobody to ask. */
	int (*ask_line)(void *ctx, const char *question, char *out,
			size_t size);
	/* Text for the operator (may hold a coloured diff). */
	void (*say)(void *ctx, const char *text);
	/* Told once the journal is open and the lock taken (may be NULL):
	 * the procedure's id and where the lock is. */
	void (*started)(void *ctx, const char *id, const char *lock);
	/* About once a second while a step runs (may be NULL). */
	void (*tick)(void *ctx);
	bool colour;
	bool console; /* in the console's wizard (procedure_ui.console) */
};

struct cfgedit_opts {
	bool dry_run;       /* show the diff, change nothing */
	bool yes;           /* confirm the upload without asking */
	bool force;         /* over another operator's session (audited) */
	bool restart;       /* restart the node after the upload */
	bool show_secrets;  /* the diff unredacted */
	uint64_t wait_ms;   /* how long to wait for /ping after a restart */
	const char *backup; /* restore: this backup (NULL: the newest) */
};

/* bvops config edit NODE: an enum proc_status, msg on failure. */
int cfgedit_run(const struct fleet *f, const struct fleet_node *n,
		const char *state_dir, const struct cfgedit_opts *o,
		const struct cfgedit_ui *ui, char *msg, size_t msgsize);

/* bvops config restore NODE [--backup KEY]: the same with a backup's text
 * instead of an editor. */
int cfgedit_restore(const struct fleet *f, const struct fleet_node *n,
		    const char *state_dir, const struct cfgedit_opts *o,
		    const struct cfgedit_ui *ui, char *msg, size_t msgsize);

/* Is kind one of ours ("config-edit", "config-restore")? */
bool cfgedit_kind(const char *kind);

/*
 * Remove the plain texts kept beside journal id (the config read, the
 * edit, the editor's private folder unless keep_edit): once it has ended
 * they are of no use, and they may hold secrets.
 */
void cfgedit_texts_forget(const char *state_dir, const char *id,
			  bool keep_edit);

/* Continue, or undo, the config edit journaled as id. */
int cfgedit_resume(const struct fleet *f, const char *state_dir, const char *id,
		   const struct cfgedit_opts *o, const struct cfgedit_ui *ui,
		   char *msg, size_t msgsize);
int cfgedit_rollback(const struct fleet *f, const char *state_dir,
		     const char *id, const struct cfgedit_opts *o,
		     const struct cfgedit_ui *ui, char *msg, size_t msgsize);

#endif
