#include "aws/cfgloc.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_ec2.h"
#include "aws/aws_ssm.h"
#include "aws/awscred.h"
#include "lib/buf.h"
#include "lib/s3name.h"
#include "lib/xalloc.h"

#define CFGLOC_TAG_PARAM   "CONFIG_SSM_PARAM"
#define CFGLOC_TAG_ENCLAVE "EnclaveName"

/* The instance bvops runs on, through IMDS, or "" when none answers. */
static void cfgloc_own_instance(char *out, size_t size)
{
	char msg[256], *id = awscred_imds_get("/latest/meta-data/instance-id",
					      msg, sizeof(msg));

	out[0] = '\0';
	if (id != NULL) {
		snprintf(out, size, "%s", id);
		free(id);
	}
}

/* Fill the missing tags from IMDS (our own instance) or EC2. */
static int cfgloc_tags(struct aws_client *a, const char *region,
		       const struct fleet_node *n, struct cfgloc *l, char *msg,
		       size_t msgsize)
{
	char why[512];
	struct aws_ec2_instances list;
	const char *ids[2] = {n->instance_id, NULL};
	const char *filter[3] = {CFGLOC_TAG_ENCLAVE, n->enclave_name, NULL};
	const char *v;

	if (n->instance_id == NULL && n->enclave_name == NULL) {
		snprintf(msg, msgsize,
			 "%s: the fleet file gives no config_ssm_param, and "
			 "no instance_id or enclave_name to find the "
			 "instance's tags by",
			 n->name);
		return -1;
	}
	if (n->instance_id != NULL) {
		char own[64];

		cfgloc_own_instance(own, sizeof(own));
		if (strcmp(own, n->instance_id) == 0) {
			snprintf(l->tags_from, sizeof(l->tags_from), "IMDS");
			if (l->ssm_param == NULL)
				l->ssm_param = awscred_imds_get(
				    "/latest/meta-data/tags/"
				    "instance/" CFGLOC_TAG_PARAM,
				    why, sizeof(why));
			if (l->ssm_param != NULL && l->enclave == NULL)
				l->enclave = awscred_imds_get(
				    "/latest/meta-data/tags/"
				    "instance/" CFGLOC_TAG_ENCLAVE,
				    why, sizeof(why));
			if (l->ssm_param == NULL || l->enclave == NULL) {
				snprintf(msg, msgsize,
					 "%s: instance tags through IMDS: %s "
					 "(are instance metadata tags on?)",
					 n->name, why);
				return -1;
			}
			return 0;
		}
	}
	snprintf(l->tags_from, sizeof(l->tags_from), "EC2 DescribeInstances");
	if (aws_ec2_describe_instances(a, region, n->instance_id ? ids : NULL,
				       n->instance_id ? NULL : filter, &list,
				       why, sizeof(why)) < 0) {
		snprintf(msg, msgsize, "%s: %s", n->name, why);
		return -1;
	}
	if (list.n != 1) {
		if (n->instance_id != NULL)
			snprintf(msg, msgsize,
				 "%s: EC2 has no instance %s (%s)", n->name,
				 n->instance_id, region);
		else
			snprintf(msg, msgsize,
				 "%s: %zu instances are tagged %s=%s in %s; "
				 "set the node's instance_id",
				 n->name, list.n, CFGLOC_TAG_ENCLAVE,
				 n->enclave_name, region);
		aws_ec2_instances_free(&list);
		return -1;
	}
	if (l->instance_id == NULL)
		l->instance_id = xstrdup(list.v[0].id);
	v = aws_ec2_instance_tag(&list.v[0], CFGLOC_TAG_PARAM);
	if (l->ssm_param == NULL && v != NULL)
		l->ssm_param = xstrdup(v);
	v = aws_ec2_instance_tag(&list.v[0], CFGLOC_TAG_ENCLAVE);
	if (l->enclave == NULL && v != NULL)
		l->enclave = xstrdup(v);
	aws_ec2_instances_free(&list);
	if (l->ssm_param == NULL || l->enclave == NULL) {
		snprintf(msg, msgsize, "%s: instance %s has no %s tag", n->name,
			 l->instance_id,
			 l->ssm_param == NULL ? CFGLOC_TAG_PARAM
					      : CFGLOC_TAG_ENCLAVE);
		return -1;
	}
	return 0;
}

/* A key that stands twice in object j (the first found), or NULL: cJSON
 * would give the first and keep quiet, so a value that says two things
 * is refused instead of half read. */
static const char *cfgloc_duplicate_key(const cJSON *j)
{
	const cJSON *a, *b;

	for (a = j ? j->child : NULL; a != NULL; a = a->next)
		for (b = a->next; b != NULL; b = b->next)
			if (a->string != NULL && b->string != NULL &&
			    strcmp(a->string, b->string) == 0)
				return a->string;
	return NULL;
}

/*
 * One step of the chain: parameter name's value must be a JSON object
 * with a string field, each key once. Returns the field's value (new), or
 * NULL.
 */
