/*
 * transport: run a node's [commands] on the node.
 *
 * Owns the child processes it starts (each in its own process group, so a
 * stop kills the whole pipeline) and the streams it returns. Commands are
 * expanded from the node's templates (values checked and quoted by
 * template.h) before they run.
 *
 * Transports: "local" runs through /bin/sh -c on this machine (bvops on
 * the node itself, the usual SSM-session case); "none" refuses every
 * action with a clear word; "ssh" and "ssm" are not in this version and
 * say so.
 */
#ifndef BVOPS_TRANSPORT_H
#define BVOPS_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "fleet.h"

struct transport_result {
	int exit_status; /* 0..255, or -1 when killed or timed out */
	bool timed_out;
	char *out; /* NUL-terminated; owned, free with transport_result_free */
	size_t out_len;
	char *err;
	size_t err_len;
	bool truncated; /* more output than max_output came and was dropped */
};

/*
 * Run cmd on node n to completion, keeping at most max_output bytes of
 * each of stdout and stderr, and killing it after timeout_ms. Returns 0
 * with *r filled (even for a failing command), or -1 with a message when
 * it could not be run at all.
 */
int transport_run(const struct fleet_node *n, enum fleet_cmd cmd,
		  long timeout_ms, size_t max_output,
		  struct transport_result *r, char *msg, size_t msgsize);
void transport_result_free(struct transport_result *r);

struct transport_stream;

/* Called with each complete line (no newline; len bytes, may hold NUL). */
typedef void (*transport_line_fn)(void *ctx, const char *line, size_t len,
				  bool cut);

/* Start cmd on n as a stream; NULL with a message on failure. */
struct transport_stream *transport_stream_open(const struct fleet_node *n,
					       enum fleet_cmd cmd, char *msg,
					       size_t msgsize);
/* The descriptor to poll for input. */
int transport_stream_fd(const struct transport_stream *s);
/*
 * Read what is there and hand over complete lines. Returns 0 while the
 * stream goes on, 1 when it ended (the last partial line is delivered),
 * -1 on a read error.
 */
int transport_stream_read(struct transport_stream *s, transport_line_fn fn,
			  void *ctx);
/* Stop the command (its whole process group) and free the stream.
 * Returns its exit status, or -1 if it was killed. */
int transport_stream_close(struct transport_stream *s);

/* Longest line handed over in one piece; longer ones come cut. */
#define TRANSPORT_LINE_MAX 16384

#endif
