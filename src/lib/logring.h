/*
 * logring: the lines of one log stream, bounded.
 *
 * Owns its lines. Each line is sanitized once as it arrives (so neither
 * drawing nor search ever sees a control sequence), stamped with its
 * arrival time, and numbered: line numbers (seq) keep counting while the
 * oldest lines fall out, so a view can tell how many it lost. Memory is
 * bounded by a line count and a byte count, whichever is hit first.
 */
#ifndef BVOPS_LOGRING_H
#define BVOPS_LOGRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum logring_kind {
	LOGRING_LINE,   /* from the source */
	LOGRING_GAP,    /* the stream dropped and came back */
	LOGRING_HEALTH, /* a health transition of the node */
};

struct logring_line {
	int64_t at_ms; /* arrival, wall clock */
	enum logring_kind kind;
	bool cut; /* a piece of a longer line */
	size_t len;
	size_t size; /* bytes allocated for text */
	char text[]; /* sanitized, NUL-terminated */
};

struct logring {
	struct logring_line **slots;
	size_t cap;   /* most lines kept */
	size_t start; /* slot of the oldest line */
	size_t len;
	size_t bytes, max_bytes;
	uint64_t total; /* lines ever pushed: the next line's seq */
};

#define LOGRING_DEFAULT_LINES 10000
#define LOGRING_DEFAULT_BYTES ((size_t)16 << 20)

void logring_init(struct logring *r, size_t max_lines, size_t max_bytes);
void logring_free(struct logring *r);

/* Add a line (raw bytes from the source, sanitized here). */
void logring_push(struct logring *r, int64_t at_ms, enum logring_kind kind,
		  const char *text, size_t len, bool cut);

/* Seq of the oldest line kept; lines before it were dropped. */
uint64_t logring_first(const struct logring *r);
/* How many lines fell out to keep the bounds. */
uint64_t logring_dropped(const struct logring *r);
/* Line seq, or NULL when dropped or not there yet. */
const struct logring_line *logring_at(const struct logring *r, uint64_t seq);

/*
 * The next line from seq (included) containing needle, ignoring ASCII
 * case, going forward or backward; -1 when there is none.
 */
int64_t logring_find(const struct logring *r, uint64_t seq, const char *needle,
		     bool backward);

#endif
