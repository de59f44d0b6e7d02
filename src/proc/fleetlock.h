/*
 * fleetlock: the fleet-wide lock a procedure holds, so that two operators
 * (two bvops on different machines) never run procedures on one fleet at
 * once (docs/procedures.md).
 *
 * With S3 (the fleet's shared state lives there): one small JSON object,
 * s3://BUCKET/PREFIX/lock-FLEET.json, written only with conditional
 * writes: If-None-Match: * to create it, If-Match on the ETag read to take
 * a released lock, renew or release it. A lock past its expiry is stale,
 * but is broken only by an operator's explicit `bvops lock break`.
 * Without S3: the same JSON in STATE/lock.json, changed under an flock.
 *
 *   {"held": true, "id": "PROCEDURE-ID", "who": "ann", "host": "ops-1",
 *    "what": "config edit node-1", "since": "...Z", "expires": "...Z"}
 *   {"held": false, "released": "...Z", "by": "ann@ops-1"}
 *
 * Owns nothing beyond the structs it fills.
 */
#ifndef BVOPS_FLEETLOCK_H
#define BVOPS_FLEETLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"
#include "state/fleet.h"
#include "state/lockdoc.h"

/* Where the lock lives: bucket set (S3), else local_dir (a state dir). */
struct fleetlock_where {
	char region[64];
	char bucket[256];
	char key[300];
	char local_dir[4096];
};

/* A lock this process holds. */
struct fleetlock {
	struct fleetlock_where where;
	char etag[128]; /* S3: the lock object's ETag now */
	char id[200];
	char what[256];
	int64_t ttl_ms;
};

enum fleetlock_result {
	FLEETLOCK_ERROR = -1,
	FLEETLOCK_TAKEN = 0,
	FLEETLOCK_HELD = 1, /* by someone else: *other says who */
};

/* The S3 place for fleet: s3://bucket/PREFIX/lock-FLEET.json. */
void fleetlock_where_s3(struct fleetlock_where *w, const char *region,
			const char *bucket, const char *prefix,
			const char *fleet);
/* Where the fleet's lock lives: beside the fleet's shared state
 * (shared.h; by default the config bucket of its first node, prefix
 * "bvops"), so every procedure of the fleet meets it there; this host's
 * state folder for a fleet without one. Returns 0, or -1 with a
 * message. */
int fleetlock_where_fleet(const struct fleet *f, struct aws_client *a,
			  const char *region, struct fleetlock_where *w,
			  char *msg, size_t msgsize);
void fleetlock_where_local(struct fleetlock_where *w, const char *state_dir);

/*
 * Take the lock for procedure id doing what, for ttl_ms (renew before it
 * runs out). A lock already held by the same id (a resumed procedure) is
 * taken over. a may be NULL for a local lock.
 */
enum fleetlock_result fleetlock_take(struct aws_client *a,
				     const struct fleetlock_where *w,
				     const char *id, const char *what,
				     int64_t ttl_ms, struct fleetlock *out,
				     struct fleetlock_holder *other, char *msg,
				     size_t msgsize);
/* Push the expiry on. 0, or -1 (lost: someone broke it) with a message. */
int fleetlock_renew(struct aws_client *a, struct fleetlock *l, char *msg,
		    size_t msgsize);
/* Let it go. 0, or -1 with a message. */
int fleetlock_release(struct aws_client *a, struct fleetlock *l, char *msg,
		      size_t msgsize);
/* Who holds it now (held false: nobody). 0, or -1 with a message. */
int fleetlock_read(struct aws_client *a, const struct fleetlock_where *w,
		   struct fleetlock_holder *h, char *msg, size_t msgsize);
/* The operator's explicit break of the lock procedure id holds, and of
 * no other (as terraform's force-unlock LOCK_ID): 0, or -1 with a message
 * (another's, or taken anew while it was being broken). */
int fleetlock_break(struct aws_client *a, const struct fleetlock_where *w,
		    const char *id, char *msg, size_t msgsize);

#endif
