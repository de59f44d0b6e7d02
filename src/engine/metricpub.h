/*
 * metricpub: `bvops watch` publishing each node's health to CloudWatch
 * ([metrics] in the fleet file; docs/watch.md), so the fleet's dashboards
 * and alarms see what bvops sees: every [metrics] interval one
 * PutMetricData of metric (default NodeUp) in namespace (default BVOps),
 * value 1 for an up node and 0 for a down one (nothing while unknown),
 * dimensions Fleet and Node.
 *
 * Runs on a thread of its own (AWS calls block); reads the monitor's
 * snapshots (borrowed, thread-safe). Reports the first success, every
 * failure that differs from the last one, and the recovery, through the
 * callback, which it calls from its thread.
 */
#ifndef BVOPS_METRICPUB_H
#define BVOPS_METRICPUB_H

#include <stdbool.h>

#include "engine/monitor.h"
#include "state/fleet.h"

typedef void (*metricpub_report_fn)(void *ctx, bool ok, const char *message);

struct metricpub;

/* Started when the fleet has [metrics]; NULL otherwise. */
struct metricpub *metricpub_start(const struct fleet *f, struct monitor *m,
				  metricpub_report_fn report, void *ctx);
/* Cancels a call in flight and joins the thread; NULL is fine. */
void metricpub_stop(struct metricpub *p);

#endif
