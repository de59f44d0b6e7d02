/*
 * aws_kms: a KMS key's policy (JSON 1.1 over aws.h). A key given by ARN
 * is asked of the ARN's own region. Returns new strings the caller frees.
 */
#ifndef BVOPS_AWS_KMS_H
#define BVOPS_AWS_KMS_H

#include <stddef.h>

#include "aws/aws.h"

/* GetKeyPolicy (the "default" policy): the policy document, or NULL with
 * a message. */
char *aws_kms_get_key_policy(struct aws_client *a, const char *region,
			     const char *key_id, char *msg, size_t msgsize);

/* PutKeyPolicy: 0, or -1 with a message. The caller checks the policy:
 * some endpoints take invalid JSON. */
int aws_kms_put_key_policy(struct aws_client *a, const char *region,
			   const char *key_id, const char *policy, char *msg,
			   size_t msgsize);

#endif
