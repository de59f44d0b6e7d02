/*
 * aws_ssm: AWS Systems Manager calls (JSON 1.1 over aws.h).
 * Returns new strings the caller frees.
 */
#ifndef BVOPS_AWS_SSM_H
#define BVOPS_AWS_SSM_H

#include <stddef.h>

#include "aws.h"

/*
 * GetParameter (WithDecryption): the parameter's value, or NULL with a
 * message naming the parameter and AWS's error. name may be a full ARN:
 * the call then goes to the ARN's own region, else to region.
 */
char *aws_ssm_get_parameter(struct aws_client *a, const char *region,
			    const char *name, char *msg, size_t msgsize);

#endif
