/*
 * shared: the fleet's shared state where every operator on every host
 * sees it (docs/shared-state.md): found, read, changed, and this host's
 * copy kept in step with it.
 *
 * In S3, under s3://BUCKET/PREFIX ([fleet] state; by default the fleet
 * lock's place: the config bucket of the fleet's first node, "bvops"):
 *
 *   PREFIX/lock-FLEET.json                  the fleet lock (fleetlock.h)
 *   PREFIX/FLEET/state.json                 the document (shareddoc.h),
 *                                           written only with If-Match or
 *                                           If-None-Match: *
 *   PREFIX/FLEET/journals/ID/NNNNNN.json    each journal record, and
 *   PREFIX/FLEET/audit/STAMP-HOST-PID-N.json  each audit record, created
 *                                           with If-None-Match: *, never
 *                                           rewritten
 *
 * On this host: the document spread over the state folder's files
 * (shareddoc.h), what the last look found (sharedstatus.h), changes made
 * with --offline waiting in STATE/pending.jsonl, and records waiting to
 * be copied up in STATE/outbox/ (eventlog.h puts audit records there).
 * A lost answer is read back; a fleet that uses no AWS at all has no
 * shared state and keeps to this host's files.
 *
 * Blocking AWS calls, safe from several threads (one client under a
 * mutex; this host's files under STATE/holds.lock). Owns nothing past a
 * call.
 */
#ifndef BVOPS_SHARED_H
#define BVOPS_SHARED_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/fleet.h"
#include "state/sharedstatus.h"

enum shared_reach {
	SHARED_NONE,        /* the fleet has no shared state */
	SHARED_OK,          /* read just now */
	SHARED_UNREACHABLE, /* it has one, and it could not be read */
};

/* --offline: go ahead on this host's view when the shared state cannot
 * be reached (process-wide; every such change is audited and kept to be
 * copied up). */
void shared_set_offline(bool on);
bool shared_is_offline(void);

/* Has fleet f a shared state: [fleet] state is an s3:// place, or (by
 * default) its nodes' configs are in AWS (config_ssm_param, instance_id
 * or kms_stack on a node). */
bool shared_wanted(const struct fleet *f);

/*
 * Bring this host's copy up to date: where the state lives (found once,
 * then kept in STATE/shared.json), what waits to be copied up, the
 * document and the lock (each a conditional GET: a 304 costs no body).
 * What was found is written to STATE/shared.json. SHARED_UNREACHABLE
 * with why in msg.
 */
enum shared_reach shared_sync(const struct fleet *f, const char *state_dir,
			      char *msg, size_t msgsize);

/*
 * Before an action changes anything: shared_sync, then 0 when it may go
 * ahead (the state was read, the fleet has none, or it cannot be read and
 * --offline was given: *offline then says so), or -1 with "shared state
 * unreachable since ...: nothing done; --offline ..." in msg.
 */
int shared_ready(const struct fleet *f, const char *state_dir, bool *offline,
		 char *msg, size_t msgsize);

/*
 * Apply op (shareddoc.h; taken) to the shared state, then to this host's
 * copy: read, applied, written with If-Match (If-None-Match: * for the
 * first), again from the top when someone else wrote in between, a lost
 * answer read back. Without a shared state: this host's files. When it
 * cannot be reached: with --offline this host's files and the op kept in
 * STATE/pending.jsonl, else -1 and nothing changed. *changed (may be
 * NULL) says whether it changed anything. 0, or -1 with a message.
 * f may be NULL where the state folder was looked at before (a
 * procedure's own records).
 */
int shared_change(const struct fleet *f, const char *state_dir, cJSON *op,
		  bool *changed, char *msg, size_t msgsize);

/* Record seq (0 the begin record) of journal id, as written (line without
 * its newline): kept in the outbox and copied up at once, on the calling
 * thread with a client of its own (several threads copy side by side);
 * what cannot go now waits for the next look. */
void shared_journal_copy(const char *state_dir, const char *id, long seq,
			 const char *line);
/* Copy up what waits in the outbox: how many records are still left. */
size_t shared_flush(const char *state_dir);

/*
 * Journal id as the shared state has it (every record copied up, in
 * order): a new string of JSON lines, or NULL with a message (no such
 * journal, no shared state, unreachable).
 */
char *shared_journal_text(const char *state_dir, const char *id, char *msg,
			  size_t msgsize);
/*
 * Make journal id this host's from the shared copy when this host does
 * not have it (a take-over of another host's procedure): 1 when it was
 * fetched, 0 when this host had it, -1 with a message.
 */
int shared_journal_fetch(const char *state_dir, const char *id, char *msg,
			 size_t msgsize);

/*
 * Journal id as this host has it, brought up to date with the shared
 * copy: records another host added after this host's last (it took the
 * procedure over) appended. How many were, or -1 with a message.
 */
long shared_journal_update(const char *state_dir, const char *id, char *msg,
			   size_t msgsize);

/* S3 object of the shared state: "s3://BUCKET/PREFIX/FLEET/" into out
 * ("" without one). */
/* bvops access: where the shared state is and whether the fleet's
 * identity can read it (read only: its document and the fleet's lock;
 * neither there yet is fine). Each *_err "" when ok. Blocks. */
struct shared_access {
	bool shared; /* the fleet has a shared state */
	char where[1000];
	char identity[400];
	char locate_err[600];
	char state_err[600];
	char lock_err[600];
};
void shared_access_probe(const struct fleet *f, struct shared_access *out);

void shared_describe_where(const struct shared_status *st, char *out,
			   size_t size);

#endif
