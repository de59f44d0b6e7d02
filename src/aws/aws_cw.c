#include "aws/aws_cw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/xalloc.h"
#include "lib/xml.h"

#define AWS_CW_VERSION "2010-08-01"

static void aws_cw_request(struct aws_request *rq, const char *region,
			   const char *call, const char *resource)
{
	memset(rq, 0, sizeof(*rq));
	rq->service = "monitoring";
	rq->env_name = "CLOUDWATCH";
	rq->host = "monitoring";
	rq->region = region;
	rq->call = call;
	rq->resource = resource;
}

static void aws_cw_iso(int64_t s, char *out, size_t size)
{
	time_t t = (time_t)s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Parameter names and values live in one arena freed at the end. */
struct aws_cw_params {
	char **v;
	size_t n, cap;
};

static void aws_cw_add(struct aws_cw_params *p, char *name, char *value)
{
	if (p->n + 3 > p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n++] = name;
	p->v[p->n++] = value;
	p->v[p->n] = NULL;
}

static void aws_cw_params_free(struct aws_cw_params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
}

int aws_cw_latest(struct aws_client *a, const char *region,
		  const struct aws_cw_metric *m, const char *const *dim_values,
		  size_t n, int64_t now_s, double *values, bool *have,
		  char *msg, size_t msgsize)
{
	struct aws_cw_params p = {0};
	struct aws_request rq;
	char resource[400], t0[32], t1[32];
	const struct xml *res, *r;
	struct xml *root;
	size_t i;

	if (n == 0)
		return 0;
	if (n > AWS_CW_QUERIES_MAX) {
		snprintf(msg, msgsize,
			 "CloudWatch GetMetricData: %zu series, "
			 "at most %d in one call",
			 n, AWS_CW_QUERIES_MAX);
		return -1;
	}
	snprintf(resource, sizeof(resource), "metric %s/%s by %s (%s)",
		 m->namespace_, m->name, m->dimension, region);
	aws_cw_request(&rq, region, "CloudWatch GetMetricData", resource);
	aws_cw_iso(now_s - m->window_s, t0, sizeof(t0));
	/* A minute past now: a datapoint stamped within this very second
	 * (or by a clock a little ahead) still counts. */
	aws_cw_iso(now_s + 60, t1, sizeof(t1));
	aws_cw_add(&p, xstrdup("StartTime"), xstrdup(t0));
	aws_cw_add(&p, xstrdup("EndTime"), xstrdup(t1));
	aws_cw_add(&p, xstrdup("ScanBy"), xstrdup("TimestampDescending"));
	for (i = 0; i < n; i++) {
		const char *q = "MetricDataQueries.member";

		values[i] = 0;
		have[i] = false;
		aws_cw_add(&p, xasprintf("%s.%zu.Id", q, i + 1),
			   xasprintf("m%zu", i));
		aws_cw_add(
		    &p,
		    xasprintf("%s.%zu.MetricStat.Metric.Namespace", q, i + 1),
		    xstrdup(m->namespace_));
		aws_cw_add(
		    &p,
		    xasprintf("%s.%zu.MetricStat.Metric.MetricName", q, i + 1),
		    xstrdup(m->name));
		aws_cw_add(
		    &p,
		    xasprintf("%s.%zu.MetricStat.Metric.Dimensions.member."
			      "1.Name",
			      q, i + 1),
		    xstrdup(m->dimension));
		aws_cw_add(
		    &p,
		    xasprintf("%s.%zu.MetricStat.Metric.Dimensions.member."
			      "1.Value",
			      q, i + 1),
		    xstrdup(dim_values[i]));
		aws_cw_add(&p, xasprintf("%s.%zu.MetricStat.Period", q, i + 1),
			   xasprintf("%d", m->period_s));
		aws_cw_add(&p, xasprintf("%s.%zu.MetricStat.Stat", q, i + 1),
			   xstrdup(m->stat));
		aws_cw_add(&p, xasprintf("%s.%zu.ReturnData", q, i + 1),
			   xstrdup("true"));
	}
	if (aws_call_query(a, &rq, "GetMetricData", AWS_CW_VERSION,
			   (const char *const *)p.v, &root, msg, msgsize) < 0) {
		aws_cw_params_free(&p);
		return -1;
	}
	aws_cw_params_free(&p);
	res = xml_child(xml_child(root, "GetMetricDataResult"),
			"MetricDataResults");
	if (res == NULL) {
		snprintf(
		    msg, msgsize,
		    "CloudWatch GetMetricData %s: the answer does not parse "
		    "(no MetricDataResults)",
		    resource);
		xml_free(root);
		return -1;
	}
	for (r = xml_child(res, "member"); r != NULL; r = xml_next(r)) {
		const char *id = xml_text(r, "Id");
		const struct xml *ts =
		    xml_child(xml_child(r, "Timestamps"), "member");
		const struct xml *vs =
		    xml_child(xml_child(r, "Values"), "member");
		const struct xml *best = NULL;
		const char *best_t = NULL;
		char *end;
		unsigned long k;

		if (id == NULL || id[0] != 'm')
			continue;
		k = strtoul(id + 1, &end, 10);
		if (*end || k >= n)
			continue;
		/* Newest first is asked for; take the newest anyway. */
		for (; ts != NULL && vs != NULL;
		     ts = xml_next(ts), vs = xml_next(vs))
			if (best_t == NULL || strcmp(ts->text, best_t) > 0)
				best_t = ts->text, best = vs;
		if (best != NULL) {
			values[k] = strtod(best->text, &end);
			have[k] = end != best->text;
		}
	}
	xml_free(root);
	return 0;
}

int aws_cw_put(struct aws_client *a, const char *region,
	       const struct aws_cw_metric *m, const char *dim_value,
	       double value, char *msg, size_t msgsize)
{
	char resource[400], v[64];
	const char *params[] = {"Namespace",
				m->namespace_,
				"MetricData.member.1.MetricName",
				m->name,
				"MetricData.member.1.Dimensions.member.1.Name",
				m->dimension,
				"MetricData.member.1.Dimensions.member.1.Value",
				dim_value,
				"MetricData.member.1.Value",
				v,
				NULL};
	struct aws_request rq;
	struct xml *root;

	snprintf(v, sizeof(v), "%.17g", value);
	snprintf(resource, sizeof(resource), "metric %s/%s %s=%s (%s)",
		 m->namespace_, m->name, m->dimension, dim_value, region);
	aws_cw_request(&rq, region, "CloudWatch PutMetricData", resource);
	if (aws_call_query(a, &rq, "PutMetricData", AWS_CW_VERSION, params,
			   &root, msg, msgsize) < 0)
		return -1;
	xml_free(root);
	return 0;
}

int aws_cw_put_data(struct aws_client *a, const char *region,
		    const char *namespace_, const char *name,
		    const struct aws_cw_datum *d, size_t n, char *msg,
		    size_t msgsize)
{
	size_t from;

	for (from = 0; from < n; from += AWS_CW_PUT_MAX) {
		struct aws_cw_params p = {0};
		char resource[300];
		struct aws_request rq;
		struct xml *root;
		size_t k, j, count = n - from;
		int rc;

		if (count > AWS_CW_PUT_MAX)
			count = AWS_CW_PUT_MAX;
		aws_cw_add(&p, xstrdup("Namespace"), xstrdup(namespace_));
		for (k = 0; k < count; k++) {
			const struct aws_cw_datum *x = &d[from + k];

			aws_cw_add(&p,
				   xasprintf("MetricData.member.%zu.MetricName",
					     k + 1),
				   xstrdup(name));
			aws_cw_add(
			    &p, xasprintf("MetricData.member.%zu.Value", k + 1),
			    xasprintf("%.17g", x->value));
			for (j = 0; j < x->ndims && j < 4; j++) {
				aws_cw_add(
				    &p,
				    xasprintf("MetricData.member.%zu."
					      "Dimensions.member.%zu.Name",
					      k + 1, j + 1),
				    xstrdup(x->dim_names[j]));
				aws_cw_add(&p,
					   xasprintf("MetricData.member.%zu."
						     "Dimensions.member.%zu."
						     "Value",
						     k + 1, j + 1),
					   xstrdup(x->dim_values[j]));
			}
		}
		snprintf(resource, sizeof(resource),
			 "metric %s/%s, %zu values (%s)", namespace_, name,
			 count, region);
		aws_cw_request(&rq, region, "CloudWatch PutMetricData",
			       resource);
		rc = aws_call_query(a, &rq, "PutMetricData", AWS_CW_VERSION,
				    (const char *const *)p.v, &root, msg,
				    msgsize);
		aws_cw_params_free(&p);
		if (rc < 0)
			return -1;
		xml_free(root);
	}
	return 0;
}
