/*
 * clock: the two clocks every module reads, in milliseconds.
 *
 * Owns nothing. Wall time (CLOCK_REALTIME) is for what is written down or
 * shown; monotonic time (CLOCK_MONOTONIC) is for every interval and
 * deadline, so a clock step never fires or starves a timer. State machines
 * that need a test clock take "now" as a parameter instead.
 */
#ifndef BVOPS_CLOCK_H
#define BVOPS_CLOCK_H

#include <stdint.h>

/* Wall clock, ms since the epoch. */
int64_t clock_now_ms(void);
/* Monotonic clock, ms since an arbitrary start. */
int64_t clock_mono_ms(void);

#endif
