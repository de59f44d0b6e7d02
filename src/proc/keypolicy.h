/*
 * keypolicy: a node's KMS key (CloudFormation resource ShardKMSKeyNitro
 * of its kms_stack, in its config's region) and what its live policy says
 * of debug mode: the witness every procedure and screen believes over any
 * mark (docs/debug.md). A zero PCR8 bvops did not record is "DEBUG MODE
 * (not recorded by bvops)".
 *
 * Blocking AWS calls; owns nothing past a call.
 */
#ifndef BVOPS_KEYPOLICY_H
#define BVOPS_KEYPOLICY_H

#include <stddef.h>

#include "aws/aws.h"
#include "aws/cfgloc.h"
#include "state/fleet.h"

/*
 * Where node n's KMS key is: the region of its config's KMS stack
 * (cfgloc.h) and the key's id from the stack's resource; the config's
 * location too into *loc when not NULL (the caller frees it). 0, or -1
 * with why (no kms_stack, AWS).
 */
int keypolicy_node_key(const struct fleet *f, const struct fleet_node *n,
		       struct aws_client *a, char *region, size_t rsize,
		       char *key, size_t ksize, struct cfgloc *loc, char *msg,
		       size_t msgsize);

/* The key policy's PCR8 now: 1 zeros (debug), 0 not, -1 with a message
 * (no kms_stack, no key, no policy, no single PCR8). */
int keypolicy_live(const struct fleet *f, const struct fleet_node *n, char *msg,
		   size_t msgsize);

/*
 * Before a node is restarted, stopped or started by a procedure or an
 * action: for a node with a kms_stack whose live policy has the zero PCR8
 * while bvops has no debug mark for it (state_dir's copy of the shared
 * state), a line saying so into out (true); false when it is not so, or
 * the policy cannot be read (that is said by the procedures that need
 * it).
 */
bool keypolicy_unrecorded_debug(const struct fleet *f,
				const struct fleet_node *n,
				const char *state_dir, char *out, size_t size);

#endif
