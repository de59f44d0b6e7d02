#include "engine/nodeact.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/sanitize.h"
#include "lib/xalloc.h"

struct nodeact {
	struct nodeact_result r;
	struct transport_stream *ts; /* while it runs */
	int64_t deadline;            /* monotonic */
	int64_t timeout_ms;
	bool queued;
};

struct nodeacts {
	const struct fleet *fleet;
	struct transport *transport;
	struct nodeact acts[NODEACT_KEEP]; /* by id % NODEACT_KEEP */
	uint64_t next_id;
	pthread_mutex_t lock;
};

struct nodeacts *nodeacts_new(const struct fleet *f, struct transport *t)
{
	struct nodeacts *na = xcalloc(1, sizeof(*na));

	na->fleet = f;
	na->transport = t;
	na->next_id = 1;
	pthread_mutex_init(&na->lock, NULL);
	return na;
}

void nodeacts_free(struct nodeacts *na)
{
	size_t k;

	if (na == NULL)
		return;
	for (k = 0; k < NODEACT_KEEP; k++)
		transport_stream_close(na->acts[k].ts);
	pthread_mutex_destroy(&na->lock);
	free(na);
}

uint64_t nodeacts_start(struct nodeacts *na, size_t node, enum fleet_cmd cmd)
{
	return nodeacts_start_timeout(na, node, cmd, NODEACT_TIMEOUT_MS);
}

uint64_t nodeacts_start_timeout(struct nodeacts *na, size_t node,
				enum fleet_cmd cmd, int64_t timeout_ms)
{
	struct nodeact *a;
	uint64_t id;

	pthread_mutex_lock(&na->lock);
	id = na->next_id++;
	a = &na->acts[id % NODEACT_KEEP];
	/* The oldest result makes room; one still running keeps going. */
	if (a->ts != NULL) {
		transport_stream_close(a->ts);
		a->ts = NULL;
	}
	memset(a, 0, sizeof(*a));
	a->r.id = id;
	a->r.node = node;
	a->r.cmd = cmd;
	a->r.exit_status = -1;
	a->r.started_ms = clock_now_ms();
	a->timeout_ms = timeout_ms;
	a->queued = true;
	pthread_mutex_unlock(&na->lock);
	return id;
}

/* transport_line_fn: keep the last line of output. */
static void nodeact_on_line(void *ctx, const char *line, size_t len, bool cut)
{
	struct nodeact *a = ctx;

	(void)cut;
	if (len == 0)
		return;
	sanitize_text(line, len, a->r.output, sizeof(a->r.output), false);
}

static void nodeact_finish(struct nodeact *a, int status)
{
	a->r.exit_status = status;
	a->r.done = true;
	a->r.ended_ms = clock_now_ms();
}

bool nodeacts_step(struct nodeacts *na)
{
	int64_t now = clock_mono_ms();
	bool running = false;
	size_t k;

	pthread_mutex_lock(&na->lock);
	for (k = 0; k < NODEACT_KEEP; k++) {
		struct nodeact *a = &na->acts[k];
		int rc;

		if (a->queued) {
			a->queued = false;
			a->ts = transport_stream_open(
			    na->transport, &na->fleet->nodes[a->r.node],
			    a->r.cmd, a->r.error, sizeof(a->r.error));
			if (a->ts == NULL) {
				nodeact_finish(a, -1);
				continue;
			}
			a->deadline = now + a->timeout_ms;
		}
		if (a->ts == NULL)
			continue;
		rc = transport_stream_read(a->ts, nodeact_on_line, a);
		if (rc == 0 && now < a->deadline) {
			running = true;
			continue;
		}
		if (rc < 0)
			snprintf(a->r.error, sizeof(a->r.error), "%s",
				 transport_stream_error(a->ts));
		else if (rc == 0)
			snprintf(a->r.error, sizeof(a->r.error),
				 "no answer within %lld s: stopped waiting",
				 (long long)(a->timeout_ms / 1000));
		nodeact_finish(a, transport_stream_close(a->ts));
		if (rc != 1)
			a->r.exit_status = -1;
		a->ts = NULL;
	}
	pthread_mutex_unlock(&na->lock);
	return running;
}

bool nodeacts_get(struct nodeacts *na, uint64_t id, struct nodeact_result *r)
{
	bool found;

	pthread_mutex_lock(&na->lock);
	found = id != 0 && na->acts[id % NODEACT_KEEP].r.id == id;
	if (found)
		*r = na->acts[id % NODEACT_KEEP].r;
	pthread_mutex_unlock(&na->lock);
	return found;
}
