/*
 * logstream: the nodes' log streams (journal, console) as bounded rings,
 * kept open while somebody watches them and reconnected with capped
 * back-off when the command or the link drops, each gap marked.
 *
 * Owns one logring per (node, source), the transport streams feeding them
 * and an epoll set of their descriptors; borrows the fleet and the
 * transport. The engine thread drives it (logstreams_step when its
 * descriptor is ready, and at least every few hundred ms); readers lock it
 * to read the rings. Health transitions are written into every ring of
 * their node as marked lines, at the moment they happen.
 *
 * A step costs what is ready, not what is open: it reads the streams whose
 * descriptors are ready (all of them twice a second), at most 512 KiB in
 * all and 64 KiB per stream, and starts at most 32 commands; what it puts
 * off comes first in the next step, which it asks for at once. So floods
 * on many streams share the engine fairly and never hold its other work.
 */
#ifndef BVOPS_LOGSTREAM_H
#define BVOPS_LOGSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/logring.h"
#include "state/fleet.h"
#include "transport/transport.h"

/* The two sources a pane can show. */
enum logstream_source { LOGSTREAM_JOURNAL, LOGSTREAM_CONSOLE, LOGSTREAM_NSRC };

enum logstream_state {
	LOGSTREAM_IDLE,       /* nobody watches */
	LOGSTREAM_CONNECTING, /* started, nothing yet */
	LOGSTREAM_LIVE,       /* lines may come */
	LOGSTREAM_WAITING,    /* ended or failed; retrying at retry_at */
	LOGSTREAM_STOPPED,    /* failed for good (host key, keys) */
};

/* What a reader sees of one stream (under the lock). */
struct logstream_view {
	const struct logring *ring;
	enum logstream_state state;
	int64_t last_line_ms; /* monotonic; 0: none yet */
	int64_t retry_at_ms;
	const char *error; /* the last failure, "" when none */
	/* STOPPED because this key file needs a passphrase, else NULL. */
	const char *passphrase_key;
};

struct logstreams;

/* Streams for every node of f, through t (both borrowed); scrollback is
 * the lines kept per stream. */
struct logstreams *logstreams_new(const struct fleet *f, struct transport *t,
				  size_t scrollback);
void logstreams_free(struct logstreams *ls);

/* A descriptor that is readable when a stream has something. */
int logstreams_fd(const struct logstreams *ls);
/* Readable when a ring or a stream changed since it was last drained
 * (read its 8 bytes): the console sleeps on it. */
int logstreams_notify_fd(const struct logstreams *ls);
/* Read, reconnect, resynchronise descriptors (engine thread). */
void logstreams_step(struct logstreams *ls);

/*
 * Watch (or stop watching) node's source: watchers are counted, the
 * stream runs while there is one. Thread-safe; the engine starts it on its
 * next step.
 */
void logstreams_watch(struct logstreams *ls, size_t node,
		      enum logstream_source src, bool on);
/* Write a marked line (LOGRING_HEALTH) into every ring of node. */
void logstreams_mark(struct logstreams *ls, size_t node, const char *text);

/*
 * Keep every line of node's src stream in the file path as it arrives
 * (created 0600, appended, never through a symlink), each after its ISO
 * 8601 arrival time, at most max bytes: past that one line says the rest
 * was not kept. path NULL stops it (the file stays). From the engine's
 * thread. 0, or -1 with why.
 */
int logstreams_record(struct logstreams *ls, size_t node,
		      enum logstream_source src, const char *path, size_t max,
		      char *msg, size_t msgsize);

/*
 * The operator's passphrase for key_path (both copied; the copy is wiped
 * once the engine has handed it to the transport). Streams stopped for
 * want of it start again. Thread-safe.
 */
void logstreams_passphrase(struct logstreams *ls, const char *key_path,
			   const char *passphrase);

/* Readers: lock, view, unlock; a view is valid until the unlock. */
void logstreams_lock(struct logstreams *ls);
void logstreams_unlock(struct logstreams *ls);
struct logstream_view logstreams_view(const struct logstreams *ls, size_t node,
				      enum logstream_source src);
/* Changes whenever any ring gets a line or a stream changes state. */
uint64_t logstreams_version(struct logstreams *ls);
/* The same, for a reader that holds the lock. */
uint64_t logstreams_version_locked(const struct logstreams *ls);

const char *logstream_source_name(enum logstream_source src);

#endif
