/*
 * ssmcmd: one command run to completion on one instance through SSM Run
 * Command (SendCommand of AWS-RunShellScript, then GetCommandInvocation
 * until it ends), as a step machine: each step makes at most one AWS call
 * and says when the next one is due, so one thread can drive many.
 *
 * What it takes care of:
 * - SSM cuts StandardOutputContent at 24,000 characters and
 *   StandardErrorContent at 8,000: the command is wrapped so that the
 *   node keeps its output in temporary files and sends back only what
 *   fits, with the full sizes in a first line ("bvops-ssm-output OUT
 *   ERR"), so a cut is known, never guessed.
 * - InvocationDoesNotExist right after SendCommand: asked again for up to
 *   SSMCMD_NOT_YET_MS.
 * - Throttling (after aws.h's own retries): the step backs off, up to 10 s
 *   between tries, until the command's time is up.
 * - At most ssmcmd_limit_set() commands in flight in the whole process
 *   (SendCommand to a final status); the others wait their turn.
 * - Statuses: Success and Failed with an exit code are results; TimedOut
 *   is a timeout; Cancelled, DeliveryTimedOut, Undeliverable and a Failed
 *   with no exit code mean it could not be run, with SSM's word for it.
 *   When bvops's own time limit passes first, the command is cancelled.
 *
 * Owns a struct ssmcmd and its strings; the aws_client is borrowed per
 * call (one per thread).
 */
#ifndef BVOPS_SSMCMD_H
#define BVOPS_SSMCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"
#include "transport/transport_result.h"

/* How long InvocationDoesNotExist is taken for "not yet". */
#define SSMCMD_NOT_YET_MS 15000
/* What fits in SSM's answer, with room for the size line. */
#define SSMCMD_OUT_FITS 23900
#define SSMCMD_ERR_FITS 7900

struct ssmcmd;

/*
 * A command line for node (name for messages) on instance_id in region,
 * stopped after timeout_ms, keeping at most max_output bytes of each of
 * stdout and stderr (and never more than fits). Nothing is sent yet.
 */
struct ssmcmd *ssmcmd_new(const char *node, const char *region,
			  const char *instance_id, const char *line,
			  long timeout_ms, size_t max_output);
/*
 * Do what is due at now_ms (monotonic): at most one AWS call. Returns 1
 * when the command ended (ssmcmd_result), else 0 with *next_ms the time
 * to step again.
 */
int ssmcmd_step(struct ssmcmd *c, struct aws_client *a, int64_t now_ms,
		int64_t *next_ms);
/*
 * After the last step: 0 with *r filled (the caller frees it with
 * transport_result_free; a failing command is a result too), or -1 with
 * why it could not be run.
 */
int ssmcmd_result(struct ssmcmd *c, struct transport_result *r, char *msg,
		  size_t msgsize);
/* The command id SSM gave it ("" before it was sent). */
const char *ssmcmd_id(const struct ssmcmd *c);
/* Free it; one still running on the node is cancelled (best effort, with
 * a, which may be NULL to skip that). */
void ssmcmd_free(struct ssmcmd *c, struct aws_client *a);

/* Run line to completion, blocking (for the command line and procedure
 * threads): transport_run's contract. */
int ssmcmd_run(struct aws_client *a, const char *node, const char *region,
	       const char *instance_id, const char *line, long timeout_ms,
	       size_t max_output, struct transport_result *r, char *msg,
	       size_t msgsize);

/* At most n commands in flight in this process (default 8). */
void ssmcmd_limit_set(int n);
/* How many are in flight now, and the most there ever were (tests). */
int ssmcmd_in_flight(int *most);

/*
 * The shell script that runs line and sends back at most out_max bytes of
 * its stdout and err_max of its stderr after a size line: a new string.
 */
char *ssmcmd_script(const char *line, size_t out_max, size_t err_max);
/*
 * Read the size line at the start of out: true with the full sizes and
 * the line's length; false when there is none (an SSM that ran nothing,
 * like an emulator's): then out is the output as it is.
 */
bool ssmcmd_unframe(const char *out, size_t len, size_t *out_total,
		    size_t *err_total, size_t *skip);

#endif
