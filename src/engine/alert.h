/*
 * alert: one alert event and its stable JSON shape (docs/watch.md).
 *
 *   {"seq", "fleet", "node", "index", "kind", "from", "to", "http_code",
 *    "error", "time", "consecutive_failures", "detail", "log_excerpt"}
 *
 * node and index are null for fleet-wide alerts; from/to are health
 * statuses or null; http_code is null without an HTTP answer.
 */
#ifndef BVOPS_ALERT_H
#define BVOPS_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "state/fleet.h"

enum alert_kind {
	ALERT_DOWN,            /* up/unknown -> down */
	ALERT_UP,              /* down -> up */
	ALERT_REMINDER,        /* still down */
	ALERT_FLAPPING,        /* too many changes in the window */
	ALERT_RESTART_ATTEMPT, /* auto-restart runs the restart command */
	ALERT_RESTART_DONE,    /* it exited 0: grace period begins */
	ALERT_RESTART_FAILED,  /* it failed: back-off */
	ALERT_RESTART_GAVE_UP, /* max_restarts in restart_window: stopped */
	ALERT_START_LIMIT,     /* systemd refused: start limit hit */
	ALERT_RESTART_HELD,    /* a restart was due but a guard held it */
	ALERT_MANY_DOWN,       /* more nodes failing than the quorum allows */
	ALERT_GROUPED,         /* downs close in time, paged as one */
	ALERT_DEBUG_MODE,      /* a node left in Nitro debug mode too long */
	ALERT_ERS_ACTIVE,      /* the ERS configuration left on too long */
	ALERT_ORPHANED,        /* a procedure left open, its lock gone */
	ALERT_KIND_COUNT
};

#define ALERT_NODE_NONE ((size_t)-1)

struct alert {
	uint64_t seq;
	enum alert_kind kind;
	size_t node;           /* ALERT_NODE_NONE: the fleet */
	const char *from, *to; /* status names, or NULL */
	int http_code;         /* 0: none */
	char error[256];
	int64_t time_ms; /* wall clock */
	unsigned consecutive_failures;
	char detail[512];       /* what happened, for people */
	char log_excerpt[1024]; /* the node's last journal lines, or "" */
};

const char *alert_kind_name(enum alert_kind k);

/* The event as one line of JSON (a new string the caller frees). */
char *alert_json(const struct fleet *f, const struct alert *a);
/* The event as one line for people (a new string the caller frees). */
char *alert_text(const struct fleet *f, const struct alert *a);

#endif
