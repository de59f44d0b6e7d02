/*
 * timefmt: wall-clock times as ISO 8601 UTC text, both ways
 * ("2026-11-27T10:00:00Z", "2026-11-27T10:00:00.123Z"). Owns nothing.
 */
#ifndef BVOPS_TIMEFMT_H
#define BVOPS_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ms since the epoch into out; with millis, ".mmm" before the Z. */
void timefmt_iso8601(int64_t ms, bool millis, char *out, size_t size);
/* The reverse (with or without milliseconds); 0 when s is not such a
 * time or is NULL. */
int64_t timefmt_iso8601_parse(const char *s);

#endif
