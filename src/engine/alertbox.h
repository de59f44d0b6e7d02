/*
 * alertbox: the alerts a console shows, newest ALERTBOX_KEEP of them, each
 * with whether an operator acknowledged it. Filled on the engine thread
 * (watchdog's print), read and acknowledged from the screen's thread.
 * Owns copies of the alerts' text.
 */
#ifndef BVOPS_ALERTBOX_H
#define BVOPS_ALERTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALERTBOX_KEEP 200

struct alertbox;

struct alertbox *alertbox_new(void);
void alertbox_free(struct alertbox *b);

/* Add one (text is copied); quiet ones come acknowledged. The
 * watchdog's print callback fits. */
void alertbox_push(void *box, const char *json, const char *text, bool quiet);

/* Changes with every push and acknowledgement. */
uint64_t alertbox_version(struct alertbox *b);
/* How many are kept, and how many of those are not acknowledged. */
size_t alertbox_count(struct alertbox *b, size_t *unacked);
/* What is kept of an alert besides its text. */
struct alertbox_meta {
	bool acked;
	int64_t at_ms;  /* when it happened (ms since the epoch), 0 unknown */
	char node[128]; /* the node it is about, "" for the fleet */
};

/* The i-th newest (0 = newest): its text copied to out, and the rest
 * into *meta; false past the end. */
bool alertbox_get(struct alertbox *b, size_t i, char *out, size_t size,
		  struct alertbox_meta *meta);
/* Acknowledge the i-th newest, or all (i = SIZE_MAX). */
void alertbox_ack(struct alertbox *b, size_t i);

#endif
