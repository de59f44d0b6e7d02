/*
 * nitro: each node's latest "nitro status" from CloudWatch ([nitro] in
 * the fleet file): one GetMetricData call for the whole fleet.
 */
#ifndef BVOPS_NITRO_H
#define BVOPS_NITRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws.h"
#include "state/fleet.h"

/*
 * For every node of f: values[k] and have[k] (false: no datapoint in the
 * window, or the node has no dimension value). a: NULL asks as each
 * node's identity (awsid.h), the nodes that share one in one call.
 * Returns 0, or -1 with a message (then every have[k] is false).
 */
int nitro_fetch(struct aws_client *a, const char *region, const struct fleet *f,
		int64_t now_s, double *values, bool *have, char *msg,
		size_t msgsize);

#endif
