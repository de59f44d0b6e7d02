/*
 * eventlog: append-only records under the fleet's state folder
 * ($XDG_STATE_HOME/bvops/FLEET, else ~/.local/state/bvops/FLEET; 0700,
 * files 0600): events.log (every alert and outcome, JSON lines) and
 * audit.log (who did what to which node, and the result).
 *
 * Each record is one write() to a file opened O_APPEND, so records from
 * several bvops processes never interleave and nothing waits in a buffer;
 * a file past EVENTLOG_ROTATE_BYTES is renamed to .1 (the older .1 to
 * .2, and so on up to EVENTLOG_KEEP) before the next record.
 */
#ifndef BVOPS_EVENTLOG_H
#define BVOPS_EVENTLOG_H

#include <stddef.h>

#define EVENTLOG_ROTATE_BYTES ((long)10 << 20)
#define EVENTLOG_KEEP         3

/* Append one line (a newline is added) to dir/name; 0, or -1 with a
 * message. */
int eventlog_append(const char *dir, const char *name, const char *line,
		    char *msg, size_t msgsize);

/*
 * One audit record: {"time", "user", "host", "action", "node", "result"}
 * appended to dir/audit.log, and put in dir/outbox/ (when there is one:
 * the fleet has a shared state) to be copied up (proc/shared.h).
 */
int eventlog_audit(const char *dir, const char *action, const char *node,
		   const char *result, char *msg, size_t msgsize);

#endif
