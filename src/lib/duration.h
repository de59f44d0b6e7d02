/*
 * duration: "500ms", "2s", "15m", "1h30m" <-> milliseconds.
 * Owns nothing.
 */
#ifndef BVOPS_DURATION_H
#define BVOPS_DURATION_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse one or more NUMBER UNIT groups (units ms, s, m, h, d). Returns 0
 * and *ms, or -1 with a message in msg (size msgsize) for the caller to show.
 */
int duration_parse(const char *text, uint64_t *ms, char *msg, size_t msgsize);
/* Write the shortest text that duration_parse reads back as ms (for
 * settings: exact, "191521ms"). */
void duration_format(uint64_t ms, char *out, size_t size);
/* For people: two units at most, rounded ("3m12s", "1h5m", "1.5s",
 * "800ms"). */
void duration_human(uint64_t ms, char *out, size_t size);

#endif
