/*
 * aws_cw: CloudWatch metrics (query protocol over aws.h, signing name
 * "monitoring"): the latest value of one metric for many dimension values
 * in one GetMetricData call, and PutMetricData of one value.
 */
#ifndef BVOPS_AWS_CW_H
#define BVOPS_AWS_CW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"

/* GetMetricData takes at most this many queries per call. */
#define AWS_CW_QUERIES_MAX 500

struct aws_cw_metric {
	const char *namespace_;
	const char *name;
	const char *dimension; /* its name, e.g. "EnclaveName" */
	const char *stat;      /* "Minimum", "Average", ... */
	int period_s;          /* aggregation period, >= 60 */
	int window_s;          /* how far back to look */
};

/*
 * For each of n dimension values, the newest datapoint within window_s
 * before now_s: values[i] and have[i] (false when there is none).
 * Returns 0, or -1 with a message.
 */
int aws_cw_latest(struct aws_client *a, const char *region,
		  const struct aws_cw_metric *m, const char *const *dim_values,
		  size_t n, int64_t now_s, double *values, bool *have,
		  char *msg, size_t msgsize);

/* One value of a metric, with its dimensions (name/value pairs). */
struct aws_cw_datum {
	const char *dim_names[4];
	const char *dim_values[4];
	size_t ndims;
	double value;
};

/* PutMetricData takes at most this many values per call. */
#define AWS_CW_PUT_MAX 500

/*
 * PutMetricData of n values of metric name in namespace_, now, in calls
 * of at most AWS_CW_PUT_MAX. Returns 0, or -1 with a message.
 */
int aws_cw_put_data(struct aws_client *a, const char *region,
		    const char *namespace_, const char *name,
		    const struct aws_cw_datum *d, size_t n, char *msg,
		    size_t msgsize);

/* PutMetricData of one value with one dimension, now. */
int aws_cw_put(struct aws_client *a, const char *region,
	       const struct aws_cw_metric *m, const char *dim_value,
	       double value, char *msg, size_t msgsize);

#endif
