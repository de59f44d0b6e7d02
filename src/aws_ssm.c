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
	    .method = "POST",
	    .path = "/",
	    .target = "AmazonSSM.GetParameter",
	    .content_type = "application/x-amz-json-1.1",
	    .call = "SSM GetParameter",
	};
	struct aws_response rs;
	cJSON *req = cJSON_CreateObject(), *ans;
	const cJSON *v;
	char *body, *value = NULL;

	rq.region = awscred_arn_region(name, arn_region, sizeof(arn_region))
			? arn_region
			: region;
	snprintf(resource, sizeof(resource), "parameter %s (%s)", name,
		 rq.region);
	rq.resource = resource;
	cJSON_AddStringToObject(req, "Name", name);
	cJSON_AddBoolToObject(req, "WithDecryption", 1);
	body = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	if (body == NULL)
		abort(); /* cJSON only fails for want of memory */
	rq.body = body;
	rq.body_len = strlen(body);
	if (aws_call(a, &rq, &rs, msg, msgsize) < 0) {
		free(body);
		return NULL;
	}
	free(body);
	ans = cJSON_ParseWithOpts(rs.body, NULL, 0);
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
	aws_response_free(&rs);
	return value;
}
