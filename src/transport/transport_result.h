/*
 * transport_result: what a command run on a node gave back, shared by the
 * transport and its backends (ssh, local, ssmcmd) so that none of them
 * needs the others' headers.
 *
 * Owns the two output buffers of one result.
 */
#ifndef BVOPS_TRANSPORT_RESULT_H
#define BVOPS_TRANSPORT_RESULT_H

#include <stdbool.h>
#include <stddef.h>

struct transport_result {
	int exit_status; /* 0..255, or -1 when killed or timed out */
	bool timed_out;
	char *out; /* NUL-terminated; owned, free with transport_result_free */
	size_t out_len;
	char *err;
	size_t err_len;
	bool truncated; /* more output than max_output came and was dropped */
};

/* Free r's buffers (r itself is the caller's); safe to call twice. */
void transport_result_free(struct transport_result *r);

#endif
