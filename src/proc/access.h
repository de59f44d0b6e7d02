/*
 * access: what `bvops access` shows an operator at the start of an
 * incident, before a procedure needs it (docs/aws.md). For the shared
 * state and for every node: the identity bvops calls AWS as (STS
 * GetCallerIdentity: account, ARN) and a read-only probe of each thing a
 * procedure will need: the node's config and its versions, its key
 * policy, the shared state and the fleet's lock. Nothing is written,
 * so a permission to write is not proven by it.
 *
 * Blocking (a thread per node); the report owns its entries.
 */
#ifndef BVOPS_ACCESS_H
#define BVOPS_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/awsid.h"
#include "state/fleet.h"

#define ACCESS_PROBES_MAX 4

struct access_probe {
	char name[24]; /* "config", "versions", "key-policy", "state", ... */
	bool ok;
	char fact[1024]; /* what was read, or why not (AWS's error) */
};

struct access_entry {
	char name[128];         /* the node's, or "shared state" */
	struct awsid_access id; /* id.needed false: nothing to probe */
	char note[200];         /* why there is nothing to probe, or "" */
	struct access_probe probes[ACCESS_PROBES_MAX];
	size_t nprobes;
};

struct access_report {
	struct access_entry shared; /* as the fleet's identity */
	struct access_entry *nodes; /* one per node of the fleet */
	size_t n;
	size_t failed; /* identities not had, and probes not ok */
};

void access_run(const struct fleet *f, struct access_report *r);
void access_report_free(struct access_report *r);

#endif
