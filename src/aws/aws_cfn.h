/*
 * aws_cfn: CloudFormation DescribeStackResource (query protocol over
 * aws.h): which physical resource a stack's logical resource is, e.g. the
 * key id behind a KMS stack's ShardKMSKeyNitro.
 */
#ifndef BVOPS_AWS_CFN_H
#define BVOPS_AWS_CFN_H

#include <stddef.h>

#include "aws/aws.h"

/* The PhysicalResourceId (a new string), or NULL with a message. */
char *aws_cfn_stack_resource(struct aws_client *a, const char *region,
			     const char *stack, const char *logical_id,
			     char *msg, size_t msgsize);

#endif
