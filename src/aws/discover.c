#include "aws/discover.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/toml.h"
#include "lib/xalloc.h"

#define STACK_TAG "aws:cloudformation:stack-name"

struct discover_node {
	const struct aws_ec2_instance *i;
	char name[64];
	long long index; /* -1: none yet */
	bool index_guessed, role_guessed, dynamic;
	const char *stack;
};

/* A tag's value, or NULL: the first of the keys that is there. */
static const char *discover_tag(const struct aws_ec2_instance *i,
				const char *k1, const char *k2)
{
	const char *v = aws_ec2_instance_tag(i, k1);

	if (v == NULL && k2 != NULL)
		v = aws_ec2_instance_tag(i, k2);
	return v;
}

/* The stack's name is NS-ENV-...: does it say ns (and env)? */
static bool discover_stack_says(const char *stack, const char *ns,
				const char *env)
{
	char prefix[300];

	if (stack == NULL)
		return false;
	if (ns != NULL && env != NULL)
		snprintf(prefix, sizeof(prefix), "%s-%s-", ns, env);
	else if (ns != NULL)
		snprintf(prefix, sizeof(prefix), "%s-", ns);
	else {
		snprintf(prefix, sizeof(prefix), "-%s-", env);
		return strstr(stack, prefix) != NULL;
	}
	return strncmp(stack, prefix, strlen(prefix)) == 0;
}

static bool discover_wanted(const struct aws_ec2_instance *i,
			    const struct discover_opts *o)
{
	const char *stack = aws_ec2_instance_tag(i, STACK_TAG);
	const char *ns = discover_tag(i, "Namespace", NULL);
	const char *env = discover_tag(i, "Environment", "Env");
	bool ns_ok = o->ns == NULL || (ns && strcmp(ns, o->ns) == 0);
	bool env_ok = o->env == NULL || (env && strcmp(env, o->env) == 0);

	if (ns_ok && env_ok)
		return true;
	/* No tags that say: the Marketplace stack's name does. */
	return discover_stack_says(stack, o->ns, o->env) &&
	       (ns_ok || ns == NULL) && (env_ok || env == NULL);
}

/* A name the fleet file takes as it is ([A-Za-z0-9._-], 1-63): the
 * node's name and its enclave_name, which commands and S3 keys use. */
static bool discover_name_ok(const char *s)
{
	size_t k;

	for (k = 0; s[k]; k++) {
		char c = s[k];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return k > 0 && k < 64;
}

/* A non-negative number that is all of s, or -1. */
static long long discover_number(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	return *end == '\0' && v >= 0 && v < 1000000 ? v : -1;
}

/* The N of a stack named ...-node-N (an expansion node's stack). */
static long long discover_stack_index(const char *stack)
{
	const char *p = stack ? strstr(stack, "-node-") : NULL;

	return p ? discover_number(p + 6) : -1;
}

static void discover_string(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, "%s = ", key);
	toml_string_format(b, v, strlen(v));
	buf_append_char(b, '\n');
}

/* The template with {private_ip}, {instance_id} and {enclave} filled. */
static char *discover_ping_url(const char *tpl,
			       const struct aws_ec2_instance *i,
			       const char *enclave)
{
	struct buf b;

	buf_init(&b, 0);
	while (*tpl) {
		if (strncmp(tpl, "{private_ip}", 12) == 0) {
			buf_append_str(&b, i->private_ip);
			tpl += 12;
		} else if (strncmp(tpl, "{instance_id}", 13) == 0) {
			buf_append_str(&b, i->id);
			tpl += 13;
		} else if (strncmp(tpl, "{enclave}", 9) == 0) {
			buf_append_str(&b, enclave);
			tpl += 9;
		} else {
			buf_append_char(&b, *tpl++);
		}
	}
	return buf_take(&b, NULL);
}

