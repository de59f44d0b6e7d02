/* The health state machine: thresholds, history ring, events. */
#include <stdio.h>

#include "check.h"
#include "engine/health.h"

static struct health_check result(int64_t at, int code)
{
	struct health_check c;

	memset(&c, 0, sizeof(c));
	c.at_ms = at;
	c.http_code = code;
	c.latency_ms = code ? 1.5 : -1;
	if (code == 0)
		snprintf(c.error, sizeof(c.error), "connection refused");
	return c;
}

/* Feed codes; returns how many events fired, last one in *ev. */
static int feed(struct health_node *n, const int *codes, int count,
		unsigned fail_t, unsigned ok_t, struct health_event *ev)
{
	int k, events = 0;

	for (k = 0; k < count; k++) {
		struct health_check c =
		    result(1000 * (int64_t)(k + 1), codes[k]);

		if (health_node_record(n, &c, fail_t, ok_t, ev))
			events++;
	}
	return events;
}

TEST(health_first_result_decides)
{
	struct health_node n;
	struct health_event ev;
	struct health_check c = result(5, 200);

	health_node_init(&n);
	CHECK(n.status == HEALTH_UNKNOWN);
	CHECK(health_node_record(&n, &c, 3, 2, &ev));
	CHECK(ev.from == HEALTH_UNKNOWN && ev.to == HEALTH_UP);
	health_node_init(&n);
	c = result(5, 503);
	CHECK(health_node_record(&n, &c, 3, 2, &ev));
	CHECK(ev.to == HEALTH_DOWN);
	CHECK_STR(ev.cause, "HTTP 503");
}

TEST(health_thresholds_decide_transitions)
{
	static const int codes[] = {200, 503, 0, 200, 503, 0, 0};
	static const int back[] = {200, 503, 200, 200};
	struct health_node n;
	struct health_event ev;

	health_node_init(&n);
	/* up; two failures are not enough; a success resets; three are. */
	CHECK(feed(&n, codes, 7, 3, 2, &ev) == 2);
	CHECK(n.status == HEALTH_DOWN);
	CHECK(ev.from == HEALTH_UP && ev.to == HEALTH_DOWN);
	CHECK(ev.consecutive_failures == 3);
	CHECK_STR(ev.cause, "connection refused");
	CHECK(ev.at_ms == 7000 && n.last_change_ms == 7000);
	/* down; one success, a failure resets, then two successes. */
	CHECK(feed(&n, back, 4, 3, 2, &ev) == 1);
	CHECK(n.status == HEALTH_UP && ev.to == HEALTH_UP);
	CHECK(n.consecutive_successes == 2 && n.consecutive_failures == 0);
}

TEST(health_history_ring_keeps_the_newest)
{
	struct health_node n;
	struct health_event ev;
	int k;

	health_node_init(&n);
	CHECK(health_node_recent(&n, 0) == NULL);
	for (k = 0; k < HEALTH_HISTORY + 10; k++) {
		struct health_check c = result(k + 1, k % 2 ? 200 : 503);

		health_node_record(&n, &c, 3, 2, &ev);
	}
	CHECK(n.history_len == HEALTH_HISTORY);
	CHECK(health_node_recent(&n, 0)->at_ms == HEALTH_HISTORY + 10);
	CHECK(health_node_recent(&n, HEALTH_HISTORY - 1)->at_ms == 11);
	CHECK(health_node_recent(&n, HEALTH_HISTORY) == NULL);
	CHECK(n.last.at_ms == HEALTH_HISTORY + 10);
}
