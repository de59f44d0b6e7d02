/* A log stream's lines: bounded, numbered, sanitized, searchable. */
#include <stdio.h>

#include "check.h"
#include "lib/logring.h"

static void push(struct logring *r, const char *s)
{
	logring_push(r, 1000, LOGRING_LINE, s, strlen(s), false);
}

TEST(logring_keeps_the_newest_within_the_line_bound)
{
	struct logring r;
	char line[32];
	int k;

	logring_init(&r, 100, 0);
	for (k = 0; k < 250; k++) {
		snprintf(line, sizeof(line), "line %d", k);
		push(&r, line);
	}
	CHECK(r.len == 100 && r.total == 250);
	CHECK(logring_first(&r) == 150 && logring_dropped(&r) == 150);
	CHECK(logring_at(&r, 149) == NULL && logring_at(&r, 250) == NULL);
	CHECK_STR(logring_at(&r, 150)->text, "line 150");
	CHECK_STR(logring_at(&r, 249)->text, "line 249");
	logring_free(&r);
}

TEST(logring_bytes_bound_memory)
{
	struct logring r;
	char big[1000];
	int k;

	memset(big, 'x', sizeof(big));
	logring_init(&r, 10000, 10000);
	for (k = 0; k < 100; k++)
		logring_push(&r, k, LOGRING_LINE, big, sizeof(big), false);
	CHECK(r.bytes <= 10000 && r.len == 10);
	/* A line larger than the budget is cut to it, not refused. */
	logring_push(&r, 0, LOGRING_LINE, big, sizeof(big), false);
	logring_free(&r);
	logring_init(&r, 10, 100);
	logring_push(&r, 0, LOGRING_LINE, big, sizeof(big), true);
	CHECK(r.len == 1 && logring_at(&r, 0)->len == 100);
	CHECK(logring_at(&r, 0)->cut);
	logring_free(&r);
}

TEST(logring_sanitizes_on_arrival_and_marks)
{
	struct logring r;

	logring_init(&r, 10, 0);
	push(&r, "a\x1b]0;pwned\x07"
		 "b\x1b[2Jc\x01");
	logring_push(&r, 5, LOGRING_GAP, "stream reconnected", 18, false);
	logring_push(&r, 6, LOGRING_HEALTH, "up -> down (HTTP 503)", 21, false);
	CHECK_STR(logring_at(&r, 0)->text, "abc?");
	CHECK(logring_at(&r, 1)->kind == LOGRING_GAP);
	CHECK(logring_at(&r, 2)->kind == LOGRING_HEALTH);
	CHECK(logring_at(&r, 2)->at_ms == 6);
	logring_free(&r);
}

TEST(logring_search_both_ways)
{
	struct logring r;

	logring_init(&r, 3, 0);
	push(&r, "dropped ERROR");
	push(&r, "info one");
	push(&r, "Error: disk");
	push(&r, "info two");
	CHECK(logring_find(&r, 0, "error", false) == 2);
	CHECK(logring_find(&r, 3, "error", true) == 2);
	CHECK(logring_find(&r, 3, "ERROR", false) == -1);
	CHECK(logring_find(&r, 1, "error", true) == -1);
	CHECK(logring_find(&r, 99, "info", true) == 3);
	CHECK(logring_find(&r, 2, "missing", false) == -1);
	logring_free(&r);
}
