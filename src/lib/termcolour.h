/*
 * termcolour: whether output may be coloured, by the conventions users
 * set: NO_COLOR set to anything but the empty string turns colour off
 * (no-color.org: an empty one counts as unset), and so does TERM=dumb
 * (or no TERM). Owns nothing.
 */
#ifndef BVOPS_TERMCOLOUR_H
#define BVOPS_TERMCOLOUR_H

#include <stdbool.h>

/* The environment allows colour (the console asks the terminal too). */
bool termcolour_allowed(void);
/* Colour on fd: allowed, and fd is a terminal. */
bool termcolour_wanted(int fd);

#endif
