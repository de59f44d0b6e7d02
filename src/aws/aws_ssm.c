#include "aws/aws_ssm.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

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

char *aws_ssm_send_command(struct aws_client *a, const char *region,
			   const char *instance_id, const char *script,
			   long exec_timeout_s, const char *comment, char *msg,
			   size_t msgsize)
{
	char resource[160], timeout[32];
	struct aws_request rq = {
	    .service = "ssm",
	    .env_name = "SSM",
	    .host = "ssm",
	    .region = region,
	    .target = "AmazonSSM.SendCommand",
	    .call = "SSM SendCommand",
	    .resource = resource,
	};
	cJSON *req = cJSON_CreateObject(), *ans, *params, *ids;
	const cJSON *v;
	char *id = NULL;

	snprintf(resource, sizeof(resource), "to %s (%s)", instance_id, region);
	if (exec_timeout_s < 1)
		exec_timeout_s = 1;
	snprintf(timeout, sizeof(timeout), "%ld", exec_timeout_s);
	ids = cJSON_AddArrayToObject(req, "InstanceIds");
	cJSON_AddItemToArray(ids, cJSON_CreateString(instance_id));
	cJSON_AddStringToObject(req, "DocumentName", "AWS-RunShellScript");
	/* The agent's delivery limit; the script has its own. */
	cJSON_AddNumberToObject(req, "TimeoutSeconds", 30);
	if (comment != NULL)
		cJSON_AddStringToObject(req, "Comment", comment);
	params = cJSON_AddObjectToObject(req, "Parameters");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(params, "commands"),
			     cJSON_CreateString(script));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(params, "executionTimeout"),
			     cJSON_CreateString(timeout));
	ans = aws_call_json(a, &rq, req, msg, msgsize);
	cJSON_Delete(req);
	if (ans == NULL)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(ans, "Command"), "CommandId");
	if (cJSON_IsString(v) && v->valuestring != NULL && *v->valuestring)
		id = xstrdup(v->valuestring);
	else
		snprintf(msg, msgsize,
			 "SSM SendCommand %s: the answer does not parse (no "
			 "Command.CommandId)",
			 resource);
	cJSON_Delete(ans);
	return id;
}

/* A string member copied into out ("" when missing). */
static void aws_ssm_copy(const cJSON *o, const char *key, char *out,
			 size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	snprintf(out, size, "%s",
		 cJSON_IsString(v) && v->valuestring ? v->valuestring : "");
}

static char *aws_ssm_dup(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return xstrdup(cJSON_IsString(v) && v->valuestring ? v->valuestring
							   : "");
}

int aws_ssm_get_invocation(struct aws_client *a, const char *region,
			   const char *command_id, const char *instance_id,
			   struct aws_ssm_invocation *inv, char *msg,
			   size_t msgsize)
{
	char resource[200];
	struct aws_request rq = {
	    .service = "ssm",
	    .env_name = "SSM",
	    .host = "ssm",
	    .region = region,
	    .target = "AmazonSSM.GetCommandInvocation",
	    .call = "SSM GetCommandInvocation",
	    .resource = resource,
	};
	cJSON *req = cJSON_CreateObject(), *ans;
	const cJSON *rc;

	memset(inv, 0, sizeof(*inv));
	snprintf(resource, sizeof(resource), "command %s on %s", command_id,
		 instance_id);
	cJSON_AddStringToObject(req, "CommandId", command_id);
	cJSON_AddStringToObject(req, "InstanceId", instance_id);
	ans = aws_call_json(a, &rq, req, msg, msgsize);
	cJSON_Delete(req);
	if (ans == NULL)
		return -1;
	aws_ssm_copy(ans, "Status", inv->status, sizeof(inv->status));
	aws_ssm_copy(ans, "StatusDetails", inv->status_details,
		     sizeof(inv->status_details));
	rc = cJSON_GetObjectItemCaseSensitive(ans, "ResponseCode");
	inv->response_code = cJSON_IsNumber(rc) ? (long)rc->valuedouble : -1;
	inv->out = aws_ssm_dup(ans, "StandardOutputContent");
	inv->err = aws_ssm_dup(ans, "StandardErrorContent");
	cJSON_Delete(ans);
	if (inv->status[0] == '\0') {
		snprintf(msg, msgsize,
			 "SSM GetCommandInvocation %s: the answer does not "
			 "parse (no Status)",
			 resource);
		aws_ssm_invocation_free(inv);
		return -1;
	}
	return 0;
}

void aws_ssm_invocation_free(struct aws_ssm_invocation *inv)
{
	free(inv->out);
	free(inv->err);
	inv->out = inv->err = NULL;
}

int aws_ssm_cancel_command(struct aws_client *a, const char *region,
			   const char *command_id, const char *instance_id,
			   char *msg, size_t msgsize)
{
	char resource[200];
	struct aws_request rq = {
	    .service = "ssm",
	    .env_name = "SSM",
	    .host = "ssm",
	    .region = region,
	    .target = "AmazonSSM.CancelCommand",
	    .call = "SSM CancelCommand",
	    .resource = resource,
	};
	cJSON *req = cJSON_CreateObject(), *ans;

	snprintf(resource, sizeof(resource), "command %s on %s", command_id,
		 instance_id);
	cJSON_AddStringToObject(req, "CommandId", command_id);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(req, "InstanceIds"),
			     cJSON_CreateString(instance_id));
	ans = aws_call_json(a, &rq, req, msg, msgsize);
	cJSON_Delete(req);
	if (ans == NULL)
		return -1;
	cJSON_Delete(ans);
	return 0;
}
