/*
 * health: one node's health as a state machine over check results.
 *
 * Owns nothing beyond the structs the caller gives it; no I/O, no clock of
 * its own (times come in with the results), so it is tested on its own.
 *
 * Rules: a node is UNKNOWN until its first result, which decides UP (HTTP
 * 200) or DOWN (anything else). After that, failure_threshold consecutive
 * failed checks take an UP node DOWN, and success_threshold consecutive
 * good checks bring a DOWN node back UP. Each change is an event.
 */
#ifndef BVOPS_HEALTH_H
#define BVOPS_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum health_status { HEALTH_UNKNOWN, HEALTH_UP, HEALTH_DOWN };

#define HEALTH_ERROR_MAX 120
#define HEALTH_HISTORY   64 /* checks kept per node */

struct health_check {
	int64_t at_ms;     /* when the check ended (wall clock, ms) */
	int http_code;     /* 0: no HTTP answer */
	double latency_ms; /* < 0: no HTTP answer */
	char error[HEALTH_ERROR_MAX]; /* why there was no answer, or "" */
};

struct health_node {
	enum health_status status;
	struct health_check last; /* at_ms 0: no check yet */
	unsigned consecutive_failures;
	unsigned consecutive_successes;
	int64_t last_change_ms; /* 0: never changed */
	/* Ring of recent checks, oldest first from history_start. */
	struct health_check history[HEALTH_HISTORY];
	size_t history_start, history_len;
};

struct health_event {
	enum health_status from, to;
	int64_t at_ms;
	unsigned consecutive_failures;
	char cause[HEALTH_ERROR_MAX + 40]; /* "HTTP 503", "timeout ..." */
};

const char *health_status_name(enum health_status s);
bool health_check_ok(const struct health_check *c);

/* Start a node as UNKNOWN with no history. */
void health_node_init(struct health_node *n);

/*
 * Record one result. Returns true and fills *ev when the status changed.
 */
bool health_node_record(struct health_node *n, const struct health_check *c,
			unsigned failure_threshold, unsigned success_threshold,
			struct health_event *ev);

/* The i-th most recent check (0 = newest); NULL past the history. */
const struct health_check *health_node_recent(const struct health_node *n,
					      size_t i);

#endif
