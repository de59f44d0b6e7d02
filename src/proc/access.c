#include "proc/access.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_kms.h"
#include "aws/aws_s3.h"
#include "aws/awscred.h"
#include "aws/cfgloc.h"
#include "lib/xalloc.h"
#include "proc/keypolicy.h"
#include "proc/shared.h"

static void ac_probe(struct access_entry *e, const char *name, bool ok,
		     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void ac_probe(struct access_entry *e, const char *name, bool ok,
		     const char *fmt, ...)
{
	struct access_probe *p;
	va_list ap;

	if (e->nprobes == ACCESS_PROBES_MAX)
		return;
	p = &e->probes[e->nprobes++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ok = ok;
	va_start(ap, fmt);
	vsnprintf(p->fact, sizeof(p->fact), fmt, ap);
	va_end(ap);
}

struct ac_job {
	const struct fleet *f;
	const struct fleet_node *n;
	struct access_entry *e;
};

/* The config: where it is (the SSM chain), that it can be read (a
 * HeadObject: no secret crosses the wire), and its versions. */
static void ac_config(const struct fleet *f, const struct fleet_node *n,
		      struct aws_client *a, struct access_entry *e)
{
	struct cfgloc loc;
	struct aws_s3_object o = {0};
	struct aws_s3_versions v = {0};
	char region[64], msg[900];

	if (awscred_region(f->region, region, sizeof(region), msg,
			   sizeof(msg)) < 0 ||
	    cfgloc_resolve(a, region, n, &loc, msg, sizeof(msg)) < 0) {
		ac_probe(e, "config", false, "%s", msg);
		return;
	}
	if (aws_s3_get(a, loc.region, loc.bucket, loc.key, NULL, true, &o, msg,
		       sizeof(msg)) < 0)
		ac_probe(e, "config", false, "%s", msg);
	else
		ac_probe(e, "config", true, "s3://%s/%s (%s) readable",
			 loc.bucket, loc.key, loc.region);
	aws_s3_object_free(&o);
	if (aws_s3_list_versions(a, loc.region, loc.bucket, loc.key, &v, msg,
				 sizeof(msg)) < 0)
		ac_probe(e, "versions", false, "%s", msg);
	else
		ac_probe(e, "versions", true, "%zu version%s listed", v.n,
			 v.n == 1 ? "" : "s");
	aws_s3_versions_free(&v);
	cfgloc_free(&loc);
}

static void ac_key_policy(const struct fleet *f, const struct fleet_node *n,
			  struct aws_client *a, struct access_entry *e)
{
	char region[64], key[256], msg[900], *policy;

	if (keypolicy_node_key(f, n, a, region, sizeof(region), key,
			       sizeof(key), NULL, msg, sizeof(msg)) < 0) {
		ac_probe(e, "key-policy", false, "%s", msg);
		return;
	}
	policy = aws_kms_get_key_policy(a, region, key, msg, sizeof(msg));
	if (policy == NULL)
		ac_probe(e, "key-policy", false, "%s", msg);
	else
		ac_probe(e, "key-policy", true,
			 "%s of stack %s, key %s (%s) readable",
			 f->debug.kms_logical_id, n->kms_stack, key, region);
	free(policy);
}

static void *ac_node(void *arg)
{
	struct ac_job *j = arg;
	struct access_entry *e = j->e;
	struct aws_client *a;

	snprintf(e->name, sizeof(e->name), "%s", j->n->name);
	if (!awsid_node_needs_aws(j->f, j->n)) {
		awsid_describe_node(j->f, j->n, e->id.identity,
				    sizeof(e->id.identity));
		snprintf(e->note, sizeof(e->note),
			 "needs no AWS: no config_ssm_param or kms_stack");
		return NULL;
	}
	awsid_access_node(j->f, j->n, &e->id);
	if (!e->id.ok)
		return NULL;
	a = awsid_client_node(j->f, j->n);
	if (j->n->config_ssm_param != NULL || j->n->instance_id != NULL)
		ac_config(j->f, j->n, a, e);
	if (j->n->kms_stack != NULL)
		ac_key_policy(j->f, j->n, a, e);
	aws_client_free(a);
	return NULL;
}

static void ac_shared(const struct fleet *f, struct access_entry *e)
{
	struct shared_access s;

	snprintf(e->name, sizeof(e->name), "shared state");
	awsid_access_fleet(f, &e->id);
	shared_access_probe(f, &s);
	if (!s.shared) {
		e->id.needed = false;
		snprintf(e->note, sizeof(e->note),
			 "none: [fleet] state = \"none\", or no node's config "
			 "is in AWS");
		return;
	}
	if (!e->id.ok)
		return;
	if (s.locate_err[0]) {
		ac_probe(e, "state", false, "%s", s.locate_err);
		return;
	}
	if (s.state_err[0])
		ac_probe(e, "state", false, "%s", s.state_err);
	else
		ac_probe(e, "state", true, "%s readable", s.where);
	if (s.lock_err[0])
		ac_probe(e, "lock", false, "%s", s.lock_err);
	else
		ac_probe(e, "lock", true, "the fleet's lock readable");
}

static size_t ac_failed(const struct access_entry *e)
{
	size_t k, bad = 0;

	if (e->id.needed && !e->id.ok)
		bad++;
	for (k = 0; k < e->nprobes; k++)
		bad += !e->probes[k].ok;
	return bad;
}

void access_run(const struct fleet *f, struct access_report *r)
{
	struct ac_job *jobs = xcalloc(f->nnodes + 1, sizeof(*jobs));
	pthread_t *th = xcalloc(f->nnodes + 1, sizeof(*th));
	bool *started = xcalloc(f->nnodes + 1, sizeof(*started));
	size_t k;

	memset(r, 0, sizeof(*r));
	r->n = f->nnodes;
	r->nodes = xcalloc(f->nnodes + 1, sizeof(*r->nodes));
	for (k = 0; k < f->nnodes; k++) {
		jobs[k] = (struct ac_job){f, &f->nodes[k], &r->nodes[k]};
		started[k] =
		    pthread_create(&th[k], NULL, ac_node, &jobs[k]) == 0;
		if (!started[k])
			ac_node(&jobs[k]);
	}
	ac_shared(f, &r->shared);
	for (k = 0; k < f->nnodes; k++)
		if (started[k])
			pthread_join(th[k], NULL);
	r->failed = ac_failed(&r->shared);
	for (k = 0; k < f->nnodes; k++)
		r->failed += ac_failed(&r->nodes[k]);
	free(jobs);
	free(th);
	free(started);
}

void access_report_free(struct access_report *r)
{
	free(r->nodes);
	memset(r, 0, sizeof(*r));
}
