/*
 * aws_ec2: DescribeInstances (query protocol over aws.h), by instance id
 * or by tag filters, with each instance's tags: how bvops finds a node's
 * CONFIG_SSM_PARAM and EnclaveName when it is not running on that node.
 *
 * Owns the struct aws_ec2_instances it fills (aws_ec2_instances_free).
 */
#ifndef BVOPS_AWS_EC2_H
#define BVOPS_AWS_EC2_H

#include <stddef.h>

#include "aws/aws.h"

struct aws_ec2_tag {
	char *key, *value;
};

struct aws_ec2_instance {
	char *id;
	char *state;      /* "running", "stopped", ... */
	char *private_ip; /* or NULL */
	struct aws_ec2_tag *tags;
	size_t ntags;
};

struct aws_ec2_instances {
	struct aws_ec2_instance *v;
	size_t n;
};

/*
 * DescribeInstances of the given instance ids (NULL-ended, or NULL for
 * all) matching every tag filter (key, value pairs, NULL-ended, or NULL),
 * following NextToken. Returns 0, or -1 with a message.
 */
int aws_ec2_describe_instances(struct aws_client *a, const char *region,
			       const char *const *ids,
			       const char *const *tag_filters,
			       struct aws_ec2_instances *out, char *msg,
			       size_t msgsize);

/* The value of tag key on i, or NULL. */
const char *aws_ec2_instance_tag(const struct aws_ec2_instance *i,
				 const char *key);

void aws_ec2_instances_free(struct aws_ec2_instances *l);

#endif
