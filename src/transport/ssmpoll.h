/*
 * ssmpoll: a transport's streams over SSM, emulated by polling, for all
 * of its nodes on one thread.
 *
 * SSM runs commands to completion and hands back their output at the
 * end, through AWS calls that block; the engine's loop reads streams
 * from descriptors. So each stream here is a job of this one thread,
 * whose output it writes into a socket pair; the engine reads the other
 * end like a local command's pipe. Two kinds of job:
 * - a command run to completion (restart, stop, ...): its stdout then
 *   stderr, then the end of the stream and the command's exit status;
 * - the journal followed (ssmjournal.h): one poll every poll interval,
 *   each new line exactly once, until the reader closes it.
 * A job's AWS calls are steps (ssmcmd.h), so one slow command does not
 * hold the other nodes' streams. No thread per node: one per transport,
 * started with its first job.
 *
 * Owns the thread, its AWS client and the jobs. A job's reader owns the
 * reading descriptor and hands the job back with ssmpoll_job_close().
 */
#ifndef BVOPS_SSMPOLL_H
#define BVOPS_SSMPOLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ssmpoll;
struct ssmpoll_job;

struct ssmpoll *ssmpoll_new(void);
/* Stops the thread (a call in flight is cancelled) and frees every job;
 * their readers must have closed them. */
void ssmpoll_free(struct ssmpoll *p);

/* Where a job runs: strings copied. */
struct ssmpoll_target {
	const char *node, *region, *instance_id;
};

/*
 * Run line to completion (stopped after timeout_ms). *fd: the reading
 * end (non-blocking), owned by the caller until ssmpoll_job_close.
 */
struct ssmpoll_job *ssmpoll_command(struct ssmpoll *p,
				    const struct ssmpoll_target *t,
				    const char *line, long timeout_ms, int *fd);
/* Follow the journal with poll_line (the expanded journal_poll
 * template), every interval_ms. */
struct ssmpoll_job *ssmpoll_journal(struct ssmpoll *p,
				    const struct ssmpoll_target *t,
				    const char *poll_line, int64_t interval_ms,
				    int *fd);

/* After the end of its output: the exit status (-1 when it did not run
 * or was killed) and why it failed ("" when it did not) copied to err. */
int ssmpoll_job_status(struct ssmpoll_job *j, char *err, size_t errsize);
/* The command was taken by SSM (for "connected" in the panes). */
bool ssmpoll_job_running(struct ssmpoll_job *j);
/* The reader is done with it: its command is cancelled if it still
 * runs, and the job freed by the thread. */
void ssmpoll_job_close(struct ssmpoll_job *j);

#endif
