/*
 * awswork: the console's AWS calls, on one worker thread of their own.
 *
 * AWS calls are few and slow (a blocking libcurl request, retries with
 * back-off, IMDS for credentials): they never run on the engine loop or
 * the screen's thread, so a slow or unreachable AWS delays no health
 * check and no keypress. One thread for the whole fleet, not one per
 * node: jobs run one at a time.
 *
 * Jobs: the fleet's nitro status every [nitro] interval (when [nitro] is
 * on), a node's config (location + redacted text) on request, the
 * fleet's shared state (shared.h: this host's copy brought up to date,
 * and who holds the fleet's lock) every few seconds, and the nodes' key
 * policies, the witnesses of their debug mode, and whether each node's
 * AWS identity can be had, every few minutes. The
 * screen reads results through the getters (copies under a short lock)
 * and wakes on notify_fd.
 *
 * Owns the thread and every result; the fleet is borrowed and must
 * outlive it.
 */
#ifndef BVOPS_AWSWORK_H
#define BVOPS_AWSWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/awsid.h"
#include "proc/fleetlock.h"
#include "state/fleet.h"

struct awswork;

/* What a worker does besides fetching configs on request. */
struct awswork_opts {
	/* The fleet's state folder: kept in step with the shared state, and
	 * the key policies' witness written to it (NULL: neither). */
	const char *state_dir;
	bool nitro;  /* the nitro status, when [nitro] is on */
	bool access; /* whether each node's AWS identity can be had */
};

/* How often the shared state is looked at: 5 s, or BVOPS_SHARED_POLL_MS
 * (at least 200) for tests and benchmarks. */
long awswork_shared_poll_ms(void);

/* Start the worker; its first fetches are right away. */
struct awswork *awswork_start(const struct fleet *f,
			      const struct awswork_opts *o);
/* Stop it: the call in flight is cancelled (an IMDS look-up, which has
 * its own 2 s limit, may still finish first). */
void awswork_stop(struct awswork *w);

/* Readable (eventfd) when a result came; read 8 bytes to drain. */
int awswork_notify_fd(const struct awswork *w);
/* Bumped by every result: the screen redraws when it moves. */
unsigned long awswork_version(struct awswork *w);

/*
 * The latest nitro status of node k: true with *value, false when there
 * is none (off, not fetched yet, no datapoint, or the fetch failed).
 */
bool awswork_nitro(struct awswork *w, size_t k, double *value);
/* Why the last nitro fetch failed ("" when it did not), copied to out. */
void awswork_nitro_error(struct awswork *w, char *out, size_t size);

enum awswork_state {
	AWSWORK_NONE,   /* never asked */
	AWSWORK_BUSY,   /* asked, not there yet */
	AWSWORK_DONE,   /* text is the location and the redacted config */
	AWSWORK_FAILED, /* text is the message */
};

/* Ask for node k's config (again, if it was fetched before). */
void awswork_config_request(struct awswork *w, size_t k);
/* Its state, and with DONE or FAILED a copy of the text (new string). */
enum awswork_state awswork_config(struct awswork *w, size_t k, char **text);

/*
 * The fleet's lock (fleetlock.h), as the last look at the shared state
 * found it: true when someone holds it, *h says who, what and since when
 * (held false also when it could not be read).
 */
bool awswork_lock(struct awswork *w, struct fleetlock_holder *h);
/* Look again now (after a procedure of this console ended). */
void awswork_lock_request(struct awswork *w);

/* Whether node k's AWS identity can be had (awsid.h), as last asked: on
 * start, then every 5 minutes (every 30 s while one cannot). False while
 * not asked (a node that needs no AWS never is). */
bool awswork_access(struct awswork *w, size_t k, struct awsid_access *out);

/* Node k's key policy as last read (on start, then every 3 minutes, for
 * nodes with a kms_stack): 1 its PCR8 is the debug zeros, 0 not, -1
 * unknown. Also written to STATE/witness.json (marks.h) for the
 * engine. */
int awswork_policy(struct awswork *w, size_t k);
/* Read them again now (a node went in or out of debug mode). */
void awswork_policy_request(struct awswork *w);

#endif
