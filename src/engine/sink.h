/*
 * sink: delivery of alert events to the fleet's [alerts] command and
 * webhook, without ever blocking the engine.
 *
 * Each sink has its own queue, delivers in order, one at a time: the
 * command runs under "sh -c" with the event's JSON on stdin and is killed
 * (its process group) after [alerts] command_timeout; the webhook gets a
 * POST of the JSON through a libcurl multi handle (TLS verified, 10 s
 * limit). An event counts as sent only when the sink accepted it (exit 0;
 * a 2xx answer); otherwise it is tried again after 1 s, then 2 s, three
 * attempts in all, and every failure is reported.
 *
 * Owns the queues, the children and the curl handles; borrows the fleet.
 * Engine thread only.
 */
#ifndef BVOPS_SINK_H
#define BVOPS_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/fleet.h"

#define SINK_QUEUE_MAX 1000
#define SINK_ATTEMPTS  3

struct sinks;

/* An outcome: sink is "command" or "webhook"; final when no attempt is
 * left (ok or not). */
struct sink_report {
	uint64_t seq;
	const char *sink;
	bool ok, final;
	int attempt;
	char message[300];
};

typedef void (*sink_report_fn)(void *ctx, const struct sink_report *r);

struct sinks *sinks_new(const struct fleet *f, sink_report_fn report,
			void *ctx);
/* Kills a running command; drops what is queued. */
void sinks_free(struct sinks *s);
/* Queue one event (copied) for every configured sink. */
void sinks_send(struct sinks *s, uint64_t seq, const char *json);
/* Move deliveries on; returns the ms until it wants to run again. */
int64_t sinks_step(struct sinks *s, int64_t now_ms);
/* Nothing queued or in flight. */
bool sinks_idle(const struct sinks *s);

#endif
