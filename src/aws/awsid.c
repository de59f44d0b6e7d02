#include "aws/awsid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

struct aws_identity awsid_fleet(const struct fleet *f)
{
	struct aws_identity id = {0};

	/* --profile is the fleet's default, over [fleet] aws_profile. */
	if (awscred_default_profile() == NULL)
		id.profile = f->aws_profile;
	return id;
}

struct aws_identity awsid_node(const struct fleet *f,
			       const struct fleet_node *n)
{
	struct aws_identity id = awsid_fleet(f);

	if (n->aws_profile != NULL) {
		id.profile = n->aws_profile;
	} else if (n->aws_role_arn != NULL) {
		id.role_arn = n->aws_role_arn;
		id.external_id = n->aws_external_id;
	}
	return id;
}

struct aws_client *awsid_client_fleet(const struct fleet *f)
{
	struct aws_identity id = awsid_fleet(f);

	return aws_client_new_as(&id);
}

struct aws_client *awsid_client_node(const struct fleet *f,
				     const struct fleet_node *n)
{
	struct aws_identity id = awsid_node(f, n);

	return aws_client_new_as(&id);
}

bool awsid_uniform(const struct fleet *f)
{
	size_t k;

	for (k = 0; k < f->nnodes; k++)
		if (f->nodes[k].aws_profile != NULL ||
		    f->nodes[k].aws_role_arn != NULL)
			return false;
	return true;
}

void awsid_describe_node(const struct fleet *f, const struct fleet_node *n,
			 char *out, size_t size)
{
	struct aws_client *a = awsid_client_node(f, n);

	snprintf(out, size, "%s", aws_client_identity(a));
	aws_client_free(a);
}

bool awsid_node_needs_aws(const struct fleet *f, const struct fleet_node *n)
{
	return n->config_ssm_param != NULL || n->kms_stack != NULL ||
	       (f->nitro.enabled && fleet_node_nitro_dimension(f, n) != NULL);
}

/* "no AWS access: WHO: why", without WHO said twice. */
static void awsid_why(struct awsid_access *out, const char *msg)
{
	size_t wl = strlen(out->identity);
	const char *why = msg;
	static const char sts[] = "STS GetCallerIdentity ";

	if (strncmp(why, "no AWS access: ", 15) == 0)
		snprintf(out->why, sizeof(out->why), "%s", why);
	else if (strncmp(why, out->identity, wl) == 0 && why[wl] == ':')
		why += wl + 1;
	else if (strncmp(why, sts, sizeof(sts) - 1) == 0 &&
		 strncmp(why + sizeof(sts) - 1, out->identity, wl) == 0 &&
		 why[sizeof(sts) - 1 + wl] == ':')
		snprintf(out->why, sizeof(out->why),
			 "no AWS access: %.300s: STS GetCallerIdentity:%.600s",
			 out->identity, why + sizeof(sts) + wl);
	if (out->why[0] == '\0')
		snprintf(out->why, sizeof(out->why),
			 "no AWS access: %.300s: %.600s", out->identity,
			 why + strspn(why, " "));
}

static void awsid_access_as(const struct aws_identity *id,
			    struct awsid_access *out)
{
	struct aws_client *a = aws_client_new_as(id);
	char msg[600], region[64];

	out->checked = true;
	snprintf(out->identity, sizeof(out->identity), "%s",
		 aws_client_identity(a));
	if (awscred_region(NULL, region, sizeof(region), msg, sizeof(msg)) < 0)
		snprintf(region, sizeof(region), "us-east-1");
	if (aws_client_whoami(a, region, out->account, sizeof(out->account),
			      out->arn, sizeof(out->arn), msg,
			      sizeof(msg)) == 0)
		out->ok = true;
	else
		awsid_why(out, msg);
	aws_client_free(a);
}

void awsid_access_node(const struct fleet *f, const struct fleet_node *n,
		       struct awsid_access *out)
{
	struct aws_identity id = awsid_node(f, n);

