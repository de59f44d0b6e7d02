#include "aws/aws_kms.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

/* One TrentService call with a JSON request; the answer's JSON, or NULL. */
static cJSON *aws_kms_call(struct aws_client *a, const char *region,
			   const char *key_id, const char *action,
			   const cJSON *req, char *msg, size_t msgsize)
{
	char arn_region[64], resource[600], target[64], call[64];
	struct aws_request rq = {
	    .service = "kms",
	    .env_name = "KMS",
	    .host = "kms",
	    .target = target,
	    .call = call,
	    .resource = resource,
	};

	rq.region = awscred_arn_region(key_id, arn_region, sizeof(arn_region))
			? arn_region
			: region;
	snprintf(resource, sizeof(resource), "key %s (%s)", key_id, rq.region);
	snprintf(target, sizeof(target), "TrentService.%s", action);
	snprintf(call, sizeof(call), "KMS %s", action);
	return aws_call_json(a, &rq, req, msg, msgsize);
}

char *aws_kms_get_key_policy(struct aws_client *a, const char *region,
			     const char *key_id, char *msg, size_t msgsize)
{
	cJSON *req = cJSON_CreateObject(), *ans;
	const cJSON *p;
	char *policy = NULL;

	cJSON_AddStringToObject(req, "KeyId", key_id);
	cJSON_AddStringToObject(req, "PolicyName", "default");
	ans =
	    aws_kms_call(a, region, key_id, "GetKeyPolicy", req, msg, msgsize);
	cJSON_Delete(req);
	if (ans == NULL)
		return NULL;
	p = cJSON_GetObjectItemCaseSensitive(ans, "Policy");
	if (cJSON_IsString(p) && p->valuestring != NULL)
		policy = xstrdup(p->valuestring);
	else
		snprintf(msg, msgsize,
			 "KMS GetKeyPolicy key %s: the answer does not parse "
			 "(no Policy string)",
			 key_id);
	cJSON_Delete(ans);
	return policy;
}

int aws_kms_put_key_policy(struct aws_client *a, const char *region,
			   const char *key_id, const char *policy, char *msg,
			   size_t msgsize)
{
	cJSON *req = cJSON_CreateObject(), *ans;

	cJSON_AddStringToObject(req, "KeyId", key_id);
	cJSON_AddStringToObject(req, "PolicyName", "default");
	cJSON_AddStringToObject(req, "Policy", policy);
	ans =
	    aws_kms_call(a, region, key_id, "PutKeyPolicy", req, msg, msgsize);
	cJSON_Delete(req);
	cJSON_Delete(ans);
	return ans ? 0 : -1;
}
