/*
 * awsid: who each AWS call of a fleet is made as (docs/aws.md). Every call
 * about a node (its SSM chain in both regions, its config and backups in
 * S3, its KMS stack and key, its CloudWatch metric) is made as the node's
 * identity: its aws_profile, or its aws_role_arn (with aws_external_id)
 * assumed from the fleet's identity. Calls not tied to a node (the shared
 * state, discovery) are made as the fleet's: [fleet] aws_profile, else the
 * default chain, which --profile makes a profile.
 *
 * The structs returned point into the fleet: they live as long as it.
 */
#ifndef BVOPS_AWSID_H
#define BVOPS_AWSID_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/aws.h"
#include "aws/awscred.h"
#include "state/fleet.h"

struct aws_identity awsid_fleet(const struct fleet *f);
struct aws_identity awsid_node(const struct fleet *f,
			       const struct fleet_node *n);

/* New clients of those identities (aws_client_free them). */
struct aws_client *awsid_client_fleet(const struct fleet *f);
struct aws_client *awsid_client_node(const struct fleet *f,
				     const struct fleet_node *n);

/* Does every node call as the fleet does (one client serves them all)? */
bool awsid_uniform(const struct fleet *f);

/* Node n's identity, said: "profile node-2-admin", "role arn:... (from
 * the default chain)". */
void awsid_describe_node(const struct fleet *f, const struct fleet_node *n,
			 char *out, size_t size);

/* Does node n's work call AWS as its identity (a config in AWS, a KMS
 * stack, or the nitro metric)? */
bool awsid_node_needs_aws(const struct fleet *f, const struct fleet_node *n);

/* Whether an identity can be had, and whose it is. */
struct awsid_access {
	bool needed;        /* awsid_node_needs_aws (true for the fleet's) */
	bool checked;       /* asked (only when needed) */
	bool ok;            /* credentials, and STS knows them */
	char identity[400]; /* "profile node-2-admin", "role ...", ... */
	char account[32];   /* when ok */
	char arn[300];      /* when ok: the caller's ARN */
	char why[1024];     /* when not: "no AWS access: profile x: why" */
};

/* Node n's: its credentials loaded (an AssumeRole, an SSO cache, ...)
 * and STS GetCallerIdentity. Blocks (one or two calls). */
void awsid_access_node(const struct fleet *f, const struct fleet_node *n,
		       struct awsid_access *out);
/* The fleet's own identity (the shared state, discovery). */
void awsid_access_fleet(const struct fleet *f, struct awsid_access *out);
/*
 * Before a procedure changes anything: can every node of nodes (count;
 * NULL: the fleet's) that needs AWS have its identity? 0, with a line
 * per such node in who ("  node-1: role arn:... (account 222222222222)"),
 * or -1 with msg naming each node that cannot, and why, and saying that
 * nothing changed (a line per node when there are several).
 */
int awsid_require(const struct fleet *f, const struct fleet_node *const *nodes,
		  size_t count, char *who, size_t whosize, char *msg,
		  size_t msgsize);

/* Every node's into out[f->nnodes], each distinct identity asked once;
 * nodes that need no AWS are not asked (all: asked anyway). */
void awsid_access_nodes(const struct fleet *f, bool all,
			struct awsid_access *out);

#endif
