/*
 * transport: run a node's [commands] on the node.
 *
 * A struct transport owns the ssh connections (one per node, shared by all
 * of that node's commands), the child processes it starts (each in its own
 * process group, so a stop kills the whole pipeline) and the streams it
 * returns. Commands are expanded from the node's templates (values checked
 * and quoted by template.h) before they run.
 *
 * Transports: "local" runs through /bin/sh -c on this machine (bvops on the
 * node itself, the usual SSM-session case); "ssh" runs over libssh2
 * (ssh.h); "none" refuses every action with a clear word; "ssm" is not in
 * this version and says so. Nothing here blocks except transport_run().
 */
#ifndef BVOPS_TRANSPORT_H
#define BVOPS_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "state/fleet.h"
#include "transport/ssh.h"
#include "transport/sshcfg.h"
#include "transport/transport_result.h"

struct transport;

/* A transport for the fleet's nodes; f (borrowed; may be NULL for
 * defaults) gives the [ssh] settings. */
struct transport *transport_new(const struct fleet *f);
/* Closes every connection; streams must be closed first. */
void transport_free(struct transport *t);
/* A passphrase for the encrypted key file at key_path (copied, wiped on
 * free); connections made from now on use it. */
void transport_set_passphrase(struct transport *t, const char *key_path,
			      const char *passphrase);
/* Move connections on: keepalives, dead links, channels being closed.
 * Call at least every few hundred ms while streams run. */
void transport_step(struct transport *t);

/*
 * Run cmd on node n to completion, keeping at most max_output bytes of
 * each of stdout and stderr, and stopping it after timeout_ms (connecting
 * included). Blocks: for the command line, not the console's loop. Returns
 * 0 with *r filled (even for a failing command), or -1 with a message when
 * it could not be run at all. Over ssh a timed-out command is abandoned
 * (its channel closed); the node ends it when it next writes.
 */
int transport_run(struct transport *t, const struct fleet_node *n,
		  enum fleet_cmd cmd, long timeout_ms, size_t max_output,
		  struct transport_result *r, char *msg, size_t msgsize);

/* The command line cmd runs on n (template expanded, values quoted): a
 * new string the caller frees, or NULL with why (no transport, no such
 * command, a bad value). */
char *transport_command(const struct fleet_node *n, enum fleet_cmd cmd,
			char *msg, size_t msgsize);

struct transport_stream;

/* Called with each complete line (no newline; len bytes, may hold NUL). */
typedef void (*transport_line_fn)(void *ctx, const char *line, size_t len,
				  bool cut);

/*
 * Start cmd on n as a stream (stdout and stderr merged); NULL with a
 * message when it cannot even start (no transport, bad template). Over
 * ssh it returns at once and connects while it is read.
 */
struct transport_stream *transport_stream_open(struct transport *t,
					       const struct fleet_node *n,
					       enum fleet_cmd cmd, char *msg,
					       size_t msgsize);
/* What to wait for: the descriptor (-1: none yet, just call again soon)
 * and *events (POLLIN, POLLOUT). */
int transport_stream_poll(const struct transport_stream *s, short *events);
/*
 * Read what is there and hand over complete lines. Returns 0 while the
 * stream goes on, 1 when it ended (the last partial line is delivered),
 * -1 when it failed (transport_stream_error says why).
 */
int transport_stream_read(struct transport_stream *s, transport_line_fn fn,
			  void *ctx);
/* The same, reading at most max bytes (then transport_stream_pending). */
int transport_stream_read_max(struct transport_stream *s, transport_line_fn fn,
			      void *ctx, size_t max);
const char *transport_stream_error(const struct transport_stream *s);
/* The command runs (over ssh: connected, signed in, started). */
bool transport_stream_running(const struct transport_stream *s);
/* When the stream failed because a key file needs a passphrase: its path
 * (valid until the stream is closed); else NULL. */
const char *transport_stream_passphrase_key(const struct transport_stream *s);
/* The failure will not go away by trying again (host key, keys refused,
 * passphrase needed): do not reconnect in a loop. */
bool transport_stream_permanent(const struct transport_stream *s);
/* The last read stopped at its budget with more to read: read again soon,
 * without waiting for the descriptor. */
bool transport_stream_pending(const struct transport_stream *s);
/* Ask a local command to end (SIGTERM to its process group) without
 * waiting: closing many streams, stop them all first, then close each. */
void transport_stream_stop(struct transport_stream *s);
/* Stop the command (its whole process group) and free the stream.
 * Returns its exit status, or -1 if it was killed. */
int transport_stream_close(struct transport_stream *s);

/* Most bytes one transport_stream_read() takes before it returns. */
#define TRANSPORT_READ_BUDGET ((size_t)1 << 20)

/* Longest line handed over in one piece; longer ones come cut. */
#define TRANSPORT_LINE_MAX 16384

/*
 * The ssh settings of node n: the fleet's (ssh = "[user@]host[:port]",
 * [ssh], ssh_proxy_command), and for what they leave unsaid OpenSSH's own
 * config, resolved by `ssh -G` ([ssh] config = "none": not read). cfg's
 * strings are borrowed from f, n and *keep (sshcfg_free it once cfg is
 * used). 0, or -1 with a message naming the node.
 */
int transport_ssh_settings(const struct fleet *f, const struct fleet_node *n,
			   struct ssh_config *cfg, struct sshcfg *keep,
			   char *msg, size_t msgsize);

#endif
