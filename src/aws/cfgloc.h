/*
 * cfgloc: where a node's config.toml lives, found the way the deployment
 * wrote it down (the operations guide's "Edit the Configuration Files"):
 *
 *   instance tags CONFIG_SSM_PARAM and EnclaveName
 *     -> SSM parameter CONFIG_SSM_PARAM: JSON {"SHARD_SSM_PARAM_ARN": ARN}
 *     -> SSM parameter ARN, in the ARN's region: JSON {"CONFIG_BUCKET": B}
 *     -> s3://B/EnclaveName/config.toml, in that region.
 *
 * The fleet file's config_ssm_param and enclave_name stand in for the
 * tags when given. Otherwise the tags are read through IMDS when bvops
 * runs on that very instance (IMDS's instance-id is the node's
 * instance_id), else with EC2 DescribeInstances (by instance_id, or by
 * the tag EnclaveName = enclave_name).
 *
 * Owns the strings of a struct cfgloc (cfgloc_free). Blocking calls.
 */
#ifndef BVOPS_CFGLOC_H
#define BVOPS_CFGLOC_H

#include <stddef.h>

#include "aws/aws.h"
#include "state/fleet.h"

struct cfgloc {
	char *ssm_param;    /* CONFIG_SSM_PARAM */
	char *enclave;      /* EnclaveName */
	char *instance_id;  /* or NULL when not needed */
	char tags_from[48]; /* "fleet file", "IMDS", "EC2 DescribeInstances" */
	char *shard_param;  /* SHARD_SSM_PARAM_ARN */
	char *region;       /* the shard parameter's: bucket and KMS stack */
	char *bucket;       /* CONFIG_BUCKET */
	char *key;          /* EnclaveName/config.toml */
};

/*
 * Resolve n's config location; region is the fleet's (for the first
 * parameter and EC2). Returns 0, or -1 with a message that starts with
 * the node's name and says which step failed.
 */
int cfgloc_resolve(struct aws_client *a, const char *region,
		   const struct fleet_node *n, struct cfgloc *out, char *msg,
		   size_t msgsize);
void cfgloc_free(struct cfgloc *l);

struct buf;
/* The location as "what: value" lines (node, instance, tags from, the
 * chain, region, object), appended to b. */
void cfgloc_describe(const struct fleet_node *n, const struct cfgloc *l,
		     struct buf *b);

#endif