static char *cfgloc_param_field(struct aws_client *a, const char *region,
				const struct fleet_node *n, const char *name,
				const char *field, char *msg, size_t msgsize)
{
	char why[800], arn_region[64];
	char *value = aws_ssm_get_parameter(a, region, name, why, sizeof(why));
	cJSON *j;
	const cJSON *f;
	char *out = NULL;

	if (value == NULL) {
		snprintf(msg, msgsize, "%s: %s", n->name, why);
		return NULL;
	}
	if (!awscred_arn_region(name, arn_region, sizeof(arn_region)))
		snprintf(arn_region, sizeof(arn_region), "%s", region);
	j = cJSON_ParseWithOpts(value, NULL, 1);
	f = cJSON_GetObjectItemCaseSensitive(j, field);
	if (j == NULL || !cJSON_IsObject(j))
		snprintf(msg, msgsize,
			 "%s: SSM parameter %s (%s) is not a JSON object; "
			 "expected {\"%s\": \"...\"}",
			 n->name, name, arn_region, field);
	else if (cfgloc_duplicate_key(j) != NULL)
		snprintf(msg, msgsize,
			 "%s: SSM parameter %s (%s) gives \"%s\" more than "
			 "once: refused (which one is meant?)",
			 n->name, name, arn_region, cfgloc_duplicate_key(j));
	else if (!cJSON_IsString(f) || f->valuestring == NULL ||
		 f->valuestring[0] == '\0')
		snprintf(msg, msgsize,
			 "%s: SSM parameter %s (%s) has no string \"%s\"",
			 n->name, name, arn_region, field);
	else
		out = xstrdup(f->valuestring);
	cJSON_Delete(j);
	memset(value, 0, strlen(value));
	free(value);
	return out;
}

int cfgloc_resolve(struct aws_client *a, const char *region,
		   const struct fleet_node *n, struct cfgloc *l, char *msg,
		   size_t msgsize)
{
	char shard_region[64];

	memset(l, 0, sizeof(*l));
	snprintf(l->tags_from, sizeof(l->tags_from), "fleet file");
	if (n->config_ssm_param != NULL)
		l->ssm_param = xstrdup(n->config_ssm_param);
	if (n->enclave_name != NULL)
		l->enclave = xstrdup(n->enclave_name);
	if (n->instance_id != NULL)
		l->instance_id = xstrdup(n->instance_id);
	if ((l->ssm_param == NULL || l->enclave == NULL) &&
	    cfgloc_tags(a, region, n, l, msg, msgsize) < 0)
		goto fail;
	l->shard_param = cfgloc_param_field(
	    a, region, n, l->ssm_param, "SHARD_SSM_PARAM_ARN", msg, msgsize);
	if (l->shard_param == NULL)
		goto fail;
	if (!awscred_arn_region(l->shard_param, shard_region,
				sizeof(shard_region)))
		snprintf(shard_region, sizeof(shard_region), "%s", region);
	l->region = xstrdup(shard_region);
	l->bucket = cfgloc_param_field(a, region, n, l->shard_param,
				       "CONFIG_BUCKET", msg, msgsize);
	if (l->bucket == NULL)
		goto fail;
	{
		/* It goes into every S3 path: a bad one is named here, not
		 * left to fail on its signature. */
		char why[200];

		if (!s3name_bucket_ok(l->bucket, why, sizeof(why))) {
			snprintf(
			    msg, msgsize,
			    "%s: SSM parameter %s (%s) gives CONFIG_BUCKET "
			    "\"%.80s\", not an S3 bucket name: %s",
			    n->name, l->shard_param, shard_region, l->bucket,
			    why);
			goto fail;
		}
	}
	l->key = xasprintf("%s/config.toml", l->enclave);
	return 0;
fail:
	cfgloc_free(l);
	return -1;
}

void cfgloc_free(struct cfgloc *l)
{
	free(l->ssm_param);
	free(l->enclave);
	free(l->instance_id);
	free(l->shard_param);
	free(l->region);
	free(l->bucket);
	free(l->key);
	memset(l, 0, sizeof(*l));
}

void cfgloc_describe(const struct fleet_node *n, const struct cfgloc *l,
		     struct buf *b)
{
	buf_printf(b, "node: %s\n", n->name);
	if (l->instance_id != NULL)
		buf_printf(b, "instance: %s\n", l->instance_id);
	buf_printf(b, "tags from: %s\n", l->tags_from);
	buf_printf(b, "CONFIG_SSM_PARAM: %s\n", l->ssm_param);
	buf_printf(b, "EnclaveName: %s\n", l->enclave);
	buf_printf(b, "SHARD_SSM_PARAM_ARN: %s\n", l->shard_param);
	buf_printf(b, "CONFIG_BUCKET: %s\n", l->bucket);
	buf_printf(b, "region: %s\n", l->region);
	buf_printf(b, "object: s3://%s/%s\n", l->bucket, l->key);
}
