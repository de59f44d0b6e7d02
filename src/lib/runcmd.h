/*
 * runcmd: run a short command to its end and keep what it printed: its
 * stdout into a bounded buffer, the start of its stderr for a message.
 * The child gets no AWS secrets (childenv), /dev/null as stdin, and is
 * killed at the time limit. For helpers (ssh -G, a credential_process),
 * never for a node's commands (transport). Owns nothing past a call.
 */
#ifndef BVOPS_RUNCMD_H
#define BVOPS_RUNCMD_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

/*
 * Run argv (argv[0] looked up in PATH) for at most timeout_ms, stdout
 * appended to out (what passes its limit is dropped), stderr's first
 * errsize-1 bytes into err. Returns the exit status, 127 when argv[0] is
 * not found, -1 when it could not run or was killed (err says which).
 */
int runcmd_capture(char *const argv[], int64_t timeout_ms, struct buf *out,
		   char *err, size_t errsize);

#endif