static int discover_by_index(const void *a, const void *b)
{
	const struct discover_node *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int discover_by_name(const void *a, const void *b)
{
	return strcmp(((const struct discover_node *)a)->name,
		      ((const struct discover_node *)b)->name);
}

/* Give every node a unique index: its own when it has one no other
 * node has, else the next free one (in name order). */
static void discover_indexes(struct discover_node *v, size_t n)
{
	size_t k, m;
	long long next = 0;

	qsort(v, n, sizeof(*v), discover_by_name);
	for (k = 0; k < n; k++)
		for (m = 0; m < k; m++)
			if (v[k].index >= 0 && v[m].index == v[k].index) {
				v[k].index = -1;
				v[k].index_guessed = true;
			}
	for (k = 0; k < n; k++) {
		bool taken = true;

		if (v[k].index >= 0)
			continue;
		while (taken) {
			taken = false;
			for (m = 0; m < n; m++)
				if (v[m].index == next)
					taken = true;
			if (taken)
				next++;
		}
		v[k].index = next++;
		v[k].index_guessed = true;
	}
	qsort(v, n, sizeof(*v), discover_by_index);
}

char *discover_fleet(const struct aws_ec2_instances *l,
		     const struct discover_opts *o, size_t *count, char **notes,
		     char *msg, size_t msgsize)
{
	struct discover_node *v = xcalloc(l->n + 1, sizeof(*v));
	struct buf b, nb;
	size_t n = 0, k, m;
	char fleet[128];

	buf_init(&nb, 0);
	for (k = 0; k < l->n; k++) {
		const struct aws_ec2_instance *i = &l->v[k];
		const char *enclave = aws_ec2_instance_tag(i, "EnclaveName");
		const char *role = discover_tag(i, "Role", "role");
		bool dup = false;

		if (enclave == NULL || !discover_wanted(i, o))
			continue;
		if (i->state == NULL || strcmp(i->state, "running") != 0) {
			buf_printf(&nb, "left out %s (%s): it is %s\n", i->id,
				   enclave,
				   i->state ? i->state : "in no state");
			continue;
		}
		if (i->private_ip == NULL &&
		    (o->ping_url == NULL ||
		     strstr(o->ping_url, "{private_ip}"))) {
			buf_printf(&nb, "left out %s (%s): no private IP\n",
				   i->id, enclave);
			continue;
		}
		if (!discover_name_ok(enclave)) {
			buf_printf(&nb,
				   "left out %s: its EnclaveName \"%s\" has "
				   "characters a node's name cannot hold\n",
				   i->id, enclave);
			continue;
		}
		v[n].i = i;
		snprintf(v[n].name, sizeof(v[n].name), "%s", enclave);
		for (m = 0; m < n; m++)
			if (strcmp(v[m].name, v[n].name) == 0)
				dup = true;
		if (dup) {
			buf_printf(&nb,
				   "left out %s: its EnclaveName \"%s\" is "
				   "another node's too\n",
				   i->id, v[n].name);
			continue;
		}
		v[n].stack = aws_ec2_instance_tag(i, STACK_TAG);
		v[n].index =
		    discover_number(discover_tag(i, "PlayerIndex", "Index"));
		if (v[n].index < 0)
			v[n].index = discover_stack_index(v[n].stack);
		v[n].dynamic = role != NULL && strcmp(role, "dynamic") == 0;
		v[n].role_guessed =
		    role == NULL || (strcmp(role, "dynamic") != 0 &&
				     strcmp(role, "static") != 0);
		n++;
	}
	*notes = buf_take(&nb, NULL);
	*count = n;
	if (n == 0) {
		snprintf(msg, msgsize,
			 "no running instance with an EnclaveName tag%s%s%s%s "
			 "in %s",
			 o->ns ? " in namespace " : "", o->ns ? o->ns : "",
			 o->env ? ", environment " : "", o->env ? o->env : "",
			 o->region);
		free(v);
		return NULL;
	}
	discover_indexes(v, n);
	if (o->fleet_name != NULL)
		snprintf(fleet, sizeof(fleet), "%s", o->fleet_name);
	else if (o->ns != NULL && o->env != NULL)
		snprintf(fleet, sizeof(fleet), "%s-%s", o->ns, o->env);
	else
		snprintf(fleet, sizeof(fleet), "%s",
			 o->ns ? o->ns : "discovered");
	buf_init(&b, 0);
	buf_printf(&b,
		   "# Written by bvops discover from %s.\n"
		   "# Read it before you use it: what the tags did not say "
		   "is guessed,\n# and marked so below.\n\n[fleet]\n",
		   o->source ? o->source : "EC2 DescribeInstances");
	discover_string(&b, "name", fleet);
	discover_string(&b, "region", o->region);
	buf_printf(&b,
		   "# quorum: the nodes the MPC needs to sign; the "
		   "default is all %zu\n",
		   n);
	for (k = 0; k < n; k++) {
		const struct aws_ec2_instance *i = v[k].i;
		const char *enclave = aws_ec2_instance_tag(i, "EnclaveName");
		const char *param = aws_ec2_instance_tag(i, "CONFIG_SSM_PARAM");
		bool here = o->this_instance != NULL &&
			    strcmp(o->this_instance, i->id) == 0;
		char *url = discover_ping_url(
		    o->ping_url ? o->ping_url : DISCOVER_PING_URL, i, enclave);

		buf_printf(&b, "\n[[node]]\n");
		discover_string(&b, "name", v[k].name);
		buf_printf(&b, "index = %lld%s\n", v[k].index,
			   v[k].index_guessed
			       ? "  # guessed: no PlayerIndex tag or "
				 "-node-N stack"
			       : "");
		buf_printf(&b, "role = \"%s\"%s\n",
			   v[k].dynamic ? "dynamic" : "static",
			   v[k].role_guessed ? "  # guessed: no Role tag" : "");
		discover_string(&b, "ping_url", url);
		buf_printf(&b, "transport = \"%s\"%s\n", here ? "local" : "ssm",
			   here ? "  # bvops runs on this instance" : "");
		discover_string(&b, "instance_id", i->id);
		discover_string(&b, "enclave_name", enclave);
		if (param != NULL)
			discover_string(&b, "config_ssm_param", param);
		else
			buf_printf(&b, "# no CONFIG_SSM_PARAM tag: config "
				       "edits need config_ssm_param\n");
		free(url);
	}
	free(v);
	return buf_take(&b, NULL);
}
