/*
 * statedir: where bvops keeps what it must remember of a fleet, and the
 * name of every file in it (docs/architecture.md lists them).
 *
 *   $XDG_STATE_HOME/bvops/FLEET/   (else ~/.local/state/bvops/FLEET/)
 *     audit.log events.log         eventlog
 *     holds.json holds.lock        holds
 *     procedures/ID.jsonl seq      procjournal
 *     procedures/ID.old.toml       cfgedit, while ID is open: the text
 *       ID.new.toml ID.edit/       read, the edit, the editor's copy
 *     debug/NODE.json ers/NODE.json  marks
 *     procs.json                   shareddoc: the open procedures
 *     shared.json                  sharedstatus: the shared state's place
 *     witness.json                 marks: the key policies as last read
 *     pending.jsonl outbox/        shared: what waits to be copied up
 *     incidents/ID.json            incident_file, incident
 *     watch.lock                   the watch
 *     logs/                        saved panes (the console)
 *
 * Owns nothing: every path returned is a new string the caller frees.
 */
#ifndef BVOPS_STATEDIR_H
#define BVOPS_STATEDIR_H

#include <stddef.h>

/* The fleet's state folder, or sub (may be NULL) inside it; not created. */
char *statedir_path(const char *fleet_name, const char *sub);
/* The fleet's state folder, created 0700 (parents too) if missing; NULL
 * with a message when it cannot be. */
char *statedir_open(const char *fleet_name, char *msg, size_t msgsize);
/* state_dir/folder/NAME+suffix (folder, name may be NULL: left out). */
char *statedir_file(const char *state_dir, const char *folder, const char *name,
		    const char *suffix);

#endif
