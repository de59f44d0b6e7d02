#include "aws/aws_cfn.h"

#include <stdio.h>
#include <stdlib.h>

#include "lib/xalloc.h"
#include "lib/xml.h"

char *aws_cfn_stack_resource(struct aws_client *a, const char *region,
			     const char *stack, const char *logical_id,
			     char *msg, size_t msgsize)
{
	char resource[600];
	const char *params[] = {"LogicalResourceId", logical_id, "StackName",
				stack, NULL};
	struct aws_request rq = {
	    .service = "cloudformation",
	    .env_name = "CLOUDFORMATION",
	    .host = "cloudformation",
	    .region = region,
	    .call = "CloudFormation DescribeStackResource",
	    .resource = resource,
	};
	struct xml *root;
	const char *id;
	char *out = NULL;

	snprintf(resource, sizeof(resource), "stack %s resource %s (%s)", stack,
		 logical_id, region);
	if (aws_call_query(a, &rq, "DescribeStackResource", "2010-05-15",
			   params, &root, msg, msgsize) < 0)
		return NULL;
	id = xml_text(root, "DescribeStackResourceResult/StackResourceDetail/"
			    "PhysicalResourceId");
	if (id != NULL && *id)
		out = xstrdup(id);
	else
		snprintf(msg, msgsize,
			 "%s %s: the answer does not parse (no "
			 "PhysicalResourceId)",
			 rq.call, resource);
	xml_free(root);
	return out;
}
