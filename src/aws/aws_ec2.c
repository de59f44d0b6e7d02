#include "aws/aws_ec2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "lib/xml.h"

/* Pages followed at most: 100 pages of up to 1000 instances. */
#define AWS_EC2_PAGES_MAX 100

static char *aws_ec2_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void aws_ec2_read(const struct xml *item, struct aws_ec2_instances *out,
			 size_t *cap)
{
	struct aws_ec2_instance *i;
	const struct xml *t;
	size_t tcap = 0;

	if (out->n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		out->v = xrealloc(out->v, *cap * sizeof(*out->v));
	}
	i = &out->v[out->n++];
	memset(i, 0, sizeof(*i));
	i->id = xstrdup(
	    xml_text(item, "instanceId") ? xml_text(item, "instanceId") : "");
	i->state = aws_ec2_dup(xml_text(item, "instanceState/name"));
	i->private_ip = aws_ec2_dup(xml_text(item, "privateIpAddress"));
	for (t = xml_child(xml_child(item, "tagSet"), "item"); t != NULL;
	     t = xml_next(t)) {
		const char *k = xml_text(t, "key"), *v = xml_text(t, "value");

		if (k == NULL)
			continue;
		if (i->ntags == tcap) {
			tcap = tcap ? 2 * tcap : 8;
			i->tags = xrealloc(i->tags, tcap * sizeof(*i->tags));
		}
		i->tags[i->ntags].key = xstrdup(k);
		i->tags[i->ntags].value = xstrdup(v ? v : "");
		i->ntags++;
	}
}

int aws_ec2_describe_instances(struct aws_client *a, const char *region,
			       const char *const *ids,
			       const char *const *tag_filters,
			       struct aws_ec2_instances *out, char *msg,
			       size_t msgsize)
{
	char resource[300], *token = NULL;
	struct aws_request rq = {
	    .service = "ec2",
	    .env_name = "EC2",
	    .host = "ec2",
	    .region = region,
	    .call = "EC2 DescribeInstances",
	    .resource = resource,
	};
	size_t cap = 0;
	int page;

	memset(out, 0, sizeof(*out));
	snprintf(resource, sizeof(resource), "instances%s%s (%s)",
		 ids && ids[0] ? " " : "", ids && ids[0] ? ids[0] : "", region);
	for (page = 0; page < AWS_EC2_PAGES_MAX; page++) {
		const char **params = NULL;
		char **owned = NULL;
		size_t np = 0, no = 0, k;
		const struct xml *r, *it;
		struct xml *root;
		int rc;

		/* Room for ids, two strings per filter, a token, the end. */
		for (k = 0; ids && ids[k]; k++)
			np += 2;
		for (k = 0; tag_filters && tag_filters[k]; k += 2)
			np += 4;
		params = xcalloc(np + 3, sizeof(*params));
		owned = xcalloc(np + 3, sizeof(*owned));
		np = 0;
		for (k = 0; ids && ids[k]; k++) {
			params[np++] = owned[no++] =
			    xasprintf("InstanceId.%zu", k + 1);
			params[np++] = ids[k];
		}
		for (k = 0; tag_filters && tag_filters[k]; k += 2) {
			params[np++] = owned[no++] =
			    xasprintf("Filter.%zu.Name", k / 2 + 1);
			params[np++] = owned[no++] =
			    xasprintf("tag:%s", tag_filters[k]);
			params[np++] = owned[no++] =
			    xasprintf("Filter.%zu.Value.1", k / 2 + 1);
			params[np++] = tag_filters[k + 1];
		}
		if (token != NULL) {
			params[np++] = "NextToken";
			params[np++] = token;
		}
		rc = aws_call_query(a, &rq, "DescribeInstances", "2016-11-15",
				    params, &root, msg, msgsize);
		for (k = 0; k < no; k++)
			free(owned[k]);
		free(owned);
		free(params);
		free(token);
		token = NULL;
		if (rc < 0) {
			aws_ec2_instances_free(out);
			return -1;
		}
		if (strcmp(root->name, "DescribeInstancesResponse") != 0) {
			snprintf(
			    msg, msgsize,
			    "EC2 DescribeInstances %s: the answer does not "
			    "parse (%s)",
			    resource, root->name);
			xml_free(root);
			aws_ec2_instances_free(out);
			return -1;
		}
		for (r = xml_child(xml_child(root, "reservationSet"), "item");
		     r != NULL; r = xml_next(r))
			for (it = xml_child(xml_child(r, "instancesSet"),
					    "item");
			     it != NULL; it = xml_next(it))
				aws_ec2_read(it, out, &cap);
		if (xml_text(root, "nextToken") && *xml_text(root, "nextToken"))
			token = xstrdup(xml_text(root, "nextToken"));
		xml_free(root);
		if (token == NULL)
			break;
	}
	free(token);
	return 0;
}

const char *aws_ec2_instance_tag(const struct aws_ec2_instance *i,
				 const char *key)
{
	size_t k;

	for (k = 0; k < i->ntags; k++)
		if (strcmp(i->tags[k].key, key) == 0)
			return i->tags[k].value;
	return NULL;
}

void aws_ec2_instances_free(struct aws_ec2_instances *l)
{
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].state);
		free(l->v[i].private_ip);
		for (k = 0; k < l->v[i].ntags; k++) {
			free(l->v[i].tags[k].key);
			free(l->v[i].tags[k].value);
		}
		free(l->v[i].tags);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
