#include "engine/health.h"

#include <stdio.h>
#include <string.h>

const char *health_status_name(enum health_status s)
{
	switch (s) {
	case HEALTH_UP: return "up";
	case HEALTH_DOWN: return "down";
	case HEALTH_UNKNOWN: break;
	}
	return "unknown";
}

bool health_check_ok(const struct health_check *c)
{
	return c->http_code == 200;
}

void health_node_init(struct health_node *n)
{
	memset(n, 0, sizeof(*n));
	n->status = HEALTH_UNKNOWN;
	n->last.latency_ms = -1;
}

static void health_history_push(struct health_node *n,
				const struct health_check *c)
{
	size_t slot;

	if (n->history_len < HEALTH_HISTORY) {
		slot = (n->history_start + n->history_len) % HEALTH_HISTORY;
		n->history_len++;
	} else {
		slot = n->history_start;
		n->history_start = (n->history_start + 1) % HEALTH_HISTORY;
	}
	n->history[slot] = *c;
}

const struct health_check *health_node_recent(const struct health_node *n,
					      size_t i)
{
	if (i >= n->history_len)
		return NULL;
	return &n->history[(n->history_start + n->history_len - 1 - i) %
			   HEALTH_HISTORY];
}

static void health_cause(const struct health_check *c, char *out, size_t size)
{
	if (c->http_code != 0)
		snprintf(out, size, "HTTP %d", c->http_code);
	else
		snprintf(out, size, "%s", c->error[0] ? c->error : "no answer");
}

bool health_node_record(struct health_node *n, const struct health_check *c,
			unsigned failure_threshold, unsigned success_threshold,
			struct health_event *ev)
{
	bool ok = health_check_ok(c);
	enum health_status to = n->status;

	n->last = *c;
	health_history_push(n, c);
	if (ok) {
		n->consecutive_successes++;
		n->consecutive_failures = 0;
	} else {
		n->consecutive_failures++;
		n->consecutive_successes = 0;
	}
	if (n->status == HEALTH_UNKNOWN)
		to = ok ? HEALTH_UP : HEALTH_DOWN;
	else if (n->status == HEALTH_UP && !ok &&
		 n->consecutive_failures >= failure_threshold)
		to = HEALTH_DOWN;
	else if (n->status == HEALTH_DOWN && ok &&
		 n->consecutive_successes >= success_threshold)
		to = HEALTH_UP;
	if (to == n->status)
		return false;
	ev->from = n->status;
	ev->to = to;
	ev->at_ms = c->at_ms;
	ev->consecutive_failures = n->consecutive_failures;
	health_cause(c, ev->cause, sizeof(ev->cause));
	n->status = to;
	n->last_change_ms = c->at_ms;
	return true;
}
