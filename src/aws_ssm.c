#include "aws_ssm.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

char *aws_ssm_get_parameter(struct aws_client *a, const char *region,
			    const char *name, char *msg, size_t msgsize)
{
	char arn_region[64], resource[600];
	struct aws_request rq = {
	    .service = "ssm",
	    .env_name = "SSM",
	    .host = "ssm",
	    .target = "AmazonSSM.GetParameter",
	    .call = "SSM GetParameter",
	    .resource = resource,
	};
	cJSON *req = cJSON_CreateObject(), *ans;
	const cJSON *v;
	char *value = NULL;

	rq.region = awscred_arn_region(name, arn_region, sizeof(arn_region))
			? arn_region
			: region;
	snprintf(resource, sizeof(resource), "parameter %s (%s)", name,
		 rq.region);
	cJSON_AddStringToObject(req, "Name", name);
	cJSON_AddBoolToObject(req, "WithDecryption", 1);
	ans = aws_call_json(a, &rq, req, msg, msgsize);
	cJSON_Delete(req);
	if (ans == NULL)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(ans, "Parameter"), "Value");
	if (cJSON_IsString(v) && v->valuestring != NULL)
		value = xstrdup(v->valuestring);
	else
		snprintf(msg, msgsize,
			 "SSM GetParameter %s: the answer does not parse (no "
			 "Parameter.Value)",
			 resource);
	cJSON_Delete(ans);
	return value;
}