	memset(out, 0, sizeof(*out));
	out->needed = awsid_node_needs_aws(f, n);
	awsid_access_as(&id, out);
}

void awsid_access_fleet(const struct fleet *f, struct awsid_access *out)
{
	struct aws_identity id = awsid_fleet(f);

	memset(out, 0, sizeof(*out));
	out->needed = true;
	awsid_access_as(&id, out);
}

static bool awsid_same(const struct aws_identity *x,
		       const struct aws_identity *y)
{
	return (x->profile == NULL ? y->profile == NULL
				   : y->profile != NULL &&
					 strcmp(x->profile, y->profile) == 0) &&
	       (x->role_arn == NULL
		    ? y->role_arn == NULL
		    : y->role_arn != NULL &&
			  strcmp(x->role_arn, y->role_arn) == 0) &&
	       (x->external_id == NULL
		    ? y->external_id == NULL
		    : y->external_id != NULL &&
			  strcmp(x->external_id, y->external_id) == 0);
}

/* The nodes with want[k] (NULL: all that need AWS, or every one with
 * all), each distinct identity asked once. */
static void awsid_access_some(const struct fleet *f, const bool *want, bool all,
			      struct awsid_access *out)
{
	size_t k, j;

	for (k = 0; k < f->nnodes; k++) {
		struct aws_identity id = awsid_node(f, &f->nodes[k]);

		memset(&out[k], 0, sizeof(out[k]));
		out[k].needed = awsid_node_needs_aws(f, &f->nodes[k]);
		if (want != NULL ? !want[k] || !out[k].needed
				 : !out[k].needed && !all)
			continue;
		for (j = 0; j < k; j++) {
			struct aws_identity other = awsid_node(f, &f->nodes[j]);

			if (out[j].checked && awsid_same(&id, &other))
				break;
		}
		if (j < k) {
			bool needed = out[k].needed;

			out[k] = out[j];
			out[k].needed = needed;
		} else {
			awsid_access_as(&id, &out[k]);
		}
	}
}

void awsid_access_nodes(const struct fleet *f, bool all,
			struct awsid_access *out)
{
	awsid_access_some(f, NULL, all, out);
}

int awsid_require(const struct fleet *f, const struct fleet_node *const *nodes,
		  size_t count, char *who, size_t whosize, char *msg,
		  size_t msgsize)
{
	struct awsid_access *v = xcalloc(f->nnodes + 1, sizeof(*v));
	bool *want = xcalloc(f->nnodes + 1, sizeof(*want));
	char lines[6000];
	size_t k, j, wlen = 0, mlen = 0, bad = 0;

	for (k = 0; k < f->nnodes; k++) {
		for (j = 0; nodes != NULL && j < count; j++)
			if (nodes[j] == &f->nodes[k])
				break;
		want[k] = nodes == NULL || j < count;
	}
	awsid_access_some(f, want, false, v);
	free(want);
	if (whosize > 0)
		who[0] = '\0';
	if (msgsize > 0)
		msg[0] = '\0';
	for (k = 0; k < f->nnodes; k++) {
		const struct fleet_node *n = &f->nodes[k];

		if (!v[k].checked)
			continue;
		if (v[k].ok) {
			if (wlen < whosize)
				wlen += (size_t)snprintf(
				    who + wlen, whosize - wlen,
				    "  %s: %s (account %s)\n", n->name,
				    v[k].identity, v[k].account);
			continue;
		}
		if (mlen < sizeof(lines))
			mlen +=
			    (size_t)snprintf(lines + mlen, sizeof(lines) - mlen,
					     "\n  %s: %s", n->name, v[k].why);
		if (bad++ == 0)
			snprintf(msg, msgsize, "%s: %s; nothing changed",
				 n->name, v[k].why);
	}
	if (bad > 1)
		snprintf(msg, msgsize,
			 "no AWS access for %zu nodes; nothing changed:%s", bad,
			 lines);
	free(v);
	return bad > 0 ? -1 : 0;
}
